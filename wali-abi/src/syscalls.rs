//! The WALI syscall table (WALI-ABI.md §6) and the auxiliary imports (§5).
//!
//! [`SYSCALLS`] has one entry per syscall the spec implements: the 140 `SYS_*` imports the reference
//! runtime registers. An entry says everything the runtime needs to know about the call without
//! reading prose: the Linux numbers on both hosts, the Wasm signature (param types follow the
//! generator rule of §2: i64 iff the C type is a `long`; the result is always i64), what each argument
//! is ([`ArgKind`]: plain value, fd, guest pointer with the extent the kernel touches, string, string
//! array, struct needing conversion, ...), and how the call is handled ([`Handling`]): a
//! **pass-through** translates pointers, widens integers and enters the kernel with the same
//! arguments, which codegen may do inline; a **host** call needs a runtime function.
//! [`Aarch64`] says what changes on an aarch64 host (§14): nothing, a conversion, a pure argument
//! rewrite onto another syscall (still a pass-through), or an emulation.
//!
//! Unknown `SYS_*` imports are not in the table: the runtime binds them to an `-ENOSYS` stub (§4).

use crate::Arch;
use crate::layouts::LayoutId;

/// Import module of every WALI import.
pub const IMPORT_MODULE: &str = "wali";
/// Prefix of every syscall import name.
pub const SYSCALL_PREFIX: &str = "SYS_";
/// The second import module wali-musl declares as a tripwire (`syscall0`..`syscall6`,
/// `undef_syscall`); never legitimately called, bind to a trap (§4).
pub const UNDEFINED_MODULE: &str = "undefined";

/// A Wasm value type that appears in WALI import signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
}

/// Direction of data through a pointer, seen from the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// The kernel reads it.
    In,
    /// The kernel writes it.
    Out,
    /// Both.
    InOut,
}

/// How many bytes a pointer argument covers, for range checks and `--trace`. Argument numbers are
/// 0-based indices into the syscall's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Len {
    /// A fixed number of bytes.
    Bytes(u32),
    /// The byte count is the value of argument N (a `size_t`/`socklen_t`).
    Arg(u8),
    /// The byte count is the u32 that argument N points to (`socklen_t *addrlen`); 0 if N is NULL.
    ArgPtr(u8),
    /// One guest struct of this layout.
    Of(LayoutId),
    /// `count` elements of this layout, `count` being the value of argument N.
    ArrayOf(LayoutId, u8),
    /// Elements of `size` bytes, their count being the value of argument `count_arg`.
    Elems { count_arg: u8, size: u32 },
}

impl Len {
    /// The byte extent given the raw argument values (`args[i]` as the guest passed it, zero-extended)
    /// and a way to read a guest u32 (for [`Len::ArgPtr`]; return `None` if unreadable).
    pub fn bytes(self, args: &[u64], read_u32: impl Fn(u32) -> Option<u32>) -> Option<u64> {
        let arg = |i: u8| args.get(i as usize).map(|&v| v & 0xFFFF_FFFF);
        Some(match self {
            Len::Bytes(n) => u64::from(n),
            Len::Arg(i) => arg(i)?,
            Len::ArgPtr(i) => match arg(i)? {
                0 => 0,
                p => u64::from(read_u32(p as u32)?),
            },
            Len::Of(l) => u64::from(l.size()),
            Len::ArrayOf(l, i) => arg(i)? * u64::from(l.size()),
            Len::Elems { count_arg, size } => arg(count_arg)? * u64::from(size),
        })
    }
}

/// How many structs a converted argument points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    One,
    /// The value of argument N.
    Arg(u8),
}

/// A pointer to guest structs whose layout differs from the host's (§7.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StructArg {
    pub layout: LayoutId,
    pub dir: Dir,
    pub count: Count,
    /// Conversion is only needed on an aarch64 host; on x86_64 the guest layout is the kernel's and
    /// the argument is a plain pointer of `count × size` bytes.
    pub aarch64_only: bool,
}

/// What an argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A plain integer, forwarded unchanged. An i32 is sign-extended if `signed`, else zero-extended.
    Scalar { signed: bool },
    /// A file descriptor or `dirfd` (signed: `AT_FDCWD` is -100).
    Fd,
    /// `O_*` open flags (signed int); on aarch64 hosts four bits are swapped (§14).
    OpenFlags,
    /// A guest pointer the kernel reads `Len` bytes through; guest 0 is NULL.
    PtrIn(Len),
    /// A guest pointer the kernel writes `Len` bytes through.
    PtrOut(Len),
    /// A guest pointer the kernel reads and writes.
    PtrInOut(Len),
    /// A NUL-terminated guest string (read; bounded by the end of memory); guest 0 is NULL.
    Str,
    /// A NULL-terminated array of guest string pointers (`argv`/`envp`).
    StrArray,
    /// A pointer to guest structs that must be converted.
    Struct(StructArg),
    /// The address of a range of linear memory the call acts on (mprotect, munmap, ...): it must lie
    /// inside linear memory; it is not read or written as data.
    MemRange(Len),
    /// A guest address the reference ignores (mmap/mremap placement hints, brk).
    AddrHint,
    /// Pointer or integer depending on another argument (ioctl request, fcntl command, futex op,
    /// prctl option): only a host implementation can tell.
    Dependent,
}

impl ArgKind {
    /// Whether this argument is a guest pointer that must be translated on every call.
    pub const fn is_pointer(self) -> bool {
        matches!(
            self,
            ArgKind::PtrIn(_)
                | ArgKind::PtrOut(_)
                | ArgKind::PtrInOut(_)
                | ArgKind::Str
                | ArgKind::StrArray
                | ArgKind::Struct(_)
                | ArgKind::MemRange(_)
        )
    }

    /// Whether an i32 of this kind is sign-extended to the 64-bit host register (§2).
    pub const fn sign_extends(self) -> bool {
        matches!(self, ArgKind::Scalar { signed: true } | ArgKind::Fd | ArgKind::OpenFlags)
    }
}

/// One argument of a syscall.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    /// The C type as the spec declares it (`int`, `size_t`, `struct stat*`, ...).
    pub c_type: &'static str,
    pub ty: ValType,
    pub kind: ArgKind,
}

impl Arg {
    /// Widens an i32 argument to the host register value (§2).
    pub const fn widen_i32(&self, v: i32) -> u64 {
        if self.kind.sign_extends() { v as i64 as u64 } else { v as u32 as u64 }
    }
}

/// Why a call needs a host implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostReason {
    /// A struct must be converted between guest and host layout (§7.3).
    StructConversion,
    /// mmap/munmap/mremap/brk act on the linear-memory mmap region (§8).
    Memory,
    /// Virtualised signal delivery (§10).
    Signals,
    /// Thread bookkeeping (§9).
    Threads,
    /// fork/execve/exit (§11).
    Process,
    /// Whether an argument is a pointer depends on another argument (§6.1, §16.11-13).
    DependentArg,
    /// Only some operations are allowed (prctl, §15).
    Restricted,
    /// Path policy (`/proc/self/mem`, §15).
    PathCheck,
    /// The kernel rejects an argument before it touches the memory that argument sizes (a
    /// negative count, `nfds` of select): checked first, so the guest gets Linux's error.
    ArgCheck,
    /// Never legitimately called; the reference returns -1 (rt_sigreturn, §10.6).
    Stub,
}

/// How the runtime handles a call on an x86_64 host (aarch64 differences are in [`Aarch64`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    /// Translate pointers (with range checks), widen integers, enter the kernel with the same
    /// syscall number and argument order. Codegen may inline this.
    PassThrough,
    /// A runtime function implements the call.
    Host(HostReason),
}

/// Where the aarch64 version of an argument list comes from in a [`Aarch64::Rewrite`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remap {
    /// Guest argument N (translated/widened as its kind says).
    Arg(u8),
    /// A constant (e.g. `AT_FDCWD`).
    Const(i64),
}

