/* execve: native programs (/bin/echo, /bin/sh -c with an environment), another of our guests
 * (its .wasm under cwali, which cwali runs by re-executing itself; its native build natively:
 * the test passes the path as argv[1]), error paths, and finally replacing this very process.
 *
 * usage: proc_exec TARGET, TARGET being proc_exec_target's .wasm (cwali) or native build. */
#include "wali.h"

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static char *utoa(unsigned long long v, char *buf) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = (char)('0' + v % 10); while (v /= 10);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

/* Fork, execve(path, argv, envp) in the child (exit 127 if it fails), wait; print the status. */
static void run(const char *what, const char *path, char *const *argv, char *const *envp) {
    long long pid = wali_sys_fork();
    if (pid == 0) {
        long long r = wali_sys_execve(path, argv, envp);
        print("execve failed: ");
        print_int(r);
        print("\n");
        wali_sys_exit_group(127);
    }
    int st = 0;
    long long w = wali_sys_wait4((int)pid, &st, 0, 0);
    print(what);
    if (w != pid)
        print(": wait failed\n");
    else if (WALI_WIFEXITED(st)) {
        print(": exit ");
        print_int(WALI_WEXITSTATUS(st));
        print("\n");
    } else {
        print(": signal ");
        print_int(WALI_WTERMSIG(st));
        print("\n");
    }
}

/* execve of a program that prints its own pid as argv[1] for the target to compare */
static void run_target(const char *target) {
    long long pid = wali_sys_fork();
    if (pid == 0) {
        char pidbuf[24];
        utoa((unsigned long long)wali_sys_getpid(), pidbuf);
        char *argv[] = {(char *)target, pidbuf, "one", "two words", "", "last", 0};
        char *envp[] = {"TARGET_ENV=1", 0};
        long long r = wali_sys_execve(target, argv, envp);
        print("execve target failed: ");
        print_int(r);
        print("\n");
        wali_sys_exit_group(127);
    }
    int st = 0;
    wali_sys_wait4((int)pid, &st, 0, 0);
    print_kv("target exit", WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print("usage: proc_exec TARGET\n");
        return 2;
    }
    const char *target = argv[1];

    char *echo_argv[] = {"echo", "hello", "from", "echo", 0};
    char *empty_env[] = {0};
    run("echo", "/bin/echo", echo_argv, empty_env);

    char *sh_argv[] = {"sh", "-c", "echo \"sh says $FOO, $#, $0\"; exit 7", "zero", 0};
    char *sh_env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", 0};
    run("sh", "/bin/sh", sh_argv, sh_env);

    /* a NULL envp is an empty environment on Linux */
    char *env_argv[] = {"sh", "-c", "echo \"FOO is '${FOO-unset}'\"", 0};
    run("sh null envp", "/bin/sh", env_argv, 0);

    run_target(target);

    /* errors, in this process (execve returns) */
    char *one[] = {"x", 0};
    show("execve missing", wali_sys_execve("./does-not-exist", one, empty_env));
    show("execve directory", wali_sys_execve("/", one, empty_env));
    show("execve empty path", wali_sys_execve("", one, empty_env));
    show("execve bad path ptr", wali_sys_execve((const char *)(uintptr_t)0xFFFFFFF0u, one, empty_env));
    show("execve bad argv", wali_sys_execve("/bin/echo", (char *const *)(uintptr_t)0xFFFFFFF0u, empty_env));
    show("execve bad envp", wali_sys_execve("/bin/echo", one, (char *const *)(uintptr_t)0xFFFFFFF0u));
    int fd = (int)wali_sys_open("not-executable", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    wali_write_all(fd, "#!/bin/sh\necho no\n", 18);
    wali_sys_close(fd);
    show("execve not executable", wali_sys_execve("./not-executable", one, empty_env));
    fd = (int)wali_sys_open("garbage", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    wali_write_all(fd, "\x01\x02\x03\x04garbage", 11);
    wali_sys_close(fd);
    run("garbage in child", "./garbage", one, empty_env);
    wali_sys_unlink("not-executable");
    wali_sys_unlink("garbage");

    /* finally replace this process: the runtime and all goes, sh's status is ours */
    char *last_argv[] = {"sh", "-c", "echo replaced; exit 5", 0};
    long long r = wali_sys_execve("/bin/sh", last_argv, empty_env);
    show("final execve failed", r);
    return 1;
}
