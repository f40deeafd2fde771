#!/usr/bin/env bash
# The whole test suite: Rust unit, property and end-to-end tests, the editor-client tests
# (tests/clients: real Neovim, Emacs, pytest-lsp, the VS Code extension; each skipped with a
# message when its client is not installed, see .ci/run), then checks against ../shared
# (BuildKit parser parity over the real-world corpus) when that folder exists.
# Installs nothing system-wide; Python tools run from a venv in .venv (created on demand).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets

cargo build --bin dockerfile-ls --quiet
bash tests/clients/run.sh

CORPUS=../shared/corpus/real
if [ -d "$CORPUS" ]; then
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import dockerfile' 2>/dev/null; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet --disable-pip-version-check 'dockerfile==3.4.0'
    fi
    cargo build --release --quiet
    .venv/bin/python tools/buildkit-parity/parity.py --bin target/release/dockerfile-ls "$CORPUS"
else
    echo "skipping corpus checks: $CORPUS not found (it sits beside the repository in CI only)"
fi
