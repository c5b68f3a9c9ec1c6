/* pthreads through the libc: mutex, condvar, rwlock, barrier, __thread and pthread_key TLS with
 * destructors, join and exit values, once, and malloc/free from many threads; `pthreads detach`:
 * a detached thread.
 * (No pthread_cancel: wali-musl cannot link it, its cancellation points __cp_begin/__cp_end/
 * __cp_cancel have no wasm32 implementation.)
 * Every line printed is independent of scheduling. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 4

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count(void *arg) {
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return arg;
}

/* A bounded queue on a condition variable. */
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[8], qlen, qhead, done_producing;
static void *producer(void *arg) {
    (void)arg;
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&mu);
        while (qlen == 8) pthread_cond_wait(&not_full, &mu);
        queue[(qhead + qlen++) % 8] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    done_producing = 1;
    pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&mu);
    return NULL;
}
static void *consumer(void *arg) {
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (qlen == 0 && !done_producing) pthread_cond_wait(&not_empty, &mu);
        if (qlen == 0) {
            pthread_mutex_unlock(&mu);
            break;
        }
        sum += queue[qhead];
        qhead = (qhead + 1) % 8;
        qlen--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&mu);
    }
    *(long *)arg = sum;
    return NULL;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int shared_a, shared_b, torn;
