#!/bin/sh
# Rebuilds the CGI guests (the programs `cwali serve` runs, and the serve tests and benchmark
# use) with a real WALI toolchain (clang + wali-musl):
#   cgi/*.c -> wasm-cgi/*.wasm   (committed, so `cargo test` needs no toolchain)
# Their native twins (served by lighttpd's mod_cgi in tests/tests/serve_oracle.rs and the
# benchmark) are built from the same sources with gcc (glibc) by the tests themselves.
#
# usage: tests/guests/build-cgi.sh [name...]    (default: every guest)
# The toolchain is found through WALI_CC/WALI_CXX or wali-env.sh: see wali-toolchain.sh.
set -eu
cd "$(dirname "$0")"
. ./wali-toolchain.sh

mkdir -p wasm-cgi
built=0
for src in cgi/*.c; do
    name=$(basename "$src" .c)
    if [ $# -gt 0 ]; then
        keep=0
        for w in "$@"; do [ "$w" = "$name" ] && keep=1; done
        [ $keep = 1 ] || continue
    fi
    # Returning from main must mean exit() (stdio flushed): see libc-support/exit_on_return.c.
    # -O2 like a release build; -g0 keeps the committed files small (the name section stays,
    # so traps still show function names).
    $WCC -O2 -g0 -Wall -Wno-unused-function -o "wasm-cgi/$name.wasm" "$src" \
        libc-support/exit_on_return.c -Wl,--wrap=__main_void
    built=$((built + 1))
done
echo "built $built CGI guests into $(pwd)/wasm-cgi"
