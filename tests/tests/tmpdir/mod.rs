//! A fresh, private working directory for one guest run (tests run in parallel), removed on drop.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A new empty directory under the system temp dir, named after the test.
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let path = std::env::temp_dir().join(format!(
            "cwali-test-{name}-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Names of the directory's entries, sorted (to check that a guest cleaned up).
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Guests may leave read-only or root-owned entries; remove_dir_all copes as root and as a user
        // for everything our guests create.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs guest `name` with `args` natively and under cwali in a fresh directory: both must end the
/// same way with the same stdout and leave the directory empty. cwali runs twice: by default
/// (pass-through syscalls compiled inline) and with `--trace` (every call through the host's
/// table-driven path). Returns the first cwali output.
pub fn same_in_tmp(name: &str, args: &[&str]) -> std::process::Output {
    let dir = TempDir::new(name);
    let mut first = None;
    for opts in [&[][..], &["--trace"][..]] {
        let run = crate::common::Run {
            cwd: Some(dir.path().to_path_buf()),
            cwali_opts: opts.iter().map(|s| s.to_string()).collect(),
            ..crate::common::Run::args(args)
        };
        let out = crate::common::assert_same(name, &run);
        assert!(dir.entries().is_empty(), "guest `{name}` {opts:?} left {:?}", dir.entries());
        first.get_or_insert(out);
    }
    first.unwrap()
}

/// [`same_in_tmp`] for a guest that must exit 0; returns its stdout.
pub fn same_ok_in_tmp(name: &str) -> String {
    let out = same_in_tmp(name, &[]);
    assert_eq!(out.status.code(), Some(0), "guest `{name}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
