#!/usr/bin/env bash
# The VS Code extension without VS Code: type-check + `node --test` unit tests (fake `vscode`
# and `vscode-languageclient` for extension.ts), then the .vsix: universal, and for linux-x64
# with the server binary bundled; both checked by scripts/check-vsix.mjs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
EXT=$ROOT/editors/vscode
if ! command -v npm >/dev/null; then
    skip "node/npm not installed"; exit 0
fi
if [ ! -d "$EXT/node_modules/vscode-languageclient" ] || [ ! -x "$EXT/node_modules/.bin/vsce" ]; then
    skip "editors/vscode/node_modules missing (cd editors/vscode && npm ci)"; exit 0
fi
cd "$EXT"
t0=$(date +%s%N)
log=$(mktemp)
rm -rf out dist
npm test --silent > "$log" 2>&1 || { cat "$log"; echo "FAIL vscode: npm test"; exit 1; }
summary=$(grep -E '^# (tests|pass|fail) ' "$log" | tr '\n' ' ')
grep -E '^ok ' "$log" | sed -e 's/^ok [0-9]* - /  vscode: ok: /'
rm -f "$log"
echo "vscode unit tests: $summary"

npm run --silent package > /dev/null
node scripts/check-vsix.mjs dockerfile-ls.vsix

trap 'rm -f "$EXT/dockerfile-ls.vsix" "$EXT/dockerfile-ls-linux-x64.vsix"' EXIT
if [ -e server ]; then
    echo "  vsix: skipped the linux-x64 package: editors/vscode/server/ exists (yours; left alone)"
elif [ -x "$BIN" ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
    trap 'rm -rf "$EXT/server" "$EXT/dockerfile-ls.vsix" "$EXT/dockerfile-ls-linux-x64.vsix"' EXIT
    mkdir -p server/linux-x64
    cp "$BIN" server/linux-x64/dockerfile-ls
    # a debug build is ~90 MB of debug info: strip the copy so zipping stays fast
    if command -v strip >/dev/null; then strip server/linux-x64/dockerfile-ls; fi
    npx vsce package --no-dependencies --skip-license --allow-missing-repository --target linux-x64 \
        --out dockerfile-ls-linux-x64.vsix > /dev/null
    node scripts/check-vsix.mjs dockerfile-ls-linux-x64.vsix --target linux-x64
fi
echo "vscode: passed in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
