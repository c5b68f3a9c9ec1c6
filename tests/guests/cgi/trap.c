/* CGI guest `trap`: writes (and flushes) one header line, then traps before the blank line that
 * would end the header section. A server must answer 502 (natively: the process dies of SIGILL). */
#include <stdio.h>

int main(void) {
    fputs("Content-Type: text/plain\n", stdout);
    fflush(stdout);
    __builtin_trap();
}
