/* rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, rt_sigreturn, sigaltstack, kill, tkill:
 * success and error paths, and the delivery timing programs rely on: a signal a thread sends to
 * itself (kill/tkill) or unblocks has been handled when that call returns.
 *
 * Portability: handlers are installed with wali_signal() (natively it adds the SA_RESTORER
 * trampoline the x86_64 kernel needs); SIG_IGN is written WALI_SIG_IGN (-2 in WALI, 1 natively).
 * Masks are printed restricted to the application signals the test uses, because WALI keeps
 * the runtime's fault signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE) out of every guest mask.
 *
 * usage: sig_basic [tkill-pid]   (the second form: a known divergence, see wali_signals.rs) */
#include "wali.h"

#define BIT(s) (1ULL << ((s) - 1))
#define SHOWN (BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGTERM) | BIT(SIGALRM) | BIT(SIGCHLD))

static volatile int usr1_hits, usr2_hits, info_hits, rt_hits, last_sig;

static void on_usr1(int sig) {
    usr1_hits++;
    last_sig = sig;
}
static void on_usr2(int sig) {
    usr2_hits++;
    last_sig = sig;
}
static void on_rt(int sig) {
    (void)sig;
    rt_hits++;
}
static void on_info(int sig, void *info, void *ctx) {
    (void)info;
    (void)ctx;
    info_hits++;
    last_sig = sig;
}

/* a handler that raises its own signal and one in its sa_mask */
static volatile int nest_depth, nest_max, nest_hits, nest_pid, nest_other;
static void nesting(int sig) {
    (void)sig;
    nest_depth++;
    if (nest_depth > nest_max) nest_max = nest_depth;
    if (++nest_hits == 1) {
        wali_sys_kill(nest_pid, SIGUSR1);
        print_kv("in handler: own signal deferred, hits", nest_hits);
        wali_sys_kill(nest_pid, SIGUSR2);
        print_kv("in handler: sa_mask signal deferred, other", nest_other);
    }
    nest_depth--;
}
static void other(int sig) {
    (void)sig;
    nest_other++;
}

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static void show_mask(const char *what, uint64_t m) {
    print(what);
    print("=");
    print_hex(m & SHOWN);
    print("\n");
}

static uint64_t current_mask(void) {
    uint64_t old = 0;
    WALI_CHECK(wali_sys_rt_sigprocmask(SIG_BLOCK, 0, &old, 8) == 0);
    return old;
}

static long long set_mask(int how, uint64_t m, uint64_t *old) {
    return wali_sys_rt_sigprocmask(how, &m, old, 8);
}

static void *BAD = (void *)(uintptr_t)0xFFFFFFF0u;

/* The main thread's tid is the process id natively; tkill(getpid()) signals the main thread. */
static void tkill_pid(void) {
    WALI_CHECK(wali_signal(SIGUSR1, on_usr1, 0) == 0);
    print_kv("main thread's tid is the pid", wali_sys_gettid() == wali_sys_getpid());
    show("tkill(getpid())", wali_sys_tkill((int)wali_sys_getpid(), SIGUSR1));
    struct wali_timespec ts = {0, 50000000};
    wali_sys_nanosleep(&ts, 0);
    print_kv("handled", usr1_hits);
}

