//! WALI edge cases written in WAT (no native twin): guest pointers at and past the end of linear
//! memory, unknown imports, and a known syscall imported with the wrong signature. Exit status and
//! output are asserted directly.

mod common;

use common::{Ending, Run, ending, run_cwali};

#[test]
fn edge_bounds_efault_and_survive() {
    // Default (inline pass-through syscalls, guard-page memory), every call through the host
    // (--trace), and explicitly bounds-checked memory.
    for opts in [&[][..], &["--trace"][..], &["--bounds-checks", "explicit"][..]] {
        let run = Run { cwali_opts: opts.iter().map(|s| s.to_string()).collect(), ..Run::args(&[]) };
        let out = run_cwali("edge_bounds", &run);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(ending(&out), Ending::Exit(0), "{opts:?} stdout:\n{stdout}\nstderr:\n{stderr}");
        assert_eq!(
            stdout,
            "past_end=-14\n\
             at_end_len0=0\n\
             high_ptr=-14\n\
             wrapping=-14\n\
             read_past_end=-14\n\
             iov_array_past_end=-14\n\
             iov_base_past_end=-14\n\
             open_unterminated=-14\n\
             access_unterminated=-14\n\
             stat_unterminated=-14\n\
             faccessat_unterminated=-14\n\
             stat_ok=0\n\
             AAAAlast4=4\n\
             \n\
             grow=1\n\
             AAAABBBB\n\
             across_old_end=9\n\
             open_now_terminated=-2\n\
             past_new_end=-14\n\
             alive\n",
            "{opts:?}"
        );
    }
}

#[test]
fn edge_unknown_imports_link_and_trap_only_when_called() {
    let out = run_cwali("edge_unknown", &Run::args(&[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Instantiation succeeded, the unknown syscalls answered -ENOSYS, and calling wali.foo ended the
    // process (not normally: "foo returned" never appears) with a message naming the import.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "nonexistent=-38\nnonexistent_too=-38\ncalling foo\n");
    assert_ne!(ending(&out), Ending::Exit(0), "stderr:\n{stderr}");
    assert!(stderr.contains("wali::foo") || stderr.contains("wali.foo"), "stderr:\n{stderr}");
}

#[test]
fn edge_bad_signature_traps_when_called() {
    let out = run_cwali("edge_badsig", &Run::args(&[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    assert_ne!(ending(&out), Ending::Exit(0), "stderr:\n{stderr}");
    assert!(stderr.contains("SYS_read"), "stderr:\n{stderr}");
}
