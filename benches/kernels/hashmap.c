/* An open-addressing hash map (linear probing, 2^20 slots of key/value): n inserts or updates of
 * pseudo-random keys, then 2n lookups (about half hits) and n/4 deletions with backward shift. */
#include "bench.h"

#define CAP (1u << 20)
#define MASK (CAP - 1)

static uint32_t keys[CAP]; /* 0 = empty */
static uint32_t vals[CAP];

static inline uint32_t hash(uint32_t k) {
    k ^= k >> 16;
    k *= 0x7feb352du;
    k ^= k >> 15;
    k *= 0x846ca68bu;
    k ^= k >> 16;
    return k;
}

static void put(uint32_t k, uint32_t v) {
    uint32_t i = hash(k) & MASK;
    while (keys[i] != 0 && keys[i] != k) i = (i + 1) & MASK;
    if (keys[i] == k) {
        vals[i] += v;
    } else {
        keys[i] = k;
        vals[i] = v;
    }
}

static int get(uint32_t k, uint32_t *v) {
    uint32_t i = hash(k) & MASK;
    while (keys[i] != 0) {
        if (keys[i] == k) {
            *v = vals[i];
            return 1;
        }
        i = (i + 1) & MASK;
    }
    return 0;
}

static void del(uint32_t k) {
    uint32_t i = hash(k) & MASK;
    while (keys[i] != k) {
        if (keys[i] == 0) return;
        i = (i + 1) & MASK;
    }
    /* backward-shift deletion keeps probe sequences intact */
    uint32_t j = i;
    for (;;) {
        keys[i] = 0;
        for (;;) {
            j = (j + 1) & MASK;
            if (keys[j] == 0) return;
            uint32_t home = hash(keys[j]) & MASK;
            /* can keys[j] move to i? only if home is not cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) break;
        }
        keys[i] = keys[j];
        vals[i] = vals[j];
        i = j;
    }
}

int run(int n) {
    if (n > (int)(CAP / 2)) n = CAP / 2;
    for (uint32_t i = 0; i < CAP; i++) keys[i] = 0;
    uint32_t s = 31337;
    for (int i = 0; i < n; i++) {
        uint32_t k = (lcg_next(&s) >> 1) % (uint32_t)(n * 2) + 1;
        put(k, (uint32_t)i);
    }
    uint32_t c = 0, hits = 0;
    for (int i = 0; i < 2 * n; i++) {
        uint32_t v;
        uint32_t k = (lcg_next(&s) >> 1) % (uint32_t)(n * 2) + 1;
        if (get(k, &v)) {
            hits++;
            c = mix32(c, v);
        }
    }
    for (int i = 0; i < n / 4; i++) del((lcg_next(&s) >> 1) % (uint32_t)(n * 2) + 1);
    uint32_t left = 0;
    for (uint32_t i = 0; i < CAP; i += 7) left += keys[i] != 0;
    return (int)(c ^ (hits << 4) ^ (left << 20));
}
