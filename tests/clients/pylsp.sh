#!/usr/bin/env bash
# pytest-lsp: the recorded capabilities of VS Code, Neovim and Emacs against the real server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bin
PY=$ROOT/.venv/bin/python
if [ ! -x "$PY" ] || ! "$PY" -c 'import pytest_lsp' 2>/dev/null; then
    skip "pytest-lsp not in .venv (.venv/bin/pip install -r tests/clients/requirements.txt)"; exit 0
fi
cd "$ROOT/tests/clients/pylsp"
DOCKERFILE_LS_BIN=$BIN "$PY" -m pytest -q -s -p no:cacheprovider . 2>&1 \
    | sed -e 's/^[.sFE]*\[/  pytest-lsp: [/'
exit "${PIPESTATUS[0]}"
