#!/usr/bin/env python3
"""Check that formatting never changes what BuildKit parses.

For every Dockerfile under a folder (default ../shared/corpus/real), formats it with
`dockerfile-ls debug-format` (the default settings, then `--stress`: lower-case keywords, a
blank line between stages, tab indentation) and parses the original and the formatted text
with BuildKit's Go parser (PyPI package `dockerfile`). The instruction lists must agree on:
keyword and ONBUILD trigger (ignoring case), flags, values, exec (JSON) form and heredocs (name
and content). Files BuildKit rejects must still be rejected, with the same message. Exits 1 on
any difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "buildkit-parity"))
from parity import DEFAULT_CORPUS, find_binary, list_files  # noqa: E402

BATCH = 200


def formatted(binary: str, files: list[Path], stress: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(files), BATCH):
        chunk = [str(p) for p in files[i : i + BATCH]]
        proc = subprocess.run([binary, "debug-format", *(["--stress"] if stress else []), *chunk], capture_output=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"format-parity: {binary} failed:\n{proc.stderr.decode(errors='replace')}")
        for entry in json.loads(proc.stdout)["files"]:
            if "formatted" in entry:
                out[entry["path"]] = entry["formatted"]
    return out


def parsed(text: str):
    """BuildKit's view of `text`: a list of normalised instructions, or its error message."""
    import dockerfile

    # parse_string goes through Go strings; a temporary file keeps bytes exact.
    with tempfile.NamedTemporaryFile("wb", suffix=".Dockerfile", delete=False) as f:
        f.write(text.encode("utf-8", errors="surrogateescape"))
        name = f.name
    try:
        commands = dockerfile.parse_file(name)
    except dockerfile.GoParseError as err:
        return f"error: {err}"
    finally:
        os.unlink(name)
    return [
        (
            c.cmd.lower(),
            c.sub_cmd.lower() if c.sub_cmd else None,
            tuple(c.flags),
            tuple(c.value),
            bool(c.json),
            tuple((h.name, h.content) for h in c.heredocs),
        )
        for c in commands
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--bin", help="dockerfile-ls binary (default: target/{release,debug}, PATH)")
    args = ap.parse_args()
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"format-parity: skipped, no folder {folder}")
        return 0
    try:
        import dockerfile  # noqa: F401
    except ImportError:
        sys.exit("format-parity: needs the PyPI package `dockerfile` (pip install dockerfile)")

    files = list_files(folder)
    binary = find_binary(args.bin)
    failed = False
    for stress in (False, True):
        failed |= check(files, formatted(binary, files, stress), "stress" if stress else "defaults")
    return 1 if failed else 0


def check(files: list[Path], out: dict[str, str], label: str) -> bool:
    same = changed = 0
    problems = []
    for path in files:
        new = out.get(str(path))
        if new is None:
            problems.append(f"{path}: not formatted")
            continue
        old = path.read_bytes().decode("utf-8", errors="replace")
        if new != old:
            changed += 1
        a, b = parsed(old), parsed(new)
        if a == b:
            same += 1
            continue
        if isinstance(a, str) or isinstance(b, str):
            problems.append(f"{path}: BuildKit {a if isinstance(a, str) else 'ok'} -> {b if isinstance(b, str) else 'ok'}")
            continue
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                problems.append(f"{path}: instruction {i + 1}: {x} -> {y}")
                break
        else:
            problems.append(f"{path}: {len(a)} instructions -> {len(b)}")
    for line in problems:
        print(line)
    print(
        f"format-parity ({label}): {same}/{len(files)} files parse identically in BuildKit after "
        f"formatting; {changed} changed by formatting"
    )
    return bool(problems)


if __name__ == "__main__":
    sys.exit(main())
