//! WALI programs against their native builds: start-up, argv, exit status, output.

mod common;

use common::{Run, assert_same, run_cwali};

#[test]
fn hello_prints_and_exits_zero() {
    let out = assert_same("hello", &Run::args(&[]));
    assert_eq!(out.stdout, b"hello from wali\n");
}

#[test]
fn exit_status_comes_from_main() {
    let out = assert_same("exitcode", &Run::args(&[]));
    assert_eq!(out.status.code(), Some(42));
}

#[test]
fn argv_reaches_main() {
    // argv[0] differs by design (module path vs native path); the guest prints it last.
    let run = Run::args(&["one", "two words", "-x"]);
    let native = common::run_native("args", &run);
    let wali = run_cwali("args", &run);
    assert_eq!(wali.status.code(), native.status.code());
    let strip_argv0 = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout).lines().filter(|l| !l.starts_with("argv[0]")).collect::<Vec<_>>().join("\n")
    };
    assert_eq!(strip_argv0(&wali), strip_argv0(&native));
    let text = String::from_utf8_lossy(&wali.stdout);
    assert!(text.contains(&format!("argv[0]={}", common::wasm("args").display())), "{text}");
}
