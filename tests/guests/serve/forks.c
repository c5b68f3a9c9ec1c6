/* Serve guest `forks` (hostile): forks `n` children (query n=, default 16, at most 256) that
 * sleep forever, writes a complete CGI head and a line naming how many forks succeeded, then
 * sleeps forever itself. A server must end it at its deadline together with every child: they
 * all stay in the request's process group. */
#include <stdio.h>
#include <unistd.h>

#include "../cgi/query.h"

int main(void) {
    long n = query_long("n", 16, 0, 256);
    long forked = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;) pause();
        }
        if (pid > 0) forked++;
    }
    printf("Content-Type: text/plain\n\nforked %ld\n", forked);
    fflush(stdout);
    for (;;) pause();
}
