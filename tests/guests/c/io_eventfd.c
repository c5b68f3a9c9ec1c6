/* eventfd and eventfd2: counter semantics, EFD_SEMAPHORE, EFD_NONBLOCK (EAGAIN), EFD_CLOEXEC, short
 * buffers, overflow, poll readiness, errors. */
#include "wali_test.h"

static long long rd(int fd) {
    uint64_t v = 0;
    long long r = wali_sys_read(fd, &v, 8);
    return r < 0 ? r : (long long)v;
}

static long long wr(int fd, uint64_t v) { return wali_sys_write(fd, &v, 8); }

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    long long e = wali_sys_eventfd(5);
    say("eventfd_ok", e >= 0);
    SAY(wali_sys_fcntl((int)e, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)e, F_GETFL, 0) & O_NONBLOCK);
    SAY(wr((int)e, 10));
    SAY(rd((int)e)); /* 15, resets to 0 */
    SAY(wr((int)e, 0xFFFFFFFFFFFFFFFFull)); /* EINVAL */
    uint32_t small = 1;
    SAY(wali_sys_write((int)e, &small, 4)); /* EINVAL: needs 8 bytes */
    SAY(wali_sys_read((int)e, &small, 4));
    SAY(wali_sys_write((int)e, BAD_PTR, 8));
    MUST(wr((int)e, 1));
    SAY(wali_sys_read((int)e, BAD_PTR, 8));
    SAY(rd((int)e)); /* the failed read consumed nothing */
    MUST(wali_sys_close((int)e));

    /* eventfd2: nonblocking semaphore */
    e = wali_sys_eventfd2(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    say("eventfd2_ok", e >= 0);
    SAY(wali_sys_fcntl((int)e, F_GETFD, 0));
    SAY(wali_sys_fcntl((int)e, F_GETFL, 0) & O_NONBLOCK);
    SAY(rd((int)e));
    SAY(rd((int)e));
    SAY(rd((int)e));
    SAY(rd((int)e)); /* EAGAIN */
    struct wali_pollfd pf = {(int)e, POLLIN | POLLOUT, 0};
    SAY(wali_sys_poll(&pf, 1, 0));
    SAY(pf.revents);
    SAY(wr((int)e, 0xFFFFFFFFFFFFFFFEull)); /* the maximum counter value */
    SAY(wr((int)e, 1)); /* would overflow: EAGAIN when nonblocking */
    pf.revents = 0;
    SAY(wali_sys_poll(&pf, 1, 0));
    SAY(pf.revents);
    SAY(rd((int)e));
    MUST(wali_sys_close((int)e));

    /* errors */
    SAY(wali_sys_eventfd2(0, 0x2)); /* invalid flag */
    SAY(wali_sys_eventfd2(0, O_RDWR));
    SAY(rd(-1));
    return 0;
}
