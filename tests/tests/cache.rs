//! The code cache as a user meets it: entries are authenticated with this user's key, so code
//! that someone rewrote (checksum and all) is recompiled, never run; directories and files
//! that others could write are not used; a module file seen before is loaded by its record.
//!
//! Every test has its own cache directory under the test target's temporary directory and
//! points `CWALI_CACHE_DIR` at it.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, not yet existing cache directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache-tests").join(name);
    if dir.exists() {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    dir
}

fn cwali(cache: &Path, args: &[&str]) -> Output {
    Command::new(common::cwali_exe())
        .env("CWALI_CACHE_DIR", cache)
        .env("CWALI_LOG", "cwali_rt=debug")
        .args(args)
        .output()
        .expect("run cwali")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `args` run with arguments `a b`: exits with argc (3) and prints them.
fn run_args(cache: &Path, module: &Path) -> Output {
    let out = cwali(cache, &["run", module.to_str().unwrap(), "a", "b"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("argv[2]=b"), "{}", stderr(&out));
    out
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// Every name in `dir` with its modification time.
fn listing(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let t = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p, t)
        })
        .collect();
    v.sort();
    v
}

/// Overwrite the code section of a code file with `int3` and compute its checksum again, as an
/// attacker who can write the file but not read the key would: only the MAC can tell.
fn rewrite_code(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    // Header: magic (8), key (32), module hash (32), then (offset, length) of four sections;
    // the code is the fourth.
    let (text, len) = (word(72 + 48), word(72 + 56));
    assert!(len > 0 && text + len <= bytes.len() - 64);
    bytes[text..text + len].fill(0xcc);
    let end = bytes.len() - 64;
    let sum = cwali_codegen::cache::module_hash(&bytes[..end]);
    bytes[end..end + 32].copy_from_slice(&sum);
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn rewritten_code_with_a_recomputed_checksum_is_recompiled_never_run() {
    let dir = fresh_dir("rewritten");
    run_args(&dir, &common::wasm("args"));
    let entries = files(&dir, "cwasm");
    assert_eq!(entries.len(), 1, "{entries:?}");
    rewrite_code(&entries[0]);
    let tampered = std::fs::read(&entries[0]).unwrap();
    let out = run_args(&dir, &common::wasm("args"));
    assert!(stderr(&out).contains("not authenticated"), "{}", stderr(&out));
    assert_ne!(std::fs::read(&entries[0]).unwrap(), tampered, "the entry was compiled again and replaced");
    run_args(&dir, &common::wasm("args"));
}

#[test]
fn a_module_file_seen_before_is_loaded_by_its_record_and_tampering_is_still_caught() {
    let dir = fresh_dir("records");
    // The committed guest is older than the settling time; the code file is made now.
    let guest = common::wasm("args");
    let code = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache-tests").join("records-args.cwasm");
    let out = cwali(&dir, &["compile", guest.to_str().unwrap(), "-o", code.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    run_args(&dir, &guest);
    assert!(files(&dir, "id").is_empty(), "no record while the entry is new");
    // Files changed within the last 2 s get no record (their identity could still change
    // unseen within one clock tick); wait until entry and code file have settled.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let out = run_args(&dir, &guest);
    assert!(!stderr(&out).contains("loaded by its record"), "{}", stderr(&out));
    run_args(&dir, &code);
    assert_eq!(files(&dir, "id").len(), 2, "one record for the module, one for the code file");

    // Hits: loaded by record, nothing in the directory written.
    let before = listing(&dir);
    for module in [&guest, &code] {
        let out = run_args(&dir, module);
        assert!(stderr(&out).contains("loaded by its record"), "{}", stderr(&out));
    }
    assert_eq!(listing(&dir), before, "a hit writes nothing");

    // The entry's code rewritten, checksum recomputed: the record no longer vouches for it and
    // the MAC refuses it.
    let entry = &files(&dir, "cwasm")[0];
    rewrite_code(entry);
    let out = run_args(&dir, &guest);
    assert!(!stderr(&out).contains("loaded by its record"), "{}", stderr(&out));
    assert!(stderr(&out).contains("not authenticated"), "{}", stderr(&out));

    // The same for the code file from `cwali compile`: the module inside is compiled instead.
    rewrite_code(&code);
    let out = run_args(&dir, &code);
    assert!(stderr(&out).contains("not authenticated"), "{}", stderr(&out));

    // A record someone else wrote (here: one changed byte) is ignored.
    for record in files(&dir, "id") {
        let mut bytes = std::fs::read(&record).unwrap();
        bytes[70] ^= 1;
        std::fs::write(&record, &bytes).unwrap();
    }
    let out = run_args(&dir, &guest);
    assert!(!stderr(&out).contains("loaded by its record"), "{}", stderr(&out));
}

#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    let dir = fresh_dir("world-writable");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run_args(&dir, &common::wasm("args"));
    let err = stderr(&out);
    assert!(err.contains("not using the code cache") && err.contains("writable by group or others"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written there");
}

#[test]
fn a_cache_directory_of_another_user_is_not_used() {
    // SAFETY: geteuid has no preconditions.
    let dir = if unsafe { libc::geteuid() } == 0 {
        let dir = fresh_dir("other-owner");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
        dir
    } else {
        PathBuf::from("/") // root's
    };
    let out = run_args(&dir, &common::wasm("args"));
    let err = stderr(&out);
    assert!(err.contains("not using the code cache") && err.contains("belongs to user"), "{err}");
    assert!(files(&dir, "cwasm").is_empty());
}

#[test]
fn a_key_others_can_read_is_not_used() {
    let dir = fresh_dir("open-key");
    run_args(&dir, &common::wasm("args"));
    let key = dir.join("key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_args(&dir, &common::wasm("args"));
    assert!(stderr(&out).contains("key file") && stderr(&out).contains("group or others"), "{}", stderr(&out));
}

#[test]
fn code_files_of_another_user_are_compiled_from_the_module_inside() {
    let (mine, theirs) = (fresh_dir("key-mine"), fresh_dir("key-theirs"));
    let code = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache-tests").join("theirs-args.cwasm");
    let guest = common::wasm("args");
    let out = cwali(&theirs, &["compile", guest.to_str().unwrap(), "-o", code.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The maker runs it as it is.
    let out = run_args(&theirs, &code);
    assert!(!stderr(&out).contains("not authenticated"), "{}", stderr(&out));
    // Another key (another user, or a file from elsewhere): validated and compiled anew.
    let out = run_args(&mine, &code);
    assert!(stderr(&out).contains("not authenticated"), "{}", stderr(&out));
    let out = cwali(&mine, &["run", "--no-cache", code.to_str().unwrap(), "a", "b"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("not authenticated"), "{}", stderr(&out));
}

#[test]
fn a_module_without_code_describes_the_same_module() {
    for guest in ["args", "hello"] {
        let bytes = std::fs::read(common::wasm(guest)).unwrap();
        let full = cwali_frontend::parse(&bytes).unwrap();
        let stripped = cwali_frontend::strip_code(&bytes).unwrap();
        assert!(stripped.len() < bytes.len());
        let trusted = cwali_frontend::parse_trusted(stripped.clone()).unwrap();
        assert_eq!(trusted.types, full.types);
        assert_eq!(trusted.funcs, full.funcs);
        assert_eq!(trusted.num_imported_funcs, full.num_imported_funcs);
        assert_eq!(format!("{:?}", trusted.imports), format!("{:?}", full.imports));
        assert_eq!(format!("{:?}", trusted.exports), format!("{:?}", full.exports));
        assert_eq!(format!("{:?}", trusted.globals), format!("{:?}", full.globals));
        assert_eq!(format!("{:?}", trusted.elements), format!("{:?}", full.elements));
        assert_eq!(trusted.memories, full.memories);
        assert_eq!(trusted.data.len(), full.data.len());
        for (a, b) in trusted.data.iter().zip(&full.data) {
            assert_eq!(trusted.data_bytes(a), full.data_bytes(b));
        }
        for f in 0..full.funcs.len() as u32 {
            assert_eq!(trusted.func_name(f), full.func_name(f));
        }
        // Not a module anyone should validate as is: no code section.
        assert!(cwali_frontend::parse(&stripped).is_err());
    }
}

/// C++ exceptions (both encodings) behave the same whether the code was just compiled, read
/// from the cache entry, mapped from it by its record or mapped from a `cwali compile` code
/// file: the exception call sites travel in the layout with the code.
#[test]
fn cxx_exceptions_work_in_code_loaded_from_the_cache() {
    let dir = fresh_dir("exceptions");
    for name in ["cxx_exceptions", "cxx_exceptions_exnref"] {
        let guest = common::wasm(name);
        let guest = guest.to_str().unwrap();
        let expected = cwali(&dir, &["run", "--no-cache", guest]);
        assert!(expected.status.success(), "{}", stderr(&expected));
        assert!(String::from_utf8_lossy(&expected.stdout).contains("caught"), "{}", stderr(&expected));
        let code = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache-tests").join(format!("{name}.cwasm"));
        let out = cwali(&dir, &["compile", guest, "-o", code.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let same = |out: Output, what: &str| {
            assert_eq!(
                (out.status.code(), String::from_utf8_lossy(&out.stdout)),
                (expected.status.code(), String::from_utf8_lossy(&expected.stdout)),
                "{name} {what}\n{}",
                stderr(&out)
            );
            stderr(&out)
        };
        same(cwali(&dir, &["run", guest]), "compiled and stored");
        let log = same(cwali(&dir, &["run", guest]), "from the cache entry");
        assert!(log.contains("code cache: checking"), "{log}");
        same(cwali(&dir, &["run", code.to_str().unwrap()]), "from the code file");
        // Records are written once the files have settled (see the records test above).
        std::thread::sleep(std::time::Duration::from_millis(2200));
        same(cwali(&dir, &["run", guest]), "recording");
        same(cwali(&dir, &["run", code.to_str().unwrap()]), "recording the code file");
        for (module, what) in
            [(guest, "mapped by its record"), (code.to_str().unwrap(), "code file mapped by its record")]
        {
            let log = same(cwali(&dir, &["run", module]), what);
            assert!(log.contains("loaded by its record"), "{what}: {log}");
        }
    }
}
