/* Sockets: socket, socketpair, bind, listen, connect, accept, accept4, getsockname, getpeername,
 * sendto, recvfrom, sendmsg, recvmsg (scatter/gather, truncation, SCM_RIGHTS), shutdown,
 * setsockopt, getsockopt; success and error paths, on 127.0.0.1 (ports picked by the kernel:
 * bind to port 0 + getsockname) and on AF_UNIX sockets (socketpair, a path in the current
 * directory). Ports and fds are never printed, only facts about them.
 *
 * usage: net_basic [efault-order]  (the second form: a known divergence, see wali_net.rs) */
#include "wali.h"

/* struct sockaddr_in / sockaddr_un (not in wali.h); same layout on wasm32 and x86_64 */
struct sockaddr_in {
    uint16_t sin_family;
    uint16_t sin_port; /* network order */
    uint32_t sin_addr; /* network order */
    uint8_t sin_zero[8];
};
struct sockaddr_un {
    uint16_t sun_family;
    char sun_path[108];
};

static uint16_t htons16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }
static uint32_t htonl32(uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static void show(const char *what, long long r) {
    print(what);
    print("=");
    print_int(r);
    print("\n");
}
/* For calls returning an fd: "ok" or -errno. */
static void show_fd(const char *what, long long r) {
    print(what);
    print("=");
    if (r >= 0)
        print("fd");
    else
        print_int(r);
    print("\n");
}

static void *BAD = (void *)(uintptr_t)0xFFFFFFF0u;

static struct sockaddr_in loopback(uint16_t port_host_order) {
    struct sockaddr_in a;
    wali_memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons16(port_host_order);
    a.sin_addr = htonl32(INADDR_LOOPBACK);
    return a;
}

static struct sockaddr_in name_of(int fd) {
    struct sockaddr_in a;
    unsigned int len = sizeof a;
    wali_memset(&a, 0, sizeof a);
    WALI_CHECK(wali_sys_getsockname(fd, &a, &len) == 0 && len == sizeof a);
    return a;
}

static int same_addr(struct sockaddr_in a, struct sockaddr_in b) {
    return a.sin_family == b.sin_family && a.sin_port == b.sin_port && a.sin_addr == b.sin_addr;
}

static int set_int(int fd, int level, int opt, int v) { return (int)wali_sys_setsockopt(fd, level, opt, &v, sizeof v); }
static long long get_int(int fd, int level, int opt) {
    int v = -12345;
    unsigned int len = sizeof v;
    long long r = wali_sys_getsockopt(fd, level, opt, &v, &len);
    if (r < 0) return r;
    if (len != sizeof v) return -1000;
    return v;
}

static void basics(void) {
    show("socket bad domain", wali_sys_socket(12345, SOCK_STREAM, 0));
    show("socket bad type", wali_sys_socket(AF_INET, 99, 0));
    show("socket bad protocol", wali_sys_socket(AF_INET, SOCK_STREAM, 99));
    long long s = wali_sys_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    show_fd("socket cloexec nonblock", s);
    print_kv("FD_CLOEXEC set", (wali_sys_fcntl((int)s, F_GETFD, 0) & FD_CLOEXEC) != 0);
    print_kv("O_NONBLOCK set", (wali_sys_fcntl((int)s, F_GETFL, 0) & O_NONBLOCK) != 0);
    wali_sys_close((int)s);

    int sv[2];
    show("socketpair unix stream", wali_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    show("write sv0", wali_sys_write(sv[0], "pair", 4));
    char buf[16] = {0};
    show("read sv1", wali_sys_read(sv[1], buf, sizeof buf));
    print("got: ");
    print(buf);
    print("\n");
    show("socketpair inet", wali_sys_socketpair(AF_INET, SOCK_STREAM, 0, sv + 0));
    int sv2[2];
    show("socketpair bad ptr", wali_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, BAD));
    show("socketpair dgram", wali_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv2));
    wali_sys_close(sv[0]);
    wali_sys_close(sv[1]);
    wali_sys_close(sv2[0]);
    wali_sys_close(sv2[1]);
}

