/* CGI guest `stream`: a text/plain response without Content-Length, written as `n` lines
 * (query n=, default 5, at most 10000) each flushed on its own, with `delay` milliseconds
 * (query delay=, default 50, at most 10000) between them, so a client can watch the chunks arrive. */
#include <stdio.h>
#include <time.h>

#include "query.h"

int main(void) {
    long n = query_long("n", 5, 0, 10000);
    long delay = query_long("delay", 50, 0, 10000);
    fputs("Content-Type: text/plain\n\n", stdout);
    fflush(stdout);
    for (long i = 0; i < n; i++) {
        if (i > 0 && delay > 0) {
            struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};
            while (nanosleep(&ts, &ts) != 0) {
            }
        }
        printf("chunk %ld of %ld\n", i + 1, n);
        fflush(stdout);
    }
    return 0;
}
