/* wali_test.h - small helpers shared by the syscall test guests (hand-written; wali.h is generated).
 *
 * Every helper prints only values that are the same in the native and the WALI build of a guest, so
 * the test harness can compare stdout byte for byte.
 */
#ifndef CWALI_WALI_TEST_H
#define CWALI_WALI_TEST_H

#include "wali.h"

/* A pointer no call can use: beyond the end of linear memory in the WALI build (memory is far below
 * 4 GiB), a kernel address natively. Both make the kernel (or cwali's range check) answer -EFAULT. */
#if defined(__wasm__)
#define BAD_PTR ((void *)0xFFFFFFF0u)
#else
#define BAD_PTR ((void *)0xFFFFFFFFFFFFF000ull)
#endif

/* Prints "label=value". */
static inline void say(const char *label, long long v) { print_kv(label, v); }

/* SAY(expr): prints "expr=value" with the expression's source text as the label. */
#define SAY(expr) say(#expr, (long long)(expr))

/* MUST(expr): the call must succeed (result >= 0); returns the result. */
#define MUST(expr) wali_test_must((long long)(expr), #expr, __LINE__)
static inline long long wali_test_must(long long r, const char *what, int line) {
    if (r < 0) {
        eprint("MUST failed: ");
        eprint(what);
        eprint(" = ");
        fprint_int(2, r);
        eprint(" (line ");
        fprint_int(2, line);
        eprint(")\n");
        wali_proc_exit(WALI_CHECK_FAILED_STATUS);
    }
    return r;
}

/* Prints "label=text" (text may be cut at n bytes, need not be NUL-terminated). */
static inline void say_str(const char *label, const char *s, long long n) {
    print(label);
    print_char('=');
    if (n < 0) n = (long long)wali_strlen(s);
    if (n > 0) wali_write_all(1, s, (wali_size_t)n);
    print_char('\n');
}

/* Creates (truncates) `path` with `content`, mode 0644; returns 0. */
static inline int put_file(const char *path, const char *content) {
    int fd = (int)MUST(wali_sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    MUST(wali_write_all(fd, content, wali_strlen(content)));
    MUST(wali_sys_close(fd));
    return 0;
}

#endif
