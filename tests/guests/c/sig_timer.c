/* setitimer with SIGALRM (and SIGVTALRM/SIGPROF): one-shot and periodic timers waited for with
 * rt_sigsuspend, a pure spin loop (delivery at loop safepoints under WALI), a blocking read
 * interrupted with EINTR, the old value, errors, and the default action of SIGALRM. */
#include "wali.h"

#define BIT(s) (1ULL << ((s) - 1))

static volatile int alrm_hits, vt_hits, prof_hits;

static void on_alrm(int sig) {
    (void)sig;
    alrm_hits++;
}
static void on_vtalrm(int sig) {
    (void)sig;
    vt_hits++;
}
static void on_prof(int sig) {
    (void)sig;
    prof_hits++;
}

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static long long arm(int which, long long value_us, long long interval_us, struct wali_itimerval *old) {
    struct wali_itimerval it;
    it.it_value.tv_sec = value_us / 1000000;
    it.it_value.tv_usec = value_us % 1000000;
    it.it_interval.tv_sec = interval_us / 1000000;
    it.it_interval.tv_usec = interval_us % 1000000;
    return wali_sys_setitimer(which, &it, old);
}

static long long suspend_empty(void) {
    uint64_t none = 0;
    return wali_sys_rt_sigsuspend(&none, 8);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    struct wali_itimerval old;

    show("install alrm", wali_signal(SIGALRM, on_alrm, 0));
    /* SIGALRM blocked outside sigsuspend: no race between arming and waiting */
    uint64_t blk = BIT(SIGALRM);
    show("block alrm", wali_sys_rt_sigprocmask(SIG_BLOCK, &blk, 0, 8));

    /* one-shot 20 ms */
    wali_memset(&old, 0x55, sizeof old);
    show("arm one-shot", arm(ITIMER_REAL, 20000, 0, &old));
    print_kv("old was disarmed", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0 && old.it_interval.tv_sec == 0);
    show("sigsuspend", suspend_empty());
    print_kv("alarms", alrm_hits);

    /* the old value of a running timer */
    show("arm 10s", arm(ITIMER_REAL, 10000000, 0, 0));
    wali_memset(&old, 0, sizeof old);
    show("re-arm 10s", arm(ITIMER_REAL, 10000000, 0, &old));
    long long left_us = old.it_value.tv_sec * 1000000 + old.it_value.tv_usec;
    print_kv("old remaining in (9s, 10s]", left_us > 9000000 && left_us <= 10000000);
    show("disarm", arm(ITIMER_REAL, 0, 0, &old));
    print_kv("disarm saw it armed", old.it_value.tv_sec > 0 || old.it_value.tv_usec > 0);

    /* periodic 5 ms: wait for 4 ticks */
    alrm_hits = 0;
    show("arm periodic", arm(ITIMER_REAL, 5000, 5000, 0));
    for (int i = 0; i < 100 && alrm_hits < 4; i++) suspend_empty();
    print_kv("ticks >= 4", alrm_hits >= 4);
    wali_memset(&old, 0, sizeof old);
    show("stop periodic", arm(ITIMER_REAL, 0, 0, &old));
    print_kv("old interval us", old.it_interval.tv_sec * 1000000 + old.it_interval.tv_usec);

    /* unblocked: a spin loop without calls sees the handler run */
    show("unblock alrm", wali_sys_rt_sigprocmask(SIG_UNBLOCK, &blk, 0, 8));
    alrm_hits = 0;
    show("arm for spin", arm(ITIMER_REAL, 10000, 0, 0));
    long long spins = 0;
    while (!alrm_hits && spins < 8000000000LL) spins++;
    print_kv("spin loop saw alarm", alrm_hits);

    /* a blocking read is interrupted (no SA_RESTART) and the handler has run when it returns */
    int fds[2];
    show("pipe", wali_sys_pipe(fds));
    alrm_hits = 0;
    show("arm for read", arm(ITIMER_REAL, 20000, 0, 0));
    char c;
    show("read interrupted", wali_sys_read(fds[0], &c, 1));
    print_kv("handled by then", alrm_hits);

    /* nanosleep interrupted: the remaining time is reported */
    alrm_hits = 0;
    show("arm for nanosleep", arm(ITIMER_REAL, 20000, 0, 0));
    struct wali_timespec req = {5, 0}, rem = {0, 0};
    show("nanosleep interrupted", wali_sys_nanosleep(&req, &rem));
    print_kv("remaining > 4s", rem.tv_sec >= 4);
    print_kv("handled by then", alrm_hits);

    /* CPU-time timers */
    show("install vtalrm", wali_signal(SIGVTALRM, on_vtalrm, 0));
    show("arm virtual", arm(ITIMER_VIRTUAL, 10000, 0, 0));
    spins = 0;
    while (!vt_hits && spins < 8000000000LL) spins++;
    print_kv("virtual fired", vt_hits);
    show("install prof", wali_signal(SIGPROF, on_prof, 0));
    show("arm prof", arm(ITIMER_PROF, 10000, 0, 0));
    spins = 0;
    while (!prof_hits && spins < 8000000000LL) spins++;
    print_kv("prof fired", prof_hits);

    /* errors */
    show("bad which", arm(5, 10000, 0, 0));
    struct wali_itimerval bad = {{0, 0}, {0, 2000000}};
    show("bad usec", wali_sys_setitimer(ITIMER_REAL, &bad, 0));
    show("bad new ptr", wali_sys_setitimer(ITIMER_REAL, (void *)(uintptr_t)0xFFFFFFF0u, 0));
    show("bad old ptr", arm(ITIMER_REAL, 0, 0, (void *)(uintptr_t)0xFFFFFFF0u));

    /* SIGALRM's default action kills (in a child) */
    long long pid = wali_sys_fork();
    if (pid == 0) {
        wali_signal(SIGALRM, WALI_SIG_DFL, 0);
        arm(ITIMER_REAL, 10000, 0, 0);
        for (int i = 0; i < 50; i++) suspend_empty();
        wali_sys_exit_group(9);
    }
    int st = 0;
    wali_sys_wait4((int)pid, &st, 0, 0);
    print_kv("child killed by", WALI_WIFSIGNALED(st) ? WALI_WTERMSIG(st) : -1);
    return 0;
}
