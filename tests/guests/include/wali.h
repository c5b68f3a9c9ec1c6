/* wali.h - WALI guest header for cwali's test guests.
 *
 * GENERATED from the wali-abi tables (wali-abi/src/guest_header.rs); do not edit. Regenerate with
 *   cargo run -p cwali-wali-abi --bin cwali-gen-header -- tests/guests/include/wali.h
 *
 * One C source builds two ways (tests/guests/build.sh):
 *  - clang --target=wasm32: wali_sys_<name> is the import wali.SYS_<name>; the header defines _start,
 *    which runs the WALI start sequence and calls main(argc, argv). Define WALI_NO_START to write
 *    your own _start. There is no libc: use the helpers at the end of this file.
 *  - gcc, x86_64 Linux: the same names are inline shims over syscall(2) that return -errno like the
 *    imports; glibc's startup calls main. Struct layouts and the fixed-number shims assume x86_64;
 *    on other hosts calls without a host syscall return -ENOSYS.
 *
 * WALI has a 64-bit long but stock wasm32 clang a 32-bit one: every 64-bit value here is long long /
 * int64_t, never long. Every SYS_* import returns long long: the kernel's result or -errno.
 * Constants are x86_64 Linux values (WALI-ABI.md §2); note that SIG_IGN is -2 in WALI (WALI_SIG_IGN).
 */
#ifndef CWALI_WALI_H
#define CWALI_WALI_H

#include <stdint.h>
#include <stddef.h>

#if !defined(__wasm__)
#include <setjmp.h>
long syscall(long number, ...);
int *__errno_location(void);
#endif

typedef __SIZE_TYPE__ wali_size_t;

#define WALI_IMPORT(name) __attribute__((import_module("wali"), import_name(name)))

/* ---- Constants (x86_64 Linux values) ---- */

/* open flags */
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_ACCMODE 3
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DSYNC 010000
#define O_ASYNC 020000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000

/* *at flags */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EACCESS 0x200
#define AT_EMPTY_PATH 0x1000
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

/* lseek, access */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* fcntl */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define F_GETOWNER_UIDS 17
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* file modes */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 060000
#define S_IFDIR 040000
#define S_IFCHR 020000
#define S_IFIFO 010000
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define STATX_TYPE 1
#define STATX_MODE 2
#define STATX_SIZE 0x200
#define STATX_BASIC_STATS 0x7ff
#define UTIME_NOW 0x3fffffff
#define UTIME_OMIT 0x3ffffffe

/* memory */
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define WALI_PAGE_SIZE 4096
#define WASM_PAGE_SIZE 65536

/* signals */
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 34
#define SIGRTMAX 64
#define NSIG 65
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x8000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x4000000
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192
#define KERNEL_SIGSET_SIZE 8

/* process */
#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8
#define P_ALL 0
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_NOFILE 7
#define RLIMIT_AS 9
#define RLIM_INFINITY 0xffffffffffffffffULL
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2

/* futex */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* io multiplexing */
#define POLLIN 1
#define POLLPRI 2
#define POLLOUT 4
#define POLLERR 8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN 1
#define EPOLLPRI 2
#define EPOLLOUT 4
#define EPOLLERR 8
#define EPOLLHUP 0x10
#define EPOLLRDHUP 0x2000
#define EPOLLONESHOT 0x40000000
#define EPOLLET 0x80000000
#define EPOLL_CLOEXEC 02000000
#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK 04000
#define EFD_CLOEXEC 02000000
#define FD_SETSIZE 1024

/* sockets */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define TCP_NODELAY 1
#define MSG_OOB 1
#define MSG_PEEK 2
#define MSG_DONTROUTE 4
#define MSG_CTRUNC 8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CMSG_CLOEXEC 0x40000000
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define INADDR_LOOPBACK 0x7f000001

/* terminal ioctls */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540a
#define TCFLSH 0x540b
#define TIOCSCTTY 0x540e
#define TIOCGPGRP 0x540f
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIOCLEX 0x5451
#define FIONCLEX 0x5450

/* errno */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define EOVERFLOW 75
#define EBADFD 77
#define EILSEQ 84
#define ENOTSOCK 88
#define EDESTADDRREQ 89
#define EMSGSIZE 90
#define EPROTOTYPE 91
#define ENOPROTOOPT 92
#define EPROTONOSUPPORT 93
#define EOPNOTSUPP 95
#define EAFNOSUPPORT 97
#define EADDRINUSE 98
#define EADDRNOTAVAIL 99
#define ENETUNREACH 101
#define ECONNABORTED 103
#define ECONNRESET 104
#define ENOBUFS 105
#define EISCONN 106
#define ENOTCONN 107
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define EALREADY 114
#define EINPROGRESS 115

/* signal handler values as the guest passes them (WALI: SIG_IGN is -2) */
#define WALI_SIG_DFL ((void (*)(int))0)
#if defined(__wasm__)
#define WALI_SIG_IGN ((void (*)(int))-2)
#else
#define WALI_SIG_IGN ((void (*)(int))1)
#endif

/* ---- Structs (guest layouts, WALI-ABI.md §7; checked below) ---- */

/* epoll_event is packed on wasm32 and in the x86_64 kernel, not in aarch64's. */
#if defined(__wasm__) || defined(__x86_64__)
#define WALI_EPOLL_PACKED __attribute__((packed))
#else
#define WALI_EPOLL_PACKED
#endif

/* struct timespec */
struct wali_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

/* struct timeval */
struct wali_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

/* struct timezone */
struct wali_timezone {
    int32_t tz_minuteswest;
    int32_t tz_dsttime;
};

/* struct itimerval */
struct wali_itimerval {
    struct wali_timeval it_interval;
    struct wali_timeval it_value;
};

/* struct rlimit */
struct wali_rlimit {
    uint64_t rlim_cur;
    uint64_t rlim_max;
};

/* struct rusage */
struct wali_rusage {
    struct wali_timeval ru_utime;
    struct wali_timeval ru_stime;
    int64_t ru_maxrss;
    int64_t ru_ixrss;
    int64_t ru_idrss;
    int64_t ru_isrss;
    int64_t ru_minflt;
    int64_t ru_majflt;
    int64_t ru_nswap;
    int64_t ru_inblock;
    int64_t ru_oublock;
    int64_t ru_msgsnd;
    int64_t ru_msgrcv;
    int64_t ru_nsignals;
    int64_t ru_nvcsw;
    int64_t ru_nivcsw;
    int64_t __reserved[16];
};

/* struct sysinfo */
struct wali_sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram;
    uint64_t freeram;
    uint64_t sharedram;
    uint64_t bufferram;
    uint64_t totalswap;
    uint64_t freeswap;
    uint16_t procs;
    uint16_t pad;
    uint64_t totalhigh;
    uint64_t freehigh;
    uint32_t mem_unit;
    char __reserved[256];
};

/* struct utsname */
struct wali_utsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

/* struct statfs */
struct wali_statfs {
    int64_t f_type;
    int64_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen;
    int64_t f_frsize;
    int64_t f_flags;
    int64_t f_spare[4];
};

/* struct statx_timestamp */
struct wali_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t __reserved;
};

/* struct statx */
struct wali_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t __spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct wali_statx_timestamp stx_atime;
    struct wali_statx_timestamp stx_btime;
    struct wali_statx_timestamp stx_ctime;
    struct wali_statx_timestamp stx_mtime;
    uint32_t stx_rdev_major;
    uint32_t stx_rdev_minor;
    uint32_t stx_dev_major;
    uint32_t stx_dev_minor;
    uint64_t __spare2[14];
};

/* struct pollfd */
struct wali_pollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};

/* fd_set */
struct wali_fd_set {
    uint64_t fds_bits[16];
};

/* sigset_t */
struct wali_sigset {
    uint64_t bits[16];
};

/* cpu_set_t */
struct wali_cpu_set {
    uint64_t bits[16];
};

/* struct sockaddr */
struct wali_sockaddr {
    uint16_t sa_family;
    char sa_data[14];
};

/* struct dirent */
struct wali_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[256];
};

/* struct flock */
struct wali_flock {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_pid;
};

/* struct f_owner_ex */
struct wali_f_owner_ex {
    int32_t type;
    int32_t pid;
};

/* struct winsize */
struct wali_winsize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};

/* struct termios (kernel) */
struct wali_termios {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    char c_cc[19];
};

/* struct cmsghdr */
struct wali_cmsghdr {
    uint32_t cmsg_len;
    uint32_t __pad1;
    int32_t cmsg_level;
    int32_t cmsg_type;
};

/* struct stat */
struct wali_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    int32_t __pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;
    struct wali_timespec st_atim;
    struct wali_timespec st_mtim;
    struct wali_timespec st_ctim;
    int64_t __unused[3];
};

/* struct iovec */
struct wali_iovec {
    void *iov_base;
    wali_size_t iov_len;
};

/* struct msghdr */
struct wali_msghdr {
    void *msg_name;
    uint32_t msg_namelen;
    struct wali_iovec *msg_iov;
    int32_t msg_iovlen;
    int32_t __pad1;
    void *msg_control;
    uint32_t msg_controllen;
    int32_t __pad2;
    int32_t msg_flags;
};

/* struct k_sigaction */
struct __attribute__((packed)) wali_k_sigaction {
    void (*handler)(int);
    uint64_t flags;
    void (*restorer)(void);
    uint32_t mask[2];
};

/* stack_t */
struct wali_stack {
    void *ss_sp;
    int32_t ss_flags;
    wali_size_t ss_size;
};

/* struct epoll_event */
struct WALI_EPOLL_PACKED wali_epoll_event {
    uint32_t events;
    uint64_t data;
};

/* pselect6 data */
struct wali_pselect6_sigmask {
    uint64_t ss;
    uint64_t ss_len;
};

/* jmp_buf */
struct wali_jmp_buf {
    uint64_t __jb[26];
    uint64_t __fl;
    uint64_t __ss[16];
};

