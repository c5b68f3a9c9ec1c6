#!/bin/sh
# Rebuilds the committed wasm of the benchmarks (the bench itself needs no wasm toolchain):
#   kernels/*.c -> wasm/<name>.wasm   plain modules: no imports, `run` exported (clang-19 -O2)
#               -> wasm/simd/<name>.wasm   the same with -msimd128 (auto-vectorised; `simd` bench)
#   guests/*.c  -> wasm/<name>.wasm   WALI programs, built like tests/guests/build.sh
# The native builds of the same sources happen in build.rs (kernels: static library linked into
# the bench; guests: executables run as subprocesses).
#
# usage: benches/build-wasm.sh
set -eu

cd "$(dirname "$0")"

CLANG=${CLANG:-clang-19}

# -mbulk-memory: memcpy/memset become memory.copy/memory.fill (no libc to call);
# -mnontrapping-fptoint: float-to-int conversions as single instructions (as natively);
# 1 MiB of shadow stack for the recursive kernels; memory sized by the linker (static arrays).
KERNEL_FLAGS="--target=wasm32 -O2 -nostdlib -mbulk-memory -mnontrapping-fptoint \
  -Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=1048576 -Wall -Wextra"

# tests/guests/build.sh's WALI module shape.
WALI_FLAGS="--target=wasm32 -O2 -nostdlib \
  -matomics -mbulk-memory -msign-ext -mnontrapping-fptoint -mmutable-globals \
  -Wl,--shared-memory -Wl,--max-memory=2147483648 -Wl,--export-memory \
  -Wl,--no-entry -Wl,--export=__stack_pointer -I../tests/guests/include"

# The SIMD builds: LLVM's cost model for WebAssembly never interleaves a vectorised loop (one
# vector operation per iteration), while its x86 model, which the native build gets, interleaves
# them by 2 (matmul's inner loop natively: two mulpd/addpd pairs per iteration). Forcing 2 gives
# the wasm build the native loop shape; Wasmtime runs the same module.
SIMD_FLAGS="-msimd128 -mllvm -force-vector-interleave=2"

mkdir -p wasm wasm/simd
for src in kernels/*.c; do
    name=$(basename "$src" .c)
    echo "kernel $src -> wasm/$name.wasm, wasm/simd/$name.wasm"
    # shellcheck disable=SC2086
    $CLANG $KERNEL_FLAGS -o "wasm/$name.wasm" "$src"
    # shellcheck disable=SC2086
    $CLANG $KERNEL_FLAGS $SIMD_FLAGS -o "wasm/simd/$name.wasm" "$src"
done
for src in guests/*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    echo "guest  $src -> wasm/$name.wasm"
    # shellcheck disable=SC2086
    $CLANG $WALI_FLAGS -o "wasm/$name.wasm" "$src"
done
