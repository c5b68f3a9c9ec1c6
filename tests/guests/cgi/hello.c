/* CGI guest `hello`: the minimal CGI program (the serve benchmark's baseline). */
#include <stdio.h>

int main(void) {
    fputs("Content-Type: text/plain\n\nHello, world!\n", stdout);
    return 0;
}
