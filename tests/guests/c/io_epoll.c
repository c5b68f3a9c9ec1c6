/* epoll_create1, epoll_ctl, epoll_pwait: several ready events at once (all of them must arrive, with
 * their 64-bit data), maxevents smaller than the ready count, MOD/DEL, EPOLLONESHOT, timeouts, masks,
 * errors. */
#include "wali_test.h"

static struct wali_epoll_event ev[8];

static void show(const char *what, long long r) {
    print(what);
    print(": r=");
    print_int(r);
    /* order of simultaneous events is the kernel's: print them sorted by data */
    for (long long i = 1; i < r; i++)
        for (long long j = i; j > 0 && ev[j - 1].data > ev[j].data; j--) {
            struct wali_epoll_event t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    for (long long i = 0; i < r; i++) {
        print(" {");
        print_hex(ev[i].events);
        print(",");
        print_hex(ev[i].data);
        print("}");
    }
    print("\n");
}

static long long ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct wali_epoll_event e;
    e.events = events;
    e.data = data;
    return wali_sys_epoll_ctl(ep, op, fd, &e);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    say("sizeof_epoll_event", sizeof(struct wali_epoll_event));
    long long ep = wali_sys_epoll_create1(0);
    say("epoll_create1_ok", ep >= 0);
    SAY(wali_sys_fcntl((int)ep, F_GETFD, 0));
    long long ep2 = wali_sys_epoll_create1(EPOLL_CLOEXEC);
    SAY(wali_sys_fcntl((int)ep2, F_GETFD, 0));
    SAY(wali_sys_epoll_create1(1));

    int a[2], b[2], c[2];
    MUST(wali_sys_pipe(a));
    MUST(wali_sys_pipe(b));
    MUST(wali_sys_pipe(c));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 0x1111111100000001ull));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, b[0], EPOLLIN, 0x2222222200000002ull));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, c[0], EPOLLIN | EPOLLONESHOT, 0x3333333300000003ull));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, a[1], EPOLLOUT, 0x4444444400000004ull));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 0)); /* already there */

    show("only the write end", wali_sys_epoll_pwait((int)ep, ev, 8, 0, 0, 0));
    MUST(wali_sys_write(a[1], "a", 1));
    MUST(wali_sys_write(b[1], "b", 1));
    MUST(wali_sys_write(c[1], "c", 1));
    show("four ready", wali_sys_epoll_pwait((int)ep, ev, 8, 0, 0, 0));
    /* the oneshot fd is now disabled */
    show("oneshot disarmed", wali_sys_epoll_pwait((int)ep, ev, 8, 0, 0, 0));
    /* maxevents 2 of 3 ready */
    wali_memset(ev, 0, sizeof ev);
    long long r = wali_sys_epoll_pwait((int)ep, ev, 2, 0, 0, 0);
    say("maxevents2_r", r);
    say("slot2_untouched", ev[2].events == 0 && ev[2].data == 0);

    /* MOD and DEL */
    SAY(ctl((int)ep, EPOLL_CTL_MOD, c[0], EPOLLIN, 0x3333333300000033ull));
    SAY(ctl((int)ep, EPOLL_CTL_DEL, a[1], 0, 0));
    SAY(ctl((int)ep, EPOLL_CTL_DEL, a[1], 0, 0));
    SAY(wali_sys_epoll_ctl((int)ep, EPOLL_CTL_DEL, b[0], 0)); /* NULL event is fine for DEL */
    show("after mod/del", wali_sys_epoll_pwait((int)ep, ev, 8, 0, 0, 0));
    SAY(ctl((int)ep, EPOLL_CTL_MOD, b[0], EPOLLIN, 0));

    /* drain, then a timeout and a mask */
    char buf[4];
    MUST(wali_sys_read(a[0], buf, 4));
    MUST(wali_sys_read(c[0], buf, 4));
    show("timeout 20ms", wali_sys_epoll_pwait((int)ep, ev, 8, 20, 0, 0));
    struct wali_sigset mask;
    wali_memset(&mask, 0, sizeof mask);
    mask.bits[0] = 1ull << (SIGUSR2 - 1);
    show("with mask", wali_sys_epoll_pwait((int)ep, ev, 8, 0, &mask, KERNEL_SIGSET_SIZE));
    SAY(wali_sys_epoll_pwait((int)ep, ev, 8, 0, &mask, 4));

    /* hang-up is reported without being asked for */
    MUST(wali_sys_close(a[1]));
    show("hup", wali_sys_epoll_pwait((int)ep, ev, 8, 0, 0, 0));

    /* errors */
    SAY(wali_sys_epoll_pwait((int)ep, ev, 0, 0, 0, 0));
    /* maxevents < 0 is left out: cwali range-checks events[maxevents] first (EFAULT), the kernel
     * rejects the count first (EINVAL); see io_epoll_badmax. */
    SAY(wali_sys_epoll_pwait(a[0], ev, 8, 0, 0, 0)); /* not an epoll fd */
    SAY(wali_sys_epoll_pwait(-1, ev, 8, 0, 0, 0));
    SAY(wali_sys_epoll_pwait((int)ep, (struct wali_epoll_event *)BAD_PTR, 8, 0, 0, 0));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, -1, EPOLLIN, 0));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, (int)ep, EPOLLIN, 0)); /* itself */
    SAY(ctl((int)ep, 99, b[0], EPOLLIN, 0));
    SAY(ctl(a[0], EPOLL_CTL_ADD, b[0], EPOLLIN, 0));
    long long f = MUST(wali_sys_open("/proc/self/status", O_RDONLY, 0));
    SAY(ctl((int)ep, EPOLL_CTL_ADD, (int)f, EPOLLIN, 0)); /* regular file: EPERM */
    MUST(wali_sys_close((int)f));
    SAY(wali_sys_epoll_ctl((int)ep, EPOLL_CTL_ADD, b[0], (struct wali_epoll_event *)BAD_PTR));

    MUST(wali_sys_close(a[0]));
    MUST(wali_sys_close(b[0]));
    MUST(wali_sys_close(b[1]));
    MUST(wali_sys_close(c[0]));
    MUST(wali_sys_close(c[1]));
    MUST(wali_sys_close((int)ep2));
    MUST(wali_sys_close((int)ep));
    return 0;
}
