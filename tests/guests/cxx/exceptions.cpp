// C++ exceptions as real programs use them: class types, the library's own exceptions,
// rethrow, destructors during unwinding, catch by base class, nested handlers, noexcept
// boundaries not crossed. Built for WALI in both Wasm encodings (build.sh) and natively with g++;
// the outputs must match.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>
#include <memory>

static int live_objects = 0;

struct Tracked {
    const char *name;
    explicit Tracked(const char *n) : name(n) { ++live_objects; std::printf("  make %s\n", name); }
    ~Tracked() { --live_objects; std::printf("  drop %s\n", name); }
};

struct AppError {
    int code;
    std::string what;
};

struct Base : std::exception {
    const char *what() const noexcept override { return "base"; }
};
struct Derived : Base {
    int extra;
    explicit Derived(int e) : extra(e) {}
    const char *what() const noexcept override { return "derived"; }
};

__attribute__((noinline)) static void deep(int n) {
    Tracked t(n % 2 ? "odd frame" : "even frame");
    if (n == 0) throw AppError{42, "from the bottom"};
    deep(n - 1);
}

__attribute__((noinline)) static int parse(const char *s) {
    return std::stoi(s);
}

__attribute__((noinline)) static void rethrower() {
    try {
        throw Derived(7);
    } catch (Base &b) {
        std::printf("rethrower caught %s, rethrowing\n", b.what());
        throw;
    }
}

__attribute__((noinline)) static int count_catches(int n) {
    int caught = 0;
    for (int i = 0; i < n; i++) {
        try {
            if (i % 3 == 0) throw i;
            if (i % 3 == 1) throw std::runtime_error("r" + std::to_string(i));
        } catch (int v) {
            caught += v;
        } catch (const std::exception &e) {
            caught += 1000;
        }
    }
    return caught;
}

int main() {
    // 1. a class type through several frames, destructors run innermost first
    try {
        deep(3);
    } catch (const AppError &e) {
        std::printf("caught AppError %d: %s (live %d)\n", e.code, e.what.c_str(), live_objects);
    }

    // 2. the library throws: vector::at and std::stoi
    std::vector<int> v{1, 2, 3};
    try {
        std::printf("at(1) = %d\n", v.at(1));
        std::printf("at(5) = %d\n", v.at(5));
    } catch (const std::out_of_range &) {
        std::printf("caught out_of_range\n");
    }
    try {
        std::printf("stoi(\"123\") = %d\n", parse("123"));
        parse("not a number");
    } catch (const std::invalid_argument &) {
        std::printf("caught invalid_argument from stoi\n");
    }
    try {
        parse("99999999999999999999");
    } catch (const std::out_of_range &) {
        std::printf("caught out_of_range from stoi\n");
    }

    // 3. rethrow, caught by a base-class handler with the derived object intact
    try {
        rethrower();
    } catch (const Base &b) {
        const Derived *d = dynamic_cast<const Derived *>(&b);
        std::printf("main caught %s extra=%d\n", b.what(), d ? d->extra : -1);
    }

    // 4. catch(...) and a cleanup-only frame (unique_ptr)
    try {
        auto p = std::make_unique<Tracked>("owned by unique_ptr");
        throw 3.5;
    } catch (...) {
        std::printf("caught something (live %d)\n", live_objects);
    }

    // 5. an exception thrown inside a catch handler
    try {
        try {
            throw std::logic_error("first");
        } catch (const std::logic_error &e) {
            std::printf("inner caught %s\n", e.what());
            throw std::runtime_error("second");
        }
    } catch (const std::runtime_error &e) {
        std::printf("outer caught %s\n", e.what());
    }

    // 6. many throws in a loop
    std::printf("count_catches = %d\n", count_catches(300));

    // 7. std::exception_ptr
    std::exception_ptr saved;
    try {
        throw std::domain_error("kept for later");
    } catch (...) {
        saved = std::current_exception();
    }
    try {
        std::rethrow_exception(saved);
    } catch (const std::domain_error &e) {
        std::printf("rethrown exception_ptr: %s\n", e.what());
    }

    std::printf("live objects at end: %d\n", live_objects);
    std::fflush(stdout);
    return 0;
}
