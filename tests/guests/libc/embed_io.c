/* For the embedding API's captured stdio: upper-cases stdin to stdout, reports on stderr,
 * greets with argv[1] and $GREETING, exits with the status given as argv[2]. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *who = argc > 1 ? argv[1] : "nobody";
    const char *greeting = getenv("GREETING");
    printf("%s, %s\n", greeting ? greeting : "(no greeting)", who);
    long n = 0;
    int c;
    while ((c = getchar()) != EOF) {
        putchar(toupper(c));
        n++;
    }
    fprintf(stderr, "read %ld bytes\n", n);
    return argc > 2 ? atoi(argv[2]) : 0;
}
