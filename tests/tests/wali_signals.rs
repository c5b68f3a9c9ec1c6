//! Signals: rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, rt_sigreturn, sigaltstack,
//! kill, tkill, setitimer, and handlers that end the process. Each guest runs natively and under
//! cwali and must print the same and end the same way (code or killing signal).

mod common;
mod tmpdir;

use std::process::Output;

use common::{Ending, Run, assert_same, ending};
use tmpdir::same_in_tmp;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sig_basic() {
    let out = same_in_tmp("sig_basic", &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for line in [
        "kill self usr1=0\nhandled before kill returned=1\nhandler got signo=10\n",
        "usr2 reads back SIG_IGN=1\n",
        "sigaction SIGKILL=-22\n",
        "sigaction setsize 128=-22\n",
        "info hits=1\ninfo signo=14\n",
        "usr2 reset to default=1\n",
        "in handler: own signal deferred, hits=1\nin handler: sa_mask signal deferred, other=0\n\
         kill self usr1 (nesting)=0\nnesting hits=2\nnesting max depth=1\nother hits=1\nmask after handlers=0x0\n",
        "nodefer hits=2\nnodefer max depth=2\n",
        "not handled while blocked=1\nsigpending=0\npending=0x200\nunblock usr1=0\nhandled when unblocked=1\n",
        "sigsuspend=-4\nhandled by sigsuspend=1\nmask restored=0x800\n",
        "rtmin pending=1\nunblock rtmin+usr1=0\nrtmin handled=3\nusr1 handled=1\n",
        "sigreturn=-1\n",
        "alt sp=1\nalt size=16384\nalt flags=0\n",
        "sigaltstack too small=-12\n",
        "handled before tkill returned=1\n",
        "tkill no such tid=-3\n",
        "child killed by=15\n",
        "child status=11\n",
        "dfl usr1 child killed by=10\n",
        "sigsuspend for child's signal=-4\nparent handled=1\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn sig_timer() {
    let out = same_in_tmp("sig_timer", &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for line in [
        "sigsuspend=-4\nalarms=1\n",
        "old remaining in (9s, 10s]=1\n",
        "ticks >= 4=1\n",
        "old interval us=5000\n",
        "spin loop saw alarm=1\n",
        "read interrupted=-4\nhandled by then=1\n",
        "nanosleep interrupted=-4\nremaining > 4s=1\nhandled by then=1\n",
        "virtual fired=1\n",
        "prof fired=1\n",
        "bad which=-22\nbad usec=-22\n",
        "child killed by=14\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// A handler that ends the process from inside: the exit status is the handler's.
#[test]
fn sig_exit_from_handler() {
    for (mode, status) in [
        ("kill", 42),
        ("tkill", 43),
        ("timer", 44),
        ("spin", 45),
        ("segv", 46),
        ("fpe", 47),
        ("overflow", 48),
        ("child", 0),
        ("return", 0),
    ] {
        let out = same_in_tmp("sig_exit", &[mode]);
        let text = stdout(&out);
        assert_eq!(ending(&out), Ending::Exit(status), "mode {mode}: {text}");
        assert!(!text.contains("not reached"), "mode {mode}: {text}");
        match mode {
            "child" => assert!(text.contains("child handler, sig=10\nchild exited=1\nchild status=49\n"), "{text}"),
            "return" => assert!(text.contains("handler returned, hits=1\n"), "{text}"),
            _ => assert!(text.contains("in handler, sig="), "mode {mode}: {text}"),
        }
    }
}

#[test]
fn sig_default_actions_kill() {
    let out = same_in_tmp("sig_exit", &["nosegv"]);
    assert_eq!(ending(&out), Ending::Signal(libc::SIGSEGV));
    let out = same_in_tmp("sig_exit", &["abort"]);
    assert_eq!(ending(&out), Ending::Signal(libc::SIGABRT));
}

/// Natively the main thread's tid is the process id, so tkill(getpid(), sig) reaches the main
/// thread. cwali runs the main Wasm thread on a second host thread: its gettid() differs from
/// getpid(), and a tkill(getpid()) goes to the runtime's waiting thread, which blocks every
/// signal, so the guest never sees it.
#[test]
fn sig_tkill_main_thread_by_pid() {
    let out = assert_same("sig_basic", &Run::args(&["tkill-pid"]));
    assert_eq!(stdout(&out), "main thread's tid is the pid=1\ntkill(getpid())=0\nhandled=1\n");
}