/// What an aarch64 host does differently (§14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aarch64 {
    /// Same call, number `nr_aarch64`, same handling as on x86_64.
    Same,
    /// Same call and number, but a host implementation converts something (the string says what).
    Convert(&'static str),
    /// The syscall does not exist on aarch64; it is a pure argument rewrite onto syscall `nr`
    /// (`via` is its name), so it stays a pass-through.
    Rewrite { via: &'static str, nr: u32, args: &'static [Remap] },
    /// The syscall does not exist on aarch64 (or needs more than a rewrite); a host implementation
    /// emulates it as described.
    Emulate(&'static str),
}

/// One WALI syscall import.
#[derive(Clone, Copy, Debug)]
pub struct Syscall {
    /// WALI name: the import is `SYS_<name>`.
    pub name: &'static str,
    /// The kernel's name where it differs from `name` (`fadvise` is `fadvise64`), else `name`.
    pub linux_name: &'static str,
    /// Import name, `SYS_<name>`.
    pub import: &'static str,
    /// Other import names accepted for this call (older references, §4).
    pub aliases: &'static [&'static str],
    pub nr_x86_64: u32,
    /// `None` where the syscall does not exist on aarch64 (see `aarch64`).
    pub nr_aarch64: Option<u32>,
    pub args: &'static [Arg],
    pub handling: Handling,
    pub aarch64: Aarch64,
    /// Accept the import also with no result (`(i32) -> ()`, seen for `SYS_exit`, §4).
    pub void_result_ok: bool,
    /// Anything the fields do not say.
    pub note: &'static str,
}

impl Syscall {
    /// The result type of every `SYS_*` import.
    pub const RESULT: ValType = ValType::I64;

    /// The Wasm parameter types.
    pub fn params(&self) -> impl ExactSizeIterator<Item = ValType> + '_ {
        self.args.iter().map(|a| a.ty)
    }

    /// Whether an import of this name may be linked with the given signature.
    pub fn accepts_signature(&self, params: &[ValType], results: &[ValType]) -> bool {
        params.iter().copied().eq(self.params())
            && (results == [Self::RESULT] || (self.void_result_ok && results.is_empty()))
    }

    /// The host syscall number on `arch` (`None`: absent on aarch64).
    pub const fn nr(&self, arch: Arch) -> Option<u32> {
        match arch {
            Arch::X86_64 => Some(self.nr_x86_64),
            Arch::Aarch64 => self.nr_aarch64,
        }
    }

    /// Whether codegen may translate the arguments and enter the kernel directly on `arch`
    /// (for an aarch64 [`Aarch64::Rewrite`], with the rewritten number and argument order).
    pub const fn is_pass_through(&self, arch: Arch) -> bool {
        matches!(self.handling, Handling::PassThrough)
            && match arch {
                Arch::X86_64 => true,
                Arch::Aarch64 => matches!(self.aarch64, Aarch64::Same | Aarch64::Rewrite { .. }),
            }
    }
}

/// The syscall imported as `name` (`SYS_read`), including accepted aliases (`SYS_fstatat`).
pub fn by_import_name(name: &str) -> Option<&'static Syscall> {
    all().find(|s| s.import == name || s.aliases.contains(&name))
}

/// The syscall with WALI name or Linux name `name` (`read`, `fadvise`, `fadvise64`).
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    all().find(|s| s.name == name || s.linux_name == name)
}

/// The syscall with host number `nr` on `arch`.
pub fn by_nr(arch: Arch, nr: u32) -> Option<&'static Syscall> {
    all().find(|s| s.nr(arch) == Some(nr))
}

// ---------------------------------------------------------------------------------------------------
// Table construction helpers.
// ---------------------------------------------------------------------------------------------------

use ArgKind as K;
use LayoutId as L;
use ValType::{I32, I64};

const fn arg(name: &'static str, c_type: &'static str, ty: ValType, kind: ArgKind) -> Arg {
    Arg { name, c_type, ty, kind }
}
/// `int fd`
const fn fd(name: &'static str) -> Arg {
    arg(name, "int", I32, K::Fd)
}
/// signed 32-bit integer
const fn int(name: &'static str, c: &'static str) -> Arg {
    arg(name, c, I32, K::Scalar { signed: true })
}
/// unsigned 32-bit integer (size_t, socklen_t, uid_t, ...)
const fn uint(name: &'static str, c: &'static str) -> Arg {
    arg(name, c, I32, K::Scalar { signed: false })
}
/// signed 64-bit integer (long, off_t)
const fn long(name: &'static str, c: &'static str) -> Arg {
    arg(name, c, I64, K::Scalar { signed: true })
}
/// unsigned 64-bit integer (unsigned long, nfds_t)
const fn ulong(name: &'static str, c: &'static str) -> Arg {
    arg(name, c, I64, K::Scalar { signed: false })
}
const fn oflags(name: &'static str) -> Arg {
    arg(name, "int", I32, K::OpenFlags)
}
const fn path(name: &'static str) -> Arg {
    arg(name, "char*", I32, K::Str)
}
const fn p_in(name: &'static str, c: &'static str, len: Len) -> Arg {
    arg(name, c, I32, K::PtrIn(len))
}
const fn p_out(name: &'static str, c: &'static str, len: Len) -> Arg {
    arg(name, c, I32, K::PtrOut(len))
}
const fn p_io(name: &'static str, c: &'static str, len: Len) -> Arg {
    arg(name, c, I32, K::PtrInOut(len))
}
const fn conv(name: &'static str, c: &'static str, layout: LayoutId, dir: Dir, count: Count) -> Arg {
    arg(name, c, I32, K::Struct(StructArg { layout, dir, count, aarch64_only: false }))
}
const fn conv_a64(name: &'static str, c: &'static str, layout: LayoutId, dir: Dir, count: Count) -> Arg {
    arg(name, c, I32, K::Struct(StructArg { layout, dir, count, aarch64_only: true }))
}
const fn range(name: &'static str, len_arg: u8) -> Arg {
    arg(name, "void*", I32, K::MemRange(Len::Arg(len_arg)))
}
const fn hint(name: &'static str) -> Arg {
    arg(name, "void*", I32, K::AddrHint)
}
const fn dep(name: &'static str, c: &'static str, ty: ValType) -> Arg {
    arg(name, c, ty, K::Dependent)
}
/// `struct sockaddr *addr` with its `socklen_t *addrlen` at argument `len_ptr`, written by the kernel.
const fn sockaddr_out(name: &'static str, len_ptr: u8) -> Arg {
    p_out(name, "struct sockaddr*", Len::ArgPtr(len_ptr))
}
const fn socklen_io(name: &'static str) -> Arg {
    p_io(name, "socklen_t*", Len::Bytes(4))
}
const fn sigset_in(name: &'static str, size_arg: u8) -> Arg {
    p_in(name, "sigset_t*", Len::Arg(size_arg))
}

const PT: Handling = Handling::PassThrough;
const fn host(r: HostReason) -> Handling {
    Handling::Host(r)
}
use HostReason as H;

const AT_FDCWD: Remap = Remap::Const(crate::consts::AT_FDCWD);
const fn a(i: u8) -> Remap {
    Remap::Arg(i)
}
const ZERO: Remap = Remap::Const(0);

const ONE: Count = Count::One;

/// Builds a [`Syscall`]: `sc!(name, x86_64 nr, aarch64 nr or None, [args], handling, aarch64, ...)`.
macro_rules! sc {
    ($name:ident, $x86:expr, $a64:expr, [$($arg:expr),* $(,)?], $handling:expr, $aarch64:expr
     $(, linux = $linux:literal)? $(, aliases = [$($alias:literal),*])? $(, void_ok = $void:expr)?
     $(, note = $note:literal)? $(,)?) => {
        Syscall {
            name: stringify!($name),
            linux_name: sc!(@linux $name $($linux)?),
            import: concat!("SYS_", stringify!($name)),
            aliases: &[$($($alias),*)?],
            nr_x86_64: $x86,
            nr_aarch64: $a64,
            args: &[$($arg),*],
            handling: $handling,
            aarch64: $aarch64,
            void_result_ok: sc!(@void $($void)?),
            note: sc!(@note $($note)?),
        }
    };
    (@linux $name:ident) => { stringify!($name) };
    (@linux $name:ident $linux:literal) => { $linux };
    (@void) => { false };
    (@void $v:expr) => { $v };
    (@note) => { "" };
    (@note $n:literal) => { $n };
}

const SAME: Aarch64 = Aarch64::Same;
const F64: Aarch64 = Aarch64::Convert("O_* flag bits (§14)");
const S64_STAT: Aarch64 =
    Aarch64::Convert("struct stat: host newfstatat into a host buffer, convert to the x86_64 layout (§7.3)");

