/* Our zstd driver (one-shot API on whole files):
 *   zstd c LEVEL IN OUT    compress IN to OUT
 *   zstd d IN OUT          decompress IN to OUT (the frame must record its content size)
 *   zstd gen BYTES OUT     write the deterministic test corpus (corpus.h)
 *   zstd bench LEVEL BYTES ROUNDS   compress+decompress the corpus in memory ROUNDS times, check
 *                          the round trip, print sizes and a checksum (no file I/O: the benchmark)
 * Errors print `error: ...` on stderr and exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zstd.h"
#include "corpus.h"

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static int write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t put = fwrite(data, 1, len, f);
    return fclose(f) == 0 && put == len ? 0 : -1;
}

static int fail(const char *what, const char *detail) {
    fflush(stdout);
    fprintf(stderr, "error: %s: %s\n", what, detail);
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 5 && !strcmp(argv[1], "c")) {
        size_t len;
        unsigned char *in = read_file(argv[3], &len);
        if (!in) return fail("cannot read", argv[3]);
        size_t cap = ZSTD_compressBound(len);
        void *out = malloc(cap);
        size_t n = ZSTD_compress(out, cap, in, len, atoi(argv[2]));
        if (ZSTD_isError(n)) return fail("compress", ZSTD_getErrorName(n));
        if (write_file(argv[4], out, n)) return fail("cannot write", argv[4]);
        printf("%zu -> %zu\n", len, n);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "d")) {
        size_t len;
        unsigned char *in = read_file(argv[2], &len);
        if (!in) return fail("cannot read", argv[2]);
        unsigned long long size = ZSTD_getFrameContentSize(in, len);
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return fail(argv[2], "not a zstd frame with a size");
        void *out = malloc(size ? size : 1);
        size_t n = ZSTD_decompress(out, size, in, len);
        if (ZSTD_isError(n)) return fail("decompress", ZSTD_getErrorName(n));
        if (write_file(argv[3], out, n)) return fail("cannot write", argv[3]);
        printf("%zu -> %zu\n", len, n);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "gen")) {
        size_t len = strtoul(argv[2], NULL, 10);
        unsigned char *buf = malloc(len ? len : 1);
        corpus_fill(buf, len, 1);
        if (write_file(argv[3], buf, len)) return fail("cannot write", argv[3]);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "bench")) {
        int level = atoi(argv[2]);
        size_t len = strtoul(argv[3], NULL, 10);
        int rounds = atoi(argv[4]);
        unsigned char *in = malloc(len), *back = malloc(len);
        corpus_fill(in, len, 1);
        size_t cap = ZSTD_compressBound(len);
        unsigned char *out = malloc(cap);
        size_t n = 0;
        unsigned sum = 0;
        for (int r = 0; r < rounds; r++) {
            n = ZSTD_compress(out, cap, in, len, level);
            if (ZSTD_isError(n)) return fail("compress", ZSTD_getErrorName(n));
            size_t m = ZSTD_decompress(back, len, out, n);
            if (ZSTD_isError(m) || m != len || memcmp(in, back, len)) return fail("round trip", "mismatch");
            for (size_t i = 0; i < n; i += 64) sum = sum * 31 + out[i];
        }
        printf("level %d: %zu -> %zu checksum %08x\n", level, len, n, sum);
        return 0;
    }
    fprintf(stderr, "usage: zstd c LEVEL IN OUT | d IN OUT | gen BYTES OUT | bench LEVEL BYTES ROUNDS\n");
    return 2;
}
