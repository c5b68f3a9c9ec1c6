//! Clocks, sleeps, and process/system information (uname, sysinfo, scheduling, resource limits and
//! usage): each guest runs natively and under cwali and must print the same and exit 0.

mod common;
mod tmpdir;

use tmpdir::same_ok_in_tmp;

#[test]
fn time_clock() {
    let out = same_ok_in_tmp("time_clock");
    assert!(out.contains("MONOTONIC: gettime=0,0 valid=1 nondecreasing=1 getres=0 res_sane=1\n"), "{out}");
    assert!(out.contains("tv_between=1\n"), "{out}");
}

#[test]
fn time_sleep() {
    let out = same_ok_in_tmp("time_sleep");
    assert!(out.contains("nanosleep_waited_20ms=1\n"), "{out}");
    assert!(out.contains("abs_reached=1\n"), "{out}");
}

#[test]
fn sys_info() {
    let out = same_ok_in_tmp("sys_info");
    assert!(out.contains("sysname=Linux\n"), "{out}");
    assert!(out.contains("cpus_in_mask_positive=1\n"), "{out}");
}

#[test]
fn sys_rlimit() {
    let out = same_ok_in_tmp("sys_rlimit");
    assert!(out.contains("dup_stopped_with=-24\nlast_fd=15\n"), "{out}");
    assert!(out.contains("restored=1\n"), "{out}");
}
