#!/usr/bin/env bash
# Runs the fuzz targets: `server/fuzz/run.sh SECONDS [TARGET...]` (default: every target).
# Seeds the corpora first (seed.py; ../shared/corpus/real when present, or $FUZZ_SEED_CORPUS),
# builds with cargo fuzz (stable toolchain: RUSTC_BOOTSTRAP=1 lets its nightly flags through),
# runs each target for SECONDS, and fails if any target finds a crash (saved under artifacts/).
# No sanitizer: the crate forbids unsafe code, and libFuzzer's coverage is what finds our bugs;
# debug assertions (overflow checks) stay on.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:?usage: run.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(analysis edits lsp)
export RUSTC_BOOTSTRAP=1
FLAGS=(-O -a -s none)

python3 seed.py ${FUZZ_SEED_CORPUS:+"$FUZZ_SEED_CORPUS"}
cargo fuzz build "${FLAGS[@]}"
for t in "${TARGETS[@]}"; do
    extra=()
    [ "$t" = lsp ] && extra=(-dict=lsp.dict)
    echo "fuzzing $t for ${SECONDS_EACH}s"
    cargo fuzz run "${FLAGS[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        "${extra[@]}"
done
