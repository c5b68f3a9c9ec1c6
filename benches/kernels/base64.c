/* Byte-level string work: base64-encode a 48 KiB buffer and decode it back, n times, checking the
 * round trip and folding the encoded text into the checksum. */
#include "bench.h"

#define BUF 49152
#define ENC (BUF / 3 * 4)

static uint8_t raw[BUF], back[BUF];
static char enc[ENC];
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static int8_t rev[256];

static void encode(const uint8_t *in, int len, char *out) {
    for (int i = 0, o = 0; i < len; i += 3, o += 4) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o] = alphabet[v >> 18];
        out[o + 1] = alphabet[(v >> 12) & 63];
        out[o + 2] = alphabet[(v >> 6) & 63];
        out[o + 3] = alphabet[v & 63];
    }
}

static int decode(const char *in, int len, uint8_t *out) {
    int o = 0;
    for (int i = 0; i < len; i += 4) {
        int a = rev[(uint8_t)in[i]], b = rev[(uint8_t)in[i + 1]], c = rev[(uint8_t)in[i + 2]],
            d = rev[(uint8_t)in[i + 3]];
        if ((a | b | c | d) < 0) return -1;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    return o;
}

int run(int n) {
    for (int i = 0; i < 256; i++) rev[i] = -1;
    for (int i = 0; i < 64; i++) rev[(uint8_t)alphabet[i]] = (int8_t)i;
    uint32_t s = 777;
    for (int i = 0; i < BUF; i++) raw[i] = (uint8_t)(lcg_next(&s) >> 24);
    uint32_t c = 0;
    for (int r = 0; r < n; r++) {
        encode(raw, BUF, enc);
        if (decode(enc, ENC, back) != BUF) return -1;
        for (int i = 0; i < BUF; i += 512)
            if (back[i] != raw[i]) return -2;
        c = mix32(c, (uint32_t)enc[r % ENC] | (uint32_t)enc[(r * 7919) % ENC] << 8);
        raw[r % BUF] ^= (uint8_t)c;
    }
    return (int)c;
}
