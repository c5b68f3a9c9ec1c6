/* Our zlib driver (streaming deflate/inflate through 16 KiB buffers, as zlib's own examples do):
 *   zlib c LEVEL IN OUT    deflate IN to OUT (zlib format), print sizes and the adler32/crc32
 *   zlib d IN OUT          inflate IN to OUT
 *   zlib bench LEVEL BYTES ROUNDS   deflate+inflate the corpus in memory ROUNDS times
 * Errors print `error: ...` on stderr and exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"
#include "corpus.h"

#define CHUNK 16384

static int fail(const char *what, const char *detail) {
    fflush(stdout);
    fprintf(stderr, "error: %s: %s\n", what, detail ? detail : "?");
    return 1;
}

static int deflate_file(FILE *in, FILE *out, int level, unsigned long *n_in, unsigned long *n_out,
                        unsigned long *adler, unsigned long *crc) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit(&s, level) != Z_OK) return -1;
    unsigned char ib[CHUNK], ob[CHUNK];
    int flush;
    *crc = crc32(0L, Z_NULL, 0);
    do {
        s.avail_in = (uInt)fread(ib, 1, CHUNK, in);
        if (ferror(in)) return -1;
        *crc = crc32(*crc, ib, s.avail_in);
        flush = feof(in) ? Z_FINISH : Z_NO_FLUSH;
        s.next_in = ib;
        do {
            s.avail_out = CHUNK;
            s.next_out = ob;
            deflate(&s, flush);
            fwrite(ob, 1, CHUNK - s.avail_out, out);
        } while (s.avail_out == 0);
    } while (flush != Z_FINISH);
    *n_in = s.total_in;
    *n_out = s.total_out;
    *adler = s.adler;
    deflateEnd(&s);
    return 0;
}

static int inflate_file(FILE *in, FILE *out, unsigned long *n_in, unsigned long *n_out, const char **msg) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit(&s) != Z_OK) return -1;
    unsigned char ib[CHUNK], ob[CHUNK];
    int ret = Z_OK;
    do {
        s.avail_in = (uInt)fread(ib, 1, CHUNK, in);
        if (s.avail_in == 0) break;
        s.next_in = ib;
        do {
            s.avail_out = CHUNK;
            s.next_out = ob;
            ret = inflate(&s, Z_NO_FLUSH);
            if (ret == Z_NEED_DICT || ret == Z_DATA_ERROR || ret == Z_MEM_ERROR) {
                *msg = s.msg;
                inflateEnd(&s);
                return -1;
            }
            fwrite(ob, 1, CHUNK - s.avail_out, out);
        } while (s.avail_out == 0);
    } while (ret != Z_STREAM_END);
    *n_in = s.total_in;
    *n_out = s.total_out;
    inflateEnd(&s);
    if (ret != Z_STREAM_END) {
        *msg = "truncated stream";
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if ((argc == 5 && !strcmp(argv[1], "c")) || (argc == 4 && !strcmp(argv[1], "d"))) {
        int compress = argv[1][0] == 'c';
        const char *ip = argv[compress ? 3 : 2], *op = argv[compress ? 4 : 3];
        FILE *in = fopen(ip, "rb");
        if (!in) return fail("cannot read", ip);
        FILE *out = fopen(op, "wb");
        if (!out) return fail("cannot write", op);
        unsigned long n_in, n_out, adler, crc;
        const char *msg = NULL;
        int r = compress ? deflate_file(in, out, atoi(argv[2]), &n_in, &n_out, &adler, &crc)
                         : inflate_file(in, out, &n_in, &n_out, &msg);
        fclose(in);
        if (fclose(out) != 0 || r != 0) return fail(compress ? "deflate" : "inflate", msg);
        if (compress) printf("%lu -> %lu adler32 %08lx crc32 %08lx\n", n_in, n_out, adler, crc);
        else printf("%lu -> %lu\n", n_in, n_out);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "bench")) {
        int level = atoi(argv[2]);
        uLong len = strtoul(argv[3], NULL, 10);
        int rounds = atoi(argv[4]);
        unsigned char *in = malloc(len), *back = malloc(len);
        corpus_fill(in, len, 2);
        uLong cap = compressBound(len);
        unsigned char *out = malloc(cap);
        uLongf n = 0;
        for (int r = 0; r < rounds; r++) {
            n = cap;
            if (compress2(out, &n, in, len, level) != Z_OK) return fail("compress2", NULL);
            uLongf m = len;
            if (uncompress(back, &m, out, n) != Z_OK || m != len || memcmp(in, back, len)) return fail("round trip", "mismatch");
        }
        printf("level %d: %lu -> %lu crc32 %08lx\n", level, len, (unsigned long)n, crc32(0, out, (uInt)n));
        return 0;
    }
    fprintf(stderr, "usage: zlib c LEVEL IN OUT | d IN OUT | bench LEVEL BYTES ROUNDS\n");
    return 2;
}
