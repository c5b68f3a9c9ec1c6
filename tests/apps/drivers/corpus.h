/* A deterministic, compressible test corpus shared by the zstd and zlib drivers: pseudo-English
 * words from a fixed list chosen by a 64-bit LCG, with numbers and line breaks, so compression
 * ratios are realistic and every build produces the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void corpus_fill(unsigned char *out, size_t len, uint64_t seed) {
    static const char *words[] = {"the", "of", "and", "compress", "window", "match", "literal", "huffman",
                                  "entropy", "block", "stream", "frame", "dictionary", "offset", "length",
                                  "table", "symbol", "bits", "checksum", "level", "fast", "lazy", "greedy",
                                  "optimal", "wasm", "linux", "syscall", "memory", "page", "thread"};
    uint64_t x = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t i = 0, col = 0;
    while (i < len) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        const char *w = words[(x >> 33) % (sizeof words / sizeof *words)];
        char num[24];
        if (((x >> 20) & 15) == 0) {
            int n = 0;
            unsigned v = (unsigned)(x >> 40) % 100000;
            do num[n++] = (char)('0' + v % 10), v /= 10; while (v);
            num[n] = 0;
            w = num;
        }
        for (const char *c = w; *c && i < len; c++, col++) out[i++] = (unsigned char)*c;
        if (i < len) out[i++] = col > 70 ? '\n' : ' ';
        if (col > 70) col = 0;
    }
}
