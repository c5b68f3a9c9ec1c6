/* Dense double-precision matrix multiply C = A * B of n x n matrices (i-k-j loop order). */
#include "bench.h"

#define MAXN 320

static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

int run(int n) {
    if (n > MAXN) n = MAXN;
    if (n < 1) n = 1;
    uint32_t s = 12345;
    for (int i = 0; i < n * n; i++) {
        A[i] = (double)(lcg_next(&s) >> 8) * (1.0 / 16777216.0) - 0.5;
        B[i] = (double)(lcg_next(&s) >> 8) * (1.0 / 16777216.0) - 0.5;
        C[i] = 0.0;
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < n; k++) {
            double a = A[i * n + k];
            double *crow = &C[i * n];
            const double *brow = &B[k * n];
            for (int j = 0; j < n; j++) crow[j] += a * brow[j];
        }
    }
    double sum = 0.0;
    for (int i = 0; i < n * n; i++) sum += C[i] * (double)(i % 7 + 1);
    return (int)(sum * 1000.0);
}
