//! Native builds of the benchmark programs, from the same C sources as the committed wasm:
//!
//! - every `kernels/<name>.c` becomes a static library with `run` renamed to `bench_<name>_run`,
//!   linked into the bench binary (the native contender of the compute benchmark);
//! - `guests/syscalls.c` and the test guest `tests/guests/c/hello.c` become executables in
//!   `OUT_DIR` (through `wali.h`'s native shims), run as subprocesses like `cwali run`;
//! - `native/spawn-probe.c`, the small process the start-up benchmark measures children from.
//!
//! The compiler is `$CC` if set, else `clang-19` if it is on the PATH (the compiler of the wasm
//! side), else `cc`; always `-O2`.

use std::path::{Path, PathBuf};
use std::process::Command;

const KERNELS: &[&str] = &[
    "matmul",
    "nbody",
    "sha256",
    "crc32",
    "sieve",
    "quicksort",
    "mandelbrot",
    "fannkuch",
    "interp",
    "hashmap",
    "memops",
    "fib",
    "base64",
];

fn on_path(exe: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(exe).is_file()))
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let compiler = std::env::var("CC")
        .ok()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| if on_path("clang-19") { "clang-19".to_string() } else { "cc".to_string() });
    let version = Command::new(&compiler)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| compiler.clone());
    println!("cargo:rustc-env=BENCH_NATIVE_CC={version}");
    println!("cargo:rerun-if-env-changed=CC");

    let kernels = manifest.join("kernels");
    println!("cargo:rerun-if-changed={}", kernels.join("bench.h").display());
    for name in KERNELS {
        let src = kernels.join(format!("{name}.c"));
        println!("cargo:rerun-if-changed={}", src.display());
        cc::Build::new()
            .compiler(&compiler)
            .file(&src)
            .include(&kernels)
            .define("run", format!("bench_{name}_run").as_str())
            .opt_level(2)
            .flag("-O2")
            .warnings(true)
            .compile(&format!("bench_{name}"));
    }

    let include = manifest.join("../tests/guests/include");
    println!("cargo:rerun-if-changed={}", include.join("wali.h").display());
    let exe = |src: &Path, name: &str, env: &str| {
        println!("cargo:rerun-if-changed={}", src.display());
        let dst = out.join(name);
        let status = Command::new(&compiler)
            .args(["-O2", "-Wall", "-Wextra", "-Wno-unused-function", "-Werror", "-I"])
            .arg(&include)
            .arg("-o")
            .arg(&dst)
            .arg(src)
            .status()
            .unwrap_or_else(|e| panic!("running {compiler}: {e}"));
        assert!(status.success(), "{compiler} failed on {}", src.display());
        println!("cargo:rustc-env={env}={}", dst.display());
    };
    exe(&manifest.join("guests/syscalls.c"), "syscalls-native", "BENCH_NATIVE_SYSCALLS");
    exe(&manifest.join("../tests/guests/c/hello.c"), "hello-native", "BENCH_NATIVE_HELLO");
    exe(&manifest.join("native/spawn-probe.c"), "spawn-probe", "BENCH_SPAWN_PROBE");
}
