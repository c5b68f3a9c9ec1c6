//! Syscall imports: the generic table-driven pass-through, and the calls that need more.

use crate::Arch;
use crate::syscalls::{ArgKind, HostReason, Len, Syscall, ValType};

use super::guest::{EFAULT, Guest, SysResult, errno, raw_syscall};
use super::{memory, process, signals};
use crate::layouts::{GuestIovec, GuestMsghdr, UIO_MAXIOV, iovecs_to_host};

const ENOSYS: i64 = -(libc::ENOSYS as i64);

thread_local! {
    /// The guest's `set_tid_address` word of this thread (0: none).
    static CLEAR_CHILD_TID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// What the kernel does for `set_tid_address` when a thread ends: store 0 in the word and wake
/// a futex waiter on it (shared and private waiters alike).
pub fn clear_child_tid(instance: &cwali_rt::Instance) {
    let addr = CLEAR_CHILD_TID.with(|c| c.replace(0));
    let Some(mem) = instance.caller().memory(0) else { return };
    let Some(p) = (addr != 0).then(|| mem.checked_ptr(addr as u64, 4)).flatten() else { return };
    // SAFETY: a checked, aligned-or-not u32 inside memory; plain futex syscalls.
    unsafe {
        (*(p as *const std::sync::atomic::AtomicU32)).store(0, std::sync::atomic::Ordering::SeqCst);
        libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE, i32::MAX, 0, 0, 0);
        libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG, i32::MAX, 0, 0, 0);
    }
}
const EINVAL: i64 = -(libc::EINVAL as i64);
const EACCES: i64 = -(libc::EACCES as i64);

/// Widen the guest's argument values to 64-bit host registers (before pointer translation).
pub fn widen(sc: &Syscall, raw: &[i64]) -> Vec<u64> {
    sc.args
        .iter()
        .zip(raw)
        .map(|(a, &v)| match a.ty {
            ValType::I64 => v as u64,
            ValType::I32 => a.widen_i32(v as i32),
        })
        .collect()
}

/// Translate one argument per its kind: pointers to checked host addresses.
fn translate(g: &Guest<'_>, kind: ArgKind, v: u64, args: &[u64]) -> Result<u64, i64> {
    let addr = v as u32;
    let len = |l: Len| l.bytes(args, |p| g.read_u32(p).ok()).ok_or(EFAULT);
    Ok(match kind {
        ArgKind::Scalar { .. } | ArgKind::Fd | ArgKind::OpenFlags | ArgKind::AddrHint | ArgKind::Dependent => v,
        ArgKind::PtrIn(l) | ArgKind::PtrOut(l) | ArgKind::PtrInOut(l) => g.ptr(addr, len(l)?)? as u64,
        ArgKind::MemRange(l) => g.range(addr, len(l)?)? as u64,
        ArgKind::Str => g.cstr(addr)? as u64,
        ArgKind::Struct(s) if s.aarch64_only && cfg!(target_arch = "x86_64") => {
            let count = match s.count {
                crate::syscalls::Count::One => 1,
                crate::syscalls::Count::Arg(i) => args[i as usize] & 0xFFFF_FFFF,
            };
            g.ptr(addr, count * s.layout.size() as u64)? as u64
        }
        ArgKind::Struct(_) | ArgKind::StrArray => return Err(ENOSYS),
    })
}

/// Translate every argument and enter the kernel with the host number.
pub fn pass_through(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let Some(nr) = sc.nr(Arch::HOST.expect("supported host")) else { return Err(ENOSYS) };
    let mut a = [0u64; 6];
    for (i, (arg, &v)) in sc.args.iter().zip(args).enumerate() {
        a[i] = translate(g, arg.kind, v, args)?;
    }
    check(raw_syscall(nr, a))
}

fn check(r: i64) -> SysResult {
    if (-4095..0).contains(&r) { Err(r) } else { Ok(r) }
}

/// Run syscall `sc` for the guest.
pub fn dispatch(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    use crate::syscalls::Handling;
    match sc.handling {
        Handling::PassThrough => pass_through(g, sc, args),
        Handling::Host(reason) => match (reason, sc.name) {
            (_, "mmap") => memory::mmap(g, args),
            (_, "munmap") => memory::munmap(g, args),
            (_, "mremap") => memory::mremap(g, args),
            (_, "brk") => Ok(0),
            (_, "rt_sigaction") => signals::rt_sigaction(g, args),
            (_, "rt_sigprocmask") => signals::rt_sigprocmask(g, args),
            (_, "sigaltstack") => signals::sigaltstack(g, args),
            (_, "rt_sigreturn") => Err(-1),
            (_, "readv" | "writev") => iovec_call(g, sc, args),
            (_, "sendmsg" | "recvmsg") => msg_call(g, sc, args),
            (_, "pselect6") => pselect6(g, args),
            (_, "open" | "openat") => open(g, sc, args),
            (_, "ioctl") => ioctl(g, args),
            (_, "fcntl") => fcntl(g, args),
            (_, "futex") => futex(g, args),
            (_, "prctl") => prctl(g, args),
            // Only recorded: passing it through would re-target the host thread's clear-child-tid
            // word, which the host libc's thread bookkeeping relies on (crate doc).
            (_, "set_tid_address") => {
                g.range(args[0] as u32, 4)?;
                CLEAR_CHILD_TID.with(|c| c.set(args[0] as u32));
                // SAFETY: plain syscall.
                Ok(unsafe { libc::gettid() } as i64)
            }
            (_, "fork") => process::fork(),
            (_, "execve") => process::execve(g, args),
            (_, "exit") => process::exit_thread(args[0] as i32),
            (_, "exit_group") => process::exit_process(args[0] as i32),
            (HostReason::Stub, _) => Err(-1),
            _ => Err(ENOSYS),
        },
    }
}

