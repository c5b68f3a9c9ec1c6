#!/bin/sh
# Rebuilds the test guests:
#   c/*.c    -> wasm/*.wasm  (clang-19, WALI module shape; committed)
#            -> native/*     (gcc, same source through the header's native shims; not committed)
#   wat/*.wat -> wasm/*.wasm (wat2wasm; committed)
#
# usage: tests/guests/build.sh [name...]    (default: every guest)
# Regenerate include/wali.h first if the wali-abi tables changed:
#   cargo run -p cwali-wali-abi --bin cwali-gen-header -- tests/guests/include/wali.h
#
# The wasm flags are exactly those of /work/shared/GUEST-TOOLCHAIN.md (plus -I for the header): a
# defined, exported, shared memory (max 32768 pages), passive data initialised by a start function,
# __stack_pointer exported, imports from module "wali", and the _start export wali.h defines.
set -eu

cd "$(dirname "$0")"

CLANG=${CLANG:-clang-19}
CC=${CC:-gcc}
WAT2WASM=${WAT2WASM:-wat2wasm}

WASM_FLAGS="--target=wasm32 -O2 -nostdlib \
  -matomics -mbulk-memory -msign-ext -mnontrapping-fptoint -mmutable-globals \
  -Wl,--shared-memory -Wl,--max-memory=2147483648 -Wl,--export-memory \
  -Wl,--no-entry -Wl,--export=__stack_pointer"
NATIVE_FLAGS="-O2 -Wall -Wextra -Wno-unused-function"

mkdir -p wasm native

want() {
    [ $# -eq 0 ] && return 0
    for w in "$@"; do [ "$w" = "$name" ] && return 0; done
    return 1
}

built=0
for src in c/*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    want "$@" || continue
    echo "cc   $src -> wasm/$name.wasm, native/$name"
    # The SIMD guests (simd_*) are also built with -msimd128.
    extra=""
    case "$name" in simd_*) extra="-msimd128" ;; esac
    # shellcheck disable=SC2086
    $CLANG $WASM_FLAGS $extra -Iinclude -o "wasm/$name.wasm" "$src"
    # shellcheck disable=SC2086
    $CC $NATIVE_FLAGS -Iinclude -o "native/$name" "$src"
    built=$((built + 1))
done

for src in wat/*.wat; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .wat)
    want "$@" || continue
    echo "wat  $src -> wasm/$name.wasm"
    $WAT2WASM --enable-threads -o "wasm/$name.wasm" "$src"
    built=$((built + 1))
done

echo "built $built guest(s)"
