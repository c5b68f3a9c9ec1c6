//! Confinement (`cwali run --dir/--dir-ro/--net/--no-exec-native/--rlimit`, docs/confinement.md):
//! the guest `confine` tries what the flags forbid and gets the error Linux gives; the same guest
//! run without the flags succeeds.

mod common;
mod tmpdir;

use common::{Ending, Run, cwali_exe, ending, run_cwali, wasm};
use tmpdir::TempDir;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn show(out: &std::process::Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        ending(out),
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Run `confine ARGS` with `opts`; it must exit 0. Returns its stdout.
fn confine(opts: &[&str], args: &[&str], cwd: &std::path::Path) -> String {
    let run = Run {
        cwd: Some(cwd.to_path_buf()),
        cwali_opts: opts.iter().map(|s| s.to_string()).collect(),
        ..Run::args(args)
    };
    let out = run_cwali("confine", &run);
    assert_eq!(ending(&out), Ending::Exit(0), "{opts:?} {args:?}\n{}", show(&out));
    stdout(&out)
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn dir_and_dir_ro() {
    let (ro, rw, outside) = (TempDir::new("confine-ro"), TempDir::new("confine-rw"), TempDir::new("confine-out"));
    std::fs::write(ro.path().join("data"), "ro data\n").unwrap();
    let secret = outside.path().join("secret");
    std::fs::write(&secret, "secret\n").unwrap();
    let args = ["fs", s(&secret), s(ro.path()), s(rw.path())];
    let (dir, dir_ro) = (format!("--dir={}", s(rw.path())), format!("--dir-ro={}", s(ro.path())));

    let confined = confine(&[&dir, &dir_ro], &args, rw.path());
    assert_eq!(
        confined,
        "read outside=-13\nread ro=ok\nwrite ro=-13\ncreate in ro=-13\nmkdir in rw=0\ncreate in rw=ok\n\
         unlink in rw=0\nrmdir in rw=0\ndev null=ok\nproc self=ok\n"
    );
    let free = confine(&[], &args, rw.path());
    assert_eq!(
        free,
        "read outside=ok\nread ro=ok\nwrite ro=ok\ncreate in ro=ok\nmkdir in rw=0\ncreate in rw=ok\n\
         unlink in rw=0\nrmdir in rw=0\ndev null=ok\nproc self=ok\n"
    );
    assert_eq!(ro.entries(), ["data"]);
    assert!(rw.entries().is_empty(), "{:?}", rw.entries());
}

#[test]
fn dir_host_to_guest_mapping() {
    let (host, guest) = (TempDir::new("confine-host"), TempDir::new("confine-guest"));
    std::fs::write(host.path().join("data"), "mapped\n").unwrap();
    let file = guest.path().join("data");
    let map = format!("--dir-ro={}::{}", s(host.path()), s(guest.path()));
    assert_eq!(confine(&[&map], &["cat", s(&file)], guest.path()), "open=ok\nmapped\n");
    // The bind mount lived in the program's own mount namespace only.
    assert!(guest.entries().is_empty(), "{:?}", guest.entries());
    assert_eq!(confine(&[], &["cat", s(&file)], guest.path()), "open=-2\n");
}

#[test]
fn net_modes() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let dir = TempDir::new("confine-net");
    let run = |opts: &[&str]| confine(opts, &["net", &port], dir.path());
    let reachable = "socket=ok\nconnect host=0\nbind own=0\nlisten own=0\nconnect own=0\n";
    assert_eq!(run(&[]), reachable);
    assert_eq!(run(&["--net", "all"]), reachable);
    // A private loopback: the program's own listener works, the host's is not there.
    assert_eq!(run(&["--net", "loopback"]), "socket=ok\nconnect host=-111\nbind own=0\nlisten own=0\nconnect own=0\n");
    // No network at all: lo is down, nothing is reachable, not even the program itself.
    assert_eq!(run(&["--net", "none"]), "socket=ok\nconnect host=-101\nbind own=0\nlisten own=0\nconnect own=-101\n");
    drop(listener);
}

/// A native program run by the guest cannot rejoin another network namespace: the seccomp filter
/// refuses `setns` (root could otherwise, e.g. through a bind-mounted namespace file).
#[test]
fn net_namespace_cannot_be_left() {
    let dir = TempDir::new("confine-setns");
    let cmd = "nsenter --net=/proc/self/ns/net true 2>/dev/null; echo $?";
    let confined = confine(&["--net", "none"], &["sh", cmd], dir.path());
    assert_eq!(confined, "1\nsh exit=0\n");
    // SAFETY: plain syscall.
    if unsafe { libc::geteuid() } == 0 {
        // Without the flag root may (into its own namespace here).
        assert_eq!(confine(&[], &["sh", cmd], dir.path()), "0\nsh exit=0\n");
    }
}

/// The ELF interpreter of this system's programs, which could load any native program.
fn interpreter() -> Option<&'static str> {
    ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"].into_iter().find(|p| std::path::Path::new(p).exists())
}

