/* memcpy / memmove / memset heavy code: n rounds of block copies of sizes 8 B .. 16 KiB between
 * pseudo-random offsets of a 4 MiB buffer, overlapping moves and fills, plus a small checksum. */
#include "bench.h"

#define BUF (4 * 1024 * 1024)
#define MAXBLK 16384

static uint8_t buf[BUF + 2 * MAXBLK];

int run(int n) {
    uint32_t s = 4242;
    for (int i = 0; i < BUF; i += 4) {
        uint32_t v = lcg_next(&s);
        __builtin_memcpy(&buf[i], &v, 4);
    }
    uint32_t c = 0;
    for (int r = 0; r < n; r++) {
        uint32_t x = lcg_next(&s);
        uint32_t size = 8u << ((x >> 4) % 12); /* 8 .. 16384 */
        size += (x >> 20) & 7;
        /* copies go from the lower half to the upper half: never overlapping, so memcpy is
         * well defined (wasm's memory.copy is a memmove) */
        uint32_t src = lcg_next(&s) % (BUF / 2 - 2 * MAXBLK);
        uint32_t dst = BUF / 2 + lcg_next(&s) % (BUF / 2);
        switch (x & 3) {
        case 0:
        case 1: __builtin_memcpy(&buf[dst], &buf[src], size); break;
        case 2: __builtin_memmove(&buf[src], &buf[src + (size >> 1)], size >> 1); break;
        default: __builtin_memset(&buf[src + (x & 64)], (int)(x >> 24), size); break;
        }
        c = mix32(c, buf[(dst + size / 2) % BUF]);
    }
    for (int i = 0; i < BUF; i += 4093) c = mix32(c, buf[i]);
    return (int)c;
}
