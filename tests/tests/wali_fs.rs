//! File-system syscalls, each guest run natively and under cwali in its own fresh directory:
//! stdout and exit status must match, and the guest must leave the directory empty.

mod common;
mod tmpdir;

use tmpdir::same_ok_in_tmp;

#[test]
fn fs_rw() {
    let out = same_ok_in_tmp("fs_rw");
    assert!(out.contains("read_text=world\n"), "{out}");
    assert!(out.contains("wali_sys_write((int)fd, BAD_PTR, 4)=-14\n"), "{out}");
}

#[test]
fn fs_stat() {
    let out = same_ok_in_tmp("fs_stat");
    assert!(out.contains("stat f.txt: r=0 size=5 type=0x8000 perm=0x1a0 nlink=1"), "{out}");
    assert!(out.contains("lstat ln: r=0 size=5 type=0xa000"), "{out}");
    assert!(out.contains("statx_mtime_ns=123456789\n"), "{out}");
}

#[test]
fn fs_access() {
    let out = same_ok_in_tmp("fs_access");
    assert!(out.contains("wali_sys_access(\"missing\", F_OK)=-2\n"), "{out}");
    assert!(out.contains("wali_sys_faccessat2(AT_FDCWD, \"dangling\", F_OK, AT_SYMLINK_NOFOLLOW)=0\n"), "{out}");
}

#[test]
fn fs_fd() {
    let out = same_ok_in_tmp("fs_fd");
    assert!(out.contains("first_fd=3\ndup=4\n"), "{out}");
    assert!(out.contains("ofd getlk other: r=0 type=1 whence=0 start=5 len=2 pid_kind=-1\n"), "{out}");
}

#[test]
fn fs_dir() {
    let out = same_ok_in_tmp("fs_dir");
    assert!(out.contains("list a: b/4 c/4 file/8 link/10 (buf 48, more than one call: 1)\n"), "{out}");
    assert!(out.contains("cwd_back=1\n"), "{out}");
}

#[test]
fn fs_names() {
    let out = same_ok_in_tmp("fs_names");
    assert!(out.contains("readlinkat up=4\ntarget=../b\n"), "{out}");
    assert!(out.contains("nlink b=4\n"), "{out}");
}

#[test]
fn fs_perm() {
    let out = same_ok_in_tmp("fs_perm");
    assert!(out.contains("times f077=1000000000.111 1500000000.222222222\n"), "{out}");
}

#[test]
fn fs_openat() {
    let out = same_ok_in_tmp("fs_openat");
    assert!(out.contains("via_cwd=inside\n"), "{out}");
}

#[test]
fn fs_statfs() {
    let out = same_ok_in_tmp("fs_statfs");
    assert!(out.contains("c.f_type == 0x9fa0=1\n"), "{out}");
}

#[test]
fn fs_chroot() {
    let out = same_ok_in_tmp("fs_chroot");
    // SAFETY: plain syscall.
    if unsafe { libc::geteuid() } == 0 {
        assert!(out.contains("chroot=0\nopen_abs_ok=1\ncontent=in the jail\n"), "{out}");
    }
}