#if defined(__wasm__)
_Static_assert(sizeof(struct wali_timespec) == 16, "struct wali_timespec size");
_Static_assert(__builtin_offsetof(struct wali_timespec, tv_sec) == 0, "wali_timespec.tv_sec");
_Static_assert(__builtin_offsetof(struct wali_timespec, tv_nsec) == 8, "wali_timespec.tv_nsec");
_Static_assert(sizeof(struct wali_timeval) == 16, "struct wali_timeval size");
_Static_assert(__builtin_offsetof(struct wali_timeval, tv_sec) == 0, "wali_timeval.tv_sec");
_Static_assert(__builtin_offsetof(struct wali_timeval, tv_usec) == 8, "wali_timeval.tv_usec");
_Static_assert(sizeof(struct wali_timezone) == 8, "struct wali_timezone size");
_Static_assert(__builtin_offsetof(struct wali_timezone, tz_minuteswest) == 0, "wali_timezone.tz_minuteswest");
_Static_assert(__builtin_offsetof(struct wali_timezone, tz_dsttime) == 4, "wali_timezone.tz_dsttime");
_Static_assert(sizeof(struct wali_itimerval) == 32, "struct wali_itimerval size");
_Static_assert(__builtin_offsetof(struct wali_itimerval, it_interval) == 0, "wali_itimerval.it_interval");
_Static_assert(__builtin_offsetof(struct wali_itimerval, it_value) == 16, "wali_itimerval.it_value");
_Static_assert(sizeof(struct wali_rlimit) == 16, "struct wali_rlimit size");
_Static_assert(__builtin_offsetof(struct wali_rlimit, rlim_cur) == 0, "wali_rlimit.rlim_cur");
_Static_assert(__builtin_offsetof(struct wali_rlimit, rlim_max) == 8, "wali_rlimit.rlim_max");
_Static_assert(sizeof(struct wali_rusage) == 272, "struct wali_rusage size");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_utime) == 0, "wali_rusage.ru_utime");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_stime) == 16, "wali_rusage.ru_stime");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_maxrss) == 32, "wali_rusage.ru_maxrss");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_ixrss) == 40, "wali_rusage.ru_ixrss");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_idrss) == 48, "wali_rusage.ru_idrss");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_isrss) == 56, "wali_rusage.ru_isrss");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_minflt) == 64, "wali_rusage.ru_minflt");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_majflt) == 72, "wali_rusage.ru_majflt");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_nswap) == 80, "wali_rusage.ru_nswap");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_inblock) == 88, "wali_rusage.ru_inblock");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_oublock) == 96, "wali_rusage.ru_oublock");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_msgsnd) == 104, "wali_rusage.ru_msgsnd");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_msgrcv) == 112, "wali_rusage.ru_msgrcv");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_nsignals) == 120, "wali_rusage.ru_nsignals");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_nvcsw) == 128, "wali_rusage.ru_nvcsw");
_Static_assert(__builtin_offsetof(struct wali_rusage, ru_nivcsw) == 136, "wali_rusage.ru_nivcsw");
_Static_assert(__builtin_offsetof(struct wali_rusage, __reserved) == 144, "wali_rusage.__reserved");
_Static_assert(sizeof(struct wali_sysinfo) == 368, "struct wali_sysinfo size");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, uptime) == 0, "wali_sysinfo.uptime");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, loads) == 8, "wali_sysinfo.loads");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, totalram) == 32, "wali_sysinfo.totalram");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, freeram) == 40, "wali_sysinfo.freeram");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, sharedram) == 48, "wali_sysinfo.sharedram");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, bufferram) == 56, "wali_sysinfo.bufferram");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, totalswap) == 64, "wali_sysinfo.totalswap");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, freeswap) == 72, "wali_sysinfo.freeswap");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, procs) == 80, "wali_sysinfo.procs");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, pad) == 82, "wali_sysinfo.pad");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, totalhigh) == 88, "wali_sysinfo.totalhigh");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, freehigh) == 96, "wali_sysinfo.freehigh");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, mem_unit) == 104, "wali_sysinfo.mem_unit");
_Static_assert(__builtin_offsetof(struct wali_sysinfo, __reserved) == 108, "wali_sysinfo.__reserved");
_Static_assert(sizeof(struct wali_utsname) == 390, "struct wali_utsname size");
_Static_assert(__builtin_offsetof(struct wali_utsname, sysname) == 0, "wali_utsname.sysname");
_Static_assert(__builtin_offsetof(struct wali_utsname, nodename) == 65, "wali_utsname.nodename");
_Static_assert(__builtin_offsetof(struct wali_utsname, release) == 130, "wali_utsname.release");
_Static_assert(__builtin_offsetof(struct wali_utsname, version) == 195, "wali_utsname.version");
_Static_assert(__builtin_offsetof(struct wali_utsname, machine) == 260, "wali_utsname.machine");
_Static_assert(__builtin_offsetof(struct wali_utsname, domainname) == 325, "wali_utsname.domainname");
_Static_assert(sizeof(struct wali_statfs) == 120, "struct wali_statfs size");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_type) == 0, "wali_statfs.f_type");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_bsize) == 8, "wali_statfs.f_bsize");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_blocks) == 16, "wali_statfs.f_blocks");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_bfree) == 24, "wali_statfs.f_bfree");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_bavail) == 32, "wali_statfs.f_bavail");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_files) == 40, "wali_statfs.f_files");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_ffree) == 48, "wali_statfs.f_ffree");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_fsid) == 56, "wali_statfs.f_fsid");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_namelen) == 64, "wali_statfs.f_namelen");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_frsize) == 72, "wali_statfs.f_frsize");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_flags) == 80, "wali_statfs.f_flags");
_Static_assert(__builtin_offsetof(struct wali_statfs, f_spare) == 88, "wali_statfs.f_spare");
_Static_assert(sizeof(struct wali_statx_timestamp) == 16, "struct wali_statx_timestamp size");
_Static_assert(__builtin_offsetof(struct wali_statx_timestamp, tv_sec) == 0, "wali_statx_timestamp.tv_sec");
_Static_assert(__builtin_offsetof(struct wali_statx_timestamp, tv_nsec) == 8, "wali_statx_timestamp.tv_nsec");
_Static_assert(__builtin_offsetof(struct wali_statx_timestamp, __reserved) == 12, "wali_statx_timestamp.__reserved");
_Static_assert(sizeof(struct wali_statx) == 256, "struct wali_statx size");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_mask) == 0, "wali_statx.stx_mask");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_blksize) == 4, "wali_statx.stx_blksize");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_attributes) == 8, "wali_statx.stx_attributes");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_nlink) == 16, "wali_statx.stx_nlink");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_uid) == 20, "wali_statx.stx_uid");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_gid) == 24, "wali_statx.stx_gid");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_mode) == 28, "wali_statx.stx_mode");
_Static_assert(__builtin_offsetof(struct wali_statx, __spare0) == 30, "wali_statx.__spare0");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_ino) == 32, "wali_statx.stx_ino");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_size) == 40, "wali_statx.stx_size");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_blocks) == 48, "wali_statx.stx_blocks");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_attributes_mask) == 56, "wali_statx.stx_attributes_mask");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_atime) == 64, "wali_statx.stx_atime");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_btime) == 80, "wali_statx.stx_btime");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_ctime) == 96, "wali_statx.stx_ctime");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_mtime) == 112, "wali_statx.stx_mtime");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_rdev_major) == 128, "wali_statx.stx_rdev_major");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_rdev_minor) == 132, "wali_statx.stx_rdev_minor");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_dev_major) == 136, "wali_statx.stx_dev_major");
_Static_assert(__builtin_offsetof(struct wali_statx, stx_dev_minor) == 140, "wali_statx.stx_dev_minor");
_Static_assert(__builtin_offsetof(struct wali_statx, __spare2) == 144, "wali_statx.__spare2");
_Static_assert(sizeof(struct wali_pollfd) == 8, "struct wali_pollfd size");
_Static_assert(__builtin_offsetof(struct wali_pollfd, fd) == 0, "wali_pollfd.fd");
_Static_assert(__builtin_offsetof(struct wali_pollfd, events) == 4, "wali_pollfd.events");
_Static_assert(__builtin_offsetof(struct wali_pollfd, revents) == 6, "wali_pollfd.revents");
_Static_assert(sizeof(struct wali_fd_set) == 128, "struct wali_fd_set size");
_Static_assert(__builtin_offsetof(struct wali_fd_set, fds_bits) == 0, "wali_fd_set.fds_bits");
_Static_assert(sizeof(struct wali_sigset) == 128, "struct wali_sigset size");
_Static_assert(__builtin_offsetof(struct wali_sigset, bits) == 0, "wali_sigset.bits");
_Static_assert(sizeof(struct wali_cpu_set) == 128, "struct wali_cpu_set size");
_Static_assert(__builtin_offsetof(struct wali_cpu_set, bits) == 0, "wali_cpu_set.bits");
_Static_assert(sizeof(struct wali_sockaddr) == 16, "struct wali_sockaddr size");
_Static_assert(__builtin_offsetof(struct wali_sockaddr, sa_family) == 0, "wali_sockaddr.sa_family");
_Static_assert(__builtin_offsetof(struct wali_sockaddr, sa_data) == 2, "wali_sockaddr.sa_data");
_Static_assert(sizeof(struct wali_dirent64) == 280, "struct wali_dirent64 size");
_Static_assert(__builtin_offsetof(struct wali_dirent64, d_ino) == 0, "wali_dirent64.d_ino");
_Static_assert(__builtin_offsetof(struct wali_dirent64, d_off) == 8, "wali_dirent64.d_off");
_Static_assert(__builtin_offsetof(struct wali_dirent64, d_reclen) == 16, "wali_dirent64.d_reclen");
_Static_assert(__builtin_offsetof(struct wali_dirent64, d_type) == 18, "wali_dirent64.d_type");
_Static_assert(__builtin_offsetof(struct wali_dirent64, d_name) == 19, "wali_dirent64.d_name");
_Static_assert(sizeof(struct wali_flock) == 32, "struct wali_flock size");
_Static_assert(__builtin_offsetof(struct wali_flock, l_type) == 0, "wali_flock.l_type");
_Static_assert(__builtin_offsetof(struct wali_flock, l_whence) == 2, "wali_flock.l_whence");
_Static_assert(__builtin_offsetof(struct wali_flock, l_start) == 8, "wali_flock.l_start");
_Static_assert(__builtin_offsetof(struct wali_flock, l_len) == 16, "wali_flock.l_len");
_Static_assert(__builtin_offsetof(struct wali_flock, l_pid) == 24, "wali_flock.l_pid");
_Static_assert(sizeof(struct wali_f_owner_ex) == 8, "struct wali_f_owner_ex size");
_Static_assert(__builtin_offsetof(struct wali_f_owner_ex, type) == 0, "wali_f_owner_ex.type");
_Static_assert(__builtin_offsetof(struct wali_f_owner_ex, pid) == 4, "wali_f_owner_ex.pid");
_Static_assert(sizeof(struct wali_winsize) == 8, "struct wali_winsize size");
_Static_assert(__builtin_offsetof(struct wali_winsize, ws_row) == 0, "wali_winsize.ws_row");
_Static_assert(__builtin_offsetof(struct wali_winsize, ws_col) == 2, "wali_winsize.ws_col");
_Static_assert(__builtin_offsetof(struct wali_winsize, ws_xpixel) == 4, "wali_winsize.ws_xpixel");
_Static_assert(__builtin_offsetof(struct wali_winsize, ws_ypixel) == 6, "wali_winsize.ws_ypixel");
_Static_assert(sizeof(struct wali_termios) == 36, "struct wali_termios size");
_Static_assert(__builtin_offsetof(struct wali_termios, c_iflag) == 0, "wali_termios.c_iflag");
_Static_assert(__builtin_offsetof(struct wali_termios, c_oflag) == 4, "wali_termios.c_oflag");
_Static_assert(__builtin_offsetof(struct wali_termios, c_cflag) == 8, "wali_termios.c_cflag");
_Static_assert(__builtin_offsetof(struct wali_termios, c_lflag) == 12, "wali_termios.c_lflag");
_Static_assert(__builtin_offsetof(struct wali_termios, c_line) == 16, "wali_termios.c_line");
_Static_assert(__builtin_offsetof(struct wali_termios, c_cc) == 17, "wali_termios.c_cc");
_Static_assert(sizeof(struct wali_cmsghdr) == 16, "struct wali_cmsghdr size");
_Static_assert(__builtin_offsetof(struct wali_cmsghdr, cmsg_len) == 0, "wali_cmsghdr.cmsg_len");
_Static_assert(__builtin_offsetof(struct wali_cmsghdr, __pad1) == 4, "wali_cmsghdr.__pad1");
_Static_assert(__builtin_offsetof(struct wali_cmsghdr, cmsg_level) == 8, "wali_cmsghdr.cmsg_level");
_Static_assert(__builtin_offsetof(struct wali_cmsghdr, cmsg_type) == 12, "wali_cmsghdr.cmsg_type");
_Static_assert(sizeof(struct wali_stat) == 144, "struct wali_stat size");
_Static_assert(__builtin_offsetof(struct wali_stat, st_dev) == 0, "wali_stat.st_dev");
_Static_assert(__builtin_offsetof(struct wali_stat, st_ino) == 8, "wali_stat.st_ino");
_Static_assert(__builtin_offsetof(struct wali_stat, st_nlink) == 16, "wali_stat.st_nlink");
_Static_assert(__builtin_offsetof(struct wali_stat, st_mode) == 24, "wali_stat.st_mode");
_Static_assert(__builtin_offsetof(struct wali_stat, st_uid) == 28, "wali_stat.st_uid");
_Static_assert(__builtin_offsetof(struct wali_stat, st_gid) == 32, "wali_stat.st_gid");
_Static_assert(__builtin_offsetof(struct wali_stat, __pad0) == 36, "wali_stat.__pad0");
_Static_assert(__builtin_offsetof(struct wali_stat, st_rdev) == 40, "wali_stat.st_rdev");
_Static_assert(__builtin_offsetof(struct wali_stat, st_size) == 48, "wali_stat.st_size");
_Static_assert(__builtin_offsetof(struct wali_stat, st_blksize) == 56, "wali_stat.st_blksize");
_Static_assert(__builtin_offsetof(struct wali_stat, st_blocks) == 64, "wali_stat.st_blocks");
_Static_assert(__builtin_offsetof(struct wali_stat, st_atim) == 72, "wali_stat.st_atim");
_Static_assert(__builtin_offsetof(struct wali_stat, st_mtim) == 88, "wali_stat.st_mtim");
_Static_assert(__builtin_offsetof(struct wali_stat, st_ctim) == 104, "wali_stat.st_ctim");
_Static_assert(__builtin_offsetof(struct wali_stat, __unused) == 120, "wali_stat.__unused");
_Static_assert(sizeof(struct wali_iovec) == 8, "struct wali_iovec size");
_Static_assert(__builtin_offsetof(struct wali_iovec, iov_base) == 0, "wali_iovec.iov_base");
_Static_assert(__builtin_offsetof(struct wali_iovec, iov_len) == 4, "wali_iovec.iov_len");
_Static_assert(sizeof(struct wali_msghdr) == 36, "struct wali_msghdr size");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_name) == 0, "wali_msghdr.msg_name");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_namelen) == 4, "wali_msghdr.msg_namelen");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_iov) == 8, "wali_msghdr.msg_iov");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_iovlen) == 12, "wali_msghdr.msg_iovlen");
_Static_assert(__builtin_offsetof(struct wali_msghdr, __pad1) == 16, "wali_msghdr.__pad1");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_control) == 20, "wali_msghdr.msg_control");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_controllen) == 24, "wali_msghdr.msg_controllen");
_Static_assert(__builtin_offsetof(struct wali_msghdr, __pad2) == 28, "wali_msghdr.__pad2");
_Static_assert(__builtin_offsetof(struct wali_msghdr, msg_flags) == 32, "wali_msghdr.msg_flags");
_Static_assert(sizeof(struct wali_k_sigaction) == 24, "struct wali_k_sigaction size");
_Static_assert(__builtin_offsetof(struct wali_k_sigaction, handler) == 0, "wali_k_sigaction.handler");
_Static_assert(__builtin_offsetof(struct wali_k_sigaction, flags) == 4, "wali_k_sigaction.flags");
_Static_assert(__builtin_offsetof(struct wali_k_sigaction, restorer) == 12, "wali_k_sigaction.restorer");
_Static_assert(__builtin_offsetof(struct wali_k_sigaction, mask) == 16, "wali_k_sigaction.mask");
_Static_assert(sizeof(struct wali_stack) == 12, "struct wali_stack size");
_Static_assert(__builtin_offsetof(struct wali_stack, ss_sp) == 0, "wali_stack.ss_sp");
_Static_assert(__builtin_offsetof(struct wali_stack, ss_flags) == 4, "wali_stack.ss_flags");
_Static_assert(__builtin_offsetof(struct wali_stack, ss_size) == 8, "wali_stack.ss_size");
_Static_assert(sizeof(struct wali_epoll_event) == 12, "struct wali_epoll_event size");
_Static_assert(__builtin_offsetof(struct wali_epoll_event, events) == 0, "wali_epoll_event.events");
_Static_assert(__builtin_offsetof(struct wali_epoll_event, data) == 4, "wali_epoll_event.data");
_Static_assert(sizeof(struct wali_pselect6_sigmask) == 16, "struct wali_pselect6_sigmask size");
_Static_assert(__builtin_offsetof(struct wali_pselect6_sigmask, ss) == 0, "wali_pselect6_sigmask.ss");
_Static_assert(__builtin_offsetof(struct wali_pselect6_sigmask, ss_len) == 8, "wali_pselect6_sigmask.ss_len");
_Static_assert(sizeof(struct wali_jmp_buf) == 344, "struct wali_jmp_buf size");
_Static_assert(__builtin_offsetof(struct wali_jmp_buf, __jb) == 0, "wali_jmp_buf.__jb");
_Static_assert(__builtin_offsetof(struct wali_jmp_buf, __fl) == 208, "wali_jmp_buf.__fl");
_Static_assert(__builtin_offsetof(struct wali_jmp_buf, __ss) == 216, "wali_jmp_buf.__ss");
#elif defined(__x86_64__)
/* Natively the structs must have the x86_64 kernel's size. */
_Static_assert(sizeof(struct wali_timespec) == 16, "struct wali_timespec size");
_Static_assert(sizeof(struct wali_timeval) == 16, "struct wali_timeval size");
_Static_assert(sizeof(struct wali_timezone) == 8, "struct wali_timezone size");
_Static_assert(sizeof(struct wali_itimerval) == 32, "struct wali_itimerval size");
_Static_assert(sizeof(struct wali_rlimit) == 16, "struct wali_rlimit size");
_Static_assert(sizeof(struct wali_rusage) == 272, "struct wali_rusage size");
_Static_assert(sizeof(struct wali_sysinfo) == 368, "struct wali_sysinfo size");
_Static_assert(sizeof(struct wali_utsname) == 390, "struct wali_utsname size");
_Static_assert(sizeof(struct wali_statfs) == 120, "struct wali_statfs size");
_Static_assert(sizeof(struct wali_statx_timestamp) == 16, "struct wali_statx_timestamp size");
_Static_assert(sizeof(struct wali_statx) == 256, "struct wali_statx size");
_Static_assert(sizeof(struct wali_pollfd) == 8, "struct wali_pollfd size");
_Static_assert(sizeof(struct wali_fd_set) == 128, "struct wali_fd_set size");
_Static_assert(sizeof(struct wali_sigset) == 128, "struct wali_sigset size");
_Static_assert(sizeof(struct wali_cpu_set) == 128, "struct wali_cpu_set size");
_Static_assert(sizeof(struct wali_sockaddr) == 16, "struct wali_sockaddr size");
_Static_assert(sizeof(struct wali_dirent64) == 280, "struct wali_dirent64 size");
_Static_assert(sizeof(struct wali_flock) == 32, "struct wali_flock size");
_Static_assert(sizeof(struct wali_f_owner_ex) == 8, "struct wali_f_owner_ex size");
_Static_assert(sizeof(struct wali_winsize) == 8, "struct wali_winsize size");
_Static_assert(sizeof(struct wali_termios) == 36, "struct wali_termios size");
_Static_assert(sizeof(struct wali_cmsghdr) == 16, "struct wali_cmsghdr size");
_Static_assert(sizeof(struct wali_stat) == 144, "struct wali_stat size");
_Static_assert(sizeof(struct wali_iovec) == 16, "struct wali_iovec size");
_Static_assert(sizeof(struct wali_msghdr) == 56, "struct wali_msghdr size");
_Static_assert(sizeof(struct wali_k_sigaction) == 32, "struct wali_k_sigaction size");
_Static_assert(sizeof(struct wali_stack) == 24, "struct wali_stack size");
_Static_assert(sizeof(struct wali_epoll_event) == 12, "struct wali_epoll_event size");
_Static_assert(sizeof(struct wali_pselect6_sigmask) == 16, "struct wali_pselect6_sigmask size");
_Static_assert(sizeof(struct wali_jmp_buf) == 344, "struct wali_jmp_buf size");
#endif

