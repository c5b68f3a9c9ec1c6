#!/bin/sh
# Rebuilds the libc-level test guests with a real WALI toolchain (clang + wali-musl):
#   libc/*.c -> wasm-libc/*.wasm   (committed, so `cargo test` needs no toolchain)
# Their native twins are built by the tests themselves with gcc (glibc) from the same source.
#
# usage: tests/guests/build-libc.sh [name...]    (default: every guest)
# The toolchain is found through WALI_CC/WALI_CXX or wali-env.sh: see wali-toolchain.sh.
set -eu
cd "$(dirname "$0")"
. ./wali-toolchain.sh

mkdir -p wasm-libc
built=0
for src in libc/*.c; do
    name=$(basename "$src" .c)
    if [ $# -gt 0 ]; then
        keep=0
        for w in "$@"; do [ "$w" = "$name" ] && keep=1; done
        [ $keep = 1 ] || continue
    fi
    # Returning from main must mean exit(): see libc-support/exit_on_return.c.
    # -O2 like a release build; -g0 keeps the committed files small (the name section stays,
    # so traps still show function names).
    $WCC -O2 -g0 -Wall -Wno-unused-function -o "wasm-libc/$name.wasm" "$src" \
        libc-support/exit_on_return.c -Wl,--wrap=__main_void
    # stdio_exit once more with wali-musl's own start-up, to keep what it does visible.
    if [ "$name" = stdio_exit ]; then
        $WCC -O2 -g0 -Wall -o "wasm-libc/stdio_exit_unpatched.wasm" "$src"
    fi
    built=$((built + 1))
done
echo "built $built libc guests into $(pwd)/wasm-libc"
