/* epoll_pwait with an invalid maxevents (negative, or above EP_MAX_EVENTS): the kernel answers
 * EINVAL before it looks at the events buffer; cwali must too (not EFAULT from the range of
 * maxevents × 12 bytes). */
#include "wali_test.h"

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    static struct wali_epoll_event ev[4];
    long long ep = MUST(wali_sys_epoll_create1(0));
    SAY(wali_sys_epoll_pwait((int)ep, ev, -1, 0, 0, 0));
    SAY(wali_sys_epoll_pwait((int)ep, ev, 0x7fffffff, 0, 0, 0));
    MUST(wali_sys_close((int)ep));
    return 0;
}