/* ---- Imports (wasm32) ---- */
#if defined(__wasm__)

/* syscalls: SYS_<name>, result = kernel result or -errno */
WALI_IMPORT("SYS_read") long long wali_sys_read(int fd, void *buf, wali_size_t count);
WALI_IMPORT("SYS_write") long long wali_sys_write(int fd, const void *buf, wali_size_t count);
WALI_IMPORT("SYS_open") long long wali_sys_open(const char *pathname, int flags, int mode);
WALI_IMPORT("SYS_close") long long wali_sys_close(int fd);
WALI_IMPORT("SYS_stat") long long wali_sys_stat(const char *pathname, struct wali_stat *statbuf);
WALI_IMPORT("SYS_fstat") long long wali_sys_fstat(int fd, struct wali_stat *statbuf);
WALI_IMPORT("SYS_lstat") long long wali_sys_lstat(const char *pathname, struct wali_stat *statbuf);
WALI_IMPORT("SYS_poll") long long wali_sys_poll(struct wali_pollfd *fds, unsigned long long nfds, int timeout);
WALI_IMPORT("SYS_lseek") long long wali_sys_lseek(int fd, long long offset, int whence);
WALI_IMPORT("SYS_mmap") long long wali_sys_mmap(void *addr, wali_size_t length, int prot, int flags, int fd, long long offset);
WALI_IMPORT("SYS_mprotect") long long wali_sys_mprotect(void *addr, wali_size_t len, int prot);
WALI_IMPORT("SYS_munmap") long long wali_sys_munmap(void *addr, wali_size_t len);
WALI_IMPORT("SYS_brk") long long wali_sys_brk(void *addr);
WALI_IMPORT("SYS_rt_sigaction") long long wali_sys_rt_sigaction(int signum, const struct wali_k_sigaction *act, struct wali_k_sigaction *oldact, wali_size_t sigsetsize);
WALI_IMPORT("SYS_rt_sigprocmask") long long wali_sys_rt_sigprocmask(int how, const void *set, void *oldset, wali_size_t sigsetsize);
WALI_IMPORT("SYS_rt_sigreturn") long long wali_sys_rt_sigreturn(long long unused);
WALI_IMPORT("SYS_ioctl") long long wali_sys_ioctl(int fd, int request, void *argp);
WALI_IMPORT("SYS_pread64") long long wali_sys_pread64(int fd, char *buf, wali_size_t count, long long offset);
WALI_IMPORT("SYS_pwrite64") long long wali_sys_pwrite64(int fd, const char *buf, wali_size_t count, long long offset);
WALI_IMPORT("SYS_readv") long long wali_sys_readv(int fd, const struct wali_iovec *iov, int iovcnt);
WALI_IMPORT("SYS_writev") long long wali_sys_writev(int fd, const struct wali_iovec *iov, int iovcnt);
WALI_IMPORT("SYS_access") long long wali_sys_access(const char *pathname, int mode);
WALI_IMPORT("SYS_pipe") long long wali_sys_pipe(int *pipefd);
WALI_IMPORT("SYS_select") long long wali_sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, struct wali_timeval *timeout);
WALI_IMPORT("SYS_sched_yield") long long wali_sys_sched_yield(void);
WALI_IMPORT("SYS_mremap") long long wali_sys_mremap(void *old_address, wali_size_t old_size, wali_size_t new_size, int flags, void *new_address);
WALI_IMPORT("SYS_msync") long long wali_sys_msync(void *addr, wali_size_t length, int flags);
WALI_IMPORT("SYS_madvise") long long wali_sys_madvise(void *addr, wali_size_t length, int advice);
WALI_IMPORT("SYS_dup") long long wali_sys_dup(int oldfd);
WALI_IMPORT("SYS_dup2") long long wali_sys_dup2(int oldfd, int newfd);
WALI_IMPORT("SYS_nanosleep") long long wali_sys_nanosleep(const struct wali_timespec *req, struct wali_timespec *rem);
WALI_IMPORT("SYS_setitimer") long long wali_sys_setitimer(int which, const struct wali_itimerval *new_value, struct wali_itimerval *old_value);
WALI_IMPORT("SYS_getpid") long long wali_sys_getpid(void);
WALI_IMPORT("SYS_socket") long long wali_sys_socket(int domain, int type, int protocol);
WALI_IMPORT("SYS_connect") long long wali_sys_connect(int sockfd, const void *addr, unsigned int addrlen);
WALI_IMPORT("SYS_accept") long long wali_sys_accept(int sockfd, void *addr, unsigned int *addrlen);
WALI_IMPORT("SYS_sendto") long long wali_sys_sendto(int sockfd, const void *buf, wali_size_t len, int flags, const void *dest_addr, unsigned int addrlen);
WALI_IMPORT("SYS_recvfrom") long long wali_sys_recvfrom(int sockfd, void *buf, wali_size_t len, int flags, void *src_addr, unsigned int *addrlen);
WALI_IMPORT("SYS_sendmsg") long long wali_sys_sendmsg(int sockfd, const struct wali_msghdr *msg, int flags);
WALI_IMPORT("SYS_recvmsg") long long wali_sys_recvmsg(int sockfd, struct wali_msghdr *msg, int flags);
WALI_IMPORT("SYS_shutdown") long long wali_sys_shutdown(int sockfd, int how);
WALI_IMPORT("SYS_bind") long long wali_sys_bind(int sockfd, const void *addr, unsigned int addrlen);
WALI_IMPORT("SYS_listen") long long wali_sys_listen(int sockfd, int backlog);
WALI_IMPORT("SYS_getsockname") long long wali_sys_getsockname(int sockfd, void *addr, unsigned int *addrlen);
WALI_IMPORT("SYS_getpeername") long long wali_sys_getpeername(int sockfd, void *addr, unsigned int *addrlen);
WALI_IMPORT("SYS_socketpair") long long wali_sys_socketpair(int domain, int type, int protocol, int *sv);
WALI_IMPORT("SYS_setsockopt") long long wali_sys_setsockopt(int sockfd, int level, int optname, const void *optval, unsigned int optlen);
WALI_IMPORT("SYS_getsockopt") long long wali_sys_getsockopt(int sockfd, int level, int optname, void *optval, unsigned int *optlen);
WALI_IMPORT("SYS_fork") long long wali_sys_fork(void);
WALI_IMPORT("SYS_execve") long long wali_sys_execve(const char *pathname, char *const *argv, char *const *envp);
WALI_IMPORT("SYS_exit") long long wali_sys_exit(int status);
WALI_IMPORT("SYS_wait4") long long wali_sys_wait4(int pid, int *wstatus, int options, struct wali_rusage *rusage);
WALI_IMPORT("SYS_kill") long long wali_sys_kill(int pid, int sig);
WALI_IMPORT("SYS_uname") long long wali_sys_uname(struct wali_utsname *buf);
WALI_IMPORT("SYS_fcntl") long long wali_sys_fcntl(int fd, int cmd, unsigned long long arg);
WALI_IMPORT("SYS_flock") long long wali_sys_flock(int fd, int operation);
WALI_IMPORT("SYS_fsync") long long wali_sys_fsync(int fd);
WALI_IMPORT("SYS_fdatasync") long long wali_sys_fdatasync(int fd);
WALI_IMPORT("SYS_ftruncate") long long wali_sys_ftruncate(int fd, long long length);
WALI_IMPORT("SYS_getcwd") long long wali_sys_getcwd(char *buf, wali_size_t size);
WALI_IMPORT("SYS_chdir") long long wali_sys_chdir(const char *path);
WALI_IMPORT("SYS_fchdir") long long wali_sys_fchdir(int fd);
WALI_IMPORT("SYS_rename") long long wali_sys_rename(const char *oldpath, const char *newpath);
WALI_IMPORT("SYS_mkdir") long long wali_sys_mkdir(const char *pathname, int mode);
WALI_IMPORT("SYS_rmdir") long long wali_sys_rmdir(const char *pathname);
WALI_IMPORT("SYS_link") long long wali_sys_link(const char *oldpath, const char *newpath);
WALI_IMPORT("SYS_unlink") long long wali_sys_unlink(const char *pathname);
WALI_IMPORT("SYS_symlink") long long wali_sys_symlink(const char *target, const char *linkpath);
WALI_IMPORT("SYS_readlink") long long wali_sys_readlink(const char *pathname, char *buf, wali_size_t bufsiz);
WALI_IMPORT("SYS_chmod") long long wali_sys_chmod(const char *pathname, int mode);
WALI_IMPORT("SYS_fchmod") long long wali_sys_fchmod(int fd, int mode);
WALI_IMPORT("SYS_chown") long long wali_sys_chown(const char *pathname, unsigned int owner, unsigned int group);
WALI_IMPORT("SYS_fchown") long long wali_sys_fchown(int fd, unsigned int owner, unsigned int group);
WALI_IMPORT("SYS_umask") long long wali_sys_umask(int mask);
WALI_IMPORT("SYS_gettimeofday") long long wali_sys_gettimeofday(struct wali_timeval *tv, struct wali_timezone *tz);
WALI_IMPORT("SYS_getrlimit") long long wali_sys_getrlimit(int resource, struct wali_rlimit *rlim);
WALI_IMPORT("SYS_getrusage") long long wali_sys_getrusage(int who, struct wali_rusage *usage);
WALI_IMPORT("SYS_sysinfo") long long wali_sys_sysinfo(struct wali_sysinfo *info);
WALI_IMPORT("SYS_getuid") long long wali_sys_getuid(void);
WALI_IMPORT("SYS_getgid") long long wali_sys_getgid(void);
WALI_IMPORT("SYS_setuid") long long wali_sys_setuid(unsigned int uid);
WALI_IMPORT("SYS_setgid") long long wali_sys_setgid(unsigned int gid);
WALI_IMPORT("SYS_geteuid") long long wali_sys_geteuid(void);
WALI_IMPORT("SYS_getegid") long long wali_sys_getegid(void);
WALI_IMPORT("SYS_setpgid") long long wali_sys_setpgid(int pid, int pgid);
WALI_IMPORT("SYS_getppid") long long wali_sys_getppid(void);
WALI_IMPORT("SYS_setsid") long long wali_sys_setsid(void);
WALI_IMPORT("SYS_setreuid") long long wali_sys_setreuid(unsigned int ruid, unsigned int euid);
WALI_IMPORT("SYS_setregid") long long wali_sys_setregid(unsigned int rgid, unsigned int egid);
WALI_IMPORT("SYS_getgroups") long long wali_sys_getgroups(wali_size_t size, unsigned int *list);
WALI_IMPORT("SYS_setgroups") long long wali_sys_setgroups(wali_size_t size, const unsigned int *list);
WALI_IMPORT("SYS_setresuid") long long wali_sys_setresuid(unsigned int ruid, unsigned int euid, unsigned int suid);
WALI_IMPORT("SYS_setresgid") long long wali_sys_setresgid(unsigned int rgid, unsigned int egid, unsigned int sgid);
WALI_IMPORT("SYS_getpgid") long long wali_sys_getpgid(int pid);
WALI_IMPORT("SYS_getsid") long long wali_sys_getsid(int pid);
WALI_IMPORT("SYS_rt_sigpending") long long wali_sys_rt_sigpending(void *set, wali_size_t sigsetsize);
WALI_IMPORT("SYS_rt_sigsuspend") long long wali_sys_rt_sigsuspend(const void *mask, wali_size_t sigsetsize);
WALI_IMPORT("SYS_sigaltstack") long long wali_sys_sigaltstack(const struct wali_stack *ss, struct wali_stack *old_ss);
WALI_IMPORT("SYS_statfs") long long wali_sys_statfs(const char *path, struct wali_statfs *buf);
WALI_IMPORT("SYS_fstatfs") long long wali_sys_fstatfs(int fd, struct wali_statfs *buf);
WALI_IMPORT("SYS_prctl") long long wali_sys_prctl(int option, unsigned long long arg2, unsigned long long arg3, unsigned long long arg4, unsigned long long arg5);
WALI_IMPORT("SYS_setrlimit") long long wali_sys_setrlimit(int resource, const struct wali_rlimit *rlim);
WALI_IMPORT("SYS_chroot") long long wali_sys_chroot(const char *path);
WALI_IMPORT("SYS_gettid") long long wali_sys_gettid(void);
WALI_IMPORT("SYS_tkill") long long wali_sys_tkill(int tid, int sig);
WALI_IMPORT("SYS_futex") long long wali_sys_futex(int *uaddr, int futex_op, int val, struct wali_timespec *timeout, int *uaddr2, int val3);
WALI_IMPORT("SYS_sched_getaffinity") long long wali_sys_sched_getaffinity(int pid, wali_size_t cpusetsize, void *mask);
WALI_IMPORT("SYS_getdents64") long long wali_sys_getdents64(int fd, void *dirp, int count);
WALI_IMPORT("SYS_set_tid_address") long long wali_sys_set_tid_address(int *tidptr);
WALI_IMPORT("SYS_fadvise") long long wali_sys_fadvise(int fd, long long offset, long long len, int advice);
WALI_IMPORT("SYS_clock_gettime") long long wali_sys_clock_gettime(int clockid, struct wali_timespec *tp);
WALI_IMPORT("SYS_clock_getres") long long wali_sys_clock_getres(int clockid, struct wali_timespec *res);
WALI_IMPORT("SYS_clock_nanosleep") long long wali_sys_clock_nanosleep(int clockid, int flags, const struct wali_timespec *request, struct wali_timespec *remain);
WALI_IMPORT("SYS_exit_group") long long wali_sys_exit_group(int status);
WALI_IMPORT("SYS_epoll_ctl") long long wali_sys_epoll_ctl(int epfd, int op, int fd, const struct wali_epoll_event *event);
WALI_IMPORT("SYS_openat") long long wali_sys_openat(int dirfd, const char *pathname, int flags, int mode);
WALI_IMPORT("SYS_mkdirat") long long wali_sys_mkdirat(int dirfd, const char *pathname, int mode);
WALI_IMPORT("SYS_fchownat") long long wali_sys_fchownat(int dirfd, const char *pathname, unsigned int owner, unsigned int group, int flags);
WALI_IMPORT("SYS_newfstatat") long long wali_sys_newfstatat(int dirfd, const char *pathname, struct wali_stat *statbuf, int flags);
WALI_IMPORT("SYS_unlinkat") long long wali_sys_unlinkat(int dirfd, const char *pathname, int flags);
WALI_IMPORT("SYS_linkat") long long wali_sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
WALI_IMPORT("SYS_symlinkat") long long wali_sys_symlinkat(const char *target, int newdirfd, const char *linkpath);
WALI_IMPORT("SYS_readlinkat") long long wali_sys_readlinkat(int dirfd, const char *pathname, char *buf, wali_size_t bufsiz);
WALI_IMPORT("SYS_fchmodat") long long wali_sys_fchmodat(int dirfd, const char *pathname, int mode, int flags);
WALI_IMPORT("SYS_faccessat") long long wali_sys_faccessat(int dirfd, const char *pathname, int mode, int flags);
WALI_IMPORT("SYS_pselect6") long long wali_sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, struct wali_timespec *timeout, const struct wali_pselect6_sigmask *sigmask);
WALI_IMPORT("SYS_ppoll") long long wali_sys_ppoll(struct wali_pollfd *fds, unsigned long long nfds, struct wali_timespec *tmo_p, const void *sigmask, wali_size_t sigsetsize);
WALI_IMPORT("SYS_utimensat") long long wali_sys_utimensat(int dirfd, const char *pathname, const struct wali_timespec *times, int flags);
WALI_IMPORT("SYS_epoll_pwait") long long wali_sys_epoll_pwait(int epfd, struct wali_epoll_event *events, int maxevents, int timeout, const void *sigmask, wali_size_t sigsetsize);
WALI_IMPORT("SYS_eventfd") long long wali_sys_eventfd(int initval);
WALI_IMPORT("SYS_accept4") long long wali_sys_accept4(int sockfd, void *addr, unsigned int *addrlen, int flags);
WALI_IMPORT("SYS_eventfd2") long long wali_sys_eventfd2(int initval, int flags);
WALI_IMPORT("SYS_epoll_create1") long long wali_sys_epoll_create1(int flags);
WALI_IMPORT("SYS_dup3") long long wali_sys_dup3(int oldfd, int newfd, int flags);
WALI_IMPORT("SYS_pipe2") long long wali_sys_pipe2(int *pipefd, int flags);
WALI_IMPORT("SYS_prlimit64") long long wali_sys_prlimit64(int pid, int resource, const struct wali_rlimit *new_limit, struct wali_rlimit *old_limit);
WALI_IMPORT("SYS_renameat2") long long wali_sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
WALI_IMPORT("SYS_getrandom") long long wali_sys_getrandom(void *buf, wali_size_t buflen, int flags);
WALI_IMPORT("SYS_statx") long long wali_sys_statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct wali_statx *statxbuf);
WALI_IMPORT("SYS_faccessat2") long long wali_sys_faccessat2(int dirfd, const char *pathname, int mode, int flags);

