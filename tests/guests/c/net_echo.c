/* A small TCP echo server and its clients on 127.0.0.1 (port chosen by the kernel: bind to port 0
 * + getsockname).
 *
 * Part 1, processes: the server accepts CLIENTS connections and forks a handler per connection
 * that echoes until EOF; the clients are forked children that send MSGS messages each, check every
 * echo, half-close and expect EOF. Exit statuses report the checks.
 * Part 2, one process: a non-blocking listener, client and server connection multiplexed with
 * poll() until the whole payload has gone round trip.
 * Every blocking call is bounded by SO_RCVTIMEO/SO_SNDTIMEO or a poll timeout. */
#include "wali.h"

struct sockaddr_in {
    uint16_t sin_family;
    uint16_t sin_port;
    uint32_t sin_addr;
    uint8_t sin_zero[8];
};

#define CLIENTS 3
#define MSGS 20

static uint32_t htonl32(uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static void timeouts(int fd) {
    struct wali_timeval tv = {5, 0};
    wali_sys_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    wali_sys_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int recv_full(int fd, char *buf, int n) {
    int got = 0;
    while (got < n) {
        long long r = wali_sys_recvfrom(fd, buf + got, n - got, 0, 0, 0);
        if (r == -EINTR) continue;
        if (r <= 0) return got;
        got += (int)r;
    }
    return got;
}

static int send_full(int fd, const char *buf, int n) {
    int sent = 0;
    while (sent < n) {
        long long r = wali_sys_sendto(fd, buf + sent, n - sent, MSG_NOSIGNAL, 0, 0);
        if (r == -EINTR) continue;
        if (r <= 0) return sent;
        sent += (int)r;
    }
    return sent;
}

/* "client C message M ......" padded to a length that depends on both */
static int make_msg(char *buf, int c, int m) {
    const char *head = "client ";
    int n = 0;
    while (head[n]) buf[n] = head[n], n++;
    buf[n++] = (char)('0' + c);
    buf[n++] = ' ';
    buf[n++] = (char)('a' + m);
    buf[n++] = ':';
    int pad = 10 + (c * 7 + m * 13) % 50;
    for (int i = 0; i < pad; i++) buf[n++] = (char)('A' + (i + m) % 26);
    buf[n++] = '\n';
    return n;
}

static int client(struct sockaddr_in *addr, int c) {
    int fd = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 10;
    timeouts(fd);
    if (wali_sys_connect(fd, addr, sizeof *addr) != 0) return 11;
    char msg[128], back[128];
    for (int m = 0; m < MSGS; m++) {
        int n = make_msg(msg, c, m);
        if (send_full(fd, msg, n) != n) return 12;
        if (recv_full(fd, back, n) != n) return 13;
        if (wali_memcmp(msg, back, n) != 0) return 14;
    }
    if (wali_sys_shutdown(fd, SHUT_WR) != 0) return 15;
    if (wali_sys_recvfrom(fd, back, sizeof back, 0, 0, 0) != 0) return 16;
    wali_sys_close(fd);
    return 0;
}

/* Echo until EOF; exit status 0 if the byte count is what client c sends. */
static int handler(int fd) {
    timeouts(fd);
    char buf[256];
    long long total = 0;
    for (;;) {
        long long r = wali_sys_recvfrom(fd, buf, sizeof buf, 0, 0, 0);
        if (r == -EINTR) continue;
        if (r < 0) return 20;
        if (r == 0) break;
        if (send_full(fd, buf, (int)r) != r) return 21;
        total += r;
    }
    wali_sys_close(fd);
    return total > 0 ? 0 : 22;
}

static void forked_server(void) {
    int l = (int)wali_sys_socket(AF_INET, SOCK_STREAM, 0);
    WALI_CHECK(l >= 0);
    struct sockaddr_in addr;
    wali_memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr = htonl32(INADDR_LOOPBACK);
    WALI_CHECK(wali_sys_bind(l, &addr, sizeof addr) == 0);
    WALI_CHECK(wali_sys_listen(l, CLIENTS) == 0);
    unsigned int len = sizeof addr;
    WALI_CHECK(wali_sys_getsockname(l, &addr, &len) == 0);
    timeouts(l);

    long long clients[CLIENTS], handlers[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
        clients[c] = wali_sys_fork();
        if (clients[c] == 0) {
            wali_sys_close(l);
            wali_sys_exit_group(client(&addr, c));
        }
    }
    int accepted = 0;
    for (int i = 0; i < CLIENTS; i++) {
        long long fd = wali_sys_accept(l, 0, 0);
        if (fd < 0) {
            handlers[i] = -1;
            continue;
        }
        accepted++;
        handlers[i] = wali_sys_fork();
        if (handlers[i] == 0) {
            wali_sys_close(l);
            wali_sys_exit_group(handler((int)fd));
        }
        wali_sys_close((int)fd);
    }
    wali_sys_close(l);
    print_kv("accepted", accepted);
    for (int c = 0; c < CLIENTS; c++) {
        int st = -1;
        wali_sys_wait4((int)clients[c], &st, 0, 0);
        print("client ");
        print_int(c);
        print(" status ");
        print_int(WALI_WIFEXITED(st) ? WALI_WEXITSTATUS(st) : 100 + WALI_WTERMSIG(st));
        print("\n");
    }
    int handlers_ok = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int st = -1;
        if (handlers[i] > 0 && wali_sys_wait4((int)handlers[i], &st, 0, 0) == handlers[i] && WALI_WIFEXITED(st) &&
            WALI_WEXITSTATUS(st) == 0)
            handlers_ok++;
    }
    print_kv("handlers ok", handlers_ok);
}

static void polled(void) {
    int l = (int)wali_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr;
    wali_memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr = htonl32(INADDR_LOOPBACK);
    WALI_CHECK(wali_sys_bind(l, &addr, sizeof addr) == 0);
    WALI_CHECK(wali_sys_listen(l, 1) == 0);
    unsigned int len = sizeof addr;
    WALI_CHECK(wali_sys_getsockname(l, &addr, &len) == 0);

    int c = (int)wali_sys_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    long long r = wali_sys_connect(c, &addr, sizeof addr);
    print_kv("nonblocking connect in progress or done", r == 0 || r == -EINPROGRESS);

    /* client: send TOTAL bytes, read them back; server: echo */
    enum { TOTAL = 200000 };
    static char out[TOTAL], in[TOTAL], pending[65536];
    for (int i = 0; i < TOTAL; i++) out[i] = (char)(i * 31 + 7);
    int s = -1, sent = 0, received = 0, plen = 0, rounds = 0;
    while (received < TOTAL && rounds < 100000) {
        rounds++;
        struct wali_pollfd p[3];
        int n = 0;
        p[n].fd = l, p[n].events = POLLIN, p[n].revents = 0, n++;
        p[n].fd = c, p[n].events = (short)(POLLIN | (sent < TOTAL ? POLLOUT : 0)), p[n].revents = 0, n++;
        if (s >= 0) p[n].fd = s, p[n].events = (short)(POLLIN | (plen ? POLLOUT : 0)), p[n].revents = 0, n++;
        long long k = wali_sys_poll(p, n, 5000);
        if (k <= 0) break;
        if ((p[0].revents & POLLIN) && s < 0) {
            long long fd = wali_sys_accept4(l, 0, 0, SOCK_NONBLOCK);
            if (fd >= 0) s = (int)fd;
        }
        if ((p[1].revents & POLLOUT) && sent < TOTAL) {
            int chunk = TOTAL - sent > 7000 ? 7000 : TOTAL - sent;
            r = wali_sys_sendto(c, out + sent, chunk, MSG_NOSIGNAL, 0, 0);
            if (r > 0) sent += (int)r;
        }
        if (p[1].revents & POLLIN) {
            r = wali_sys_recvfrom(c, in + received, TOTAL - received, 0, 0, 0);
            if (r > 0) received += (int)r;
        }
        if (n == 3) {
            if ((p[2].revents & POLLIN) && plen < (int)sizeof pending) {
                r = wali_sys_recvfrom(s, pending + plen, sizeof pending - plen, 0, 0, 0);
                if (r > 0) plen += (int)r;
            }
            if ((p[2].revents & POLLOUT) && plen > 0) {
                r = wali_sys_sendto(s, pending, plen, MSG_NOSIGNAL, 0, 0);
                if (r > 0) {
                    __builtin_memmove(pending, pending + r, plen - r); /* wali.h has no wali_memmove */
                    plen -= (int)r;
                }
            }
        }
    }
    print_kv("poll echo sent", sent);
    print_kv("poll echo received", received);
    print_kv("poll echo intact", received == TOTAL && wali_memcmp(out, in, TOTAL) == 0);
    wali_sys_close(c);
    wali_sys_close(s);
    wali_sys_close(l);
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    forked_server();
    polled();
    return 0;
}
