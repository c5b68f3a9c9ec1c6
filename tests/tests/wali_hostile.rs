//! Hostile guests: programs that attack the runtime through the WALI surface (issue 8's holes).
//! Each runs through the inline syscall path, the host path (`--trace`), and with explicit
//! bounds checks where memory layout matters; the runtime must answer as Linux would (or refuse
//! with the documented error) and never crash, corrupt itself or lose its own signal handlers.

mod common;

use common::{Ending, Run, ending, run_cwali};

fn modes() -> [Vec<String>; 3] {
    [vec![], vec!["--trace".into()], vec!["--bounds-checks".into(), "explicit".into()]]
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_without_trace(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).lines().filter(|l| !l.starts_with('[')).collect::<Vec<_>>().join("\n")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `name` in every mode and requires exit 0 and exactly `expected` on stdout.
fn expect(name: &str, args: &[&str], expected: &str) {
    for opts in modes() {
        let run = Run { cwali_opts: opts.clone(), ..Run::args(args) };
        let out = run_cwali(name, &run);
        assert_eq!(
            (ending(&out), stdout(&out).as_str()),
            (Ending::Exit(0), expected),
            "{name} {opts:?}\nstderr:\n{}",
            stderr_without_trace(&out)
        );
    }
}

#[test]
fn proc_mem_by_any_name_is_refused() {
    let dir = scratch("procmem");
    let refused = -libc::EACCES;
    let mut want = String::new();
    for name in [
        "/proc/self/mem",
        "//proc/self/mem",
        "/proc//self/mem",
        "/proc/./self/mem",
        "/proc/self/../self/mem",
        "/../proc/self/mem",
        "/proc/thread-self/mem",
        "/proc/self/pagemap",
        "pid_mem",
        "pid_mem_rdonly",
        "self_task_mem",
        "pid_task_mem",
        "dirfd_mem",
    ] {
        want += &format!("{name}={refused}\n");
    }
    want += "dirfd_status=fd\n";
    want += &format!("symlink={refused}\nsymlink_creat={refused}\nchdir_mem={refused}\nchild_mem={refused}\n");
    want += "child_status=fd\nchild_exit=0\nproc_self_status=fd\nproc_self_maps=fd\n";
    expect("hostile_procmem", &[dir.to_str().unwrap()], &want);
}

#[test]
fn madvise_mprotect_and_fork_keep_memory_sane() {
    let mut want = String::new();
    for advice in [0, 1, 2, 3, 14, 15, 16, 17, 20, 22, 23] {
        want += &format!("madvise_ok {advice}=0\n");
    }
    for advice in [10, 11, 18, 19, 100, 101, 102, 103, 12345, -1] {
        want += &format!("madvise_bad {advice}=-22\n");
    }
    want += "contents_kept=1\nchild_saw_memory=1\nparent_unchanged=1\nmadvise_dontneed=0\n";
    want += "mprotect_exec=-13\nmprotect_rwx=-13\nmprotect_growsdown=-22\nmprotect_ro=0\nmprotect_rw=0\n";
    want += "mmap_exec=-13\nstill_writable=5\n";
    expect("hostile_memory", &[], &want);
}

#[test]
fn host_copies_into_protected_pages_are_efault() {
    let dir = scratch("protect");
    let want = "\
wali_sys_rt_sigaction(SIGUSR1, (void *)none, 0, KERNEL_SIGSET_SIZE)=-14
wali_sys_rt_sigaction(SIGUSR1, 0, (void *)ro, KERNEL_SIGSET_SIZE)=-14
wali_sys_rt_sigaction(SIGSEGV, 0, (void *)none, KERNEL_SIGSET_SIZE)=-14
wali_sys_sigaltstack((void *)none, 0)=-14
wali_sys_sigaltstack(0, (void *)ro)=-14
wali_sys_rt_sigprocmask(SIG_BLOCK, (void *)none, 0, KERNEL_SIGSET_SIZE)=-14
wali_sys_rt_sigprocmask(SIG_BLOCK, 0, (void *)ro, KERNEL_SIGSET_SIZE)=-14
wali_sys_readv(0, (void *)none, 1)=-14
wali_sys_writev(1, (void *)none, 1)=-14
wali_sys_sendmsg(1, (void *)none, 0)=-14
wali_sys_open(none, O_RDONLY, 0)=-14
wali_sys_openat(AT_FDCWD, none, O_RDONLY, 0)=-14
wali_sys_openat(AT_FDCWD, tail, O_RDONLY, 0)=-14
wali_sys_execve(none, 0, 0)=-14
wali_sys_execve(\"/bin/true\", args, 0)=-14
wali_sys_execve(\"/bin/true\", (void *)none, 0)=-14
wali_cl_copy_argv(none, 0)=-14
wali_cl_copy_argv(ro, 0)=-14
wali_sys_openat(AT_FDCWD, m, O_RDONLY | O_DIRECTORY, 0) >= 0=1
wali_sys_openat(AT_FDCWD, m, O_RDONLY, 0)=-14
wali_sys_rt_sigaction(SIGUSR1, (void *)m, 0, KERNEL_SIGSET_SIZE)=-14
wali_sys_write(1, m, 4)=-14
wali_sys_kill((int)wali_sys_getpid(), SIGUSR1)=0
alive
";
    expect("hostile_protect", &[dir.to_str().unwrap()], want);
}

#[test]
fn pointer_holding_requests_and_sizes() {
    let want = "\
wali_sys_ioctl(s, SIOCGIFCONF, &ifc)=0
ifc.len > 0 && ifc.len % 40 == 0=1
lo=1
wali_sys_ioctl(s, SIOCGIFCONF, &size_only)=0
size_only.len == ifc.len=1
wali_sys_ioctl(s, SIOCGIFCONF, attack)=0
wali_sys_ioctl(s, SIOCETHTOOL, ifbuf)=-25
wali_sys_ioctl(0, FS_IOC_FIEMAP, ifbuf)=-25
wali_sys_ioctl(0, 0x12345678, ifbuf)=-25
wali_sys_setsockopt(s, SOL_SOCKET, 26 , fprog, 16)=-92
wali_sys_setsockopt(s, SOL_SOCKET, 51 , fprog, 16)=-92
wali_sys_getsockopt(s, IPPROTO_TCP, 35 , zc, &zclen)=-92
wali_sys_setsockopt(s, 283 , 4 , fprog, 16)=-92
wali_sys_setsockopt(s, SOL_SOCKET, 2 , &one, 4)=0
wali_sys_getsockopt(s, SOL_SOCKET, 2, &val, &len)=0
val != 0 && len == 4=1
wali_sys_fcntl(0, 9999, 0x7f0000001000ull)=-22
wali_sys_fcntl(s, 1 , 0) >= 0=1
wali_sys_select(1024, end_set, 0, 0, &zero)=0
wali_sys_select(1025, end_set, 0, 0, &zero)=0
wali_sys_select(4096, end_set, 0, 0, &zero)=0
wali_sys_select(64, end - 4, 0, 0, &zero)=-14
wali_sys_select(-1, 0, 0, 0, &zero)=-22
wali_sys_pselect6(4096, end_set, 0, 0, &zero_ts, 0)=0
wali_sys_epoll_pwait(ep, 0, 0, 0, 0, 8)=-22
wali_sys_epoll_pwait(ep, 0, -1, 0, 0, 8)=-22
wali_sys_epoll_pwait(ep, BAD_PTR, -5, 0, 0, 8)=-22
wali_sys_getgroups((wali_size_t)-1, BAD_PTR)=-22
wali_sys_getgroups(0, BAD_PTR) >= 0=1
";
    expect("hostile_args", &[], want);
}

#[test]
fn fault_signals_sent_by_a_process_are_the_guests() {
    for opts in modes() {
        let run = |arg: &str| run_cwali("hostile_signals", &Run { cwali_opts: opts.clone(), ..Run::args(&[arg]) });
        let out = run("handled");
        assert_eq!(
            (ending(&out), stdout(&out).as_str()),
            (
                Ending::Exit(0),
                "handler=11\nwali_sys_kill(pid, SIGSEGV)=0\nhandler=7\nwali_sys_kill(pid, SIGBUS)=0\n\
                 handler=4\nwali_sys_tkill((int)wali_sys_gettid(), SIGILL)=0\nhandler=8\n\
                 wali_sys_kill(pid, SIGFPE)=0\nhits=4\n"
            ),
            "{opts:?}\n{}",
            stderr_without_trace(&out)
        );
        // The default action: killed by the signal, as a native program is.
        let out = run("default");
        assert_eq!((ending(&out), stdout(&out).as_str()), (Ending::Signal(libc::SIGBUS), "sending\n"), "{opts:?}");
        // Ignored twice, then the runtime still turns an out-of-bounds access into a trap.
        let out = run("ignored-then-trap");
        assert_eq!(
            (ending(&out), stdout(&out).as_str()),
            (Ending::Signal(libc::SIGSEGV), "wali_sys_kill(pid, SIGSEGV)=0\nwali_sys_kill(pid, SIGSEGV)=0\ntrapping\n"),
            "{opts:?}"
        );
        assert!(stderr_without_trace(&out).contains("wasm trap: out of bounds memory access"), "{opts:?}");
    }
}

/// `ulimit -s` set low before cwali starts (a guest can do that and re-exec itself): the guest's
/// stack overflow is a trap, and a recursion that fits still runs.
#[test]
fn small_stack_limits_trap_instead_of_crashing() {
    let cwali = common::cwali_exe();
    let wasm = common::wasm("hostile_stack");
    for kib in [256, 512, 1024] {
        let sh = |depth: u32| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("ulimit -s {kib} && exec \"$0\" run \"$1\" {depth}"))
                .arg(&cwali)
                .arg(&wasm)
                .output()
                .unwrap()
        };
        let out = sh(50);
        assert_eq!((ending(&out), stdout(&out).as_str()), (Ending::Exit(0), "depth=50\n"), "{kib} KiB");
        let out = sh(1_000_000);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(ending(&out), Ending::Signal(libc::SIGSEGV), "{kib} KiB: {err}");
        assert!(err.contains("call stack exhausted"), "{kib} KiB: {err}");
        assert!(!err.contains("fatal runtime error"), "{kib} KiB: {err}");
    }
}

/// The environment file of an execve'd `.wasm` is the runtime's own: one that somebody else could
/// have written (`/tmp/wali_env.<pid>` readable by others) is not handed to the program.
#[test]
fn foreign_env_files_are_ignored() {
    let cwali = common::cwali_exe();
    let wasm = common::wasm("hostile_envfile");
    let run = |mode: &str| {
        let script =
            format!("f=/tmp/wali_env.$$; rm -f $f; echo PLANTED=1 > $f; chmod {mode} $f; exec \"$0\" run \"$1\"");
        let child = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(&cwali)
            .arg(&wasm)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let planted = format!("/tmp/wali_env.{}", child.id());
        let out = child.wait_with_output().unwrap();
        let _ = std::fs::remove_file(planted);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // A private file of ours (the reference runtime's hand-over) is used; a readable one is not.
    assert!(run("600").contains("PLANTED=1"), "{}", run("600"));
    assert_eq!(run("644"), "none\n");
}

/// The memfd behind a memory image is in the guest's fd table, but sealed: neither shrinking it
/// (a SIGBUS on every later read of the image) nor writing it works.
#[test]
fn memory_image_memfd_is_sealed() {
    for opts in modes() {
        let out = run_cwali("hostile_memfd", &Run { cwali_opts: opts.clone(), ..Run::args(&[]) });
        assert_eq!(ending(&out), Ending::Exit(0), "{opts:?} (10: no memfd, 11: truncated, 12: written, 13: changed)");
    }
}

/// rt_sigqueueinfo to itself cannot forge a kernel-made fault (or SI_TKILL) for the runtime's
/// fault handler; what sigqueue(3) sends is delivered.
#[test]
fn sigqueueinfo_cannot_forge_kernel_signals() {
    for opts in modes() {
        let out = run_cwali("hostile_sigqueue", &Run { cwali_opts: opts.clone(), ..Run::args(&[]) });
        assert_eq!(
            ending(&out),
            Ending::Signal(libc::SIGUSR1),
            "{opts:?} (11: forged fault accepted, 12: forged SI_TKILL accepted, 13: SI_QUEUE refused)\n{}",
            stderr_without_trace(&out)
        );
    }
}
