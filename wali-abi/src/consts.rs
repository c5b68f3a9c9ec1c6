//! Guest ABI constants (WALI-ABI.md §2): the x86_64 Linux values, on every host.
//!
//! Each constant exists once, as a Rust `const` for the runtime and as an entry of [`CONSTANTS`], from
//! which the guest header emits `#define`s. Only the constants our runtime or test guests need are
//! listed; add more as tests need them. On an aarch64 host the only values that differ are four `O_*`
//! bits ([`o_flags_swap_aarch64`], §14).

/// How the header writes a value (purely cosmetic, except that hex keeps bit masks unsigned in C).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    Dec,
    Hex,
    Oct,
}

/// One guest constant.
#[derive(Clone, Copy, Debug)]
pub struct Const {
    pub name: &'static str,
    pub value: i64,
    /// Header section it is listed under.
    pub group: &'static str,
    pub radix: Radix,
}

macro_rules! guest_consts {
    ($( $group:literal { $( $name:ident = $val:expr $(=> $radix:ident)? ),* $(,)? } )*) => {
        $( $( pub const $name: i64 = $val; )* )*
        /// Every constant, grouped as the header lists them.
        pub static CONSTANTS: &[Const] = &[
            $( $( Const {
                name: stringify!($name),
                value: $name,
                group: $group,
                radix: guest_consts!(@radix $($radix)?),
            }, )* )*
        ];
    };
    (@radix) => { Radix::Dec };
    (@radix $r:ident) => { Radix::$r };
}

