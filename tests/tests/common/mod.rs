//! Shared harness of the WALI tests: run a guest under cwali and its native build, compare.
//!
//! Guests live in `tests/guests`: `c/NAME.c` is compiled to the committed `wasm/NAME.wasm`
//! (`tests/guests/build.sh`) and, here, on demand with gcc to `target/guests-native/NAME`, so
//! `cargo test` needs no clang. A comparison checks the exit status (code, or the signal that
//! killed the process), stdout and, optionally, stderr.

#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

pub fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guests")
}

pub fn wasm(name: &str) -> PathBuf {
    guests_dir().join("wasm").join(format!("{name}.wasm"))
}

/// The cwali CLI built from `cwali/src/main.rs` for these tests.
pub fn cwali_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cwali-under-test"))
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// The native build of guest `name` (compiled with gcc once per test run).
pub fn native(name: &str) -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("guests-native");
    let exe = out_dir.join(name);
    let src = guests_dir().join("c").join(format!("{name}.c"));
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = match (std::fs::metadata(&exe), std::fs::metadata(&src)) {
        (Ok(e), Ok(s)) => e.modified().unwrap() >= s.modified().unwrap(),
        _ => false,
    };
    if !fresh {
        std::fs::create_dir_all(&out_dir).unwrap();
        let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".into()))
            .args(["-O2", "-w", "-pthread", "-I"])
            .arg(guests_dir().join("include"))
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .status()
            .expect("gcc is needed to build the native side of the WALI tests");
        assert!(status.success(), "gcc failed on {}", src.display());
    }
    exe
}

/// How a process ended, comparable across the two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exit(i32),
    Signal(i32),
}

pub fn ending(out: &Output) -> Ending {
    match out.status.code() {
        Some(c) => Ending::Exit(c),
        None => Ending::Signal(out.status.signal().unwrap_or(0)),
    }
}

/// A run of a guest: arguments, stdin, environment, working directory.
#[derive(Clone, Default)]
pub struct Run {
    pub args: Vec<String>,
    pub stdin: Vec<u8>,
    pub cwd: Option<PathBuf>,
    /// Extra `cwali run` options (e.g. `--env`), given before the module.
    pub cwali_opts: Vec<String>,
    pub timeout_secs: u64,
}

impl Run {
    pub fn args(args: &[&str]) -> Run {
        Run { args: args.iter().map(|s| s.to_string()).collect(), timeout_secs: 60, ..Run::default() }
    }
}

fn output(mut cmd: Command, run: &Run) -> Output {
    if let Some(dir) = &run.cwd {
        cmd.current_dir(dir);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&run.stdin);
    }
    let timeout = std::time::Duration::from_secs(if run.timeout_secs == 0 { 60 } else { run.timeout_secs });
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().expect("wait"));
    let start = std::time::Instant::now();
    while !waiter.is_finished() {
        if start.elapsed() > timeout {
            // SAFETY: plain kill of our own child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("guest did not finish within {timeout:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    waiter.join().unwrap()
}

/// Run guest `name` under cwali.
pub fn run_cwali(name: &str, run: &Run) -> Output {
    let mut cmd = Command::new(cwali_exe());
    cmd.arg("run").args(&run.cwali_opts).arg(wasm(name)).args(&run.args);
    output(cmd, run)
}

/// Run the native build of guest `name`.
pub fn run_native(name: &str, run: &Run) -> Output {
    let mut cmd = Command::new(native(name));
    cmd.args(&run.args);
    output(cmd, run)
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        ending(out),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Run both builds and require the same ending and stdout. Returns the cwali output.
pub fn assert_same(name: &str, run: &Run) -> Output {
    let native = run_native(name, run);
    let wali = run_cwali(name, run);
    assert_eq!(
        (ending(&wali), &wali.stdout),
        (ending(&native), &native.stdout),
        "guest `{name}` differs\n== cwali ==\n{}\n== native ==\n{}",
        show(&wali),
        show(&native)
    );
    wali
}
