#!/bin/sh
# Rebuilds the C++ test guests with the WALI toolchain, in both Wasm exception encodings:
#   cxx/NAME.cpp -> wasm/cxx_NAME.wasm         (legacy try/catch/rethrow/delegate: clang's default)
#                -> wasm/cxx_NAME_exnref.wasm  (try_table/throw_ref/exnref, with the exnref libc++)
# The .wasm files are committed; the tests build the native twins with g++ themselves.
#
# Finds the toolchain through WALI_CXX (clang++ of the WALI toolchain) with wali-env.sh next to
# it, or through WALI_ENV (path of wali-env.sh); install it with
#   /work/shared/wali-toolchain/install.sh --cxx DIR
# and the exnref libc++ with
#   OUT=DIR LCXX=DIR/libcxx-exnref EXTRA="-mllvm -wasm-use-legacy-eh=false" build-libcxx.sh
# WALI_LIBCXX_EXNREF overrides where that libc++ is (default: libcxx-exnref next to libcxx).
#
# usage: tests/guests/build-cxx.sh [name...]    (default: every cxx/*.cpp)
set -eu
cd "$(dirname "$0")"

if [ -z "${WALI_ENV:-}" ]; then
    if [ -n "${WALI_CXX:-}" ] && [ -e "$(dirname "$WALI_CXX")/wali-env.sh" ]; then
        WALI_ENV=$(dirname "$WALI_CXX")/wali-env.sh
    elif command -v wali-c++ >/dev/null 2>&1; then
        WALI_ENV=$(dirname "$(command -v wali-c++)")/wali-env.sh
    else
        echo "build-cxx.sh: set WALI_ENV to the toolchain's wali-env.sh (or put wali-c++ on PATH)" >&2
        exit 1
    fi
fi
# shellcheck disable=SC1090
. "$WALI_ENV"
LEGACY_LIBCXX=$WALI_LIBCXX_DIR
EXNREF_LIBCXX=${WALI_LIBCXX_EXNREF:-$(dirname "$WALI_LIBCXX_DIR")/libcxx-exnref}

mkdir -p wasm

want() {
    [ $# -eq 0 ] && return 0
    for w in "$@"; do [ "$w" = "$name" ] && return 0; done
    return 1
}

# cxx NAME LIBCXX OUT EXTRA...
cxx() {
    src=$1 libcxx=$2 out=$3
    shift 3
    flags=$(echo "$WALI_COMMON_CXXFLAGS $WALI_COMMON_LDFLAGS" | sed "s#$WALI_LIBCXX_DIR#$libcxx#g")
    # shellcheck disable=SC2086
    "$WALI_CXX" $flags -O2 "$@" -o "$out" "$src"
}

built=0
for src in cxx/*.cpp; do
    name=$(basename "$src" .cpp)
    want "$@" || continue
    echo "c++  $src -> wasm/cxx_$name.wasm, wasm/cxx_${name}_exnref.wasm"
    cxx "$src" "$LEGACY_LIBCXX" "wasm/cxx_$name.wasm"
    cxx "$src" "$EXNREF_LIBCXX" "wasm/cxx_${name}_exnref.wasm" -mllvm -wasm-use-legacy-eh=false
    built=$((built + 1))
done
echo "built $built C++ guest(s), 2 encodings each"
