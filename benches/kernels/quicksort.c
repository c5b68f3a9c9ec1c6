/* Quicksort (median of three, insertion sort below 16 elements) of n pseudo-random ints. */
#include "bench.h"

#define MAXN (2 * 1024 * 1024)

static int32_t a[MAXN];

static void insertion(int32_t *v, int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        int32_t x = v[i];
        int j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static inline void swap(int32_t *v, int i, int j) {
    int32_t t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static void quicksort(int32_t *v, int lo, int hi) {
    while (hi - lo >= 16) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        int32_t pivot = v[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap(v, i, j);
                i++;
                j--;
            }
        }
        /* recurse into the smaller half, loop on the larger */
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion(v, lo, hi);
}

int run(int n) {
    if (n > MAXN) n = MAXN;
    uint32_t s = 2024;
    for (int i = 0; i < n; i++) a[i] = (int32_t)lcg_next(&s) >> 4;
    quicksort(a, 0, n - 1);
    uint32_t c = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) return -1; /* not sorted */
        c = c * 31u + (uint32_t)a[i];
    }
    return (int)c;
}
