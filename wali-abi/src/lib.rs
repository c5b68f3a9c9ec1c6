//! The WALI ABI as data, and the host side of WALI.
//!
//! WALI (WebAssembly Linux Interface) gives wasm32 modules the Linux syscalls as imports from module
//! `wali`, named `SYS_<name>`, plus a few auxiliary imports. This crate states that ABI once, as
//! tables, and everything else is derived from them:
//!
//! - [`syscalls::SYSCALLS`]: the 140 syscalls of the spec. Per entry the x86_64 and aarch64 numbers,
//!   the Wasm signature, what every argument is (plain value, fd, guest pointer and the extent the
//!   kernel touches, string, string array, struct needing conversion, ...), and whether the call is a
//!   *pass-through* (translate pointers, widen integers, enter the kernel: codegen may inline it) or
//!   needs a host implementation, on each host architecture. [`syscalls::AUX_IMPORTS`] lists the
//!   non-syscall imports. Import resolution, the inline syscall path, `--trace` output and the
//!   coverage tests all read these tables.
//! - [`layouts`]: every guest struct the table refers to, with offsets as the guest sees them, how it
//!   relates to the kernel's layout, and pure converters (byte slices in, host structs out) for the
//!   few that differ. Guest memory is reached only through the [`layouts::GuestMemory`] trait.
//! - [`consts`]: the guest's constants (x86_64 Linux values on every host).
//! - [`guest_header`]: generates `tests/guests/include/wali.h`, the C header our test guests are
//!   written against (imports, structs with compile-time layout checks, constants, a start routine,
//!   and native shims so the same source also builds with gcc). A test keeps the committed copy equal
//!   to the generated one.
//! - `host` (feature `host`, default): the runtime side — linking, process/thread/signal/memory
//!   emulation. It is the only part that depends on `cwali-rt`; build the data layer alone with
//!   `--no-default-features`.
//! - [`sandbox`] (feature `host`): instance-isolation sandboxes — many WALI programs in one
//!   process, a fresh instance per request on the calling thread, seeing only a virtual fd table
//!   (request body, response, log), time, randomness, memory inside their own linear memory and
//!   exit; every other call is `-ENOSYS`/`-EPERM`, nothing is passed through to the kernel;
//!   deadlines through per-store interrupts, a memory cap (`cwali serve --isolation instance`,
//!   docs/sandbox.md).
//!
//! The reference for all of this is `WALI-ABI.md` (section numbers below refer to it).
//!
//! # Where the table departs from a literal reading of WALI-ABI.md
//!
//! - `set_tid_address` is marked P (plain pass-through) in §6 but is a host call here: passing it
//!   through re-targets the *host* thread's clear-child-tid word, which the host libc's own thread
//!   join waits on, so a guest main thread running on a runtime-spawned host thread could hang the
//!   join. The host implementation records the address and returns `gettid()`.
//! - `rt_sigprocmask` is marked P in §6, but §10.3 recommends removing the runtime's fault signals
//!   from every mask the guest installs, so it is a host call. The temporary masks of `ppoll`,
//!   `epoll_pwait` and `rt_sigsuspend` stay pass-through (no guest code runs while they apply);
//!   `pselect6` is a host call anyway (its 6th argument is converted).
//! - `open` and `openat` are host calls on every host because of the `/proc/self/mem` check of §15
//!   (the reference applies it to `openat` only, and to `open` only on aarch64). Other path-taking
//!   calls stay pass-through.
//! - The kernel's `faccessat` (x86_64 269 / aarch64 48) takes three arguments; the spec's fourth
//!   (`flags`) is ignored by the kernel. Harmless: musl calls it only with `flags == 0` and uses
//!   `faccessat2` otherwise.
//! - `select`, `pselect6` and `ppoll` timeouts are in/out: the kernel writes the remaining time back.
//! - A few arguments the spec types as `int` are `unsigned int` in the kernel (`ioctl` request,
//!   `getdents64` count, `renameat2`/`getrandom` flags): they are zero-extended. The kernel truncates
//!   them either way.
//! - `struct rusage` (guest 272 bytes) and `struct sysinfo` (368) are listed as "no conversion" in
//!   §7.1; they are pass-through because the kernel fills only a prefix (144 / 112 bytes) with the
//!   guest's offsets ([`layouts::HostLayout::Prefix`]).
//! - `fstat` exists on aarch64 (80) but is still converted there (§14 routes it through
//!   `newfstatat(fd, "", buf, AT_EMPTY_PATH)` into a host buffer).
//! - Twelve of the nineteen syscalls absent on aarch64 are pure argument rewrites onto an `*at`/`2`
//!   syscall ([`syscalls::Aarch64::Rewrite`]) and stay pass-through; `open`, `stat`, `lstat`,
//!   `poll`, `select`, `dup2` and `fork` need a host emulation there.
//!
//! Reference-runtime defects (§16) the table encodes the fix for rather than the behaviour:
//! `epoll_pwait` converting a single event (16.9; pass-through on x86_64, full array on aarch64),
//! `recvmsg` not writing back lengths/flags (16.10), `fcntl` translating too few pointer commands
//! (16.11), `futex` treating `val2` as a pointer (16.12; `timeout` and `uaddr2` are
//! [`syscalls::ArgKind::Dependent`]), `ioctl` treating integer arguments as pointers (16.13),
//! `select` on aarch64 passing a timeval as a timespec (16.7), and out-of-range pointers becoming
//! NULL instead of `-EFAULT` (16.15).

// Every unsafe block of the library says why it is sound (test modules are exempt).
#![cfg_attr(not(test), deny(clippy::undocumented_unsafe_blocks))]

pub mod consts;
pub mod guest_header;
#[cfg(feature = "host")]
pub mod host;
pub mod ioctls;
pub mod layouts;
#[cfg(feature = "host")]
pub mod sandbox;
pub mod syscalls;

/// A host architecture the runtime supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    /// The architecture this crate is compiled for, if supported.
    pub const HOST: Option<Arch> = if cfg!(target_arch = "x86_64") {
        Some(Arch::X86_64)
    } else if cfg!(target_arch = "aarch64") {
        Some(Arch::Aarch64)
    } else {
        None
    };
}