/// Every syscall the WALI spec implements, in x86_64 number order.
#[rustfmt::skip] // one entry per syscall reads better than rustfmt's one argument per line
pub static SYSCALLS: &[Syscall] = &[
    sc!(read, 0, Some(63), [fd("fd"), p_out("buf", "void*", Len::Arg(2)), uint("count", "size_t")], PT, SAME),
    sc!(write, 1, Some(64), [fd("fd"), p_in("buf", "void*", Len::Arg(2)), uint("count", "size_t")], PT, SAME),
    sc!(open, 2, None, [path("pathname"), oflags("flags"), int("mode", "mode_t")], host(H::PathCheck),
        Aarch64::Emulate("openat(AT_FDCWD, pathname, flags, mode) with O_* bits swapped"),
        note = "refuses every name of a process's mem/pagemap/map_files, judged on the opened file (host/files.rs)"),
    sc!(close, 3, Some(57), [fd("fd")], PT, SAME),
    sc!(stat, 4, None, [path("pathname"), conv_a64("statbuf", "struct stat*", L::Stat, Dir::Out, ONE)], PT,
        Aarch64::Emulate("newfstatat(AT_FDCWD, pathname, host buf, 0) + stat conversion")),
    sc!(fstat, 5, Some(80), [fd("fd"), conv_a64("statbuf", "struct stat*", L::Stat, Dir::Out, ONE)], PT,
        Aarch64::Convert("struct stat: newfstatat(fd, \"\", host buf, AT_EMPTY_PATH) + stat conversion (§14)")),
    sc!(lstat, 6, None, [path("pathname"), conv_a64("statbuf", "struct stat*", L::Stat, Dir::Out, ONE)], PT,
        Aarch64::Emulate("newfstatat(AT_FDCWD, pathname, host buf, AT_SYMLINK_NOFOLLOW) + stat conversion")),
    sc!(poll, 7, None, [p_io("fds", "struct pollfd*", Len::ArrayOf(L::Pollfd, 1)), ulong("nfds", "nfds_t"),
        int("timeout", "int")], PT,
        Aarch64::Emulate("ppoll(fds, nfds, timeout ms as a host timespec or NULL if negative, NULL, 0)")),
    sc!(lseek, 8, Some(62), [fd("fd"), long("offset", "off_t"), int("whence", "int")], PT, SAME),
    sc!(mmap, 9, Some(222), [hint("addr"), uint("length", "size_t"), int("prot", "int"), int("flags", "int"),
        fd("fd"), long("offset", "off_t")], host(H::Memory), SAME,
        note = "placed in the linear-memory mmap region above the initial memory (§8.2)"),
    sc!(mprotect, 10, Some(226), [range("addr", 1), uint("len", "size_t"), int("prot", "int")],
        host(H::Restricted), SAME,
        note = "range outside linear memory: -ENOMEM (§8.5); PROT_EXEC refused (-EACCES): linear memory is never code"),
    sc!(munmap, 11, Some(215), [range("addr", 1), uint("len", "size_t")], host(H::Memory), SAME,
        note = "re-map PROT_NONE instead of unmapping, keep a free list (§8.3)"),
    sc!(brk, 12, Some(214), [hint("addr")], host(H::Memory), SAME, note = "always returns 0 (§8.5)"),
    sc!(rt_sigaction, 13, Some(134), [int("signum", "int"),
        conv("act", "struct k_sigaction*", L::KSigaction, Dir::In, ONE),
        conv("oldact", "struct k_sigaction*", L::KSigaction, Dir::Out, ONE), uint("sigsetsize", "size_t")],
        host(H::Signals), SAME, note = "guest handlers are table indices; SIG_IGN is -2 (§10.1)"),
    sc!(rt_sigprocmask, 14, Some(135), [int("how", "int"), sigset_in("set", 3),
        p_out("oldset", "sigset_t*", Len::Arg(3)), uint("sigsetsize", "size_t")], host(H::Signals), SAME,
        note = "layout is a pass-through, but the runtime's fault signals are removed from the mask (§10.3)"),
    sc!(rt_sigreturn, 15, Some(139), [long("unused", "long")], host(H::Stub), SAME, note = "returns -1 (§10.6)"),
    sc!(ioctl, 16, Some(29), [fd("fd"), uint("request", "int"), dep("argp", "char*", I32)],
        host(H::DependentArg), SAME,
        note = "argp is a pointer except for integer-argument requests (TCSBRK, TCXONC, TCFLSH, TIOCSCTTY, ...)"),
    sc!(pread64, 17, Some(67), [fd("fd"), p_out("buf", "char*", Len::Arg(2)), uint("count", "size_t"),
        long("offset", "off_t")], PT, SAME),
    sc!(pwrite64, 18, Some(68), [fd("fd"), p_in("buf", "char*", Len::Arg(2)), uint("count", "size_t"),
        long("offset", "off_t")], PT, SAME),
    sc!(readv, 19, Some(65), [fd("fd"), conv("iov", "struct iovec*", L::Iovec, Dir::In, Count::Arg(2)),
        int("iovcnt", "int")], host(H::StructConversion), SAME,
        note = "the kernel writes through the translated bases; the iovec array itself is only read"),
    sc!(writev, 20, Some(66), [fd("fd"), conv("iov", "struct iovec*", L::Iovec, Dir::In, Count::Arg(2)),
        int("iovcnt", "int")], host(H::StructConversion), SAME),
    sc!(access, 21, None, [path("pathname"), int("mode", "int")], PT,
        Aarch64::Rewrite { via: "faccessat", nr: 48, args: &[AT_FDCWD, a(0), a(1), ZERO] }),
    sc!(pipe, 22, None, [p_out("pipefd", "int*", Len::Bytes(8))], PT,
        Aarch64::Rewrite { via: "pipe2", nr: 59, args: &[a(0), ZERO] }),
    sc!(select, 23, None, [int("nfds", "int"), p_io("readfds", "fd_set*", Len::Of(L::FdSet)),
        p_io("writefds", "fd_set*", Len::Of(L::FdSet)), p_io("exceptfds", "fd_set*", Len::Of(L::FdSet)),
        p_io("timeout", "struct timeval*", Len::Of(L::Timeval))], host(H::ArgCheck),
        Aarch64::Emulate("pselect6 with the timeval converted to a timespec and back, NULL mask (§16.7)")),
    sc!(sched_yield, 24, Some(124), [], PT, SAME),
    sc!(mremap, 25, Some(216), [range("old_address", 1), uint("old_size", "size_t"), uint("new_size", "size_t"),
        int("flags", "int"), hint("new_address")], host(H::Memory), SAME, note = "§8.4"),
    sc!(msync, 26, Some(227), [range("addr", 1), uint("length", "size_t"), int("flags", "int")], PT, SAME),
    sc!(madvise, 28, Some(233), [range("addr", 1), uint("length", "size_t"), int("advice", "int")],
        host(H::Restricted), SAME,
        note = "only advice that keeps contents and mappings sane; DONTFORK, WIPEONFORK, guard pages, ... are -EINVAL"),
    sc!(dup, 32, Some(23), [fd("oldfd")], PT, SAME),
    sc!(dup2, 33, None, [fd("oldfd"), fd("newfd")], PT,
        Aarch64::Emulate("old == new: fcntl(old, F_GETFD), return new or its error; else dup3(old, new, 0)")),
    sc!(nanosleep, 35, Some(101), [p_in("req", "struct timespec*", Len::Of(L::Timespec)),
        p_out("rem", "struct timespec*", Len::Of(L::Timespec))], PT, SAME),
    sc!(setitimer, 38, Some(103), [int("which", "int"), p_in("new_value", "struct itimerval*", Len::Of(L::Itimerval)),
        p_out("old_value", "struct itimerval*", Len::Of(L::Itimerval))], PT, SAME),
    sc!(getpid, 39, Some(172), [], PT, SAME),
    sc!(socket, 41, Some(198), [int("domain", "int"), int("type", "int"), int("protocol", "int")], PT, SAME),
    sc!(connect, 42, Some(203), [fd("sockfd"), p_in("addr", "struct sockaddr*", Len::Arg(2)),
        uint("addrlen", "socklen_t")], PT, SAME),
    sc!(accept, 43, Some(202), [fd("sockfd"), sockaddr_out("addr", 2), socklen_io("addrlen")], PT, SAME),
    sc!(sendto, 44, Some(206), [fd("sockfd"), p_in("buf", "void*", Len::Arg(2)), uint("len", "size_t"),
        int("flags", "int"), p_in("dest_addr", "struct sockaddr*", Len::Arg(5)), uint("addrlen", "socklen_t")],
        PT, SAME),
    sc!(recvfrom, 45, Some(207), [fd("sockfd"), p_out("buf", "void*", Len::Arg(2)), uint("len", "size_t"),
        int("flags", "int"), sockaddr_out("src_addr", 5), socklen_io("addrlen")], PT, SAME),
    sc!(sendmsg, 46, Some(211), [fd("sockfd"), conv("msg", "struct msghdr*", L::Msghdr, Dir::In, ONE),
        int("flags", "int")], host(H::StructConversion), SAME),
    sc!(recvmsg, 47, Some(212), [fd("sockfd"), conv("msg", "struct msghdr*", L::Msghdr, Dir::InOut, ONE),
        int("flags", "int")], host(H::StructConversion), SAME,
        note = "write back msg_namelen, msg_controllen, msg_flags (the reference does not, §16.10)"),
    sc!(shutdown, 48, Some(210), [fd("sockfd"), int("how", "int")], PT, SAME),
    sc!(bind, 49, Some(200), [fd("sockfd"), p_in("addr", "struct sockaddr*", Len::Arg(2)),
        uint("addrlen", "socklen_t")], PT, SAME),
    sc!(listen, 50, Some(201), [fd("sockfd"), int("backlog", "int")], PT, SAME),
    sc!(getsockname, 51, Some(204), [fd("sockfd"), sockaddr_out("addr", 2), socklen_io("addrlen")], PT, SAME),
    sc!(getpeername, 52, Some(205), [fd("sockfd"), sockaddr_out("addr", 2), socklen_io("addrlen")], PT, SAME),
    sc!(socketpair, 53, Some(199), [int("domain", "int"), int("type", "int"), int("protocol", "int"),
        p_out("sv", "int*", Len::Bytes(8))], PT, SAME),
    sc!(setsockopt, 54, Some(208), [fd("sockfd"), int("level", "int"), int("optname", "int"),
        p_in("optval", "void*", Len::Arg(4)), uint("optlen", "socklen_t")], host(H::DependentArg), SAME,
        note = "options whose value holds a pointer or host address are refused (-ENOPROTOOPT)"),
    sc!(getsockopt, 55, Some(209), [fd("sockfd"), int("level", "int"), int("optname", "int"),
        p_out("optval", "void*", Len::ArgPtr(4)), socklen_io("optlen")], host(H::DependentArg), SAME,
        note = "as setsockopt"),
    sc!(fork, 57, None, [], host(H::Process), Aarch64::Emulate("clone(SIGCHLD, 0, 0, 0, 0)"),
        note = "the child continues after the import; reset thread bookkeeping in the child (§11.1)"),
    sc!(execve, 59, Some(221), [path("pathname"), arg("argv", "char**", I32, K::StrArray),
        arg("envp", "char**", I32, K::StrArray)], host(H::Process), SAME,
        note = "strings copied out first; .wasm targets re-exec the runtime with envp in a private file (§11.2)"),
    sc!(exit, 60, Some(93), [int("status", "int")], host(H::Process), SAME, void_ok = true,
        note = "ends only the calling thread once a thread was spawned (§11.3)"),
    sc!(wait4, 61, Some(260), [int("pid", "pid_t"), p_out("wstatus", "int*", Len::Bytes(4)),
        int("options", "int"), p_out("rusage", "struct rusage*", Len::Of(L::Rusage))], PT, SAME),
    sc!(kill, 62, Some(129), [int("pid", "pid_t"), int("sig", "int")], PT, SAME),
    sc!(uname, 63, Some(160), [p_out("buf", "struct utsname*", Len::Of(L::Utsname))], PT, SAME),
    sc!(fcntl, 72, Some(25), [fd("fd"), int("cmd", "int"), dep("arg", "unsigned long", I64)],
        host(H::DependentArg), Aarch64::Convert("O_* flag bits for F_GETFL result / F_SETFL argument (§14)"),
        note = "arg is a pointer for F_GETLK/F_SETLK/F_SETLKW/F_OFD_*/F_GETOWN_EX/F_SETOWN_EX/F_GETOWNER_UIDS (§16.11)"),
    sc!(flock, 73, Some(32), [fd("fd"), int("operation", "int")], PT, SAME),
    sc!(fsync, 74, Some(82), [fd("fd")], PT, SAME),
    sc!(fdatasync, 75, Some(83), [fd("fd")], PT, SAME),
    sc!(ftruncate, 77, Some(46), [fd("fd"), long("length", "off_t")], PT, SAME),
    sc!(getcwd, 79, Some(17), [p_out("buf", "char*", Len::Arg(1)), uint("size", "size_t")], PT, SAME,
        note = "returns the length including the NUL, not a pointer"),
    sc!(chdir, 80, Some(49), [path("path")], PT, SAME),
    sc!(fchdir, 81, Some(50), [fd("fd")], PT, SAME),
    sc!(rename, 82, None, [path("oldpath"), path("newpath")], PT,
        Aarch64::Rewrite { via: "renameat2", nr: 276, args: &[AT_FDCWD, a(0), AT_FDCWD, a(1), ZERO] }),
    sc!(mkdir, 83, None, [path("pathname"), int("mode", "mode_t")], PT,
        Aarch64::Rewrite { via: "mkdirat", nr: 34, args: &[AT_FDCWD, a(0), a(1)] }),
    sc!(rmdir, 84, None, [path("pathname")], PT,
        Aarch64::Rewrite { via: "unlinkat", nr: 35, args: &[AT_FDCWD, a(0), Remap::Const(crate::consts::AT_REMOVEDIR)] }),
    sc!(link, 86, None, [path("oldpath"), path("newpath")], PT,
        Aarch64::Rewrite { via: "linkat", nr: 37, args: &[AT_FDCWD, a(0), AT_FDCWD, a(1), ZERO] }),
    sc!(unlink, 87, None, [path("pathname")], PT,
        Aarch64::Rewrite { via: "unlinkat", nr: 35, args: &[AT_FDCWD, a(0), ZERO] }),
    sc!(symlink, 88, None, [path("target"), path("linkpath")], PT,
        Aarch64::Rewrite { via: "symlinkat", nr: 36, args: &[a(0), AT_FDCWD, a(1)] }),
    sc!(readlink, 89, None, [path("pathname"), p_out("buf", "char*", Len::Arg(2)), uint("bufsiz", "size_t")], PT,
        Aarch64::Rewrite { via: "readlinkat", nr: 78, args: &[AT_FDCWD, a(0), a(1), a(2)] }),
    sc!(chmod, 90, None, [path("pathname"), int("mode", "mode_t")], PT,
        Aarch64::Rewrite { via: "fchmodat", nr: 53, args: &[AT_FDCWD, a(0), a(1)] }),
    sc!(fchmod, 91, Some(52), [fd("fd"), int("mode", "mode_t")], PT, SAME),
    sc!(chown, 92, None, [path("pathname"), uint("owner", "uid_t"), uint("group", "gid_t")], PT,
        Aarch64::Rewrite { via: "fchownat", nr: 54, args: &[AT_FDCWD, a(0), a(1), a(2), ZERO] }),
    sc!(fchown, 93, Some(55), [fd("fd"), uint("owner", "uid_t"), uint("group", "gid_t")], PT, SAME),
    sc!(umask, 95, Some(166), [int("mask", "mode_t")], PT, SAME),
    sc!(gettimeofday, 96, Some(169), [p_out("tv", "struct timeval*", Len::Of(L::Timeval)),
        p_out("tz", "struct timezone*", Len::Of(L::Timezone))], PT, SAME),
    sc!(getrlimit, 97, Some(163), [int("resource", "int"), p_out("rlim", "struct rlimit*", Len::Of(L::Rlimit))],
        PT, SAME),
    sc!(getrusage, 98, Some(165), [int("who", "int"), p_out("usage", "struct rusage*", Len::Of(L::Rusage))],
        PT, SAME),
    sc!(sysinfo, 99, Some(179), [p_out("info", "struct sysinfo*", Len::Of(L::Sysinfo))], PT, SAME),
    sc!(getuid, 102, Some(174), [], PT, SAME),
    sc!(getgid, 104, Some(176), [], PT, SAME),
    sc!(setuid, 105, Some(146), [uint("uid", "uid_t")], PT, SAME),
    sc!(setgid, 106, Some(144), [uint("gid", "gid_t")], PT, SAME),
    sc!(geteuid, 107, Some(175), [], PT, SAME),
    sc!(getegid, 108, Some(177), [], PT, SAME),
    sc!(setpgid, 109, Some(154), [int("pid", "pid_t"), int("pgid", "pid_t")], PT, SAME),
    sc!(getppid, 110, Some(173), [], PT, SAME),
    sc!(setsid, 112, Some(157), [], PT, SAME),
    sc!(setreuid, 113, Some(145), [uint("ruid", "uid_t"), uint("euid", "uid_t")], PT, SAME),
    sc!(setregid, 114, Some(143), [uint("rgid", "gid_t"), uint("egid", "gid_t")], PT, SAME),
    sc!(getgroups, 115, Some(158), [uint("size", "size_t"),
        p_out("list", "gid_t*", Len::Elems { count_arg: 0, size: 4 })], host(H::ArgCheck), SAME),
    sc!(setgroups, 116, Some(159), [uint("size", "size_t"),
        p_in("list", "gid_t*", Len::Elems { count_arg: 0, size: 4 })], host(H::ArgCheck), SAME),
    sc!(setresuid, 117, Some(147), [uint("ruid", "uid_t"), uint("euid", "uid_t"), uint("suid", "uid_t")], PT, SAME),
    sc!(setresgid, 119, Some(149), [uint("rgid", "gid_t"), uint("egid", "gid_t"), uint("sgid", "gid_t")], PT, SAME),
    sc!(getpgid, 121, Some(155), [int("pid", "pid_t")], PT, SAME),
    sc!(getsid, 124, Some(156), [int("pid", "pid_t")], PT, SAME),
    sc!(rt_sigpending, 127, Some(136), [p_out("set", "sigset_t*", Len::Arg(1)), uint("sigsetsize", "size_t")],
        PT, SAME),
    sc!(rt_sigsuspend, 130, Some(133), [sigset_in("mask", 1), uint("sigsetsize", "size_t")], PT, SAME,
        note = "the guest handler runs at the safepoint after the import returns -EINTR (§10.2)"),
    sc!(sigaltstack, 131, Some(132), [conv("ss", "stack_t*", L::StackT, Dir::In, ONE),
        conv("old_ss", "stack_t*", L::StackT, Dir::Out, ONE)], host(H::Signals), SAME,
        note = "virtualised per thread; never replaces the runtime's own alternate stack (§10.5)"),
    sc!(statfs, 137, Some(43), [path("path"), p_out("buf", "struct statfs*", Len::Of(L::Statfs))], PT, SAME),
    sc!(fstatfs, 138, Some(44), [fd("fd"), p_out("buf", "struct statfs*", Len::Of(L::Statfs))], PT, SAME),
    sc!(prctl, 157, Some(167), [int("option", "int"), dep("arg2", "unsigned long", I64),
        dep("arg3", "unsigned long", I64), dep("arg4", "unsigned long", I64), dep("arg5", "unsigned long", I64)],
        host(H::Restricted), SAME,
        note = "only PR_SET_NAME/PR_GET_NAME (arg2 = guest pointer to 16 bytes); anything else -1"),
    sc!(setrlimit, 160, Some(164), [int("resource", "int"), p_in("rlim", "struct rlimit*", Len::Of(L::Rlimit))],
        PT, SAME),
    sc!(chroot, 161, Some(51), [path("path")], PT, SAME),
    sc!(gettid, 186, Some(178), [], PT, SAME),
    sc!(tkill, 200, Some(130), [int("tid", "int"), int("sig", "int")], PT, SAME),
    sc!(futex, 202, Some(98), [p_io("uaddr", "int*", Len::Bytes(4)), int("futex_op", "int"), int("val", "int"),
        dep("timeout", "struct timespec*", I32), dep("uaddr2", "int*", I32), int("val3", "int")],
        host(H::DependentArg), SAME,
        note = "timeout is the integer val2 for REQUEUE/CMP_REQUEUE/WAKE_OP/CMP_REQUEUE_PI; uaddr2 a pointer only for those (§16.12)"),
    sc!(sched_getaffinity, 204, Some(123), [int("pid", "pid_t"), uint("cpusetsize", "size_t"),
        p_out("mask", "cpu_set_t*", Len::Arg(1))], PT, SAME,
        note = "returns the number of bytes the kernel wrote"),
    sc!(getdents64, 217, Some(61), [fd("fd"), p_out("dirp", "struct dirent*", Len::Arg(2)), uint("count", "int")],
        PT, SAME, aliases = ["SYS_getdents"],
        note = "kernel linux_dirent64 records are used as is"),
    sc!(set_tid_address, 218, Some(96), [p_io("tidptr", "int*", Len::Bytes(4))], host(H::Threads), SAME,
        note = "host call would redirect the host thread's CLONE_CHILD_CLEARTID word, which the host \
                libc's own thread join relies on; record the address, return gettid()"),
    sc!(fadvise, 221, Some(223), [fd("fd"), long("offset", "off_t"), long("len", "off_t"), int("advice", "int")],
        PT, SAME, linux = "fadvise64"),
    sc!(clock_gettime, 228, Some(113), [int("clockid", "clockid_t"),
        p_out("tp", "struct timespec*", Len::Of(L::Timespec))], PT, SAME),
    sc!(clock_getres, 229, Some(114), [int("clockid", "clockid_t"),
        p_out("res", "struct timespec*", Len::Of(L::Timespec))], PT, SAME),
    sc!(clock_nanosleep, 230, Some(115), [int("clockid", "clockid_t"), int("flags", "int"),
        p_in("request", "struct timespec*", Len::Of(L::Timespec)),
        p_out("remain", "struct timespec*", Len::Of(L::Timespec))], PT, SAME),
    sc!(exit_group, 231, Some(94), [int("status", "int")], host(H::Process), SAME, void_ok = true,
        note = "ends the process with status & 0xff (§11.3)"),
    sc!(epoll_ctl, 233, Some(21), [fd("epfd"), int("op", "int"), fd("fd"),
        conv_a64("event", "struct epoll_event*", L::EpollEvent, Dir::In, ONE)], PT,
        Aarch64::Convert("packed 12-byte epoll_event to the 16-byte host layout (§7.3)")),
    sc!(openat, 257, Some(56), [fd("dirfd"), path("pathname"), oflags("flags"), int("mode", "mode_t")],
        host(H::PathCheck), F64, note = "as open"),
    sc!(mkdirat, 258, Some(34), [fd("dirfd"), path("pathname"), int("mode", "mode_t")], PT, SAME),
    sc!(fchownat, 260, Some(54), [fd("dirfd"), path("pathname"), uint("owner", "uid_t"), uint("group", "gid_t"),
        int("flags", "int")], PT, SAME),
    sc!(newfstatat, 262, Some(79), [fd("dirfd"), path("pathname"),
        conv_a64("statbuf", "struct stat*", L::Stat, Dir::Out, ONE), int("flags", "int")], PT, S64_STAT,
        aliases = ["SYS_fstatat"]),
    sc!(unlinkat, 263, Some(35), [fd("dirfd"), path("pathname"), int("flags", "int")], PT, SAME),
    sc!(linkat, 265, Some(37), [fd("olddirfd"), path("oldpath"), fd("newdirfd"), path("newpath"),
        int("flags", "int")], PT, SAME),
    sc!(symlinkat, 266, Some(36), [path("target"), fd("newdirfd"), path("linkpath")], PT, SAME),
    sc!(readlinkat, 267, Some(78), [fd("dirfd"), path("pathname"), p_out("buf", "char*", Len::Arg(3)),
        uint("bufsiz", "size_t")], PT, SAME),
    sc!(fchmodat, 268, Some(53), [fd("dirfd"), path("pathname"), int("mode", "mode_t"), int("flags", "int")],
        PT, SAME),
    sc!(faccessat, 269, Some(48), [fd("dirfd"), path("pathname"), int("mode", "int"), int("flags", "int")],
        PT, SAME, note = "the kernel's faccessat takes three arguments and ignores flags; musl uses faccessat2 when flags != 0"),
    sc!(pselect6, 270, Some(72), [int("nfds", "int"), p_io("readfds", "fd_set*", Len::Of(L::FdSet)),
        p_io("writefds", "fd_set*", Len::Of(L::FdSet)), p_io("exceptfds", "fd_set*", Len::Of(L::FdSet)),
        p_io("timeout", "struct timespec*", Len::Of(L::Timespec)),
        conv("sigmask", "void*", L::Pselect6Sigmask, Dir::In, ONE)], host(H::StructConversion), SAME,
        note = "the kernel writes the remaining time back to timeout"),
    sc!(ppoll, 271, Some(73), [p_io("fds", "struct pollfd*", Len::ArrayOf(L::Pollfd, 1)), ulong("nfds", "nfds_t"),
        p_io("tmo_p", "struct timespec*", Len::Of(L::Timespec)), sigset_in("sigmask", 4),
        uint("sigsetsize", "size_t")], PT, SAME, note = "the kernel writes the remaining time back to tmo_p"),
    sc!(utimensat, 280, Some(88), [fd("dirfd"), path("pathname"),
        p_in("times", "struct timespec*", Len::Bytes(32)), int("flags", "int")], PT, SAME,
        note = "pathname may be NULL (acts on dirfd); times is timespec[2]"),
    sc!(epoll_pwait, 281, Some(22), [fd("epfd"),
        conv_a64("events", "struct epoll_event*", L::EpollEvent, Dir::Out, Count::Arg(2)),
        int("maxevents", "int"), int("timeout", "int"), sigset_in("sigmask", 5), uint("sigsetsize", "size_t")],
        host(H::ArgCheck), Aarch64::Convert("host epoll_event array of maxevents, copy back the first ret entries (§7.3)"),
        note = "the reference converts only one event on every host (§16.9); we do not"),
    sc!(eventfd, 284, None, [int("initval", "int")], PT,
        Aarch64::Rewrite { via: "eventfd2", nr: 19, args: &[a(0), ZERO] }),
    sc!(accept4, 288, Some(242), [fd("sockfd"), sockaddr_out("addr", 2), socklen_io("addrlen"),
        int("flags", "int")], PT, SAME),
    sc!(eventfd2, 290, Some(19), [int("initval", "int"), int("flags", "int")], PT, SAME),
    sc!(epoll_create1, 291, Some(20), [int("flags", "int")], PT, SAME),
    sc!(dup3, 292, Some(24), [fd("oldfd"), fd("newfd"), oflags("flags")], PT, F64),
    sc!(pipe2, 293, Some(59), [p_out("pipefd", "int*", Len::Bytes(8)), oflags("flags")], PT, F64),
    sc!(prlimit64, 302, Some(261), [int("pid", "pid_t"), int("resource", "int"),
        p_in("new_limit", "struct rlimit*", Len::Of(L::Rlimit)),
        p_out("old_limit", "struct rlimit*", Len::Of(L::Rlimit))], PT, SAME),
    sc!(renameat2, 316, Some(276), [fd("olddirfd"), path("oldpath"), fd("newdirfd"), path("newpath"),
        uint("flags", "int")], PT, SAME),
    sc!(getrandom, 318, Some(278), [p_out("buf", "void*", Len::Arg(1)), uint("buflen", "size_t"),
        uint("flags", "int")], PT, SAME),
    sc!(statx, 332, Some(291), [fd("dirfd"), path("pathname"), int("flags", "int"), uint("mask", "unsigned int"),
        p_out("statxbuf", "struct statx*", Len::Of(L::Statx))], PT, SAME),
    sc!(faccessat2, 439, Some(439), [fd("dirfd"), path("pathname"), int("mode", "int"), int("flags", "int")],
        PT, SAME),
];

