#define _GNU_SOURCE
/* Pipes, poll and epoll through the libc: pipe2 flags, dup2, non-blocking EAGAIN, EPIPE with
 * SIGPIPE ignored, POLLHUP at the reader after the writer closes, epoll edge and level triggering,
 * timeouts, and a parent/child exchange over two pipes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int p[2];
    pipe(p);
    printf("write=%zd\n", write(p[1], "hello", 5));
    char buf[64] = {0};
    printf("read=%zd '%s'\n", read(p[0], buf, sizeof buf), buf);

    /* O_NONBLOCK: an empty pipe gives EAGAIN; O_CLOEXEC shows in FD_CLOEXEC. */
    int q[2];
    pipe2(q, O_NONBLOCK | O_CLOEXEC);
    ssize_t n = read(q[0], buf, 1);
    printf("empty non-blocking read=%zd %s cloexec=%d nonblock=%d\n", n, errno == EAGAIN ? "EAGAIN" : "?",
           !!(fcntl(q[0], F_GETFD) & FD_CLOEXEC), !!(fcntl(q[1], F_GETFL) & O_NONBLOCK));
    /* Fill it: the pipe capacity is at least 4096 and writes stop with EAGAIN. */
    long total = 0;
    char block[4096];
    memset(block, 'b', sizeof block);
    while ((n = write(q[1], block, sizeof block)) > 0) total += n;
    printf("filled >= 4096: %d then %s\n", total >= 4096, errno == EAGAIN ? "EAGAIN" : "?");
    struct pollfd pf = {.fd = q[1], .events = POLLOUT};
    printf("poll full pipe for POLLOUT=%d\n", poll(&pf, 1, 0));
    close(q[0]);
    close(q[1]);

    /* dup2 stdout onto a pipe and back. */
    fflush(stdout);
    int saved = dup(1);
    dup2(p[1], 1);
    printf("via dup2");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    memset(buf, 0, sizeof buf);
    read(p[0], buf, sizeof buf);
    printf("captured '%s'\n", buf);

    /* poll: readable after a write, POLLHUP after the writer closes. */
    struct pollfd r = {.fd = p[0], .events = POLLIN};
    printf("poll empty, 10ms timeout=%d\n", poll(&r, 1, 10));
    write(p[1], "x", 1);
    int pr = poll(&r, 1, 1000);
    printf("poll with data=%d revents POLLIN=%d\n", pr, !!(r.revents & POLLIN));
    read(p[0], buf, 1);
    close(p[1]);
    poll(&r, 1, 1000);
    n = read(p[0], buf, 1);
    printf("after writer closed: POLLHUP=%d read=%zd\n", !!(r.revents & POLLHUP), n);
    close(p[0]);

    /* EPIPE with SIGPIPE ignored. */
    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    close(p[0]);
    n = write(p[1], "x", 1);
    printf("write to closed pipe=%zd %s\n", n, errno == EPIPE ? "EPIPE" : "?");
    close(p[1]);

    /* epoll: level-triggered reports again, edge-triggered only on new data. */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int lt[2], et[2];
    pipe(lt);
    pipe(et);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
    epoll_ctl(ep, EPOLL_CTL_ADD, lt[0], &ev);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u32 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, et[0], &ev);
    struct epoll_event out[4];
    printf("epoll nothing ready=%d\n", epoll_wait(ep, out, 4, 10));
    write(lt[1], "ab", 2);
    write(et[1], "ab", 2);
    int k = epoll_wait(ep, out, 4, 1000);
    int mask = 0;
    for (int i = 0; i < k; i++) mask |= 1 << out[i].data.u32;
    printf("epoll both ready=%d mask=%d\n", k, mask);
    k = epoll_wait(ep, out, 4, 10);
    printf("epoll again: ready=%d id=%u (level-triggered only)\n", k, k == 1 ? out[0].data.u32 : 0);
    write(et[1], "c", 1);
    k = epoll_wait(ep, out, 4, 1000);
    mask = 0;
    for (int i = 0; i < k; i++) mask |= 1 << out[i].data.u32;
    printf("epoll after new data: mask=%d\n", mask);
    epoll_ctl(ep, EPOLL_CTL_DEL, lt[0], NULL);
    int del = epoll_ctl(ep, EPOLL_CTL_DEL, lt[0], NULL);
    printf("epoll_ctl DEL again=%d %s\n", del, errno == ENOENT ? "ENOENT" : "?");
    close(ep);

    /* Parent and child talk over two pipes. */
    int down[2], up[2];
    pipe(down);
    pipe(up);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char in[32];
        ssize_t m = read(down[0], in, sizeof in);
        for (ssize_t i = 0; i < m; i++) in[i] ^= 0x20;
        write(up[1], in, m);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "ping", 4);
    memset(buf, 0, sizeof buf);
    read(up[0], buf, sizeof buf);
    int st;
    waitpid(pid, &st, 0);
    char tail;
    printf("child answered '%s' status=%d eof=%zd\n", buf, st, read(up[0], &tail, 1));
    return 0;
}
