/* Hostile guest: every name of the runtime's own memory file, and a forked child's, must be
 * refused (-EACCES), decided on what is opened, not on how it is spelled. Ordinary /proc files
 * still open.
 *
 * usage: hostile_procmem SCRATCH_DIR   (prints one line per attempt: name=result) */
#include "wali_test.h"

static char buf[256];

/* dst = a + decimal(v) + b */
static const char *cat(const char *a, long long v, const char *b) {
    char *p = buf;
    while (*a) *p++ = *a++;
    char digits[21];
    int i = 20;
    digits[i] = 0;
    do digits[--i] = (char)('0' + v % 10); while (v /= 10);
    for (char *d = digits + i; *d;) *p++ = *d++;
    while (*b) *p++ = *b++;
    *p = 0;
    return buf;
}

/* Opens path with flags; prints label=result (an fd becomes "fd"), closes what it got. */
static void try_open(const char *label, int dirfd, const char *path, int flags) {
    long long r = wali_sys_openat(dirfd, path, flags, 0600);
    print(label);
    print_char('=');
    if (r >= 0) {
        print("fd\n");
        wali_sys_close((int)r);
    } else {
        print_int(r);
        print_char('\n');
    }
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    long long pid = wali_sys_getpid(), tid = wali_sys_gettid();
    const char *plain[] = {
        "/proc/self/mem", "//proc/self/mem", "/proc//self/mem", "/proc/./self/mem", "/proc/self/../self/mem",
        "/../proc/self/mem", "/proc/thread-self/mem", "/proc/self/pagemap", 0,
    };
    for (int i = 0; plain[i]; i++) try_open(plain[i], AT_FDCWD, plain[i], O_RDWR);
    try_open("pid_mem", AT_FDCWD, cat("/proc/", pid, "/mem"), O_RDWR);
    try_open("pid_mem_rdonly", AT_FDCWD, cat("/proc/", pid, "/mem"), O_RDONLY);
    try_open("self_task_mem", AT_FDCWD, cat("/proc/self/task/", tid, "/mem"), O_RDWR);
    char task[64];
    wali_memcpy(task, cat("/task/", tid, "/mem"), 32);
    try_open("pid_task_mem", AT_FDCWD, cat("/proc/", pid, task), O_RDWR);

    int proc_self = (int)MUST(wali_sys_openat(AT_FDCWD, "/proc/self", O_RDONLY | O_DIRECTORY, 0));
    try_open("dirfd_mem", proc_self, "mem", O_RDWR);
    try_open("dirfd_status", proc_self, "status", O_RDONLY);
    wali_sys_close(proc_self);

    /* A symlink in the scratch directory. */
    const char *dir = argv[1];
    char link[200];
    wali_size_t n = wali_strlen(dir);
    wali_memcpy(link, dir, n);
    wali_memcpy(link + n, "/memlink", 9);
    wali_sys_unlinkat(AT_FDCWD, link, 0);
    MUST(wali_sys_symlinkat("/proc/self/mem", AT_FDCWD, link));
    try_open("symlink", AT_FDCWD, link, O_RDWR);
    try_open("symlink_creat", AT_FDCWD, link, O_RDWR | O_CREAT);

    /* chdir into /proc/self, then a relative name. */
    int cwd = (int)MUST(wali_sys_openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY, 0));
    MUST(wali_sys_chdir("/proc/self"));
    try_open("chdir_mem", AT_FDCWD, "mem", O_RDWR);
    MUST(wali_sys_fchdir(cwd));

    /* A forked child's memory, opened by the parent. */
    int pipefd[2];
    MUST(wali_sys_pipe2(pipefd, 0));
    long long child = MUST(wali_sys_fork());
    if (child == 0) {
        char c;
        wali_sys_read(pipefd[0], &c, 1); /* wait until the parent is done */
        wali_proc_exit(0);
    }
    try_open("child_mem", AT_FDCWD, cat("/proc/", child, "/mem"), O_RDWR);
    try_open("child_status", AT_FDCWD, cat("/proc/", child, "/status"), O_RDONLY);
    wali_sys_write(pipefd[1], "x", 1);
    int status = 0;
    MUST(wali_sys_wait4((int)child, &status, 0, 0));
    print_kv("child_exit", WALI_WEXITSTATUS(status));

    try_open("proc_self_status", AT_FDCWD, "/proc/self/status", O_RDONLY);
    try_open("proc_self_maps", AT_FDCWD, "/proc/self/maps", O_RDONLY);
    return 0;
}
