//! Guest struct layouts (WALI-ABI.md §7) and the converters between guest bytes and host structs.
//!
//! A WALI guest is wasm32 with 4-byte pointers and `size_t` but 8-byte `long`, so its structs are laid
//! out like neither the wasm32 nor the x86_64 C ABI. Every struct a syscall argument points to is
//! described here once, as a [`Layout`]: guest size, alignment and field offsets, and how it relates to
//! the 64-bit Linux kernel's layout ([`HostLayout`]). Most of them are identical to the kernel's, so a
//! translated guest pointer can be handed to the kernel as is. The few that differ (`iovec`, `msghdr`,
//! the packed `k_sigaction`, `stack_t`, the pselect6 mask argument, and on aarch64 hosts `stat` and
//! `epoll_event`) get a small guest-side value type with `read`/`write` on byte slices and pure
//! conversion functions to and from the host struct.
//!
//! The converters never touch guest memory themselves except through [`GuestMemory`], a two-method
//! view of linear memory the runtime implements; nested guest pointers (an iovec's base, a msghdr's
//! name) are translated through it with the usual rule: guest 0 becomes host NULL, a range that leaves
//! linear memory is [`ConvError::Fault`] (`-EFAULT`, never a host access).
//!
//! The same tables generate the C structs of the guest header (`guest_header.rs`), which asserts every
//! size and offset at compile time.

use std::ffi::c_void;

/// Every guest layout the syscall table refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayoutId {
    Timespec,
    Timeval,
    Timezone,
    Itimerval,
    Rlimit,
    Rusage,
    Sysinfo,
    Utsname,
    Statfs,
    StatxTimestamp,
    Statx,
    Pollfd,
    FdSet,
    Sigset,
    CpuSet,
    Sockaddr,
    Dirent64,
    Flock,
    FOwnerEx,
    Winsize,
    Termios,
    Cmsghdr,
    Stat,
    Iovec,
    Msghdr,
    KSigaction,
    StackT,
    EpollEvent,
    Pselect6Sigmask,
    JmpBuf,
}

impl LayoutId {
    /// The layout's description.
    pub const fn layout(self) -> &'static Layout {
        match self {
            LayoutId::Timespec => &TIMESPEC,
            LayoutId::Timeval => &TIMEVAL,
            LayoutId::Timezone => &TIMEZONE,
            LayoutId::Itimerval => &ITIMERVAL,
            LayoutId::Rlimit => &RLIMIT,
            LayoutId::Rusage => &RUSAGE,
            LayoutId::Sysinfo => &SYSINFO,
            LayoutId::Utsname => &UTSNAME,
            LayoutId::Statfs => &STATFS,
            LayoutId::StatxTimestamp => &STATX_TIMESTAMP,
            LayoutId::Statx => &STATX,
            LayoutId::Pollfd => &POLLFD,
            LayoutId::FdSet => &FD_SET,
            LayoutId::Sigset => &SIGSET,
            LayoutId::CpuSet => &CPU_SET,
            LayoutId::Sockaddr => &SOCKADDR,
            LayoutId::Dirent64 => &DIRENT64,
            LayoutId::Flock => &FLOCK,
            LayoutId::FOwnerEx => &F_OWNER_EX,
            LayoutId::Winsize => &WINSIZE,
            LayoutId::Termios => &TERMIOS,
            LayoutId::Cmsghdr => &CMSGHDR,
            LayoutId::Stat => &STAT,
            LayoutId::Iovec => &IOVEC,
            LayoutId::Msghdr => &MSGHDR,
            LayoutId::KSigaction => &K_SIGACTION,
            LayoutId::StackT => &STACK_T,
            LayoutId::EpollEvent => &EPOLL_EVENT,
            LayoutId::Pselect6Sigmask => &PSELECT6_SIGMASK,
            LayoutId::JmpBuf => &JMP_BUF,
        }
    }

    /// Guest size in bytes.
    pub const fn size(self) -> u32 {
        self.layout().size
    }
}

/// One guest struct as the guest sees it.
#[derive(Debug)]
pub struct Layout {
    pub id: LayoutId,
    /// Name in the guest header: the C struct is `struct wali_<name>`.
    pub name: &'static str,
    /// What the guest libc / the spec call it.
    pub c_name: &'static str,
    pub size: u32,
    pub align: u32,
    /// Declared `__attribute__((packed))` in the guest (k_sigaction, epoll_event).
    pub packed: bool,
    /// Named fields in offset order; implicit alignment padding is not listed.
    pub fields: &'static [Field],
    pub host: HostLayout,
}

impl Layout {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether a translated guest pointer to this struct can go to the kernel unchanged on `arch`.
    pub const fn same_as_host(&self, arch: crate::Arch) -> bool {
        match self.host {
            HostLayout::Same | HostLayout::Prefix { .. } => true,
            HostLayout::SameOnX86_64 { .. } => matches!(arch, crate::Arch::X86_64),
            HostLayout::Different { .. } | HostLayout::Opaque => false,
        }
    }
}

/// How a guest layout relates to the 64-bit Linux kernel's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostLayout {
    /// Byte-for-byte the kernel's layout on x86_64 and aarch64: translate the pointer, no copy.
    Same,
    /// The kernel reads/writes only the first `kernel_size` bytes; the rest is guest-only reserve.
    Prefix { kernel_size: u32 },
    /// The kernel's layout on x86_64; on aarch64 the kernel uses `aarch64_size` bytes laid out
    /// differently, and the runtime converts (`stat`, `epoll_event`).
    SameOnX86_64 { aarch64_size: u32 },
    /// Always converted: the host struct has `host_size` bytes (pointers and `size_t` widen to 8).
    Different { host_size: u32 },
    /// Never handed to the kernel (`jmp_buf`).
    Opaque,
}

/// One named field of a guest layout.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub offset: u32,
    pub ty: FieldType,
}

