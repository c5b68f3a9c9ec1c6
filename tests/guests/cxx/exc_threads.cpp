// Exceptions in several threads at once, and an exception carried from a thread to main.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <atomic>

static std::atomic<int> total{0};

static void worker(int id) {
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
}

int main() {
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; i++) threads.emplace_back(worker, i);
    for (auto &t : threads) t.join();
    std::printf("total = %d\n", total.load());

    std::exception_ptr from_thread;
    std::thread t([&] {
        try {
            throw std::overflow_error("raised in a thread");
        } catch (...) {
            from_thread = std::current_exception();
        }
    });
    t.join();
    try {
        std::rethrow_exception(from_thread);
    } catch (const std::overflow_error &e) {
        std::printf("main got: %s\n", e.what());
    }
    std::fflush(stdout);
    return 0;
}