/// Syscalls the spec lists without implementing them (WALI-ABI.md §6.2) that wali-musl programs
/// reach through their libc: getitimer(2) and sigqueue(3). cwali answers them; a runtime with only
/// the spec's table binds them to `-ENOSYS`. They resolve and trace like the spec's syscalls but
/// stay out of the guest header, which declares the spec's imports.
#[rustfmt::skip]
pub static EXTENSIONS: &[Syscall] = &[
    sc!(getitimer, 36, Some(102), [int("which", "int"),
        p_out("curr_value", "struct itimerval*", Len::Of(L::Itimerval))], PT, SAME),
    sc!(rt_sigqueueinfo, 129, Some(138), [int("tgid", "pid_t"), int("sig", "int"),
        p_in("uinfo", "siginfo_t*", Len::Bytes(128))], host(H::Signals), SAME,
        note = "guest siginfo_t (wasm32 layout) converted; only negative si_code values (SI_QUEUE, ...), as a \
                process may send to another: a guest cannot forge a kernel-generated fault"),
];

/// The spec's syscalls, then cwali's [`EXTENSIONS`].
pub fn all() -> impl Iterator<Item = &'static Syscall> {
    SYSCALLS.iter().chain(EXTENSIONS)
}

// ---------------------------------------------------------------------------------------------------
// Auxiliary imports (§5).
// ---------------------------------------------------------------------------------------------------

