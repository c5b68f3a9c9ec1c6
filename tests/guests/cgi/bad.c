/* CGI guest `bad`: a malformed header section (a line without a colon) followed by a body. */
#include <stdio.h>

int main(void) {
    fputs("this is not a header\n\nbody\n", stdout);
    return 0;
}
