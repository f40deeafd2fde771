#!/usr/bin/env bash
# Real-client tests against the built server (target/debug/dockerfile-ls, or $DOCKERFILE_LS_BIN):
# headless Neovim 0.7.2 and 0.11, Emacs eglot, pytest-lsp with recorded editor capabilities,
# and the VS Code extension's unit tests and .vsix check. A client that is not installed is
# skipped with a message; with DOCKERFILE_LS_REQUIRE_CLIENTS=1 (.ci/run) that is a failure.
set -uo pipefail
cd "$(dirname "$0")"

failed=()
for t in nvim emacs pylsp vscode; do
    start=$(date +%s%N)
    echo "--- client test: $t"
    if bash "./$t.sh"; then
        echo "--- $t: done in $(( ($(date +%s%N) - start) / 1000000 )) ms"
    else
        echo "--- $t: FAILED after $(( ($(date +%s%N) - start) / 1000000 )) ms"
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "client tests failed: ${failed[*]}"
    exit 1
fi
echo "client tests: all passed"
