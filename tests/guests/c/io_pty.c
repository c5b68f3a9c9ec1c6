/* ioctl on a pseudo-terminal (/dev/ptmx): requests with pointer arguments of several sizes (TIOCGPTN,
 * TIOCSPTLCK, TCGETS/TCSETS, TIOCGWINSZ/TIOCSWINSZ, TIOCOUTQ, FIONREAD, TIOCGEXCL), with integer
 * arguments (TIOCGPTPEER, TCFLSH, TCXONC, TCSBRK) and with none (TIOCEXCL/TIOCNXCL). Data goes through
 * the pty both ways. Prints facts that do not depend on the pty number. */
#include "wali_test.h"

/* not in wali.h (x86_64 Linux values) */
#define TIOCOUTQ 0x5411
#define TIOCEXCL 0x540c
#define TIOCNXCL 0x540d
#define TIOCGPTN 0x80045430u
#define TIOCSPTLCK 0x40045431u
#define TIOCGEXCL 0x80045440u
#define TIOCGPTPEER 0x5441
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOON 1
#define ICANON 0000002
#define ECHO 0000010
#define OPOST 0000001

static char buf[64];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    long long m = wali_sys_open("/dev/ptmx", O_RDWR | O_NOCTTY, 0);
    say("ptmx_ok", m >= 0);
    if (m < 0) return 0; /* no devpts here: nothing more to compare */

    unsigned ptn = 0xFFFFFFFFu;
    SAY(wali_sys_ioctl((int)m, (int)TIOCGPTN, &ptn));
    say("ptn_set", ptn != 0xFFFFFFFFu);
    int unlock = 0;
    SAY(wali_sys_ioctl((int)m, (int)TIOCSPTLCK, &unlock));
    long long s = wali_sys_ioctl((int)m, TIOCGPTPEER, (void *)(uintptr_t)(O_RDWR | O_NOCTTY));
    say("peer_ok", s >= 0);
    if (s < 0) return 0;

    /* window size set on one side, read on the other */
    struct wali_winsize ws = {24, 80, 0, 0}, got;
    SAY(wali_sys_ioctl((int)m, TIOCSWINSZ, &ws));
    wali_memset(&got, 0, sizeof got);
    SAY(wali_sys_ioctl((int)s, TIOCGWINSZ, &got));
    say("rows", got.ws_row);
    say("cols", got.ws_col);

    /* termios: raw mode on the slave */
    struct wali_termios t;
    SAY(wali_sys_ioctl((int)s, TCGETS, &t));
    say("canonical_by_default", (t.c_lflag & ICANON) != 0);
    t.c_lflag &= ~(unsigned)(ICANON | ECHO);
    t.c_oflag &= ~(unsigned)OPOST;
    SAY(wali_sys_ioctl((int)s, TCSETS, &t));
    struct wali_termios t2;
    SAY(wali_sys_ioctl((int)s, TCGETS, &t2));
    say("raw_now", (t2.c_lflag & (ICANON | ECHO)) == 0);

    /* data both ways; FIONREAD and TIOCOUTQ through int pointers */
    SAY(wali_sys_write((int)m, "ping", 4));
    int n = -1;
    for (int i = 0; i < 100 && n != 4; i++) {
        if (wali_sys_ioctl((int)s, FIONREAD, &n) < 0) break;
        if (n != 4) {
            struct wali_timespec ms = {0, 1000000};
            wali_sys_nanosleep(&ms, 0);
        }
    }
    say("slave_fionread", n);
    long long r = wali_sys_read((int)s, buf, sizeof buf);
    say_str("slave_got", buf, r);
    SAY(wali_sys_write((int)s, "pong", 4));
    struct wali_pollfd pf = {(int)m, POLLIN, 0};
    SAY(wali_sys_poll(&pf, 1, 1000));
    r = wali_sys_read((int)m, buf, sizeof buf);
    say_str("master_got", buf, r);
    int outq = -1;
    SAY(wali_sys_ioctl((int)s, TIOCOUTQ, &outq));
    say("outq_nonneg", outq >= 0);

    /* integer and no-argument requests */
    SAY(wali_sys_ioctl((int)s, TCFLSH, (void *)TCIOFLUSH));
    SAY(wali_sys_ioctl((int)s, TCFLSH, (void *)99)); /* invalid queue */
    SAY(wali_sys_ioctl((int)s, TCXONC, (void *)TCOON));
    SAY(wali_sys_ioctl((int)s, TCSBRK, (void *)1)); /* nonzero: just drain */
    SAY(wali_sys_ioctl((int)s, TIOCEXCL, (void *)(uintptr_t)0x7FFFFFF0u)); /* no argument: ignored */
    int excl = -1;
    SAY(wali_sys_ioctl((int)s, (int)TIOCGEXCL, &excl));
    SAY(excl);
    SAY(wali_sys_ioctl((int)s, TIOCNXCL, 0));
    SAY(wali_sys_ioctl((int)s, (int)TIOCGEXCL, &excl));
    SAY(excl);

    /* errors */
    SAY(wali_sys_ioctl((int)s, TCGETS, BAD_PTR));
    SAY(wali_sys_ioctl((int)m, (int)TIOCGPTN, BAD_PTR));
    SAY(wali_sys_ioctl((int)s, TIOCGPGRP, &n)); /* not our controlling terminal */
    SAY(wali_sys_ioctl((int)s, TIOCGPTPEER, 0)); /* only on the master */
    /* the flags are an integer, not a pointer: values beyond linear memory are fine */
    long long s2 = wali_sys_ioctl((int)m, TIOCGPTPEER, (void *)(uintptr_t)(O_RDWR | O_NOCTTY | O_CLOEXEC));
    say("peer_cloexec_ok", s2 >= 0);
    if (s2 >= 0) {
        SAY(wali_sys_fcntl((int)s2, F_GETFD, 0));
        MUST(wali_sys_close((int)s2));
    }

    MUST(wali_sys_close((int)s));
    MUST(wali_sys_close((int)m));
    return 0;
}