/* auxiliary imports (WALI-ABI.md §5.1) */
/* first call returns 0 and marks the process as WALI; later calls return 1 */
WALI_IMPORT("__init") int wali_init(void);
/* first call returns 0 (main finished normally); later calls return 1 */
WALI_IMPORT("__deinit") int wali_deinit(void);
/* ends the whole process with status & 0xff; never returns */
WALI_IMPORT("__proc_exit") __attribute__((noreturn)) void wali_proc_exit(int status);
/* number of guest arguments; argv[0] is the module path as given */
WALI_IMPORT("__cl_get_argc") unsigned wali_cl_get_argc(void);
/* strlen(argv[idx]), without the NUL */
WALI_IMPORT("__cl_get_argv_len") unsigned wali_cl_get_argv_len(unsigned idx);
/* copies argv[idx] with its NUL to buf; returns 0 */
WALI_IMPORT("__cl_copy_argv") int wali_cl_copy_argv(char *buf, unsigned idx);
/* writes the env file path (or "" if too long) and returns 1, or returns 0 if there is none */
WALI_IMPORT("__get_init_envfile") int wali_get_init_envfile(char *buf, unsigned size);
/* new host thread + instance running table0[start](tid, arg); returns the host TID or -1 */
WALI_IMPORT("__wasm_thread_spawn") int wali_thread_spawn(void (*start)(int tid, void *arg), void *arg);
/* reference: returns 0 (§12) */
WALI_IMPORT("sigsetjmp") int wali_sigsetjmp(void *env, int savesigs);
/* reference: returns 0 (§12) */
WALI_IMPORT("setjmp") int wali_setjmp(void *env);
/* reference: ends the process with status 255 (§12) */
WALI_IMPORT("longjmp") __attribute__((noreturn)) void wali_longjmp(void *env, int val);