static void udp(void) {
    int a = (int)wali_sys_socket(AF_INET, SOCK_DGRAM, 0);
    int b = (int)wali_sys_socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = loopback(0);
    show("udp bind", wali_sys_bind(a, &any, sizeof any));
    show("udp bind again", wali_sys_bind(a, &any, sizeof any));
    show("udp bind short len", wali_sys_bind(b, &any, 3));
    show("udp bind bad ptr", wali_sys_bind(b, BAD, sizeof any));
    struct sockaddr_in an = name_of(a);
    print_kv("bound family", an.sin_family);
    print_kv("bound loopback", an.sin_addr == htonl32(INADDR_LOOPBACK));
    print_kv("bound port chosen", an.sin_port != 0);
    unsigned int len = 2;
    struct sockaddr_in small;
    show("getsockname short buffer", wali_sys_getsockname(a, &small, &len));
    print_kv("getsockname reports full len", len);
    len = sizeof small;
    show("getsockname bad addr", wali_sys_getsockname(a, BAD, &len));
    show("getsockname bad len ptr", wali_sys_getsockname(a, &small, BAD));
    show("getsockname not socket", wali_sys_getsockname(1, &small, &len));
    show("getpeername unconnected", wali_sys_getpeername(a, &small, &len));

    show("sendto", wali_sys_sendto(b, "ping", 4, 0, &an, sizeof an));
    struct sockaddr_in bn = name_of(b);
    char buf[64];
    struct sockaddr_in src;
    unsigned int srclen = sizeof src;
    wali_memset(&src, 0, sizeof src);
    show("recvfrom", wali_sys_recvfrom(a, buf, sizeof buf, 0, &src, &srclen));
    /* b was bound implicitly to 0.0.0.0:port; the datagram comes from 127.0.0.1:port */
    print_kv("source is sender", src.sin_port == bn.sin_port && src.sin_addr == htonl32(INADDR_LOOPBACK) &&
                                     srclen == sizeof src);
    show("recvfrom empty nonblocking", wali_sys_recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, 0, 0));
    show("sendto short addrlen", wali_sys_sendto(b, "x", 1, 0, &an, 3));
    show("sendto bad buf", wali_sys_sendto(b, BAD, 4, 0, &an, sizeof an));
    show("sendto no address", wali_sys_sendto(b, "x", 1, 0, 0, 0));

    /* truncation, MSG_PEEK, MSG_TRUNC */
    show("sendto 10", wali_sys_sendto(b, "0123456789", 10, 0, &an, sizeof an));
    show("recvfrom peek", wali_sys_recvfrom(a, buf, 3, MSG_PEEK, 0, 0));
    show("recvfrom MSG_TRUNC", wali_sys_recvfrom(a, buf, 4, MSG_TRUNC, 0, 0));
    buf[4] = 0;
    print("truncated: ");
    print(buf);
    print("\n");

    /* sendmsg gathers, recvmsg scatters and writes back namelen/flags */
    struct wali_iovec out[2] = {{"hello ", 6}, {"world", 5}};
    struct wali_msghdr m;
    wali_memset(&m, 0, sizeof m);
    m.msg_name = &an;
    m.msg_namelen = sizeof an;
    m.msg_iov = out;
    m.msg_iovlen = 2;
    show("sendmsg", wali_sys_sendmsg(b, &m, 0));
    char p1[4], p2[4], p3[8];
    struct wali_iovec in[3] = {{p1, 4}, {p2, 4}, {p3, 8}};
    struct sockaddr_in from;
    wali_memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = 100;
    m.msg_iov = in;
    m.msg_iovlen = 3;
    m.msg_flags = 0x7777;
    show("recvmsg", wali_sys_recvmsg(a, &m, 0));
    print("scattered: ");
    for (int i = 0; i < 4; i++) print_char(p1[i]);
    print("|");
    for (int i = 0; i < 4; i++) print_char(p2[i]);
    print("|");
    for (int i = 0; i < 3; i++) print_char(p3[i]);
    print("\n");
    print_kv("recvmsg namelen", m.msg_namelen);
    print_kv("recvmsg from sender", from.sin_port == bn.sin_port && from.sin_family == AF_INET);
    print_kv("recvmsg flags", m.msg_flags);

    show("sendto 11", wali_sys_sendto(b, "hello world", 11, 0, &an, sizeof an));
    struct wali_iovec one = {p3, 5};
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    show("recvmsg truncated", wali_sys_recvmsg(a, &m, 0));
    print_kv("MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);

    wali_memset(&m, 0, sizeof m);
    m.msg_iov = out;
    m.msg_iovlen = 2;
    show("sendmsg no address", wali_sys_sendmsg(b, &m, 0));
    show("sendmsg bad msg", wali_sys_sendmsg(b, BAD, 0));
    show("recvmsg bad fd", wali_sys_recvmsg(99, &m, 0));
    show("recvmsg empty nonblocking", wali_sys_recvmsg(a, &m, MSG_DONTWAIT));
    wali_sys_close(a);
    wali_sys_close(b);
}

