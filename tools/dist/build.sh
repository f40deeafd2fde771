#!/usr/bin/env bash
# Builds the dockerfile-ls binary to install or ship, as target/dist/dockerfile-ls.
#
# On Linux with glibc it is a static PIE executable (`-C target-feature=+crt-static`, built for
# the host triple given explicitly, so that proc-macro crates are still built the normal way):
# it starts about 0.3-0.5 ms sooner than the dynamically linked `cargo build --release` binary
# (no dynamic loader, libc or libgcc_s to load; measured in docs/performance.md), keeps address
# space randomisation, and runs on any Linux whatever its glibc version. Elsewhere, or when the
# static C library is not installed (Debian: libc6-dev), it is the plain release build.
#
# Usage: tools/dist/build.sh [extra cargo build options]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
host="$(rustc -vV | sed -n 's/^host: //p')"
out="$root/target/dist"
mkdir -p "$out"

built=""
case "$host" in
    *-linux-gnu)
        # RUSTFLAGS, when set, replaces every configured rustflags: add the feature to it then.
        static=(--config "target.$host.rustflags = ['-C', 'target-feature=+crt-static']")
        if [[ -n "${RUSTFLAGS:-}" ]]; then
            export RUSTFLAGS="$RUSTFLAGS -C target-feature=+crt-static"
            static=()
        fi
        if cargo build --release --bin dockerfile-ls --target "$host" "${static[@]}" "$@"; then
            built="$root/target/$host/release/dockerfile-ls"
        else
            echo "tools/dist/build.sh: the static build failed (is the static C library," \
                "libc6-dev, installed?); building the dynamically linked binary instead" >&2
        fi
        ;;
esac
if [[ -z "$built" ]]; then
    cargo build --release --bin dockerfile-ls "$@"
    built="$root/target/release/dockerfile-ls"
fi
cp "$built" "$out/dockerfile-ls.tmp"
mv "$out/dockerfile-ls.tmp" "$out/dockerfile-ls"
echo "$out/dockerfile-ls"
