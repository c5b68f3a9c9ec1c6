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
    let gc_struct = write_tmp("gc_struct.wat", b"(module (type (struct (field i32))))");
    let gc_struct = cwali(&["run", gc_struct.to_str().unwrap()]);
    let gc_anyref = write_tmp("gc_anyref.wat", b"(module (global anyref (ref.null any)))");
    let gc_anyref = cwali(&["run", gc_anyref.to_str().unwrap()]);
    for (what, out) in [
        ("missing", &missing),
        ("garbage", &garbage),
        ("invalid", &invalid),
        ("no export", &noexport_invoke),
        ("gc", &gc),
        ("gc struct", &gc_struct),
        ("gc anyref", &gc_anyref),
    ] {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(out));
        let err = stderr(out);
        assert!(err.starts_with("error:"), "{what}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{what}: one line: {err}");
    }
    for gc in [&gc, &gc_struct, &gc_anyref] {
        assert!(stderr(gc).contains("unsupported feature: Wasm GC is not implemented"), "{}", stderr(gc));
    }
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
    let entries: Vec<_> = (std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .collect();
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

/// The arguments the `args` guest printed (`argv[1]`, `argv[2]`, ...) and its `argv[0]`.
fn program_argv(out: &Output) -> (Vec<String>, String) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let args = stdout
        .lines()
        .filter(|l| l.starts_with("argv[") && !l.starts_with("argv[0]"))
        .map(|l| l.split_once("]=").unwrap().1.to_string())
        .collect();
    let argv0 = stdout.lines().find_map(|l| l.strip_prefix("argv[0]=")).unwrap_or_default().to_string();
    (args, argv0)
}

#[test]
fn everything_after_the_module_belongs_to_the_program() {
    let guest = common::wasm("args");
    let guest = guest.to_str().unwrap();
    let passed = ["-h", "--help", "-V", "--version", "--", "--trace", "-O", "none", "--no-cache", "x"];
    let out = cwali(&[&["run", guest][..], &passed].concat());
    assert_eq!(out.status.code(), Some(passed.len() as i32 + 1), "{}", stderr(&out));
    assert_eq!(program_argv(&out), (passed.map(String::from).to_vec(), guest.to_string()));
    assert_eq!(stderr(&out), "", "no cwali option was taken from the program's arguments");
    // `--` before the module ends cwali's options (the WALI host re-executes cwali that way).
    let out = cwali(&["run", "--", guest, "-h"]);
    assert_eq!(program_argv(&out).0, ["-h"], "{}", stderr(&out));
}