guest_consts! {
    "open flags" {
        O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3,
        O_CREAT = 0o100 => Oct, O_EXCL = 0o200 => Oct, O_NOCTTY = 0o400 => Oct,
        O_TRUNC = 0o1000 => Oct, O_APPEND = 0o2000 => Oct, O_NONBLOCK = 0o4000 => Oct,
        O_DSYNC = 0o10000 => Oct, O_ASYNC = 0o20000 => Oct, O_DIRECT = 0o40000 => Oct,
        O_LARGEFILE = 0o100000 => Oct, O_DIRECTORY = 0o200000 => Oct,
        O_NOFOLLOW = 0o400000 => Oct, O_NOATIME = 0o1000000 => Oct,
        O_CLOEXEC = 0o2000000 => Oct, O_SYNC = 0o4010000 => Oct, O_PATH = 0o10000000 => Oct,
        O_TMPFILE = 0o20200000 => Oct,
    }
    "*at flags" {
        AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100 => Hex, AT_REMOVEDIR = 0x200 => Hex,
        AT_SYMLINK_FOLLOW = 0x400 => Hex, AT_EACCESS = 0x200 => Hex, AT_EMPTY_PATH = 0x1000 => Hex,
        RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2,
    }
    "lseek, access" {
        SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2,
        F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4,
    }
    "fcntl" {
        F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
        F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_SETOWN_EX = 15, F_GETOWN_EX = 16,
        F_GETOWNER_UIDS = 17, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38,
        F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1,
        F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2,
        LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8,
    }
    "file modes" {
        S_IFMT = 0o170000 => Oct, S_IFSOCK = 0o140000 => Oct, S_IFLNK = 0o120000 => Oct,
        S_IFREG = 0o100000 => Oct, S_IFBLK = 0o60000 => Oct, S_IFDIR = 0o40000 => Oct,
        S_IFCHR = 0o20000 => Oct, S_IFIFO = 0o10000 => Oct,
        DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10,
        DT_SOCK = 12,
        STATX_TYPE = 1, STATX_MODE = 2, STATX_SIZE = 0x200 => Hex,
        STATX_BASIC_STATS = 0x7ff => Hex,
        UTIME_NOW = 0x3fffffff => Hex, UTIME_OMIT = 0x3ffffffe => Hex,
    }
    "memory" {
        PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4,
        MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10 => Hex, MAP_ANONYMOUS = 0x20 => Hex,
        MAP_NORESERVE = 0x4000 => Hex, MAP_FIXED_NOREPLACE = 0x100000 => Hex,
        MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2,
        MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4,
        MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4,
        WALI_PAGE_SIZE = 4096, WASM_PAGE_SIZE = 65536,
    }
    "signals" {
        SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
        SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
        SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
        SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
        SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31,
        SIGRTMIN = 34, SIGRTMAX = 64, NSIG = 65,
        SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2,
        SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000 => Hex,
        SA_RESTART = 0x10000000 => Hex, SA_NODEFER = 0x40000000 => Hex,
        SA_RESETHAND = 0x80000000 => Hex, SA_RESTORER = 0x04000000 => Hex,
        SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048, SIGSTKSZ = 8192,
        KERNEL_SIGSET_SIZE = 8,
    }
    "process" {
        WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8,
        P_ALL = 0,
        PR_SET_NAME = 15, PR_GET_NAME = 16,
        RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1,
        RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
        RLIMIT_NOFILE = 7, RLIMIT_AS = 9,
        RLIM_INFINITY = -1 => Hex,
        ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2,
        CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
        CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_BOOTTIME = 7, TIMER_ABSTIME = 1,
        GRND_NONBLOCK = 1, GRND_RANDOM = 2,
    }
    "futex" {
        FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
        FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8,
        FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_WAIT_REQUEUE_PI = 11,
        FUTEX_CMP_REQUEUE_PI = 12, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256,
    }
    "io multiplexing" {
        POLLIN = 1, POLLPRI = 2, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10 => Hex,
        POLLNVAL = 0x20 => Hex,
        EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3,
        EPOLLIN = 1, EPOLLPRI = 2, EPOLLOUT = 4, EPOLLERR = 8, EPOLLHUP = 0x10 => Hex,
        EPOLLRDHUP = 0x2000 => Hex, EPOLLONESHOT = 0x40000000 => Hex, EPOLLET = 0x80000000 => Hex,
        EPOLL_CLOEXEC = 0o2000000 => Oct,
        EFD_SEMAPHORE = 1, EFD_NONBLOCK = 0o4000 => Oct, EFD_CLOEXEC = 0o2000000 => Oct,
        FD_SETSIZE = 1024,
    }
    "sockets" {
        AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10,
        SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5,
        SOCK_NONBLOCK = 0o4000 => Oct, SOCK_CLOEXEC = 0o2000000 => Oct,
        SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_BROADCAST = 6,
        SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21,
        SO_PASSCRED = 16, SO_PEERCRED = 17,
        IPPROTO_TCP = 6, IPPROTO_UDP = 17, TCP_NODELAY = 1,
        MSG_OOB = 1, MSG_PEEK = 2, MSG_DONTROUTE = 4, MSG_CTRUNC = 8, MSG_TRUNC = 0x20 => Hex,
        MSG_DONTWAIT = 0x40 => Hex, MSG_EOR = 0x80 => Hex, MSG_WAITALL = 0x100 => Hex,
        MSG_NOSIGNAL = 0x4000 => Hex, MSG_CMSG_CLOEXEC = 0x40000000 => Hex,
        SCM_RIGHTS = 1, SCM_CREDENTIALS = 2,
        SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2,
        INADDR_LOOPBACK = 0x7f000001 => Hex,
    }
    "terminal ioctls" {
        TCGETS = 0x5401 => Hex, TCSETS = 0x5402 => Hex, TCSETSW = 0x5403 => Hex,
        TCSETSF = 0x5404 => Hex, TCSBRK = 0x5409 => Hex, TCXONC = 0x540a => Hex,
        TCFLSH = 0x540b => Hex, TIOCSCTTY = 0x540e => Hex, TIOCGPGRP = 0x540f => Hex,
        TIOCSPGRP = 0x5410 => Hex, TIOCGWINSZ = 0x5413 => Hex, TIOCSWINSZ = 0x5414 => Hex,
        FIONREAD = 0x541b => Hex, FIONBIO = 0x5421 => Hex, FIOCLEX = 0x5451 => Hex,
        FIONCLEX = 0x5450 => Hex,
    }
    "errno" {
        EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
        EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
        ENOTBLK = 15, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20,
        EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26,
        EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33,
        ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38,
        ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42, EOVERFLOW = 75, EBADFD = 77, EILSEQ = 84,
        ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTOTYPE = 91, ENOPROTOOPT = 92,
        EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98,
        EADDRNOTAVAIL = 99, ENETUNREACH = 101, ECONNABORTED = 103, ECONNRESET = 104,
        ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111,
        EALREADY = 114, EINPROGRESS = 115,
    }
}

