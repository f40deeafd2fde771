#!/usr/bin/env bash
# The whole test suite: Rust unit, property and end-to-end tests, then checks against
# ../shared (BuildKit parser parity over the real-world corpus) when that folder exists.
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
    # Formatting never changes what BuildKit parses (fails on any difference).
    .venv/bin/python tools/format-parity/format_parity.py --bin target/release/dockerfile-ls "$CORPUS"
fi

# The Node peer's recorded navigation, folding and symbol rows: agreement per method is reported;
# only a crash or a hung server fails.
NAVIGATION=../shared/conformance/peer/navigation.jsonl
if [ -f "$NAVIGATION" ]; then
    cargo build --release --quiet
    python3 tools/peer-navigation/replay.py --bin target/release/dockerfile-ls "$NAVIGATION"
else
    echo "skipping peer navigation replay: $NAVIGATION not found"
fi
if [ ! -d "$CORPUS" ]; then
    echo "skipping corpus checks: $CORPUS not found (it sits beside the repository in CI only)"
fi
