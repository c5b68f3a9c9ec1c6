/* Shared by the CGI guests: one parameter of QUERY_STRING, undecoded (the guests that use this
 * only take numbers and plain names). */
#include <stdlib.h>
#include <string.h>

/* The value of `key` in QUERY_STRING (copied into buf), or NULL when absent. */
static const char *query_param(const char *key, char *buf, size_t size) {
    const char *q = getenv("QUERY_STRING");
    size_t klen = strlen(key);
    while (q && *q) {
        const char *end = strchr(q, '&');
        size_t len = end ? (size_t)(end - q) : strlen(q);
        if (len > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
            size_t vlen = len - klen - 1;
            if (vlen >= size) vlen = size - 1;
            memcpy(buf, q + klen + 1, vlen);
            buf[vlen] = 0;
            return buf;
        }
        q = end ? end + 1 : NULL;
    }
    return NULL;
}

/* A numeric parameter clamped to [lo, hi], `dflt` when absent or not a number. */
static long query_long(const char *key, long dflt, long lo, long hi) {
    char buf[32], *end;
    const char *v = query_param(key, buf, sizeof buf);
    if (!v || !*v) return dflt;
    long n = strtol(v, &end, 10);
    if (*end) return dflt;
    return n < lo ? lo : n > hi ? hi : n;
}
