/* Hostile guest: arguments whose size or meaning the runtime must work out before the kernel sees
 * them.
 * - ioctl/setsockopt/getsockopt/fcntl requests whose argument holds a pointer (or whose size is
 *   not in the request number) are converted or refused, never passed with a host-sized pointer.
 * - select's fd_sets are as long as nfds says (the kernel uses ceil(nfds/64) longs), checked
 *   against the end of memory; a negative nfds is -EINVAL.
 * - epoll_pwait with maxevents <= 0 and getgroups with a negative size are -EINVAL (Linux checks
 *   them before the pointer). */
#include "wali_test.h"

#define SIOCGIFCONF 0x8912
#define SIOCETHTOOL 0x8946
#define FS_IOC_FIEMAP 0xC020660B

struct guest_ifconf {
    int len;
    unsigned buf; /* a guest pointer */
};

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    int s = (int)MUST(wali_sys_socket(AF_INET, SOCK_DGRAM, 0));

    /* SIOCGIFCONF converted: the kernel fills our buffer with 40-byte ifreqs, lo among them. */
    static char ifbuf[40 * 16];
    struct guest_ifconf ifc = {sizeof ifbuf, (unsigned)(unsigned long)ifbuf};
    SAY(wali_sys_ioctl(s, SIOCGIFCONF, &ifc));
    SAY(ifc.len > 0 && ifc.len % 40 == 0);
    int lo = 0;
    for (int off = 0; off < ifc.len; off += 40) lo |= wali_streq(ifbuf + off, "lo");
    SAY(lo);
    /* Asking for the size only (NULL buffer). */
    struct guest_ifconf size_only = {0, 0};
    SAY(wali_sys_ioctl(s, SIOCGIFCONF, &size_only));
    SAY(size_only.len == ifc.len);
    /* The host-layout attack: {int len; pad; u64 host address}: the runtime reads the guest
     * layout, so the "address" is never followed. */
    unsigned long long attack[2] = {4096, 0x00007f0000001000ull};
    SAY(wali_sys_ioctl(s, SIOCGIFCONF, attack));
    SAY(wali_sys_ioctl(s, SIOCETHTOOL, ifbuf));
    SAY(wali_sys_ioctl(0, FS_IOC_FIEMAP, ifbuf));
    SAY(wali_sys_ioctl(0, 0x12345678, ifbuf));

    /* Socket options with pointers or host addresses inside. */
    unsigned long long fprog[2] = {1, 0x00007f0000001000ull};
    SAY(wali_sys_setsockopt(s, SOL_SOCKET, 26 /* SO_ATTACH_FILTER */, fprog, 16));
    SAY(wali_sys_setsockopt(s, SOL_SOCKET, 51 /* SO_ATTACH_REUSEPORT_CBPF */, fprog, 16));
    unsigned zc[16] = {0};
    unsigned zclen = sizeof zc;
    SAY(wali_sys_getsockopt(s, IPPROTO_TCP, 35 /* TCP_ZEROCOPY_RECEIVE */, zc, &zclen));
    SAY(wali_sys_setsockopt(s, 283 /* SOL_XDP */, 4 /* XDP_UMEM_REG */, fprog, 16));
    int one = 1;
    SAY(wali_sys_setsockopt(s, SOL_SOCKET, 2 /* SO_REUSEADDR */, &one, 4));
    int val = 0;
    unsigned len = 4;
    SAY(wali_sys_getsockopt(s, SOL_SOCKET, 2, &val, &len));
    SAY(val != 0 && len == 4);

    /* fcntl: a command the runtime does not know is not passed through. */
    SAY(wali_sys_fcntl(0, 9999, 0x7f0000001000ull));
    SAY(wali_sys_fcntl(s, 1 /* F_GETFD */, 0) >= 0);

    /* select sized by nfds: a set that fits 1024 descriptors but not 4096 at the end of memory. */
#if defined(__wasm__)
    char *end = (char *)((unsigned long)__builtin_wasm_memory_size(0) * 65536);
#else
    /* Natively: the end of a page followed by an inaccessible one. */
    char *end = (char *)wali_sys_mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) + 4096;
    MUST(wali_sys_mprotect(end, 4096, PROT_NONE));
#endif
    char *end_set = end - 128;
    wali_memset(end_set, 0, 128);
    struct wali_timeval zero = {0, 0};
    SAY(wali_sys_select(1024, end_set, 0, 0, &zero));
    SAY(wali_sys_select(1025, end_set, 0, 0, &zero));
    SAY(wali_sys_select(4096, end_set, 0, 0, &zero));
    SAY(wali_sys_select(64, end - 4, 0, 0, &zero));
    SAY(wali_sys_select(-1, 0, 0, 0, &zero));
    struct wali_timespec zero_ts = {0, 0};
    SAY(wali_sys_pselect6(4096, end_set, 0, 0, &zero_ts, 0));

    /* Linux's order of checks. */
    int ep = (int)MUST(wali_sys_epoll_create1(0));
    SAY(wali_sys_epoll_pwait(ep, 0, 0, 0, 0, 8));
    SAY(wali_sys_epoll_pwait(ep, 0, -1, 0, 0, 8));
    SAY(wali_sys_epoll_pwait(ep, BAD_PTR, -5, 0, 0, 8));
    SAY(wali_sys_getgroups((wali_size_t)-1, BAD_PTR));
    SAY(wali_sys_getgroups(0, BAD_PTR) >= 0);
    return 0;
}