int main(int argc, char **argv) {
    if (argc > 1 && wali_streq(argv[1], "tkill-pid")) {
        tkill_pid();
        return 0;
    }
    int pid = (int)wali_sys_getpid();
    int tid = (int)wali_sys_gettid();
    struct wali_k_sigaction old;

    /* --- rt_sigaction --- */
    wali_memset(&old, 0, sizeof old);
    show("query usr1", wali_sys_rt_sigaction(SIGUSR1, 0, &old, 8));
    print_kv("usr1 default", old.handler == WALI_SIG_DFL);
    show("install usr1", wali_signal(SIGUSR1, on_usr1, SA_RESTART));
    show("kill self usr1", wali_sys_kill(pid, SIGUSR1));
    print_kv("handled before kill returned", usr1_hits);
    print_kv("handler got signo", last_sig);

    wali_memset(&old, 0, sizeof old);
    show("query usr1 again", wali_sys_rt_sigaction(SIGUSR1, 0, &old, 8));
    print_kv("same handler", old.handler == on_usr1);
    print_kv("SA_RESTART kept", (old.flags & SA_RESTART) != 0);

    /* sa_mask round trip */
    struct wali_k_sigaction act;
    wali_memset(&act, 0, sizeof act);
    act.handler = on_usr2;
    act.flags = 0;
    act.mask[0] = (uint32_t)BIT(SIGTERM);
#if !defined(__wasm__)
    act.flags |= SA_RESTORER;
    act.restorer = wali__restore_rt;
#endif
    show("install usr2 with mask", wali_sys_rt_sigaction(SIGUSR2, &act, 0, 8));
    wali_memset(&old, 0, sizeof old);
    show("query usr2", wali_sys_rt_sigaction(SIGUSR2, 0, &old, 8));
    print_kv("usr2 mask has TERM", (old.mask[0] & BIT(SIGTERM)) != 0);
    print_kv("usr2 handler", old.handler == on_usr2);

    /* SIG_IGN */
    show("ignore usr2", wali_signal(SIGUSR2, WALI_SIG_IGN, 0));
    show("kill self usr2 (ignored)", wali_sys_kill(pid, SIGUSR2));
    print_kv("usr2 hits", usr2_hits);
    wali_memset(&old, 0, sizeof old);
    wali_sys_rt_sigaction(SIGUSR2, 0, &old, 8);
    print_kv("usr2 reads back SIG_IGN", old.handler == WALI_SIG_IGN);

    /* errors */
    show("sigaction SIGKILL", wali_signal(SIGKILL, on_usr1, 0));
    show("sigaction SIGSTOP", wali_signal(SIGSTOP, on_usr1, 0));
    show("sigaction sig 0", wali_signal(0, on_usr1, 0));
    show("sigaction sig 65", wali_signal(65, on_usr1, 0));
    show("sigaction setsize 128", wali_sys_rt_sigaction(SIGUSR1, 0, &old, 128));
    show("sigaction bad act", wali_sys_rt_sigaction(SIGUSR1, BAD, 0, 8));
    show("sigaction bad oldact", wali_sys_rt_sigaction(SIGUSR1, 0, BAD, 8));
    show("query SIGKILL", wali_sys_rt_sigaction(SIGKILL, 0, &old, 8));

    /* SA_SIGINFO handler (three parameters): only the signal number is looked at */
    show("install info handler", wali_signal(SIGALRM, (void (*)(int))on_info, SA_SIGINFO));
    show("kill self alrm", wali_sys_kill(pid, SIGALRM));
    print_kv("info hits", info_hits);
    print_kv("info signo", last_sig);

    /* SA_RESETHAND: one delivery, then back to SIG_DFL */
    show("install usr2 resethand", wali_signal(SIGUSR2, on_usr2, SA_RESETHAND));
    show("kill self usr2", wali_sys_kill(pid, SIGUSR2));
    print_kv("usr2 hits", usr2_hits);
    wali_memset(&old, 0, sizeof old);
    wali_sys_rt_sigaction(SIGUSR2, 0, &old, 8);
    print_kv("usr2 reset to default", old.handler == WALI_SIG_DFL);

    /* while a handler runs, its signal (unless SA_NODEFER) and its sa_mask are blocked; the mask
     * comes back when it returns */
    nest_pid = pid;
    wali_memset(&act, 0, sizeof act);
    act.handler = nesting;
    act.mask[0] = (uint32_t)BIT(SIGUSR2);
#if !defined(__wasm__)
    act.flags |= SA_RESTORER;
    act.restorer = wali__restore_rt;
#endif
    show("install nesting", wali_sys_rt_sigaction(SIGUSR1, &act, 0, 8));
    show("install other", wali_signal(SIGUSR2, other, 0));
    show("kill self usr1 (nesting)", wali_sys_kill(pid, SIGUSR1));
    print_kv("nesting hits", nest_hits);
    print_kv("nesting max depth", nest_max);
    print_kv("other hits", nest_other);
    show_mask("mask after handlers", current_mask());
    nest_hits = nest_max = 0;
    show("install nesting SA_NODEFER", wali_signal(SIGUSR1, nesting, SA_NODEFER));
    show("kill self usr1 (nodefer)", wali_sys_kill(pid, SIGUSR1));
    print_kv("nodefer hits", nest_hits);
    print_kv("nodefer max depth", nest_max);
    show("restore usr1 handler", wali_signal(SIGUSR1, on_usr1, SA_RESTART));
    show("usr2 default", wali_signal(SIGUSR2, WALI_SIG_DFL, 0));

    /* --- rt_sigprocmask, rt_sigpending --- */
    uint64_t prev = ~0ULL;
    show("block usr1", set_mask(SIG_BLOCK, BIT(SIGUSR1), &prev));
    show_mask("mask before", prev);
    show_mask("mask now", current_mask());
    int before = usr1_hits;
    show("kill self usr1 (blocked)", wali_sys_kill(pid, SIGUSR1));
    print_kv("not handled while blocked", usr1_hits == before);
    uint64_t pend = 0;
    show("sigpending", wali_sys_rt_sigpending(&pend, 8));
    show_mask("pending", pend);
    show("unblock usr1", set_mask(SIG_UNBLOCK, BIT(SIGUSR1), 0));
    print_kv("handled when unblocked", usr1_hits - before);
    pend = ~0ULL;
    wali_sys_rt_sigpending(&pend, 8);
    show_mask("pending after", pend);
    show("sigprocmask bad how", set_mask(7, BIT(SIGUSR1), 0));
    show("sigprocmask setsize 4", wali_sys_rt_sigprocmask(SIG_BLOCK, &prev, 0, 4));
    show("sigprocmask setsize 128", wali_sys_rt_sigprocmask(SIG_BLOCK, &prev, 0, 128));
    show("sigprocmask bad set", wali_sys_rt_sigprocmask(SIG_BLOCK, BAD, 0, 8));
    show("sigprocmask bad oldset", wali_sys_rt_sigprocmask(SIG_BLOCK, 0, BAD, 8));
    show("sigprocmask null set", wali_sys_rt_sigprocmask(SIG_SETMASK, 0, 0, 8));
    show("setmask usr1+usr2", set_mask(SIG_SETMASK, BIT(SIGUSR1) | BIT(SIGUSR2), 0));
    show_mask("mask", current_mask());
    show("block all", set_mask(SIG_BLOCK, ~0ULL, 0));
    uint64_t all = current_mask();
    print_kv("KILL and STOP never blocked", (all & (BIT(SIGKILL) | BIT(SIGSTOP))) == 0);
    show_mask("mask all", all);
    show("sigpending setsize 16", wali_sys_rt_sigpending(&pend, 16));
    show("sigpending bad ptr", wali_sys_rt_sigpending(BAD, 8));
    show("setmask empty", set_mask(SIG_SETMASK, 0, 0));

    /* --- rt_sigsuspend --- */
    show("install usr2 again", wali_signal(SIGUSR2, on_usr2, 0));
    show("block usr2", set_mask(SIG_BLOCK, BIT(SIGUSR2), 0));
    show("kill self usr2 (blocked)", wali_sys_kill(pid, SIGUSR2));
    before = usr2_hits;
    uint64_t none = 0;
    show("sigsuspend", wali_sys_rt_sigsuspend(&none, 8));
    print_kv("handled by sigsuspend", usr2_hits - before);
    show_mask("mask restored", current_mask());
    show("sigsuspend setsize 4", wali_sys_rt_sigsuspend(&none, 4));
    show("sigsuspend bad ptr", wali_sys_rt_sigsuspend(BAD, 8));
    show("setmask empty", set_mask(SIG_SETMASK, 0, 0));

    /* real-time signals queue: three sent while blocked run the handler three times; a standard
     * signal sent three times is pending once */
    show("install rtmin", wali_signal(SIGRTMIN, on_rt, 0));
    show("block rtmin+usr1", set_mask(SIG_BLOCK, BIT(SIGRTMIN) | BIT(SIGUSR1), 0));
    before = usr1_hits;
    for (int i = 0; i < 3; i++) {
        wali_sys_kill(pid, SIGRTMIN);
        wali_sys_kill(pid, SIGUSR1);
    }
    pend = 0;
    wali_sys_rt_sigpending(&pend, 8);
    print_kv("rtmin pending", (pend & BIT(SIGRTMIN)) != 0);
    show("unblock rtmin+usr1", set_mask(SIG_UNBLOCK, BIT(SIGRTMIN) | BIT(SIGUSR1), 0));
    print_kv("rtmin handled", rt_hits);
    print_kv("usr1 handled", usr1_hits - before);

    /* --- rt_sigreturn: never legitimately called; WALI returns -1 (the native shim too) --- */
    show("sigreturn", wali_sys_rt_sigreturn(0));

    /* --- sigaltstack --- */
    struct wali_stack ss, oss;
    static char altstack[16384];
    wali_memset(&oss, 0x55, sizeof oss);
    show("sigaltstack query", wali_sys_sigaltstack(0, &oss));
    print_kv("initially disabled", oss.ss_flags == SS_DISABLE);
    ss.ss_sp = altstack;
    ss.ss_flags = 0;
    ss.ss_size = sizeof altstack;
    show("sigaltstack set", wali_sys_sigaltstack(&ss, 0));
    wali_memset(&oss, 0x55, sizeof oss);
    show("sigaltstack get", wali_sys_sigaltstack(0, &oss));
    print_kv("alt sp", oss.ss_sp == (void *)altstack);
    print_kv("alt size", oss.ss_size);
    print_kv("alt flags", oss.ss_flags);
    ss.ss_size = 100;
    show("sigaltstack too small", wali_sys_sigaltstack(&ss, 0));
    ss.ss_size = sizeof altstack;
    ss.ss_flags = 77;
    show("sigaltstack bad flags", wali_sys_sigaltstack(&ss, 0));
    show("sigaltstack bad ptr", wali_sys_sigaltstack(BAD, 0));
    show("sigaltstack bad old ptr", wali_sys_sigaltstack(0, BAD));
    ss.ss_flags = SS_DISABLE;
    ss.ss_size = 0;
    wali_memset(&oss, 0x55, sizeof oss);
    show("sigaltstack disable", wali_sys_sigaltstack(&ss, &oss));
    print_kv("old was enabled", oss.ss_flags == 0 && oss.ss_sp == (void *)altstack);
    wali_sys_sigaltstack(0, &oss);
    print_kv("now disabled", oss.ss_flags == SS_DISABLE);

    /* --- kill, tkill --- */
    before = usr1_hits;
    show("tkill self usr1", wali_sys_tkill(tid, SIGUSR1));
    print_kv("handled before tkill returned", usr1_hits - before);
    show("tkill sig 0", wali_sys_tkill(tid, 0));
    show("tkill bad sig", wali_sys_tkill(tid, 999));
    show("tkill tid -1", wali_sys_tkill(-1, SIGUSR1));
    show("tkill no such tid", wali_sys_tkill(0x3ffffff0, SIGUSR1));
    show("kill sig 0", wali_sys_kill(pid, 0));
    show("kill bad sig", wali_sys_kill(pid, 999));
    show("kill no such pid", wali_sys_kill(0x3ffffff0, 0));

    /* --- default actions and inheritance, in forked children --- */
    long long c = wali_sys_fork();
    if (c == 0) {
        wali_sys_kill((int)wali_sys_getpid(), SIGTERM);
        wali_sys_exit_group(3);
    }
    int st = 0;
    show("wait sigterm child", wali_sys_wait4((int)c, &st, 0, 0) == c);
    print_kv("child killed by", WALI_WIFSIGNALED(st) ? WALI_WTERMSIG(st) : -1);

    c = wali_sys_fork();
    if (c == 0) {
        /* the handler is inherited; SIG_IGN too */
        int h = usr1_hits;
        wali_sys_kill((int)wali_sys_getpid(), SIGUSR1);
        wali_sys_kill((int)wali_sys_getpid(), SIGUSR2);
        wali_signal(SIGUSR1, WALI_SIG_IGN, 0);
        wali_sys_kill((int)wali_sys_getpid(), SIGUSR1);
        wali_sys_exit_group(10 * (usr1_hits - h) + (usr2_hits > 0));
    }
    show("wait handler child", wali_sys_wait4((int)c, &st, 0, 0) == c);
    print_kv("child status", WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : -WALI_WTERMSIG(st));

    c = wali_sys_fork();
    if (c == 0) {
        wali_signal(SIGUSR1, WALI_SIG_DFL, 0);
        wali_sys_kill((int)wali_sys_getpid(), SIGUSR1);
        wali_sys_exit_group(4);
    }
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("dfl usr1 child killed by", WALI_WIFSIGNALED(st) ? WALI_WTERMSIG(st) : -1);

    /* a signal from another process: the child signals the parent, which waits in sigsuspend */
    show("block usr1", set_mask(SIG_BLOCK, BIT(SIGUSR1), 0));
    before = usr1_hits;
    c = wali_sys_fork();
    if (c == 0) {
        wali_sys_kill((int)wali_sys_getppid(), SIGUSR1);
        wali_sys_exit_group(0);
    }
    none = 0;
    show("sigsuspend for child's signal", wali_sys_rt_sigsuspend(&none, 8));
    print_kv("parent handled", usr1_hits - before);
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("child exit", WALI_WEXITSTATUS(st));
    return 0;
}