#[test]
fn a_module_path_in_the_subcommand_position_means_run() {
    let guest = common::wasm("args");
    let out = cwali(&[guest.to_str().unwrap(), "a", "--help"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(program_argv(&out), (vec!["a".to_string(), "--help".to_string()], guest.to_str().unwrap().to_string()));
    // A relative path, and a file whose name has no Wasm extension but exists.
    let dir = guest.parent().unwrap();
    let out = Command::new(common::cwali_exe()).current_dir(dir).args(["args.wasm", "b"]).output().unwrap();
    assert_eq!(program_argv(&out), (vec!["b".to_string()], "args.wasm".to_string()), "{}", stderr(&out));
    let bare = write_tmp("args-no-extension", &std::fs::read(&guest).unwrap());
    let out = Command::new(common::cwali_exe())
        .current_dir(bare.parent().unwrap())
        .arg("args-no-extension")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "argc 1: {}", stderr(&out));
}

#[test]
fn run_options_may_come_first_in_the_shorthand() {
    let path = write_tmp(
        "add2.wat",
        br#"(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#,
    );
    let out = cwali(&["--invoke", "add", path.to_str().unwrap(), "40", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "42\n");
    let out = cwali(&["-O0", "--invoke=add", path.to_str().unwrap(), "1", "-1"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n", "{}", stderr(&out));
}

#[test]
fn version_names_cranelift_and_the_code_generator_fingerprint() {
    for flag in ["--version", "-V"] {
        let out = cwali(&[flag]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.starts_with(&format!("cwali {} (Cranelift 0.", env!("CARGO_PKG_VERSION"))), "{text}");
        let fingerprint = cwali_codegen::cache::GENERATOR.rsplit(' ').next().unwrap();
        assert!(text.contains(&format!("code generator {fingerprint}")), "{text}");
    }
}

#[test]
fn settings_prints_cranelift_flags_and_cpu_features() {
    let out = cwali(&["settings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for expected in [
        "opt_level = speed\n",
        "preserve_frame_pointers = true\n",
        // Safe points pin a register only where polls are not poll-page loads.
        if cfg!(target_arch = "x86_64") {
            "enable_pinned_reg = false\n"
        } else {
            "enable_pinned_reg = false (WALI programs: true)\n"
        },
        "Host CPU features",
        "  enabled:  ",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    #[cfg(target_arch = "x86_64")]
    assert!(text.lines().any(|l| l.starts_with("  enabled:") && l.contains("has_sse3")), "{text}");
    let out = cwali(&["settings", "-O", "none"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("opt_level = none\n"));
}

#[test]
fn every_misuse_gets_a_clear_error() {
    let guest = common::wasm("args");
    let g = guest.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (&["rnu", "x"], 2, "unrecognized subcommand 'rnu'"),
        (&["--bogus"], 2, "unexpected argument '--bogus'"),
        (&["run"], 2, "<WASM>"),
        (&["run", "--bogus", g], 2, "unexpected argument '--bogus'"),
        (&["run", "--env", "NOEQUALS", g], 2, "expected NAME=VAL"),
        (&["run", "--env", "=x", g], 2, "expected NAME=VAL"),
        (&["run", "-O", "fast", g], 2, "invalid value 'fast'"),
        (&["run", "--profile=jitdump", g], 2, "invalid value 'jitdump'"),
        (&["run", "--invoke"], 2, "a value is required"),
        (&["compile"], 2, "<WASM>"),
        (&["wast"], 2, "<FILE>"),
        (&["binfmt", "install", "--name", "a/b"], 1, "cannot name a binfmt_misc entry"),
        (&["completions", "tcsh"], 2, "invalid value 'tcsh'"),
        (&["missing.wasm"], 1, "failed to read `missing.wasm`"),
        (&["./missing"], 1, "failed to read `./missing`"),
    ];
    for (args, code, message) in cases {
        let out = cwali(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: expected {message:?} in {err}");
    }
    // No command at all: the help, on stderr, as a usage error.
    for args in [&[][..], &["binfmt"]] {
        let out = cwali(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("Usage: cwali"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cwali"),
        ("fish", "complete -c cwali"),
        ("elvish", "edit:completion:arg-completer[cwali]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = cwali(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {marker:?} missing");
        for word in ["run", "compile", "binfmt", "settings", "invoke", "inherit-env", "serve", "max-concurrency"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
        assert!(!script.contains("__serve-template"), "{shell}: the internal command is offered");
    }
}

#[test]
fn bash_completion_completes_subcommands() {
    let script = cwali(&["completions", "bash"]).stdout;
    let path = write_tmp("cwali.bash", &script);
    // What bash offers after `cwali bi<TAB>`.
    let probe = format!(
        "source {}; COMP_WORDS=(cwali bi); COMP_CWORD=1; COMP_LINE='cwali bi'; COMP_POINT=8; _cwali cwali bi cwali; echo \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = Command::new("bash").args(["--norc", "-c", &probe]).output().expect("bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "binfmt", "{}", stderr(&out));
}

#[test]
fn the_manual_pages_describe_every_command() {
    let out = cwali(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with(".ie"), "roff");
    assert!(page.contains(".TH cwali 1"), "{page}");
    for word in ["run", "compile", "wast", "serve", "settings", "binfmt", "completions"] {
        assert!(page.contains(&format!("cwali\\-{word}")), "{word} in:\n{page}");
    }
    assert!(!page.contains("serve\\-template"), "the internal command is documented:\n{page}");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-man");
    let _ = std::fs::remove_dir_all(&dir);
    let out = cwali(&["man", "-o", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run_page = std::fs::read_to_string(dir.join("cwali-run.1")).unwrap();
    assert!(run_page.contains(".TH cwali-run 1") && run_page.contains("\\-\\-inherit\\-env"), "{run_page}");
    let binfmt_page = std::fs::read_to_string(dir.join("cwali-binfmt.1")).unwrap();
    assert!(binfmt_page.contains("cwali\\-binfmt\\-install(1)"), "{binfmt_page}");
    for page in ["cwali.1", "cwali-binfmt-install.1", "cwali-completions.1", "cwali-serve.1"] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(!dir.join("cwali-__serve-template.1").exists());
}

#[test]
fn binfmt_changes_need_root_and_status_does_not() {
    use std::os::unix::process::CommandExt;
    let as_user = |args: &[&str]| {
        let mut cmd = Command::new(common::cwali_exe());
        cmd.args(args);
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            cmd.uid(65534).gid(65534); // nobody
        }
        cmd.output().unwrap()
    };
    for what in ["install", "uninstall"] {
        let out = as_user(&["binfmt", what]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("needs root"), "{}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1);
    }
    let out = as_user(&["binfmt", "status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out.stdout.is_empty());
}

/// A module with many small functions: seconds to compile in a debug build.
fn big_module() -> std::path::PathBuf {
    let mut text = String::from("(module\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "(func (param i32) (result i32) (local i32) local.get 0 i32.const {i} i32.add local.tee 1 \
             local.get 1 i32.mul local.get 0 i32.xor i32.const 7 i32.rotl)\n"
        ));
    }
    text.push_str("(func (export \"_start\")))");
    write_tmp("big.wasm", &wat::parse_str(&text).unwrap())
}

#[test]
fn a_progress_line_shows_on_a_terminal_only() {
    let big = big_module();
    // stderr not a terminal: nothing at all.
    let out = cwali(&["run", "--no-cache", big.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    // stderr on a pseudo-terminal: the line, erased at the end.
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two descriptors; the name, termios and window size are not asked for.
    let rc =
        unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(rc, 0);
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe {
        use std::os::fd::FromRawFd;
        (std::fs::File::from_raw_fd(master), std::os::fd::OwnedFd::from_raw_fd(slave))
    };
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let _ = std::io::Read::read_to_end(&mut &master, &mut seen); // ends with EIO once cwali closed the slave
        seen
    });
    let status = Command::new(common::cwali_exe())
        .args(["run", "--no-cache", big.to_str().unwrap()])
        .stderr(std::process::Stdio::from(slave))
        .status()
        .unwrap();
    assert!(status.success());
    let seen = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    assert!(seen.contains("cwali: compiling big.wasm: ") && seen.contains("/20001 functions ("), "{seen:?}");
    assert!(seen.ends_with("\r\x1b[2K"), "erased at the end: {seen:?}");
}
