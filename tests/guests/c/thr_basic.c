/* Threads (__wasm_thread_spawn / pthreads natively), futex, set_tid_address, gettid, tkill and how
 * threads end (SYS_exit ends only the calling thread; exit_group and traps end them all).
 *
 * usage: thr_basic            futex semantics and errors, set_tid_address, many threads, tkill
 *        thr_basic cleartid   set_tid_address in a thread: the word is cleared when it ends
 *        thr_basic last       main ends with SYS_exit(3); the other thread ends last with SYS_exit(9)
 *        thr_basic last-return  main ends with SYS_exit(3); the other thread returns last
 *        thr_basic group      a thread calls exit_group(5) while main waits
 *        thr_basic trap       a thread makes an out-of-bounds store (SIGSEGV) while main waits
 *        thr_basic exec       a thread replaces the process with execve while main waits */
#include "thr_spawn.h"

#define INT_MAX_ 0x7fffffff

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static char stacks[12][64 * 1024] __attribute__((aligned(16)));
static struct thr_start starts[12];

static long long spawn(int i, void (*fn)(int, void *), void *arg) {
    return thr_spawn(&starts[i], fn, arg, stacks[i], sizeof stacks[i]);
}

static void nap_ms(int ms) {
    struct wali_timespec ts = {0, ms * 1000000LL};
    wali_sys_nanosleep(&ts, 0);
}

/* Wait until *p != v, at most ~5 s. */
static void wait_change(volatile int *p, int v) {
    struct wali_timespec ts = {0, 50 * 1000000LL};
    for (int i = 0; i < 100 && __atomic_load_n(p, __ATOMIC_SEQ_CST) == v; i++)
        wali_sys_futex((int *)p, FUTEX_WAIT, v, &ts, 0, 0);
}
/* Wait until *p >= want, at most ~5 s. */
static void wait_at_least(volatile int *p, int want) {
    for (int i = 0; i < 100; i++) {
        int v = __atomic_load_n(p, __ATOMIC_SEQ_CST);
        if (v >= want) return;
        struct wali_timespec ts = {0, 50 * 1000000LL};
        wali_sys_futex((int *)p, FUTEX_WAIT, v, &ts, 0, 0);
    }
}
static void bump(volatile int *p) {
    __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
    futex_wake(p, INT_MAX_);
}

/* --- first thread: identity and set_tid_address --- */
static int main_pid, main_tid;
static volatile int ctid = -1;
static volatile int t1_tid_ok, t1_pid_ok, t1_differs, t1_sta_ok;

static volatile int first_done;

static void first(int tid, void *arg) {
    (void)arg;
    t1_tid_ok = tid == (int)wali_sys_gettid();
    t1_pid_ok = wali_sys_getpid() == main_pid;
    t1_differs = tid != main_tid;
    static int unused_word;
    t1_sta_ok = wali_sys_set_tid_address(&unused_word) == tid;
    __atomic_store_n(&first_done, 1, __ATOMIC_SEQ_CST);
    futex_wake(&first_done, 1);
    wali_sys_exit(7);
}

/* set_tid_address(&ctid): the kernel stores 0 there and wakes it when the thread ends */
static void clear_tid_thread(int tid, void *arg) {
    (void)arg;
    t1_sta_ok = wali_sys_set_tid_address((int *)&ctid) == tid;
    __atomic_store_n(&ctid, tid, __ATOMIC_SEQ_CST);
    futex_wake(&ctid, 1);
    wali_sys_exit(0);
}

static void clear_tid(void) {
    spawn(0, clear_tid_thread, 0);
    wait_change(&ctid, -1);
    for (int i = 0; i < 20; i++) {
        int v = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST);
        if (v == 0) break;
        struct wali_timespec ts = {0, 50 * 1000000LL};
        wali_sys_futex((int *)&ctid, FUTEX_WAIT, v, &ts, 0, 0);
    }
    print_kv("set_tid_address returned tid", t1_sta_ok);
    print_kv("cleared at thread exit", ctid == 0);
}

/* --- a waiter woken by FUTEX_WAKE --- */
static volatile int word, arrived, released, done;

static void waiter(int tid, void *arg) {
    (void)tid;
    (void)arg;
    bump(&arrived);
    while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0) futex_wait(&word, 0);
    bump(&done);
    wali_sys_exit(0);
}

/* --- requeue: waiters on A moved to B --- */
static volatile int fa, fb;

