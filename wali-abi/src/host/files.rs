//! Opening files for the guest without handing it the runtime's own memory.
//!
//! `/proc/<pid>/mem` (and `pagemap`, and `map_files/*`) of this process would let a guest read and
//! write cwali's memory; of a forked child, the child runtime's. A path has many names for them
//! (`/proc/self/task/<tid>/mem`, `//proc/./self/../self/mem`, a symlink, a directory fd of
//! `/proc/self`, a chdir), so the decision is made on what is opened, never on the name:
//!
//! 1. the path is opened `O_PATH` (no access to the contents, nothing on the file runs), with
//!    the guest's `O_NOFOLLOW`/`O_DIRECTORY`;
//! 2. that fd is checked: on procfs, its name in `/proc/self/fd/N` must not end in one of the
//!    forbidden files ([`forbidden`]);
//! 3. the checked file itself is reopened with the guest's flags through `/proc/self/fd/N`, so a
//!    symlink swapped by another guest thread after the check cannot redirect the open.
//!
//! Where the file does not exist yet (`O_CREAT`) or the guest asked for something `O_PATH` cannot
//! stand in for, the open happens directly and the new fd is checked after it (procfs never lets
//! a file be created, so only a racing swap could land there).

use std::ffi::CStr;

use super::guest::SysResult;

const EACCES: i64 = -(libc::EACCES as i64);
const PROC_SUPER_MAGIC: i64 = 0x9fa0;

fn last_errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64)
}

fn close(fd: i32) {
    // SAFETY: an fd this module opened and nobody else knows yet.
    unsafe { libc::close(fd) };
}

/// Whether `name` (as `/proc/self/fd/N` shows a procfs file) is a file through which a process's
/// memory or its addresses can be reached.
pub fn forbidden(name: &[u8]) -> bool {
    let mut parts = name.rsplit(|&b| b == b'/');
    let last = parts.next().unwrap_or_default();
    let parent = parts.next().unwrap_or_default();
    matches!(last, b"mem" | b"pagemap") || parent == b"map_files"
}

/// What an fd refers to, judged as [`forbidden`] describes: `Err(EACCES)` for a forbidden
/// file, or for any procfs file when `/proc/self/fd` cannot tell which one it is.
fn check_fd(fd: i32) -> Result<(), i64> {
    // SAFETY: plain fstatfs into a local.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: fstatfs writes only into the local struct.
    if unsafe { libc::fstatfs(fd, &mut st) } != 0 {
        return Err(last_errno());
    }
    if st.f_type as i64 != PROC_SUPER_MAGIC {
        return Ok(());
    }
    match std::fs::read_link(format!("/proc/self/fd/{fd}")) {
        Ok(target) if !forbidden(std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str())) => Ok(()),
        _ => Err(EACCES),
    }
}

/// Run `f` with the soft RLIMIT_NOFILE one higher, if the hard limit allows (the new fd moves to
/// the probe's slot right after, so the program never holds more than its limit).
fn with_one_more_fd(f: impl FnOnce() -> i32) -> i32 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain rlimit syscalls on locals.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 || lim.rlim_cur >= lim.rlim_max {
            return f();
        }
        let raised = libc::rlimit { rlim_cur: lim.rlim_cur + 1, rlim_max: lim.rlim_max };
        libc::setrlimit(libc::RLIMIT_NOFILE, &raised);
        let fd = f();
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        fd
    }
}

