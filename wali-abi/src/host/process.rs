//! Processes (§11): exit codes, fork, execve, and the live-thread count that decides whether
//! `SYS_exit` ends a thread or the process.

use std::ffi::{CStr, OsStr};
use std::os::unix::ffi::OsStrExt;

use crate::layouts::str_array_to_host;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::guest::{EFAULT, Guest, SysResult, errno};

/// Wasm threads alive in this process (the main one included).
pub static LIVE_THREADS: AtomicUsize = AtomicUsize::new(1);

/// The message a host trap carries to end only the calling thread (`SYS_exit` with others alive).
pub const THREAD_EXIT: &str = "cwali: wasm thread exit";

/// Files to remove when the process ends (the private environment file).
static CLEANUP: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

pub fn remove_at_exit(path: std::path::PathBuf) {
    CLEANUP.lock().unwrap_or_else(|e| e.into_inner()).push(path);
}

/// End the whole process with `status & 0xff` (`exit_group`, `__proc_exit`).
pub fn exit_process(status: i32) -> ! {
    for path in CLEANUP.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
        let _ = std::fs::remove_file(path);
    }
    super::confine::cleanup();
    std::process::exit(status & 0xff)
}

thread_local! {
    /// The status this thread gave `SYS_exit`, for when it turns out to be the last one.
    static EXIT_STATUS: std::cell::Cell<i32> = const { std::cell::Cell::new(0) };
}

/// The status the calling thread passed to `SYS_exit` (0 if it did not).
pub fn thread_exit_status() -> i32 {
    EXIT_STATUS.with(|s| s.get())
}

/// `SYS_exit`: the last thread ends the process, any other only itself.
pub fn exit_thread(status: i32) -> ! {
    if LIVE_THREADS.load(Ordering::SeqCst) <= 1 {
        exit_process(status);
    }
    // Another thread may end at the same time; whichever is last uses its own status.
    EXIT_STATUS.with(|s| s.set(status));
    // SAFETY: called from a host function of Wasm code; the thread's entry catches it.
    unsafe { cwali_rt::raise(cwali_rt::Trap::host(THREAD_EXIT)) }
}

pub fn fork() -> SysResult {
    // SAFETY: the child continues on this thread only; the runtime keeps no lock across here.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(-(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EAGAIN) as i64));
    }
    if pid == 0 {
        LIVE_THREADS.store(1, Ordering::SeqCst);
        super::signals::clear_pending();
    }
    Ok(pid as i64)
}

/// execve: native programs directly; a `.wasm` file by re-executing this runtime on it. For a
/// `.wasm` target the environment goes to `/tmp/wali_env.<pid>` too, where the new runtime (ours
/// or the reference) finds it (§11.2). Native targets get `envp` directly and no file (a file left
/// behind would hand its environment to a later WALI program that gets the same pid, §16.21), and
/// the file is removed again if execve fails.
pub fn execve(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let path = g.cstr(args[0] as u32)?;
    if path.is_null() {
        return Err(EFAULT);
    }
    // NULL-terminated host pointer arrays into guest memory (strings are used in place).
    let argv = str_array_to_host(g, args[1] as u32).map_err(errno)?.unwrap_or_else(|| vec![std::ptr::null()]);
    let envp = str_array_to_host(g, args[2] as u32).map_err(errno)?;
    // SAFETY: checked NUL-terminated strings inside memory.
    let cstr = |p: *const libc::c_char| unsafe { CStr::from_ptr(p) };
    let path = cstr(path);
    let mut head = [0u8; 4];
    let is_wasm = std::fs::File::open(OsStr::from_bytes(path.to_bytes()))
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == *b"\0asm";
    let confined = super::confine::state();
    // --no-exec-native: Landlock lets only cwali and its ELF interpreter be executed; the
    // interpreter could load any native program (`ld.so PROGRAM`), so cwali itself refuses
    // every target that is not a `.wasm`, with the error Landlock gives for the others.
    if confined.no_exec_native && !is_wasm {
        return Err(-(libc::EACCES as i64));
    }
    // A confined file system: the file goes to the handoff directory, the only place both
    // this process and the exec'd cwali can reach.
    let env_file = super::confine::handoff_env_file(std::process::id())
        .unwrap_or_else(|| format!("/tmp/wali_env.{}", std::process::id()).into());
    if let Some(env) = envp.as_ref().filter(|_| is_wasm) {
        let mut text = Vec::new();
        for e in env.iter().take_while(|p| !p.is_null()).map(|p| cstr(*p)).filter(|e| !e.is_empty()) {
            text.extend_from_slice(e.to_bytes());
            text.push(b'\n');
        }
        if confined.handoff.is_some() {
            super::confine::write_private_file(&env_file, &text)
                .map_err(|e| -(e.raw_os_error().unwrap_or(libc::EACCES) as i64))?;
        } else {
            let _ = std::fs::write(&env_file, text);
        }
    }
    // An exec'd cwali learns its confinement from the first CWALI_CONFINED entry: ours, before
    // the guest's entries (any of the guest's own is dropped).
    let marker = confined.any().then(|| confined.to_var());
    let envp = match (&marker, envp) {
        (Some(m), envp) if is_wasm => {
            let prefix = super::confine::INHERITED_VAR.as_bytes();
            let mut v = vec![m.as_ptr()];
            v.extend(envp.unwrap_or_default().into_iter().filter(|p| {
                p.is_null() || !cstr(*p).to_bytes().strip_prefix(prefix).is_some_and(|r| r.starts_with(b"="))
            }));
            if v.last().is_some_and(|p| !p.is_null()) {
                v.push(std::ptr::null());
            }
            Some(v)
        }
        (_, envp) => envp,
    };
    let env_ptr = envp.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
    let err = if is_wasm {
        let exe = c"/proc/self/exe";
        let mut new_argv: Vec<*const libc::c_char> =
            vec![c"cwali".as_ptr(), c"run".as_ptr(), c"--".as_ptr(), path.as_ptr()];
        new_argv.extend(argv.iter().skip(1)); // the guest's arguments, then its NULL
        if argv.len() <= 1 {
            new_argv.push(std::ptr::null());
        }
        // SAFETY: NULL-terminated arrays of valid C strings.
        unsafe { libc::execve(exe.as_ptr(), new_argv.as_ptr(), env_ptr) };
        let err = std::io::Error::last_os_error();
        let _ = std::fs::remove_file(&env_file);
        err
    } else {
        // SAFETY: NULL-terminated arrays of valid C strings.
        unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), env_ptr) };
        std::io::Error::last_os_error()
    };
    Err(-(err.raw_os_error().unwrap_or(libc::ENOEXEC) as i64))
}
