// An exception nothing catches: the program prints, then dies as std::terminate makes it
// (SIGABRT after a message on stderr).
#include <cstdio>
#include <stdexcept>

__attribute__((noinline)) static void fail(int n) {
    if (n > 2) throw std::runtime_error("nobody catches this");
    fail(n + 1);
}

int main() {
    std::printf("before the throw\n");
    std::fflush(stdout);
    fail(0);
    std::printf("not reached\n");
    return 0;
}