fn nr(name: &str) -> u32 {
    crate::syscalls::by_name(name).and_then(|s| s.nr(Arch::HOST.unwrap())).unwrap_or(u32::MAX)
}

/// Paths WALI never opens (§15): the process's own memory file.
fn forbidden_path(path: &str) -> bool {
    let own = format!("/proc/{}/mem", std::process::id());
    matches!(path, "/proc/self/mem" | "/proc/thread-self/mem") || path == own
}

fn open(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let path_arg = if sc.name == "open" { 0 } else { 1 };
    let path = g.string(args[path_arg] as u32)?;
    if forbidden_path(&path) {
        return Err(EACCES);
    }
    let mut a = [0u64; 6];
    for (i, (arg, &v)) in sc.args.iter().zip(args).enumerate() {
        a[i] = translate(g, arg.kind, v, args)?;
    }
    if sc.name == "open" && cfg!(not(target_arch = "x86_64")) {
        return check(raw_syscall(nr("openat"), [(-100i64) as u64, a[0], a[1], a[2], 0, 0]));
    }
    check(raw_syscall(sc.nr(Arch::HOST.unwrap()).unwrap(), a))
}

/// Host iovecs for `count` guest iovecs at `addr` (an oversized count is the kernel's to refuse).
fn host_iovecs(g: &Guest<'_>, addr: u32, count: u32) -> Result<Vec<libc::iovec>, i64> {
    if count > UIO_MAXIOV {
        return Ok(Vec::new()); // the kernel answers -EINVAL before reading anything
    }
    let mut raw = vec![0u8; count as usize * GuestIovec::SIZE];
    g.read(addr, &mut raw)?;
    let mut iov = Vec::new();
    iovecs_to_host(&raw, g, &mut iov).map_err(errno)?;
    Ok(iov)
}

fn iovec_call(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let iov = host_iovecs(g, args[1] as u32, args[2] as u32)?;
    let nr = sc.nr(Arch::HOST.unwrap()).unwrap();
    check(raw_syscall(nr, [args[0], iov.as_ptr() as u64, args[2] & 0xFFFF_FFFF, 0, 0, 0]))
}

/// sendmsg/recvmsg: guest msghdr → host msghdr; recvmsg writes back lengths and flags (§16.10).
fn msg_call(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let addr = args[1] as u32;
    let mut raw = [0u8; GuestMsghdr::SIZE];
    g.read(addr, &mut raw)?;
    let mut msg = GuestMsghdr::read(&raw);
    let mut guest_iov = vec![0u8; msg.iov_bytes().map_err(errno)? as usize];
    g.read(msg.iov, &mut guest_iov)?;
    let mut host_iov = Vec::new();
    let mut h = msg.to_host(g, &guest_iov, &mut host_iov).map_err(errno)?;
    let nr = sc.nr(Arch::HOST.unwrap()).unwrap();
    let r = check(raw_syscall(nr, [args[0], &mut h as *mut _ as u64, args[2], 0, 0, 0]))?;
    if sc.name == "recvmsg" {
        msg.update_from_host(&h);
        g.write(addr + GuestMsghdr::OFF_NAMELEN as u32, &msg.namelen.to_le_bytes())?;
        g.write(addr + GuestMsghdr::OFF_CONTROLLEN as u32, &msg.controllen.to_le_bytes())?;
        g.write(addr + GuestMsghdr::OFF_FLAGS as u32, &msg.flags.to_le_bytes())?;
    }
    Ok(r)
}

