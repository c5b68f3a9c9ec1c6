/* stdio buffering and what reaches the file or pipe when the program ends.
 *   stdio_exit return   - printf without a flush, then return from main (native: exit() flushes)
 *   stdio_exit exit     - printf without a flush, then exit(3)
 *   stdio_exit _exit    - printf without a flush, then _exit(4): the buffer is lost everywhere
 *   stdio_exit atexit   - an atexit handler prints after main returned
 *   stdio_exit modes    - setvbuf modes, fflush, ungetc, fseek/ftell, files, stderr interleaving */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void bye(void) { printf("atexit handler ran\n"); }

static int modes(void) {
    /* Full buffering on a file: nothing reaches the file before fflush. */
    FILE *f = fopen("buffered.txt", "w");
    if (!f) return perror("fopen"), 1;
    static char buf[256];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fputs("abc", f);
    FILE *r = fopen("buffered.txt", "r");
    fseek(r, 0, SEEK_END);
    printf("size before fflush=%ld\n", ftell(r));
    fflush(f);
    fseek(r, 0, SEEK_END);
    printf("size after fflush=%ld\n", ftell(r));
    /* A write larger than the buffer: at least part goes through before any flush. */
    char big[1000];
    memset(big, 'x', sizeof big);
    fwrite(big, 1, sizeof big, f);
    fseek(r, 0, SEEK_END);
    printf("big write partly through=%d\n", ftell(r) > 3);
    fflush(f);
    fseek(r, 0, SEEK_END);
    printf("size after big write and fflush=%ld\n", ftell(r));
    fclose(f);
    fclose(r);

    /* Line buffering: the newline flushes. */
    f = fopen("line.txt", "w");
    setvbuf(f, NULL, _IOLBF, 128);
    r = fopen("line.txt", "r");
    fputs("no newline", f);
    fseek(r, 0, SEEK_END);
    printf("line: before newline=%ld\n", ftell(r));
    fputs(" then\n", f);
    fseek(r, 0, SEEK_END);
    printf("line: after newline=%ld\n", ftell(r));
    fclose(f);

    /* Unbuffered. */
    f = fopen("unbuf.txt", "w");
    setvbuf(f, NULL, _IONBF, 0);
    fputc('z', f);
    fseek(r, 0, SEEK_SET);
    FILE *u = fopen("unbuf.txt", "r");
    printf("unbuffered char visible=%d\n", fgetc(u) == 'z');
    fclose(u);
    fclose(f);
    fclose(r);

    /* Reading: fgets, ungetc, fscanf, fseek/ftell, feof. */
    f = fopen("data.txt", "w+");
    fprintf(f, "12 apples\n%d %s\n3.5\n", -7, "pears");
    rewind(f);
    char line[64];
    fgets(line, sizeof line, f);
    printf("fgets=%s", line);
    int c = fgetc(f);
    ungetc(c, f);
    int n;
    char word[16];
    double d;
    int got = fscanf(f, "%d %15s %lf", &n, word, &d);
    printf("fscanf=%d n=%d word=%s d=%.2f tell=%ld\n", got, n, word, d, ftell(f));
    fgetc(f);
    printf("eof=%d\n", fgetc(f) == EOF && feof(f));
    fclose(f);
    remove("buffered.txt");
    remove("line.txt");
    remove("unbuf.txt");
    remove("data.txt");

    /* snprintf corner cases. */
    char s[8];
    const char *six = getenv("NO_SUCH_VARIABLE") ? "" : "abcdef";
    int w = snprintf(s, sizeof s, "%s-%05d", six, 42);
    printf("snprintf=%d '%s' %x %o %e %g\n", w, s, 255, 8, 1234.5, 0.0001);
    printf("%-6s|%6.2f|%+d|%lld|%zu\n", "ab", 3.14159, 5, -9000000000LL, sizeof(int));
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "return";
    if (!strcmp(mode, "modes")) return modes();
    if (!strcmp(mode, "atexit")) atexit(bye);
    /* Fully buffered whatever stdout is (glibc and musl differ on when a pipe's first line goes). */
    setvbuf(stdout, NULL, _IOFBF, 4096);
    printf("unflushed line one\nunflushed tail without newline");
    fprintf(stderr, "stderr is unbuffered\n");
    if (!strcmp(mode, "exit")) exit(3);
    if (!strcmp(mode, "_exit")) _exit(4);
    return 5;
}
