//! The command line as a user meets it: exit codes, error lines, `--invoke`, traps, perf map.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

fn cwali(args: &[&str]) -> Output {
    Command::new(common::cwali_exe()).args(args).output().expect("run cwali")
}

fn write_tmp(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn invoke_prints_results_like_wasmtime() {
    let path = write_tmp(
        "add.wat",
        br#"(module (func (export "add") (param i32 i64) (result i64 i32)
              (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)) (i32.const -7)))"#,
    );
    let out = cwali(&["run", "--invoke", "add", path.to_str().unwrap(), "-5", "12"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "7\n-7\n");
}

#[test]
fn invoke_takes_and_prints_v128_as_one_integer_like_wasmtime() {
    let path = write_tmp(
        "v128.wat",
        br#"(module (func (export "f") (param v128 i32) (result v128 i32)
              (i32x4.add (local.get 0) (v128.const i32x4 1 2 3 0x80000000))
              (i32x4.extract_lane 3 (i32x4.splat (local.get 1)))))"#,
    );
    // Lane 0 is the low 32 bits: 0x...0004_0000_0003_0000_0002_0000_0001 + lanes (1, 2, 3, 2^31).
    let arg = "0x00000004000000030000000200000001";
    let out = cwali(&["run", "--invoke", "f", path.to_str().unwrap(), arg, "9"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected: u128 = 0x80000004_00000006_00000004_00000002;
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{expected}\n9\n"));
    let decimal = cwali(&["run", "--invoke", "f", path.to_str().unwrap(), "5", "0"]);
    assert!(decimal.status.success(), "{}", stderr(&decimal));
    let expected: u128 = 0x80000000_00000003_00000002_00000006;
    assert_eq!(String::from_utf8_lossy(&decimal.stdout), format!("{expected}\n0\n"));
}

#[test]
fn a_trap_prints_its_kind_and_backtrace_and_exits_134() {
    let path = write_tmp(
        "trap.wat",
        br#"(module (func $inner (export "inner") unreachable) (func (export "_start") call $inner))"#,
    );
    let out = cwali(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wasm trap: unreachable"), "{err}");
    assert!(err.contains("inner"), "backtrace names the function: {err}");
}

#[test]
fn bad_inputs_give_one_error_line_and_exit_1() {
    let missing = cwali(&["run", "/nonexistent/x.wasm"]);
    let garbage = write_tmp("garbage.wasm", b"\0asm\x01\0\0\0\x01\xff\xff");
    let garbage = cwali(&["run", garbage.to_str().unwrap()]);
    let invalid = write_tmp("invalid.wat", b"(module (func (result i32) (i64.const 1)))");
    let invalid = cwali(&["run", invalid.to_str().unwrap()]);
    let noexport = write_tmp("noexport.wat", b"(module)");
    let noexport_invoke = cwali(&["run", "--invoke", "f", noexport.to_str().unwrap()]);
    let gc = write_tmp("gc.wat", b"(module (func (drop (ref.i31 (i32.const 0)))))");
    let gc = cwali(&["run", gc.to_str().unwrap()]);
    for (what, out) in [
        ("missing", &missing),
        ("garbage", &garbage),
        ("invalid", &invalid),
        ("no export", &noexport_invoke),
        ("gc", &gc),
    ] {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(out));
        let err = stderr(out);
        assert!(err.starts_with("error:"), "{what}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{what}: one line: {err}");
    }
    assert!(stderr(&gc).contains("unsupported feature"), "{}", stderr(&gc));
    assert!(stderr(&garbage).contains("malformed"), "{}", stderr(&garbage));
    assert!(stderr(&invalid).contains("invalid"), "{}", stderr(&invalid));
}

#[test]
fn deep_recursion_is_a_trap_not_a_crash() {
    let path = write_tmp("rec.wat", br#"(module (func $f (export "_start") (call $f)))"#);
    let out = cwali(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    assert!(stderr(&out).contains("call stack exhausted"), "{}", stderr(&out));
}

#[test]
fn wali_traps_end_the_process_by_the_matching_signal() {
    let guest = common::wasm("trap_kinds");
    for (args, sig, message) in [
        (vec![], libc::SIGILL, "unreachable"),
        (vec!["x"], libc::SIGSEGV, "out of bounds memory access"),
        (vec!["xx"], libc::SIGFPE, "integer divide by zero"),
    ] {
        let mut all = vec!["run", guest.to_str().unwrap()];
        all.extend(args);
        let out = cwali(&all);
        assert_eq!(out.status.signal(), Some(sig), "{}", stderr(&out));
        assert!(stderr(&out).contains(&format!("wasm trap: {message}")), "{}", stderr(&out));
    }
}

#[test]
fn perfmap_names_the_functions() {
    let child = Command::new(common::cwali_exe())
        .args(["run", "--profile=perfmap", common::wasm("hello").to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let map_path = format!("/tmp/perf-{pid}.map");
    let map = std::fs::read_to_string(&map_path).expect("perf map written");
    let _ = std::fs::remove_file(&map_path);
    let line = map.lines().find(|l| l.ends_with(" _start")).expect("an entry for _start");
    let fields: Vec<&str> = line.split(' ').collect();
    assert!(u64::from_str_radix(fields[0], 16).unwrap() > 0 && u64::from_str_radix(fields[1], 16).unwrap() > 0);
}

#[test]
fn compiled_code_files_run_and_corruption_is_detected() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cwasm");
    std::fs::create_dir_all(&dir).unwrap();
    let code = dir.join("args.cwasm");
    let guest = common::wasm("args");
    let out = cwali(&["compile", guest.to_str().unwrap(), "-o", code.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |path: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["run", "--no-cache"];
        args.extend(extra);
        args.push(path.to_str().unwrap());
        args.extend(["a", "b"]);
        cwali(&args)
    };
    let out = run(&code, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("argv[2]=b"));
    // Made for other settings (a foreign file): recompiled from the module inside, still runs.
    let out = run(&code, &["-O", "none"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // One flipped byte: refused, never run.
    let mut bytes = std::fs::read(&code).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    let bad = dir.join("bad.cwasm");
    std::fs::write(&bad, &bytes).unwrap();
    let out = run(&bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("corrupted"), "{}", stderr(&out));
}

#[test]
fn the_transparent_cache_is_used_and_survives_corruption() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache");
    let _ = std::fs::remove_dir_all(&dir);
    let run = || {
        Command::new(common::cwali_exe())
            .env("CWALI_CACHE_DIR", &dir)
            .args(["run", common::wasm("hello").to_str().unwrap()])
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    let stamp = std::fs::metadata(entry).unwrap().modified().unwrap();
    let out = run();
    assert_eq!(out.stdout, b"hello from wali\n");
    assert_eq!(std::fs::metadata(entry).unwrap().modified().unwrap(), stamp, "a hit rewrites nothing");
    let mut bytes = std::fs::read(entry).unwrap();
    let at = bytes.len() - 40;
    bytes[at] ^= 1;
    std::fs::write(entry, &bytes).unwrap();
    let out = run();
    assert_eq!(out.stdout, b"hello from wali\n", "{}", stderr(&out));
    assert_ne!(std::fs::read(entry).unwrap(), bytes, "the corrupted entry was replaced");
}