/// Field types. Pointers, function pointers and `size_t` are 4 bytes in the guest; in the generated C
/// header they are declared as real pointers / `size_t` so that the same struct has the host layout
/// when a test guest is compiled natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    /// `char name[n]`
    Chars(u32),
    I32Array(u32),
    U32Array(u32),
    I64Array(u32),
    U64Array(u32),
    /// A data pointer (guest offset); the string is the pointee C type in the header (`void`, ...).
    Ptr(&'static str),
    /// A function pointer (table-0 index); the string is the header's parameter list (`int`).
    FnPtr(&'static str),
    /// `size_t` (u32 in the guest)
    SizeT,
    /// A nested struct.
    Struct(LayoutId),
}

impl FieldType {
    /// Guest size in bytes.
    pub const fn size(self) -> u32 {
        match self {
            FieldType::I8 | FieldType::U8 => 1,
            FieldType::I16 | FieldType::U16 => 2,
            FieldType::I32 | FieldType::U32 => 4,
            FieldType::I64 | FieldType::U64 => 8,
            FieldType::Chars(n) => n,
            FieldType::I32Array(n) | FieldType::U32Array(n) => 4 * n,
            FieldType::I64Array(n) | FieldType::U64Array(n) => 8 * n,
            FieldType::Ptr(_) | FieldType::FnPtr(_) | FieldType::SizeT => 4,
            FieldType::Struct(id) => id.size(),
        }
    }
}

const fn f(name: &'static str, offset: u32, ty: FieldType) -> Field {
    Field { name, offset, ty }
}

use FieldType as T;

pub static TIMESPEC: Layout = Layout {
    id: LayoutId::Timespec,
    name: "timespec",
    c_name: "struct timespec",
    size: 16,
    align: 8,
    packed: false,
    fields: &[f("tv_sec", 0, T::I64), f("tv_nsec", 8, T::I64)],
    host: HostLayout::Same,
};

pub static TIMEVAL: Layout = Layout {
    id: LayoutId::Timeval,
    name: "timeval",
    c_name: "struct timeval",
    size: 16,
    align: 8,
    packed: false,
    fields: &[f("tv_sec", 0, T::I64), f("tv_usec", 8, T::I64)],
    host: HostLayout::Same,
};

pub static TIMEZONE: Layout = Layout {
    id: LayoutId::Timezone,
    name: "timezone",
    c_name: "struct timezone",
    size: 8,
    align: 4,
    packed: false,
    fields: &[f("tz_minuteswest", 0, T::I32), f("tz_dsttime", 4, T::I32)],
    host: HostLayout::Same,
};

pub static ITIMERVAL: Layout = Layout {
    id: LayoutId::Itimerval,
    name: "itimerval",
    c_name: "struct itimerval",
    size: 32,
    align: 8,
    packed: false,
    fields: &[f("it_interval", 0, T::Struct(LayoutId::Timeval)), f("it_value", 16, T::Struct(LayoutId::Timeval))],
    host: HostLayout::Same,
};

pub static RLIMIT: Layout = Layout {
    id: LayoutId::Rlimit,
    name: "rlimit",
    c_name: "struct rlimit",
    size: 16,
    align: 8,
    packed: false,
    fields: &[f("rlim_cur", 0, T::U64), f("rlim_max", 8, T::U64)],
    host: HostLayout::Same,
};

pub static RUSAGE: Layout = Layout {
    id: LayoutId::Rusage,
    name: "rusage",
    c_name: "struct rusage",
    size: 272,
    align: 8,
    packed: false,
    fields: &[
        f("ru_utime", 0, T::Struct(LayoutId::Timeval)),
        f("ru_stime", 16, T::Struct(LayoutId::Timeval)),
        f("ru_maxrss", 32, T::I64),
        f("ru_ixrss", 40, T::I64),
        f("ru_idrss", 48, T::I64),
        f("ru_isrss", 56, T::I64),
        f("ru_minflt", 64, T::I64),
        f("ru_majflt", 72, T::I64),
        f("ru_nswap", 80, T::I64),
        f("ru_inblock", 88, T::I64),
        f("ru_oublock", 96, T::I64),
        f("ru_msgsnd", 104, T::I64),
        f("ru_msgrcv", 112, T::I64),
        f("ru_nsignals", 120, T::I64),
        f("ru_nvcsw", 128, T::I64),
        f("ru_nivcsw", 136, T::I64),
        f("__reserved", 144, T::I64Array(16)),
    ],
    host: HostLayout::Prefix { kernel_size: 144 },
};

pub static SYSINFO: Layout = Layout {
    id: LayoutId::Sysinfo,
    name: "sysinfo",
    c_name: "struct sysinfo",
    size: 368,
    align: 8,
    packed: false,
    fields: &[
        f("uptime", 0, T::I64),
        f("loads", 8, T::U64Array(3)),
        f("totalram", 32, T::U64),
        f("freeram", 40, T::U64),
        f("sharedram", 48, T::U64),
        f("bufferram", 56, T::U64),
        f("totalswap", 64, T::U64),
        f("freeswap", 72, T::U64),
        f("procs", 80, T::U16),
        f("pad", 82, T::U16),
        f("totalhigh", 88, T::U64),
        f("freehigh", 96, T::U64),
        f("mem_unit", 104, T::U32),
        f("__reserved", 108, T::Chars(256)),
    ],
    host: HostLayout::Prefix { kernel_size: 112 },
};

pub static UTSNAME: Layout = Layout {
    id: LayoutId::Utsname,
    name: "utsname",
    c_name: "struct utsname",
    size: 390,
    align: 1,
    packed: false,
    fields: &[
        f("sysname", 0, T::Chars(65)),
        f("nodename", 65, T::Chars(65)),
        f("release", 130, T::Chars(65)),
        f("version", 195, T::Chars(65)),
        f("machine", 260, T::Chars(65)),
        f("domainname", 325, T::Chars(65)),
    ],
    host: HostLayout::Same,
};

pub static STATFS: Layout = Layout {
    id: LayoutId::Statfs,
    name: "statfs",
    c_name: "struct statfs",
    size: 120,
    align: 8,
    packed: false,
    fields: &[
        f("f_type", 0, T::I64),
        f("f_bsize", 8, T::I64),
        f("f_blocks", 16, T::U64),
        f("f_bfree", 24, T::U64),
        f("f_bavail", 32, T::U64),
        f("f_files", 40, T::U64),
        f("f_ffree", 48, T::U64),
        f("f_fsid", 56, T::I32Array(2)),
        f("f_namelen", 64, T::I64),
        f("f_frsize", 72, T::I64),
        f("f_flags", 80, T::I64),
        f("f_spare", 88, T::I64Array(4)),
    ],
    host: HostLayout::Same,
};

pub static STATX_TIMESTAMP: Layout = Layout {
    id: LayoutId::StatxTimestamp,
    name: "statx_timestamp",
    c_name: "struct statx_timestamp",
    size: 16,
    align: 8,
    packed: false,
    fields: &[f("tv_sec", 0, T::I64), f("tv_nsec", 8, T::U32), f("__reserved", 12, T::I32)],
    host: HostLayout::Same,
};

pub static STATX: Layout = Layout {
    id: LayoutId::Statx,
    name: "statx",
    c_name: "struct statx",
    size: 256,
    align: 8,
    packed: false,
    fields: &[
        f("stx_mask", 0, T::U32),
        f("stx_blksize", 4, T::U32),
        f("stx_attributes", 8, T::U64),
        f("stx_nlink", 16, T::U32),
        f("stx_uid", 20, T::U32),
        f("stx_gid", 24, T::U32),
        f("stx_mode", 28, T::U16),
        f("__spare0", 30, T::U16),
        f("stx_ino", 32, T::U64),
        f("stx_size", 40, T::U64),
        f("stx_blocks", 48, T::U64),
        f("stx_attributes_mask", 56, T::U64),
        f("stx_atime", 64, T::Struct(LayoutId::StatxTimestamp)),
        f("stx_btime", 80, T::Struct(LayoutId::StatxTimestamp)),
        f("stx_ctime", 96, T::Struct(LayoutId::StatxTimestamp)),
        f("stx_mtime", 112, T::Struct(LayoutId::StatxTimestamp)),
        f("stx_rdev_major", 128, T::U32),
        f("stx_rdev_minor", 132, T::U32),
        f("stx_dev_major", 136, T::U32),
        f("stx_dev_minor", 140, T::U32),
        f("__spare2", 144, T::U64Array(14)),
    ],
    host: HostLayout::Same,
};

pub static POLLFD: Layout = Layout {
    id: LayoutId::Pollfd,
    name: "pollfd",
    c_name: "struct pollfd",
    size: 8,
    align: 4,
    packed: false,
    fields: &[f("fd", 0, T::I32), f("events", 4, T::I16), f("revents", 6, T::I16)],
    host: HostLayout::Same,
};

pub static FD_SET: Layout = Layout {
    id: LayoutId::FdSet,
    name: "fd_set",
    c_name: "fd_set",
    size: 128,
    align: 8,
    packed: false,
    fields: &[f("fds_bits", 0, T::U64Array(16))],
    host: HostLayout::Same,
};

/// The guest `sigset_t` is 128 bytes; the kernel reads/writes only `sigsetsize` (8) bytes of it, with
/// the same bit layout (bit n-1 = signal n).
pub static SIGSET: Layout = Layout {
    id: LayoutId::Sigset,
    name: "sigset",
    c_name: "sigset_t",
    size: 128,
    align: 8,
    packed: false,
    fields: &[f("bits", 0, T::U64Array(16))],
    host: HostLayout::Same,
};

pub static CPU_SET: Layout = Layout {
    id: LayoutId::CpuSet,
    name: "cpu_set",
    c_name: "cpu_set_t",
    size: 128,
    align: 8,
    packed: false,
    fields: &[f("bits", 0, T::U64Array(16))],
    host: HostLayout::Same,
};

/// Generic `struct sockaddr`; every family's sockaddr is passed through byte for byte.
pub static SOCKADDR: Layout = Layout {
    id: LayoutId::Sockaddr,
    name: "sockaddr",
    c_name: "struct sockaddr",
    size: 16,
    align: 2,
    packed: false,
    fields: &[f("sa_family", 0, T::U16), f("sa_data", 2, T::Chars(14))],
    host: HostLayout::Same,
};

/// A `getdents64` record header (`struct linux_dirent64`) with the guest's 256-byte name; real records
/// are variable-length (`d_reclen`) and used as the kernel writes them.
pub static DIRENT64: Layout = Layout {
    id: LayoutId::Dirent64,
    name: "dirent64",
    c_name: "struct dirent",
    size: 280,
    align: 8,
    packed: false,
    fields: &[
        f("d_ino", 0, T::U64),
        f("d_off", 8, T::I64),
        f("d_reclen", 16, T::U16),
        f("d_type", 18, T::U8),
        f("d_name", 19, T::Chars(256)),
    ],
    host: HostLayout::Same,
};

pub static FLOCK: Layout = Layout {
    id: LayoutId::Flock,
    name: "flock",
    c_name: "struct flock",
    size: 32,
    align: 8,
    packed: false,
    fields: &[
        f("l_type", 0, T::I16),
        f("l_whence", 2, T::I16),
        f("l_start", 8, T::I64),
        f("l_len", 16, T::I64),
        f("l_pid", 24, T::I32),
    ],
    host: HostLayout::Same,
};

pub static F_OWNER_EX: Layout = Layout {
    id: LayoutId::FOwnerEx,
    name: "f_owner_ex",
    c_name: "struct f_owner_ex",
    size: 8,
    align: 4,
    packed: false,
    fields: &[f("type", 0, T::I32), f("pid", 4, T::I32)],
    host: HostLayout::Same,
};

pub static WINSIZE: Layout = Layout {
    id: LayoutId::Winsize,
    name: "winsize",
    c_name: "struct winsize",
    size: 8,
    align: 2,
    packed: false,
    fields: &[f("ws_row", 0, T::U16), f("ws_col", 2, T::U16), f("ws_xpixel", 4, T::U16), f("ws_ypixel", 6, T::U16)],
    host: HostLayout::Same,
};

/// The kernel `struct termios` that `TCGETS`/`TCSETS*` move (the guest libc's 60-byte struct starts
/// with it).
pub static TERMIOS: Layout = Layout {
    id: LayoutId::Termios,
    name: "termios",
    c_name: "struct termios (kernel)",
    size: 36,
    align: 4,
    packed: false,
    fields: &[
        f("c_iflag", 0, T::U32),
        f("c_oflag", 4, T::U32),
        f("c_cflag", 8, T::U32),
        f("c_lflag", 12, T::U32),
        f("c_line", 16, T::U8),
        f("c_cc", 17, T::Chars(19)),
    ],
    host: HostLayout::Same,
};

/// Control-message header inside `msg_control`. The guest's 32-bit `cmsg_len` plus a zero pad reads
/// as the kernel's 64-bit length (WALI-ABI.md §16.8).
pub static CMSGHDR: Layout = Layout {
    id: LayoutId::Cmsghdr,
    name: "cmsghdr",
    c_name: "struct cmsghdr",
    size: 16,
    align: 4,
    packed: false,
    fields: &[f("cmsg_len", 0, T::U32), f("__pad1", 4, T::U32), f("cmsg_level", 8, T::I32), f("cmsg_type", 12, T::I32)],
    host: HostLayout::Same,
};

/// The x86_64 kernel `struct stat`, on every host.
pub static STAT: Layout = Layout {
    id: LayoutId::Stat,
    name: "stat",
    c_name: "struct stat",
    size: 144,
    align: 8,
    packed: false,
    fields: &[
        f("st_dev", 0, T::U64),
        f("st_ino", 8, T::U64),
        f("st_nlink", 16, T::U64),
        f("st_mode", 24, T::U32),
        f("st_uid", 28, T::U32),
        f("st_gid", 32, T::U32),
        f("__pad0", 36, T::I32),
        f("st_rdev", 40, T::U64),
        f("st_size", 48, T::I64),
        f("st_blksize", 56, T::I64),
        f("st_blocks", 64, T::I64),
        f("st_atim", 72, T::Struct(LayoutId::Timespec)),
        f("st_mtim", 88, T::Struct(LayoutId::Timespec)),
        f("st_ctim", 104, T::Struct(LayoutId::Timespec)),
        f("__unused", 120, T::I64Array(3)),
    ],
    host: HostLayout::SameOnX86_64 { aarch64_size: 128 },
};

pub static IOVEC: Layout = Layout {
    id: LayoutId::Iovec,
    name: "iovec",
    c_name: "struct iovec",
    size: 8,
    align: 4,
    packed: false,
    fields: &[f("iov_base", 0, T::Ptr("void")), f("iov_len", 4, T::SizeT)],
    host: HostLayout::Different { host_size: 16 },
};

pub static MSGHDR: Layout = Layout {
    id: LayoutId::Msghdr,
    name: "msghdr",
    c_name: "struct msghdr",
    size: 36,
    align: 4,
    packed: false,
    fields: &[
        f("msg_name", 0, T::Ptr("void")),
        f("msg_namelen", 4, T::U32),
        f("msg_iov", 8, T::Ptr("struct wali_iovec")),
        f("msg_iovlen", 12, T::I32),
        f("__pad1", 16, T::I32),
        f("msg_control", 20, T::Ptr("void")),
        f("msg_controllen", 24, T::U32),
        f("__pad2", 28, T::I32),
        f("msg_flags", 32, T::I32),
    ],
    host: HostLayout::Different { host_size: 56 },
};

/// What wali-musl passes to `rt_sigaction`: its packed kernel-style struct, not the 144-byte
/// user-level `struct sigaction` of the spec's `types_abi.py` (WALI-ABI.md §7.3, §16.6).
pub static K_SIGACTION: Layout = Layout {
    id: LayoutId::KSigaction,
    name: "k_sigaction",
    c_name: "struct k_sigaction",
    size: 24,
    align: 1,
    packed: true,
    fields: &[
        f("handler", 0, T::FnPtr("int")),
        f("flags", 4, T::U64),
        f("restorer", 12, T::FnPtr("void")),
        f("mask", 16, T::U32Array(2)),
    ],
    host: HostLayout::Different { host_size: 32 },
};

pub static STACK_T: Layout = Layout {
    id: LayoutId::StackT,
    name: "stack",
    c_name: "stack_t",
    size: 12,
    align: 4,
    packed: false,
    fields: &[f("ss_sp", 0, T::Ptr("void")), f("ss_flags", 4, T::I32), f("ss_size", 8, T::SizeT)],
    host: HostLayout::Different { host_size: 24 },
};

/// Packed in the guest on every host; the x86_64 kernel's is packed too, aarch64's is not.
pub static EPOLL_EVENT: Layout = Layout {
    id: LayoutId::EpollEvent,
    name: "epoll_event",
    c_name: "struct epoll_event",
    size: 12,
    align: 1,
    packed: true,
    fields: &[f("events", 0, T::U32), f("data", 4, T::U64)],
    host: HostLayout::SameOnX86_64 { aarch64_size: 16 },
};

/// pselect6's 6th argument: {sigset pointer as u64 (guest offset in the low 32 bits), sigset size}.
pub static PSELECT6_SIGMASK: Layout = Layout {
    id: LayoutId::Pselect6Sigmask,
    name: "pselect6_sigmask",
    c_name: "pselect6 data",
    size: 16,
    align: 8,
    packed: false,
    fields: &[f("ss", 0, T::U64), f("ss_len", 8, T::U64)],
    host: HostLayout::Different { host_size: 16 },
};

/// The guest `jmp_buf` (opaque to the runtime; setjmp-family aux imports, §12).
pub static JMP_BUF: Layout = Layout {
    id: LayoutId::JmpBuf,
    name: "jmp_buf",
    c_name: "jmp_buf",
    size: 344,
    align: 8,
    packed: false,
    fields: &[f("__jb", 0, T::U64Array(26)), f("__fl", 208, T::U64), f("__ss", 216, T::U64Array(16))],
    host: HostLayout::Opaque,
};

/// Every layout, in dependency order (a struct comes after the structs it contains).
pub static LAYOUTS: &[&Layout] = &[
    &TIMESPEC,
    &TIMEVAL,
    &TIMEZONE,
    &ITIMERVAL,
    &RLIMIT,
    &RUSAGE,
    &SYSINFO,
    &UTSNAME,
    &STATFS,
    &STATX_TIMESTAMP,
    &STATX,
    &POLLFD,
    &FD_SET,
    &SIGSET,
    &CPU_SET,
    &SOCKADDR,
    &DIRENT64,
    &FLOCK,
    &F_OWNER_EX,
    &WINSIZE,
    &TERMIOS,
    &CMSGHDR,
    &STAT,
    &IOVEC,
    &MSGHDR,
    &K_SIGACTION,
    &STACK_T,
    &EPOLL_EVENT,
    &PSELECT6_SIGMASK,
    &JMP_BUF,
];

// ---------------------------------------------------------------------------------------------------
// Guest memory access for nested pointers.
// ---------------------------------------------------------------------------------------------------

/// Why a conversion failed; each maps to the errno the guest gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConvError {
    /// A guest pointer or range outside linear memory.
    #[error("guest pointer outside linear memory")]
    Fault,
    /// An element count the kernel would refuse (e.g. more than `UIO_MAXIOV` iovecs).
    #[error("invalid argument")]
    Invalid,
    /// `msg_iovlen` too large.
    #[error("message too long")]
    MsgSize,
    /// An argv/envp array longer than the runtime accepts.
    #[error("argument list too long")]
    TooBig,
}

