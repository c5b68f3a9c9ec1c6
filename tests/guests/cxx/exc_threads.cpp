// Exceptions in several threads at once, and an exception carried from a thread to main
// (std::exception_ptr).
//
// Threads are made with pthreads, not std::thread: in the WALI toolchain's libc++ (LLVM 22,
// wasm32 with 64-bit `long`) `std::thread::join` calls `pthread_join` with the C++ view of
// `pthread_t` (musl: `unsigned long`, i64) while wali-musl defines it for C (a pointer, i32),
// and wasm-ld links that call to a trapping signature-mismatch stub. Here the call goes through
// a declaration with the C signature on Wasm.
#include <pthread.h>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <atomic>

#ifdef __wasm__
extern "C" int c_pthread_join(void *thread, void **result) __asm__("pthread_join");
static int join(pthread_t t) { return c_pthread_join(reinterpret_cast<void *>(t), nullptr); }
#else
static int join(pthread_t t) { return pthread_join(t, nullptr); }
#endif

static std::atomic<int> total{0};

static void *worker(void *arg) {
    int id = static_cast<int>(reinterpret_cast<long>(arg));
    int mine = 0;
    for (int i = 0; i < 200; i++) {
        try {
            if ((i + id) % 2) throw std::runtime_error("w" + std::to_string(id));
            throw id * 1000 + i;
        } catch (const std::runtime_error &) {
            mine += 1;
        } catch (int v) {
            mine += v % 7;
        }
    }
    total += mine;
    return nullptr;
}

static std::exception_ptr from_thread;

static void *thrower(void *) {
    try {
        throw std::overflow_error("raised in a thread");
    } catch (...) {
        from_thread = std::current_exception();
    }
    return nullptr;
}

int main() {
    pthread_t threads[4];
    for (long i = 0; i < 4; i++) pthread_create(&threads[i], nullptr, worker, reinterpret_cast<void *>(i));
    for (auto t : threads) join(t);
    std::printf("total = %d\n", total.load());

    pthread_t t;
    pthread_create(&t, nullptr, thrower, nullptr);
    join(t);
    try {
        std::rethrow_exception(from_thread);
    } catch (const std::overflow_error &e) {
        std::printf("main got: %s\n", e.what());
    }
    std::fflush(stdout);
    return 0;
}
