//! I/O syscalls on pipes, eventfds, epoll and ioctl: each guest runs natively and under cwali (in a
//! fresh directory of its own) and must print the same and end the same way.

mod common;
mod tmpdir;

use common::{Ending, Run, assert_same, ending};
use tmpdir::same_ok_in_tmp;

#[test]
fn io_vec() {
    let out = same_ok_in_tmp("io_vec");
    assert!(out.starts_with("writev to stdout\n"), "{out}");
    assert!(out.contains("a=abcd\nb=ef\nc=ghij\n"), "{out}");
}

#[test]
fn io_pipe() {
    let out = same_ok_in_tmp("io_pipe");
    assert!(out.contains("got=through the pipe\n"), "{out}");
    assert!(out.contains("wali_sys_write(p[1], \"x\", 1)=-32\n"), "{out}");
}

#[test]
fn io_sigpipe_kills_by_default() {
    let out = assert_same("io_sigpipe", &Run::args(&[]));
    assert_eq!(ending(&out), Ending::Signal(libc::SIGPIPE));
    assert_eq!(out.stdout, b"before\n");
}

#[test]
fn io_poll() {
    let out = same_ok_in_tmp("io_poll");
    assert!(out.contains("poll a readable: r=2 revents[0]=0x1 revents[1]=0x4 revents[2]=0x0\n"), "{out}");
    assert!(out.contains("poll after close: r=1 revents[0]=0x10\n"), "{out}");
}

#[test]
fn io_epoll() {
    let out = same_ok_in_tmp("io_epoll");
    // Every ready event arrives with its full 64-bit data (WALI-ABI.md §16.9).
    assert!(
        out.contains(
            "four ready: r=4 {0x1,0x1111111100000001} {0x1,0x2222222200000002} \
             {0x1,0x3333333300000003} {0x4,0x4444444400000004}\n"
        ),
        "{out}"
    );
}

/// An invalid maxevents (negative, zero, above EP_MAX_EVENTS) is EINVAL before the events
/// buffer's range is looked at, as in the kernel.
#[test]
fn io_epoll_badmax() {
    same_ok_in_tmp("io_epoll_badmax");
}

#[test]
fn io_eventfd() {
    let out = same_ok_in_tmp("io_eventfd");
    assert!(out.contains("rd((int)e)=15\n"), "{out}");
}

#[test]
fn io_ioctl() {
    let out = same_ok_in_tmp("io_ioctl");
    assert!(out.contains("wali_sys_ioctl(p[0], FIONREAD, &n)=0\nn=5\n"), "{out}");
}

#[test]
fn io_getrandom() {
    let out = same_ok_in_tmp("io_getrandom");
    assert!(out.contains("wali_sys_getrandom(big, sizeof big, 0)=70000\n"), "{out}");
}

#[test]
fn io_pty() {
    let out = same_ok_in_tmp("io_pty");
    if out.contains("ptmx_ok=1\n") && out.contains("peer_ok=1\n") {
        assert!(out.contains("rows=24\ncols=80\n"), "{out}");
        assert!(out.contains("slave_got=ping\n"), "{out}");
        assert!(out.contains("peer_cloexec_ok=1\n"), "{out}");
    }
}
