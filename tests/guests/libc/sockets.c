/* Sockets through the libc, loopback only: getaddrinfo/getnameinfo (numeric and "localhost" from
 * /etc/hosts), inet_pton/ntop, a TCP server and client in two threads, UDP datagrams,
 * socketpair, socket options, shutdown and error codes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listener;

static int atoi_port_matches(const char *s, int port) {
    int v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v == port;
}

static void *server(void *arg) {
    (void)arg;
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int c = accept(listener, (struct sockaddr *)&peer, &len);
    char buf[256];
    ssize_t n, total = 0;
    /* Echo upper-cased until the client shuts down its side. */
    while ((n = recv(c, buf, sizeof buf, 0)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
        send(c, buf, n, 0);
        total += n;
    }
    close(c);
    return (void *)total;
}

int main(void) {
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    int rc = getaddrinfo("127.0.0.1", "8080", &hints, &res);
    struct sockaddr_in *sin = (struct sockaddr_in *)res->ai_addr;
    printf("getaddrinfo numeric=%d family=%d port=%d addr=%s\n", rc, res->ai_family == AF_INET, ntohs(sin->sin_port),
           inet_ntoa(sin->sin_addr));
    freeaddrinfo(res);
    hints.ai_flags = 0;
    rc = getaddrinfo("localhost", NULL, &hints, &res);
    int found_loopback = 0;
    for (struct addrinfo *a = rc == 0 ? res : NULL; a; a = a->ai_next)
        if (((struct sockaddr_in *)a->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) found_loopback = 1;
    printf("getaddrinfo localhost=%d loopback=%d\n", rc, found_loopback);
    if (rc == 0) freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICHOST;
    rc = getaddrinfo("not-an-address", NULL, &hints, &res);
    printf("getaddrinfo bad numeric is EAI_NONAME=%d\n", rc == EAI_NONAME);

    unsigned char v6[16];
    char text[INET6_ADDRSTRLEN];
    rc = inet_pton(AF_INET6, "::1", v6);
    printf("inet_pton v6=%d ntop=%s\n", rc, inet_ntop(AF_INET6, v6, text, sizeof text));
    struct in_addr a4;
    printf("inet_pton bad=%d\n", inet_pton(AF_INET, "300.1.2.3", &a4));

    /* TCP on an ephemeral loopback port. */
    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    rc = bind(listener, (struct sockaddr *)&addr, sizeof addr);
    printf("bind=%d listen=%d\n", rc, listen(listener, 4));
    socklen_t alen = sizeof addr;
    getsockname(listener, (struct sockaddr *)&addr, &alen);
    printf("ephemeral port assigned=%d\n", ntohs(addr.sin_port) != 0);
    char host[64], serv[16];
    rc = getnameinfo((struct sockaddr *)&addr, alen, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
    printf("getnameinfo=%d host=%s serv matches=%d\n", rc, host, atoi_port_matches(serv, ntohs(addr.sin_port)));
    pthread_t t;
    pthread_create(&t, NULL, server, NULL);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("connect=%d\n", connect(s, (struct sockaddr *)&addr, sizeof addr));
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int nodelay = 0;
    socklen_t olen = sizeof nodelay;
    getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &nodelay, &olen);
    printf("TCP_NODELAY=%d\n", nodelay != 0);
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    getpeername(s, (struct sockaddr *)&peer, &plen);
    printf("peer port matches=%d\n", peer.sin_port == addr.sin_port);
    const char *msgs[] = {"hello ", "over ", "loopback"};
    char reply[64] = {0};
    size_t got = 0;
    for (int i = 0; i < 3; i++) {
        send(s, msgs[i], strlen(msgs[i]), 0);
        size_t want = got + strlen(msgs[i]);
        while (got < want) {
            ssize_t n = recv(s, reply + got, sizeof reply - 1 - got, 0);
            if (n <= 0) break;
            got += n;
        }
    }
    shutdown(s, SHUT_WR);
    char extra;
    ssize_t eof = recv(s, &extra, 1, 0);
    void *served;
    pthread_join(t, &served);
    printf("reply='%s' eof=%zd server saw %ld bytes\n", reply, eof, (long)served);
    close(s);
    close(listener);

    /* Connecting to a closed port is refused. */
    s = socket(AF_INET, SOCK_STREAM, 0);
    rc = connect(s, (struct sockaddr *)&addr, sizeof addr);
    printf("connect closed port=%d %s\n", rc, errno == ECONNREFUSED ? "ECONNREFUSED" : "?");
    close(s);

    /* UDP datagrams keep their boundaries. */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(u1, (struct sockaddr *)&ua, sizeof ua);
    alen = sizeof ua;
    getsockname(u1, (struct sockaddr *)&ua, &alen);
    sendto(u2, "one", 3, 0, (struct sockaddr *)&ua, sizeof ua);
    sendto(u2, "three", 5, 0, (struct sockaddr *)&ua, sizeof ua);
    char d[16];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n1 = recvfrom(u1, d, sizeof d, 0, (struct sockaddr *)&from, &flen);
    ssize_t n2 = recv(u1, d, sizeof d, 0);
    printf("udp datagrams %zd %zd from loopback=%d\n", n1, n2, from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    close(u1);
    close(u2);

    /* socketpair, and a unix datagram pair with SO_TYPE. */
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
    write(sp[0], "pair", 4);
    memset(d, 0, sizeof d);
    read(sp[1], d, sizeof d);
    int type = 0;
    olen = sizeof type;
    getsockopt(sp[0], SOL_SOCKET, SO_TYPE, &type, &olen);
    printf("socketpair read '%s' SOCK_STREAM=%d\n", d, type == SOCK_STREAM);
    close(sp[0]);
    close(sp[1]);

    /* A socket is not a seekable file. */
    s = socket(AF_INET, SOCK_STREAM, 0);
    rc = (int)lseek(s, 0, SEEK_SET);
    printf("lseek socket=%d %s\n", rc, errno == ESPIPE ? "ESPIPE" : "?");
    close(s);
    return 0;
}
