/* CRC-32 (IEEE, reflected, byte-wise table) of a 64 KiB buffer, n times, chaining the CRC. */
#include "bench.h"

#define BUF 65536

static uint8_t buf[BUF];
static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t len) {
    crc = ~crc;
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int run(int n) {
    make_table();
    uint32_t s = 99;
    for (int i = 0; i < BUF; i++) buf[i] = (uint8_t)(lcg_next(&s) >> 24);
    uint32_t crc = 0;
    for (int r = 0; r < n; r++) {
        crc = crc32(crc, buf, BUF);
        buf[r % BUF] ^= (uint8_t)crc;
    }
    return (int)crc;
}
