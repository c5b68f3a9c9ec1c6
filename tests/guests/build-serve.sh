#!/bin/sh
# Rebuilds the guests that only the `cwali serve` tests use (the CGI guests shared with the
# benchmark are in cgi/, built by build-cgi.sh):
#   serve/*.c -> serve/*.wasm   (committed, so `cargo test` needs no toolchain)
#
# usage: tests/guests/build-serve.sh
# The toolchain is found through WALI_CC/WALI_CXX or wali-env.sh: see wali-toolchain.sh.
set -eu
cd "$(dirname "$0")"
. ./wali-toolchain.sh

for src in serve/*.c; do
    name=$(basename "$src" .c)
    $WCC -O2 -g0 -Wall -Wno-unused-function -o "serve/$name.wasm" "$src" \
        libc-support/exit_on_return.c -Wl,--wrap=__main_void
done
