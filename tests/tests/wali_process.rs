//! Processes and identity: fork, execve, exit, exit_group, wait4, getpid, getppid, gettid, the
//! uid/gid calls, getgroups/setgroups, process groups and sessions, prctl. Each guest runs natively
//! and under cwali, in a fresh directory, and must print the same and end the same way.

mod common;
mod tmpdir;

use std::process::Output;

use common::{Ending, Run, assert_same, ending, native, run_cwali, run_native, wasm};
use tmpdir::{TempDir, same_in_tmp};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn contains_all(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// fork + pipes + wait4: data both ways, WEXITSTATUS, several children, errors.
#[test]
fn proc_fork_pipe_wait4() {
    let out = same_in_tmp("proc_fork", &[]);
    assert_eq!(out.status.code(), Some(0));
    contains_all(
        &stdout(&out),
        &[
            "wait4 WNOHANG while running=0\n",
            "reply: HELLO CHILD, PLEASE SHOUT\n",
            "child's getppid is parent=1\nchild's getpid differs=1\nchild saw counter=100\nparent counter=101\n",
            "wait4 returned child=1\nWIFEXITED=1\nWEXITSTATUS=42\nrusage filled=1\n",
            "reaped=3\nstatus sum=33\nwait4 no children=-10\n",
            "wait4 bad options=-22\n",
            "nested status=21\nexit() child status=33\n263 & 0xff=7\n",
            "WIFSIGNALED=1\nWTERMSIG=9\n",
        ],
    );
}

/// execve of /bin/echo, /bin/sh and another guest (its .wasm under cwali, which re-executes
/// itself; its native build natively), error paths, and replacing the whole process at the end.
#[test]
fn proc_execve() {
    let target_native = native("proc_exec_target");
    let target_wasm = wasm("proc_exec_target");
    for opts in [&[][..], &["--trace"][..]] {
        let dir = TempDir::new("proc_exec");
        let run = |target: &std::path::Path| Run {
            cwd: Some(dir.path().to_path_buf()),
            cwali_opts: opts.iter().map(|s| s.to_string()).collect(),
            ..Run::args(&[target.to_str().unwrap()])
        };
        let n = run_native("proc_exec", &run(&target_native));
        let w = run_cwali("proc_exec", &run(&target_wasm));
        assert_eq!(
            (ending(&w), stdout(&w)),
            (ending(&n), stdout(&n)),
            "{opts:?}: cwali stderr:\n{}",
            String::from_utf8_lossy(&w.stderr)
        );
        assert_eq!(ending(&w), Ending::Exit(5));
        assert!(dir.entries().is_empty(), "left {:?}", dir.entries());
        contains_all(
            &stdout(&w),
            &[
                "hello from echo\necho: exit 0\n",
                "sh says bar baz, 0, zero\nsh: exit 7\n",
                "FOO is 'unset'\nsh null envp: exit 0\n",
                "target: started\ntarget: same pid=1\ntarget: arg one\ntarget: arg two words\ntarget: arg \n\
                 target: arg last\ntarget exit=24\n",
                "execve missing=-2\nexecve directory=-13\nexecve empty path=-2\nexecve bad path ptr=-14\n\
                 execve bad argv=-14\nexecve bad envp=-14\nexecve not executable=-13\n",
                "execve failed: -8\ngarbage in child: exit 127\n",
                "replaced\n",
            ],
        );
    }
}

/// Exit statuses through every exit path (status & 0xff).
#[test]
fn proc_exit_statuses() {
    for how in ["main", "exit", "group", "proc"] {
        for (status, want) in [("0", 0), ("7", 7), ("255", 255), ("256", 0), ("300", 44), ("-1", 255)] {
            let out = assert_same("proc_exit", &Run::args(&[how, status]));
            assert_eq!(ending(&out), Ending::Exit(want), "{how} {status}");
            assert_eq!(stdout(&out), format!("exiting via {how}\n"));
        }
    }
}

#[test]
fn id_basic() {
    let me = std::process::id().to_string();
    let out = same_in_tmp("id_basic", &[&me]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    contains_all(
        &text,
        &[
            "getpid positive=1\ngetpid stable=1\ngettid positive=1\ngetppid is the test=1\n",
            "ids unchanged=1\n",
            "groups unchanged=1\n",
            "getpgid no such pid=-3\n",
            "setpgid negative pgid=-22\n",
            "setsid child, failed checks=0\n",
            "child leads its group=1\nchild in our session=1\nsetpgid child, failed checks=0\n",
            "name: wali-id\n",
            "truncated: 0123456789abcde\n",
            "PR_GET_NAME bad ptr=-14\n",
            "set_tid_address is gettid=1\n",
        ],
    );
    // SAFETY: plain syscall.
    if unsafe { libc::geteuid() } == 0 {
        contains_all(
            &text,
            &[
                "drop with setres*id, failed checks=0\n",
                "drop with setre*id, failed checks=0\n",
                "drop with set*id, failed checks=0\n",
                "effective-only drop=0\n",
            ],
        );
    }
}

/// WALI restricts prctl to PR_SET_NAME/PR_GET_NAME (WALI-ABI.md §15): other options fail under
/// cwali by design, while they work natively.
#[test]
fn id_prctl_other_options_restricted() {
    let run = Run::args(&["prctl-other"]);
    let wali = stdout(&run_cwali("id_basic", &run));
    assert_eq!(wali, "PR_GET_DUMPABLE=-22\nPR_SET_PDEATHSIG=-22\n");
    let native = stdout(&run_native("id_basic", &run));
    assert!(native.contains("PR_SET_PDEATHSIG=0\n"), "{native}");
}

/// getgroups(-1) / setgroups(100000): the kernel takes the count as an int and rejects it with
/// EINVAL before looking at the list; cwali range-checks `count × 4` bytes first and says EFAULT.
#[test]
#[ignore = "syscall translation: get/setgroups count checked as a buffer length (EFAULT, Linux: EINVAL)"]
fn id_groups_bad_size() {
    assert_same("id_basic", &Run::args(&["groups-bad-size"]));
}

#[test]
fn proc_clone_and_vfork_paths_of_posix_spawn() {
    let out = assert_same("proc_clone", &Run::args(&[]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("child sees 41\nclone child exit 42\nvfork child exit 7\n"), "{text}");
}