/// Where an auxiliary import is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuxOrigin {
    /// Defined by the spec and implemented by the reference runtime (§5.1).
    Spec,
    /// Declared by wali-musl but not provided by the reference (§5.2); must still link.
    MuslOnly,
}

/// A non-syscall import from module `wali`.
#[derive(Clone, Copy, Debug)]
pub struct AuxImport {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
    pub origin: AuxOrigin,
    /// The C declaration in the guest header (function name `wali_*`), for [`AuxOrigin::Spec`] ones.
    pub c_decl: Option<&'static str>,
    pub summary: &'static str,
}

impl AuxImport {
    /// Whether an import of this name may be linked with the given signature.
    pub fn accepts_signature(&self, params: &[ValType], results: &[ValType]) -> bool {
        params == self.params && results == self.results
    }
}

/// The auxiliary import called `name`.
pub fn aux_by_name(name: &str) -> Option<&'static AuxImport> {
    AUX_IMPORTS.iter().find(|a| a.name == name)
}

macro_rules! aux {
    ($name:literal, [$($p:ident),*] -> [$($r:ident),*], $origin:ident, $decl:expr, $summary:literal) => {
        AuxImport {
            name: $name,
            params: &[$(ValType::$p),*],
            results: &[$(ValType::$r),*],
            origin: AuxOrigin::$origin,
            c_decl: $decl,
            summary: $summary,
        }
    };
}