static void requeued(int tid, void *arg) {
    (void)tid;
    (void)arg;
    bump(&arrived);
    while (!__atomic_load_n(&released, __ATOMIC_SEQ_CST)) wali_sys_futex((int *)&fa, FUTEX_WAIT, 0, 0, 0, 0);
    bump(&done);
}

/* --- many threads, one counter --- */
static volatile int counter;

static void incrementer(int tid, void *arg) {
    (void)tid;
    (void)arg;
    for (int i = 0; i < 20000; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    bump(&done);
    wali_sys_exit(0);
}

/* --- tkill to a thread --- */
static volatile int usr1_hits, stop;

static void on_usr1(int sig) {
    (void)sig;
    __atomic_fetch_add(&usr1_hits, 1, __ATOMIC_SEQ_CST);
}

static void sleeper(int tid, void *arg) {
    (void)tid;
    (void)arg;
    bump(&arrived);
    for (int i = 0; i < 200 && !__atomic_load_n(&stop, __ATOMIC_SEQ_CST); i++) {
        struct wali_timespec ts = {0, 20 * 1000000LL};
        wali_sys_futex((int *)&stop, FUTEX_WAIT, 0, &ts, 0, 0);
    }
    bump(&done);
}

/* --- fork from a thread: the child has only that thread --- */
static volatile int fork_status = -1;

static void forker(int tid, void *arg) {
    (void)tid;
    (void)arg;
    long long c = wali_sys_fork();
    if (c == 0) {
        /* the only thread of the child: SYS_exit ends the child process with this status */
        wali_sys_exit(6);
    }
    int st = 0;
    if (c > 0 && wali_sys_wait4((int)c, &st, 0, 0) == c) fork_status = WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : -2;
    bump(&done);
}

static void basics(void) {
    main_pid = (int)wali_sys_getpid();
    main_tid = (int)wali_sys_gettid();

    long long t = spawn(0, first, 0);
    print_kv("spawn returned a tid", t > 0);
    wait_change(&first_done, 0);
    print_kv("thread got its tid", t1_tid_ok);
    print_kv("thread shares pid", t1_pid_ok);
    print_kv("thread tid differs from main", t1_differs);
    print_kv("set_tid_address returned tid", t1_sta_ok);

    /* futex errors and plain semantics */
    int w = 5;
    struct wali_timespec ten_ms = {0, 10 * 1000000LL};
    show("wait value mismatch", wali_sys_futex(&w, FUTEX_WAIT, 4, 0, 0, 0));
    show("wait timeout", wali_sys_futex(&w, FUTEX_WAIT, 5, &ten_ms, 0, 0));
    show("wait private timeout", wali_sys_futex(&w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, &ten_ms, 0, 0));
    show("wake nobody", wali_sys_futex(&w, FUTEX_WAKE, 1, 0, 0, 0));
    show("wait_bitset mask 0", wali_sys_futex(&w, FUTEX_WAIT_BITSET, 5, 0, 0, 0));
    show("bad op", wali_sys_futex(&w, 99, 0, 0, 0, 0));
    show("unaligned", wali_sys_futex((int *)((char *)&w + 1), FUTEX_WAIT, 5, &ten_ms, 0, 0));
    show("bad address", wali_sys_futex((int *)(uintptr_t)0xFFFFFFF0u, FUTEX_WAIT, 0, &ten_ms, 0, 0));
    struct wali_timespec bad_ts = {0, 2000000000LL};
    show("bad timeout", wali_sys_futex(&w, FUTEX_WAIT, 5, &bad_ts, 0, 0));
    show("cmp_requeue mismatch", wali_sys_futex(&w, FUTEX_CMP_REQUEUE, 0, (struct wali_timespec *)(uintptr_t)1, &w, 4));
    show("requeue nobody", wali_sys_futex((int *)&fb, FUTEX_REQUEUE, 1, (struct wali_timespec *)(uintptr_t)1, (int *)&fa, 0));

    /* FUTEX_WAKE wakes a sleeping waiter */
    arrived = done = word = 0;
    spawn(1, waiter, 0);
    wait_at_least(&arrived, 1);
    long long woke = 0;
    for (int i = 0; i < 2500 && woke == 0; i++) {
        woke = futex_wake(&word, 1);
        if (woke == 0) nap_ms(2);
    }
    print_kv("woke a sleeping waiter", woke);
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    futex_wake(&word, 1);
    wait_at_least(&done, 1);
    print_kv("waiter done", done);

    /* FUTEX_CMP_REQUEUE: two waiters on fa move to fb, then FUTEX_WAKE on fb wakes them */
    arrived = done = released = 0;
    spawn(2, requeued, 0);
    spawn(3, requeued, 0);
    wait_at_least(&arrived, 2);
    long long moved = 0;
    for (int i = 0; i < 2500 && moved < 2; i++) {
        long long r = wali_sys_futex((int *)&fa, FUTEX_CMP_REQUEUE, 0, (struct wali_timespec *)(uintptr_t)INT_MAX_,
                                     (int *)&fb, 0);
        if (r > 0) moved += r;
        if (moved < 2) nap_ms(2);
    }
    print_kv("requeued", moved);
    show("wake on fa after requeue", futex_wake(&fa, INT_MAX_));
    __atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
    long long woken = 0;
    for (int i = 0; i < 2500 && woken < 2; i++) {
        long long r = wali_sys_futex((int *)&fb, FUTEX_WAKE, INT_MAX_, 0, 0, 0);
        if (r > 0) woken += r;
        if (woken < 2) nap_ms(2);
    }
    print_kv("woken from fb", woken);
    wait_at_least(&done, 2);
    print_kv("requeued threads done", done);

    /* eight threads, one atomic counter */
    done = 0;
    for (int i = 0; i < 8; i++) spawn(4 + i, incrementer, 0);
    wait_at_least(&done, 8);
    print_kv("incrementers done", done);
    print_kv("counter", counter);

    /* tkill a sleeping thread: its handler runs, it wakes with EINTR and goes on */
    WALI_CHECK(wali_signal(SIGUSR1, on_usr1, 0) == 0);
    arrived = done = stop = 0;
    long long st = spawn(1, sleeper, 0);
    wait_at_least(&arrived, 1);
    show("tkill thread", wali_sys_tkill((int)st, SIGUSR1));
    wait_at_least(&usr1_hits, 1);
    print_kv("handler ran", usr1_hits);
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    futex_wake(&stop, 1);
    wait_at_least(&done, 1);
    print_kv("sleeper done", done);

    done = 0;
    spawn(2, forker, 0);
    wait_at_least(&done, 1);
    print_kv("child forked by a thread exited with", fork_status);
}

/* --- modes where a thread ends the process --- */
static volatile int main_gone;

static void outlive(int tid, void *arg) {
    (void)tid;
    int how = (int)(uintptr_t)arg;
    /* main exits right after setting main_gone; give it time to be gone */
    wait_change(&main_gone, 0);
    nap_ms(50);
    print("thread: outlived main\n");
    if (how == 0) wali_sys_exit(9);
}

static void group_exit(int tid, void *arg) {
    (void)tid;
    (void)arg;
    nap_ms(20);
    print("thread: exit_group(5)\n");
    wali_sys_exit_group(5);
}

static void execer(int tid, void *arg) {
    (void)tid;
    (void)arg;
    nap_ms(20);
    char *argv[] = {"sh", "-c", "echo exec from a thread; exit 4", 0};
    char *envp[] = {0};
    wali_sys_execve("/bin/sh", argv, envp);
    print("thread: execve failed\n");
}

static void trapper(int tid, void *arg) {
    (void)tid;
    (void)arg;
    nap_ms(20);
    print("thread: bad store\n");
    *(volatile int *)(uintptr_t)0xFFFFFFF0u = 1;
    print("thread: not reached\n");
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (wali_streq(mode, "")) {
        basics();
        return 0;
    }
    if (wali_streq(mode, "cleartid")) {
        clear_tid();
        return 0;
    }
    if (wali_streq(mode, "last") || wali_streq(mode, "last-return")) {
        spawn(0, outlive, (void *)(uintptr_t)(wali_streq(mode, "last") ? 0 : 1));
        print("main: exit(3)\n");
        __atomic_store_n(&main_gone, 1, __ATOMIC_SEQ_CST);
        futex_wake(&main_gone, 1);
        wali_sys_exit(3);
        print("main: not reached\n");
        return 1;
    }
    if (wali_streq(mode, "group") || wali_streq(mode, "trap") || wali_streq(mode, "exec")) {
        spawn(0, wali_streq(mode, "group") ? group_exit : wali_streq(mode, "trap") ? trapper : execer, 0);
        static volatile int never;
        for (int i = 0; i < 100; i++) {
            struct wali_timespec ts = {0, 50 * 1000000LL};
            wali_sys_futex((int *)&never, FUTEX_WAIT, 0, &ts, 0, 0);
        }
        print("main: not reached\n");
        return 1;
    }
    print("unknown mode\n");
    return 2;
}
