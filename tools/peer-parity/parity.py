#!/usr/bin/env python3
"""Replay the Node peer's validator rows through dockerfile-ls and compare, per peer code.

Reads `../shared/conformance/peer/validate.jsonl` (recorded `Validator.validate` calls of
rcjsuen's dockerfile-utils; see its README), writes every input to a temporary file, runs
`dockerfile-ls debug-findings FILE...` (every rule's raw findings, no suppressions), and for each
peer diagnostic asks: does one of the rules mapped to its code (PEER_TO_RULES) flag the same line?

Per peer code it reports how often we flag the same line ("agree"), how often we do not
("miss"), and how often our mapped rules flag a line the peer left alone in a row where the
peer's check was on ("extra"). The reasons for the differences are in docs/rules.md
("Parity with the Node peer"). Stdlib only. Exits 0 unless something crashes (a run that
cannot start, an unreadable answer); it never fails on disagreement.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The binary, found as the BuildKit parity tool finds it (this script runs as `__main__`, so
# `parity` below is that tool's module, not this file).
sys.path.insert(0, str(ROOT / "tools" / "buildkit-parity"))
from parity import find_binary  # noqa: E402
DEFAULT_ROWS = ROOT.parent / "shared" / "conformance" / "peer" / "validate.jsonl"
BATCH = 500

# Peer ValidationCode -> (name, our rules that report the same problem). Rules that another
# part of the engine owns may be missing from a given build; the report says so.
PEER_TO_RULES: dict[int, tuple[str, list[str]]] = {
    0: ("CASING_INSTRUCTION", ["ConsistentInstructionCasing"]),
    1: ("CASING_DIRECTIVE", ["InvalidParserDirective", "SyntaxError"]),
    2: ("ARGUMENT_MISSING", ["WrongArgumentCount", "InvalidHealthcheck", "InvalidExposePort"]),
    3: ("ARGUMENT_EXTRA", ["WrongArgumentCount", "InvalidStopSignal"]),
    5: ("ARGUMENT_REQUIRES_AT_LEAST_ONE", ["WrongArgumentCount", "InvalidHealthcheck"]),
    6: ("ARGUMENT_REQUIRES_TWO", ["WrongArgumentCount"]),
    7: ("ARGUMENT_REQUIRES_AT_LEAST_TWO", ["WrongArgumentCount"]),
    8: ("ARGUMENT_REQUIRES_ONE_OR_THREE", ["InvalidFromSyntax", "WrongArgumentCount"]),
    9: ("ARGUMENT_UNNECESSARY", ["InvalidHealthcheck", "WrongArgumentCount"]),
    10: ("DUPLICATE_BUILD_STAGE_NAME", ["DuplicateStageName"]),
    11: ("EMPTY_CONTINUATION_LINE", ["NoEmptyContinuation"]),
    12: ("INVALID_BUILD_STAGE_NAME", ["InvalidFromSyntax", "InvalidStageName"]),
    13: ("FLAG_AT_LEAST_ONE", ["InvalidHealthcheck", "InvalidFlag"]),
    14: ("FLAG_DUPLICATE", ["InvalidFlag"]),
    15: ("FLAG_INVALID_DURATION", ["InvalidHealthcheck", "InvalidFlag"]),
    16: ("FLAG_LESS_THAN_1MS", ["InvalidHealthcheck", "InvalidFlag"]),
    17: ("FLAG_MISSING_DURATION", ["InvalidHealthcheck", "InvalidFlag"]),
    18: ("FLAG_MISSING_VALUE", ["InvalidFlag", "InvalidHealthcheck"]),
    19: ("FLAG_UNKNOWN_UNIT", ["InvalidHealthcheck", "InvalidFlag"]),
    20: ("NO_SOURCE_IMAGE", ["InstructionBeforeFrom", "SyntaxError"]),
    21: ("INVALID_ESCAPE_DIRECTIVE", ["SyntaxError", "InvalidParserDirective"]),
    22: ("INVALID_AS", ["InvalidFromSyntax"]),
    23: ("INVALID_DESTINATION", ["CopyMultipleSourcesNeedsDirDest"]),
    24: ("INVALID_PORT", ["InvalidExposePort"]),
    25: ("INVALID_PROTO", ["InvalidExposePort"]),
    26: ("INVALID_REFERENCE_FORMAT", ["InvalidFromSyntax", "InvalidImageReference"]),
    27: ("INVALID_SIGNAL", ["InvalidStopSignal"]),
    28: ("INVALID_SYNTAX", ["InvalidHealthcheck", "InvalidFlag"]),
    29: ("ONBUILD_CHAINING_DISALLOWED", ["InvalidOnbuildTrigger"]),
    30: ("ONBUILD_TRIGGER_DISALLOWED", ["InvalidOnbuildTrigger"]),
    31: ("SHELL_JSON_FORM", ["WrongArgumentCount"]),
    32: ("SHELL_REQUIRES_ONE", ["WrongArgumentCount"]),
    33: ("SYNTAX_MISSING_EQUALS", ["WrongArgumentCount", "InvalidKeyValue"]),
    34: ("SYNTAX_MISSING_NAMES", ["WrongArgumentCount", "InvalidKeyValue"]),
    35: ("SYNTAX_MISSING_SINGLE_QUOTE", ["InvalidVariableSubstitution", "SyntaxError"]),
    36: ("SYNTAX_MISSING_DOUBLE_QUOTE", ["InvalidVariableSubstitution", "SyntaxError"]),
    37: ("MULTIPLE_INSTRUCTIONS", ["MultipleInstructionsDisallowed"]),
    38: ("UNKNOWN_INSTRUCTION", ["UnknownInstruction"]),
    39: ("UNKNOWN_ADD_FLAG", ["InvalidFlag"]),
    40: ("UNKNOWN_COPY_FLAG", ["InvalidFlag"]),
    41: ("UNKNOWN_FROM_FLAG", ["InvalidFlag"]),
    42: ("UNKNOWN_HEALTHCHECK_FLAG", ["InvalidFlag", "InvalidHealthcheck"]),
    43: ("UNKNOWN_TYPE", ["InvalidHealthcheck"]),
    44: ("UNSUPPORTED_MODIFIER", ["InvalidVariableSubstitution", "SyntaxError"]),
    45: ("DEPRECATED_MAINTAINER", ["MaintainerDeprecated"]),
    46: ("HEALTHCHECK_CMD_ARGUMENT_MISSING", ["InvalidHealthcheck", "WrongArgumentCount"]),
    47: ("FLAG_INVALID_FROM_VALUE", ["UnknownStage", "InvalidStageReference", "InvalidFlag"]),
    48: ("FLAG_EXPECTED_BOOLEAN_VALUE", ["InvalidFlag"]),
    49: ("JSON_IN_SINGLE_QUOTES", ["JSONInSingleQuotes"]),
    50: ("WORKDIR_IS_NOT_ABSOLUTE", ["WorkdirRelativePath"]),
    51: ("BASE_NAME_EMPTY", ["InvalidDefaultArgInFrom", "UndefinedArgInFrom"]),
    52: ("DUPLICATED_ESCAPE_DIRECTIVE", ["SyntaxError", "InvalidParserDirective"]),
}

# Peer settings keys (0 ignore, 1 warning, 2 error; a missing key means ignore) -> the codes they
# switch. Codes not listed here are always on in the peer.
SETTING_CODES: dict[str, list[int]] = {
    "deprecatedMaintainer": [45],
    "directiveCasing": [1],
    "emptyContinuationLine": [11],
    "instructionCasing": [0],
    "instructionCmdMultiple": [37],
    "instructionEntrypointMultiple": [37],
    "instructionHealthcheckMultiple": [37],
    "instructionJSONInSingleQuotes": [49],
    "instructionWorkdirRelative": [50],
}


def enabled_codes(settings: dict) -> set[int]:
    """The peer codes that were on in a row: all unconfigurable ones, plus configured ones whose
    setting is non-zero (the settings object replaces the defaults, so a missing key is off)."""
    on = set(PEER_TO_RULES) - {c for codes in SETTING_CODES.values() for c in codes}
    for key, codes in SETTING_CODES.items():
        if settings.get(key):
            on.update(codes)
    return on


def run_findings(binary: str, paths: list[Path]) -> tuple[list[dict], list[dict]]:
    """(rules, per-file findings) for `paths`, in order."""
    files: list[dict] = []
    rules: list[dict] = []
    for i in range(0, len(paths), BATCH):
        chunk = [str(p) for p in paths[i : i + BATCH]]
        proc = subprocess.run(
            [binary, "debug-findings", *chunk], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            sys.exit(f"peer-parity: dockerfile-ls crashed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        answer = json.loads(proc.stdout)
        rules = answer["rules"]
        files.extend(answer["files"])
    return rules, files


def covers(finding: dict, line: int) -> bool:
    """Whether our finding is on `line`: its start line, any line of its range, or the first
    line of its instruction."""
    return (
        finding["line"] <= line <= finding["endLine"]
        or finding.get("instructionLine") == line
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="?", default=str(DEFAULT_ROWS), help="validate.jsonl")
    ap.add_argument("--bin", help="the dockerfile-ls binary (default: target/{release,debug})")
    ap.add_argument("--examples", type=int, default=0, help="print N disagreeing rows per code")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()

    rows_path = Path(args.rows)
    if not rows_path.is_file():
        print(f"skipping peer parity: {rows_path} not found (it sits beside the repository in CI only)")
        return 0
    binary = find_binary(args.bin)
    rows = [json.loads(line) for line in rows_path.read_text(encoding="utf-8").splitlines() if line.strip()]

    with tempfile.TemporaryDirectory(prefix="peer-parity-") as tmp:
        paths = []
        for i, row in enumerate(rows):
            p = Path(tmp) / f"row{i:05}.Dockerfile"
            p.write_bytes(row["input"].encode("utf-8"))
            paths.append(p)
        rules, files = run_findings(binary, paths)

    known = {r["name"] for r in rules}
    # "extra" is only meaningful for a rule that stands for one peer code.
    codes_of_rule: Counter[str] = Counter(r for _, names in PEER_TO_RULES.values() for r in names)
    agree: Counter[int] = Counter()
    miss: Counter[int] = Counter()
    extra: Counter[int] = Counter()
    examples: dict[tuple[str, int], list[str]] = defaultdict(list)

    for row, result in zip(rows, files):
        if "error" in result:
            sys.exit(f"peer-parity: {result['path']}: {result['error']}")
        ours = result["findings"]
        peer = [d for d in row["output"] if d["code"] in PEER_TO_RULES]
        for d in peer:
            code, line = d["code"], d["range"]["start"]["line"]
            names = PEER_TO_RULES[code][1]
            if any(f["rule"] in names and covers(f, line) for f in ours):
                agree[code] += 1
            else:
                miss[code] += 1
                if len(examples[("miss", code)]) < args.examples:
                    examples[("miss", code)].append(row["input"])
        on = enabled_codes(row.get("settings") or {})
        for code in on:
            names = PEER_TO_RULES[code][1]
            peer_lines = {
                line
                for d in peer
                if d["code"] == code
                for line in range(d["range"]["start"]["line"], d["range"]["end"]["line"] + 1)
            }
            for f in ours:
                if f["rule"] not in names or codes_of_rule[f["rule"]] > 1:
                    continue
                if not any(covers(f, line) for line in peer_lines):
                    extra[code] += 1
                    if len(examples[("extra", code)]) < args.examples:
                        examples[("extra", code)].append(row["input"])

    total_agree = sum(agree.values())
    total_peer = total_agree + sum(miss.values())
    print(f"peer parity over {len(rows)} validator rows ({total_peer} mapped peer diagnostics)")
    print(f"{'code':>4} {'peer name':<34} {'peer':>5} {'agree':>6} {'%':>6} {'extra':>6}  our rules")
    figures = {}
    for code in sorted(PEER_TO_RULES):
        name, names = PEER_TO_RULES[code]
        n = agree[code] + miss[code]
        pct = 100.0 * agree[code] / n if n else 100.0
        present = [r for r in names if r in known] or ["(none in this build)"]
        print(f"{code:>4} {name:<34} {n:>5} {agree[code]:>6} {pct:>5.1f}% {extra[code]:>6}  {', '.join(present)}")
        figures[name] = {"code": code, "peer": n, "agree": agree[code], "extra": extra[code], "rules": present}
    overall = 100.0 * total_agree / total_peer if total_peer else 100.0
    print(f"overall: we flag the same line for {total_agree}/{total_peer} peer diagnostics ({overall:.1f}%)")
    for (kind, code), inputs in sorted(examples.items()):
        for text in inputs:
            print(f"--- {kind} {PEER_TO_RULES[code][0]}:\n{text}")
    if args.json:
        Path(args.json).write_text(json.dumps({"overall": overall, "codes": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
