/* CGI guest `echo`: a text/plain response listing the CGI meta-variables it knows (RFC 3875
 * section 4.1) as NAME=value lines (NAME unset when the server did not define it), then every
 * HTTP_* variable of the environment sorted by name, then `body=` followed by the request body
 * read from stdin (CONTENT_LENGTH bytes, or up to end of file when CONTENT_LENGTH is absent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const char *const known[] = {
    "GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_NAME",     "PATH_INFO",   "QUERY_STRING",
    "CONTENT_TYPE",      "CONTENT_LENGTH", "SERVER_PROTOCOL", "SERVER_NAME", "SERVER_PORT",
    "SERVER_SOFTWARE",   "REMOTE_ADDR",
};

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    fputs("Content-Type: text/plain\n\n", stdout);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *v = getenv(known[i]);
        if (v)
            printf("%s=%s\n", known[i], v);
        else
            printf("%s unset\n", known[i]);
    }

    size_t n = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "HTTP_", 5) == 0) n++;
    char **http = malloc((n + 1) * sizeof *http);
    if (!http) return 1;
    n = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "HTTP_", 5) == 0) http[n++] = *e;
    qsort(http, n, sizeof *http, by_name);
    for (size_t i = 0; i < n; i++) printf("%s\n", http[i]);
    free(http);

    const char *cl = getenv("CONTENT_LENGTH");
    long want = cl && *cl ? strtol(cl, NULL, 10) : -1;
    fputs("body=", stdout);
    char buf[4096];
    long got = 0;
    while (want < 0 || got < want) {
        size_t chunk = sizeof buf;
        if (want >= 0 && (long)chunk > want - got) chunk = (size_t)(want - got);
        size_t r = fread(buf, 1, chunk, stdin);
        if (r == 0) break;
        fwrite(buf, 1, r, stdout);
        got += (long)r;
    }
    return 0;
}
