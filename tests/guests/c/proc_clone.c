/* The fork-based paths musl's posix_spawn/system() and vfork() take under WALI: the `__clone`
 * import runs fn(arg) in a child and exits with its result, `vfork` behaves like fork. Natively
 * the same program uses fork() and runs fn(arg) in the child itself. */
#include "wali.h"

#ifdef __wasm__
__attribute__((import_module("wali"), import_name("__clone"))) int wali_clone(int (*fn)(void *), void *stack,
                                                                               int flags, void *arg, void *varargs);
__attribute__((import_module("wali"), import_name("vfork"))) int wali_vfork(void);
#else
static int wali_clone(int (*fn)(void *), void *stack, int flags, void *arg, void *varargs) {
    (void)stack;
    (void)flags;
    (void)varargs;
    long long pid = wali_sys_fork();
    if (pid == 0) wali_sys_exit_group(fn(arg));
    return (int)pid;
}
static int wali_vfork(void) { return (int)wali_sys_fork(); }
#endif

static int child_main(void *arg) {
    int *value = arg;
    print("child sees ");
    print_int(*value);
    print("\n");
    return *value + 1;
}

static int wait_status(int pid) {
    int status = 0;
    if (wali_sys_wait4(pid, &status, 0, 0) != pid) return -1;
    return WALI_WIFEXITED(status) ? WALI_WEXITSTATUS(status) : 1000 + WALI_WTERMSIG(status);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int value = 41;
    int pid = wali_clone(child_main, 0, 17 /* SIGCHLD */, &value, 0);
    if (pid <= 0) return 2;
    int status = wait_status(pid);
    print("clone child exit ");
    print_int(status);
    print("\n");

    int vpid = wali_vfork();
    if (vpid == 0) wali_sys_exit_group(7);
    status = wait_status(vpid);
    print("vfork child exit ");
    print_int(status);
    print("\n");
    return 0;
}