/// pselect6: the 6th argument points to {u64 sigset pointer, u64 size}.
fn pselect6(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let set = |a: u64| g.ptr(a as u32, 128).map(|p| p as u64);
    let (r, w, e) = (set(args[1])?, set(args[2])?, set(args[3])?);
    let timeout = g.ptr(args[4] as u32, 16)? as u64;
    let mut mask: [u64; 2] = [0, 0];
    let mask_ptr = if args[5] as u32 == 0 {
        0
    } else {
        let sigset = g.read_u64(args[5] as u32)? as u32;
        let size = g.read_u64(args[5] as u32 + 8)?;
        mask[0] = g.ptr(sigset, size)? as u64;
        mask[1] = size;
        mask.as_mut_ptr() as u64
    };
    check(raw_syscall(nr("pselect6"), [args[0], r, w, e, timeout, mask_ptr]))
}

/// ioctl requests whose third argument is an integer, not a pointer, or is ignored (a variadic
/// `ioctl()` called without one passes whatever it finds there).
const INT_IOCTLS: &[u64] = &[
    0x5409,     // TCSBRK
    0x540A,     // TCXONC
    0x540B,     // TCFLSH
    0x540C,     // TIOCEXCL (none)
    0x540D,     // TIOCNXCL (none)
    0x540E,     // TIOCSCTTY
    0x5422,     // TIOCNOTTY (none)
    0x5425,     // TCSBRKP
    0x5427,     // TIOCSBRK (none)
    0x5428,     // TIOCCBRK (none)
    0x5437,     // TIOCVHANGUP (none)
    0x5441,     // TIOCGPTPEER (open flags)
    0x5450,     // FIONCLEX (none)
    0x5451,     // FIOCLEX (none)
    0x545C,     // TIOCMIWAIT (modem line mask)
    0x40045436, // TIOCSIG (signal number, despite its _IOW encoding)
];

/// Argument sizes of the tty/file ioctls that predate size-encoding request numbers.
fn legacy_ioctl_size(request: u64) -> u64 {
    match request {
        0x5401..=0x5404 => 36, // TCGETS, TCSETS, TCSETSW, TCSETSF: kernel termios
        0x5413 | 0x5414 => 8,  // TIOCGWINSZ, TIOCSWINSZ
        0x5412 => 1,           // TIOCSTI
        0x540F | 0x5410 | 0x5415..=0x541B | 0x5421 | 0x5423 | 0x5424 | 0x5429 | 0x5452 => 4, // int-sized
        _ => 1,
    }
}

fn ioctl(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let request = args[1] & 0xFFFF_FFFF;
    let arg = if INT_IOCTLS.contains(&request) {
        args[2] & 0xFFFF_FFFF
    } else {
        // Pointer-taking requests read/write a small struct: its size is encoded in the request,
        // or known for the old tty requests that encode none; else at least one byte is checked
        // (the rest of the reservation is inaccessible, so the kernel fails with EFAULT).
        let size = match (request >> 16) & 0x3FFF {
            0 => legacy_ioctl_size(request),
            n => n,
        };
        let addr = args[2] as u32;
        g.ptr(addr, size)? as u64
    };
    check(raw_syscall(nr("ioctl"), [args[0], request, arg, 0, 0, 0]))
}

fn fcntl(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let cmd = args[1] as i32;
    let arg = match cmd {
        // F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK/SETLK/SETLKW: struct flock (32 bytes)
        5 | 6 | 7 | 36 | 37 | 38 => g.ptr(args[2] as u32, 32)? as u64,
        // F_SETOWN_EX, F_GETOWN_EX: struct f_owner_ex; F_GETOWNER_UIDS: uid_t[2];
        // F_GET_RW_HINT, F_SET_RW_HINT, F_GET_FILE_RW_HINT, F_SET_FILE_RW_HINT: u64
        15 | 16 | 17 | 1035..=1038 => g.ptr(args[2] as u32, 8)? as u64,
        _ => args[2],
    };
    check(raw_syscall(nr("fcntl"), [args[0], cmd as u64, arg, 0, 0, 0]))
}

fn futex(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let op = args[1] as u32;
    let cmd = op & !(128 | 256);
    let uaddr = g.range(args[0] as u32, 4)? as u64;
    // FUTEX_REQUEUE, CMP_REQUEUE, WAKE_OP, CMP_REQUEUE_PI take an integer val2 and a second address.
    let (timeout, uaddr2) = match cmd {
        3 | 4 | 5 | 12 => (args[3] & 0xFFFF_FFFF, g.range(args[4] as u32, 4)? as u64),
        _ => (g.ptr(args[3] as u32, 16)? as u64, g.ptr(args[4] as u32, 4)? as u64),
    };
    check(raw_syscall(nr("futex"), [uaddr, op as u64, args[2] & 0xFFFF_FFFF, timeout, uaddr2, args[5]]))
}

fn prctl(g: &Guest<'_>, args: &[u64]) -> SysResult {
    match args[0] as i32 {
        libc::PR_SET_NAME | libc::PR_GET_NAME => {
            let p = g.ptr(args[1] as u32, 16)? as u64;
            check(raw_syscall(nr("prctl"), [args[0], p, 0, 0, 0, 0]))
        }
        _ => Err(EINVAL),
    }
}
