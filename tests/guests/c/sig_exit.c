/* A signal handler that ends the process from inside the handler, with its own status.
 *
 * usage: sig_exit MODE
 *   kill     SIGUSR1 sent with kill(); the handler calls exit_group(42)
 *   tkill    SIGUSR2 sent with tkill(); the handler calls exit(43) (single thread: ends the process)
 *   timer    SIGALRM from setitimer while waiting in rt_sigsuspend; handler exit_group(44)
 *   spin     SIGALRM while spinning in a loop without calls; handler exit_group(45)
 *   segv     an out-of-bounds store; the SIGSEGV handler exits 46
 *   fpe      integer division by zero; the SIGFPE handler exits 47
 *   overflow INT_MIN / -1; the SIGFPE handler exits 48
 *   child    a forked child's handler exits 49; the parent reports it
 *   return   the handler returns; main goes on and returns 0
 *   nosegv   an out-of-bounds store without a handler: killed by SIGSEGV
 *   abort    SIGABRT with the default action: killed by SIGABRT
 * Lines printed after the fatal point must never appear. */
#include "wali.h"

static volatile int zero = 0, minus_one = -1, int_min = (int)0x80000000;
static volatile int hits;

static void exit_42(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(42);
}
static void exit_43(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit(43);
}
static void exit_44(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(44);
}
static void exit_45(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(45);
}
static void exit_46(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(46);
}
static void exit_47(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(47);
}
static void exit_48(int sig) {
    print_kv("in handler, sig", sig);
    wali_sys_exit_group(48);
}
static void exit_49(int sig) {
    print_kv("child handler, sig", sig);
    wali_sys_exit_group(49);
}
static void count(int sig) {
    (void)sig;
    hits++;
}

static void arm(long long us) {
    struct wali_itimerval it = {{0, 0}, {us / 1000000, us % 1000000}};
    WALI_CHECK(wali_sys_setitimer(ITIMER_REAL, &it, 0) == 0);
}

/* An address outside wasm32 linear memory (max 2 GiB) and unmapped natively. */
#define OUTSIDE ((volatile int *)(uintptr_t)0xFFFFFFF0u)

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    int pid = (int)wali_sys_getpid();
    print("mode ");
    print(mode);
    print("\n");
    if (wali_streq(mode, "kill")) {
        WALI_CHECK(wali_signal(SIGUSR1, exit_42, 0) == 0);
        wali_sys_kill(pid, SIGUSR1);
    } else if (wali_streq(mode, "tkill")) {
        WALI_CHECK(wali_signal(SIGUSR2, exit_43, 0) == 0);
        wali_sys_tkill((int)wali_sys_gettid(), SIGUSR2);
    } else if (wali_streq(mode, "timer")) {
        WALI_CHECK(wali_signal(SIGALRM, exit_44, 0) == 0);
        arm(10000);
        uint64_t none = 0;
        for (int i = 0; i < 100; i++) wali_sys_rt_sigsuspend(&none, 8);
    } else if (wali_streq(mode, "spin")) {
        WALI_CHECK(wali_signal(SIGALRM, exit_45, 0) == 0);
        arm(10000);
        for (long long i = 0; i < 8000000000LL && !hits; i++) {
        }
    } else if (wali_streq(mode, "segv")) {
        WALI_CHECK(wali_signal(SIGSEGV, exit_46, 0) == 0);
        *OUTSIDE = 1;
    } else if (wali_streq(mode, "fpe")) {
        WALI_CHECK(wali_signal(SIGFPE, exit_47, 0) == 0);
        print_kv("quotient", 10 / zero);
    } else if (wali_streq(mode, "overflow")) {
        WALI_CHECK(wali_signal(SIGFPE, exit_48, 0) == 0);
        print_kv("quotient", int_min / minus_one);
    } else if (wali_streq(mode, "child")) {
        WALI_CHECK(wali_signal(SIGUSR1, exit_49, 0) == 0);
        long long c = wali_sys_fork();
        if (c == 0) {
            wali_sys_kill((int)wali_sys_getpid(), SIGUSR1);
            print("child: not reached\n");
            wali_sys_exit_group(1);
        }
        int st = 0;
        WALI_CHECK(wali_sys_wait4((int)c, &st, 0, 0) == c);
        print_kv("child exited", WALI_WIFEXITED(st));
        print_kv("child status", WALI_WEXITSTATUS(st));
        return 0;
    } else if (wali_streq(mode, "return")) {
        WALI_CHECK(wali_signal(SIGTERM, count, 0) == 0);
        wali_sys_kill(pid, SIGTERM);
        print_kv("handler returned, hits", hits);
        return 0;
    } else if (wali_streq(mode, "nosegv")) {
        *OUTSIDE = 1;
    } else if (wali_streq(mode, "abort")) {
        wali_sys_kill(pid, SIGABRT);
    } else {
        print("unknown mode\n");
        return 2;
    }
    print("not reached\n");
    return 1;
}
