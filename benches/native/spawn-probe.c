/* spawn-probe: runs a command and prints "<wall ns> <peak RSS KiB> <CPU ns>" for it on stdout
 * (CPU: user + system time of the child, from the same rusage).
 *
 * The start-up benchmark spawns its programs through this small process rather than from the
 * bench binary itself: a forked child's ru_maxrss starts at the RSS of the process it was forked
 * from (Linux carries the pre-exec high-water mark over exec), which for the bench binary is
 * hundreds of MiB. The program's own stdout goes to /dev/null.
 *
 * usage: spawn-probe PROGRAM [ARGS...] */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: spawn-probe PROGRAM [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 1);
        execv(argv[1], argv + 1);
        perror("execv");
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn-probe: %s failed (wait status %#x)\n", argv[1], status);
        return 1;
    }
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    long long cpu = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                    (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    printf("%lld %ld %lld\n", ns, ru.ru_maxrss, cpu);
    return 0;
}
