//! Memory-management syscalls (mmap, munmap, mremap, mprotect, msync, madvise, brk) and file I/O
//! through shared mappings: each guest runs natively and under cwali, in a fresh directory, and
//! must print the same and end the same way.

mod common;
mod tmpdir;

use std::process::Output;

use common::{Run, assert_same, run_cwali, run_native};
use tmpdir::{TempDir, same_in_tmp};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn mem_mmap() {
    let out = same_in_tmp("mem_mmap", &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for line in [
        "mmap anon=ok\naligned=1\nzeroed=1\n",
        "mmap len 0=-22\n",
        "mmap bad fd=-9\n",
        "write ro page: killed by signal 11\nread ro page: exit 0\n",
        "read none page: killed by signal 11\n",
        "msync both=-22\n",
        "dontneed zeroed=1\n",
        "mremap grow=ok\ngrow kept=1\ngrow tail zero=1\n",
        "shrink same addr=1\n",
        "mremap bad flags=-22\nmremap fixed without maymove=-22\n",
        "read unmapped: killed by signal 11\n",
        "mremap unmapped=-14\n",
        "distinct after hole=1\nown values=1234\n",
        "fixed at requested address=1\nread reserved page: killed by signal 11\nfixed unaligned=-22\n\
         noreplace over mapping=-17\nunmap reserved page=ok\nnoreplace into hole=1\n",
        "mremap fixed at requested address=1\nmremap fixed kept=1\nread moved-from page: killed by signal 11\n\
         mremap fixed overlapping=-22\nmremap fixed unaligned=-22\nmunmap reservation=ok\n",
        "shared sees C, private sees P\n",
        "reused mappings zeroed=1\nread small unmapped: killed by signal 11\n",
        "private after shared zeroed=1\nprivate after shared sees P\n",
        "brk not error=1\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// brk is not comparable: WALI returns 0 by design (WALI-ABI.md §8.5), Linux the current break.
#[test]
fn mem_brk_returns_zero() {
    let run = Run::args(&["brk"]);
    let wali = run_cwali("mem_mmap", &run);
    assert_eq!(stdout(&wali), "brk0=0\n");
    assert_eq!(wali.status.code(), Some(0));
    let native = run_native("mem_mmap", &run);
    let value: i64 = stdout(&native).trim().strip_prefix("brk0=").unwrap().parse().unwrap();
    assert!(value > 0, "native brk(0) = {value}");
}

#[test]
fn mem_file_shared_mapping() {
    let out = same_in_tmp("mem_file", &[]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for line in [
        "file @100: HELLO-MMAP\nfile @4096: 67890#23\n",
        "mapping @200: xyz\n",
        "file[0] after private write: a\nshared sees private write=0\n",
        "mmap ro fd shared write=-13\n",
        "file[0]: Z\n",
        "past eof child signaled=1\n",
        "file[8193]: T\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

/// Touching a page of a file mapping past the end of the file raises SIGBUS natively; cwali turns
/// every fault in guest memory into an out-of-bounds trap and the process dies of SIGSEGV.
#[test]
#[ignore = "rt: guest memory faults always end with SIGSEGV, never SIGBUS"]
fn mem_file_sigbus_past_eof() {
    let dir = TempDir::new("mem_file_sigbus");
    let run = Run { cwd: Some(dir.path().to_path_buf()), ..Run::args(&["sigbus"]) };
    assert_same("mem_file", &run);
}
