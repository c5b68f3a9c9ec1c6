/* The instance-sandbox guest (tests/tests/wali_sandbox.rs): argv[1] picks what it does. Each
 * mode prints what the test asserts; the sandbox's fd 0 is the request body, fd 1 the response. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int counter;
static void *volatile bomb_list;

/* Unbounded recursion, on purpose. */
#pragma clang diagnostic ignored "-Winfinite-recursion"
static int recurse(volatile int depth) {
    volatile char pad[256];
    pad[0] = (char)depth;
    return recurse(depth + 1) + pad[0];
}

static void report(const char *what, long r) {
    printf("%s: %ld %d\n", what, r, r < 0 ? errno : 0);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "echo";
    if (!strcmp(mode, "echo")) {
        printf("argc=%d", argc);
        for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
        const char *v = getenv("SANDBOX_VAR");
        printf("\nSANDBOX_VAR=%s\n", v ? v : "(unset)");
        char buf[256];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
        fprintf(stderr, "echo done\n");
        return 0;
    }
    if (!strcmp(mode, "exit3")) {
        printf("exiting with 3\n");
        exit(3);
    }
    if (!strcmp(mode, "ret0")) {
        printf("returning 0\n");
        return 0;
    }
    if (!strcmp(mode, "trap")) {
        printf("trapping\n");
        fflush(stdout);
        __builtin_trap();
    }
    if (!strcmp(mode, "spin")) {
        volatile unsigned long n = 0;
        for (;;) n++;
    }
    if (!strcmp(mode, "sleep")) {
        printf("sleeping\n");
        fflush(stdout);
        sleep(100);
        printf("woke up\n");
        return 0;
    }
    if (!strcmp(mode, "bomb")) {
        /* The blocks stay reachable (a list from a volatile global), or the compiler drops the
         * allocations altogether. */
        size_t mib = 0;
        for (;;) {
            void **p = malloc(1 << 20);
            if (!p) break;
            memset(p, 1, 1 << 20);
            *p = (void *)bomb_list;
            bomb_list = p;
            mib++;
            if (mib > 4096) break;
        }
        printf("malloc failed after %zu MiB\n", mib);
        return 0;
    }
    if (!strcmp(mode, "deny")) {
        report("open", open("/etc/passwd", O_RDONLY));
        report("openat", openat(AT_FDCWD, "/etc/passwd", O_RDONLY));
        report("socket", socket(AF_INET, SOCK_STREAM, 0));
        report("kill", kill(getppid(), SIGKILL));
        char *args[] = {"/bin/sh", "-c", "true", NULL};
        report("execve", execve("/bin/sh", args, args + 3));
        report("fork", fork());
        report("unlink", unlink("/tmp/x"));
        report("chdir", chdir("/"));
        FILE *f = fopen("/etc/hostname", "r");
        printf("fopen: %s %d\n", f ? "opened" : "NULL", f ? 0 : errno);
        return 0;
    }
    if (!strcmp(mode, "counter")) {
        counter++;
        printf("counter=%d\n", counter);
        return 0;
    }
    if (!strcmp(mode, "env")) {
        for (char **e = environ; e && *e; e++) printf("%s\n", *e);
        return 0;
    }
    if (!strcmp(mode, "misc")) {
        report("lseek", lseek(0, 0, SEEK_CUR));
        struct stat st;
        report("fstat", fstat(1, &st));
        printf("fifo: %d\n", S_ISFIFO(st.st_mode));
        struct winsize ws;
        report("ioctl", ioctl(1, TIOCGWINSZ, &ws));
        printf("pid: %d\n", (int)getpid());
        struct utsname u;
        report("uname", uname(&u));
        printf("sysname: %s\n", u.sysname);
        printf("time ok: %d\n", time(NULL) > 1600000000);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        struct timespec d = {0, 20 * 1000 * 1000};
        report("nanosleep", nanosleep(&d, NULL));
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        printf("slept enough: %d\n", ms >= 19);
        unsigned char r[32];
        report("getrandom", getrandom(r, sizeof r, 0));
        int nonzero = 0;
        for (int i = 0; i < 32; i++) nonzero |= r[i];
        printf("random nonzero: %d\n", nonzero != 0);
        report("bad pointer write", write(1, (void *)0xfffffff0, 64));
        report("close 0", close(0));
        report("read closed", read(0, r, 1));
        char *big = malloc(10 << 20);
        printf("big malloc: %s\n", big ? "ok" : "NULL");
        if (big) {
            memset(big, 7, 10 << 20);
            big = realloc(big, 20 << 20);
            printf("realloc: %s %d\n", big ? "ok" : "NULL", big ? big[(10 << 20) - 1] : -1);
            free(big);
        }
        return 0;
    }
    if (!strcmp(mode, "recurse")) return recurse(0);
    if (!strcmp(mode, "epipe")) {
        /* The test's stdout fails: the guest sees EPIPE, and says so on stderr. */
        long r = write(1, "x", 1);
        fprintf(stderr, "write: %ld %d\n", r, r < 0 ? errno : 0);
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
