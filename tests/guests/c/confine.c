/* What a guest under `cwali run --dir/--dir-ro/--net/--no-exec-native/--rlimit` can still do.
 * Every mode prints one line per attempt: "what=0" (or "=ok" for an fd) on success, "what=-errno"
 * on failure; tests/tests/wali_confine.rs runs each mode with and without the flags.
 *
 * usage: confine fs OUTSIDE_FILE RO_DIR RW_DIR   files outside, under --dir-ro, under --dir
 *        confine cat FILE                        print FILE (a --dir HOST::GUEST mapping)
 *        confine net PORT                        the test's 127.0.0.1:PORT, then our own listener
 *        confine exec SELF_WASM [INTERP]         /bin/sh, INTERP /bin/sh, and SELF_WASM child
 *        confine child                           (exec'd by `exec`) print the environment file
 *        confine sh CMD                          /bin/sh -c CMD (native programs run by a guest)
 *        confine rlimit                          RLIMIT_NOFILE/CORE as seen, and enforced
 *
 * wali.h's _start leaves the environment empty, so `child` reads the environment file itself. */
#include "wali.h"


struct sockaddr_in {
    uint16_t sin_family;
    uint16_t sin_port; /* network order */
    uint32_t sin_addr; /* network order */
    uint8_t sin_zero[8];
};

static uint16_t swap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static void show_fd(const char *what, long long r) {
    print(what);
    print("=");
    if (r >= 0)
        print("ok");
    else
        print_int(r);
    print("\n");
}

/* dst = a + "/" + b */
static char *join(char *dst, const char *a, const char *b) {
    wali_size_t n = wali_strlen(a);
    wali_memcpy(dst, a, n);
    dst[n] = '/';
    wali_size_t m = wali_strlen(b);
    wali_memcpy(dst + n + 1, b, m + 1);
    return dst;
}

static long long to_int(const char *s) {
    long long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

static long long open_close(const char *path, int flags) {
    long long fd = wali_sys_open(path, flags, 0644);
    if (fd >= 0) wali_sys_close((int)fd);
    return fd;
}

static int fs(const char *outside, const char *ro, const char *rw) {
    char a[512], b[512];
    show_fd("read outside", open_close(outside, O_RDONLY));
    show_fd("read ro", open_close(join(a, ro, "data"), O_RDONLY));
    show_fd("write ro", open_close(join(a, ro, "data"), O_WRONLY));
    long long r = open_close(join(a, ro, "new"), O_WRONLY | O_CREAT);
    show_fd("create in ro", r);
    if (r >= 0) wali_sys_unlink(a);
    show("mkdir in rw", wali_sys_mkdir(join(a, rw, "sub"), 0755));
    show_fd("create in rw", open_close(join(b, a, "f"), O_WRONLY | O_CREAT));
    show("unlink in rw", wali_sys_unlink(b));
    show("rmdir in rw", wali_sys_rmdir(a));
    show_fd("dev null", open_close("/dev/null", O_WRONLY | O_TRUNC));
    show_fd("proc self", open_close("/proc/self/status", O_RDONLY));
    return 0;
}

static int cat(const char *path) {
    long long fd = wali_sys_open(path, O_RDONLY, 0);
    show_fd("open", fd);
    if (fd < 0) return 1;
    char buf[256];
    long long n;
    while ((n = wali_sys_read((int)fd, buf, sizeof buf)) > 0) wali_write_all(1, buf, (wali_size_t)n);
    return 0;
}

static struct sockaddr_in loopback(uint16_t port) {
    struct sockaddr_in a;
    wali_memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = swap16(port);
    a.sin_addr = 0x0100007f; /* 127.0.0.1 in network order */
    return a;
}

static int net(uint16_t port) {
    struct sockaddr_in host = loopback(port);
    long long s = wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show_fd("socket", s);
    show("connect host", wali_sys_connect((int)s, &host, sizeof host));
    /* our own listener on 127.0.0.1 (a connect completes in the backlog, no accept needed) */
    long long l = wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in own = loopback(0);
    show("bind own", wali_sys_bind((int)l, &own, sizeof own));
    show("listen own", wali_sys_listen((int)l, 4));
    unsigned int len = sizeof own;
    wali_sys_getsockname((int)l, &own, &len);
    own.sin_addr = 0x0100007f;
    long long c = wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("connect own", wali_sys_connect((int)c, &own, sizeof own));
    return 0;
}

/* fork, execve in the child (it prints the error and exits 127 if that fails), wait */
static void run(const char *what, const char *path, char *const *argv, char *const *envp) {
    long long pid = wali_sys_fork();
    if (pid == 0) {
        long long r = wali_sys_execve(path, argv, envp);
        print(what);
        show(" execve", r);
        wali_sys_exit_group(127);
    }
    int st = 0;
    wali_sys_wait4((int)pid, &st, 0, 0);
    print(what);
    show(" exit", WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : -WALI_WTERMSIG(st));
}

static int exec(const char *self, const char *interp) {
    char *env[] = {"CONFINE_ENV=handed over", 0};
    char *sh[] = {"sh", "-c", "exit 3", 0};
    run("sh", "/bin/sh", sh, env);
    if (interp) {
        char *ld[] = {(char *)interp, "/bin/sh", "-c", "exit 4", 0};
        run("ld.so", interp, ld, env);
    }
    char *child[] = {(char *)self, "child", 0};
    run("wasm", self, child, env);
    return 0;
}

static int sh(const char *cmd) {
    char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", 0};
    char *argv[] = {"sh", "-c", (char *)cmd, 0};
    run("sh", "/bin/sh", argv, env);
    return 0;
}

static int child(void) {
    char path[512];
    int r = wali_get_init_envfile(path, sizeof path);
    show("child envfile", r);
    /* outside every --dir tree: the exec'd cwali is still confined */
    show_fd("child reads /etc/passwd", open_close("/etc/passwd", O_RDONLY));
    if (r != 1) return 9;
    return cat(path) == 0 ? 8 : 9;
}

static int rlimit(void) {
    struct wali_rlimit rl;
    wali_sys_getrlimit(RLIMIT_NOFILE, &rl);
    show("nofile cur", (long long)rl.rlim_cur);
    show("nofile max", (long long)rl.rlim_max);
    wali_sys_getrlimit(RLIMIT_CORE, &rl);
    show("core cur", (long long)rl.rlim_cur);
    long long fd, last = -1;
    int n;
    for (n = 0; n < 300 && (fd = wali_sys_open("/dev/null", O_RDONLY, 0)) >= 0; n++) last = fd;
    show("open stopped with", n < 300 ? fd : 0);
    if (n < 300) show("last fd", last);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 5 && !wali_strcmp(argv[1], "fs")) return fs(argv[2], argv[3], argv[4]);
    if (argc >= 3 && !wali_strcmp(argv[1], "cat")) return cat(argv[2]) * 0; /* the output tells */
    if (argc >= 3 && !wali_strcmp(argv[1], "net")) return net((uint16_t)to_int(argv[2]));
    if (argc >= 3 && !wali_strcmp(argv[1], "exec")) return exec(argv[2], argc >= 4 ? argv[3] : 0);
    if (argc >= 2 && !wali_strcmp(argv[1], "child")) return child();
    if (argc >= 3 && !wali_strcmp(argv[1], "sh")) return sh(argv[2]);
    if (argc >= 2 && !wali_strcmp(argv[1], "rlimit")) return rlimit();
    print("usage: confine fs|cat|net|exec|child|sh|rlimit ...\n");
    return 2;
}
