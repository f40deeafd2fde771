#!/usr/bin/env bash
# One command for the LSP-level benchmark against the Node peer (rcjsuen's
# dockerfile-language-server-nodejs): builds our binary as users install it
# (tools/dist/build.sh), installs the peer with npm into target/peer (gitignored), and runs
# ../shared/tools/lspbench/lspbench.py with both servers, alternating (--order abba). Writes
# target/bench/lspbench.json and prints the table.
#
# Usage: tools/bench/run.sh [extra lspbench options, e.g. --rounds 4]
# Environment: ROUNDS (default 6), TIMEOUT (default 20 s per wait), OUT (JSON path).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# ../shared next to the checkout; from a git worktree, next to the main checkout.
shared="${SHARED:-$root/../shared}"
if [[ ! -d "$shared" ]]; then
    common="$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
    [[ -n "$common" ]] && shared="$(dirname "$common")/../shared"
fi
lspbench="$shared/tools/lspbench/lspbench.py"
if [[ ! -f "$lspbench" ]]; then
    echo "skipping: lspbench.py not found (../shared is absent; set SHARED=...)" >&2
    exit 0
fi

peer_version="${PEER_VERSION:-0.15.0}"
peer_dir="$root/target/peer"
peer_bin="$peer_dir/node_modules/.bin/docker-langserver"
if [[ ! -x "$peer_bin" ]]; then
    mkdir -p "$peer_dir"
    (cd "$peer_dir" && npm install --no-audit --no-fund --silent "dockerfile-language-server-nodejs@$peer_version")
fi

# The binary the README tells users to install: static on Linux with glibc (tools/dist/build.sh).
ours="$("$root/tools/dist/build.sh" --quiet)"

out="${OUT:-$root/target/bench/lspbench.json}"
mkdir -p "$(dirname "$out")"
echo "load before: $(cat /proc/loadavg)" >&2
python3 "$lspbench" \
    --server "$peer_bin --stdio" --label node \
    --server "$ours" --label ours \
    --sizes 100,1000,10000 --rounds "${ROUNDS:-6}" --order abba \
    --repeat 100=3,1000=3,10000=2 --edits 100=100,1000=40,10000=6 \
    --timeout "${TIMEOUT:-20}" \
    --out "$out" "$@"
echo "load after: $(cat /proc/loadavg)" >&2
echo "wrote $out" >&2
python3 "$root/tools/bench/table.py" "$out" > "${out%.json}.md"
echo "wrote ${out%.json}.md (the Markdown table for docs/performance.md)" >&2
# Memory: one 10,000-line document open, then 1,000 documents opened and closed (no growth).
python3 "$root/tools/bench/memory.py" --lspbench "$(dirname "$lspbench")" \
    --json "$(dirname "$out")/memory.json" -- "$ours" >&2
echo "wrote $(dirname "$out")/memory.json" >&2
# A burst of 1,000 unawaited edits to a 1,000-line file: how soon the last version's diagnostics
# arrive after the last edit.
python3 "$root/tools/bench/burst.py" --lspbench "$(dirname "$lspbench")" \
    --json "$(dirname "$out")/burst.json" -- "$ours" >&2
echo "wrote $(dirname "$out")/burst.json" >&2