impl ConvError {
    /// The positive errno value (the guest sees its negation).
    pub const fn errno(self) -> i32 {
        match self {
            ConvError::Fault => libc::EFAULT,
            ConvError::Invalid => libc::EINVAL,
            ConvError::MsgSize => libc::EMSGSIZE,
            ConvError::TooBig => libc::E2BIG,
        }
    }
}

/// A view of a guest's linear memory for translating nested pointers.
///
/// # Safety
/// `base()` must point to at least `size()` bytes that stay mapped (and are readable and writable
/// unless the guest itself changed their protection) for as long as the pointers the provided methods
/// return are used. `size()` may only grow during that time.
pub unsafe trait GuestMemory {
    /// Host address of guest offset 0.
    fn base(&self) -> *mut u8;
    /// Current size of linear memory in bytes.
    fn size(&self) -> u64;

    /// Host address of `[ptr, ptr + len)`, or `None` if the range is not inside linear memory.
    fn host_range(&self, ptr: u32, len: u64) -> Option<*mut u8> {
        let end = u64::from(ptr).checked_add(len)?;
        (end <= self.size()).then(|| self.base().wrapping_add(ptr as usize))
    }

    /// The WALI pointer rule: guest 0 is host NULL; otherwise the range must be inside memory.
    fn translate(&self, ptr: u32, len: u64) -> Result<*mut c_void, ConvError> {
        if ptr == 0 {
            return Ok(std::ptr::null_mut());
        }
        self.host_range(ptr, len).map(|p| p.cast()).ok_or(ConvError::Fault)
    }

