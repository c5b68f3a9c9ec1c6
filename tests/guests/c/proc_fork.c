/* fork + pipe + wait4: parent and child exchange data over two pipes, the child's exit status is
 * checked with WEXITSTATUS; plus several children, nested fork, a child killed by a signal,
 * WNOHANG, rusage, getpid/getppid relations, copy-on-write memory, exit vs exit_group in a child,
 * and wait4's errors. PIDs are never printed, only relations between them. */
#include "wali.h"

static int counter = 100;

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static int read_full(int fd, void *buf, int n) {
    int got = 0;
    while (got < n) {
        long long r = wali_sys_read(fd, (char *)buf + got, n - got);
        if (r == -EINTR) continue;
        if (r <= 0) break;
        got += (int)r;
    }
    return got;
}

struct report {
    int ppid_is_parent;
    int pid_differs;
    int counter_seen;
    int len;
};

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int me = (int)wali_sys_getpid();
    int p2c[2], c2p[2];
    show("pipe p2c", wali_sys_pipe(p2c));
    show("pipe c2p", wali_sys_pipe(c2p));

    long long pid = wali_sys_fork();
    if (pid == 0) {
        /* child: read a message, send it back upper-cased with a report, exit 42 */
        wali_sys_close(p2c[1]);
        wali_sys_close(c2p[0]);
        char buf[64];
        int n = 0;
        long long r;
        while (n < (int)sizeof buf && (r = wali_sys_read(p2c[0], buf + n, sizeof buf - n)) > 0) n += (int)r;
        for (int i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 32);
        struct report rep;
        rep.ppid_is_parent = wali_sys_getppid() == me;
        rep.pid_differs = wali_sys_getpid() != me;
        rep.counter_seen = counter;
        rep.len = n;
        counter = 555; /* the parent's copy must not change */
        wali_write_all(c2p[1], &rep, sizeof rep);
        wali_write_all(c2p[1], buf, n);
        wali_sys_close(c2p[1]);
        wali_sys_exit_group(42);
    }
    show("fork ok", pid > 0);
    wali_sys_close(p2c[0]);
    wali_sys_close(c2p[1]);

    /* the child is blocked reading: WNOHANG finds nothing yet */
    int st = -1;
    show("wait4 WNOHANG while running", wali_sys_wait4((int)pid, &st, WNOHANG, 0));

    counter = 101;
    const char *msg = "hello child, please shout";
    wali_write_all(p2c[1], msg, wali_strlen(msg));
    wali_sys_close(p2c[1]);

    struct report rep;
    show("report bytes", read_full(c2p[0], &rep, sizeof rep));
    char back[64];
    int n = read_full(c2p[0], back, rep.len);
    back[n] = 0;
    print("reply: ");
    print(back);
    print("\n");
    print_kv("child's getppid is parent", rep.ppid_is_parent);
    print_kv("child's getpid differs", rep.pid_differs);
    print_kv("child saw counter", rep.counter_seen);
    print_kv("parent counter", counter);
    char extra;
    show("eof after reply", wali_sys_read(c2p[0], &extra, 1));
    wali_sys_close(c2p[0]);

    struct wali_rusage ru;
    wali_memset(&ru, 0xff, sizeof ru);
    long long w = wali_sys_wait4((int)pid, &st, 0, &ru);
    print_kv("wait4 returned child", w == pid);
    print_kv("WIFEXITED", WALI_WIFEXITED(st));
    print_kv("WEXITSTATUS", WALI_WEXITSTATUS(st));
    print_kv("rusage filled", ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
                                  ru.ru_maxrss >= 0 && ru.ru_stime.tv_usec < 1000000);

    /* three children, statuses 10, 11, 12, reaped in any order */
    for (int i = 0; i < 3; i++) {
        long long c = wali_sys_fork();
        if (c == 0) wali_sys_exit_group(10 + i);
    }
    int total = 0, reaped = 0;
    for (int i = 0; i < 3; i++) {
        if (wali_sys_wait4(-1, &st, 0, 0) > 0) {
            reaped++;
            total += WALI_WEXITSTATUS(st);
        }
    }
    print_kv("reaped", reaped);
    print_kv("status sum", total);
    show("wait4 no children", wali_sys_wait4(-1, &st, 0, 0));
    show("wait4 WNOHANG no children", wali_sys_wait4(-1, &st, WNOHANG, 0));
    show("wait4 bad options", wali_sys_wait4(-1, &st, 0x12345678, 0));
    show("wait4 not our child", wali_sys_wait4(1, &st, 0, 0));

    /* nested: the child waits for a grandchild and adds one to its status */
    long long c = wali_sys_fork();
    if (c == 0) {
        long long g = wali_sys_fork();
        if (g == 0) wali_sys_exit_group(20);
        int gs = 0;
        wali_sys_wait4((int)g, &gs, 0, 0);
        wali_sys_exit_group(WALI_WEXITSTATUS(gs) + 1);
    }
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("nested status", WALI_WEXITSTATUS(st));

    /* SYS_exit in a single-threaded child ends the process with that status */
    c = wali_sys_fork();
    if (c == 0) wali_sys_exit(33);
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("exit() child status", WALI_WEXITSTATUS(st));

    /* status is taken & 0xff */
    c = wali_sys_fork();
    if (c == 0) wali_sys_exit_group(256 + 7);
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("263 & 0xff", WALI_WEXITSTATUS(st));

    /* killed by a signal */
    c = wali_sys_fork();
    if (c == 0) {
        uint64_t none = 0;
        for (;;) wali_sys_rt_sigsuspend(&none, 8);
    }
    show("kill child", wali_sys_kill((int)c, SIGKILL));
    wali_sys_wait4((int)c, &st, 0, 0);
    print_kv("WIFSIGNALED", WALI_WIFSIGNALED(st));
    print_kv("WTERMSIG", WALI_WTERMSIG(st));

    /* fork's failure path cannot be provoked portably; both results are covered above */
    return 0;
}
