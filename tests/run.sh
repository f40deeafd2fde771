#!/usr/bin/env bash
# The whole test suite: Rust unit, property and end-to-end tests, then checks against
# ../shared (BuildKit parser parity and the stage graph over the real-world corpus) when that
# folder exists.
# Installs nothing system-wide; Python tools run from a venv in .venv (created on demand).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets

CORPUS=../shared/corpus/real
if [ -d "$CORPUS" ]; then
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import dockerfile' 2>/dev/null; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet --disable-pip-version-check 'dockerfile==3.4.0'
    fi
    cargo build --release --quiet
    .venv/bin/python tools/buildkit-parity/parity.py --bin target/release/dockerfile-ls "$CORPUS"
    # The stage graph of every corpus file: exit 0 and nothing on stderr (no error, no cycle).
    echo "stage graph over $CORPUS"
    tail -n +2 "$CORPUS/MANIFEST.tsv" | cut -f1 | sed "s|^|$CORPUS/|" | tr '\n' '\0' |
        xargs -0 -P 4 -n 1 sh -c 'err=$(target/release/dockerfile-ls graph --format json "$1" 2>&1 >/dev/null) &&
            [ -z "$err" ] || { echo "graph failed on $1: $err" >&2; exit 1; }' graph
    echo "stage graph: ok for $(tail -n +2 "$CORPUS/MANIFEST.tsv" | wc -l) files"
else
    echo "skipping corpus checks: $CORPUS not found (it sits beside the repository in CI only)"
fi
