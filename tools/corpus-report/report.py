#!/usr/bin/env python3
"""Runs `dockerfile-ls check` over a folder of real Dockerfiles and writes the rule counts per file.

For every file listed in the folder's MANIFEST.tsv (default ../shared/corpus/real) it records how
often each rule fired, writes `target/corpus-report.tsv` (file, rule, severity, count) and
`target/corpus-report.json` (totals per rule, files per rule, the syntax-class findings), and
fails (exit 1) when `SyntaxError` -- what BuildKit's parser rejects -- fires on a file BuildKit's
parser accepts. Which files BuildKit rejects is asked of BuildKit's own parser (the PyPI package
`dockerfile`, when importable); without it, every `SyntaxError` counts. The other syntax-class
rules report what BuildKit's instruction parser and dispatcher reject, which the Python package
does not run; their findings are listed for review, not counted as failures. A missing folder is
skipped with a message.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

# What BuildKit's parser (`parser.Parse`) rejects.
PARSER_CLASS = {"SyntaxError"}

# Rules that report text BuildKit refuses to parse (the build fails before anything runs).
SYNTAX_CLASS = {
    "SyntaxError",
    "UnknownInstruction",
    "WrongArgumentCount",
    "InvalidFromSyntax",
    "InvalidFlag",
    "InvalidMount",
    "InstructionBeforeFrom",
    "InvalidOnbuildTrigger",
    "InvalidExposePort",
    "InvalidStopSignal",
    "InvalidHealthcheck",
    "InvalidParserDirective",
    "InvalidVariableSubstitution",
}


def buildkit_rejects(paths):
    """The files BuildKit's parser rejects, or None if the parser package is not installed."""
    try:
        import dockerfile  # BuildKit's Go parser, wrapped
    except ImportError:
        return None
    rejected = {}
    for p in paths:
        try:
            dockerfile.parse_file(p)
        except dockerfile.GoParseError as e:
            rejected[p] = str(e)
        except Exception as e:  # noqa: BLE001 - report, never crash the report
            rejected[p] = f"{type(e).__name__}: {e}"
    return rejected


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="../shared/corpus/real")
    ap.add_argument("--bin", default="target/release/dockerfile-ls")
    ap.add_argument("--out", default="target/corpus-report")
    args = ap.parse_args()

    manifest = os.path.join(args.folder, "MANIFEST.tsv")
    if not os.path.isfile(manifest):
        print(f"skipping the corpus report: {manifest} not found")
        return 0
    with open(manifest, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    files = [os.path.join(args.folder, r[0]) for r in rows if r and r[0]]

    proc = subprocess.run(
        [args.bin, "check", "--format", "json", "--fail-level", "never", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        print(proc.stderr, file=sys.stderr)
        print(f"dockerfile-ls check exited {proc.returncode}", file=sys.stderr)
        return 1
    report = json.loads(proc.stdout)

    rejected = buildkit_rejects(files)
    per_rule = collections.Counter()
    files_per_rule = collections.Counter()
    syntax_findings = []
    tsv = ["file\trule\tseverity\tcount"]
    for entry in report["files"]:
        path = entry["path"]
        counts = collections.Counter((d["rule"], d["severity"]) for d in entry["diagnostics"])
        for (rule, sev), n in sorted(counts.items()):
            tsv.append(f"{os.path.relpath(path, args.folder)}\t{rule}\t{sev}\t{n}")
            per_rule[rule] += n
        for rule in {r for r, _ in counts}:
            files_per_rule[rule] += 1
        for d in entry["diagnostics"]:
            if d["rule"] in SYNTAX_CLASS and d["severity"] == "error":
                syntax_findings.append(
                    {
                        "file": os.path.relpath(path, args.folder),
                        "rule": d["rule"],
                        "line": d["range"]["start"]["line"],
                        "message": d["message"],
                        "buildkit_rejects": rejected is not None and path in rejected,
                    }
                )

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out + ".tsv", "w", encoding="utf-8") as f:
        f.write("\n".join(tsv) + "\n")
    bad = [s for s in syntax_findings if s["rule"] in PARSER_CLASS and not s["buildkit_rejects"]]
    review = [s for s in syntax_findings if s["rule"] not in PARSER_CLASS]
    summary = {
        "files": len(report["files"]),
        "summary": report["summary"],
        "rules": {r: {"findings": per_rule[r], "files": files_per_rule[r]} for r in sorted(per_rule)},
        "buildkit_rejects": sorted(os.path.relpath(p, args.folder) for p in (rejected or {})),
        "syntax_class_findings": syntax_findings,
    }
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")

    print(f"corpus report: {len(report['files'])} files, written to {args.out}.tsv and {args.out}.json")
    for rule in sorted(per_rule, key=lambda r: (-per_rule[r], r)):
        print(f"  {rule:32} {per_rule[rule]:6} findings in {files_per_rule[rule]:4} files")
    if rejected is None:
        print("  (BuildKit's parser is not installed: every syntax-class error counts)")
    else:
        print(f"  BuildKit's parser rejects {len(rejected)} files")
    if review:
        print(f"  {len(review)} instruction-level errors (BuildKit's instruction parser or dispatcher")
        print("  rejects these; see syntax_class_findings in the JSON report)")
    if bad:
        print(f"FAIL: {len(bad)} SyntaxError findings on files BuildKit parses:")
        for s in bad:
            print(f"  {s['file']}:{s['line']}: {s['rule']}: {s['message']}")
        return 1
    print("no SyntaxError on a file BuildKit parses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
