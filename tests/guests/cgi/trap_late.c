/* CGI guest `trap_late`: a complete header section and part of the body, flushed, then a trap.
 * What a server can still do depends on whether it already sent the response head. */
#include <stdio.h>

int main(void) {
    fputs("Content-Type: text/plain\n\npartial body\n", stdout);
    fflush(stdout);
    __builtin_trap();
}