/// The O_* bits that differ between the guest (x86_64) and an aarch64 host: the guest's
/// `O_DIRECT 040000, O_LARGEFILE 0100000, O_DIRECTORY 0200000, O_NOFOLLOW 0400000` are aarch64's
/// `O_DIRECTORY 040000, O_NOFOLLOW 0100000, O_DIRECT 0200000, O_LARGEFILE 0400000`: swapping bit 14
/// with bit 16 and bit 15 with bit 17 translates in either direction (WALI-ABI.md §14).
pub const fn o_flags_swap_aarch64(flags: i32) -> i32 {
    let lo = (flags >> 14) & 0b11; // bits 14, 15
    let hi = (flags >> 16) & 0b11; // bits 16, 17
    (flags & !(0b1111 << 14)) | (lo << 16) | (hi << 14)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = CONSTANTS.iter().map(|c| c.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "duplicate constant name");
    }

    #[test]
    fn o_flag_swap_matches_aarch64_values() {
        // aarch64 values (asm-generic/fcntl.h overridden by arch/arm64/include/uapi/asm/fcntl.h).
        const A64_O_DIRECTORY: i32 = 0o40000;
        const A64_O_NOFOLLOW: i32 = 0o100000;
        const A64_O_DIRECT: i32 = 0o200000;
        const A64_O_LARGEFILE: i32 = 0o400000;
        let sw = o_flags_swap_aarch64;
        assert_eq!(sw(O_DIRECTORY as i32), A64_O_DIRECTORY);
        assert_eq!(sw(O_NOFOLLOW as i32), A64_O_NOFOLLOW);
        assert_eq!(sw(O_DIRECT as i32), A64_O_DIRECT);
        assert_eq!(sw(O_LARGEFILE as i32), A64_O_LARGEFILE);
        let f = (O_RDWR | O_CREAT | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW) as i32;
        assert_eq!(sw(sw(f)), f);
        assert_eq!(sw(f) & !(0b1111 << 14), f & !(0b1111 << 14), "other bits unchanged");
        assert_eq!(sw(O_TMPFILE as i32), 0o20000000 | A64_O_DIRECTORY);
    }

    /// The guest values are x86_64's; on an x86_64 build host they must equal libc's.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn values_equal_x86_64_libc() {
        macro_rules! same {
            // Compared as 32-bit patterns: libc declares some masks (SA_RESETHAND, EPOLLET) as negative c_int.
            ($($name:ident),* $(,)?) => { $( assert_eq!($name as i32, libc::$name as i32, stringify!($name)); )* };
        }
        same!(
            O_RDONLY,
            O_WRONLY,
            O_RDWR,
            O_CREAT,
            O_EXCL,
            O_NOCTTY,
            O_TRUNC,
            O_APPEND,
            O_NONBLOCK,
            O_DSYNC,
            O_ASYNC,
            O_DIRECT,
            O_DIRECTORY,
            O_NOFOLLOW,
            O_NOATIME,
            O_CLOEXEC,
            O_SYNC,
            O_PATH,
            O_TMPFILE,
            AT_FDCWD,
            AT_SYMLINK_NOFOLLOW,
            AT_REMOVEDIR,
            AT_SYMLINK_FOLLOW,
            AT_EACCESS,
            AT_EMPTY_PATH,
            F_DUPFD,
            F_GETFD,
            F_SETFD,
            F_GETFL,
            F_SETFL,
            F_GETLK,
            F_SETLK,
            F_SETLKW,
            F_SETOWN,
            F_GETOWN,
            F_OFD_GETLK,
            F_OFD_SETLK,
            F_OFD_SETLKW,
            F_DUPFD_CLOEXEC,
            FD_CLOEXEC,
            F_RDLCK,
            F_WRLCK,
            F_UNLCK,
            LOCK_SH,
            LOCK_EX,
            LOCK_NB,
            LOCK_UN,
            S_IFMT,
            S_IFSOCK,
            S_IFLNK,
            S_IFREG,
            S_IFBLK,
            S_IFDIR,
            S_IFCHR,
            S_IFIFO,
            DT_UNKNOWN,
            DT_FIFO,
            DT_CHR,
            DT_DIR,
            DT_BLK,
            DT_REG,
            DT_LNK,
            DT_SOCK,
            STATX_TYPE,
            STATX_MODE,
            STATX_SIZE,
            STATX_BASIC_STATS,
            UTIME_NOW,
            UTIME_OMIT,
            PROT_NONE,
            PROT_READ,
            PROT_WRITE,
            PROT_EXEC,
            MAP_SHARED,
            MAP_PRIVATE,
            MAP_FIXED,
            MAP_ANONYMOUS,
            MAP_NORESERVE,
            MAP_FIXED_NOREPLACE,
            MREMAP_MAYMOVE,
            MREMAP_FIXED,
            MS_ASYNC,
            MS_INVALIDATE,
            MS_SYNC,
            MADV_NORMAL,
            MADV_RANDOM,
            MADV_SEQUENTIAL,
            MADV_WILLNEED,
            MADV_DONTNEED,
            SIGHUP,
            SIGINT,
            SIGQUIT,
            SIGILL,
            SIGTRAP,
            SIGABRT,
            SIGBUS,
            SIGFPE,
            SIGKILL,
            SIGUSR1,
            SIGSEGV,
            SIGUSR2,
            SIGPIPE,
            SIGALRM,
            SIGTERM,
            SIGSTKFLT,
            SIGCHLD,
            SIGCONT,
            SIGSTOP,
            SIGTSTP,
            SIGTTIN,
            SIGTTOU,
            SIGURG,
            SIGXCPU,
            SIGXFSZ,
            SIGVTALRM,
            SIGPROF,
            SIGWINCH,
            SIGIO,
            SIGPWR,
            SIGSYS,
            SIG_BLOCK,
            SIG_UNBLOCK,
            SIG_SETMASK,
            SA_NOCLDSTOP,
            SA_NOCLDWAIT,
            SA_SIGINFO,
            SA_ONSTACK,
            SA_RESTART,
            SA_NODEFER,
            SA_RESETHAND,
            SS_ONSTACK,
            SS_DISABLE,
            WNOHANG,
            WUNTRACED,
            WCONTINUED,
            PR_SET_NAME,
            PR_GET_NAME,
            RUSAGE_SELF,
            RUSAGE_CHILDREN,
            RUSAGE_THREAD,
            RLIMIT_CPU,
            RLIMIT_FSIZE,
            RLIMIT_DATA,
            RLIMIT_STACK,
            RLIMIT_CORE,
            RLIMIT_NOFILE,
            RLIMIT_AS,
            ITIMER_REAL,
            ITIMER_VIRTUAL,
            ITIMER_PROF,
            CLOCK_REALTIME,
            CLOCK_MONOTONIC,
            CLOCK_PROCESS_CPUTIME_ID,
            CLOCK_THREAD_CPUTIME_ID,
            CLOCK_BOOTTIME,
            TIMER_ABSTIME,
            GRND_NONBLOCK,
            GRND_RANDOM,
            FUTEX_WAIT,
            FUTEX_WAKE,
            FUTEX_FD,
            FUTEX_REQUEUE,
            FUTEX_CMP_REQUEUE,
            FUTEX_WAKE_OP,
            FUTEX_LOCK_PI,
            FUTEX_UNLOCK_PI,
            FUTEX_TRYLOCK_PI,
            FUTEX_WAIT_BITSET,
            FUTEX_WAKE_BITSET,
            FUTEX_WAIT_REQUEUE_PI,
            FUTEX_CMP_REQUEUE_PI,
            FUTEX_PRIVATE_FLAG,
            FUTEX_CLOCK_REALTIME,
            POLLIN,
            POLLPRI,
            POLLOUT,
            POLLERR,
            POLLHUP,
            POLLNVAL,
            EPOLL_CTL_ADD,
            EPOLL_CTL_DEL,
            EPOLL_CTL_MOD,
            EPOLLIN,
            EPOLLPRI,
            EPOLLOUT,
            EPOLLERR,
            EPOLLHUP,
            EPOLLRDHUP,
            EPOLLONESHOT,
            EPOLLET,
            EPOLL_CLOEXEC,
            EFD_SEMAPHORE,
            EFD_NONBLOCK,
            EFD_CLOEXEC,
            FD_SETSIZE,
            AF_UNSPEC,
            AF_UNIX,
            AF_INET,
            AF_INET6,
            SOCK_STREAM,
            SOCK_DGRAM,
            SOCK_RAW,
            SOCK_SEQPACKET,
            SOCK_NONBLOCK,
            SOCK_CLOEXEC,
            SOL_SOCKET,
            SO_REUSEADDR,
            SO_TYPE,
            SO_ERROR,
            SO_BROADCAST,
            SO_SNDBUF,
            SO_RCVBUF,
            SO_KEEPALIVE,
            SO_RCVTIMEO,
            SO_SNDTIMEO,
            SO_PASSCRED,
            SO_PEERCRED,
            IPPROTO_TCP,
            IPPROTO_UDP,
            TCP_NODELAY,
            MSG_OOB,
            MSG_PEEK,
            MSG_DONTROUTE,
            MSG_CTRUNC,
            MSG_TRUNC,
            MSG_DONTWAIT,
            MSG_EOR,
            MSG_WAITALL,
            MSG_NOSIGNAL,
            MSG_CMSG_CLOEXEC,
            SCM_RIGHTS,
            SCM_CREDENTIALS,
            SHUT_RD,
            SHUT_WR,
            SHUT_RDWR,
            INADDR_LOOPBACK,
            TCGETS,
            TCSETS,
            TCSETSW,
            TCSETSF,
            TCSBRK,
            TCXONC,
            TCFLSH,
            TIOCSCTTY,
            TIOCGPGRP,
            TIOCSPGRP,
            TIOCGWINSZ,
            TIOCSWINSZ,
            FIONREAD,
            FIONBIO,
            FIOCLEX,
            FIONCLEX,
            EPERM,
            ENOENT,
            ESRCH,
            EINTR,
            EIO,
            ENXIO,
            E2BIG,
            ENOEXEC,
            EBADF,
            ECHILD,
            EAGAIN,
            ENOMEM,
            EACCES,
            EFAULT,
            ENOTBLK,
            EBUSY,
            EEXIST,
            EXDEV,
            ENODEV,
            ENOTDIR,
            EISDIR,
            EINVAL,
            ENFILE,
            EMFILE,
            ENOTTY,
            ETXTBSY,
            EFBIG,
            ENOSPC,
            ESPIPE,
            EROFS,
            EMLINK,
            EPIPE,
            EDOM,
            ERANGE,
            EDEADLK,
            ENAMETOOLONG,
            ENOLCK,
            ENOSYS,
            ENOTEMPTY,
            ELOOP,
            ENOMSG,
            EOVERFLOW,
            EBADFD,
            EILSEQ,
            ENOTSOCK,
            EDESTADDRREQ,
            EMSGSIZE,
            EPROTOTYPE,
            ENOPROTOOPT,
            EPROTONOSUPPORT,
            EOPNOTSUPP,
            EAFNOSUPPORT,
            EADDRINUSE,
            EADDRNOTAVAIL,
            ENETUNREACH,
            ECONNABORTED,
            ECONNRESET,
            ENOBUFS,
            EISCONN,
            ENOTCONN,
            ETIMEDOUT,
            ECONNREFUSED,
            EALREADY,
            EINPROGRESS,
            MINSIGSTKSZ,
            SIGSTKSZ,
        );
        assert_eq!(RLIM_INFINITY as u64, libc::RLIM_INFINITY);
        assert_eq!(SA_RESTORER, 0x0400_0000);
        // glibc defines O_LARGEFILE as 0 on 64-bit; the kernel (and the guest) use 0o100000.
        assert_eq!(O_LARGEFILE, 0o100000);
        assert_eq!(RENAME_NOREPLACE, libc::RENAME_NOREPLACE as i64);
    }
}