    /// Guest offset of a host address inside linear memory (`None` for NULL or outside).
    fn guest_offset(&self, host: *const c_void) -> Option<u32> {
        let off = (host as usize).checked_sub(self.base() as usize)?;
        (host as usize != 0 && (off as u64) < self.size()).then_some(off as u32)
    }

    /// Copies `buf.len()` guest bytes at `ptr` into `buf`. The default reads them one by one
    /// (volatile: other threads may write them); the WALI host overrides it with a copy that
    /// survives a page the guest protected.
    fn load(&self, ptr: u32, buf: &mut [u8]) -> Result<(), ConvError> {
        let p = self.host_range(ptr, buf.len() as u64).ok_or(ConvError::Fault)?;
        for (i, byte) in buf.iter_mut().enumerate() {
            // SAFETY: inside linear memory (trait contract).
            *byte = unsafe { p.add(i).read_volatile() };
        }
        Ok(())
    }

    /// The index of the first NUL in `[ptr, ptr + max)` (all of it inside memory), or `max`.
    /// Overridden like [`load`](Self::load).
    fn scan_nul(&self, ptr: u32, max: u64) -> Result<u64, ConvError> {
        let p = self.host_range(ptr, max).ok_or(ConvError::Fault)?;
        for i in 0..max {
            // SAFETY: `ptr + i < ptr + max <= size()`, inside linear memory.
            if unsafe { p.add(i as usize).read_volatile() } == 0 {
                return Ok(i);
            }
        }
        Ok(max)
    }

    /// Reads a little-endian u32 at guest offset `ptr`.
    fn read_u32(&self, ptr: u32) -> Result<u32, ConvError> {
        let mut b = [0u8; 4];
        self.load(ptr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Length of the NUL-terminated guest string at `ptr`, bounded by the end of memory.
    fn c_str_len(&self, ptr: u32) -> Result<u32, ConvError> {
        let avail = self.size().checked_sub(u64::from(ptr)).ok_or(ConvError::Fault)?;
        let len = self.scan_nul(ptr, avail)?;
        if len == avail {
            return Err(ConvError::Fault);
        }
        Ok(len as u32)
    }
}

fn rd_u32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn rd_u64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}
fn wr_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
fn wr_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

// ---------------------------------------------------------------------------------------------------
// iovec
// ---------------------------------------------------------------------------------------------------

/// Guest `struct iovec`: {u32 iov_base @0, u32 iov_len @4}, 8 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestIovec {
    pub base: u32,
    pub len: u32,
}

/// Upper bound the kernel puts on iovec counts (`UIO_MAXIOV`).
pub const UIO_MAXIOV: u32 = 1024;

impl GuestIovec {
    pub const SIZE: usize = 8;

    pub fn read(b: &[u8]) -> Self {
        GuestIovec { base: rd_u32(b, 0), len: rd_u32(b, 4) }
    }

    pub fn write(&self, b: &mut [u8]) {
        wr_u32(b, 0, self.base);
        wr_u32(b, 4, self.len);
    }

    /// The host iovec: base translated (0 → NULL), length zero-extended.
    pub fn to_host(&self, mem: &(impl GuestMemory + ?Sized)) -> Result<libc::iovec, ConvError> {
        Ok(libc::iovec { iov_base: mem.translate(self.base, u64::from(self.len))?, iov_len: self.len as usize })
    }
}

/// Converts a guest iovec array (`count` × 8 bytes, already copied out of guest memory) into `out`.
/// Counts above [`UIO_MAXIOV`] are left to the caller (the kernel answers `-EINVAL`).
pub fn iovecs_to_host(
    guest: &[u8],
    mem: &(impl GuestMemory + ?Sized),
    out: &mut Vec<libc::iovec>,
) -> Result<(), ConvError> {
    out.clear();
    for chunk in guest.chunks_exact(GuestIovec::SIZE) {
        out.push(GuestIovec::read(chunk).to_host(mem)?);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// msghdr
// ---------------------------------------------------------------------------------------------------

/// Guest `struct msghdr` (36 bytes, §7.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestMsghdr {
    pub name: u32,
    pub namelen: u32,
    pub iov: u32,
    pub iovlen: i32,
    pub control: u32,
    pub controllen: u32,
    pub flags: i32,
}

impl GuestMsghdr {
    pub const SIZE: usize = 36;
    pub const OFF_NAMELEN: usize = 4;
    pub const OFF_CONTROLLEN: usize = 24;
    pub const OFF_FLAGS: usize = 32;

    pub fn read(b: &[u8]) -> Self {
        GuestMsghdr {
            name: rd_u32(b, 0),
            namelen: rd_u32(b, 4),
            iov: rd_u32(b, 8),
            iovlen: rd_u32(b, 12) as i32,
            control: rd_u32(b, 20),
            controllen: rd_u32(b, 24),
            flags: rd_u32(b, 32) as i32,
        }
    }

    /// Writes every field; the pads at 16 and 28 are written as 0.
    pub fn write(&self, b: &mut [u8]) {
        wr_u32(b, 0, self.name);
        wr_u32(b, 4, self.namelen);
        wr_u32(b, 8, self.iov);
        wr_u32(b, 12, self.iovlen as u32);
        wr_u32(b, 16, 0);
        wr_u32(b, 20, self.control);
        wr_u32(b, 24, self.controllen);
        wr_u32(b, 28, 0);
        wr_u32(b, 32, self.flags as u32);
    }

    /// Byte length of the guest iovec array this header points to.
    pub fn iov_bytes(&self) -> Result<u32, ConvError> {
        let n = self.iovlen as u32;
        if n > UIO_MAXIOV {
            return Err(ConvError::MsgSize);
        }
        Ok(n * GuestIovec::SIZE as u32)
    }

    /// The host msghdr. `guest_iov` holds the `iov_bytes()` bytes at `self.iov`, copied out of guest
    /// memory; the converted iovecs go to `host_iov`, which the result points into, so `host_iov` must
    /// outlive the host call and not be touched in between.
    pub fn to_host(
        &self,
        mem: &(impl GuestMemory + ?Sized),
        guest_iov: &[u8],
        host_iov: &mut Vec<libc::iovec>,
    ) -> Result<libc::msghdr, ConvError> {
        let iov_bytes = self.iov_bytes()?;
        debug_assert_eq!(guest_iov.len(), iov_bytes as usize);
        iovecs_to_host(guest_iov, mem, host_iov)?;
        // SAFETY: msghdr is plain data; all-zero is a valid value (and zeroes glibc's private pads).
        let mut h: libc::msghdr = unsafe { std::mem::zeroed() };
        h.msg_name = mem.translate(self.name, u64::from(self.namelen))?;
        h.msg_namelen = self.namelen;
        h.msg_iov = if self.iovlen == 0 && self.iov == 0 { std::ptr::null_mut() } else { host_iov.as_mut_ptr() };
        h.msg_iovlen = host_iov.len() as _;
        h.msg_control = mem.translate(self.control, u64::from(self.controllen))?;
        h.msg_controllen = self.controllen as _;
        h.msg_flags = self.flags;
        Ok(h)
    }

    /// After `recvmsg`: take the lengths and flags the kernel updated (the reference does not, §16.10).
    pub fn update_from_host(&mut self, host: &libc::msghdr) {
        self.namelen = host.msg_namelen;
        self.controllen = host.msg_controllen as u32;
        self.flags = host.msg_flags;
    }
}

// ---------------------------------------------------------------------------------------------------
// k_sigaction
// ---------------------------------------------------------------------------------------------------

/// Guest handler value for `SIG_DFL`.
pub const GUEST_SIG_DFL: u32 = 0;
/// Guest handler value for `SIG_IGN` — **-2** in WALI, not musl's usual 1.
pub const GUEST_SIG_IGN: u32 = 0xFFFF_FFFE;
/// Guest handler value for `SIG_ERR`.
pub const GUEST_SIG_ERR: u32 = 0xFFFF_FFFF;

/// What a guest k_sigaction handler field means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestHandler {
    Default,
    Ignore,
    Error,
    /// A table-0 index of a guest function.
    Function(u32),
}

