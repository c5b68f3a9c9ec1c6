/* readv and writev: several buffers, empty ones, zero count, stdout, short reads, errors. Uses pipes
 * and stdout only (no files). */
#include "wali_test.h"

static char big[3000];

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    /* writev to stdout: the parts appear in order */
    struct wali_iovec out[4] = {
        {(void *)"writev ", 7}, {(void *)"", 0}, {(void *)"to ", 3}, {(void *)"stdout\n", 7}};
    SAY(wali_sys_writev(1, out, 4));
    SAY(wali_sys_writev(1, out, 0));

    int p[2];
    MUST(wali_sys_pipe(p));
    struct wali_iovec w[3] = {{(void *)"abc", 3}, {(void *)"defgh", 5}, {(void *)"ij", 2}};
    SAY(wali_sys_writev(p[1], w, 3));

    /* readv scatters in order; a short read fills the first buffers */
    char a[4] = {0}, b[2] = {0}, c[10] = {0};
    struct wali_iovec r[3] = {{a, 4}, {b, 2}, {c, 10}};
    SAY(wali_sys_readv(p[0], r, 3));
    say_str("a", a, 4);
    say_str("b", b, 2);
    say_str("c", c, 4);
    SAY(wali_sys_write(p[1], "xyz", 3));
    wali_memset(a, 0, 4);
    wali_memset(b, 0, 2);
    SAY(wali_sys_readv(p[0], r, 3));
    say_str("a", a, 3);
    SAY(b[0]);

    /* a big writev crossing several iovecs and the readv of it */
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)('a' + i % 26);
    struct wali_iovec bw[3] = {{big, 1000}, {big + 1000, 1000}, {big + 2000, 1000}};
    SAY(wali_sys_writev(p[1], bw, 3));
    static char back[3000];
    struct wali_iovec br[2] = {{back, 1500}, {back + 1500, 1500}};
    SAY(wali_sys_readv(p[0], br, 2));
    SAY(wali_memcmp(back, big, sizeof big) == 0);

    /* errors */
    SAY(wali_sys_writev(-1, w, 3));
    SAY(wali_sys_readv(p[1], r, 3)); /* write end */
    SAY(wali_sys_writev(p[0], w, 3)); /* read end */
    SAY(wali_sys_writev(p[1], w, -1));
    SAY(wali_sys_readv(p[0], r, 1025)); /* more than IOV_MAX */
    SAY(wali_sys_writev(p[1], (struct wali_iovec *)BAD_PTR, 1));
    struct wali_iovec bad[2] = {{(void *)"ok", 2}, {BAD_PTR, 4}};
    SAY(wali_sys_writev(p[1], bad, 2));
    struct wali_iovec badr[1] = {{BAD_PTR, 4}};
    SAY(wali_sys_write(p[1], "q", 1));
    SAY(wali_sys_readv(p[0], badr, 1));
    /* nothing was consumed by the failed calls */
    char q[8] = {0};
    struct wali_iovec qr[1] = {{q, 8}};
    SAY(wali_sys_readv(p[0], qr, 1));
    say_str("q", q, 1);

    /* readv at EOF */
    MUST(wali_sys_close(p[1]));
    SAY(wali_sys_readv(p[0], r, 3));
    MUST(wali_sys_close(p[0]));
    return 0;
}
