//! Sockets: socket, socketpair, bind, listen, connect, accept, accept4, getsockname, getpeername,
//! sendto, recvfrom, sendmsg, recvmsg, shutdown, setsockopt, getsockopt, and a TCP echo server
//! with forked handlers and a poll()-driven one. Loopback only, ports chosen by the kernel. Each
//! guest runs natively and under cwali, in a fresh directory, and must print the same.

mod common;
mod tmpdir;

use std::process::Output;

use common::{Run, assert_same};
use tmpdir::same_in_tmp;

fn contains_all(out: &Output, lines: &[&str]) {
    let text = String::from_utf8_lossy(&out.stdout);
    for line in lines {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn net_basic() {
    let out = same_in_tmp("net_basic", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    contains_all(
        &out,
        &[
            "socket bad domain=-97\nsocket bad type=-22\nsocket bad protocol=-93\n",
            "FD_CLOEXEC set=1\nO_NONBLOCK set=1\n",
            "got: pair\nsocketpair inet=-95\n",
            "bound family=2\nbound loopback=1\nbound port chosen=1\n",
            "recvfrom=4\nsource is sender=1\nrecvfrom empty nonblocking=-11\n",
            "recvfrom MSG_TRUNC=10\ntruncated: 0123\n",
            "scattered: hell|o wo|rld\nrecvmsg namelen=16\nrecvmsg from sender=1\nrecvmsg flags=0\n",
            "recvmsg truncated=5\nMSG_TRUNC=1\n",
            "sendmsg no address=-89\n",
            "accept peer is client=1\n",
            "client peer is listener=1\n",
            "server peer is client=1\n",
            "recv eof=0\nsend back=3\nrecv back=3\nsend after shutdown (MSG_NOSIGNAL)=-32\n",
            "send to shut-down socket killed by=13\n",
            "accepted cloexec=1\naccepted nonblock=1\n",
            "accept none pending=-11\n",
            "bind in use=-98\n",
            "connect refused=-111\n",
            "timeout sec=1\ntimeout usec=500000\ntimeout len=16\n",
            "recv timeout=-11\n",
            "unix path: ./net.sock\n",
            "controllen=24\ncmsg_len=20\ncmsg level=1\ncmsg type=1\nflags=0\ngot a new fd=1\n",
            "pipe got: via\n",
            "MSG_CTRUNC=1\n",
        ],
    );
}

/// Forked echo server with three forked clients, then a poll()-driven echo in one process.
#[test]
fn net_echo_server() {
    let out = same_in_tmp("net_echo", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    contains_all(
        &out,
        &[
            "accepted=3\nclient 0 status 0\nclient 1 status 0\nclient 2 status 0\nhandlers ok=3\n",
            "poll echo sent=200000\npoll echo received=200000\npoll echo intact=1\n",
        ],
    );
}

/// The kernel answers some calls with another error before it looks at a bad pointer or a long
/// iovec array; cwali's checks come first: accept on an empty non-blocking listener with a bad
/// addrlen pointer (Linux EAGAIN, cwali EFAULT) and sendmsg with 1025 iovecs (Linux EMSGSIZE,
/// cwali EINVAL).
#[test]
#[ignore = "syscall translation checks pointers/iovec counts before the kernel's own errors"]
fn net_error_order() {
    assert_same("net_basic", &Run::args(&["efault-order"]));
}
