/* thr_spawn.h - threads for the thr_* guests, the same way in both builds.
 *
 *   long long thr_spawn(struct thr_start *s, void (*fn)(int tid, void *arg), void *arg,
 *                       char *stack, unsigned stack_size);
 * starts fn(tid, arg) in a new thread and returns its tid (or a negative value). `s` and `stack`
 * must stay valid while the thread runs.
 *
 * wasm32: WALI's __wasm_thread_spawn(table index, arg) runs table0[index](tid, arg) in a new
 * instance sharing the memory (WALI-ABI.md §9). Its globals start from their initial values, so
 * the thread needs its own C stack: thr_entry, written in wasm assembly because no C code may run
 * before it, sets __stack_pointer to s->stack_top and only then calls C (thr_run). The guests use
 * no thread-local variables, so __tls_base is left alone.
 * Natively: pthread_create (detached) with a trampoline that passes gettid(), like WALI does.
 * A thread ends by returning from fn or with SYS_exit (ends only that thread while others live). */
#ifndef THR_SPAWN_H
#define THR_SPAWN_H

#include "wali.h"

struct thr_start {
    uint32_t stack_top; /* first: thr_entry loads it from offset 0 */
    void (*fn)(int tid, void *arg);
    void *arg;
    volatile int tid;
};

#if defined(__wasm__)
void thr_run(int tid, struct thr_start *s);
void thr_run(int tid, struct thr_start *s) { s->fn(tid, s->arg); }

__asm__(".globaltype __stack_pointer, i32\n"
        ".functype thr_run (i32, i32) -> ()\n"
        ".section .text.thr_entry,\"\",@\n"
        ".globl thr_entry\n"
        ".type thr_entry,@function\n"
        "thr_entry:\n"
        ".functype thr_entry (i32, i32) -> ()\n"
        "local.get 1\n"
        "i32.load 0\n"
        "global.set __stack_pointer\n"
        "local.get 0\n"
        "local.get 1\n"
        "call thr_run\n"
        "end_function\n");
void thr_entry(int tid, void *arg);

static long long thr_spawn(struct thr_start *s, void (*fn)(int, void *), void *arg, char *stack, unsigned size) {
    s->stack_top = (uint32_t)(uintptr_t)(stack + size) & ~15u;
    s->fn = fn;
    s->arg = arg;
    s->tid = 0;
    return wali_thread_spawn(thr_entry, s);
}
#else
#include <pthread.h>
static void *thr_pthread_entry(void *p) {
    struct thr_start *s = (struct thr_start *)p;
    int tid = (int)wali_sys_gettid();
    __atomic_store_n(&s->tid, tid, __ATOMIC_SEQ_CST);
    wali_sys_futex((int *)&s->tid, FUTEX_WAKE, 1, 0, 0, 0);
    s->fn(tid, s->arg);
    return 0;
}
static long long thr_spawn(struct thr_start *s, void (*fn)(int, void *), void *arg, char *stack, unsigned size) {
    (void)stack;
    (void)size;
    s->fn = fn;
    s->arg = arg;
    s->tid = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int r = pthread_create(&t, &attr, thr_pthread_entry, s);
    pthread_attr_destroy(&attr);
    if (r != 0) return -r;
    /* like __wasm_thread_spawn, return the new thread's tid */
    int v;
    while ((v = __atomic_load_n(&s->tid, __ATOMIC_SEQ_CST)) == 0) wali_sys_futex((int *)&s->tid, FUTEX_WAIT, 0, 0, 0, 0);
    return v;
}
#endif

/* futex helpers */
static inline long long futex_wait(volatile int *addr, int val) {
    return wali_sys_futex((int *)addr, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, 0, 0, 0);
}
static inline long long futex_wake(volatile int *addr, int n) {
    return wali_sys_futex((int *)addr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, 0, 0, 0);
}

#endif
