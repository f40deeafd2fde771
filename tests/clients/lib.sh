# Shared helpers for the client tests (sourced). A client that is not installed is skipped with
# a message, unless DOCKERFILE_LS_REQUIRE_CLIENTS=1 (set by .ci/run), where it is a failure.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${DOCKERFILE_LS_BIN:-$ROOT/target/debug/dockerfile-ls}

skip() {
    if [ "${DOCKERFILE_LS_REQUIRE_CLIENTS:-0}" = 1 ]; then
        echo "FAIL: $* (DOCKERFILE_LS_REQUIRE_CLIENTS=1: .ci/run must install it)" >&2
        exit 1
    fi
    echo "skipped: $*"
}

need_bin() {
    [ -x "$BIN" ] || { echo "FAIL: $BIN not built (cargo build --bin dockerfile-ls)" >&2; exit 1; }
}

# a PATH where `dockerfile-ls` is the binary under test, as the editor snippets expect
server_path() {
    local dir
    dir=$(mktemp -d)
    ln -s "$BIN" "$dir/dockerfile-ls"
    echo "$dir:$PATH"
}
