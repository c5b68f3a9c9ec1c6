/* Syscall cost from inside a WALI guest: times N calls each of getpid, clock_gettime, a 1-byte
 * read from /dev/zero and a 1-byte write to /dev/null with CLOCK_MONOTONIC, and prints one line
 *   <name> <total ns> <calls>
 * per syscall. Built to wasm (benches/build-wasm.sh, run with `cwali run syscalls.wasm N`) and
 * natively from the same source through wali.h's shims (benches/build.rs).
 *
 * usage: syscalls N */
#include "wali.h"

static long long now_ns(void) {
    struct wali_timespec t;
    wali_sys_clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long parse(const char *s) {
    long long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

static void report(const char *name, long long t0, long long t1, long long n) {
    print(name);
    print_char(' ');
    print_int(t1 - t0);
    print_char(' ');
    print_int(n);
    print_char('\n');
}

int main(int argc, char **argv) {
    long long n = argc > 1 ? parse(argv[1]) : 1000000;
    if (n < 1) n = 1;
    int zero = (int)wali_sys_openat(AT_FDCWD, "/dev/zero", O_RDONLY, 0);
    int null = (int)wali_sys_openat(AT_FDCWD, "/dev/null", O_WRONLY, 0);
    WALI_CHECK(zero >= 0 && null >= 0);
    long long sink = 0;
    char byte = 1;
    struct wali_timespec ts;

    /* warm-up: page in code and buffers */
    for (long long i = 0; i < n / 10 + 1; i++) sink += wali_sys_getpid();

    long long t0 = now_ns();
    for (long long i = 0; i < n; i++) sink += wali_sys_getpid();
    long long t1 = now_ns();
    report("getpid", t0, t1, n);

    t0 = now_ns();
    for (long long i = 0; i < n; i++) sink += wali_sys_clock_gettime(CLOCK_MONOTONIC, &ts) + ts.tv_nsec;
    t1 = now_ns();
    report("clock_gettime", t0, t1, n);

    t0 = now_ns();
    for (long long i = 0; i < n; i++) sink += wali_sys_read(zero, &byte, 1) + byte;
    t1 = now_ns();
    report("read_devzero", t0, t1, n);

    t0 = now_ns();
    for (long long i = 0; i < n; i++) sink += wali_sys_write(null, &byte, 1);
    t1 = now_ns();
    report("write_devnull", t0, t1, n);

    /* the sum of the results keeps the loops honest; print it on stderr */
    fprint(2, "sink ");
    fprint_int(2, sink);
    fprint(2, "\n");
    return 0;
}