impl GuestHandler {
    pub const fn from_raw(v: u32) -> Self {
        match v {
            GUEST_SIG_DFL => GuestHandler::Default,
            GUEST_SIG_IGN => GuestHandler::Ignore,
            GUEST_SIG_ERR => GuestHandler::Error,
            i => GuestHandler::Function(i),
        }
    }

    pub const fn to_raw(self) -> u32 {
        match self {
            GuestHandler::Default => GUEST_SIG_DFL,
            GuestHandler::Ignore => GUEST_SIG_IGN,
            GuestHandler::Error => GUEST_SIG_ERR,
            GuestHandler::Function(i) => i,
        }
    }
}

/// Guest packed k_sigaction: `{u32 handler @0, u64 flags @4, u32 restorer @12, u32 mask[2] @16}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestKSigaction {
    pub handler: u32,
    pub flags: u64,
    pub restorer: u32,
    /// Signals 1..64, bit n-1 = signal n (the two u32 words read as one little-endian u64).
    pub mask: u64,
}

/// The kernel's `struct sigaction` for `rt_sigaction` on x86_64 and aarch64 (32 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostKSigaction {
    pub handler: usize,
    pub flags: u64,
    pub restorer: usize,
    pub mask: u64,
}

impl GuestKSigaction {
    pub const SIZE: usize = 24;

    pub fn read(b: &[u8]) -> Self {
        GuestKSigaction { handler: rd_u32(b, 0), flags: rd_u64(b, 4), restorer: rd_u32(b, 12), mask: rd_u64(b, 16) }
    }

    pub fn write(&self, b: &mut [u8]) {
        wr_u32(b, 0, self.handler);
        wr_u64(b, 4, self.flags);
        wr_u32(b, 12, self.restorer);
        wr_u64(b, 16, self.mask);
    }

    pub const fn handler(&self) -> GuestHandler {
        GuestHandler::from_raw(self.handler)
    }

    /// The host action (§10.1): DFL/IGN/ERR map to the host values, a guest function to the runtime's
    /// `native_handler`; flags and mask unchanged; the guest restorer is replaced by the runtime's.
    pub fn to_host(&self, native_handler: usize, restorer: usize) -> HostKSigaction {
        let handler = match self.handler() {
            GuestHandler::Default => libc::SIG_DFL,
            GuestHandler::Ignore => libc::SIG_IGN,
            GuestHandler::Error => libc::SIG_ERR,
            GuestHandler::Function(_) => native_handler,
        };
        HostKSigaction { handler, flags: self.flags, restorer, mask: self.mask }
    }

    /// The guest's view of a host action: host DFL/IGN/ERR map to 0/-2/-1, anything else to the guest
    /// function `registered` that the runtime recorded for the signal. The restorer reads as 0.
    pub fn from_host(host: &HostKSigaction, registered: u32) -> Self {
        let handler = match host.handler {
            libc::SIG_DFL => GuestHandler::Default,
            libc::SIG_IGN => GuestHandler::Ignore,
            libc::SIG_ERR => GuestHandler::Error,
            _ => GuestHandler::Function(registered),
        };
        GuestKSigaction { handler: handler.to_raw(), flags: host.flags, restorer: 0, mask: host.mask }
    }
}

// ---------------------------------------------------------------------------------------------------
// stack_t
// ---------------------------------------------------------------------------------------------------

/// Guest `stack_t`: {u32 ss_sp @0, i32 ss_flags @4, u32 ss_size @8}, 12 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestStackT {
    pub sp: u32,
    pub flags: i32,
    pub size: u32,
}

impl GuestStackT {
    pub const SIZE: usize = 12;

    pub fn read(b: &[u8]) -> Self {
        GuestStackT { sp: rd_u32(b, 0), flags: rd_u32(b, 4) as i32, size: rd_u32(b, 8) }
    }

    pub fn write(&self, b: &mut [u8]) {
        wr_u32(b, 0, self.sp);
        wr_u32(b, 4, self.flags as u32);
        wr_u32(b, 8, self.size);
    }

    /// Host `stack_t` with `ss_sp` translated. A disabled stack (`SS_DISABLE`) needs no valid range.
    pub fn to_host(&self, mem: &(impl GuestMemory + ?Sized)) -> Result<libc::stack_t, ConvError> {
        let sp = if self.flags & libc::SS_DISABLE != 0 {
            mem.host_range(self.sp, 0).map_or(std::ptr::null_mut(), |p| p.cast())
        } else {
            mem.translate(self.sp, u64::from(self.size))?
        };
        Ok(libc::stack_t { ss_sp: sp, ss_flags: self.flags, ss_size: self.size as usize })
    }

    /// Guest view of a host `stack_t`: `ss_sp` becomes a guest offset, or 0 if it is not inside
    /// linear memory; the size saturates at `u32::MAX`.
    pub fn from_host(host: &libc::stack_t, mem: &(impl GuestMemory + ?Sized)) -> Self {
        GuestStackT {
            sp: mem.guest_offset(host.ss_sp).unwrap_or(0),
            flags: host.ss_flags,
            size: u32::try_from(host.ss_size).unwrap_or(u32::MAX),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// epoll_event
// ---------------------------------------------------------------------------------------------------

/// Guest packed `epoll_event`: {u32 events @0, u64 data @4}, 12 bytes on every host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestEpollEvent {
    pub events: u32,
    pub data: u64,
}

/// aarch64 kernel `epoll_event`: {u32 events @0, pad, u64 data @8}, 16 bytes.
pub mod aarch64_epoll_event {
    pub const SIZE: usize = 16;
    pub const EVENTS: usize = 0;
    pub const DATA: usize = 8;
}

impl GuestEpollEvent {
    pub const SIZE: usize = 12;

    pub fn read(b: &[u8]) -> Self {
        GuestEpollEvent { events: rd_u32(b, 0), data: rd_u64(b, 4) }
    }

    pub fn write(&self, b: &mut [u8]) {
        wr_u32(b, 0, self.events);
        wr_u64(b, 4, self.data);
    }

    /// The host's `libc::epoll_event` (packed on x86_64, 16 bytes on aarch64).
    pub fn to_host(&self) -> libc::epoll_event {
        libc::epoll_event { events: self.events, u64: self.data }
    }

    pub fn from_host(host: &libc::epoll_event) -> Self {
        GuestEpollEvent { events: host.events, data: host.u64 }
    }

    /// The aarch64 kernel bytes (usable on any build host, e.g. for tests).
    pub fn to_aarch64_host(&self) -> [u8; aarch64_epoll_event::SIZE] {
        let mut b = [0u8; aarch64_epoll_event::SIZE];
        wr_u32(&mut b, aarch64_epoll_event::EVENTS, self.events);
        wr_u64(&mut b, aarch64_epoll_event::DATA, self.data);
        b
    }

    pub fn from_aarch64_host(b: &[u8]) -> Self {
        GuestEpollEvent { events: rd_u32(b, aarch64_epoll_event::EVENTS), data: rd_u64(b, aarch64_epoll_event::DATA) }
    }
}

// ---------------------------------------------------------------------------------------------------
// stat (aarch64 host → guest x86_64 layout)
// ---------------------------------------------------------------------------------------------------

/// The aarch64 kernel `struct stat` (asm-generic, 128 bytes): byte offsets.
pub mod aarch64_stat {
    pub const SIZE: usize = 128;
    pub const DEV: usize = 0;
    pub const INO: usize = 8;
    pub const MODE: usize = 16;
    pub const NLINK: usize = 20;
    pub const UID: usize = 24;
    pub const GID: usize = 28;
    pub const RDEV: usize = 32;
    pub const SIZE_: usize = 48;
    pub const BLKSIZE: usize = 56;
    pub const BLOCKS: usize = 64;
    pub const ATIM: usize = 72;
    pub const MTIM: usize = 88;
    pub const CTIM: usize = 104;
}

/// The guest (x86_64) `struct stat`: byte offsets.
pub mod guest_stat {
    pub const SIZE: usize = 144;
    pub const DEV: usize = 0;
    pub const INO: usize = 8;
    pub const NLINK: usize = 16;
    pub const MODE: usize = 24;
    pub const UID: usize = 28;
    pub const GID: usize = 32;
    pub const PAD0: usize = 36;
    pub const RDEV: usize = 40;
    pub const SIZE_: usize = 48;
    pub const BLKSIZE: usize = 56;
    pub const BLOCKS: usize = 64;
    pub const ATIM: usize = 72;
    pub const MTIM: usize = 88;
    pub const CTIM: usize = 104;
}

/// Writes the guest x86_64 `struct stat` from an aarch64 kernel `struct stat` (§7.3): nlink widens to
/// u64, blksize to i64, pad0 becomes 0; the last 24 bytes of the guest struct are left untouched.
pub fn stat_from_aarch64_host(host: &[u8], guest: &mut [u8]) {
    use aarch64_stat as h;
    use guest_stat as g;
    let host = &host[..h::SIZE];
    let guest = &mut guest[..g::SIZE];
    wr_u64(guest, g::DEV, rd_u64(host, h::DEV));
    wr_u64(guest, g::INO, rd_u64(host, h::INO));
    wr_u64(guest, g::NLINK, u64::from(rd_u32(host, h::NLINK)));
    wr_u32(guest, g::MODE, rd_u32(host, h::MODE));
    wr_u32(guest, g::UID, rd_u32(host, h::UID));
    wr_u32(guest, g::GID, rd_u32(host, h::GID));
    wr_u32(guest, g::PAD0, 0);
    wr_u64(guest, g::RDEV, rd_u64(host, h::RDEV));
    wr_u64(guest, g::SIZE_, rd_u64(host, h::SIZE_));
    wr_u64(guest, g::BLKSIZE, i64::from(rd_u32(host, h::BLKSIZE) as i32) as u64);
    wr_u64(guest, g::BLOCKS, rd_u64(host, h::BLOCKS));
    for (ho, go) in [(h::ATIM, g::ATIM), (h::MTIM, g::MTIM), (h::CTIM, g::CTIM)] {
        guest[go..go + 16].copy_from_slice(&host[ho..ho + 16]);
    }
}

// ---------------------------------------------------------------------------------------------------
// pselect6 6th argument
// ---------------------------------------------------------------------------------------------------

/// Guest pselect6 mask argument: {u64 sigset pointer (guest offset in the low 32 bits), u64 size}.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestPselect6Sigmask {
    pub sigset: u32,
    pub size: u64,
}

/// The kernel's pselect6 6th argument: {const sigset_t *ss, size_t ss_len}.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct HostPselect6Sigmask {
    pub ss: *const c_void,
    pub ss_len: usize,
}

