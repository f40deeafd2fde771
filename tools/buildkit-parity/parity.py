#!/usr/bin/env python3
"""Compare dockerfile-ls's instruction splitter with BuildKit's parser.

For every Dockerfile under a folder, runs `dockerfile-ls debug-instructions FILE...` and the
PyPI package `dockerfile` (BuildKit's Go parser), and compares per instruction: count, keyword
(case-insensitive; ONBUILD's trigger too), start and end line, raw flags, exec (JSON) form,
heredoc names. Files BuildKit rejects are not compared (their errors are listed next to ours). Exits 1 when agreement is below --min percent.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SKIP_NAMES = {"MANIFEST.tsv", "README.md"}
BATCH = 200


def find_binary(explicit: str | None) -> str:
    if explicit:
        return explicit
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "dockerfile-ls"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("dockerfile-ls")
    if found:
        return found
    sys.exit("parity: no dockerfile-ls binary; build it (cargo build --release) or pass --bin")


def list_files(folder: Path) -> list[Path]:
    manifest = folder / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f, delimiter="\t")
            if rows.fieldnames and "file" in rows.fieldnames:
                return [folder / row["file"] for row in rows]
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name not in SKIP_NAMES
    )


def ours(binary: str, files: list[Path]) -> dict[str, dict]:
    result: dict[str, dict] = {}
    for i in range(0, len(files), BATCH):
        chunk = [str(p) for p in files[i : i + BATCH]]
        proc = subprocess.run(
            [binary, "debug-instructions", *chunk], capture_output=True, check=False
        )
        if proc.returncode != 0:
            sys.exit(f"parity: {binary} failed:\n{proc.stderr.decode(errors='replace')}")
        for entry in json.loads(proc.stdout)["files"]:
            result[entry["path"]] = entry
    return result


def theirs(path: Path) -> list[dict] | str:
    """BuildKit's instructions, or its error message when it rejects the file."""
    import dockerfile

    try:
        commands = dockerfile.parse_file(str(path))
    except dockerfile.GoParseError as err:
        return str(err)
    return [
        {
            "keyword": c.cmd,
            "sub_cmd": c.sub_cmd,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "json": bool(c.json),
            "original": c.original,
            "heredocs": [h.name for h in c.heredocs],
        }
        for c in commands
    ]


def norm(ins: dict) -> tuple:
    sub = ins.get("sub_cmd")
    return (
        (ins["keyword"] or "").lower(),
        sub.lower() if sub else None,
        ins["start_line"],
        ins["end_line"],
        tuple(ins["flags"]),
        bool(ins["json"]),
        tuple(ins.get("heredocs") or ()),
    )


def old_json_decoder(ours_ins: dict, go_ins: dict) -> bool:
    """The known version difference: the `dockerfile` package wraps a BuildKit older than
    dockerfile/1.10.0, whose parseJSON used json.NewDecoder and so accepted text after the
    array (`CMD ["a"] # comment`). BuildKit 80518e257 (2024) switched to json.Unmarshal, which
    rejects it: the arguments are shell form. We follow current BuildKit."""
    if ours_ins["json"] or not go_ins["json"]:
        return False
    if norm({**ours_ins, "json": True}) != norm(go_ins):
        return False
    original = go_ins.get("original") or ""
    start = original.find("[")
    try:
        _, end = json.JSONDecoder().raw_decode(original[start:])
    except ValueError:
        return False
    return start >= 0 and original[start + end :].strip() != ""


def compare(path: str, mine: list[dict] | None, go: list[dict], notes: list[str]) -> list[str]:
    if mine is None:
        return [f"{path}: dockerfile-ls could not read the file"]
    problems = []
    if len(mine) != len(go):
        problems.append(f"{path}: {len(mine)} instructions, BuildKit {len(go)}")
    for a, b in zip(mine, go):
        if norm(a) != norm(b):
            if old_json_decoder(a, b):
                notes.append(f"{path}:{b['start_line']}: known: text after a JSON array")
                continue
            problems.append(f"{path}:{b['start_line']}: ours {norm(a)} vs BuildKit {norm(b)}")
            break  # later differences usually follow from the first
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--bin", help="dockerfile-ls binary (default: target/{release,debug}, PATH)")
    ap.add_argument("--min", type=float, default=100.0, help="minimum agreement in percent")
    args = ap.parse_args()

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"parity: skipped, no folder {folder}")
        return 0
    try:
        import dockerfile  # noqa: F401
    except ImportError:
        sys.exit("parity: needs the PyPI package `dockerfile` (pip install dockerfile)")

    files = list_files(folder)
    mine = ours(find_binary(args.bin), files)
    compared = agreed = rejected = 0
    notes: list[str] = []
    for path in files:
        go = theirs(path)
        entry = mine.get(str(path)) or {}
        if isinstance(go, str):
            rejected += 1
            errors = entry.get("errors") or []
            print(f"{path}: rejected by BuildKit ({go}); ours: {errors or 'no error'}")
            continue
        compared += 1
        if entry.get("errors"):
            print(f"{path}: BuildKit accepts it; ours: {entry['errors']}")
            continue
        problems = compare(str(path), entry.get("instructions"), go, notes)
        if problems:
            for line in problems:
                print(line)
        else:
            agreed += 1

    for line in notes:
        print(line)
    rate = 100.0 * agreed / compared if compared else 100.0
    print(
        f"parity: {agreed}/{compared} files agree ({rate:.2f}%); "
        f"{rejected} of {len(files)} rejected by BuildKit and not compared; "
        f"{len(notes)} known version difference(s)"
    )
    return 0 if rate >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
