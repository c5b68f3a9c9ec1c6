//! Clocks, sleeps, and process/system information (uname, sysinfo, scheduling, resource limits and
//! usage): each guest runs natively and under cwali and must print the same and exit 0.

mod common;
mod tmpdir;

use common::{Run, assert_same};
use tmpdir::TempDir;

/// Runs guest `name` natively and under cwali in a fresh directory; it must exit 0 and leave the
/// directory empty. cwali runs twice: as configured by default (pass-through syscalls compiled
/// inline) and with `--trace` (every call through the host's table-driven pass-through).
/// Returns cwali's stdout.
fn same_ok(name: &str) -> String {
    let dir = TempDir::new(name);
    let mut stdout = None;
    for opts in [&[][..], &["--trace"][..]] {
        let run = Run {
            cwd: Some(dir.path().to_path_buf()),
            cwali_opts: opts.iter().map(|s| s.to_string()).collect(),
            ..Run::args(&[])
        };
        let out = assert_same(name, &run);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "guest `{name}` {opts:?} failed:\n{stderr}");
        assert!(dir.entries().is_empty(), "guest `{name}` {opts:?} left {:?}", dir.entries());
        stdout.get_or_insert(String::from_utf8(out.stdout).unwrap());
    }
    stdout.unwrap()
}

#[test]
fn time_clock() {
    let out = same_ok("time_clock");
    assert!(out.contains("MONOTONIC: gettime=0,0 valid=1 nondecreasing=1 getres=0 res_sane=1\n"), "{out}");
    assert!(out.contains("tv_between=1\n"), "{out}");
}

#[test]
fn time_sleep() {
    let out = same_ok("time_sleep");
    assert!(out.contains("nanosleep_waited_20ms=1\n"), "{out}");
    assert!(out.contains("abs_reached=1\n"), "{out}");
}

#[test]
fn sys_info() {
    let out = same_ok("sys_info");
    assert!(out.contains("sysname=Linux\n"), "{out}");
    assert!(out.contains("cpus_in_mask_positive=1\n"), "{out}");
}

#[test]
fn sys_rlimit() {
    let out = same_ok("sys_rlimit");
    assert!(out.contains("dup_stopped_with=-24\nlast_fd=15\n"), "{out}");
    assert!(out.contains("restored=1\n"), "{out}");
}
