/* pipe and pipe2: data flow, flags (O_CLOEXEC, O_NONBLOCK, O_DIRECT packet mode), EOF, EAGAIN,
 * EPIPE with SIGPIPE ignored, errors. */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int p[2] = {-1, -1};
    char buf[64];
    SAY(wali_sys_pipe(p));
    say("pipe_fds", (long long)p[0] * 100 + p[1]);
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));
    SAY(wali_sys_fcntl(p[0], F_GETFL, 0) & (O_ACCMODE | O_NONBLOCK));
    SAY(wali_sys_fcntl(p[1], F_GETFL, 0) & (O_ACCMODE | O_NONBLOCK));
    SAY(wali_sys_write(p[1], "through the pipe", 16));
    long long n = wali_sys_read(p[0], buf, sizeof buf);
    say_str("got", buf, n);
    SAY(wali_sys_lseek(p[0], 0, SEEK_SET)); /* ESPIPE */
    SAY(wali_sys_pread64(p[0], buf, 1, 0));
    MUST(wali_sys_close(p[1]));
    SAY(wali_sys_read(p[0], buf, sizeof buf)); /* EOF */
    MUST(wali_sys_close(p[0]));

    /* pipe2 flags */
    SAY(wali_sys_pipe2(p, O_CLOEXEC | O_NONBLOCK));
    say("pipe2_fds", (long long)p[0] * 100 + p[1]);
    SAY(wali_sys_fcntl(p[0], F_GETFD, 0));
    SAY(wali_sys_fcntl(p[1], F_GETFD, 0));
    SAY(wali_sys_fcntl(p[0], F_GETFL, 0) & (O_ACCMODE | O_NONBLOCK));
    SAY(wali_sys_read(p[0], buf, sizeof buf)); /* EAGAIN */
    /* fill the pipe: nonblocking write ends with EAGAIN */
    static char chunk[4096];
    long long total = 0, r;
    while ((r = wali_sys_write(p[1], chunk, sizeof chunk)) > 0) total += r;
    say("fill_ended_with", r);
    say("filled_at_least_4k", total >= 4096);
    MUST(wali_sys_close(p[0]));
    MUST(wali_sys_close(p[1]));

    /* O_DIRECT: packet mode, each write is one read */
    SAY(wali_sys_pipe2(p, O_DIRECT));
    SAY(wali_sys_write(p[1], "one", 3));
    SAY(wali_sys_write(p[1], "two", 3));
    SAY(wali_sys_read(p[0], buf, sizeof buf));
    SAY(wali_sys_read(p[0], buf, sizeof buf));
    MUST(wali_sys_close(p[0]));

    /* writing with no reader: EPIPE once SIGPIPE is ignored */
    SAY(wali_signal(SIGPIPE, WALI_SIG_IGN, 0));
    SAY(wali_sys_write(p[1], "x", 1));
    MUST(wali_sys_close(p[1]));

    /* errors */
    SAY(wali_sys_pipe2(p, 0x1)); /* invalid flag */
    SAY(wali_sys_pipe2(p, O_RDWR));
    SAY(wali_sys_pipe(BAD_PTR));
    SAY(wali_sys_pipe2(BAD_PTR, 0));
    return 0;
}
