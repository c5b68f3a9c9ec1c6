//! Processes (§11): exit codes, fork, execve, and the live-thread count that decides whether
//! `SYS_exit` ends a thread or the process.

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;

use std::sync::atomic::{AtomicUsize, Ordering};

use super::guest::{EFAULT, Guest, SysResult};

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

/// cwali's private directory for files one runtime hands to the next (the environment of an
/// exec'd `.wasm`): `$XDG_RUNTIME_DIR/cwali` or `<tmp>/cwali-<uid>`, created 0700. It must be a
/// real directory owned by us that nobody else can write, or it is not used.
pub fn private_dir() -> std::io::Result<std::path::PathBuf> {
    // SAFETY: plain syscall.
    let uid = unsafe { libc::geteuid() };
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => std::path::PathBuf::from(d).join("cwali"),
        None => std::env::temp_dir().join(format!("cwali-{uid}")),
    };
    ensure_private_dir(&dir)?;
    Ok(dir)
}

/// Create `dir` (mode 0700) unless it exists; either way it must be a real directory of ours
/// that nobody else can use.
pub fn ensure_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    // SAFETY: plain syscall.
    if !meta.is_dir() || meta.uid() != unsafe { libc::geteuid() } || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{} is not a private directory of this user", dir.display()),
        ));
    }
    Ok(())
}

/// Where the runtime that an execve of a `.wasm` starts finds the program's environment.
pub fn exec_env_file(pid: u32) -> std::io::Result<std::path::PathBuf> {
    Ok(private_dir()?.join(format!("env.{pid}")))
}

/// Write a new file only we can read: created exclusively (a file left over by an earlier
/// process with this pid is replaced), never through a symlink.
pub fn write_private_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let open = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    };
    let mut f = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            open()?
        }
        other => other?,
    };
    f.write_all(bytes)
}

/// Whether a file another runtime left for us can be trusted: a regular file (not a symlink)
/// owned by us that nobody else can read or write.
pub fn is_private_file(path: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: plain syscall.
    let uid = unsafe { libc::geteuid() };
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.uid() == uid && m.mode() & 0o077 == 0)
}

/// execve: native programs directly; a `.wasm` file by re-executing this runtime on it. For a
/// `.wasm` target the environment goes to a private file ([`exec_env_file`]) where the new
/// runtime finds it. Native targets get `envp` directly and no file, and the file is removed
/// again if execve fails. Every string is copied out of guest memory first: the guest's other
/// threads can neither change nor unmap what the host reads.
pub fn execve(g: &Guest<'_>, args: &[u64]) -> SysResult {
    if args[0] as u32 == 0 {
        return Err(EFAULT);
    }
    let path = g.c_string(args[0] as u32)?;
    let argv = g.string_array(args[1] as u32)?.unwrap_or_default();
    let envp = g.string_array(args[2] as u32)?;
    let ptrs = |v: &[CString]| v.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect::<Vec<_>>();
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
    let env_file = if is_wasm && let Some(env) = &envp {
        let mut text = Vec::new();
        for e in env.iter().filter(|e| !e.is_empty()) {
            text.extend_from_slice(e.to_bytes());
            text.push(b'\n');
        }
        // A confined file system: the run's hand-over directory, the only place both this
        // process and the exec'd cwali can reach.
        let file = match super::confine::handoff_env_file(std::process::id()) {
            Some(file) => file,
            None => exec_env_file(std::process::id()).map_err(|_| -(libc::EACCES as i64))?,
        };
        write_private_file(&file, &text).map_err(|e| -(e.raw_os_error().unwrap_or(libc::EACCES) as i64))?;
        Some(file)
    } else {
        None
    };
    // An exec'd cwali learns its confinement from the first CWALI_CONFINED entry: ours, before
    // the guest's entries (any of the guest's own is dropped).
    let envp = match confined.any().then(|| confined.to_var()) {
        Some(marker) if is_wasm => {
            let prefix = format!("{}=", super::confine::INHERITED_VAR);
            let mut v = vec![marker];
            v.extend(envp.unwrap_or_default().into_iter().filter(|e| !e.to_bytes().starts_with(prefix.as_bytes())));
            Some(v)
        }
        _ => envp,
    };
    let envp_ptrs = envp.as_deref().map(ptrs);
    let env_ptr = envp_ptrs.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
    let err = if is_wasm {
        let exe = c"/proc/self/exe";
        let mut new_argv: Vec<*const libc::c_char> =
            vec![c"cwali".as_ptr(), c"run".as_ptr(), c"--".as_ptr(), path.as_ptr()];
        new_argv.extend(ptrs(argv.get(1..).unwrap_or_default())); // the guest's arguments, then NULL
        // SAFETY: NULL-terminated arrays of valid C strings.
        unsafe { libc::execve(exe.as_ptr(), new_argv.as_ptr(), env_ptr) };
        let err = std::io::Error::last_os_error();
        if let Some(file) = env_file {
            let _ = std::fs::remove_file(file);
        }
        err
    } else {
        let argv_ptrs = ptrs(&argv);
        // SAFETY: NULL-terminated arrays of valid C strings.
        unsafe { libc::execve(path.as_ptr(), argv_ptrs.as_ptr(), env_ptr) };
        std::io::Error::last_os_error()
    };
    Err(-(err.raw_os_error().unwrap_or(libc::ENOEXEC) as i64))
}