/// The auxiliary imports of §5.1 (spec) and §5.2 (wali-musl only).
#[rustfmt::skip]
pub static AUX_IMPORTS: &[AuxImport] = &[
    aux!("__init", [] -> [I32], Spec, Some("int wali_init(void)"),
        "first call returns 0 and marks the process as WALI; later calls return 1"),
    aux!("__deinit", [] -> [I32], Spec, Some("int wali_deinit(void)"),
        "first call returns 0 (main finished normally); later calls return 1"),
    aux!("__proc_exit", [I32] -> [], Spec, Some("__attribute__((noreturn)) void wali_proc_exit(int status)"),
        "ends the whole process with status & 0xff; never returns"),
    aux!("__cl_get_argc", [] -> [I32], Spec, Some("unsigned wali_cl_get_argc(void)"),
        "number of guest arguments; argv[0] is the module path as given"),
    aux!("__cl_get_argv_len", [I32] -> [I32], Spec, Some("unsigned wali_cl_get_argv_len(unsigned idx)"),
        "strlen(argv[idx]), without the NUL"),
    aux!("__cl_copy_argv", [I32, I32] -> [I32], Spec, Some("int wali_cl_copy_argv(char *buf, unsigned idx)"),
        "copies argv[idx] with its NUL to buf; returns 0"),
    aux!("__get_init_envfile", [I32, I32] -> [I32], Spec,
        Some("int wali_get_init_envfile(char *buf, unsigned size)"),
        "writes the env file path (or \"\" if too long) and returns 1, or returns 0 if there is none"),
    aux!("__wasm_thread_spawn", [I32, I32] -> [I32], Spec,
        Some("int wali_thread_spawn(void (*start)(int tid, void *arg), void *arg)"),
        "new host thread + instance running table0[start](tid, arg); returns the host TID or -1"),
    aux!("sigsetjmp", [I32, I32] -> [I32], Spec, Some("int wali_sigsetjmp(void *env, int savesigs)"),
        "reference: returns 0 (§12)"),
    aux!("setjmp", [I32] -> [I32], Spec, Some("int wali_setjmp(void *env)"), "reference: returns 0 (§12)"),
    aux!("longjmp", [I32, I32] -> [], Spec, Some("__attribute__((noreturn)) void wali_longjmp(void *env, int val)"),
        "reference: ends the process with status 255 (§12)"),
    aux!("__restore", [] -> [], MuslOnly, None, "sigaction restorer; never called: no-op"),
    aux!("__restore_rt", [] -> [], MuslOnly, None, "sigaction restorer; never called: no-op"),
    aux!("_setjmp", [I32] -> [I32], MuslOnly, None, "BSD _setjmp: as setjmp"),
    aux!("_longjmp", [I32, I32] -> [], MuslOnly, None, "BSD _longjmp: as longjmp"),
    aux!("vfork", [] -> [I32], MuslOnly, None, "implemented as fork"),
    aux!("__clone", [I32, I32, I32, I32, I32] -> [I32], MuslOnly, None,
        "fork-based: child runs table0[fn](arg) and exits with its result; parent gets the pid or -errno"),
    aux!("__set_thread_area", [I32] -> [I32], MuslOnly, None, "returns -ENOSYS"),
    aux!("__unmapself", [I32, I32] -> [], MuslOnly, None, "traps"),
    aux!("__syscall_cp_asm", [I32, I64, I64, I64, I64, I64, I64, I64] -> [I64], MuslOnly, None,
        "pthread cancellation path: trap or dispatch"),
    aux!("feclearexcept", [I32] -> [I32], MuslOnly, None, "no FP exception flags in Wasm: returns 0"),
    aux!("feraiseexcept", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("fetestexcept", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("fesetround", [I32] -> [I32], MuslOnly, None, "0 for FE_TONEAREST (0), else -1"),
    aux!("fegetenv", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("feholdexcept", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("fesetenv", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("feupdateenv", [I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("fegetexceptflag", [I32, I32] -> [I32], MuslOnly, None, "writes 0 to the flag word, returns 0"),
    aux!("fesetexceptflag", [I32, I32] -> [I32], MuslOnly, None, "returns 0"),
    aux!("fegetround", [] -> [I32], MuslOnly, None, "returns 0 (FE_TONEAREST)"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_the_140_spec_syscalls() {
        assert_eq!(SYSCALLS.len(), 140);
        let names: HashSet<_> = SYSCALLS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), 140, "duplicate name");
        let nrs: HashSet<_> = SYSCALLS.iter().map(|s| s.nr_x86_64).collect();
        assert_eq!(nrs.len(), 140, "duplicate x86_64 number");
        let a64: Vec<_> = SYSCALLS.iter().filter_map(|s| s.nr_aarch64).collect();
        assert_eq!(a64.iter().collect::<HashSet<_>>().len(), a64.len(), "duplicate aarch64 number");
        assert!(SYSCALLS.windows(2).all(|w| w[0].nr_x86_64 < w[1].nr_x86_64), "x86_64 order");
        let aliases: Vec<_> = SYSCALLS.iter().flat_map(|s| s.aliases.iter()).collect();
        for a in aliases {
            assert!(!SYSCALLS.iter().any(|s| s.import == *a), "alias {a} shadows an import");
        }
        // Classification summary (update deliberately when the table changes).
        let pt = |arch| SYSCALLS.iter().filter(|s| s.is_pass_through(arch)).count();
        assert_eq!(pt(Arch::X86_64), 108);
        assert_eq!(pt(Arch::Aarch64), 99);
        let rewrites = SYSCALLS.iter().filter(|s| matches!(s.aarch64, Aarch64::Rewrite { .. })).count();
        assert_eq!(rewrites, 12);
        assert_eq!(SYSCALLS.iter().filter(|s| s.nr_aarch64.is_none()).count(), 19);
        assert_eq!(AUX_IMPORTS.len(), 31);
        assert_eq!(AUX_IMPORTS.iter().filter(|a| a.origin == AuxOrigin::Spec).count(), 11);
    }

    #[test]
    fn extensions_are_outside_the_spec_table_and_unique() {
        for e in EXTENSIONS {
            assert!(!SYSCALLS.iter().any(|s| s.name == e.name || s.nr_x86_64 == e.nr_x86_64), "{}", e.name);
            assert!(!SYSCALLS.iter().any(|s| s.nr_aarch64.is_some() && s.nr_aarch64 == e.nr_aarch64), "{}", e.name);
            assert_eq!(by_import_name(e.import).map(|s| s.name), Some(e.name));
        }
        assert_eq!(all().count(), SYSCALLS.len() + EXTENSIONS.len());
    }

    #[test]
    fn entries_are_consistent() {
        for s in all() {
            assert_eq!(s.import, format!("SYS_{}", s.name));
            assert!(s.args.len() <= 6, "{}", s.name);
            // The spec's generator rule (§2): i64 iff the C type is a long type.
            for a in s.args {
                let is_long = matches!(
                    a.c_type,
                    "long" | "unsigned long" | "long long" | "unsigned long long" | "off_t" | "nfds_t"
                );
                assert_eq!(a.ty == ValType::I64, is_long, "{}.{} ({})", s.name, a.name, a.c_type);
                if a.c_type.ends_with('*') {
                    assert!(
                        a.kind.is_pointer() || matches!(a.kind, ArgKind::AddrHint | ArgKind::Dependent),
                        "{}.{} is a C pointer but not a pointer kind",
                        s.name,
                        a.name
                    );
                }
                if a.kind.is_pointer() {
                    assert_eq!(a.ty, ValType::I32);
                }
                // Argument references must point at existing arguments.
                let check = |i: u8| assert!((i as usize) < s.args.len(), "{}.{}", s.name, a.name);
                let len = match a.kind {
                    ArgKind::PtrIn(l) | ArgKind::PtrOut(l) | ArgKind::PtrInOut(l) | ArgKind::MemRange(l) => Some(l),
                    ArgKind::Struct(StructArg { count: Count::Arg(i), .. }) => {
                        check(i);
                        None
                    }
                    _ => None,
                };
                match len {
                    Some(Len::Arg(i) | Len::ArgPtr(i) | Len::ArrayOf(_, i)) => check(i),
                    Some(Len::Elems { count_arg, .. }) => check(count_arg),
                    _ => {}
                }
            }
            // Absent on aarch64 exactly when the aarch64 column says how to emulate or rewrite.
            let absent = s.nr_aarch64.is_none();
            match s.aarch64 {
                Aarch64::Rewrite { nr, args, .. } => {
                    assert!(absent, "{}", s.name);
                    assert!(by_nr(Arch::Aarch64, nr).is_some() || nr == 220, "{} via {}", s.name, nr);
                    for r in args {
                        if let Remap::Arg(i) = r {
                            assert!((*i as usize) < s.args.len());
                        }
                    }
                    // Every guest argument is used.
                    for i in 0..s.args.len() as u8 {
                        assert!(args.contains(&Remap::Arg(i)), "{} drops arg {i}", s.name);
                    }
                }
                Aarch64::Emulate(_) => {}
                Aarch64::Same | Aarch64::Convert(_) => assert!(!absent, "{}", s.name),
            }
            // aarch64-only conversions imply the aarch64 column is not Same.
            let a64_conv =
                s.args.iter().any(|a| matches!(a.kind, ArgKind::Struct(StructArg { aarch64_only: true, .. })));
            let flags = s.args.iter().any(|a| a.kind == ArgKind::OpenFlags);
            if a64_conv || flags {
                assert_ne!(s.aarch64, Aarch64::Same, "{}", s.name);
            }
            // A pass-through has no always-converted struct and no dependent argument.
            if s.handling == Handling::PassThrough {
                for a in s.args {
                    assert!(
                        !matches!(
                            a.kind,
                            ArgKind::Struct(StructArg { aarch64_only: false, .. })
                                | ArgKind::Dependent
                                | ArgKind::StrArray
                                | ArgKind::AddrHint
                        ),
                        "{} is marked pass-through but {} needs the host",
                        s.name,
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(by_import_name("SYS_read").unwrap().nr_x86_64, 0);
        assert_eq!(by_import_name("SYS_fstatat").unwrap().name, "newfstatat");
        assert_eq!(by_import_name("SYS_getdents").unwrap().name, "getdents64");
        assert!(by_import_name("SYS_epoll_wait").is_none());
        assert!(by_import_name("read").is_none());
        assert_eq!(by_name("fadvise64").unwrap().import, "SYS_fadvise");
        assert_eq!(by_name("fadvise").unwrap().nr_aarch64, Some(223));
        assert_eq!(by_nr(Arch::Aarch64, 56).unwrap().name, "openat");
        let exit = by_import_name("SYS_exit").unwrap();
        assert!(exit.accepts_signature(&[ValType::I32], &[ValType::I64]));
        assert!(exit.accepts_signature(&[ValType::I32], &[]));
        let read = by_import_name("SYS_read").unwrap();
        assert!(!read.accepts_signature(&[ValType::I32; 3], &[]));
        assert!(read.accepts_signature(&[ValType::I32; 3], &[ValType::I64]));
        assert!(!read.accepts_signature(&[ValType::I32, ValType::I32, ValType::I64], &[ValType::I64]));
        assert!(aux_by_name("__proc_exit").unwrap().accepts_signature(&[ValType::I32], &[]));
    }

    #[test]
    fn widening() {
        let openat = by_name("openat").unwrap();
        assert_eq!(openat.args[0].widen_i32(-100), (-100i64) as u64);
        let read = by_name("read").unwrap();
        assert_eq!(read.args[2].widen_i32(-1), 0xFFFF_FFFF);
        assert_eq!(read.args[1].widen_i32(-1), 0xFFFF_FFFF);
    }

    #[test]
    fn len_resolution() {
        let accept = by_name("accept").unwrap();
        let ArgKind::PtrOut(len) = accept.args[1].kind else { panic!() };
        assert_eq!(len.bytes(&[3, 100, 200], |p| (p == 200).then_some(16)), Some(16));
        assert_eq!(len.bytes(&[3, 100, 0], |_| None), Some(0));
        let poll = by_name("poll").unwrap();
        let ArgKind::PtrInOut(len) = poll.args[0].kind else { panic!() };
        assert_eq!(len.bytes(&[100, 3, 0], |_| None), Some(24));
    }

    /// On an x86_64 build host, the x86_64 numbers must be libc's `SYS_*` (looked up by Linux name).
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn x86_64_numbers_match_libc() {
        macro_rules! libc_nrs {
            ($($sys:ident),* $(,)?) => { [$((stringify!($sys), libc::$sys)),*] };
        }
        let nrs = libc_nrs!(
            SYS_read,
            SYS_write,
            SYS_open,
            SYS_close,
            SYS_stat,
            SYS_fstat,
            SYS_lstat,
            SYS_poll,
            SYS_lseek,
            SYS_mmap,
            SYS_mprotect,
            SYS_munmap,
            SYS_brk,
            SYS_rt_sigaction,
            SYS_rt_sigprocmask,
            SYS_rt_sigreturn,
            SYS_ioctl,
            SYS_pread64,
            SYS_pwrite64,
            SYS_readv,
            SYS_writev,
            SYS_access,
            SYS_pipe,
            SYS_select,
            SYS_sched_yield,
            SYS_mremap,
            SYS_msync,
            SYS_madvise,
            SYS_dup,
            SYS_dup2,
            SYS_nanosleep,
            SYS_setitimer,
            SYS_getpid,
            SYS_socket,
            SYS_connect,
            SYS_accept,
            SYS_sendto,
            SYS_recvfrom,
            SYS_sendmsg,
            SYS_recvmsg,
            SYS_shutdown,
            SYS_bind,
            SYS_listen,
            SYS_getsockname,
            SYS_getpeername,
            SYS_socketpair,
            SYS_setsockopt,
            SYS_getsockopt,
            SYS_fork,
            SYS_execve,
            SYS_exit,
            SYS_wait4,
            SYS_kill,
            SYS_uname,
            SYS_fcntl,
            SYS_flock,
            SYS_fsync,
            SYS_fdatasync,
            SYS_ftruncate,
            SYS_getcwd,
            SYS_chdir,
            SYS_fchdir,
            SYS_rename,
            SYS_mkdir,
            SYS_rmdir,
            SYS_link,
            SYS_unlink,
            SYS_symlink,
            SYS_readlink,
            SYS_chmod,
            SYS_fchmod,
            SYS_chown,
            SYS_fchown,
            SYS_umask,
            SYS_gettimeofday,
            SYS_getrlimit,
            SYS_getrusage,
            SYS_sysinfo,
            SYS_getuid,
            SYS_getgid,
            SYS_setuid,
            SYS_setgid,
            SYS_geteuid,
            SYS_getegid,
            SYS_setpgid,
            SYS_getppid,
            SYS_setsid,
            SYS_setreuid,
            SYS_setregid,
            SYS_getgroups,
            SYS_setgroups,
            SYS_setresuid,
            SYS_setresgid,
            SYS_getpgid,
            SYS_getsid,
            SYS_rt_sigpending,
            SYS_rt_sigsuspend,
            SYS_sigaltstack,
            SYS_statfs,
            SYS_fstatfs,
            SYS_prctl,
            SYS_setrlimit,
            SYS_chroot,
            SYS_gettid,
            SYS_tkill,
            SYS_futex,
            SYS_sched_getaffinity,
            SYS_getdents64,
            SYS_set_tid_address,
            SYS_fadvise64,
            SYS_clock_gettime,
            SYS_clock_getres,
            SYS_clock_nanosleep,
            SYS_exit_group,
            SYS_epoll_ctl,
            SYS_openat,
            SYS_mkdirat,
            SYS_fchownat,
            SYS_newfstatat,
            SYS_unlinkat,
            SYS_linkat,
            SYS_symlinkat,
            SYS_readlinkat,
            SYS_fchmodat,
            SYS_faccessat,
            SYS_pselect6,
            SYS_ppoll,
            SYS_utimensat,
            SYS_epoll_pwait,
            SYS_eventfd,
            SYS_accept4,
            SYS_eventfd2,
            SYS_epoll_create1,
            SYS_dup3,
            SYS_pipe2,
            SYS_prlimit64,
            SYS_renameat2,
            SYS_getrandom,
            SYS_statx,
            SYS_faccessat2,
            SYS_getitimer,
            SYS_rt_sigqueueinfo,
        );
        assert_eq!(nrs.len(), SYSCALLS.len() + EXTENSIONS.len());
        for (sys, nr) in nrs {
            let name = sys.strip_prefix("SYS_").unwrap();
            let s = by_name(name).unwrap_or_else(|| panic!("{name} missing from the table"));
            assert_eq!(i64::from(s.nr_x86_64), nr, "{name}");
        }
    }

    /// aarch64 numbers against the kernel's asm-generic table, when the build host has the headers.
    #[test]
    fn aarch64_numbers_match_asm_generic() {
        let Ok(text) = std::fs::read_to_string("/usr/include/asm-generic/unistd.h") else {
            eprintln!("skipped: /usr/include/asm-generic/unistd.h not found");
            return;
        };
        let mut generic = std::collections::HashMap::new();
        for line in text.lines() {
            let mut it = line.split_whitespace();
            if it.next() == Some("#define")
                && let (Some(name), Some(val)) = (it.next(), it.next())
                && let Ok(v) = val.parse::<u32>()
            {
                if let Some(name) = name.strip_prefix("__NR_") {
                    generic.insert(name.to_string(), v);
                }
                // 64-bit names: `#define __NR3264_fstatat 79` etc.
                if let Some(name) = name.strip_prefix("__NR3264_") {
                    generic.insert(format!("3264_{name}"), v);
                }
            }
        }
        let alias = |name: &str| -> Option<u32> {
            match name {
                "newfstatat" => generic.get("3264_fstatat").copied(),
                "fstat" => generic.get("3264_fstat").copied(),
                "fstatfs" => generic.get("3264_fstatfs").copied(),
                "statfs" => generic.get("3264_statfs").copied(),
                "fcntl" => generic.get("3264_fcntl").copied(),
                "ftruncate" => generic.get("3264_ftruncate").copied(),
                "lseek" => generic.get("3264_lseek").copied(),
                "mmap" => generic.get("3264_mmap").copied(),
                "fadvise" => generic.get("3264_fadvise64").copied(),
                other => generic.get(other).copied(),
            }
        };
        for s in all() {
            match s.nr_aarch64 {
                Some(nr) => assert_eq!(alias(s.name), Some(nr), "{}", s.name),
                None => assert_eq!(alias(s.name), None, "{} exists in asm-generic", s.name),
            }
            if let Aarch64::Rewrite { via, nr, .. } = s.aarch64 {
                assert_eq!(alias(via), Some(nr), "{} via {via}", s.name);
            }
        }
    }
}
