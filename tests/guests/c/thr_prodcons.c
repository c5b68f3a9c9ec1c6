/* Threaded producer/consumer: PRODUCERS threads push ITEMS numbered items each into a bounded ring
 * buffer guarded by a futex mutex and two futex semaphores (free slots, filled slots); CONSUMERS
 * threads pop until they get a poison pill (0), which main pushes after every producer is done.
 * Totals are deterministic; which consumer got what is not and is never printed.
 * Producers end with SYS_exit, consumers by returning from their entry function. */
#include "thr_spawn.h"

#define PRODUCERS 3
#define CONSUMERS 2
#define ITEMS 3000
#define CAP 8

/* Drepper's futex mutex: 0 free, 1 locked, 2 locked with waiters */
static void lock(volatile int *m) {
    int c = 0;
    if (__atomic_compare_exchange_n(m, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    if (c != 2) c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex_wait(m, 2);
        c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    }
}
static void unlock(volatile int *m) {
    if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(m, 0, __ATOMIC_RELEASE);
        futex_wake(m, 1);
    }
}

/* counting semaphore */
static void sem_down(volatile int *s) {
    for (;;) {
        int v = __atomic_load_n(s, __ATOMIC_ACQUIRE);
        if (v > 0) {
            if (__atomic_compare_exchange_n(s, &v, v - 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return;
            continue;
        }
        futex_wait(s, 0);
    }
}
static void sem_up(volatile int *s) {
    __atomic_fetch_add(s, 1, __ATOMIC_RELEASE);
    futex_wake(s, 1);
}

static struct {
    volatile int mutex;
    volatile int free_slots;
    volatile int filled;
    unsigned head, tail;
    int buf[CAP];
} q = {0, CAP, 0, 0, 0, {0}};

static void push(int v) {
    sem_down(&q.free_slots);
    lock(&q.mutex);
    q.buf[q.tail++ % CAP] = v;
    unlock(&q.mutex);
    sem_up(&q.filled);
}
static int pop(void) {
    sem_down(&q.filled);
    lock(&q.mutex);
    int v = q.buf[q.head++ % CAP];
    unlock(&q.mutex);
    sem_up(&q.free_slots);
    return v;
}

/* results, updated atomically */
static volatile long long total_sum;
static volatile int total_count;
static volatile int per_producer[PRODUCERS];
static volatile int producers_done, consumers_done;
static volatile int thread_saw_own_tid;

static void producer(int tid, void *arg) {
    int p = (int)(uintptr_t)arg;
    if (tid == (int)wali_sys_gettid()) __atomic_fetch_add(&thread_saw_own_tid, 1, __ATOMIC_SEQ_CST);
    for (int i = 1; i <= ITEMS; i++) push((p + 1) * 100000 + i);
    __atomic_fetch_add(&producers_done, 1, __ATOMIC_SEQ_CST);
    futex_wake(&producers_done, 1);
    wali_sys_exit(0);
}

static void consumer(int tid, void *arg) {
    (void)arg;
    if (tid == (int)wali_sys_gettid()) __atomic_fetch_add(&thread_saw_own_tid, 1, __ATOMIC_SEQ_CST);
    long long sum = 0;
    int count = 0;
    int mine[PRODUCERS] = {0};
    for (;;) {
        int v = pop();
        if (v == 0) break;
        sum += v;
        count++;
        mine[v / 100000 - 1]++;
    }
    __atomic_fetch_add(&total_sum, sum, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&total_count, count, __ATOMIC_SEQ_CST);
    for (int i = 0; i < PRODUCERS; i++) __atomic_fetch_add(&per_producer[i], mine[i], __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&consumers_done, 1, __ATOMIC_SEQ_CST);
    futex_wake(&consumers_done, 1);
}

static void wait_count(volatile int *counter, int want) {
    int v;
    while ((v = __atomic_load_n(counter, __ATOMIC_SEQ_CST)) < want) futex_wait(counter, v);
}

static char stacks[PRODUCERS + CONSUMERS][64 * 1024] __attribute__((aligned(16)));
static struct thr_start starts[PRODUCERS + CONSUMERS];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int me = (int)wali_sys_gettid();
    int ok_tids = 0, n = 0;
    for (int c = 0; c < CONSUMERS; c++, n++) {
        long long t = thr_spawn(&starts[n], consumer, 0, stacks[n], sizeof stacks[n]);
        ok_tids += t > 0 && t != me;
    }
    for (int p = 0; p < PRODUCERS; p++, n++) {
        long long t = thr_spawn(&starts[n], producer, (void *)(uintptr_t)p, stacks[n], sizeof stacks[n]);
        ok_tids += t > 0 && t != me;
    }
    print_kv("threads started", ok_tids);
    wait_count(&producers_done, PRODUCERS);
    print_kv("producers done", producers_done);
    for (int c = 0; c < CONSUMERS; c++) push(0);
    wait_count(&consumers_done, CONSUMERS);
    print_kv("consumers done", consumers_done);
    print_kv("items consumed", total_count);
    long long expect = 0;
    for (int p = 0; p < PRODUCERS; p++) expect += (long long)ITEMS * (p + 1) * 100000 + (long long)ITEMS * (ITEMS + 1) / 2;
    print_kv("sum", total_sum);
    print_kv("sum as expected", total_sum == expect);
    for (int p = 0; p < PRODUCERS; p++) {
        print("from producer ");
        print_int(p);
        print(": ");
        print_int(per_producer[p]);
        print("\n");
    }
    print_kv("threads saw their tid", thread_saw_own_tid);
    print_kv("queue empty", q.head == q.tail && q.filled == 0 && q.free_slots == CAP && q.mutex == 0);
    return 0;
}
