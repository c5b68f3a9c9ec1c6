/* Call-heavy code: naive recursive Fibonacci plus a recursive Ackermann-like function, both kept
 * out of line so every level is a real call. */
#include "bench.h"

static NOINLINE uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static NOINLINE uint32_t tak(int x, int y, int z) {
    if (y >= x) return (uint32_t)z;
    return tak((int)tak(x - 1, y, z), (int)tak(y - 1, z, x), (int)tak(z - 1, x, y));
}

int run(int n) {
    uint32_t a = fib((uint32_t)n);
    uint32_t b = tak(n / 2 + 3, n / 3 + 2, n / 5);
    return (int)(a * 31u + b);
}
