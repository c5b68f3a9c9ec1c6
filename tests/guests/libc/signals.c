/* Signals through the libc, one part per argument:
 *   signals basic    sigaction, masks and sigpending, SA_RESTART or EINTR, setitimer and alarm,
 *                    per-thread masks, sigsuspend, SIGCHLD, SIG_IGN, death by SIGTERM
 *   signals siginfo  what an SA_SIGINFO handler is told: si_code/si_pid for kill, raise, sigqueue
 *                    (with its value) and SIGCHLD (CLD_EXITED and the status)
 *   signals altstack sigaltstack and an SA_ONSTACK handler running on it
 *   signals itimer   getitimer of an armed timer */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_signo, got_code, got_pid_ok, got_value, hits;

static void info_handler(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    got_signo = sig;
    got_code = si->si_code;
    got_pid_ok = si->si_pid == getpid();
    got_value = si->si_value.sival_int;
    hits++;
}

static void plain_handler(int sig) {
    (void)sig;
    hits++;
}

static char *alt_base;
static size_t alt_size;
static volatile sig_atomic_t on_alt, ss_flags_inside;
static void alt_handler(int sig) {
    (void)sig;
    stack_t cur;
    sigaltstack(NULL, &cur);
    ss_flags_inside = cur.ss_flags;
    char local;
    on_alt = &local >= alt_base && &local < alt_base + alt_size;
}

static pthread_t main_thread;
static volatile sig_atomic_t usr2_thread_is_main = -1;
static void usr2_handler(int sig) {
    (void)sig;
    usr2_thread_is_main = pthread_equal(pthread_self(), main_thread);
}
static void *blocks_nothing(void *arg) {
    /* This thread leaves SIGUSR2 unblocked and waits: a process-directed SIGUSR2 must land here. */
    sigset_t s;
    sigemptyset(&s);
    pthread_sigmask(SIG_SETMASK, &s, NULL);
    for (int i = 0; i < 2000 && usr2_thread_is_main < 0; i++) usleep(1000);
    return arg;
}

static volatile sig_atomic_t chld_hits;
static void chld_handler(int sig, siginfo_t *si, void *ctx) {
    (void)sig;
    (void)ctx;
    chld_hits++;
    got_code = si->si_code;
    got_value = si->si_status;
}

static void chld_plain(int sig) {
    (void)sig;
    chld_hits++;
}

static int pipe_fds[2];

static int siginfo_part(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("kill: signo=%d code=%s pid ok=%d\n", got_signo, got_code == SI_USER ? "SI_USER" : "?", got_pid_ok);
    raise(SIGUSR1);
    printf("raise: hits=%d code=%s\n", hits, got_code == SI_TKILL ? "SI_TKILL" : "?");
    union sigval v = {.sival_int = 1234};
    int q = sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue=%d: hits=%d code=%s value=%d\n", q, hits, got_code == SI_QUEUE ? "SI_QUEUE" : "?", got_value);

    struct sigaction ch;
    memset(&ch, 0, sizeof ch);
    ch.sa_sigaction = chld_handler;
    ch.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &ch, NULL);
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) _exit(42);
    int st;
    while (waitpid(kid, &st, 0) < 0 && errno == EINTR) {
    }
    for (int i = 0; i < 1000 && !chld_hits; i++) usleep(1000);
    printf("SIGCHLD hits=%d code=%s status=%d\n", chld_hits, got_code == CLD_EXITED ? "CLD_EXITED" : "?", got_value);
    return 0;
}

static int altstack_part(void) {
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    printf("sigaltstack=%d\n", sigaltstack(&ss, NULL));
    struct sigaction onstack;
    memset(&onstack, 0, sizeof onstack);
    onstack.sa_handler = alt_handler;
    onstack.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &onstack, NULL);
    raise(SIGUSR2);
    printf("handler on alt stack=%d SS_ONSTACK inside=%d\n", on_alt, !!(ss_flags_inside & SS_ONSTACK));
    stack_t now;
    sigaltstack(NULL, &now);
    printf("after: flags=%d size=%zu\n", now.ss_flags, now.ss_size);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    return 0;
}

static int itimer_part(void) {
    struct sigaction al;
    memset(&al, 0, sizeof al);
    al.sa_handler = plain_handler;
    sigaction(SIGALRM, &al, NULL);
    struct itimerval it = {{0, 0}, {5, 0}}, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    int r = getitimer(ITIMER_REAL, &cur);
    printf("getitimer=%d armed for 4-5 s=%d\n", r, cur.it_value.tv_sec == 4 || (cur.it_value.tv_sec == 5 && cur.it_value.tv_usec == 0));
    struct itimerval off = {{0, 0}, {0, 0}}, old;
    setitimer(ITIMER_REAL, &off, &old);
    printf("setitimer returns the old value=%d\n", old.it_value.tv_sec == 4);
    return 0;
}

