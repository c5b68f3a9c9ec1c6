//! `CWALI_CODEGEN_FINGERPRINT`: a hash of the sources that decide what the code generator emits,
//! part of the code cache key. The crate version alone is not enough: two builds of the same
//! version with a different translator (or runtime stubs whose ABI the code relies on) must not
//! share cache entries, or a stale entry would run after an upgrade.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// Runtime sources whose ABI generated code depends on (paths from the workspace root). They
/// are absent when this crate is built on its own, which leaves them out of the hash.
const RUNTIME_ABI: &[&str] = &[
    "rt/src/entry.c",
    "rt/src/setjmp.rs",
    "rt/src/preserve_all.rs",
    "rt/src/poll_page.rs",
    "wali-abi/src/syscalls.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest.parent().unwrap();
    let mut files = Vec::new();
    rust_files(&manifest.join("src"), &mut files);
    files.extend(RUNTIME_ABI.iter().map(|f| workspace.join(f)));
    // The runtime's stubs (`syscall_stub.rs`, `safepoint_stub.rs`, ...).
    if let Ok(entries) = std::fs::read_dir(workspace.join("rt/src")) {
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with("_stub.rs")));
    }
    files.sort();
    files.dedup();

    // DefaultHasher is not stable across Rust releases; a new toolchain just makes new keys.
    let mut h = DefaultHasher::new();
    println!("cargo:rerun-if-changed=src");
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else { continue };
        println!("cargo:rerun-if-changed={}", file.display());
        file.strip_prefix(workspace).unwrap_or(file).hash(&mut h);
        bytes.hash(&mut h);
    }
    println!("cargo:rustc-env=CWALI_CODEGEN_FINGERPRINT={:016x}", h.finish());
}
