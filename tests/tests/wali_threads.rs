//! Threads: __wasm_thread_spawn (pthreads in the native build), futex, set_tid_address, gettid,
//! tkill to a thread, thread and process exit, and a producer/consumer queue on futexes and
//! atomics. Each guest runs natively and under cwali and must print the same and end the same way.

mod common;
mod tmpdir;

use std::process::Output;

use common::{Ending, Run, assert_same, ending};
use tmpdir::same_in_tmp;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn thr_producer_consumer() {
    let out = same_in_tmp("thr_prodcons", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout(&out),
        "threads started=5\nproducers done=3\nconsumers done=2\nitems consumed=9000\nsum=1813504500\n\
         sum as expected=1\nfrom producer 0: 3000\nfrom producer 1: 3000\nfrom producer 2: 3000\n\
         threads saw their tid=5\nqueue empty=1\n"
    );
}

#[test]
fn thr_basic() {
    let out = same_in_tmp("thr_basic", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    for line in [
        "spawn returned a tid=1\nthread got its tid=1\nthread shares pid=1\nthread tid differs from main=1\n\
         set_tid_address returned tid=1\n",
        "wait value mismatch=-11\nwait timeout=-110\nwait private timeout=-110\nwake nobody=0\n",
        "bad op=-38\nunaligned=-22\nbad address=-14\nbad timeout=-22\ncmp_requeue mismatch=-11\n",
        "woke a sleeping waiter=1\nwaiter done=1\n",
        "requeued=2\nwake on fa after requeue=0\nwoken from fb=2\n",
        "counter=160000\n",
        "tkill thread=0\nhandler ran=1\nsleeper done=1\n",
        "child forked by a thread exited with=6\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// SYS_exit ends only the calling thread; when the last one ends, its status is the process's
/// (returning from the entry counts as status 0).
#[test]
fn thr_last_thread_exit_status() {
    let out = same_in_tmp("thr_basic", &["last"]);
    assert_eq!(ending(&out), Ending::Exit(9));
    assert_eq!(stdout(&out), "main: exit(3)\nthread: outlived main\n");
    let out = same_in_tmp("thr_basic", &["last-return"]);
    assert_eq!(ending(&out), Ending::Exit(0));
    assert_eq!(stdout(&out), "main: exit(3)\nthread: outlived main\n");
}

/// exit_group, a trap or execve in any thread ends every thread.
#[test]
fn thr_group_exit_trap_exec() {
    let out = same_in_tmp("thr_basic", &["group"]);
    assert_eq!(ending(&out), Ending::Exit(5));
    assert_eq!(stdout(&out), "thread: exit_group(5)\n");
    let out = same_in_tmp("thr_basic", &["trap"]);
    assert_eq!(ending(&out), Ending::Signal(libc::SIGSEGV));
    assert_eq!(stdout(&out), "thread: bad store\n");
    let out = same_in_tmp("thr_basic", &["exec"]);
    assert_eq!(ending(&out), Ending::Exit(4));
    assert_eq!(stdout(&out), "exec from a thread\n");
}

/// A thread that called set_tid_address(&word) has `word` cleared (and futex-woken) when it ends,
/// as the kernel does natively. cwali only validates the address (the host thread's own
/// clear-child-tid word must stay the host libc's) and never clears it.
#[test]
fn thr_set_tid_address_cleared_at_exit() {
    let out = assert_same("thr_basic", &Run::args(&["cleartid"]));
    assert_eq!(stdout(&out), "set_tid_address returned tid=1\ncleared at thread exit=1\n");
}
