//! The embedding API runs WALI programs as child processes with captured stdio
//! (`cwali::wali::WaliCommand`), and the embedding process survives their exit, traps and
//! signals.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use cwali::wali::{self, WaliCommand, WaliStdio};
use cwali::{Config, Engine, Module};

fn program(rel: &str) -> (Engine, Module) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("guests").join(rel);
    let engine = Engine::new(wali::engine_config(Config::default(), false));
    let module = Module::new(&engine, &std::fs::read(&path).unwrap()).unwrap();
    (engine, module)
}

#[test]
fn captured_stdio_argv_env_and_status() {
    let (engine, module) = program("wasm-libc/embed_io.wasm");
    let out = WaliCommand::new(&engine, &module, "embed_io")
        .args(["world", "7"])
        .env("GREETING", "hello")
        .stdin_bytes(b"abc\ndef\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello, world\nABC\nDEF\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "read 8 bytes\n");
    assert_eq!(out.status.code(), Some(7));

    // The same compiled module again, in the same embedding process: a fresh program.
    let out = WaliCommand::new(&engine, &module, "embed_io").stdin(WaliStdio::Null).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "(no greeting), nobody\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "read 0 bytes\n");
    assert!(out.status.success());
}

#[test]
fn a_large_stdin_and_stdout_do_not_deadlock() {
    let (engine, module) = program("wasm-libc/embed_io.wasm");
    let input: Vec<u8> = (0..1_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let out = WaliCommand::new(&engine, &module, "embed_io").stdin_bytes(input.clone()).output().unwrap();
    assert!(out.status.success());
    let body = &out.stdout[out.stdout.iter().position(|&b| b == b'\n').unwrap() + 1..];
    assert_eq!(body, input.to_ascii_uppercase().as_slice());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "read 1000000 bytes\n");
}

#[test]
fn exit_status_and_trap_signals_as_natively() {
    // exitcode.wasm returns 42 from main.
    let (engine, module) = program("wasm/exitcode.wasm");
    let status = WaliCommand::new(&engine, &module, "exitcode")
        .stdout(WaliStdio::Null)
        .stderr(WaliStdio::Null)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(42));

    let (engine, module) = program("wasm/sig_exit.wasm");
    // A division by zero traps; the program's SIGFPE handler exits with 47, as natively.
    for mode in ["fpe", "segv", "kill"] {
        let out = WaliCommand::new(&engine, &module, "sig_exit").arg(mode).output().unwrap();
        let native = std::process::Command::new(common::native("sig_exit")).arg(mode).output().unwrap();
        assert_eq!(out.status.code(), native.status.code(), "{mode}");
        assert_eq!(out.status.signal(), native.status.signal(), "{mode}");
        assert_eq!(out.stdout, native.stdout, "{mode}");
    }
}

mod common;
