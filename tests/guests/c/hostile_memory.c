/* Hostile guest: memory-management calls that would break the runtime are refused, the rest
 * keep working.
 * - madvise: advice that keeps contents and mappings works; DONTFORK (then fork: the child would
 *   find host allocations in linear memory), DOFORK, WIPEONFORK, KEEPONFORK, guard pages and
 *   poisoning are -EINVAL, and a forked child still sees its memory.
 * - linear memory is never code: mprotect/mmap with PROT_EXEC are -EACCES. */
#include "wali_test.h"

#define PAGE 4096

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    char *p = (char *)wali_sys_mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    WALI_CHECK((long long)p > 0);
    for (int i = 0; i < 8 * PAGE; i++) p[i] = (char)(i * 7);

    static const int good[] = {0, 1, 2, 3, 14, 15, 16, 17, 20, 22, 23};
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
        print("madvise_ok ");
        print_int(good[i]);
        print_kv("", wali_sys_madvise(p, 8 * PAGE, good[i]));
    }
    static const int bad[] = {10, 11, 18, 19, 100, 101, 102, 103, 12345, -1};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print("madvise_bad ");
        print_int(bad[i]);
        print_kv("", wali_sys_madvise(p, 8 * PAGE, bad[i]));
    }
    /* Contents survived all of the above but DONTNEED-like advice (none was given). */
    int same = 1;
    for (int i = 0; i < 8 * PAGE; i++) same &= p[i] == (char)(i * 7);
    print_kv("contents_kept", same);

    long long child = MUST(wali_sys_fork());
    if (child == 0) {
        int ok = 1;
        for (int i = 0; i < 8 * PAGE; i++) ok &= p[i] == (char)(i * 7);
        for (int i = 0; i < 8 * PAGE; i++) p[i] = 0; /* writes stay the child's */
        wali_proc_exit(ok ? 42 : 1);
    }
    int status = 0;
    MUST(wali_sys_wait4((int)child, &status, 0, 0));
    print_kv("child_saw_memory", WALI_WIFEXITED(status) && WALI_WEXITSTATUS(status) == 42);
    print_kv("parent_unchanged", p[PAGE + 1] == (char)((PAGE + 1) * 7));

    print_kv("madvise_dontneed", wali_sys_madvise(p + 4 * PAGE, PAGE, MADV_DONTNEED));
    print_kv("mprotect_exec", wali_sys_mprotect(p, PAGE, PROT_READ | PROT_EXEC));
    print_kv("mprotect_rwx", wali_sys_mprotect(p, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC));
    print_kv("mprotect_growsdown", wali_sys_mprotect(p, PAGE, PROT_READ | 0x01000000));
    print_kv("mprotect_ro", wali_sys_mprotect(p, PAGE, PROT_READ));
    print_kv("mprotect_rw", wali_sys_mprotect(p, PAGE, PROT_READ | PROT_WRITE));
    print_kv("mmap_exec", wali_sys_mmap(0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    p[0] = 5;
    print_kv("still_writable", p[0]);
    return 0;
}