/// Open with the check: the new fd (>= 0), or `-errno` as Linux would give it.
pub fn open_checked(dirfd: i32, path: &CStr, flags: i32, mode: u32) -> SysResult {
    let direct = || -> SysResult {
        // SAFETY: a NUL-terminated path we own; the kernel checks everything else.
        let fd = unsafe { libc::openat(dirfd, path.as_ptr(), flags, mode) };
        if fd < 0 {
            return Err(last_errno());
        }
        check_fd(fd).inspect_err(|_| close(fd))?;
        Ok(fd as i64)
    };
    // O_PATH (the guest's own), O_TMPFILE, O_CREAT|O_EXCL and O_CREAT|O_DIRECTORY (which Linux
    // refuses) never open an existing procfs file with access to its contents; the check after
    // the open is enough for them.
    if flags & libc::O_PATH != 0
        || flags & libc::O_TMPFILE == libc::O_TMPFILE
        || flags & (libc::O_CREAT | libc::O_DIRECTORY) == (libc::O_CREAT | libc::O_DIRECTORY)
        || flags & (libc::O_CREAT | libc::O_EXCL) == (libc::O_CREAT | libc::O_EXCL)
    {
        return direct();
    }
    let path_flags = libc::O_PATH | libc::O_CLOEXEC | (flags & (libc::O_NOFOLLOW | libc::O_DIRECTORY));
    // SAFETY: as above.
    let probe = unsafe { libc::openat(dirfd, path.as_ptr(), path_flags) };
    if probe < 0 {
        let err = last_errno();
        // Not there yet: O_CREAT creates it (a new file is never procfs).
        return if err == -(libc::ENOENT as i64) && flags & libc::O_CREAT != 0 { direct() } else { Err(err) };
    }
    let result = (|| {
        check_fd(probe)?;
        // SAFETY: plain fstat into a local.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: fstat writes only into the local struct.
        if unsafe { libc::fstat(probe, &mut st) } != 0 {
            return Err(last_errno());
        }
        if st.st_mode & libc::S_IFMT == libc::S_IFLNK {
            return Err(-(libc::ELOOP as i64)); // O_NOFOLLOW on a symlink
        }
        let again = std::ffi::CString::new(format!("/proc/self/fd/{probe}")).expect("no NUL");
        // The existing file: O_CREAT has nothing left to do (and O_EXCL was handled above).
        // SAFETY: as above.
        let reopen = || unsafe { libc::open(again.as_ptr(), flags & !(libc::O_CREAT | libc::O_NOFOLLOW), mode) };
        let mut fd = reopen();
        if fd < 0 && last_errno() == -(libc::EMFILE as i64) {
            // The probe holds the last free slot: lend one more for the moment of the reopen.
            fd = with_one_more_fd(reopen);
        }
        if fd >= 0 {
            // The new fd takes the probe's number: the lowest free one, as a plain open gives.
            let cloexec = flags & libc::O_CLOEXEC;
            // SAFETY: both fds are ours; dup3 replaces the probe atomically.
            if unsafe { libc::dup3(fd, probe, cloexec) } == probe {
                close(fd);
                return Ok(probe as i64);
            }
            return Ok(fd as i64);
        }
        let err = last_errno();
        // No /proc to reopen through (a chroot without it): open directly, then check.
        if err == -(libc::ENOENT as i64) && std::fs::metadata("/proc/self/fd").is_err() { direct() } else { Err(err) }
    })();
    if result != Ok(probe as i64) {
        close(probe);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names() {
        for name in ["/proc/12/mem", "/proc/12/task/13/mem", "/proc/1/pagemap", "/proc/5/map_files/7f00-7f10"] {
            assert!(forbidden(name.as_bytes()), "{name}");
        }
        for name in ["/proc/12/maps", "/proc/12/status", "/proc/12/fd", "/proc/meminfo", "/proc/12/cmdline"] {
            assert!(!forbidden(name.as_bytes()), "{name}");
        }
    }

    fn open(path: &str, flags: i32) -> SysResult {
        open_checked(libc::AT_FDCWD, &std::ffi::CString::new(path).unwrap(), flags, 0o600)
    }

    #[test]
    fn every_name_of_our_memory_is_refused() {
        let pid = std::process::id();
        // SAFETY: no arguments.
        let tid = unsafe { libc::gettid() };
        let dir = std::env::temp_dir().join(format!("cwali-files-test-{pid}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink("/proc/self/mem", &link).unwrap();
        let names = [
            "/proc/self/mem".to_string(),
            format!("/proc/{pid}/mem"),
            format!("/proc/self/task/{tid}/mem"),
            format!("/proc/{pid}/task/{tid}/mem"),
            "//proc/self/mem".into(),
            "/proc//self/mem".into(),
            "/proc/./self/mem".into(),
            "/proc/self/../self/mem".into(),
            "/../proc/self/mem".into(),
            "/proc/thread-self/mem".into(),
            "/proc/self/pagemap".into(),
            link.to_string_lossy().into_owned(),
        ];
        for name in &names {
            for flags in [libc::O_RDONLY, libc::O_RDWR, libc::O_WRONLY | libc::O_CREAT] {
                assert_eq!(open(name, flags), Err(EACCES), "{name} {flags:#o}");
            }
        }
        // Relative to a directory fd of /proc/self.
        let proc_self = open("/proc/self", libc::O_RDONLY | libc::O_DIRECTORY).unwrap() as i32;
        assert_eq!(open_checked(proc_self, c"mem", libc::O_RDWR, 0), Err(EACCES));
        assert!(open_checked(proc_self, c"status", libc::O_RDONLY, 0).is_ok_and(|fd| {
            close(fd as i32);
            true
        }));
        close(proc_self);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ordinary_files_open_as_before() {
        let dir = std::env::temp_dir().join(format!("cwali-files-ok-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        let file = dir.join("f").to_string_lossy().into_owned();
        assert_eq!(open(&file, libc::O_RDONLY), Err(-(libc::ENOENT as i64)));
        let fd = open(&file, libc::O_WRONLY | libc::O_CREAT).unwrap() as i32;
        // SAFETY: writes two bytes from a static buffer.
        assert_eq!(unsafe { libc::write(fd, b"hi".as_ptr().cast(), 2) }, 2);
        close(fd);
        assert_eq!(open(&file, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL), Err(-(libc::EEXIST as i64)));
        let fd = open(&file, libc::O_RDWR | libc::O_TRUNC | libc::O_CREAT).unwrap() as i32;
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 0);
        // The flags reach the file: O_APPEND and the access mode.
        // SAFETY: F_GETFL takes no pointer.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        assert_eq!(flags & libc::O_ACCMODE, libc::O_RDWR);
        close(fd);
        let link = dir.join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let link = link.to_string_lossy().into_owned();
        assert_eq!(open(&link, libc::O_RDONLY | libc::O_NOFOLLOW), Err(-(libc::ELOOP as i64)));
        let fd = open(&link, libc::O_RDONLY).unwrap() as i32;
        close(fd);
        assert_eq!(open(&file, libc::O_RDONLY | libc::O_DIRECTORY), Err(-(libc::ENOTDIR as i64)));
        // The lowest free descriptor, as a plain open gives it.
        let a = open(&file, libc::O_RDONLY).unwrap() as i32;
        close(a);
        let b = open(&file, libc::O_RDONLY).unwrap() as i32;
        assert_eq!(a, b);
        close(b);
        assert!(open("/proc/self/status", libc::O_RDONLY).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
