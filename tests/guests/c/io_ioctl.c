/* ioctl with pointer arguments (FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ), integer arguments
 * (TCFLSH, TCXONC, TCSBRK) and no argument (FIOCLEX/FIONCLEX), on pipes and files (stdin/stdout
 * are pipes in the tests, so terminal requests fail with ENOTTY in both builds), and errors. */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int p[2];
    MUST(wali_sys_pipe(p));
    int n = -1;
    SAY(wali_sys_ioctl(p[0], FIONREAD, &n));
    SAY(n);
    MUST(wali_sys_write(p[1], "12345", 5));
    SAY(wali_sys_ioctl(p[0], FIONREAD, &n));
    SAY(n);

    /* FIONBIO sets O_NONBLOCK through a pointer to int */
    int on = 1, off = 0;
    SAY(wali_sys_ioctl(p[0], FIONBIO, &on));
    SAY(wali_sys_fcntl(p[0], F_GETFL, 0) & O_NONBLOCK);
    SAY(wali_sys_ioctl(p[0], FIONBIO, &off));
    SAY(wali_sys_fcntl(p[0], F_GETFL, 0) & O_NONBLOCK);

    /* FIOCLEX / FIONCLEX take no argument */
    SAY(wali_sys_ioctl(p[0], FIOCLEX, 0));
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));
    SAY(wali_sys_ioctl(p[0], FIONCLEX, 0));
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));
    /* callers through a variadic ioctl() may leave any value there: it is ignored */
    SAY(wali_sys_ioctl(p[0], FIOCLEX, (void *)(uintptr_t)0x7FFFFFF0u));
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));
    SAY(wali_sys_ioctl(p[0], FIONCLEX, BAD_PTR));
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));

    /* terminal requests on a pipe: ENOTTY, with pointer and with integer arguments */
    struct wali_winsize ws;
    struct wali_termios tio;
    SAY(wali_sys_ioctl(p[0], TIOCGWINSZ, &ws));
    SAY(wali_sys_ioctl(p[0], TCGETS, &tio));
    SAY(wali_sys_ioctl(p[0], TCFLSH, (void *)2));
    SAY(wali_sys_ioctl(p[0], TCXONC, (void *)1));
    SAY(wali_sys_ioctl(p[0], TCSBRK, (void *)1));
    SAY(wali_sys_ioctl(1, TIOCGWINSZ, &ws)); /* stdout is a pipe in the test */

    /* FIONREAD on a regular file: bytes left after the offset */
    long long f = MUST(wali_sys_open("/proc/self/exe", O_RDONLY, 0));
    SAY(wali_sys_ioctl((int)f, FIONREAD, &n) == 0 && n > 0);
    SAY(wali_sys_ioctl((int)f, TCGETS, &tio));
    MUST(wali_sys_close((int)f));

    /* errors */
    SAY(wali_sys_ioctl(-1, FIONREAD, &n));
    SAY(wali_sys_ioctl(p[0], FIONREAD, BAD_PTR));
    SAY(wali_sys_ioctl(p[0], FIONBIO, BAD_PTR));
    SAY(wali_sys_ioctl(p[0], 0x12345678, &n)); /* unknown request */
    MUST(wali_sys_close(p[0]));
    MUST(wali_sys_close(p[1]));
    return 0;
}
