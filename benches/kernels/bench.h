/* bench.h - shared helpers for cwali's compute kernels.
 *
 * Every kernel defines `int run(int n)`, recomputes all of its state from scratch on every call
 * (so repeated calls return the same checksum) and needs no imports. Built twice from the same
 * source with clang-19 -O2: to wasm32 (benches/build-wasm.sh, `run` exported) and natively into
 * the bench binary (benches/build.rs, with -Drun=bench_<name>_run).
 */
#ifndef CWALI_BENCH_H
#define CWALI_BENCH_H

#include <stddef.h>
#include <stdint.h>

#if defined(__wasm__)
/* No libc in the wasm build. With -mbulk-memory the builtins become memory.copy / memory.fill, so
 * these never call themselves; they exist for the calls clang may emit for struct copies. */
__attribute__((weak)) void *memcpy(void *d, const void *s, size_t n) { return __builtin_memcpy(d, s, n); }
__attribute__((weak)) void *memmove(void *d, const void *s, size_t n) { return __builtin_memmove(d, s, n); }
__attribute__((weak)) void *memset(void *d, int c, size_t n) { return __builtin_memset(d, c, n); }
#endif

#define NOINLINE __attribute__((noinline))

/* Numerical Recipes LCG: cheap, deterministic input data. */
static inline uint32_t lcg_next(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* Mixes v into h (for checksums). */
static inline uint32_t mix32(uint32_t h, uint32_t v) {
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

#endif
