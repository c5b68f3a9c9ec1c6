/* Hostile guest: the runtime's fault signals sent by a process (kill, tkill) are the guest's
 * signals, like any other: its handler runs, SIG_IGN ignores them, the default action ends the
 * process by them. The runtime keeps its own handlers: a trap after all that is still a trap.
 *
 * usage: hostile_signals handled|default|ignored-then-trap */
#include "wali_test.h"

static volatile int hits;
static void on_fault(int sig) {
    hits++;
    print_kv("handler", sig);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int pid = (int)wali_sys_getpid();
    if (wali_streq(argv[1], "handled")) {
        MUST(wali_signal(SIGSEGV, on_fault, 0));
        MUST(wali_signal(SIGBUS, on_fault, 0));
        MUST(wali_signal(SIGILL, on_fault, 0));
        MUST(wali_signal(SIGFPE, on_fault, 0));
        SAY(wali_sys_kill(pid, SIGSEGV));
        SAY(wali_sys_kill(pid, SIGBUS));
        SAY(wali_sys_tkill((int)wali_sys_gettid(), SIGILL));
        SAY(wali_sys_kill(pid, SIGFPE));
        SAY(hits);
        return 0;
    }
    if (wali_streq(argv[1], "default")) {
        print("sending\n");
        wali_sys_kill(pid, SIGBUS);
        print("not reached\n");
        return 0;
    }
    /* ignored-then-trap */
    MUST(wali_signal(SIGSEGV, WALI_SIG_IGN, 0));
    SAY(wali_sys_kill(pid, SIGSEGV));
    SAY(wali_sys_kill(pid, SIGSEGV));
    MUST(wali_signal(SIGSEGV, WALI_SIG_DFL, 0));
    print("trapping\n");
    volatile int *bad = (volatile int *)0xFFFFFFF0u;
    return *bad;
}