static void *rw_reader(void *arg) {
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (shared_a != shared_b) torn++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
static void *rw_writer(void *arg) {
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_rwlock_wrlock(&rw);
        shared_a++;
        shared_b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static pthread_barrier_t barrier;
static int arrived, serial_threads, before_all;
static void *barrier_thread(void *arg) {
    (void)arg;
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    int r = pthread_barrier_wait(&barrier);
    if (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) != N) before_all++;
    if (r == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_fetch_add(&serial_threads, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static __thread int tls_value = 7;
static pthread_key_t key;
static int destructor_runs;
static void destroy(void *p) {
    __atomic_fetch_add(&destructor_runs, 1, __ATOMIC_SEQ_CST);
    free(p);
}
static void *tls_thread(void *arg) {
    int id = (int)(intptr_t)arg;
    int start = tls_value;
    tls_value = id * 100;
    int *mine = malloc(sizeof *mine);
    *mine = id;
    pthread_setspecific(key, mine);
    usleep(1000);
    int ok = start == 7 && tls_value == id * 100 && *(int *)pthread_getspecific(key) == id;
    return (void *)(intptr_t)ok;
}

static void *exits_early(void *arg) {
    pthread_exit((void *)((intptr_t)arg * 3));
    return NULL;
}

static volatile int detached_done;
static void *detached(void *arg) {
    (void)arg;
    detached_done = 1;
    return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void once_fn(void) { once_runs++; }
static void *call_once(void *arg) {
    pthread_once(&once, once_fn);
    return arg;
}

/* malloc under threads: every thread allocates blocks of many sizes, fills them with its own
 * pattern, checks them and frees them in a different order. */
static void *malloc_thread(void *arg) {
    int id = (int)(intptr_t)arg;
    enum { K = 300 };
    unsigned char *blocks[K];
    size_t sizes[K];
    int bad = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < K; i++) {
            sizes[i] = (size_t)((i * 37 + round * 11 + id) % 5000) + 1;
            blocks[i] = malloc(sizes[i]);
            if (!blocks[i]) return (void *)-1;
            memset(blocks[i], id + i, sizes[i]);
        }
        for (int i = 0; i < K; i++) {
            int j = (i * 7) % K;
            for (size_t b = 0; b < sizes[j]; b += 97)
                if (blocks[j][b] != (unsigned char)(id + j)) bad++;
            blocks[j] = realloc(blocks[j], sizes[j] + 10);
        }
        for (int i = K - 1; i >= 0; i--) free(blocks[i]);
    }
    return (void *)(intptr_t)bad;
}

/* A detached thread runs and ends on its own. */
static int detach_part(void) {
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &attr, detached, NULL);
    for (int i = 0; i < 1000 && !detached_done; i++) usleep(1000);
    usleep(20000); /* let it finish ending */
    printf("detached thread ran=%d\n", detached_done);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "detach")) return detach_part();
    pthread_t t[N];
    void *ret;

    for (intptr_t i = 0; i < N; i++) pthread_create(&t[i], NULL, count, (void *)i);
    intptr_t joined = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], &ret);
        joined += (intptr_t)ret;
    }
    printf("mutex counter=%ld join values sum=%ld\n", counter, (long)joined);
    printf("trylock on free=%d\n", pthread_mutex_trylock(&mu));
    printf("trylock on held=%s\n", pthread_mutex_trylock(&mu) == EBUSY ? "EBUSY" : "?");
    pthread_mutex_unlock(&mu);

    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t ec;
    pthread_mutex_init(&ec, &ma);
    pthread_mutex_lock(&ec);
    printf("errorcheck relock=%s\n", pthread_mutex_lock(&ec) == EDEADLK ? "EDEADLK" : "?");
    pthread_mutex_unlock(&ec);
    printf("errorcheck unlock unowned=%s\n", pthread_mutex_unlock(&ec) == EPERM ? "EPERM" : "?");

    long sums[2] = {0, 0};
    pthread_t p, c[2];
    pthread_create(&p, NULL, producer, NULL);
    for (int i = 0; i < 2; i++) pthread_create(&c[i], NULL, consumer, &sums[i]);
    pthread_join(p, NULL);
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    printf("condvar queue sum=%ld\n", sums[0] + sums[1]);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000;
    if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
    pthread_mutex_lock(&mu);
    int tw = pthread_cond_timedwait(&not_empty, &mu, &ts);
    pthread_mutex_unlock(&mu);
    printf("cond_timedwait=%s\n", tw == ETIMEDOUT ? "ETIMEDOUT" : "?");

    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, i == 0 ? rw_writer : rw_reader, NULL);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    printf("rwlock a=%d b=%d torn=%d\n", shared_a, shared_b, torn);
    pthread_rwlock_rdlock(&rw);
    printf("tryrdlock while read-locked=%d trywrlock=%s\n", pthread_rwlock_tryrdlock(&rw),
           pthread_rwlock_trywrlock(&rw) == EBUSY ? "EBUSY" : "?");
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);

    pthread_barrier_init(&barrier, NULL, N);
    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, barrier_thread, NULL);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    printf("barrier passed early=%d serial threads=%d\n", before_all, serial_threads);
    pthread_barrier_destroy(&barrier);

    pthread_key_create(&key, destroy);
    int tls_ok = 0;
    for (intptr_t i = 0; i < N; i++) pthread_create(&t[i], NULL, tls_thread, (void *)(i + 1));
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], &ret);
        tls_ok += (int)(intptr_t)ret;
    }
    printf("tls ok=%d main tls=%d destructors=%d main key is NULL=%d\n", tls_ok, tls_value, destructor_runs,
           pthread_getspecific(key) == NULL);

    pthread_create(&t[0], NULL, exits_early, (void *)14);
    pthread_join(t[0], &ret);
    printf("pthread_exit value=%ld\n", (long)(intptr_t)ret);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    size_t ss;
    pthread_attr_getstacksize(&attr, &ss);
    pthread_create(&t[0], &attr, call_once, (void *)5);
    pthread_join(t[0], &ret);
    printf("stacksize=%zu thread with attr returned=%ld\n", ss, (long)(intptr_t)ret);

    for (intptr_t i = 0; i < N; i++) pthread_create(&t[i], NULL, call_once, (void *)i);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    printf("once ran=%d\n", once_runs);

    printf("self equal=%d\n", pthread_equal(pthread_self(), pthread_self()));

    intptr_t bad = 0;
    for (intptr_t i = 0; i < N; i++) pthread_create(&t[i], NULL, malloc_thread, (void *)i);
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], &ret);
        bad += (intptr_t)ret;
    }
    printf("malloc under threads corrupted=%ld\n", (long)bad);
    return 0;
}
