//! C++ programs built with the WALI toolchain (libc++, Wasm exception handling) against the same
//! sources built natively with g++: same stdout, same exit status. Every guest exists in both
//! encodings clang emits: legacy `try`/`catch`/`rethrow`/`delegate` (`cxx_NAME.wasm`) and
//! `try_table`/`throw_ref`/exnref (`cxx_NAME_exnref.wasm`); `tests/guests/build-cxx.sh` builds them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use common::{Ending, Run, ending, guests_dir, run_cwali};

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// The native build of `cxx/NAME.cpp` (g++, once per test run).
fn native_cxx(name: &str) -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("guests-native");
    let exe = out_dir.join(format!("cxx_{name}"));
    let src = guests_dir().join("cxx").join(format!("{name}.cpp"));
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = match (std::fs::metadata(&exe), std::fs::metadata(&src)) {
        (Ok(e), Ok(s)) => e.modified().unwrap() >= s.modified().unwrap(),
        _ => false,
    };
    if !fresh {
        std::fs::create_dir_all(&out_dir).unwrap();
        let status = Command::new(std::env::var("CXX").unwrap_or_else(|_| "g++".into()))
            .args(["-O2", "-w", "-pthread", "-o"])
            .arg(&exe)
            .arg(&src)
            .status()
            .expect("g++ is needed to build the native side of the C++ tests");
        assert!(status.success(), "g++ failed on {}", src.display());
    }
    exe
}

/// Run `cxx/NAME.cpp` natively and both Wasm builds under cwali; all three must agree on stdout
/// and ending. Returns the native output and the two cwali outputs.
fn assert_same_cxx(name: &str) -> (std::process::Output, Vec<std::process::Output>) {
    let run = Run::args(&[]);
    let native = Command::new(native_cxx(name)).output().expect("run the native build");
    let mut outs = Vec::new();
    for wasm in [format!("cxx_{name}"), format!("cxx_{name}_exnref")] {
        let out = run_cwali(&wasm, &run);
        assert_eq!(
            (ending(&out), String::from_utf8_lossy(&out.stdout)),
            (ending(&native), String::from_utf8_lossy(&native.stdout)),
            "{wasm} differs from the native build\n--- cwali stderr ---\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outs.push(out);
    }
    (native, outs)
}

#[test]
fn class_types_library_exceptions_rethrow_and_destructors() {
    let (native, _) = assert_same_cxx("exceptions");
    let text = String::from_utf8_lossy(&native.stdout);
    assert_eq!(ending(&native), Ending::Exit(0));
    for expected in [
        "caught AppError 42: from the bottom (live 0)",
        "caught out_of_range\n",
        "caught invalid_argument from stoi",
        "caught out_of_range from stoi",
        "main caught derived extra=7",
        "drop owned by unique_ptr",
        "outer caught second",
        "rethrown exception_ptr: kept for later",
        "live objects at end: 0",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn exceptions_in_threads() {
    let (native, _) = assert_same_cxx("exc_threads");
    let text = String::from_utf8_lossy(&native.stdout);
    assert!(text.contains("main got: raised in a thread"), "{text}");
}

#[test]
fn uncaught_exception_aborts() {
    let (native, outs) = assert_same_cxx("exc_uncaught");
    assert_eq!(ending(&native), Ending::Signal(libc::SIGABRT));
    for out in outs {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("uncaught"), "{stderr}");
    }
}
