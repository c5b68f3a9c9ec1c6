/* Hostile guest: every call whose arguments the runtime itself copies (not the kernel) gets
 * -EFAULT when they lie in a page the guest made inaccessible or read-only, or in a MAP_SHARED file
 * mapping whose file it truncated: the runtime never dies of its own copy.
 *
 * usage: hostile_protect SCRATCH_DIR */
#include "wali_test.h"

#define PAGE 4096

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char *p = (char *)wali_sys_mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    WALI_CHECK((long long)p > 0);
    char *none = p, *ro = p + PAGE, *tail = p + 3 * PAGE - 1;
    wali_memcpy(none, "/tmp\0", 5);
    *tail = 'x'; /* a string that runs into an inaccessible page */
    MUST(wali_sys_mprotect(none, PAGE, PROT_NONE));
    MUST(wali_sys_mprotect(p + 3 * PAGE, PAGE, PROT_NONE));
    MUST(wali_sys_mprotect(ro, PAGE, PROT_READ));
    MUST(wali_signal(SIGUSR1, on_usr1, 0));

    /* Structures the runtime reads or writes itself. */
    SAY(wali_sys_rt_sigaction(SIGUSR1, (void *)none, 0, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_rt_sigaction(SIGUSR1, 0, (void *)ro, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_rt_sigaction(SIGSEGV, 0, (void *)none, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_sigaltstack((void *)none, 0));
    SAY(wali_sys_sigaltstack(0, (void *)ro));
    SAY(wali_sys_rt_sigprocmask(SIG_BLOCK, (void *)none, 0, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_rt_sigprocmask(SIG_BLOCK, 0, (void *)ro, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_readv(0, (void *)none, 1));
    SAY(wali_sys_writev(1, (void *)none, 1));
    SAY(wali_sys_sendmsg(1, (void *)none, 0));
    /* Strings: paths the runtime scans and copies. */
    SAY(wali_sys_open(none, O_RDONLY, 0));
    SAY(wali_sys_openat(AT_FDCWD, none, O_RDONLY, 0));
    SAY(wali_sys_openat(AT_FDCWD, tail, O_RDONLY, 0));
    SAY(wali_sys_execve(none, 0, 0));
    char *args[] = {"x", none, 0};
    SAY(wali_sys_execve("/bin/true", args, 0));
    SAY(wali_sys_execve("/bin/true", (void *)none, 0));
    /* Runtime helpers that write into guest memory. */
    SAY(wali_cl_copy_argv(none, 0));
    SAY(wali_cl_copy_argv(ro, 0));

    /* A MAP_SHARED file mapping whose file is truncated under it. */
    const char *dir = argv[1];
    char path[200];
    wali_size_t n = wali_strlen(dir);
    wali_memcpy(path, dir, n);
    wali_memcpy(path + n, "/shared", 8);
    int fd = (int)MUST(wali_sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600));
    MUST(wali_sys_ftruncate(fd, 2 * PAGE));
    char *m = (char *)wali_sys_mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    WALI_CHECK((long long)m > 0);
    wali_memcpy(m, "/tmp\0", 5);
    SAY(wali_sys_openat(AT_FDCWD, m, O_RDONLY | O_DIRECTORY, 0) >= 0);
    MUST(wali_sys_ftruncate(fd, 0));
    SAY(wali_sys_openat(AT_FDCWD, m, O_RDONLY, 0));
    SAY(wali_sys_rt_sigaction(SIGUSR1, (void *)m, 0, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_write(1, m, 4));

    /* Still alive, and the handler installed above is intact. */
    SAY(wali_sys_kill((int)wali_sys_getpid(), SIGUSR1));
    print("alive\n");
    return 0;
}