static void tcp(void) {
    int l = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("setsockopt SO_REUSEADDR", set_int(l, SOL_SOCKET, SO_REUSEADDR, 1));
    show("getsockopt SO_REUSEADDR", get_int(l, SOL_SOCKET, SO_REUSEADDR));
    show("getsockopt SO_TYPE", get_int(l, SOL_SOCKET, SO_TYPE));
    show("getsockopt SO_ERROR", get_int(l, SOL_SOCKET, SO_ERROR));
    show("accept unbound", wali_sys_accept(l, 0, 0));
    struct sockaddr_in any = loopback(0);
    show("bind", wali_sys_bind(l, &any, sizeof any));
    show("listen", wali_sys_listen(l, 8));
    struct sockaddr_in ln = name_of(l);

    int c = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("getpeername before connect", wali_sys_getpeername(c, 0, 0));
    show("connect", wali_sys_connect(c, &ln, sizeof ln));
    show("connect again", wali_sys_connect(c, &ln, sizeof ln));
    struct sockaddr_in cn = name_of(c);
    struct sockaddr_in peer;
    unsigned int plen = sizeof peer;
    wali_memset(&peer, 0, sizeof peer);
    long long s = wali_sys_accept(l, &peer, &plen);
    show_fd("accept", s);
    print_kv("accept peer is client", same_addr(peer, cn) && plen == sizeof peer);
    plen = sizeof peer;
    show("getpeername client", wali_sys_getpeername(c, &peer, &plen));
    print_kv("client peer is listener", same_addr(peer, ln));
    plen = sizeof peer;
    show("getpeername server side", wali_sys_getpeername((int)s, &peer, &plen));
    print_kv("server peer is client", same_addr(peer, cn));
    show("getpeername bad ptr", wali_sys_getpeername((int)s, BAD, &plen));

    /* data both ways, shutdown(SHUT_WR) gives EOF but keeps the other direction */
    show("send", wali_sys_sendto(c, "abcdef", 6, 0, 0, 0));
    char buf[32];
    show("recv", wali_sys_recvfrom((int)s, buf, 6, MSG_WAITALL, 0, 0));
    show("shutdown wr", wali_sys_shutdown(c, SHUT_WR));
    show("recv eof", wali_sys_recvfrom((int)s, buf, sizeof buf, 0, 0, 0));
    show("send back", wali_sys_sendto((int)s, "xyz", 3, 0, 0, 0));
    show("recv back", wali_sys_recvfrom(c, buf, 3, MSG_WAITALL, 0, 0));
    show("send after shutdown (MSG_NOSIGNAL)", wali_sys_sendto(c, "q", 1, MSG_NOSIGNAL, 0, 0));
    show("shutdown bad how", wali_sys_shutdown(c, 7));
    show("shutdown rdwr", wali_sys_shutdown((int)s, SHUT_RDWR));
    int pfd[2];
    wali_sys_pipe(pfd);
    show("shutdown not socket", wali_sys_shutdown(pfd[0], SHUT_RD));
    int u = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("shutdown unconnected", wali_sys_shutdown(u, SHUT_RD));

    /* writing to a socket whose peer is gone raises SIGPIPE (default action: death) */
    long long child = wali_sys_fork();
    if (child == 0) {
        for (int i = 0; i < 100; i++) wali_sys_sendto(c, "q", 1, 0, 0, 0);
        wali_sys_exit_group(0);
    }
    int st = 0;
    wali_sys_wait4((int)child, &st, 0, 0);
    print_kv("send to shut-down socket killed by", WALI_WIFSIGNALED(st) ? WALI_WTERMSIG(st) : -1);
    wali_sys_close(c);
    wali_sys_close((int)s);

    /* accept4 flags */
    c = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("connect 2", wali_sys_connect(c, &ln, sizeof ln));
    show("accept4 bad flags", wali_sys_accept4(l, 0, 0, 1));
    s = wali_sys_accept4(l, 0, 0, SOCK_CLOEXEC | SOCK_NONBLOCK);
    show_fd("accept4", s);
    print_kv("accepted cloexec", (wali_sys_fcntl((int)s, F_GETFD, 0) & FD_CLOEXEC) != 0);
    print_kv("accepted nonblock", (wali_sys_fcntl((int)s, F_GETFL, 0) & O_NONBLOCK) != 0);
    show("recv nonblocking empty", wali_sys_recvfrom((int)s, buf, sizeof buf, 0, 0, 0));
    wali_sys_close((int)s);
    wali_sys_close(c);
    wali_sys_fcntl(l, F_SETFL, O_NONBLOCK);
    show("accept none pending", wali_sys_accept(l, 0, 0));
    show("accept4 none pending", wali_sys_accept4(l, 0, 0, SOCK_CLOEXEC));
    show("accept not socket", wali_sys_accept(pfd[0], 0, 0));

    /* address in use, refused connection, listen/accept misuse */
    int d = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("bind in use", wali_sys_bind(d, &ln, sizeof ln));
    int e = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    show("bind e", wali_sys_bind(e, &any, sizeof any));
    struct sockaddr_in en = name_of(e);
    wali_sys_close(e);
    show("connect refused", wali_sys_connect(d, &en, sizeof en));
    show("connect bad addr", wali_sys_connect(u, BAD, sizeof en));
    show("connect short len", wali_sys_connect(u, &en, 4));
    show("accept not listening", wali_sys_accept(u, 0, 0));
    int g = (int)wali_sys_socket(AF_INET, SOCK_DGRAM, 0);
    show("listen udp", wali_sys_listen(g, 1));
    show("listen bad fd", wali_sys_listen(99, 1));

    /* options */
    show("TCP_NODELAY set", set_int(u, IPPROTO_TCP, TCP_NODELAY, 1));
    show("TCP_NODELAY get", get_int(u, IPPROTO_TCP, TCP_NODELAY));
    show("SO_KEEPALIVE get", get_int(u, SOL_SOCKET, SO_KEEPALIVE));
    show("SO_RCVBUF set", set_int(u, SOL_SOCKET, SO_RCVBUF, 65536));
    show("SO_RCVBUF get", get_int(u, SOL_SOCKET, SO_RCVBUF));
    struct wali_timeval tv = {1, 500000}, tv2 = {0, 0};
    show("SO_RCVTIMEO set", wali_sys_setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    unsigned int tl = sizeof tv2;
    show("SO_RCVTIMEO get", wali_sys_getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl));
    print_kv("timeout sec", tv2.tv_sec);
    print_kv("timeout usec", tv2.tv_usec);
    print_kv("timeout len", tl);
    int v = 1;
    show("setsockopt short len", wali_sys_setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &v, 2));
    show("setsockopt bad ptr", wali_sys_setsockopt(u, SOL_SOCKET, SO_REUSEADDR, BAD, 4));
    show("setsockopt bad option", wali_sys_setsockopt(u, SOL_SOCKET, 9999, &v, 4));
    show("getsockopt bad level", get_int(u, 9999, 1));
    tl = 4;
    show("getsockopt bad optval", wali_sys_getsockopt(u, SOL_SOCKET, SO_TYPE, BAD, &tl));
    show("getsockopt bad optlen", wali_sys_getsockopt(u, SOL_SOCKET, SO_TYPE, &v, BAD));
    show("getsockopt not socket", get_int(pfd[0], SOL_SOCKET, SO_TYPE));

    /* a receive timeout ends a blocking recv with EAGAIN */
    struct wali_timeval shortt = {0, 30000};
    int h = (int)wali_sys_socket(AF_INET, SOCK_DGRAM, 0);
    wali_sys_bind(h, &any, sizeof any);
    wali_sys_setsockopt(h, SOL_SOCKET, SO_RCVTIMEO, &shortt, sizeof shortt);
    show("recv timeout", wali_sys_recvfrom(h, buf, sizeof buf, 0, 0, 0));

    wali_sys_close(h);
    wali_sys_close(g);
    wali_sys_close(d);
    wali_sys_close(u);
    wali_sys_close(l);
    wali_sys_close(pfd[0]);
    wali_sys_close(pfd[1]);
}

