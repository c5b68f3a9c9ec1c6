//! Link options of the `cwali` binary that make `cwali run` start faster (the library and the
//! other binaries that link it are left alone). Measured on `cwali run hello.wasm`:
//!
//! - libgcc's unwinder linked statically (`libgcc_eh.a`, as rustc does for `crt-static`) instead
//!   of loading `libgcc_s.so.1`, whose constructor probes the CPU with ~10 `cpuid`s; `cpuid`
//!   traps to the hypervisor in a VM (several µs each). rustc always asks for `-lgcc_s`, so a
//!   directory holding `libgcc_s.a` = `libgcc_eh.a` is put first on the linker's search path.
//!   Skipped when the C compiler does not know `libgcc_eh.a` (then `libgcc_s.so` is used).
//! - `CWALI_NO_PIE=1` at build time links a fixed-address executable: a position-independent
//!   cwali has ~18,000 relative relocations over ~70 pages that the dynamic loader rewrites at
//!   every start (~0.2 ms of a ~1.5 ms start). Not the default: a sandboxing runtime keeps its
//!   own code and data address-randomized, as defence in depth against a sandbox escape.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CWALI_NO_PIE");
    let target = std::env::var("TARGET").unwrap_or_default();
    if !target.contains("-linux-gnu") {
        return;
    }
    if std::env::var_os("CWALI_NO_PIE").is_some_and(|v| v == "1") {
        println!("cargo:rustc-link-arg-bin=cwali=-no-pie");
    }
    if let Some(libgcc_eh) = libgcc_eh() {
        let dir = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("static-libgcc");
        let shadow = dir.join("libgcc_s.a");
        let copied = std::fs::create_dir_all(&dir).and_then(|_| std::fs::copy(&libgcc_eh, &shadow));
        if copied.is_ok() {
            println!("cargo:rustc-link-arg-bin=cwali=-L{}", dir.display());
        }
    }
}

/// The C compiler's `libgcc_eh.a`, if it has one (`cc -print-file-name` echoes the bare name
/// when it does not).
fn libgcc_eh() -> Option<PathBuf> {
    let cc = std::env::var("CC").ok().filter(|c| !c.is_empty()).unwrap_or_else(|| "cc".to_string());
    println!("cargo:rerun-if-env-changed=CC");
    let out = Command::new(cc).arg("-print-file-name=libgcc_eh.a").output().ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    (out.status.success() && path.is_absolute() && path.is_file()).then_some(path)
}
