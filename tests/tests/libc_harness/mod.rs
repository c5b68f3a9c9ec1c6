//! Harness of the libc-level tests: C programs of ours in `tests/guests/libc/`, built against
//! wali-musl by the real WALI toolchain (`tests/guests/build-libc.sh`, committed `.wasm` in
//! `tests/guests/wasm-libc/`) and natively with gcc + glibc here, on demand.
//!
//! A comparison runs the native build once and cwali twice — pass-through syscalls compiled
//! inline (the default) and every call through the host's table-driven path (`--trace`) — each in
//! its own fresh directory with the same small environment, and requires the same ending (exit
//! code or killing signal), the same stdout and the same files left behind (names and contents).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use crate::common::{Ending, cwali_exe, ending};
use crate::tmpdir::TempDir;

fn guests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guests")
}

pub fn wasm(name: &str) -> PathBuf {
    guests_dir().join("wasm-libc").join(format!("{name}.wasm"))
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// The gcc/glibc build of `libc/NAME.c`, rebuilt when the source is newer.
pub fn native(name: &str) -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libc-native");
    let exe = out_dir.join(name);
    let src = guests_dir().join("libc").join(format!("{name}.c"));
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = match (std::fs::metadata(&exe), std::fs::metadata(&src)) {
        (Ok(e), Ok(s)) => e.modified().unwrap() >= s.modified().unwrap(),
        _ => false,
    };
    if !fresh {
        std::fs::create_dir_all(&out_dir).unwrap();
        let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".into()))
            .args(["-O2", "-w", "-pthread", "-o"])
            .arg(&exe)
            .arg(&src)
            .status()
            .expect("gcc is needed to build the native side of the libc tests");
        assert!(status.success(), "gcc failed on {}", src.display());
    }
    exe
}

/// How to run one libc guest.
#[derive(Clone)]
pub struct Case {
    /// The C source `libc/NAME.c` (and, unless `wasm_name` says otherwise, `wasm-libc/NAME.wasm`).
    pub name: &'static str,
    pub wasm_name: &'static str,
    pub args: Vec<String>,
    /// The whole environment of the program (both builds get exactly this).
    pub env: Vec<(String, String)>,
    pub stdin: Vec<u8>,
    /// Arguments naming the program itself (an exec target): the native path natively, the
    /// `.wasm` under cwali (cwali runs an exec'd `.wasm` under itself).
    pub self_arg: bool,
}

impl Case {
    pub fn new(name: &'static str) -> Case {
        Case {
            name,
            wasm_name: name,
            args: Vec::new(),
            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
            stdin: Vec::new(),
            self_arg: false,
        }
    }
    pub fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn env(mut self, k: &str, v: &str) -> Case {
        self.env.push((k.into(), v.into()));
        self
    }
}

/// The result of one run: ending, stdout, stderr and the files it left (path -> contents).
pub struct Ran {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn snapshot(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            out.insert(format!("{name}/"), Vec::new());
            snapshot(&e.path(), &format!("{name}/"), out);
        } else if ty.is_symlink() {
            out.insert(name, std::fs::read_link(e.path()).unwrap().to_string_lossy().into_owned().into_bytes());
        } else {
            out.insert(name, std::fs::read(e.path()).unwrap_or_default());
        }
    }
}

fn run(mut cmd: Command, case: &Case) -> Ran {
    let dir = TempDir::new(case.name);
    cmd.current_dir(dir.path()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&case.stdin);
    }
    let pid = child.id();
    let waiter = std::thread::spawn(move || child.wait_with_output().expect("wait"));
    let start = std::time::Instant::now();
    while !waiter.is_finished() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            // SAFETY: plain kill of our own child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("libc guest `{}` did not finish within 60 s", case.name);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out: Output = waiter.join().unwrap();
    let mut files = BTreeMap::new();
    snapshot(dir.path(), "", &mut files);
    Ran {
        ending: ending(&out),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        files,
    }
}

pub fn run_native(case: &Case) -> Ran {
    let exe = native(case.name);
    let mut cmd = Command::new(&exe);
    if case.self_arg {
        cmd.arg(&exe);
    }
    cmd.args(&case.args).env_clear().envs(case.env.iter().cloned());
    run(cmd, case)
}

/// Run under cwali; `opts` are extra `cwali run` options (e.g. `--trace`).
pub fn run_cwali(case: &Case, opts: &[&str]) -> Ran {
    let mut cmd = Command::new(cwali_exe());
    cmd.arg("run").args(opts);
    for (k, v) in &case.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    cmd.arg(wasm(case.wasm_name));
    if case.self_arg {
        cmd.arg(wasm(case.wasm_name));
    }
    // cwali itself gets a clean environment too, so nothing leaks in by accident.
    cmd.args(&case.args).env_clear().env("PATH", "/usr/bin:/bin");
    run(cmd, case)
}

fn show(r: &Ran) -> String {
    let mut err = r.stderr.clone();
    if err.len() > 4000 {
        let mut cut = err.len() - 4000;
        while !err.is_char_boundary(cut) {
            cut += 1;
        }
        err = format!("...{}", &err[cut..]);
    }
    format!(
        "ending {:?}\n--- stdout ---\n{}--- stderr (tail) ---\n{}\n--- files ---\n{:?}",
        r.ending,
        r.stdout,
        err,
        r.files.keys()
    )
}

/// Native vs cwali (inline syscalls) vs cwali (host path): same ending, stdout and files.
/// Returns the native run (whose stdout the caller may check further).
pub fn same(case: &Case) -> Ran {
    let native = run_native(case);
    for opts in [&[][..], &["--trace"][..]] {
        let wali = run_cwali(case, opts);
        assert!(
            wali.ending == native.ending && wali.stdout == native.stdout && wali.files == native.files,
            "libc guest `{}` {opts:?} differs from its native build\n== cwali ==\n{}\n== native ==\n{}",
            case.name,
            show(&wali),
            show(&native)
        );
    }
    native
}