static int basic_part(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);

    kill(getpid(), SIGUSR1);
    raise(SIGUSR1);
    printf("kill and raise: signo=%d hits=%d\n", got_signo, hits);

    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    printf("query: siginfo flag=%d handler same=%d\n", !!(old.sa_flags & SA_SIGINFO), old.sa_sigaction == info_handler);

    /* Blocked signals stay pending until unblocked; sigpending shows them. */
    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    hits = 0;
    raise(SIGUSR1);
    sigpending(&pending);
    printf("blocked: hits=%d pending=%d\n", hits, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("unblocked: hits=%d\n", hits);

    /* SA_RESTART: a read interrupted by alarm continues; without it, read fails with EINTR. */
    pipe(pipe_fds);
    for (int restart = 0; restart < 2; restart++) {
        struct sigaction al;
        memset(&al, 0, sizeof al);
        al.sa_handler = plain_handler;
        al.sa_flags = restart ? SA_RESTART : 0;
        sigaction(SIGALRM, &al, NULL);
        hits = 0;
        if (restart) {
            /* A child writes after the alarm fired, so the restarted read gets data. */
            pid_t pid = fork();
            if (pid == 0) {
                usleep(300000);
                write(pipe_fds[1], "x", 1);
                _exit(0);
            }
            struct itimerval it = {{0, 0}, {0, 50000}};
            setitimer(ITIMER_REAL, &it, NULL);
            char c;
            ssize_t n = read(pipe_fds[0], &c, 1);
            printf("SA_RESTART read=%zd hits=%d\n", n, hits);
            waitpid(pid, NULL, 0);
        } else {
            struct itimerval it = {{0, 0}, {0, 50000}};
            setitimer(ITIMER_REAL, &it, NULL);
            char c;
            ssize_t n = read(pipe_fds[0], &c, 1);
            printf("no SA_RESTART read=%zd errno=%s hits=%d\n", n, errno == EINTR ? "EINTR" : "?", hits);
        }
    }

    /* A periodic itimer fires repeatedly; getitimer shows it armed. */
    struct sigaction al;
    memset(&al, 0, sizeof al);
    al.sa_handler = plain_handler;
    sigaction(SIGALRM, &al, NULL);
    hits = 0;
    struct itimerval it = {{0, 10000}, {0, 10000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (hits < 3) pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("periodic itimer hits>=3: %d\n", hits >= 3);
    printf("alarm(0) with none pending=%u\n", alarm(0));

    /* Per-thread masks: main blocks SIGUSR2, a thread does not; a process-wide SIGUSR2 runs its
     * handler on that thread. */
    main_thread = pthread_self();
    struct sigaction u2;
    memset(&u2, 0, sizeof u2);
    u2.sa_handler = usr2_handler;
    sigaction(SIGUSR2, &u2, NULL);
    sigset_t m2;
    sigemptyset(&m2);
    sigaddset(&m2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &m2, NULL);
    pthread_t t;
    pthread_create(&t, NULL, blocks_nothing, NULL);
    usleep(10000);
    kill(getpid(), SIGUSR2);
    pthread_join(t, NULL);
    printf("process SIGUSR2 handled on main=%d\n", usr2_thread_is_main);
    sigset_t cur_mask;
    pthread_sigmask(SIG_SETMASK, NULL, &cur_mask);
    printf("main still blocks SIGUSR2=%d\n", sigismember(&cur_mask, SIGUSR2));
    pthread_sigmask(SIG_UNBLOCK, &m2, NULL);

    /* sigsuspend waits with a temporary mask and returns -1/EINTR after the handler. */
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    hits = 0;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t sender = fork();
    if (sender == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t none;
    sigemptyset(&none);
    int sr = sigsuspend(&none);
    printf("sigsuspend=%d errno=%s hits=%d\n", sr, errno == EINTR ? "EINTR" : "?", hits);
    waitpid(sender, NULL, 0);
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);

    /* SIGCHLD arrives when a child exits. */
    struct sigaction ch;
    memset(&ch, 0, sizeof ch);
    ch.sa_handler = chld_plain;
    ch.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &ch, NULL);
    pid_t kid = fork();
    if (kid == 0) _exit(42);
    int st;
    while (waitpid(kid, &st, 0) < 0 && errno == EINTR) {
    }
    for (int i = 0; i < 1000 && !chld_hits; i++) usleep(1000);
    printf("SIGCHLD hits=%d wait status=%d\n", chld_hits, WEXITSTATUS(st));

    /* Ignored signals are not delivered. */
    signal(SIGUSR1, SIG_IGN);
    hits = 0;
    raise(SIGUSR1);
    printf("ignored: hits=%d\n", hits);

    /* Default action of SIGTERM ends the process by the signal. */
    signal(SIGTERM, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}

int main(int argc, char **argv) {
    const char *part = argc > 1 ? argv[1] : "basic";
    if (!strcmp(part, "siginfo")) return siginfo_part();
    if (!strcmp(part, "altstack")) return altstack_part();
    if (!strcmp(part, "itimer")) return itimer_part();
    return basic_part();
}
