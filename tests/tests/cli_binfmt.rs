//! `cwali binfmt`: register cwali for Wasm files under a test name, run guests as executables,
//! unregister. Changes kernel state, so it needs root (`cfg(tests_as_root)`, set by build.rs)
//! and a binfmt_misc that can be mounted; the entry's unique name keeps it from touching a real
//! `cwali` registration, and a guard removes it even when an assertion fails.

mod common;

use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn cwali(args: &[&str]) -> Output {
    Command::new(common::cwali_exe()).args(args).output().expect("run cwali")
}

/// Unregisters the test entry and its binfmt.d file however the test ends.
struct Registration(String);

impl Drop for Registration {
    fn drop(&mut self) {
        let entry = Path::new("/proc/sys/fs/binfmt_misc").join(&self.0);
        if entry.exists() {
            let _ = std::fs::write(&entry, "-1");
        }
        let _ = std::fs::remove_file(Path::new("/etc/binfmt.d").join(format!("{}.conf", self.0)));
    }
}

/// `args` guest output: `(argv[1..], argv[0])`.
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

/// An executable copy of guest `name` in a fresh directory, under `file_name`.
fn executable_copy(name: &str, dir: &Path, file_name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(file_name);
    std::fs::copy(common::wasm(name), &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
#[cfg_attr(not(tests_as_root), ignore = "registers a binfmt_misc handler: needs the tests built and run as root")]
fn registered_wasm_files_run_as_executables() {
    let name = format!("cwali-test-{}", std::process::id());
    let _guard = Registration(name.clone());
    let out = cwali(&["binfmt", "install", "--persistent", "--name", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("registered /proc/sys/fs/binfmt_misc/{name}")));

    // The kernel's view of the entry: our magic, our absolute path, flag F.
    let entry = std::fs::read_to_string(format!("/proc/sys/fs/binfmt_misc/{name}")).unwrap();
    let exe = std::fs::canonicalize(common::cwali_exe()).unwrap();
    assert!(entry.starts_with("enabled\n"), "{entry}");
    assert!(entry.contains(&format!("interpreter {}\n", exe.display())), "{entry}");
    assert!(entry.contains("flags: F\n") && entry.contains("magic 0061736d01000000\n"), "{entry}");
    let conf = std::fs::read_to_string(format!("/etc/binfmt.d/{name}.conf")).unwrap();
    let line = format!(r":{name}:M::\x00\x61\x73\x6d\x01\x00\x00\x00::{}:F", exe.display());
    assert!(conf.lines().any(|l| l == line), "{conf}");
    let status = cwali(&["binfmt", "status"]);
    let status_text = String::from_utf8_lossy(&status.stdout);
    assert!(
        status_text.contains(&format!("{name}: enabled, interpreter {} (this cwali), flags F", exe.display())),
        "{status_text}"
    );

    // `./app.wasm args`: argv[0] is the path that was executed, every argument reaches the program.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("binfmt-{}", std::process::id()));
    executable_copy("args", &dir, "app.wasm");
    let out = Command::new("./app.wasm").current_dir(&dir).args(["-h", "--", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(program_argv(&out), (vec!["-h".into(), "--".into(), "x".into()], "./app.wasm".to_string()));

    // A program named like a subcommand, executed by a bare relative name (`execve("run", ...)`
    // as a shell with `.` in $PATH would do): still the program, not `cwali run`.
    executable_copy("args", &dir, "run");
    let mut cmd = Command::new("/nonexistent");
    cmd.current_dir(&dir);
    let (prog, arg) = (CString::new("run").unwrap(), CString::new("y").unwrap());
    // SAFETY: runs in the forked child before its exec: execve with NUL-terminated arrays of
    // valid C strings (the parent's environment), and on failure an error for the parent.
    unsafe {
        cmd.pre_exec(move || {
            let argv = [prog.as_ptr(), arg.as_ptr(), std::ptr::null()];
            unsafe extern "C" {
                static environ: *const *const libc::c_char;
            }
            libc::execve(prog.as_ptr(), argv.as_ptr(), environ);
            Err(std::io::Error::last_os_error())
        })
    };
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(program_argv(&out), (vec!["y".into()], "run".to_string()));

    // A WALI trap ends the process by the program's signal, as for `cwali run`.
    let trap = executable_copy("trap_kinds", &dir, "trap.wasm");
    let out = Command::new(&trap).arg("x").output().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(libc::SIGSEGV), "{}", stderr(&out));

    let out = cwali(&["binfmt", "uninstall", "--name", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!Path::new(&format!("/proc/sys/fs/binfmt_misc/{name}")).exists());
    assert!(!Path::new(&format!("/etc/binfmt.d/{name}.conf")).exists());
    let again = cwali(&["binfmt", "uninstall", "--name", &name]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("no binfmt_misc entry named"), "{}", stderr(&again));
    let _ = std::fs::remove_dir_all(&dir);
}
