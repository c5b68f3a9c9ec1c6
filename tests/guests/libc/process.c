/* Processes through the libc: fork/waitpid statuses, execv (of the program named in argv[1]),
 * posix_spawn with file actions, popen both ways, system, wait for any child, exit codes.
 *   process SELF fork     fork, execv of SELF (this program, which then prints its arguments), wait
 *   process SELF spawn    posix_spawn(p), popen, system
 * (wali-musl's __clone is a stub returning -ENOSYS, and posix_spawn, popen and system are built on
 * it, so the spawn part fails under any WALI runtime.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show(const char *what, int st) {
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by %d\n", what, WTERMSIG(st));
    else printf("%s: status %#x\n", what, st);
}

static int forks(const char *self) {
    int st;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(7);
    printf("waitpid returns the child=%d\n", waitpid(pid, &st, 0) == pid);
    show("fork+_exit", st);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        raise(SIGKILL);
        _exit(1);
    }
    waitpid(pid, &st, 0);
    show("fork+SIGKILL", st);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        printf("child's buffered output is flushed by exit\n");
        exit(2);
    }
    waitpid(pid, &st, 0);
    show("fork+exit", st);

    int w = waitpid(-1, &st, WNOHANG);
    printf("no children: waitpid=%d errno=%s\n", w, errno == ECHILD ? "ECHILD" : "?");

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *args[] = {(char *)self, "child", "a b", "c", NULL};
        setenv("CWALI_TEST_VAR", "from-parent", 1);
        execv(self, args);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    show("execv", st);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *args[] = {"/nonexistent/program", NULL};
        execv(args[0], args);
        _exit(errno == ENOENT ? 100 : 101);
    }
    waitpid(pid, &st, 0);
    show("execv of a missing program", st);

    /* Three children, reaped in any order by wait(). */
    int sum = 0;
    fflush(stdout);
    for (int i = 1; i <= 3; i++)
        if (fork() == 0) _exit(i * 10);
    for (int i = 0; i < 3; i++) {
        wait(&st);
        sum += WEXITSTATUS(st);
    }
    printf("wait() sum of statuses=%d\n", sum);
    return 0;
}

static int spawns(const char *self) {
    int st;
    pid_t pid = 0;
    /* posix_spawn with stdout redirected to a file, then read back. */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "spawn.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char *sargs[] = {(char *)self, "child", "spawned", NULL};
    char *senv[] = {"CWALI_TEST_VAR=spawn-env", NULL};
    int rc = posix_spawn(&pid, self, &fa, NULL, sargs, senv);
    printf("posix_spawn=%d\n", rc);
    if (rc) return 1;
    waitpid(pid, &st, 0);
    show("posix_spawn", st);
    posix_spawn_file_actions_destroy(&fa);
    FILE *f = fopen("spawn.out", "r");
    char line[128];
    while (f && fgets(line, sizeof line, f)) printf("spawn.out: %s", line);
    if (f) fclose(f);
    unlink("spawn.out");

    char *pargs[] = {"sh", "-c", "exit 9", NULL};
    rc = posix_spawnp(&pid, "sh", NULL, NULL, pargs, environ);
    waitpid(pid, &st, 0);
    printf("posix_spawnp=%d\n", rc);
    show("posix_spawnp sh", st);

    FILE *p = popen("echo one; echo two", "r");
    if (!p) return 1;
    while (fgets(line, sizeof line, p)) printf("popen read: %s", line);
    show("pclose", pclose(p));

    fflush(stdout);
    p = popen("tr a-z A-Z", "w");
    if (!p) return 1;
    fputs("written through popen\n", p);
    show("pclose w", pclose(p));

    fflush(stdout);
    show("system exit 3", system("exit 3"));
    show("system echo", system("echo from system"));
    printf("system(NULL) has a shell=%d\n", system(NULL) != 0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "child")) {
        /* Re-run as an exec target: print our arguments, exit with the number of them. */
        for (int i = 2; i < argc; i++) printf("child arg %s\n", argv[i]);
        printf("child env CWALI_TEST_VAR=%s\n", getenv("CWALI_TEST_VAR") ? getenv("CWALI_TEST_VAR") : "(unset)");
        exit(argc - 2); /* exit(), not return: see stdio_exit.c for what return does */
    }
    if (argc < 3) {
        fprintf(stderr, "usage: process SELF fork|spawn\n");
        return 2;
    }
    const char *self = argv[1];
    return strcmp(argv[2], "spawn") ? forks(self) : spawns(self);
}
