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
    let stored = if p.align_offset(4) == 0 {
        // SAFETY: an aligned u32 inside memory; the exchange survives a page the guest protected.
        unsafe { cwali_rt::guest_access::swap_u32(p.cast(), 0) }.is_ok()
    } else {
        mem.write(addr as u64, &[0; 4]).is_ok()
    };
    if stored {
        // SAFETY: plain futex syscalls on a checked address (the kernel checks it again).
        unsafe {
            libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE, i32::MAX, 0, 0, 0);
            libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG, i32::MAX, 0, 0, 0);
        }
    }
}
const EINVAL: i64 = -(libc::EINVAL as i64);

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

pub(super) fn check(r: i64) -> SysResult {
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
            (_, "rt_sigqueueinfo") => signals::rt_sigqueueinfo(g, args),
            (_, "rt_sigreturn") => Err(-1),
            (_, "readv" | "writev") => iovec_call(g, sc, args),
            (_, "sendmsg" | "recvmsg") => msg_call(g, sc, args),
            (_, "pselect6") => pselect6(g, args),
            (_, "select") => select(g, args),
            (_, "mprotect") => memory::mprotect(g, args),
            (_, "madvise") => memory::madvise(g, args),
            (_, "setsockopt" | "getsockopt") => sockopt(g, sc, args),
            // The kernel refuses a negative size before it looks at the list.
            (_, "getgroups" | "setgroups") if (args[0] as i32) < 0 => Err(EINVAL),
            // Size 0 asks for the count: the kernel does not look at the list.
            (_, "getgroups") if args[0] as i32 == 0 => check(raw_syscall(nr("getgroups"), [0; 6])),
            (_, "getgroups" | "setgroups") => pass_through(g, sc, args),
            // The kernel checks maxevents (1..=EP_MAX_EVENTS, INT_MAX / sizeof(struct
            // epoll_event)) before it looks at the buffer; so must we, before the range check.
            (_, "epoll_pwait") if !(1..=i32::MAX / 12).contains(&(args[2] as i32)) => Err(EINVAL),
            (_, "epoll_pwait") => pass_through(g, sc, args),
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

pub(super) fn nr(name: &str) -> u32 {
    crate::syscalls::by_name(name).and_then(|s| s.nr(Arch::HOST.unwrap())).unwrap_or(u32::MAX)
}

fn open(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let (dirfd, path_arg, flags_arg) = if sc.name == "open" { (libc::AT_FDCWD, 0, 1) } else { (args[0] as i32, 1, 2) };
    // A private copy: the guest cannot change the path between the check and the open.
    let path = g.c_string(args[path_arg] as u32)?;
    // `widen` already gave the flags their host values.
    let flags = args[flags_arg] as i32;
    super::files::open_checked(dirfd, &path, flags, args[flags_arg + 1] as u32)
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

/// Bytes of an `fd_set` the kernel reads and writes for `nfds` descriptors (whole longs).
fn fd_set_bytes(nfds: u64) -> u64 {
    nfds.div_ceil(64) * 8
}

/// The most descriptors select may name: the kernel's own ceiling for open files (`nr_open`'s
/// default). The kernel looks at no more than it is given, and every set is checked for that many.
const MAX_SELECT_FDS: i64 = 1 << 20;

/// select/pselect6's three sets, each checked for as many bytes as the kernel uses for `nfds`.
/// Linux looks at no more descriptors than the process's fd table holds: a program may pass a
/// large `nfds` with sets that only cover the table. Then `nfds` is lowered to the table's size
/// (never raised: a table that grows meanwhile changes nothing the kernel reads).
fn fd_sets(g: &Guest<'_>, args: &[u64]) -> Result<(u64, [u64; 3]), i64> {
    let nfds = args[0] as i32 as i64;
    if nfds < 0 {
        return Err(EINVAL);
    }
    let sets = |n: u64| -> Result<[u64; 3], i64> {
        let set = |a: u64| g.ptr(a as u32, fd_set_bytes(n)).map(|p| p as u64);
        Ok([set(args[1])?, set(args[2])?, set(args[3])?])
    };
    let nfds = nfds.min(MAX_SELECT_FDS) as u64;
    match sets(nfds) {
        Ok(s) => Ok((nfds, s)),
        Err(e) => match fd_table_size() {
            Some(table) if table < nfds => Ok((table, sets(table)?)),
            _ => Err(e),
        },
    }
}

/// The size of this process's fd table (`FDSize` in /proc/self/status).
fn fd_table_size() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("FDSize:"))?;
    line["FDSize:".len()..].trim().parse().ok()
}

fn select(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (nfds, [r, w, e]) = fd_sets(g, args)?;
    let timeout = g.ptr(args[4] as u32, 16)? as u64;
    check(raw_syscall(nr("select"), [nfds, r, w, e, timeout, 0]))
}

/// pselect6: the 6th argument points to {u64 sigset pointer, u64 size}.
fn pselect6(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (nfds, [r, w, e]) = fd_sets(g, args)?;
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
    check(raw_syscall(nr("pselect6"), [nfds, r, w, e, timeout, mask_ptr]))
}

/// Socket options whose value holds a pointer or a host address: passed through, the kernel
/// would follow a 32-bit guest value as a 64-bit host pointer (or map pages at a host address).
fn sockopt_forbidden(level: i32, name: i32) -> bool {
    match level {
        // SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF: struct sock_fprog { len; filter* }.
        libc::SOL_SOCKET => matches!(name, 26 | 51),
        // TCP_ZEROCOPY_RECEIVE: maps received pages at a u64 address.
        libc::IPPROTO_TCP => name == 35,
        // iptables/ip6tables/arptables/ebtables (64..=67 and 96..=99, 128..=131): tables with
        // pointers to counters and entries.
        libc::IPPROTO_IP | libc::IPPROTO_IPV6 => matches!(name, 64..=67 | 80..=83 | 96..=99 | 128..=131),
        _ => false,
    }
}