impl GuestPselect6Sigmask {
    pub const SIZE: usize = 16;

    /// Reads the struct; only the low 32 bits of the pointer word are used (as the reference does).
    pub fn read(b: &[u8]) -> Self {
        GuestPselect6Sigmask { sigset: rd_u64(b, 0) as u32, size: rd_u64(b, 8) }
    }

    pub fn write(&self, b: &mut [u8]) {
        wr_u64(b, 0, u64::from(self.sigset));
        wr_u64(b, 8, self.size);
    }

    pub fn to_host(&self, mem: &(impl GuestMemory + ?Sized)) -> Result<HostPselect6Sigmask, ConvError> {
        Ok(HostPselect6Sigmask { ss: mem.translate(self.sigset, self.size)?.cast_const(), ss_len: self.size as usize })
    }
}

// ---------------------------------------------------------------------------------------------------
// execve string arrays
// ---------------------------------------------------------------------------------------------------

/// Most entries an argv/envp array may have before the runtime answers `-E2BIG`.
pub const MAX_STR_ARRAY: u32 = 1 << 20;

/// Converts a NULL-terminated guest array of string pointers at `ptr` into host `char*`s (strings are
/// used in place), with the terminating NULL. A `ptr` of 0 gives `None` (the kernel gets NULL).
pub fn str_array_to_host(
    mem: &(impl GuestMemory + ?Sized),
    ptr: u32,
) -> Result<Option<Vec<*const libc::c_char>>, ConvError> {
    if ptr == 0 {
        return Ok(None);
    }
    let mut out = Vec::new();
    for i in 0..MAX_STR_ARRAY {
        let at = ptr.checked_add(i * 4).ok_or(ConvError::Fault)?;
        let s = mem.read_u32(at)?;
        if s == 0 {
            out.push(std::ptr::null());
            return Ok(Some(out));
        }
        let len = mem.c_str_len(s)?;
        out.push(mem.translate(s, u64::from(len) + 1)?.cast_const().cast());
    }
    Err(ConvError::TooBig)
}

// ---------------------------------------------------------------------------------------------------
// Time values used by the aarch64 emulations of poll and select.
// ---------------------------------------------------------------------------------------------------

/// `poll`'s millisecond timeout as a `ppoll` timespec; negative means "no timeout" (NULL).
pub fn poll_timeout_to_timespec(ms: i32) -> Option<libc::timespec> {
    (ms >= 0).then(|| libc::timespec { tv_sec: (ms / 1000) as _, tv_nsec: ((ms % 1000) * 1_000_000) as _ })
}

/// `select`'s timeval as `pselect6`'s timespec (§16.7: the reference passes the timeval unconverted).
pub fn timeval_to_timespec(tv: &libc::timeval) -> libc::timespec {
    libc::timespec { tv_sec: tv.tv_sec, tv_nsec: (tv.tv_usec * 1000) as _ }
}