static void unix_sockets(void) {
    /* a named AF_UNIX listener in the current directory */
    struct sockaddr_un sa;
    wali_memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    wali_memcpy(sa.sun_path, "./net.sock", 11);
    wali_sys_unlink("./net.sock");
    int l = (int)wali_sys_socket(AF_UNIX, SOCK_STREAM, 0);
    show("unix bind", wali_sys_bind(l, &sa, sizeof sa));
    show("unix listen", wali_sys_listen(l, 2));
    struct sockaddr_un got;
    unsigned int len = sizeof got;
    wali_memset(&got, 0, sizeof got);
    show("unix getsockname", wali_sys_getsockname(l, &got, &len));
    print("unix path: ");
    print(got.sun_path);
    print("\n");
    int c = (int)wali_sys_socket(AF_UNIX, SOCK_STREAM, 0);
    show("unix connect", wali_sys_connect(c, &sa, sizeof sa));
    long long s = wali_sys_accept(l, 0, 0);
    show_fd("unix accept", s);

    /* pass a pipe's write end over the connection (SCM_RIGHTS) */
    int pfd[2];
    wali_sys_pipe(pfd);
    /* cmsghdr (16 bytes) + one int; 24 = the kernel's CMSG_SPACE(sizeof(int)) */
    union {
        struct wali_cmsghdr h;
        unsigned char bytes[24];
        uint64_t align;
    } ctl;
    wali_memset(&ctl, 0, sizeof ctl);
    ctl.h.cmsg_len = 16 + 4;
    ctl.h.cmsg_level = SOL_SOCKET;
    ctl.h.cmsg_type = SCM_RIGHTS;
    wali_memcpy(ctl.bytes + 16, &pfd[1], 4);
    struct wali_iovec iov = {"F", 1};
    struct wali_msghdr m;
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = &ctl;
    m.msg_controllen = sizeof ctl;
    show("sendmsg SCM_RIGHTS", wali_sys_sendmsg(c, &m, 0));

    char x = 0;
    struct wali_iovec riov = {&x, 1};
    wali_memset(&ctl, 0, sizeof ctl);
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = &riov;
    m.msg_iovlen = 1;
    m.msg_control = &ctl;
    m.msg_controllen = sizeof ctl;
    show("recvmsg SCM_RIGHTS", wali_sys_recvmsg((int)s, &m, 0));
    print_kv("controllen", m.msg_controllen);
    print_kv("cmsg_len", ctl.h.cmsg_len);
    print_kv("cmsg level", ctl.h.cmsg_level);
    print_kv("cmsg type", ctl.h.cmsg_type);
    print_kv("flags", m.msg_flags);
    int passed = -1;
    wali_memcpy(&passed, ctl.bytes + 16, 4);
    print_kv("got a new fd", passed >= 0 && passed != pfd[1]);
    show("write via passed fd", wali_sys_write(passed, "via", 3));
    char buf[8] = {0};
    show("read pipe", wali_sys_read(pfd[0], buf, 3));
    print("pipe got: ");
    print(buf);
    print("\n");

    /* a control buffer that is too small: MSG_CTRUNC */
    wali_memset(&ctl, 0, sizeof ctl);
    ctl.h.cmsg_len = 16 + 4;
    ctl.h.cmsg_level = SOL_SOCKET;
    ctl.h.cmsg_type = SCM_RIGHTS;
    wali_memcpy(ctl.bytes + 16, &pfd[1], 4);
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = &ctl;
    m.msg_controllen = sizeof ctl;
    show("sendmsg SCM_RIGHTS 2", wali_sys_sendmsg(c, &m, 0));
    wali_memset(&ctl, 0, sizeof ctl);
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = &riov;
    m.msg_iovlen = 1;
    m.msg_control = &ctl;
    m.msg_controllen = 16;
    show("recvmsg small control", wali_sys_recvmsg((int)s, &m, 0));
    print_kv("MSG_CTRUNC", (m.msg_flags & MSG_CTRUNC) != 0);

    wali_sys_close(passed);
    wali_sys_close(pfd[0]);
    wali_sys_close(pfd[1]);
    wali_sys_close(c);
    wali_sys_close((int)s);
    wali_sys_close(l);
    show("unix connect after close", wali_sys_connect((int)wali_sys_socket(AF_UNIX, SOCK_STREAM, 0), &sa, sizeof sa));
    show("unlink", wali_sys_unlink("./net.sock"));
}

