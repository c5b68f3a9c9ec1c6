/* Sieve of Eratosthenes up to n (a byte per number); returns the prime count mixed with the sum
 * of every 1000th prime. */
#include "bench.h"

#define MAXN (16 * 1024 * 1024)

static uint8_t composite[MAXN + 1];

int run(int n) {
    if (n > MAXN) n = MAXN;
    for (int i = 0; i <= n; i++) composite[i] = 0;
    for (int i = 2; (int64_t)i * i <= n; i++) {
        if (composite[i]) continue;
        for (int j = i * i; j <= n; j += i) composite[j] = 1;
    }
    uint32_t count = 0, sum = 0;
    for (int i = 2; i <= n; i++) {
        if (!composite[i]) {
            count++;
            if (count % 1000 == 0) sum += (uint32_t)i;
        }
    }
    return (int)(count ^ (sum << 8));
}