/* ---- Native shims (gcc): the same names over syscall(2) ---- */
#else /* !__wasm__ */

#if defined(__x86_64__)
#define WALI_NR(x86_64, aarch64) (x86_64)
#elif defined(__aarch64__)
#define WALI_NR(x86_64, aarch64) (aarch64)
#else
#error "wali.h native shims support x86_64 and aarch64 Linux"
#endif

static inline long long wali__syscall(long nr, long a, long b, long c, long d, long e, long f) {
    if (nr < 0) return -ENOSYS;
    long r = syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -(long long)*__errno_location() : (long long)r;
}

static inline long long wali_sys_read(int fd, void *buf, wali_size_t count) {
    return wali__syscall(WALI_NR(0, 63), (long)(fd), (long)(buf), (long)(count), 0, 0, 0);
}
static inline long long wali_sys_write(int fd, const void *buf, wali_size_t count) {
    return wali__syscall(WALI_NR(1, 64), (long)(fd), (long)(buf), (long)(count), 0, 0, 0);
}
static inline long long wali_sys_open(const char *pathname, int flags, int mode) {
    return wali__syscall(WALI_NR(2, -1), (long)(pathname), (long)(flags), (long)(mode), 0, 0, 0);
}
static inline long long wali_sys_close(int fd) {
    return wali__syscall(WALI_NR(3, 57), (long)(fd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_stat(const char *pathname, struct wali_stat *statbuf) {
    return wali__syscall(WALI_NR(4, -1), (long)(pathname), (long)(statbuf), 0, 0, 0, 0);
}
static inline long long wali_sys_fstat(int fd, struct wali_stat *statbuf) {
    return wali__syscall(WALI_NR(5, 80), (long)(fd), (long)(statbuf), 0, 0, 0, 0);
}
static inline long long wali_sys_lstat(const char *pathname, struct wali_stat *statbuf) {
    return wali__syscall(WALI_NR(6, -1), (long)(pathname), (long)(statbuf), 0, 0, 0, 0);
}
static inline long long wali_sys_poll(struct wali_pollfd *fds, unsigned long long nfds, int timeout) {
    return wali__syscall(WALI_NR(7, -1), (long)(fds), (long)(nfds), (long)(timeout), 0, 0, 0);
}
static inline long long wali_sys_lseek(int fd, long long offset, int whence) {
    return wali__syscall(WALI_NR(8, 62), (long)(fd), (long)(offset), (long)(whence), 0, 0, 0);
}
static inline long long wali_sys_mmap(void *addr, wali_size_t length, int prot, int flags, int fd, long long offset) {
    return wali__syscall(WALI_NR(9, 222), (long)(addr), (long)(length), (long)(prot), (long)(flags), (long)(fd), (long)(offset));
}
static inline long long wali_sys_mprotect(void *addr, wali_size_t len, int prot) {
    return wali__syscall(WALI_NR(10, 226), (long)(addr), (long)(len), (long)(prot), 0, 0, 0);
}
static inline long long wali_sys_munmap(void *addr, wali_size_t len) {
    return wali__syscall(WALI_NR(11, 215), (long)(addr), (long)(len), 0, 0, 0, 0);
}
static inline long long wali_sys_brk(void *addr) {
    return wali__syscall(WALI_NR(12, 214), (long)(addr), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_rt_sigaction(int signum, const struct wali_k_sigaction *act, struct wali_k_sigaction *oldact, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(13, 134), (long)(signum), (long)(act), (long)(oldact), (long)(sigsetsize), 0, 0);
}
static inline long long wali_sys_rt_sigprocmask(int how, const void *set, void *oldset, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(14, 135), (long)(how), (long)(set), (long)(oldset), (long)(sigsetsize), 0, 0);
}
static inline long long wali_sys_rt_sigreturn(long long unused) {
    (void)unused;
    return -1;
}
static inline long long wali_sys_ioctl(int fd, int request, void *argp) {
    return wali__syscall(WALI_NR(16, 29), (long)(fd), (long)(request), (long)(argp), 0, 0, 0);
}
static inline long long wali_sys_pread64(int fd, char *buf, wali_size_t count, long long offset) {
    return wali__syscall(WALI_NR(17, 67), (long)(fd), (long)(buf), (long)(count), (long)(offset), 0, 0);
}
static inline long long wali_sys_pwrite64(int fd, const char *buf, wali_size_t count, long long offset) {
    return wali__syscall(WALI_NR(18, 68), (long)(fd), (long)(buf), (long)(count), (long)(offset), 0, 0);
}
static inline long long wali_sys_readv(int fd, const struct wali_iovec *iov, int iovcnt) {
    return wali__syscall(WALI_NR(19, 65), (long)(fd), (long)(iov), (long)(iovcnt), 0, 0, 0);
}
static inline long long wali_sys_writev(int fd, const struct wali_iovec *iov, int iovcnt) {
    return wali__syscall(WALI_NR(20, 66), (long)(fd), (long)(iov), (long)(iovcnt), 0, 0, 0);
}
static inline long long wali_sys_access(const char *pathname, int mode) {
    return wali__syscall(WALI_NR(21, -1), (long)(pathname), (long)(mode), 0, 0, 0, 0);
}
static inline long long wali_sys_pipe(int *pipefd) {
    return wali__syscall(WALI_NR(22, -1), (long)(pipefd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, struct wali_timeval *timeout) {
    return wali__syscall(WALI_NR(23, -1), (long)(nfds), (long)(readfds), (long)(writefds), (long)(exceptfds), (long)(timeout), 0);
}
static inline long long wali_sys_sched_yield(void) {
    return wali__syscall(WALI_NR(24, 124), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_mremap(void *old_address, wali_size_t old_size, wali_size_t new_size, int flags, void *new_address) {
    return wali__syscall(WALI_NR(25, 216), (long)(old_address), (long)(old_size), (long)(new_size), (long)(flags), (long)(new_address), 0);
}
static inline long long wali_sys_msync(void *addr, wali_size_t length, int flags) {
    return wali__syscall(WALI_NR(26, 227), (long)(addr), (long)(length), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_madvise(void *addr, wali_size_t length, int advice) {
    return wali__syscall(WALI_NR(28, 233), (long)(addr), (long)(length), (long)(advice), 0, 0, 0);
}
static inline long long wali_sys_dup(int oldfd) {
    return wali__syscall(WALI_NR(32, 23), (long)(oldfd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_dup2(int oldfd, int newfd) {
    return wali__syscall(WALI_NR(33, -1), (long)(oldfd), (long)(newfd), 0, 0, 0, 0);
}
static inline long long wali_sys_nanosleep(const struct wali_timespec *req, struct wali_timespec *rem) {
    return wali__syscall(WALI_NR(35, 101), (long)(req), (long)(rem), 0, 0, 0, 0);
}
static inline long long wali_sys_setitimer(int which, const struct wali_itimerval *new_value, struct wali_itimerval *old_value) {
    return wali__syscall(WALI_NR(38, 103), (long)(which), (long)(new_value), (long)(old_value), 0, 0, 0);
}
static inline long long wali_sys_getpid(void) {
    return wali__syscall(WALI_NR(39, 172), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_socket(int domain, int type, int protocol) {
    return wali__syscall(WALI_NR(41, 198), (long)(domain), (long)(type), (long)(protocol), 0, 0, 0);
}
static inline long long wali_sys_connect(int sockfd, const void *addr, unsigned int addrlen) {
    return wali__syscall(WALI_NR(42, 203), (long)(sockfd), (long)(addr), (long)(addrlen), 0, 0, 0);
}
static inline long long wali_sys_accept(int sockfd, void *addr, unsigned int *addrlen) {
    return wali__syscall(WALI_NR(43, 202), (long)(sockfd), (long)(addr), (long)(addrlen), 0, 0, 0);
}
static inline long long wali_sys_sendto(int sockfd, const void *buf, wali_size_t len, int flags, const void *dest_addr, unsigned int addrlen) {
    return wali__syscall(WALI_NR(44, 206), (long)(sockfd), (long)(buf), (long)(len), (long)(flags), (long)(dest_addr), (long)(addrlen));
}
static inline long long wali_sys_recvfrom(int sockfd, void *buf, wali_size_t len, int flags, void *src_addr, unsigned int *addrlen) {
    return wali__syscall(WALI_NR(45, 207), (long)(sockfd), (long)(buf), (long)(len), (long)(flags), (long)(src_addr), (long)(addrlen));
}
static inline long long wali_sys_sendmsg(int sockfd, const struct wali_msghdr *msg, int flags) {
    return wali__syscall(WALI_NR(46, 211), (long)(sockfd), (long)(msg), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_recvmsg(int sockfd, struct wali_msghdr *msg, int flags) {
    return wali__syscall(WALI_NR(47, 212), (long)(sockfd), (long)(msg), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_shutdown(int sockfd, int how) {
    return wali__syscall(WALI_NR(48, 210), (long)(sockfd), (long)(how), 0, 0, 0, 0);
}
static inline long long wali_sys_bind(int sockfd, const void *addr, unsigned int addrlen) {
    return wali__syscall(WALI_NR(49, 200), (long)(sockfd), (long)(addr), (long)(addrlen), 0, 0, 0);
}
static inline long long wali_sys_listen(int sockfd, int backlog) {
    return wali__syscall(WALI_NR(50, 201), (long)(sockfd), (long)(backlog), 0, 0, 0, 0);
}
static inline long long wali_sys_getsockname(int sockfd, void *addr, unsigned int *addrlen) {
    return wali__syscall(WALI_NR(51, 204), (long)(sockfd), (long)(addr), (long)(addrlen), 0, 0, 0);
}
static inline long long wali_sys_getpeername(int sockfd, void *addr, unsigned int *addrlen) {
    return wali__syscall(WALI_NR(52, 205), (long)(sockfd), (long)(addr), (long)(addrlen), 0, 0, 0);
}
static inline long long wali_sys_socketpair(int domain, int type, int protocol, int *sv) {
    return wali__syscall(WALI_NR(53, 199), (long)(domain), (long)(type), (long)(protocol), (long)(sv), 0, 0);
}
static inline long long wali_sys_setsockopt(int sockfd, int level, int optname, const void *optval, unsigned int optlen) {
    return wali__syscall(WALI_NR(54, 208), (long)(sockfd), (long)(level), (long)(optname), (long)(optval), (long)(optlen), 0);
}
static inline long long wali_sys_getsockopt(int sockfd, int level, int optname, void *optval, unsigned int *optlen) {
    return wali__syscall(WALI_NR(55, 209), (long)(sockfd), (long)(level), (long)(optname), (long)(optval), (long)(optlen), 0);
}
static inline long long wali_sys_fork(void) {
    return wali__syscall(WALI_NR(57, -1), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_execve(const char *pathname, char *const *argv, char *const *envp) {
    return wali__syscall(WALI_NR(59, 221), (long)(pathname), (long)(argv), (long)(envp), 0, 0, 0);
}
static inline long long wali_sys_exit(int status) {
    return wali__syscall(WALI_NR(60, 93), (long)(status), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_wait4(int pid, int *wstatus, int options, struct wali_rusage *rusage) {
    return wali__syscall(WALI_NR(61, 260), (long)(pid), (long)(wstatus), (long)(options), (long)(rusage), 0, 0);
}
static inline long long wali_sys_kill(int pid, int sig) {
    return wali__syscall(WALI_NR(62, 129), (long)(pid), (long)(sig), 0, 0, 0, 0);
}
static inline long long wali_sys_uname(struct wali_utsname *buf) {
    return wali__syscall(WALI_NR(63, 160), (long)(buf), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_fcntl(int fd, int cmd, unsigned long long arg) {
    return wali__syscall(WALI_NR(72, 25), (long)(fd), (long)(cmd), (long)(arg), 0, 0, 0);
}
static inline long long wali_sys_flock(int fd, int operation) {
    return wali__syscall(WALI_NR(73, 32), (long)(fd), (long)(operation), 0, 0, 0, 0);
}
static inline long long wali_sys_fsync(int fd) {
    return wali__syscall(WALI_NR(74, 82), (long)(fd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_fdatasync(int fd) {
    return wali__syscall(WALI_NR(75, 83), (long)(fd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_ftruncate(int fd, long long length) {
    return wali__syscall(WALI_NR(77, 46), (long)(fd), (long)(length), 0, 0, 0, 0);
}
static inline long long wali_sys_getcwd(char *buf, wali_size_t size) {
    return wali__syscall(WALI_NR(79, 17), (long)(buf), (long)(size), 0, 0, 0, 0);
}
static inline long long wali_sys_chdir(const char *path) {
    return wali__syscall(WALI_NR(80, 49), (long)(path), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_fchdir(int fd) {
    return wali__syscall(WALI_NR(81, 50), (long)(fd), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_rename(const char *oldpath, const char *newpath) {
    return wali__syscall(WALI_NR(82, -1), (long)(oldpath), (long)(newpath), 0, 0, 0, 0);
}
static inline long long wali_sys_mkdir(const char *pathname, int mode) {
    return wali__syscall(WALI_NR(83, -1), (long)(pathname), (long)(mode), 0, 0, 0, 0);
}
static inline long long wali_sys_rmdir(const char *pathname) {
    return wali__syscall(WALI_NR(84, -1), (long)(pathname), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_link(const char *oldpath, const char *newpath) {
    return wali__syscall(WALI_NR(86, -1), (long)(oldpath), (long)(newpath), 0, 0, 0, 0);
}
static inline long long wali_sys_unlink(const char *pathname) {
    return wali__syscall(WALI_NR(87, -1), (long)(pathname), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_symlink(const char *target, const char *linkpath) {
    return wali__syscall(WALI_NR(88, -1), (long)(target), (long)(linkpath), 0, 0, 0, 0);
}
static inline long long wali_sys_readlink(const char *pathname, char *buf, wali_size_t bufsiz) {
    return wali__syscall(WALI_NR(89, -1), (long)(pathname), (long)(buf), (long)(bufsiz), 0, 0, 0);
}
static inline long long wali_sys_chmod(const char *pathname, int mode) {
    return wali__syscall(WALI_NR(90, -1), (long)(pathname), (long)(mode), 0, 0, 0, 0);
}
static inline long long wali_sys_fchmod(int fd, int mode) {
    return wali__syscall(WALI_NR(91, 52), (long)(fd), (long)(mode), 0, 0, 0, 0);
}
static inline long long wali_sys_chown(const char *pathname, unsigned int owner, unsigned int group) {
    return wali__syscall(WALI_NR(92, -1), (long)(pathname), (long)(owner), (long)(group), 0, 0, 0);
}
static inline long long wali_sys_fchown(int fd, unsigned int owner, unsigned int group) {
    return wali__syscall(WALI_NR(93, 55), (long)(fd), (long)(owner), (long)(group), 0, 0, 0);
}
static inline long long wali_sys_umask(int mask) {
    return wali__syscall(WALI_NR(95, 166), (long)(mask), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_gettimeofday(struct wali_timeval *tv, struct wali_timezone *tz) {
    return wali__syscall(WALI_NR(96, 169), (long)(tv), (long)(tz), 0, 0, 0, 0);
}
static inline long long wali_sys_getrlimit(int resource, struct wali_rlimit *rlim) {
    return wali__syscall(WALI_NR(97, 163), (long)(resource), (long)(rlim), 0, 0, 0, 0);
}
static inline long long wali_sys_getrusage(int who, struct wali_rusage *usage) {
    return wali__syscall(WALI_NR(98, 165), (long)(who), (long)(usage), 0, 0, 0, 0);
}
static inline long long wali_sys_sysinfo(struct wali_sysinfo *info) {
    return wali__syscall(WALI_NR(99, 179), (long)(info), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_getuid(void) {
    return wali__syscall(WALI_NR(102, 174), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_getgid(void) {
    return wali__syscall(WALI_NR(104, 176), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_setuid(unsigned int uid) {
    return wali__syscall(WALI_NR(105, 146), (long)(uid), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_setgid(unsigned int gid) {
    return wali__syscall(WALI_NR(106, 144), (long)(gid), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_geteuid(void) {
    return wali__syscall(WALI_NR(107, 175), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_getegid(void) {
    return wali__syscall(WALI_NR(108, 177), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_setpgid(int pid, int pgid) {
    return wali__syscall(WALI_NR(109, 154), (long)(pid), (long)(pgid), 0, 0, 0, 0);
}
static inline long long wali_sys_getppid(void) {
    return wali__syscall(WALI_NR(110, 173), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_setsid(void) {
    return wali__syscall(WALI_NR(112, 157), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_setreuid(unsigned int ruid, unsigned int euid) {
    return wali__syscall(WALI_NR(113, 145), (long)(ruid), (long)(euid), 0, 0, 0, 0);
}
static inline long long wali_sys_setregid(unsigned int rgid, unsigned int egid) {
    return wali__syscall(WALI_NR(114, 143), (long)(rgid), (long)(egid), 0, 0, 0, 0);
}
static inline long long wali_sys_getgroups(wali_size_t size, unsigned int *list) {
    return wali__syscall(WALI_NR(115, 158), (long)(size), (long)(list), 0, 0, 0, 0);
}
static inline long long wali_sys_setgroups(wali_size_t size, const unsigned int *list) {
    return wali__syscall(WALI_NR(116, 159), (long)(size), (long)(list), 0, 0, 0, 0);
}
static inline long long wali_sys_setresuid(unsigned int ruid, unsigned int euid, unsigned int suid) {
    return wali__syscall(WALI_NR(117, 147), (long)(ruid), (long)(euid), (long)(suid), 0, 0, 0);
}
static inline long long wali_sys_setresgid(unsigned int rgid, unsigned int egid, unsigned int sgid) {
    return wali__syscall(WALI_NR(119, 149), (long)(rgid), (long)(egid), (long)(sgid), 0, 0, 0);
}
static inline long long wali_sys_getpgid(int pid) {
    return wali__syscall(WALI_NR(121, 155), (long)(pid), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_getsid(int pid) {
    return wali__syscall(WALI_NR(124, 156), (long)(pid), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_rt_sigpending(void *set, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(127, 136), (long)(set), (long)(sigsetsize), 0, 0, 0, 0);
}
static inline long long wali_sys_rt_sigsuspend(const void *mask, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(130, 133), (long)(mask), (long)(sigsetsize), 0, 0, 0, 0);
}
static inline long long wali_sys_sigaltstack(const struct wali_stack *ss, struct wali_stack *old_ss) {
    return wali__syscall(WALI_NR(131, 132), (long)(ss), (long)(old_ss), 0, 0, 0, 0);
}
static inline long long wali_sys_statfs(const char *path, struct wali_statfs *buf) {
    return wali__syscall(WALI_NR(137, 43), (long)(path), (long)(buf), 0, 0, 0, 0);
}
static inline long long wali_sys_fstatfs(int fd, struct wali_statfs *buf) {
    return wali__syscall(WALI_NR(138, 44), (long)(fd), (long)(buf), 0, 0, 0, 0);
}
static inline long long wali_sys_prctl(int option, unsigned long long arg2, unsigned long long arg3, unsigned long long arg4, unsigned long long arg5) {
    return wali__syscall(WALI_NR(157, 167), (long)(option), (long)(arg2), (long)(arg3), (long)(arg4), (long)(arg5), 0);
}
static inline long long wali_sys_setrlimit(int resource, const struct wali_rlimit *rlim) {
    return wali__syscall(WALI_NR(160, 164), (long)(resource), (long)(rlim), 0, 0, 0, 0);
}
static inline long long wali_sys_chroot(const char *path) {
    return wali__syscall(WALI_NR(161, 51), (long)(path), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_gettid(void) {
    return wali__syscall(WALI_NR(186, 178), 0, 0, 0, 0, 0, 0);
}
static inline long long wali_sys_tkill(int tid, int sig) {
    return wali__syscall(WALI_NR(200, 130), (long)(tid), (long)(sig), 0, 0, 0, 0);
}
static inline long long wali_sys_futex(int *uaddr, int futex_op, int val, struct wali_timespec *timeout, int *uaddr2, int val3) {
    return wali__syscall(WALI_NR(202, 98), (long)(uaddr), (long)(futex_op), (long)(val), (long)(timeout), (long)(uaddr2), (long)(val3));
}
static inline long long wali_sys_sched_getaffinity(int pid, wali_size_t cpusetsize, void *mask) {
    return wali__syscall(WALI_NR(204, 123), (long)(pid), (long)(cpusetsize), (long)(mask), 0, 0, 0);
}
static inline long long wali_sys_getdents64(int fd, void *dirp, int count) {
    return wali__syscall(WALI_NR(217, 61), (long)(fd), (long)(dirp), (long)(count), 0, 0, 0);
}
static inline long long wali_sys_set_tid_address(int *tidptr) {
    return wali__syscall(WALI_NR(218, 96), (long)(tidptr), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_fadvise(int fd, long long offset, long long len, int advice) {
    return wali__syscall(WALI_NR(221, 223), (long)(fd), (long)(offset), (long)(len), (long)(advice), 0, 0);
}
static inline long long wali_sys_clock_gettime(int clockid, struct wali_timespec *tp) {
    return wali__syscall(WALI_NR(228, 113), (long)(clockid), (long)(tp), 0, 0, 0, 0);
}
static inline long long wali_sys_clock_getres(int clockid, struct wali_timespec *res) {
    return wali__syscall(WALI_NR(229, 114), (long)(clockid), (long)(res), 0, 0, 0, 0);
}
static inline long long wali_sys_clock_nanosleep(int clockid, int flags, const struct wali_timespec *request, struct wali_timespec *remain) {
    return wali__syscall(WALI_NR(230, 115), (long)(clockid), (long)(flags), (long)(request), (long)(remain), 0, 0);
}
static inline long long wali_sys_exit_group(int status) {
    return wali__syscall(WALI_NR(231, 94), (long)(status), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_epoll_ctl(int epfd, int op, int fd, const struct wali_epoll_event *event) {
    return wali__syscall(WALI_NR(233, 21), (long)(epfd), (long)(op), (long)(fd), (long)(event), 0, 0);
}
static inline long long wali_sys_openat(int dirfd, const char *pathname, int flags, int mode) {
    return wali__syscall(WALI_NR(257, 56), (long)(dirfd), (long)(pathname), (long)(flags), (long)(mode), 0, 0);
}
static inline long long wali_sys_mkdirat(int dirfd, const char *pathname, int mode) {
    return wali__syscall(WALI_NR(258, 34), (long)(dirfd), (long)(pathname), (long)(mode), 0, 0, 0);
}
static inline long long wali_sys_fchownat(int dirfd, const char *pathname, unsigned int owner, unsigned int group, int flags) {
    return wali__syscall(WALI_NR(260, 54), (long)(dirfd), (long)(pathname), (long)(owner), (long)(group), (long)(flags), 0);
}
static inline long long wali_sys_newfstatat(int dirfd, const char *pathname, struct wali_stat *statbuf, int flags) {
    return wali__syscall(WALI_NR(262, 79), (long)(dirfd), (long)(pathname), (long)(statbuf), (long)(flags), 0, 0);
}
static inline long long wali_sys_unlinkat(int dirfd, const char *pathname, int flags) {
    return wali__syscall(WALI_NR(263, 35), (long)(dirfd), (long)(pathname), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags) {
    return wali__syscall(WALI_NR(265, 37), (long)(olddirfd), (long)(oldpath), (long)(newdirfd), (long)(newpath), (long)(flags), 0);
}
static inline long long wali_sys_symlinkat(const char *target, int newdirfd, const char *linkpath) {
    return wali__syscall(WALI_NR(266, 36), (long)(target), (long)(newdirfd), (long)(linkpath), 0, 0, 0);
}
static inline long long wali_sys_readlinkat(int dirfd, const char *pathname, char *buf, wali_size_t bufsiz) {
    return wali__syscall(WALI_NR(267, 78), (long)(dirfd), (long)(pathname), (long)(buf), (long)(bufsiz), 0, 0);
}
static inline long long wali_sys_fchmodat(int dirfd, const char *pathname, int mode, int flags) {
    return wali__syscall(WALI_NR(268, 53), (long)(dirfd), (long)(pathname), (long)(mode), (long)(flags), 0, 0);
}
static inline long long wali_sys_faccessat(int dirfd, const char *pathname, int mode, int flags) {
    return wali__syscall(WALI_NR(269, 48), (long)(dirfd), (long)(pathname), (long)(mode), (long)(flags), 0, 0);
}
static inline long long wali_sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, struct wali_timespec *timeout, const struct wali_pselect6_sigmask *sigmask) {
    return wali__syscall(WALI_NR(270, 72), (long)(nfds), (long)(readfds), (long)(writefds), (long)(exceptfds), (long)(timeout), (long)(sigmask));
}
static inline long long wali_sys_ppoll(struct wali_pollfd *fds, unsigned long long nfds, struct wali_timespec *tmo_p, const void *sigmask, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(271, 73), (long)(fds), (long)(nfds), (long)(tmo_p), (long)(sigmask), (long)(sigsetsize), 0);
}
static inline long long wali_sys_utimensat(int dirfd, const char *pathname, const struct wali_timespec *times, int flags) {
    return wali__syscall(WALI_NR(280, 88), (long)(dirfd), (long)(pathname), (long)(times), (long)(flags), 0, 0);
}
static inline long long wali_sys_epoll_pwait(int epfd, struct wali_epoll_event *events, int maxevents, int timeout, const void *sigmask, wali_size_t sigsetsize) {
    return wali__syscall(WALI_NR(281, 22), (long)(epfd), (long)(events), (long)(maxevents), (long)(timeout), (long)(sigmask), (long)(sigsetsize));
}
static inline long long wali_sys_eventfd(int initval) {
    return wali__syscall(WALI_NR(284, -1), (long)(initval), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_accept4(int sockfd, void *addr, unsigned int *addrlen, int flags) {
    return wali__syscall(WALI_NR(288, 242), (long)(sockfd), (long)(addr), (long)(addrlen), (long)(flags), 0, 0);
}
static inline long long wali_sys_eventfd2(int initval, int flags) {
    return wali__syscall(WALI_NR(290, 19), (long)(initval), (long)(flags), 0, 0, 0, 0);
}
static inline long long wali_sys_epoll_create1(int flags) {
    return wali__syscall(WALI_NR(291, 20), (long)(flags), 0, 0, 0, 0, 0);
}
static inline long long wali_sys_dup3(int oldfd, int newfd, int flags) {
    return wali__syscall(WALI_NR(292, 24), (long)(oldfd), (long)(newfd), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_pipe2(int *pipefd, int flags) {
    return wali__syscall(WALI_NR(293, 59), (long)(pipefd), (long)(flags), 0, 0, 0, 0);
}
static inline long long wali_sys_prlimit64(int pid, int resource, const struct wali_rlimit *new_limit, struct wali_rlimit *old_limit) {
    return wali__syscall(WALI_NR(302, 261), (long)(pid), (long)(resource), (long)(new_limit), (long)(old_limit), 0, 0);
}
static inline long long wali_sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags) {
    return wali__syscall(WALI_NR(316, 276), (long)(olddirfd), (long)(oldpath), (long)(newdirfd), (long)(newpath), (long)(flags), 0);
}
static inline long long wali_sys_getrandom(void *buf, wali_size_t buflen, int flags) {
    return wali__syscall(WALI_NR(318, 278), (long)(buf), (long)(buflen), (long)(flags), 0, 0, 0);
}
static inline long long wali_sys_statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct wali_statx *statxbuf) {
    return wali__syscall(WALI_NR(332, 291), (long)(dirfd), (long)(pathname), (long)(flags), (long)(mask), (long)(statxbuf), 0);
}
static inline long long wali_sys_faccessat2(int dirfd, const char *pathname, int mode, int flags) {
    return wali__syscall(WALI_NR(439, 439), (long)(dirfd), (long)(pathname), (long)(mode), (long)(flags), 0, 0);
}

/* auxiliary imports, natively */
static int wali__argc;
static char **wali__argv;
/* glibc passes (argc, argv, envp) to constructors. */
__attribute__((constructor)) static void wali__save_args(int argc, char **argv) {
    wali__argc = argc;
    wali__argv = argv;
}
static inline int wali_init(void) { return 0; }
static inline int wali_deinit(void) { return 0; }
static inline __attribute__((noreturn)) void wali_proc_exit(int status) {
    for (;;) syscall(WALI_NR(231, 94), (long)status);
}
static inline unsigned wali_cl_get_argc(void) { return (unsigned)wali__argc; }
static inline unsigned wali_cl_get_argv_len(unsigned idx) {
    unsigned n = 0;
    while (wali__argv[idx][n]) n++;
    return n;
}
static inline int wali_cl_copy_argv(char *buf, unsigned idx) {
    unsigned i = 0;
    do buf[i] = wali__argv[idx][i]; while (wali__argv[idx][i++]);
    return 0;
}
static inline int wali_get_init_envfile(char *buf, unsigned size) { (void)buf; (void)size; return 0; }
static inline int wali_thread_spawn(void (*start)(int tid, void *arg), void *arg) {
    (void)start; (void)arg;
    return -1;
}
#define wali_setjmp(env) setjmp(*(jmp_buf *)(void *)(env))
#define wali_sigsetjmp(env, savesigs) sigsetjmp(*(sigjmp_buf *)(void *)(env), savesigs)
#define wali_longjmp(env, val) longjmp(*(jmp_buf *)(void *)(env), val)

#if defined(__x86_64__)
/* x86_64 signal handlers need SA_RESTORER with a trampoline that calls rt_sigreturn. */
__asm__(".pushsection .text\n\t.p2align 4\nwali__restore_rt:\n\tmovq $15, %rax\n\tsyscall\n\t.popsection\n");
extern void wali__restore_rt(void);
#endif

#endif /* __wasm__ */

/* ---- Helpers (no libc) ---- */

static inline wali_size_t wali_strlen(const char *s) {
    wali_size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline int wali_strcmp(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
static inline int wali_streq(const char *a, const char *b) { return wali_strcmp(a, b) == 0; }
static inline void *wali_memcpy(void *d, const void *s, wali_size_t n) { return __builtin_memcpy(d, s, n); }
static inline void *wali_memset(void *d, int c, wali_size_t n) { return __builtin_memset(d, c, n); }
static inline int wali_memcmp(const void *a, const void *b, wali_size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (wali_size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}

#if defined(__wasm__)
/* clang may emit calls to these for struct copies and initialisers. With -mbulk-memory the builtins
 * become memory.copy / memory.fill, never calls back into these functions. */
__attribute__((weak)) void *memcpy(void *d, const void *s, wali_size_t n) { return __builtin_memcpy(d, s, n); }
__attribute__((weak)) void *memmove(void *d, const void *s, wali_size_t n) { return __builtin_memmove(d, s, n); }
__attribute__((weak)) void *memset(void *d, int c, wali_size_t n) { return __builtin_memset(d, c, n); }
__attribute__((weak)) int memcmp(const void *a, const void *b, wali_size_t n) { return wali_memcmp(a, b, n); }
#endif

/* Writes all of buf to fd (retrying short writes and EINTR); returns 0 or -errno. */
static inline long long wali_write_all(int fd, const void *buf, wali_size_t n) {
    const char *p = (const char *)buf;
    while (n > 0) {
        long long r = wali_sys_write(fd, p, n);
        if (r == -EINTR) continue;
        if (r < 0) return r;
        if (r == 0) return -EIO;
        p += r;
        n -= (wali_size_t)r;
    }
    return 0;
}
static inline void fprint(int fd, const char *s) { wali_write_all(fd, s, wali_strlen(s)); }
static inline void print(const char *s) { fprint(1, s); }
static inline void eprint(const char *s) { fprint(2, s); }
static inline void fprint_char(int fd, char c) { wali_write_all(fd, &c, 1); }
static inline void print_char(char c) { fprint_char(1, c); }
static inline void fprint_uint(int fd, unsigned long long v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do buf[--i] = (char)('0' + v % 10); while (v /= 10);
    fprint(fd, buf + i);
}
static inline void fprint_int(int fd, long long v) {
    if (v < 0) {
        fprint_char(fd, '-');
        fprint_uint(fd, 0ULL - (unsigned long long)v);
    } else {
        fprint_uint(fd, (unsigned long long)v);
    }
}
static inline void fprint_hex(int fd, unsigned long long v) {
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do buf[--i] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    buf[--i] = 'x';
    buf[--i] = '0';
    fprint(fd, buf + i);
}
static inline void print_int(long long v) { fprint_int(1, v); }
static inline void print_uint(unsigned long long v) { fprint_uint(1, v); }
static inline void print_hex(unsigned long long v) { fprint_hex(1, v); }
/* print("name=") print_int(v) print("\n") in one call */
static inline void print_kv(const char *key, long long v) {
    print(key);
    print_char('=');
    print_int(v);
    print_char('\n');
}

/* WALI_CHECK(cond): on failure print the condition and line to stderr and exit with status
 * WALI_CHECK_FAILED_STATUS (a trap exits with 1). */
#define WALI_CHECK_FAILED_STATUS 99
static inline __attribute__((noreturn)) void wali_check_failed(const char *what, int line) {
    eprint("CHECK failed: ");
    eprint(what);
    eprint(" (line ");
    fprint_int(2, line);
    eprint(")\n");
    wali_proc_exit(WALI_CHECK_FAILED_STATUS);
}
#define WALI_CHECK(cond) do { if (!(cond)) wali_check_failed(#cond, __LINE__); } while (0)

/* wait status decoding */
#define WALI_WIFEXITED(s) (((s) & 0x7f) == 0)
#define WALI_WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WALI_WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WALI_WTERMSIG(s) ((s) & 0x7f)

/* Installs handler fn (or WALI_SIG_DFL / WALI_SIG_IGN) for sig with rt_sigaction, the same way in
 * both builds (natively on x86_64 with the SA_RESTORER trampoline the kernel requires). */
static inline long long wali_signal(int sig, void (*fn)(int), unsigned long long flags) {
    struct wali_k_sigaction sa;
    wali_memset(&sa, 0, sizeof sa);
    sa.handler = fn;
    sa.flags = flags;
#if !defined(__wasm__) && defined(__x86_64__)
    sa.flags |= SA_RESTORER;
    sa.restorer = wali__restore_rt;
#endif
    return wali_sys_rt_sigaction(sig, &sa, 0, KERNEL_SIGSET_SIZE);
}

/* ---- Entry (wasm32) ---- */
#if defined(__wasm__) && !defined(WALI_NO_START)
int main(int argc, char **argv);

/* The WALI start sequence (WALI-ABI.md §3.1, as the WALI test programs do it): __init, argv through
 * the __cl_* imports (copied to this frame), main, then __proc_exit(main's value) if it is non-zero,
 * else __proc_exit(__deinit()). The environment stays empty (no env file is read). */
__attribute__((export_name("_start"))) void _start(void) {
    int r = wali_init();
    if (r != 0) wali_proc_exit(r);
    unsigned argc = wali_cl_get_argc();
    wali_size_t total = 1;
    for (unsigned i = 0; i < argc; i++) total += wali_cl_get_argv_len(i) + 1;
    char strings[total];
    char *argv[argc + 1];
    char *p = strings;
    for (unsigned i = 0; i < argc; i++) {
        argv[i] = p;
        wali_cl_copy_argv(p, i);
        p += wali_cl_get_argv_len(i) + 1;
    }
    argv[argc] = 0;
    r = main((int)argc, argv);
    if (r != 0) wali_proc_exit(r);
    wali_proc_exit(wali_deinit());
}
#endif

#endif /* CWALI_WALI_H */