/// Socket-option levels whose options are plain data (integers, flags, addresses by value,
/// timevals, names, the option-specific structs of these protocols). Any other level may take
/// pointers (XDP_UMEM_REG, RDS_GET_MR, ...): the kernel gets no value for those.
fn sockopt_level_known(level: i32) -> bool {
    matches!(
        level,
        libc::SOL_SOCKET
            | libc::IPPROTO_IP
            | libc::IPPROTO_IPV6
            | libc::IPPROTO_TCP
            | libc::IPPROTO_UDP
            | libc::IPPROTO_ICMPV6
            | libc::IPPROTO_RAW
            | libc::IPPROTO_SCTP
            | libc::SOL_PACKET
            | libc::SOL_NETLINK
            | libc::SOL_TLS
            | libc::SOL_ALG
            | libc::IPPROTO_UDPLITE
    )
}

fn sockopt(g: &Guest<'_>, sc: &Syscall, args: &[u64]) -> SysResult {
    let (level, name) = (args[1] as i32, args[2] as i32);
    if sockopt_forbidden(level, name) {
        return Err(-(libc::ENOPROTOOPT as i64));
    }
    if !sockopt_level_known(level) {
        // The kernel still answers for the level (EOPNOTSUPP, ENOPROTOOPT, ... as natively),
        // but gets no value to follow: NULL reads and writes nothing but -EFAULT.
        let mut a = args.to_vec();
        a[3] = 0;
        if sc.name == "getsockopt" {
            // Its optlen pointer is checked like any other.
            a[4] = g.ptr(args[4] as u32, 4)? as u64;
        } else {
            a[4] &= 0xFFFF_FFFF;
        }
        return check(raw_syscall(nr(sc.name), [a[0], a[1], a[2], a[3], a[4], 0]));
    }
    pass_through(g, sc, args)
}

/// ioctl: only the requests of [`crate::ioctls`], each argument checked for its exact size.
fn ioctl(g: &Guest<'_>, args: &[u64]) -> SysResult {
    use crate::ioctls::IoctlArg;
    let request = args[1] as u32;
    let Some(known) = crate::ioctls::by_request(request) else {
        return Err(-(libc::ENOTTY as i64));
    };
    let arg = match known.arg {
        IoctlArg::Unused => 0,
        IoctlArg::Int => args[2] & 0xFFFF_FFFF,
        IoctlArg::Ptr(size) => g.ptr(args[2] as u32, size.into())? as u64,
        IoctlArg::IfConf => return ifconf(g, args[0], args[2] as u32),
    };
    check(raw_syscall(nr("ioctl"), [args[0], request.into(), arg, 0, 0, 0]))
}

/// SIOCGIFCONF: the guest's `{int len; u32 buf}` as the host's `{int len; char *buf}`; the
/// kernel fills at most `len` bytes of guest buffer with `struct ifreq`s (same layout).
fn ifconf(g: &Guest<'_>, fd: u64, addr: u32) -> SysResult {
    let mut raw = [0u8; crate::ioctls::GUEST_IFCONF_SIZE as usize];
    g.read(addr, &mut raw)?;
    let len = i32::from_le_bytes(raw[0..4].try_into().unwrap());
    let buf = u32::from_le_bytes(raw[4..8].try_into().unwrap());
    if len < 0 {
        return Err(EINVAL);
    }
    // SAFETY: a plain C struct; all-zero is valid.
    let mut host: libc::ifconf = unsafe { std::mem::zeroed() };
    host.ifc_len = len;
    host.ifc_ifcu.ifcu_buf = g.ptr(buf, len as u64)?.cast();
    let r = check(raw_syscall(nr("ioctl"), [fd, 0x8912, &raw mut host as u64, 0, 0, 0]))?;
    g.write(addr, &host.ifc_len.to_le_bytes())?;
    Ok(r)
}

/// fcntl: the commands Linux has, each with its argument as what it is. An unknown command is
/// -EINVAL (as from an older kernel): passed through, its argument might be a pointer.
fn fcntl(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let cmd = args[1] as i32;
    let arg = match cmd {
        // F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK/SETLK/SETLKW: struct flock (32 bytes)
        5 | 6 | 7 | 36 | 37 | 38 => g.ptr(args[2] as u32, 32)? as u64,
        // F_SETOWN_EX, F_GETOWN_EX: struct f_owner_ex; F_GETOWNER_UIDS: uid_t[2];
        // F_GET_RW_HINT, F_SET_RW_HINT, F_GET_FILE_RW_HINT, F_SET_FILE_RW_HINT: u64
        15 | 16 | 17 | 1035..=1038 => g.ptr(args[2] as u32, 8)? as u64,
        // F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_SETOWN, F_GETOWN, F_SETSIG, F_GETSIG,
        // F_SETLEASE, F_GETLEASE, F_NOTIFY, F_DUPFD_CLOEXEC, F_SETPIPE_SZ, F_GETPIPE_SZ,
        // F_ADD_SEALS, F_GET_SEALS, F_DUPFD_QUERY, F_CREATED_QUERY, F_CANCELLK: an int or nothing.
        0..=4 | 8..=11 | 1024..=1034 => args[2] & 0xFFFF_FFFF,
        _ => return Err(EINVAL),
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
