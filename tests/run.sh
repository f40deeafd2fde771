#!/usr/bin/env bash
# The whole test suite: Rust unit, property and end-to-end tests, then checks against
# ../shared (BuildKit parser parity over the real-world corpus) when that folder exists.
# Installs nothing system-wide; Python tools run from a venv in .venv (created on demand).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets

# Fuzz targets (server/fuzz, outside the workspace): a short fixed run of each when cargo fuzz
# is installed (.ci/run installs it). Their saved crash inputs and seeds also run as plain tests
# above (server/tests/fuzz_regressions.rs), so without cargo fuzz only the fuzzing is skipped.
if cargo fuzz --version >/dev/null 2>&1; then
    FUZZ_SEED_CORPUS=${FUZZ_SEED_CORPUS:-} bash server/fuzz/run.sh "${FUZZ_SECONDS:-20}"
else
    echo "skipping fuzzing: cargo fuzz not installed (cargo install cargo-fuzz --locked)"
fi

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
