/* CGI guest `json`: an application/json document built from the query string, e.g. for
 * GET /?a=1&b=x   {"method":"GET","query":{"a":"1","b":"x"},"n":2}
 * Names and values are URL-decoded (%XX and '+'); pairs keep their order. A key `fail` makes it
 * answer `Status: 400 Bad Request` with {"error":"fail requested","method":...,"n":...}.
 * Header lines end with CRLF here (the other guests use bare LF: RFC 3875 allows both). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into a new NUL-terminated string. */
static char *url_decode(const char *s, size_t len) {
    char *out = malloc(len + 1), *o = out;
    if (!out) exit(1);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < len && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            *o++ = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = 0;
    return out;
}

static void json_string(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

int main(void) {
    const char *method = getenv("REQUEST_METHOD");
    const char *q = getenv("QUERY_STRING");
    if (!method) method = "";
    if (!q) q = "";

    /* Split into pairs first: the status line depends on whether `fail` is among the keys. */
    size_t cap = 8, n = 0;
    char **keys = malloc(cap * sizeof *keys), **vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) return 1;
    int fail = 0;
    const char *p = q;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            if (n == cap) {
                cap *= 2;
                keys = realloc(keys, cap * sizeof *keys);
                vals = realloc(vals, cap * sizeof *vals);
                if (!keys || !vals) return 1;
            }
            keys[n] = url_decode(p, klen);
            vals[n] = eq ? url_decode(eq + 1, len - klen - 1) : url_decode("", 0);
            if (strcmp(keys[n], "fail") == 0) fail = 1;
            n++;
        }
        p += len;
        if (*p == '&') p++;
    }

    if (fail) {
        fputs("Status: 400 Bad Request\r\nContent-Type: application/json\r\n\r\n", stdout);
        fputs("{\"error\":\"fail requested\",\"method\":", stdout);
        json_string(method);
        printf(",\"n\":%zu}\n", n);
        return 0;
    }
    fputs("Content-Type: application/json\r\n\r\n", stdout);
    fputs("{\"method\":", stdout);
    json_string(method);
    fputs(",\"query\":{", stdout);
    for (size_t i = 0; i < n; i++) {
        if (i) putchar(',');
        json_string(keys[i]);
        putchar(':');
        json_string(vals[i]);
    }
    printf("},\"n\":%zu}\n", n);
    return 0;
}
