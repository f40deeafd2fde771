#!/usr/bin/env bash
# Emacs (emacs-nox + elpa-eglot) in batch mode with the snippet editors/emacs/dockerfile-ls.el:
# diagnostics, definition and completion from the real server.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bin
if ! command -v emacs >/dev/null; then
    skip "emacs not installed (apt-get install emacs-nox elpa-eglot elpa-dockerfile-mode)"; exit 0
fi
if ! emacs --batch -Q --eval '(progn (require (quote package)) (add-to-list (quote package-directory-list) "/usr/share/emacs/site-lisp/elpa") (package-initialize) (require (quote eglot)) (require (quote dockerfile-mode)))' >/dev/null 2>&1; then
    skip "eglot or dockerfile-mode missing (apt-get install elpa-eglot elpa-dockerfile-mode)"; exit 0
fi
tmp=$(mktemp -d)
cp "$ROOT/tests/clients/fixtures/app.dockerfile" "$tmp/Containerfile.app"
rc=0
(cd "$tmp" && PATH=$(server_path) HOME=$tmp DOCKERFILE_LS_EMACS_SNIPPET="$ROOT/editors/emacs/dockerfile-ls.el" \
    LSP_TEST_FILE=Containerfile.app LSP_TEST_OUT=$tmp/result.json \
    timeout 60 emacs --batch -Q -l "$ROOT/tests/clients/emacs/test.el" </dev/null >"$tmp/emacs.log" 2>&1) || rc=$?
if [ ! -s "$tmp/result.json" ]; then
    echo "FAIL emacs: no result (exit $rc)"; cat "$tmp/emacs.log"; exit 1
fi
python3 - "$tmp/result.json" "$rc" "$(emacs --version | head -1)" <<'PY'
import json, sys
r, rc, version = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
for c in r["checks"]:
    print(f"  emacs-eglot: ok: {c}")
if r.get("ok") is True and rc == 0:
    print(f"emacs-eglot ({version}): {len(r['checks'])} checks passed in {r['total_ms']} ms")
else:
    print(f"FAIL emacs-eglot, exit {rc}: {r.get('error')}")
    print(json.dumps(r, indent=1)[:4000])
    sys.exit(1)
PY