/* The kernel reports "nothing to accept" before it looks at the addrlen pointer. */
static void efault_order(void) {
    int l = (int)wali_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in any = loopback(0), peer;
    wali_sys_bind(l, &any, sizeof any);
    wali_sys_listen(l, 1);
    show("accept bad addrlen ptr, none pending", wali_sys_accept(l, &peer, BAD));
    /* more iovecs than UIO_MAXIOV (1024): EMSGSIZE */
    int sv[2];
    wali_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    static struct wali_iovec many[1025];
    for (int i = 0; i < 1025; i++) many[i].iov_base = "x", many[i].iov_len = 1;
    struct wali_msghdr m;
    wali_memset(&m, 0, sizeof m);
    m.msg_iov = many;
    m.msg_iovlen = 1025;
    show("sendmsg 1025 iovecs", wali_sys_sendmsg(sv[0], &m, 0));
    show("writev 1025 iovecs", wali_sys_writev(sv[0], many, 1025));
}

int main(int argc, char **argv) {
    if (argc > 1 && wali_streq(argv[1], "efault-order")) {
        efault_order();
        return 0;
    }
    print("-- basics\n");
    basics();
    print("-- udp\n");
    udp();
    print("-- tcp\n");
    tcp();
    print("-- unix\n");
    unix_sockets();
    return 0;
}