#[test]
fn no_exec_native() {
    let dir = TempDir::new("confine-exec");
    let me = wasm("confine");
    let mut args = vec!["exec", s(&me)];
    args.extend(interpreter());
    let child = |passwd: &str| {
        format!("child envfile=1\nchild reads /etc/passwd={passwd}\nopen=ok\nCONFINE_ENV=handed over\nwasm exit=8\n")
    };
    let ld = |ok: &str| if interpreter().is_some() { ok.to_string() } else { String::new() };

    let free = confine(&[], &args, dir.path());
    assert_eq!(free, format!("sh exit=3\n{}{}", ld("ld.so exit=4\n"), child("ok")));

    let refused =
        |passwd| format!("sh execve=-13\nsh exit=127\n{}{}", ld("ld.so execve=-13\nld.so exit=127\n"), child(passwd));
    assert_eq!(confine(&["--no-exec-native"], &args, dir.path()), refused("ok"));

    // With a confined file system too: the exec'd cwali reads the module from a --dir-ro tree,
    // gets its environment through the handoff directory, and leaves no directory behind.
    let wasm_dir = format!("--dir-ro={}", s(me.parent().unwrap()));
    let tmp = format!("--dir={}", s(dir.path()));
    let run = Run {
        cwd: Some(dir.path().to_path_buf()),
        cwali_opts: vec![wasm_dir, tmp, "--no-exec-native".into()],
        ..Run::args(&args)
    };
    let out = run_cwali("confine", &run);
    assert_eq!(ending(&out), Ending::Exit(0), "{}", show(&out));
    assert_eq!(stdout(&out), refused("-13"));
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

#[test]
fn handoff_directory_is_removed() {
    let dir = TempDir::new("confine-handoff");
    let mut cmd = std::process::Command::new(cwali_exe());
    cmd.args(["run", "--env", "A=B", &format!("--dir={}", s(dir.path())), s(&wasm("confine")), "rlimit"]);
    cmd.stdout(std::process::Stdio::null());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    // SAFETY: plain syscall.
    let uid = unsafe { libc::geteuid() };
    let parent = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => std::path::PathBuf::from(d).join("cwali"),
        None => std::env::temp_dir().join(format!("cwali-{uid}")),
    }
    .join("confine");
    let prefix = format!("{pid}.");
    assert!(parent.is_dir(), "{}", parent.display());
    let left: Vec<_> = std::fs::read_dir(&parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// With a confined file system the environment (from `--env-file` outside the trees, and
/// `--env`) is handed to the program through the handoff directory.
#[test]
fn environment_reaches_a_confined_program() {
    let (dir, outside) = (TempDir::new("confine-env"), TempDir::new("confine-envfile"));
    let env_file = outside.path().join("env");
    std::fs::write(&env_file, "FROM_FILE=1\n").unwrap();
    let run = Run {
        cwd: Some(dir.path().to_path_buf()),
        cwali_opts: vec![
            format!("--dir={}", s(dir.path())),
            format!("--env-file={}", s(&env_file)),
            "--env=FROM_FLAG=2".into(),
        ],
        ..Run::args(&["child"])
    };
    let out = run_cwali("confine", &run);
    assert_eq!(ending(&out), Ending::Exit(8), "{}", show(&out));
    assert_eq!(stdout(&out), "child envfile=1\nchild reads /etc/passwd=-13\nopen=ok\nFROM_FILE=1\nFROM_FLAG=2\n");
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

#[test]
fn rlimits() {
    let dir = TempDir::new("confine-rlimit");
    let limited = "nofile cur=40\nnofile max=50\ncore cur=0\nopen stopped with=-24\nlast fd=39\n";
    let opts = ["--rlimit", "nofile=40:50", "--rlimit", "RLIMIT_CORE=0"];
    assert_eq!(confine(&opts, &["rlimit"], dir.path()), limited);
    // /dev/null stays reachable with a confined file system.
    let with_dir = format!("--dir={}", s(dir.path()));
    assert_eq!(confine(&[&opts[..], &[with_dir.as_str()]].concat(), &["rlimit"], dir.path()), limited);

    // Without the flags: the limits cwali itself was given.
    let mut own = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain syscall into a local.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut own) }, 0);
    let free = confine(&[], &["rlimit"], dir.path());
    assert!(
        free.starts_with(&format!("nofile cur={}\nnofile max={}\n", own.rlim_cur as i64, own.rlim_max as i64)),
        "{free}"
    );
    if own.rlim_cur > 400 {
        assert!(free.ends_with("open stopped with=0\n"), "{free}");
    }
}

#[test]
fn bad_flags_are_errors() {
    let run = |opts: &[&str]| {
        std::process::Command::new(cwali_exe())
            .arg("run")
            .args(opts)
            .arg(wasm("confine"))
            .arg("rlimit")
            .output()
            .unwrap()
    };
    for (opts, code, message) in [
        (&["--rlimit", "bogus=1"][..], 2, "unknown resource"),
        (&["--rlimit", "nofile=10:5"][..], 2, "soft limit is above the hard limit"),
        (&["--rlimit", "nofile"][..], 2, "NAME=SOFT[:HARD]"),
        (&["--net", "maybe"][..], 2, "expected none, loopback or all"),
        (&["--dir", "/nonexistent-cwali-dir"][..], 1, "error: --dir /nonexistent-cwali-dir: No such file"),
        (&["--dir", "/tmp::relative"][..], 2, "must be absolute"),
        (&["--dir-ro", "/tmp::/nonexistent-cwali-dir"][..], 1, "the guest path must exist"),
    ] {
        let out = run(opts);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{opts:?}: {err}");
        assert!(err.contains("error:") && err.contains(message), "{opts:?}: {err}");
        assert!(out.stdout.is_empty(), "{opts:?}");
    }
}