/// The remaining time pselect6 wrote back, as the timeval Linux `select` writes back.
pub fn timespec_to_timeval(ts: &libc::timespec) -> libc::timeval {
    libc::timeval { tv_sec: ts.tv_sec, tv_usec: (ts.tv_nsec / 1000) as _ }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// Linear memory backed by a Vec, for converter tests.
    struct VecMem(std::cell::UnsafeCell<Vec<u8>>);
    // SAFETY: base and size describe the Vec's buffer, which is never reallocated.
    unsafe impl GuestMemory for VecMem {
        fn base(&self) -> *mut u8 {
            // SAFETY: single-threaded tests; no reference to the Vec is held across calls.
            unsafe { (*self.0.get()).as_mut_ptr() }
        }
        fn size(&self) -> u64 {
            // SAFETY: as above.
            unsafe { (*self.0.get()).len() as u64 }
        }
    }
    impl VecMem {
        fn new(n: usize) -> Self {
            VecMem(std::cell::UnsafeCell::new(vec![0; n]))
        }
        fn put(&self, at: u32, bytes: &[u8]) {
            // SAFETY: as above.
            let v = unsafe { &mut *self.0.get() };
            v[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        }
    }

    #[test]
    fn every_layout_is_self_consistent() {
        for l in LAYOUTS {
            assert!(std::ptr::eq(l.id.layout(), *l), "{} id mismatch", l.name);
            let mut end = 0;
            for fld in l.fields {
                assert!(fld.offset >= end, "{}.{} overlaps", l.name, fld.name);
                if !l.packed {
                    let a = natural_align(fld.ty);
                    assert_eq!(fld.offset % a, 0, "{}.{} misaligned", l.name, fld.name);
                }
                end = fld.offset + fld.ty.size();
            }
            assert!(end <= l.size, "{} fields exceed size", l.name);
            assert_eq!(l.size % l.align, 0, "{} size not a multiple of align", l.name);
            let round = end.div_ceil(l.align) * l.align;
            assert_eq!(round, l.size, "{}: size is not the fields rounded to align", l.name);
        }
        // Dependency order: nested structs come first.
        for (i, l) in LAYOUTS.iter().enumerate() {
            for fld in l.fields {
                if let FieldType::Struct(inner) = fld.ty {
                    let j = LAYOUTS.iter().position(|x| x.id == inner).unwrap();
                    assert!(j < i, "{} must come after {}", l.name, inner.layout().name);
                }
            }
        }
    }

    fn natural_align(t: FieldType) -> u32 {
        match t {
            FieldType::Chars(_) | FieldType::I8 | FieldType::U8 => 1,
            FieldType::I16 | FieldType::U16 => 2,
            FieldType::I32 | FieldType::U32 | FieldType::I32Array(_) | FieldType::U32Array(_) => 4,
            FieldType::I64 | FieldType::U64 | FieldType::I64Array(_) | FieldType::U64Array(_) => 8,
            FieldType::Ptr(_) | FieldType::FnPtr(_) | FieldType::SizeT => 4,
            FieldType::Struct(id) => id.layout().align,
        }
    }

    #[test]
    fn converter_constants_match_tables() {
        assert_eq!(GuestIovec::SIZE as u32, IOVEC.size);
        assert_eq!(GuestMsghdr::SIZE as u32, MSGHDR.size);
        assert_eq!(GuestMsghdr::OFF_NAMELEN as u32, MSGHDR.field("msg_namelen").unwrap().offset);
        assert_eq!(GuestMsghdr::OFF_CONTROLLEN as u32, MSGHDR.field("msg_controllen").unwrap().offset);
        assert_eq!(GuestMsghdr::OFF_FLAGS as u32, MSGHDR.field("msg_flags").unwrap().offset);
        assert_eq!(GuestKSigaction::SIZE as u32, K_SIGACTION.size);
        assert_eq!(GuestStackT::SIZE as u32, STACK_T.size);
        assert_eq!(GuestEpollEvent::SIZE as u32, EPOLL_EVENT.size);
        assert_eq!(GuestPselect6Sigmask::SIZE as u32, PSELECT6_SIGMASK.size);
        assert_eq!(guest_stat::SIZE as u32, STAT.size);
        for (name, off) in [
            ("st_dev", guest_stat::DEV),
            ("st_ino", guest_stat::INO),
            ("st_nlink", guest_stat::NLINK),
            ("st_mode", guest_stat::MODE),
            ("st_uid", guest_stat::UID),
            ("st_gid", guest_stat::GID),
            ("__pad0", guest_stat::PAD0),
            ("st_rdev", guest_stat::RDEV),
            ("st_size", guest_stat::SIZE_),
            ("st_blksize", guest_stat::BLKSIZE),
            ("st_blocks", guest_stat::BLOCKS),
            ("st_atim", guest_stat::ATIM),
            ("st_mtim", guest_stat::MTIM),
            ("st_ctim", guest_stat::CTIM),
        ] {
            assert_eq!(STAT.field(name).unwrap().offset as usize, off, "{name}");
        }
        if let HostLayout::SameOnX86_64 { aarch64_size } = STAT.host {
            assert_eq!(aarch64_size as usize, aarch64_stat::SIZE);
        }
        if let HostLayout::SameOnX86_64 { aarch64_size } = EPOLL_EVENT.host {
            assert_eq!(aarch64_size as usize, aarch64_epoll_event::SIZE);
        }
    }

    /// Host-size claims that hold on any 64-bit Linux host.
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    #[test]
    fn host_sizes_of_converted_structs() {
        let host = |id: LayoutId| match id.layout().host {
            HostLayout::Different { host_size } => host_size as usize,
            other => panic!("{id:?}: {other:?}"),
        };
        assert_eq!(host(LayoutId::Iovec), size_of::<libc::iovec>());
        assert_eq!(host(LayoutId::Msghdr), size_of::<libc::msghdr>());
        assert_eq!(host(LayoutId::StackT), size_of::<libc::stack_t>());
        assert_eq!(host(LayoutId::KSigaction), size_of::<HostKSigaction>());
        assert_eq!(host(LayoutId::Pselect6Sigmask), size_of::<HostPselect6Sigmask>());
        assert_eq!(offset_of!(libc::msghdr, msg_namelen), 8);
        assert_eq!(offset_of!(libc::msghdr, msg_iov), 16);
        assert_eq!(offset_of!(libc::msghdr, msg_iovlen), 24);
        assert_eq!(offset_of!(libc::msghdr, msg_control), 32);
        assert_eq!(offset_of!(libc::msghdr, msg_controllen), 40);
        assert_eq!(offset_of!(libc::msghdr, msg_flags), 48);
        assert_eq!(offset_of!(libc::stack_t, ss_flags), 8);
        assert_eq!(offset_of!(libc::stack_t, ss_size), 16);
        assert_eq!(
            match RUSAGE.host {
                HostLayout::Prefix { kernel_size } => kernel_size as usize,
                _ => 0,
            },
            size_of::<libc::rusage>()
        );
        assert_eq!(
            match SYSINFO.host {
                HostLayout::Prefix { kernel_size } => kernel_size as usize,
                _ => 0,
            },
            size_of::<libc::sysinfo>()
        );
    }

    /// Layouts we pass through unchanged on x86_64 must equal libc's (the kernel's) exactly.
    #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
    #[test]
    fn pass_through_layouts_equal_libc_on_x86_64() {
        macro_rules! check {
            ($layout:expr, $ty:ty, [$($field:ident),* $(,)?]) => {{
                let l: &Layout = &$layout;
                if !matches!(l.host, HostLayout::Prefix { .. }) {
                    assert_eq!(l.size as usize, size_of::<$ty>(), "{} size", l.name);
                }
                $(
                    assert_eq!(
                        l.field(stringify!($field)).unwrap_or_else(|| panic!("{}.{}", l.name, stringify!($field))).offset as usize,
                        offset_of!($ty, $field),
                        "{}.{}", l.name, stringify!($field)
                    );
                )*
            }};
        }
        check!(TIMESPEC, libc::timespec, [tv_sec, tv_nsec]);
        check!(TIMEVAL, libc::timeval, [tv_sec, tv_usec]);
        // libc's `timezone` is opaque; the kernel's is {int, int}.
        check!(ITIMERVAL, libc::itimerval, [it_interval, it_value]);
        check!(RLIMIT, libc::rlimit, [rlim_cur, rlim_max]);
        check!(
            RUSAGE,
            libc::rusage,
            [
                ru_utime,
                ru_stime,
                ru_maxrss,
                ru_ixrss,
                ru_idrss,
                ru_isrss,
                ru_minflt,
                ru_majflt,
                ru_nswap,
                ru_inblock,
                ru_oublock,
                ru_msgsnd,
                ru_msgrcv,
                ru_nsignals,
                ru_nvcsw,
                ru_nivcsw
            ]
        );
        check!(
            SYSINFO,
            libc::sysinfo,
            [
                uptime, loads, totalram, freeram, sharedram, bufferram, totalswap, freeswap, procs, pad, totalhigh,
                freehigh, mem_unit
            ]
        );
        check!(UTSNAME, libc::utsname, [sysname, nodename, release, version, machine, domainname]);
        check!(
            STATFS,
            libc::statfs,
            [f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize]
        );
        check!(STATX_TIMESTAMP, libc::statx_timestamp, [tv_sec, tv_nsec]);
        check!(
            STATX,
            libc::statx,
            [
                stx_mask,
                stx_blksize,
                stx_attributes,
                stx_nlink,
                stx_uid,
                stx_gid,
                stx_mode,
                stx_ino,
                stx_size,
                stx_blocks,
                stx_attributes_mask,
                stx_atime,
                stx_btime,
                stx_ctime,
                stx_mtime,
                stx_rdev_major,
                stx_rdev_minor,
                stx_dev_major,
                stx_dev_minor
            ]
        );
        check!(POLLFD, libc::pollfd, [fd, events, revents]);
        check!(FD_SET, libc::fd_set, []);
        check!(CPU_SET, libc::cpu_set_t, []);
        check!(SOCKADDR, libc::sockaddr, [sa_family, sa_data]);
        check!(DIRENT64, libc::dirent64, [d_ino, d_off, d_reclen, d_type, d_name]);
        check!(FLOCK, libc::flock, [l_type, l_whence, l_start, l_len, l_pid]);
        check!(WINSIZE, libc::winsize, [ws_row, ws_col, ws_xpixel, ws_ypixel]);
        check!(
            STAT,
            libc::stat,
            [st_dev, st_ino, st_nlink, st_mode, st_uid, st_gid, st_rdev, st_size, st_blksize, st_blocks]
        );
        assert_eq!(STAT.field("st_atim").unwrap().offset as usize, offset_of!(libc::stat, st_atime));
        assert_eq!(STAT.field("st_mtim").unwrap().offset as usize, offset_of!(libc::stat, st_mtime));
        assert_eq!(STAT.field("st_ctim").unwrap().offset as usize, offset_of!(libc::stat, st_ctime));
        check!(EPOLL_EVENT, libc::epoll_event, []);
        assert_eq!(offset_of!(libc::epoll_event, u64), 4);
        // Kernel termios (glibc's `struct termios` is larger); compare with the common prefix.
        assert_eq!(offset_of!(libc::termios, c_line), 16);
        assert_eq!(offset_of!(libc::termios, c_cc), 17);
        // cmsghdr: guest {u32 len, u32 pad} is the kernel's u64 length when the pad is 0.
        assert_eq!(size_of::<libc::cmsghdr>(), CMSGHDR.size as usize);
        assert_eq!(offset_of!(libc::cmsghdr, cmsg_level), 8);
        assert_eq!(offset_of!(libc::cmsghdr, cmsg_type), 12);
        assert_eq!(size_of::<libc::sigset_t>(), SIGSET.size as usize);
    }

    #[test]
    fn iovec_round_trip_and_translation() {
        let mem = VecMem::new(4096);
        let mut g = [0u8; 16];
        GuestIovec { base: 100, len: 10 }.write(&mut g[0..8]);
        GuestIovec { base: 0, len: 0 }.write(&mut g[8..16]);
        let mut out = Vec::new();
        iovecs_to_host(&g, &mem, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].iov_base as usize, mem.base() as usize + 100);
        assert_eq!(out[0].iov_len, 10);
        assert!(out[1].iov_base.is_null());
        // Out of range → EFAULT.
        GuestIovec { base: 4090, len: 10 }.write(&mut g[0..8]);
        assert_eq!(iovecs_to_host(&g, &mem, &mut out), Err(ConvError::Fault));
        assert_eq!(ConvError::Fault.errno(), 14);
    }

    #[test]
    fn msghdr_to_host_and_back() {
        let mem = VecMem::new(4096);
        let m = GuestMsghdr { name: 64, namelen: 16, iov: 128, iovlen: 1, control: 256, controllen: 32, flags: 0 };
        let mut b = [0xAAu8; 36];
        m.write(&mut b);
        assert_eq!(GuestMsghdr::read(&b), m);
        assert_eq!(rd_u32(&b, 16), 0);
        assert_eq!(rd_u32(&b, 28), 0);
        let mut iov = [0u8; 8];
        GuestIovec { base: 512, len: 100 }.write(&mut iov);
        let mut host_iov = Vec::new();
        let h = m.to_host(&mem, &iov, &mut host_iov).unwrap();
        assert_eq!(h.msg_name as usize, mem.base() as usize + 64);
        assert_eq!(h.msg_iovlen, 1);
        // SAFETY: msg_iov points at host_iov's one element.
        assert_eq!(unsafe { (*h.msg_iov).iov_len }, 100);
        assert_eq!(h.msg_control as usize, mem.base() as usize + 256);
        let mut back = m;
        let mut h2 = h;
        h2.msg_namelen = 4;
        h2.msg_controllen = 20;
        h2.msg_flags = libc::MSG_TRUNC;
        back.update_from_host(&h2);
        assert_eq!((back.namelen, back.controllen, back.flags), (4, 20, libc::MSG_TRUNC));
        let too_many = GuestMsghdr { iovlen: 2000, ..m };
        assert_eq!(too_many.iov_bytes(), Err(ConvError::MsgSize));
    }

    #[test]
    fn k_sigaction_packed_layout_and_handlers() {
        let g = GuestKSigaction { handler: 7, flags: 0x0400_0004, restorer: 3, mask: 1 << 9 };
        let mut b = [0u8; 24];
        g.write(&mut b);
        assert_eq!(&b[0..4], &7u32.to_le_bytes());
        assert_eq!(&b[4..12], &0x0400_0004u64.to_le_bytes());
        assert_eq!(&b[16..20], &(1u32 << 9).to_le_bytes());
        assert_eq!(GuestKSigaction::read(&b), g);
        let h = g.to_host(0x1234, 0x5678);
        assert_eq!((h.handler, h.restorer, h.flags, h.mask), (0x1234, 0x5678, g.flags, g.mask));
        let ign = GuestKSigaction { handler: GUEST_SIG_IGN, ..g };
        assert_eq!(ign.to_host(0x1234, 0).handler, libc::SIG_IGN);
        assert_eq!(GuestKSigaction::from_host(&ign.to_host(0x1234, 0), 0).handler, GUEST_SIG_IGN);
        assert_eq!(GuestKSigaction::from_host(&h, 7).handler, 7);
        assert_eq!(GuestHandler::from_raw(0), GuestHandler::Default);
        assert_eq!(GuestHandler::from_raw(u32::MAX), GuestHandler::Error);
    }

    #[test]
    fn stack_t_round_trip() {
        let mem = VecMem::new(65536);
        let g = GuestStackT { sp: 4096, flags: 0, size: 8192 };
        let h = g.to_host(&mem).unwrap();
        assert_eq!(h.ss_sp as usize, mem.base() as usize + 4096);
        assert_eq!(GuestStackT::from_host(&h, &mem), g);
        let outside = libc::stack_t { ss_sp: 0x10 as *mut c_void, ss_flags: libc::SS_DISABLE, ss_size: 0 };
        assert_eq!(GuestStackT::from_host(&outside, &mem).sp, 0);
        let too_big = GuestStackT { sp: 60000, flags: 0, size: 8192 };
        assert_eq!(too_big.to_host(&mem).unwrap_err(), ConvError::Fault);
    }

    #[test]
    fn epoll_event_conversions() {
        let e = GuestEpollEvent { events: 5, data: 0x1122_3344_5566_7788 };
        let mut b = [0u8; 12];
        e.write(&mut b);
        assert_eq!(&b[4..12], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(GuestEpollEvent::read(&b), e);
        assert_eq!(GuestEpollEvent::from_host(&e.to_host()), e);
        let a = e.to_aarch64_host();
        assert_eq!(&a[8..16], &0x1122_3344_5566_7788u64.to_le_bytes());
        assert_eq!(GuestEpollEvent::from_aarch64_host(&a), e);
    }

    #[test]
    fn stat_from_aarch64() {
        let mut h = [0u8; 128];
        wr_u64(&mut h, aarch64_stat::DEV, 1);
        wr_u64(&mut h, aarch64_stat::INO, 2);
        wr_u32(&mut h, aarch64_stat::MODE, 0o100644);
        wr_u32(&mut h, aarch64_stat::NLINK, 3);
        wr_u32(&mut h, aarch64_stat::UID, 4);
        wr_u32(&mut h, aarch64_stat::GID, 5);
        wr_u64(&mut h, aarch64_stat::RDEV, 6);
        wr_u64(&mut h, aarch64_stat::SIZE_, 7);
        wr_u32(&mut h, aarch64_stat::BLKSIZE, 4096);
        wr_u64(&mut h, aarch64_stat::BLOCKS, 8);
        wr_u64(&mut h, aarch64_stat::ATIM, 9);
        wr_u64(&mut h, aarch64_stat::ATIM + 8, 10);
        wr_u64(&mut h, aarch64_stat::CTIM + 8, 11);
        let mut g = [0xEEu8; 144];
        stat_from_aarch64_host(&h, &mut g);
        assert_eq!(rd_u64(&g, guest_stat::DEV), 1);
        assert_eq!(rd_u64(&g, guest_stat::INO), 2);
        assert_eq!(rd_u64(&g, guest_stat::NLINK), 3);
        assert_eq!(rd_u32(&g, guest_stat::MODE), 0o100644);
        assert_eq!(rd_u32(&g, guest_stat::UID), 4);
        assert_eq!(rd_u32(&g, guest_stat::GID), 5);
        assert_eq!(rd_u32(&g, guest_stat::PAD0), 0);
        assert_eq!(rd_u64(&g, guest_stat::RDEV), 6);
        assert_eq!(rd_u64(&g, guest_stat::SIZE_), 7);
        assert_eq!(rd_u64(&g, guest_stat::BLKSIZE), 4096);
        assert_eq!(rd_u64(&g, guest_stat::BLOCKS), 8);
        assert_eq!(rd_u64(&g, guest_stat::ATIM), 9);
        assert_eq!(rd_u64(&g, guest_stat::ATIM + 8), 10);
        assert_eq!(rd_u64(&g, guest_stat::CTIM + 8), 11);
        assert!(g[120..].iter().all(|&b| b == 0xEE), "tail untouched");
    }

    #[test]
    fn pselect6_sigmask_and_str_arrays() {
        let mem = VecMem::new(4096);
        let mut b = [0u8; 16];
        wr_u64(&mut b, 0, 0xFFFF_FFFF_0000_0200);
        wr_u64(&mut b, 8, 8);
        let s = GuestPselect6Sigmask::read(&b);
        assert_eq!(s.sigset, 0x200);
        let h = s.to_host(&mem).unwrap();
        assert_eq!(h.ss as usize, mem.base() as usize + 0x200);
        assert_eq!(h.ss_len, 8);
        let none = GuestPselect6Sigmask { sigset: 0, size: 8 };
        assert!(none.to_host(&mem).unwrap().ss.is_null());

        mem.put(1000, b"ls\0-l\0");
        mem.put(2000, &1000u32.to_le_bytes());
        mem.put(2004, &1003u32.to_le_bytes());
        mem.put(2008, &0u32.to_le_bytes());
        let v = str_array_to_host(&mem, 2000).unwrap().unwrap();
        assert_eq!(v.len(), 3);
        // SAFETY: the converter returns pointers to NUL-terminated strings in `mem`.
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(v[1]) }.to_bytes(), b"-l");
        assert!(v[2].is_null());
        assert_eq!(str_array_to_host(&mem, 0).unwrap(), None);
        // A string running off the end of memory is EFAULT.
        mem.put(4092, b"abcd");
        mem.put(2008, &4092u32.to_le_bytes());
        mem.put(2012, &0u32.to_le_bytes());
        assert_eq!(str_array_to_host(&mem, 2000), Err(ConvError::Fault));
    }

    #[test]
    fn time_conversions() {
        assert!(poll_timeout_to_timespec(-1).is_none());
        let t = poll_timeout_to_timespec(1500).unwrap();
        assert_eq!((t.tv_sec, t.tv_nsec), (1, 500_000_000));
        let tv = libc::timeval { tv_sec: 2, tv_usec: 250 };
        let ts = timeval_to_timespec(&tv);
        assert_eq!((ts.tv_sec, ts.tv_nsec), (2, 250_000));
        let back = timespec_to_timeval(&ts);
        assert_eq!((back.tv_sec, back.tv_usec), (2, 250));
    }
}
