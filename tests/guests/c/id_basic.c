/* Process identity: getpid, getppid, gettid, the uid/gid getters and setters, getgroups/setgroups,
 * setpgid/getpgid/getsid/setsid, prctl(PR_SET_NAME/PR_GET_NAME), set_tid_address.
 *
 * usage: id_basic PARENT_PID   (the test passes its own pid, for getppid)
 *        id_basic prctl-other  (prints prctl results for options WALI restricts, §15)
 *        id_basic groups-bad-size  (get/setgroups with counts the kernel rejects)
 * Both builds run as the same user, so uids/gids are printed; pids only as relations. Setting ids
 * to their current values succeeds for anyone; as root, forked children also drop privileges
 * (setgroups + setres[gu]id / setre[gu]id / set[gu]id to 65534) and check that they cannot get
 * them back. */
#include "wali.h"

#define NOBODY 65534

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}

static long long to_int(const char *s) {
    long long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

static void *BAD = (void *)(uintptr_t)0xFFFFFFF0u;

/* Child after dropping privileges: report ids and that root cannot be regained. */
static int dropped_checks(int parent) {
    int bad = 0;
    bad |= (wali_sys_getuid() != NOBODY) << 0;
    bad |= (wali_sys_geteuid() != NOBODY) << 1;
    bad |= (wali_sys_getgid() != NOBODY) << 2;
    bad |= (wali_sys_getegid() != NOBODY) << 3;
    bad |= (wali_sys_setuid(0) != -EPERM) << 4;
    bad |= (wali_sys_setgid(0) != -EPERM) << 5;
    bad |= (wali_sys_setreuid(0, 0) != -EPERM) << 6;
    bad |= (wali_sys_setresgid(0, 0, 0) != -EPERM) << 7;
    unsigned int g = 0;
    bad |= (wali_sys_setgroups(1, &g) != -EPERM) << 8;
    bad |= (wali_sys_getgroups(0, 0) != 0) << 9;
    bad |= (wali_sys_kill(parent, 0) != -EPERM) << 10;
    /* setting to the current ids still works */
    bad |= (wali_sys_setuid(NOBODY) != 0) << 11;
    bad |= (wali_sys_setresuid(-1, NOBODY, -1) != 0) << 12;
    return bad;
}

static int wait_status(long long pid) {
    int st = 0;
    if (wali_sys_wait4((int)pid, &st, 0, 0) != pid) return -1;
    return WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : 1000 + WALI_WTERMSIG(st);
}

static void prctl_other(void) {
    /* WALI allows only PR_SET_NAME/PR_GET_NAME; natively these succeed */
    show("PR_GET_DUMPABLE", wali_sys_prctl(3, 0, 0, 0, 0));
    show("PR_SET_PDEATHSIG", wali_sys_prctl(1, 0, 0, 0, 0));
}

int main(int argc, char **argv) {
    if (argc > 1 && wali_streq(argv[1], "prctl-other")) {
        prctl_other();
        return 0;
    }
    if (argc > 1 && wali_streq(argv[1], "groups-bad-size")) {
        /* The kernel takes the count as an int and checks it before the list: EINVAL. */
        unsigned int groups[4];
        show("getgroups negative size", wali_sys_getgroups((wali_size_t)-1, groups));
        show("setgroups too many", wali_sys_setgroups(100000, groups));
        return 0;
    }
    int me = (int)wali_sys_getpid();
    print_kv("getpid positive", me > 0);
    print_kv("getpid stable", wali_sys_getpid() == me);
    print_kv("gettid positive", wali_sys_gettid() > 0);
    if (argc > 1) print_kv("getppid is the test", wali_sys_getppid() == to_int(argv[1]));

    /* ids */
    long long uid = wali_sys_getuid(), euid = wali_sys_geteuid(), gid = wali_sys_getgid(), egid = wali_sys_getegid();
    print_kv("uid", uid);
    print_kv("euid", euid);
    print_kv("gid", gid);
    print_kv("egid", egid);
    show("setuid same", wali_sys_setuid((unsigned)uid));
    show("setgid same", wali_sys_setgid((unsigned)gid));
    show("setreuid -1 -1", wali_sys_setreuid(-1, -1));
    show("setregid -1 -1", wali_sys_setregid(-1, -1));
    show("setreuid same", wali_sys_setreuid((unsigned)uid, (unsigned)euid));
    show("setregid same", wali_sys_setregid((unsigned)gid, (unsigned)egid));
    show("setresuid -1", wali_sys_setresuid(-1, -1, -1));
    show("setresgid -1", wali_sys_setresgid(-1, -1, -1));
    show("setresuid same", wali_sys_setresuid((unsigned)uid, (unsigned)euid, -1));
    show("setresgid same", wali_sys_setresgid((unsigned)gid, (unsigned)egid, -1));
    print_kv("ids unchanged", wali_sys_getuid() == uid && wali_sys_geteuid() == euid && wali_sys_getgid() == gid &&
                                  wali_sys_getegid() == egid);

    /* groups */
    long long n = wali_sys_getgroups(0, 0);
    print_kv("getgroups count", n);
    unsigned int groups[256];
    if (n > 256) n = 256;
    show("getgroups", wali_sys_getgroups((wali_size_t)n, groups));
    for (int i = 0; i < n; i++) print_kv("group", groups[i]);
    if (n > 0) {
        show("getgroups too small", wali_sys_getgroups((wali_size_t)(n - 1), groups));
        show("getgroups bad ptr", wali_sys_getgroups((wali_size_t)n, BAD));
    }
    show("setgroups same", wali_sys_setgroups((wali_size_t)n, groups));
    if (euid == 0) show("setgroups bad ptr", wali_sys_setgroups(2, BAD));
    print_kv("groups unchanged", wali_sys_getgroups(0, 0) == n);

    /* privilege drops in children (root only; otherwise the setters fail with EPERM, shown above) */
    if (euid == 0) {
        long long c = wali_sys_fork();
        if (c == 0) {
            int r = (int)wali_sys_setgroups(0, 0);
            r |= (int)wali_sys_setresgid(NOBODY, NOBODY, NOBODY);
            r |= (int)wali_sys_setresuid(NOBODY, NOBODY, NOBODY);
            wali_sys_exit_group(r ? 99 : dropped_checks(me));
        }
        print_kv("drop with setres*id, failed checks", wait_status(c));
        c = wali_sys_fork();
        if (c == 0) {
            int r = (int)wali_sys_setgroups(0, 0);
            r |= (int)wali_sys_setregid(NOBODY, NOBODY);
            r |= (int)wali_sys_setreuid(NOBODY, NOBODY);
            wali_sys_exit_group(r ? 99 : dropped_checks(me));
        }
        print_kv("drop with setre*id, failed checks", wait_status(c));
        c = wali_sys_fork();
        if (c == 0) {
            int r = (int)wali_sys_setgroups(0, 0);
            r |= (int)wali_sys_setgid(NOBODY);
            r |= (int)wali_sys_setuid(NOBODY);
            wali_sys_exit_group(r ? 99 : dropped_checks(me));
        }
        print_kv("drop with set*id, failed checks", wait_status(c));
        c = wali_sys_fork();
        if (c == 0) {
            /* effective only: the real uid stays 0, so it can switch back */
            int r = (int)wali_sys_setresuid(-1, NOBODY, -1);
            int ok = r == 0 && wali_sys_geteuid() == NOBODY && wali_sys_getuid() == 0 &&
                     wali_sys_setgid(NOBODY) == -EPERM && wali_sys_setresuid(-1, 0, -1) == 0 && wali_sys_geteuid() == 0;
            wali_sys_exit_group(ok ? 0 : 1);
        }
        print_kv("effective-only drop", wait_status(c));
    } else {
        show("setuid root (unprivileged)", wali_sys_setuid(0));
    }

    /* process groups and sessions */
    print_kv("getpgid(0) == getpgid(me)", wali_sys_getpgid(0) == wali_sys_getpgid(me));
    print_kv("getsid(0) == getsid(me)", wali_sys_getsid(0) == wali_sys_getsid(me));
    print_kv("not a group leader", wali_sys_getpgid(0) != me);
    show("getpgid no such pid", wali_sys_getpgid(0x3ffffff0));
    show("getsid no such pid", wali_sys_getsid(0x3ffffff0));
    show("setpgid negative pgid", wali_sys_setpgid(0, -1));
    show("setpgid no such pid", wali_sys_setpgid(0x3ffffff0, 0));

    long long c = wali_sys_fork();
    if (c == 0) {
        int self = (int)wali_sys_getpid();
        int bad = 0;
        bad |= (wali_sys_setsid() != self) << 0;
        bad |= (wali_sys_getsid(0) != self) << 1;
        bad |= (wali_sys_getpgid(0) != self) << 2;
        bad |= (wali_sys_setsid() != -EPERM) << 3;
        bad |= (wali_sys_setpgid(0, 0) != -EPERM) << 4;
        wali_sys_exit_group(bad);
    }
    print_kv("setsid child, failed checks", wait_status(c));

    int sync[2];
    WALI_CHECK(wali_sys_pipe(sync) == 0);
    c = wali_sys_fork();
    if (c == 0) {
        char x;
        wali_sys_close(sync[1]);
        wali_sys_read(sync[0], &x, 1); /* wait for the parent's setpgid */
        int self = (int)wali_sys_getpid();
        int bad = (wali_sys_getpgid(0) != self) | (wali_sys_setpgid(0, 0) != 0) << 1 | (wali_sys_getsid(0) == self) << 2;
        wali_sys_exit_group(bad);
    }
    wali_sys_close(sync[0]);
    show("setpgid child", wali_sys_setpgid((int)c, (int)c));
    print_kv("child leads its group", wali_sys_getpgid((int)c) == c);
    print_kv("child in our session", wali_sys_getsid((int)c) == wali_sys_getsid(0));
    wali_sys_close(sync[1]);
    print_kv("setpgid child, failed checks", wait_status(c));

    /* prctl: the thread name */
    show("PR_SET_NAME", wali_sys_prctl(PR_SET_NAME, (unsigned long long)(uintptr_t) "wali-id", 0, 0, 0));
    char name[16];
    wali_memset(name, 'x', sizeof name);
    show("PR_GET_NAME", wali_sys_prctl(PR_GET_NAME, (unsigned long long)(uintptr_t)name, 0, 0, 0));
    print("name: ");
    print(name);
    print("\n");
    show("PR_SET_NAME long", wali_sys_prctl(PR_SET_NAME, (unsigned long long)(uintptr_t) "0123456789abcdefXYZ", 0, 0, 0));
    wali_sys_prctl(PR_GET_NAME, (unsigned long long)(uintptr_t)name, 0, 0, 0);
    print("truncated: ");
    print(name);
    print("\n");
    show("PR_GET_NAME bad ptr", wali_sys_prctl(PR_GET_NAME, 0xFFFFFFF0u, 0, 0, 0));
    show("PR_SET_NAME bad ptr", wali_sys_prctl(PR_SET_NAME, 0xFFFFFFF0u, 0, 0, 0));

    /* set_tid_address returns the caller's tid */
    static int clear_word;
    print_kv("set_tid_address is gettid", wali_sys_set_tid_address(&clear_word) == wali_sys_gettid());
    return 0;
}
