/* poll, ppoll, select, pselect6 on pipes: readiness, timeouts (0 and short), HUP/NVAL, remaining
 * time write-back, signal masks, errors. */
#include "wali_test.h"

static void fd_set_bit(struct wali_fd_set *s, int fd) { s->fds_bits[fd / 64] |= 1ull << (fd % 64); }
static int fd_isset(const struct wali_fd_set *s, int fd) { return (s->fds_bits[fd / 64] >> (fd % 64)) & 1; }

static long long now_ms(void) {
    struct wali_timespec t;
    MUST(wali_sys_clock_gettime(CLOCK_MONOTONIC, &t));
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void show_fds(const char *what, long long r, struct wali_pollfd *f, int n) {
    print(what);
    print(": r=");
    print_int(r);
    for (int i = 0; i < n; i++) {
        print(" revents[");
        print_int(i);
        print("]=");
        print_hex((uint16_t)f[i].revents);
    }
    print("\n");
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int a[2], b[2];
    MUST(wali_sys_pipe(a));
    MUST(wali_sys_pipe(b));

    /* poll: nothing readable, write end writable */
    struct wali_pollfd f[3] = {{a[0], POLLIN, 0x7777}, {a[1], POLLOUT, 0}, {b[0], POLLIN, 0}};
    show_fds("poll idle", wali_sys_poll(f, 3, 0), f, 3);
    MUST(wali_sys_write(a[1], "x", 1));
    show_fds("poll a readable", wali_sys_poll(f, 3, 0), f, 3);
    long long t0 = now_ms();
    struct wali_pollfd g[1] = {{b[0], POLLIN, 0}};
    show_fds("poll timeout 30ms", wali_sys_poll(g, 1, 30), g, 1);
    say("poll_waited", now_ms() - t0 >= 25);
    struct wali_pollfd nv[2] = {{-1, POLLIN, 0}, {999, POLLIN, 0}};
    show_fds("poll negative fd and closed fd", wali_sys_poll(nv, 2, 0), nv, 2);
    SAY(wali_sys_poll(0, 0, 10)); /* no fds: sleeps 10 ms */
    SAY(wali_sys_poll((struct wali_pollfd *)BAD_PTR, 1, 0));
    SAY(wali_sys_poll(f, 1ull << 40, 0)); /* too many fds */

    /* ppoll: timespec timeout, signal mask, remaining time not written for ppoll's input */
    struct wali_timespec ts = {0, 20 * 1000000};
    show_fds("ppoll a readable", wali_sys_ppoll(f, 3, &ts, 0, 0), f, 3);
    t0 = now_ms();
    show_fds("ppoll timeout 20ms", wali_sys_ppoll(g, 1, &ts, 0, 0), g, 1);
    say("ppoll_waited", now_ms() - t0 >= 15);
    say("ppoll_timeout_updated", ts.tv_sec == 0 && ts.tv_nsec == 0);
    struct wali_sigset mask;
    wali_memset(&mask, 0, sizeof mask);
    mask.bits[0] = 1ull << (SIGUSR2 - 1);
    struct wali_timespec zero = {0, 0};
    show_fds("ppoll with mask", wali_sys_ppoll(f, 3, &zero, &mask, KERNEL_SIGSET_SIZE), f, 3);
    SAY(wali_sys_ppoll(f, 3, &zero, &mask, 128)); /* wrong sigsetsize */
    struct wali_timespec badts = {0, 2000000000};
    SAY(wali_sys_ppoll(f, 3, &badts, 0, 0));
    SAY(wali_sys_ppoll(f, 3, (struct wali_timespec *)BAD_PTR, 0, 0));
    SAY(wali_sys_ppoll(f, 3, &zero, BAD_PTR, KERNEL_SIGSET_SIZE));

    /* select: read set, write set, timeout write-back, errors */
    struct wali_fd_set r, w;
    wali_memset(&r, 0, sizeof r);
    wali_memset(&w, 0, sizeof w);
    fd_set_bit(&r, a[0]);
    fd_set_bit(&r, b[0]);
    fd_set_bit(&w, a[1]);
    struct wali_timeval tv = {0, 0};
    SAY(wali_sys_select(b[1] + 1, &r, &w, 0, &tv));
    say("select a[0] readable", fd_isset(&r, a[0]));
    say("select b[0] readable", fd_isset(&r, b[0]));
    say("select a[1] writable", fd_isset(&w, a[1]));
    wali_memset(&r, 0, sizeof r);
    fd_set_bit(&r, b[0]);
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    t0 = now_ms();
    SAY(wali_sys_select(b[1] + 1, &r, 0, 0, &tv));
    say("select_waited", now_ms() - t0 >= 25);
    say("select_timeval_left", tv.tv_sec * 1000000 + tv.tv_usec);
    SAY(wali_sys_select(-1, 0, 0, 0, &tv));
    tv.tv_usec = -1;
    SAY(wali_sys_select(1, 0, 0, 0, &tv));
    wali_memset(&r, 0, sizeof r);
    fd_set_bit(&r, 60);
    tv.tv_usec = 0;
    SAY(wali_sys_select(61, &r, 0, 0, &tv)); /* not an open fd (below 64: inside every fd table) */
    SAY(wali_sys_select(1, BAD_PTR, 0, 0, &tv));
    tv.tv_usec = 10000;
    SAY(wali_sys_select(0, 0, 0, 0, &tv)); /* pure sleep */

    /* pselect6: timespec, sigmask pointer pair */
    wali_memset(&r, 0, sizeof r);
    fd_set_bit(&r, a[0]);
    fd_set_bit(&r, b[0]);
    struct wali_timespec pts = {0, 0};
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &pts, 0));
    say("pselect a[0]", fd_isset(&r, a[0]));
    say("pselect b[0]", fd_isset(&r, b[0]));
    struct wali_pselect6_sigmask sm = {(uint64_t)(uintptr_t)&mask, KERNEL_SIGSET_SIZE};
    wali_memset(&r, 0, sizeof r);
    fd_set_bit(&r, b[0]);
    pts.tv_nsec = 20 * 1000000;
    t0 = now_ms();
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &pts, &sm));
    say("pselect_waited", now_ms() - t0 >= 15);
    say("pselect_timespec_left", pts.tv_sec * 1000000000 + pts.tv_nsec);
    struct wali_pselect6_sigmask nomask = {0, KERNEL_SIGSET_SIZE};
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &pts, &nomask));
    struct wali_pselect6_sigmask badsize = {(uint64_t)(uintptr_t)&mask, 4};
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &pts, &badsize));
    struct wali_timespec bad = {-1, 0};
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &bad, 0));
    SAY(wali_sys_pselect6(b[1] + 1, &r, 0, 0, &pts, (struct wali_pselect6_sigmask *)BAD_PTR));
    SAY(wali_sys_pselect6(-1, 0, 0, 0, &pts, 0));

    /* hang-up: poll sees POLLHUP after the write end closes, select reports readable */
    MUST(wali_sys_close(b[1]));
    struct wali_pollfd h[1] = {{b[0], POLLIN, 0}};
    show_fds("poll after close", wali_sys_poll(h, 1, 0), h, 1);
    wali_memset(&r, 0, sizeof r);
    fd_set_bit(&r, b[0]);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    SAY(wali_sys_select(b[0] + 1, &r, 0, 0, &tv));
    MUST(wali_sys_close(b[0]));
    MUST(wali_sys_close(a[0]));
    MUST(wali_sys_close(a[1]));
    return 0;
}
