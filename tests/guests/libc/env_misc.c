/* Environment and argv, getrandom, resource limits, identity and /proc/self reads through the
 * libc. The test runs it with a known, small environment (FOO=bar, EMPTY=, LIST=a:b). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]='%s' len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL=%d\n", argv[argc] == NULL);

    int n = 0;
    while (environ[n]) n++;
    char **sorted = malloc(n * sizeof *sorted);
    memcpy(sorted, environ, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp);
    for (int i = 0; i < n; i++) printf("env: %s\n", sorted[i]);
    free(sorted);
    printf("getenv FOO=%s EMPTY='%s' MISSING is NULL=%d\n", getenv("FOO"), getenv("EMPTY"), getenv("MISSING") == NULL);
    setenv("NEW", "1", 0);
    setenv("FOO", "not replaced", 0);
    setenv("LIST", "replaced", 1);
    putenv("PUT=yes");
    unsetenv("EMPTY");
    printf("after: FOO=%s LIST=%s NEW=%s PUT=%s EMPTY is NULL=%d\n", getenv("FOO"), getenv("LIST"), getenv("NEW"),
           getenv("PUT"), getenv("EMPTY") == NULL);
    int bad_name = setenv("A=B", "x", 1);
    printf("setenv with '=' in name=%d %s\n", bad_name, errno == EINVAL ? "EINVAL" : "?");
    clearenv();
    printf("after clearenv: environ empty=%d FOO is NULL=%d\n", environ == NULL || environ[0] == NULL, getenv("FOO") == NULL);

    unsigned char r1[32], r2[32];
    ssize_t g1 = getrandom(r1, sizeof r1, 0);
    ssize_t g2 = getrandom(r2, sizeof r2, GRND_NONBLOCK);
    printf("getrandom=%zd %zd differ=%d\n", g1, g2, memcmp(r1, r2, sizeof r1) != 0);
    static unsigned char big[100000]; /* static: the wasm shadow stack is 64 KiB by default */
    ssize_t gb = getrandom(big, sizeof big, 0);
    int zeros = 0;
    for (size_t i = 0; i < sizeof big; i++) zeros += big[i] == 0;
    printf("getrandom big=%d plausible=%d\n", gb > 0, zeros < (int)(gb / 128));
    printf("getentropy=%d\n", getentropy(r1, sizeof r1));

    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("nofile soft<=hard: %d\n", rl.rlim_cur <= rl.rlim_max);
    struct rlimit low = {16, rl.rlim_max};
    printf("lower nofile=%d\n", setrlimit(RLIMIT_NOFILE, &low));
    int opened = 0, last_errno = 0;
    int fds[64];
    for (int i = 0; i < 64; i++) {
        fds[i] = open("/dev/null", O_RDONLY);
        if (fds[i] < 0) {
            last_errno = errno;
            break;
        }
        opened++;
    }
    printf("opened until the limit: all below 16=%d stopped with EMFILE=%d\n", opened <= 13, last_errno == EMFILE);
    for (int i = 0; i < opened; i++) close(fds[i]);
    setrlimit(RLIMIT_NOFILE, &rl);
    struct rlimit stack;
    printf("stack limit readable=%d\n", getrlimit(RLIMIT_STACK, &stack) == 0);
    struct rlimit inverted = {rl.rlim_max, 1};
    int bad_limit = setrlimit(RLIMIT_NOFILE, &inverted);
    printf("soft above hard=%d %s\n", bad_limit, errno == EINVAL ? "EINVAL" : "?");
    struct rusage ru;
    printf("getrusage=%d\n", getrusage(RUSAGE_SELF, &ru));

    struct utsname u;
    uname(&u);
    printf("uname sysname=%s\n", u.sysname);
    printf("sysconf pagesize=%ld open_max>0=%d\n", sysconf(_SC_PAGESIZE), sysconf(_SC_OPEN_MAX) > 0);

    /* /proc/self: our pid, our open files, our status. */
    char path[64], link[256];
    int fd = open("/dev/null", O_RDONLY);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t ln = readlink(path, link, sizeof link - 1);
    link[ln > 0 ? ln : 0] = 0;
    printf("/proc/self/fd/N -> %s\n", link);
    close(fd);
    FILE *f = fopen("/proc/self/stat", "r");
    long pid = 0;
    if (f && fscanf(f, "%ld", &pid) == 1) printf("/proc/self/stat pid matches=%d\n", pid == getpid());
    if (f) fclose(f);
    f = fopen("/proc/self/status", "r");
    char line[256];
    int pid_line = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Pid:", 4)) pid_line = atol(line + 4) == getpid();
    if (f) fclose(f);
    printf("/proc/self/status Pid matches=%d\n", pid_line);
    char cwd[256], self_cwd[256];
    getcwd(cwd, sizeof cwd);
    ln = readlink("/proc/self/cwd", self_cwd, sizeof self_cwd - 1);
    self_cwd[ln > 0 ? ln : 0] = 0;
    printf("/proc/self/cwd matches getcwd=%d\n", strcmp(cwd, self_cwd) == 0);
    printf("getpid==getppid of nobody: pid>1=%d ppid>0=%d\n", getpid() > 1, getppid() > 0);
    return 0;
}
