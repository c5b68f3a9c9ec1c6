//! Entering Wasm and turning its faults into traps.
//!
//! Generated code has no explicit trap paths back to the host: a trap is a hardware fault
//! (`ud2`/`udf` → SIGILL, a load in the guard region → SIGSEGV/SIGBUS, `div` by zero on x86_64
//! → SIGFPE) at a PC that codegen recorded. Getting out works like this:
//!
//! 1. [`catch_traps`] calls the closure through `cwali_setjmp_call` (`entry.c`), which keeps a
//!    `jmp_buf` in its frame; its address is this thread's innermost *landing pad*, kept in a
//!    const-initialised thread-local (the previous one is restored afterwards, so nesting
//!    host → Wasm → host → Wasm works and the innermost call catches).
//! 2. The signal handler (async-signal-safe: no allocation, no locks, only const-initialised
//!    thread-locals) reads PC and FP from the `ucontext`. If this thread has a landing pad and
//!    the [`code_registry`] knows the PC as a trap site, it records the trap kind and the Wasm
//!    frames (walking the frame-pointer chain, inside this thread's stack only) into a fixed
//!    thread-local buffer, then rewrites the context so that returning from the handler
//!    "calls" `cwali_longjmp(landing pad)`. Returning normally lets the kernel restore the
//!    signal mask, so no `sigsetjmp` mask saving is needed on entry.
//! 3. Any other fault is not ours: it goes to the previous handler, or — when that was the
//!    default — the default action is restored and the fault re-raised, so it still kills the
//!    process loudly. A fault is never swallowed.
//!
//! Host code called from Wasm (builtins, host functions) leaves with [`raise_trap`] /
//! [`raise_host_trap`], which jump to the same landing pad directly.
//!
//! `longjmp` skips the frames between the landing pad and the trap without running
//! destructors. Those frames are generated code, trampolines and the closure passed to
//! `catch_traps`; host code that raises a trap must own nothing that needs dropping.
//!
//! The handler runs on an alternate signal stack (a Wasm stack overflow must still be
//! handled), allocated per thread by `catch_traps`, never by the handler.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::ffi::{c_int, c_void};
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::null_mut;
use std::sync::Once;

use cwali_codegen::TrapKind;

use crate::code_registry;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("cwali's trap handling supports x86_64 and aarch64 only");

/// Most Wasm frames a trap record holds.
pub const MAX_FRAMES: usize = 64;

/// How many non-Wasm frames `raise_trap` skips looking for the innermost Wasm frame.
const MAX_HOST_FRAMES: usize = 32;

/// Minimum usable size of the alternate signal stack.
const ALT_STACK_SIZE: usize = 64 << 10;

unsafe extern "C" {
    fn cwali_setjmp_call(
        f: unsafe extern "C" fn(*mut c_void),
        data: *mut c_void,
        jmpbuf_out: *mut *mut c_void,
    ) -> c_int;
    fn cwali_longjmp(jmpbuf: *mut c_void) -> !;
}

/// What the handler recorded about a trap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapRecord {
    pub kind: TrapKind,
    /// The faulting instruction; 0 for traps raised by host code ([`raise_trap`]).
    pub pc: usize,
    /// Wasm frames, innermost first, at most [`MAX_FRAMES`]. For a fault, `frames[0] == pc`;
    /// every other entry is a return address into a Wasm caller. See [`Self::lookup_pcs`].
    pub frames: Vec<usize>,
}

impl TrapRecord {
    /// One address per frame to pass to [`code_registry::lookup_frame`]: the faulting PC as is,
    /// return addresses minus one (so a call that ends a function maps to that function).
    pub fn lookup_pcs(&self) -> impl Iterator<Item = usize> + '_ {
        self.frames.iter().enumerate().map(
            |(i, &a)| {
                if i == 0 && self.pc != 0 && a == self.pc { a } else { a.wrapping_sub(1) }
            },
        )
    }
}

/// How a [`catch_traps`] call ended abnormally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaughtTrap {
    /// Generated code faulted at a trap site, or host code called [`raise_trap`].
    Wasm(TrapRecord),
    /// Host code called [`raise_host_trap`] with this message.
    Host(String),
    /// An exception no Wasm frame of the activation caught ([`raise_exception`]): its exnref.
    Exception(usize),
}

/// The signals whose faults can be Wasm traps.
const SIGNALS: [c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers installed before ours, indexed like `SIGNALS`. Written once in `init`, before
/// our handler is installed, read-only afterwards.
struct PreviousHandlers(UnsafeCell<[MaybeUninit<libc::sigaction>; 4]>);
// SAFETY: see above: written under `INIT` before any reader can exist.
unsafe impl Sync for PreviousHandlers {}
static PREVIOUS: PreviousHandlers = PreviousHandlers(UnsafeCell::new([MaybeUninit::uninit(); 4]));
static INIT: Once = Once::new();

/// Installs the SIGSEGV, SIGBUS, SIGILL and SIGFPE handlers once (idempotent, thread-safe),
/// remembering the previous handlers to chain to.
pub fn init() {
    INIT.call_once(|| {
        for (i, &signal) in SIGNALS.iter().enumerate() {
            // SAFETY: plain sigaction calls; PREVIOUS[i] is written before our handler can run.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handle_signal as *const () as usize;
                // SA_ONSTACK: survive a stack overflow. SA_NODEFER: a chained handler that
                // longjmps out of the signal must not leave the signal blocked.
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut action.sa_mask);
                // Query the previous handler first: the kernel writes `oldact` only after the
                // new handler is live, and a fault on another thread might chain before that.
                let previous = (*PREVIOUS.0.get())[i].as_mut_ptr();
                if libc::sigaction(signal, null_mut(), previous) != 0
                    || libc::sigaction(signal, &action, null_mut()) != 0
                {
                    panic!("cannot install the handler for signal {signal}: {}", std::io::Error::last_os_error());
                }
            }
        }
        tracing::debug!("trap signal handlers installed");
    });
}

/// The trap the handler (or `raise_*`) leaves for `catch_traps`: fixed size, no allocation.
#[derive(Clone, Copy)]
struct TrapBuffer {
    reason: Reason,
    kind: TrapKind,
    pc: usize,
    len: usize,
    frames: [usize; MAX_FRAMES],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    None,
    Wasm,
    Host,
    /// `pc` holds the exnref.
    Exception,
}

thread_local! {
    /// The innermost landing pad (`jmp_buf` in `cwali_setjmp_call`'s frame), null outside Wasm.
    static LANDING_PAD: Cell<*mut c_void> = const { Cell::new(null_mut()) };
    static TRAP: UnsafeCell<TrapBuffer> = const {
        UnsafeCell::new(TrapBuffer {
            reason: Reason::None,
            kind: TrapKind::Unreachable,
            pc: 0,
            len: 0,
            frames: [0; MAX_FRAMES],
        })
    };
    /// This thread's stack as [low, high); frame walks dereference nothing outside it.
    static STACK_BOUNDS: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Set once the thread has stack bounds and a large enough alternate signal stack.
    static THREAD_READY: Cell<bool> = const { Cell::new(false) };
    static HOST_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
    static ALT_STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// Runs `f` (which calls into generated code). If a recorded trap site faults, or
/// [`raise_trap`] / [`raise_host_trap`] is called, while `f` runs on this thread, execution
/// unwinds back here and the trap is returned. A panic in `f` is propagated.
///
/// # Safety
/// Everything `f` runs that a trap may skip over must be free of pending destructors (see the
/// module doc); in practice `f` should only call a trampoline into generated code.
pub unsafe fn catch_traps(f: &mut dyn FnMut()) -> Result<(), CaughtTrap> {
    init();
    prepare_thread();

    struct Call<'a> {
        f: &'a mut dyn FnMut(),
        landing_pad: *mut c_void,
        panic: Option<Box<dyn std::any::Any + Send>>,
    }
    unsafe extern "C" fn enter(data: *mut c_void) {
        // SAFETY: `data` is the `Call` below, alive for the whole call.
        let call = unsafe { &mut *data.cast::<Call>() };
        let previous = LANDING_PAD.replace(call.landing_pad);
        // A panic must not unwind through the C frame; carry it across instead.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (call.f)())) {
            call.panic = Some(payload);
        }
        LANDING_PAD.set(previous);
    }

    let previous = LANDING_PAD.get();
    let mut call = Call { f, landing_pad: null_mut(), panic: None };
    let call_ptr = &raw mut call;
    // SAFETY: `enter` matches the callback type; the out-pointer refers into `call`.
    let unwound = unsafe { cwali_setjmp_call(enter, call_ptr.cast(), &raw mut (*call_ptr).landing_pad) };
    if unwound == 0 {
        if let Some(payload) = call.panic.take() {
            resume_unwind(payload);
        }
        return Ok(());
    }
    // Unwound: `enter` did not get to restore the outer landing pad.
    LANDING_PAD.set(previous);
    Err(take_trap())
}

/// Unwinds to the innermost [`catch_traps`] on this thread, which returns
/// `Err(CaughtTrap::Wasm)` with `kind`. The record's frames are the Wasm frames found on the
/// frame-pointer chain above the caller (best effort: host frames without frame pointers may
/// hide them).
///
/// # Safety
/// Must be called while a `catch_traps` is active on this thread (panics otherwise), and no
/// frame between here and that `catch_traps` may own anything with a destructor — drop
/// everything before calling.
pub unsafe fn raise_trap(kind: TrapKind) -> ! {
    let pad = active_landing_pad();
    let (fp, sp) = (current_frame_pointer(), current_stack_pointer());
    TRAP.with(|t| {
        // SAFETY: only this thread touches its buffer, and the handler cannot interrupt us here.
        let t = unsafe { &mut *t.get() };
        t.reason = Reason::Wasm;
        t.kind = kind;
        t.pc = 0;
        t.len = 0;
        // SAFETY: the walk dereferences only addresses inside this thread's stack.
        unsafe { walk_frames(t, fp, sp, MAX_HOST_FRAMES) };
    });
    // SAFETY: `pad` is the live jmp_buf of the innermost catch_traps.
    unsafe { cwali_longjmp(pad) }
}

/// Like [`raise_trap`], but the trap is a host failure carrying `message`; `catch_traps`
/// returns `Err(CaughtTrap::Host(message))`.
///
/// # Safety
/// As for [`raise_trap`]. `message` is moved into thread-local storage first, so it is not
/// leaked.
pub unsafe fn raise_host_trap(message: String) -> ! {
    let pad = active_landing_pad();
    HOST_MESSAGE.with(|m| *m.borrow_mut() = Some(message));
    TRAP.with(|t| {
        // SAFETY: as in raise_trap.
        let t = unsafe { &mut *t.get() };
        t.reason = Reason::Host;
        t.len = 0;
    });
    // SAFETY: as in raise_trap.
    unsafe { cwali_longjmp(pad) }
}

/// Unwinds to the innermost [`catch_traps`], which returns `Err(CaughtTrap::Exception(exn))`.
///
/// # Safety
/// As for [`raise_trap`].
pub unsafe fn raise_exception(exn: usize) -> ! {
    let pad = active_landing_pad();
    TRAP.with(|t| {
        // SAFETY: as in raise_trap.
        let t = unsafe { &mut *t.get() };
        t.reason = Reason::Exception;
        t.pc = exn;
        t.len = 0;
    });
    // SAFETY: as in raise_trap.
    unsafe { cwali_longjmp(pad) }
}

fn active_landing_pad() -> *mut c_void {
    let pad = LANDING_PAD.get();
    if pad.is_null() {
        panic!("cwali: trap raised outside of catch_traps");
    }
    pad
}

fn take_trap() -> CaughtTrap {
    let t = TRAP.with(|t| {
        // SAFETY: this thread's buffer; no trap is being recorded now.
        let t = unsafe { &mut *t.get() };
        let copy = *t;
        t.reason = Reason::None;
        copy
    });
    match t.reason {
        Reason::Wasm => CaughtTrap::Wasm(TrapRecord { kind: t.kind, pc: t.pc, frames: t.frames[..t.len].to_vec() }),
        Reason::Host => {
            CaughtTrap::Host(HOST_MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_else(|| "host trap".to_string()))
        }
        Reason::Exception => CaughtTrap::Exception(t.pc),
        Reason::None => unreachable!("unwound to catch_traps without a recorded trap"),
    }
}

/// One-time per-thread set-up outside the signal handler: stack bounds and the alternate
/// signal stack.
fn prepare_thread() {
    if THREAD_READY.get() {
        return;
    }
    STACK_BOUNDS.set(thread_stack_bounds());
    ensure_alt_stack();
    THREAD_READY.set(true);
}

fn thread_stack_bounds() -> (usize, usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Some(bounds) = process_stack_bounds() {
        return bounds;
    }
    // SAFETY: standard pthread attribute queries on the current thread.
    unsafe {
        let mut attr = MaybeUninit::<libc::pthread_attr_t>::uninit();
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
            tracing::warn!("pthread_getattr_np failed: trap backtraces will be empty");
            return (0, 0);
        }
        let mut addr = null_mut();
        let mut size = 0;
        let ok = libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(attr.as_mut_ptr());
        if !ok {
            return (0, 0);
        }
        (addr as usize, addr as usize + size)
    }
}

/// The bounds of the process's initial stack when the current thread runs on it, found without
/// `pthread_getattr_np`, which for that stack reads and parses all of /proc/self/maps (7 % of
/// the instructions of a `cwali run hello.wasm`, and six syscalls). The top is glibc's `__libc_stack_end` (the stack
/// pointer at process entry: above it are only argv, the environment and the aux vector), the
/// bottom lies the stack size limit below it. Part of that range may not be mapped yet, which is
/// why a frame walk never goes below the stack pointer it starts from.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn process_stack_bounds() -> Option<(usize, usize)> {
    unsafe extern "C" {
        static __libc_stack_end: *mut c_void;
    }
    // SAFETY: set by the dynamic loader before any of our code runs; plain rlimit query.
    let (top, limit) = unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_STACK, &mut lim) != 0 || lim.rlim_cur == libc::RLIM_INFINITY {
            return None;
        }
        (__libc_stack_end as usize, lim.rlim_cur as usize)
    };
    // Other threads' stacks are mappings at least the stack limit away from the process stack.
    let sp = current_stack_pointer();
    (sp < top && top - sp < limit).then(|| (top.saturating_sub(limit), top))
}

/// An alternate signal stack we mapped: `guard` inaccessible bytes, then the usable stack.
struct AltStack {
    mapping: *mut c_void,
    guard: usize,
    size: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: our own mapping; disable it first if it is still this thread's altstack.
        unsafe {
            let mut current: libc::stack_t = std::mem::zeroed();
            let ours = self.mapping.cast::<u8>().add(self.guard).cast::<c_void>();
            if libc::sigaltstack(null_mut(), &mut current) == 0 && current.ss_sp == ours {
                let disable = libc::stack_t { ss_sp: null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
                libc::sigaltstack(&disable, null_mut());
            }
            libc::munmap(self.mapping, self.guard + self.size);
        }
    }
}

/// Makes sure this thread has an alternate signal stack of at least `ALT_STACK_SIZE`; Rust's
/// own (a few KiB, for its stack-overflow message) is replaced when too small.
fn ensure_alt_stack() {
    // SAFETY: sigaltstack/mmap/mprotect on memory this function owns.
    unsafe {
        let mut current: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(null_mut(), &mut current) == 0
            && current.ss_flags & libc::SS_DISABLE == 0
            && current.ss_size >= ALT_STACK_SIZE
        {
            return;
        }
        let guard = libc::sysconf(libc::_SC_PAGESIZE).max(4096) as usize;
        let size = ALT_STACK_SIZE.max(libc::SIGSTKSZ);
        let mapping =
            libc::mmap(null_mut(), guard + size, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
        if mapping == libc::MAP_FAILED {
            tracing::error!(err = %std::io::Error::last_os_error(), "cannot map an alternate signal stack");
            return;
        }
        let stack = mapping.cast::<u8>().add(guard).cast::<c_void>();
        if libc::mprotect(stack, size, libc::PROT_READ | libc::PROT_WRITE) != 0 {
            tracing::error!(err = %std::io::Error::last_os_error(), "cannot map an alternate signal stack");
            libc::munmap(mapping, guard + size);
            return;
        }
        let new = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: size };
        if libc::sigaltstack(&new, null_mut()) != 0 {
            tracing::error!(err = %std::io::Error::last_os_error(), "sigaltstack failed");
            libc::munmap(mapping, guard + size);
            return;
        }
        // During thread teardown the slot may be gone: then the stack simply stays mapped.
        let _ = ALT_STACK.try_with(|s| *s.borrow_mut() = Some(AltStack { mapping, guard, size }));
    }
}

/// The signal handler. Async-signal-safe: see the module doc.
unsafe extern "C" fn handle_signal(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    // A host copy into or out of guest memory hit a page the guest protected: it returns a fault.
    // SAFETY: the handler's own arguments.
    if unsafe { crate::guest_access::recover(signal, info, context) } {
        return;
    }
    // Sent by a process (kill, tkill, sigqueue: si_code <= 0), not raised by a fault: never a
    // trap, and never for the previous handler (Rust's resets the disposition, losing ours).
    // SAFETY: the kernel's siginfo.
    if !info.is_null() && unsafe { (*info).si_code } <= 0 {
        // SAFETY: async-signal-safe, as `sent_fault_signal` requires of the hook.
        unsafe { sent_fault_signal(signal, info) };
        return;
    }
    let pad = LANDING_PAD.get();
    if !pad.is_null() {
        // SAFETY: the kernel passes a valid ucontext_t.
        let (pc, fp, sp) = unsafe { context_pc_fp_sp(context) };
        if let Some(kind) = code_registry::lookup_trap(pc) {
            #[cfg(target_arch = "x86_64")]
            if kind == TrapKind::Safepoint && !info.is_null() {
                // A poll of a protected poll page: run the safepoint, then the load again.
                // SAFETY: the context is interrupted at a safepoint site in Wasm code.
                unsafe { crate::poll_page::resume_in_safepoint(context, (*info).si_addr() as usize) };
                return;
            }
            TRAP.with(|t| {
                // SAFETY: only this thread's handler writes its buffer, and catch_traps reads it
                // only after the longjmp.
                let t = unsafe { &mut *t.get() };
                t.reason = Reason::Wasm;
                t.kind = kind;
                t.pc = pc;
                t.frames[0] = pc;
                t.len = 1;
                // SAFETY: dereferences only addresses inside this thread's stack.
                unsafe { walk_frames(t, fp, sp, 0) };
            });
            // SAFETY: `pad` is the live jmp_buf of the innermost catch_traps.
            unsafe { resume_in_longjmp(context, pad) };
            return;
        }
    }
    // SAFETY: forwarding the kernel's arguments.
    unsafe { chain(signal, info, context) }
}

/// Appends Wasm return addresses found on the frame-pointer chain starting at `fp` (a frame
/// record `[saved fp, return address]` on both x86_64 and aarch64). Up to `skip_host` leading
/// non-Wasm frames are passed over (for `raise_trap`, called from host frames); after that the
/// walk stops at the first non-Wasm frame.
///
/// # Safety
/// `sp` is the stack pointer of the code whose frames are walked. Reads memory only between it
/// and the top of this thread's recorded stack, which is mapped, so it cannot fault.
unsafe fn walk_frames(t: &mut TrapBuffer, mut fp: usize, sp: usize, mut skip_host: usize) {
    let (low, high) = STACK_BOUNDS.get();
    let low = low.max(sp);
    while t.len < MAX_FRAMES {
        if fp < low || !fp.is_multiple_of(std::mem::align_of::<usize>()) || fp.saturating_add(16) > high {
            return;
        }
        // SAFETY: [fp, fp + 16) lies inside this thread's stack, so it is mapped.
        let (next, ra) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if code_registry::is_wasm_pc(ra.wrapping_sub(1)) {
            t.frames[t.len] = ra;
            t.len += 1;
            skip_host = 0;
        } else if skip_host == 0 || t.len > 0 {
            return;
        } else {
            skip_host -= 1;
        }
        // Callers' frames lie at higher addresses; anything else is not a frame chain.
        if next <= fp {
            return;
        }
        fp = next;
    }
}

#[inline(always)]
fn current_frame_pointer() -> usize {
    let fp: usize;
    // SAFETY: reads a register.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    fp
}

#[inline(always)]
fn current_stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// PC, frame pointer and stack pointer at the fault.
#[cfg(target_arch = "x86_64")]
unsafe fn context_pc_fp_sp(context: *mut c_void) -> (usize, usize, usize) {
    // SAFETY: a valid ucontext_t from the kernel.
    let gregs = unsafe { &(*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
    let reg = |r: c_int| gregs[r as usize] as usize;
    (reg(libc::REG_RIP), reg(libc::REG_RBP), reg(libc::REG_RSP))
}

#[cfg(target_arch = "aarch64")]
unsafe fn context_pc_fp_sp(context: *mut c_void) -> (usize, usize, usize) {
    // SAFETY: a valid ucontext_t from the kernel.
    let mcontext = unsafe { &(*context.cast::<libc::ucontext_t>()).uc_mcontext };
    (mcontext.pc as usize, mcontext.regs[29] as usize, mcontext.sp as usize)
}

/// Rewrites the interrupted context so that returning from the handler enters
/// `cwali_longjmp(pad)` as if it had just been called.
#[cfg(target_arch = "x86_64")]
unsafe fn resume_in_longjmp(context: *mut c_void, pad: *mut c_void) {
    // SAFETY: a valid, writable ucontext_t from the kernel.
    let gregs = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
    let sp = gregs[libc::REG_RSP as usize] as usize;
    // Below the 128-byte red zone, aligned as at a function entry (after pushing a return
    // address onto a 16-byte aligned stack).
    let new_sp = ((sp - 128) & !15) - 8;
    gregs[libc::REG_RSP as usize] = new_sp as i64;
    gregs[libc::REG_RIP as usize] = cwali_longjmp as *const () as usize as i64;
    gregs[libc::REG_RDI as usize] = pad as i64;
}

#[cfg(target_arch = "aarch64")]
unsafe fn resume_in_longjmp(context: *mut c_void, pad: *mut c_void) {
    // SAFETY: a valid, writable ucontext_t from the kernel.
    let mcontext = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext };
    // AAPCS64 has no red zone; SP must stay 16-byte aligned.
    mcontext.sp &= !15;
    mcontext.pc = cwali_longjmp as *const () as usize as u64;
    mcontext.regs[0] = pad as u64;
}

/// What to do with a fault signal a process sent (see [`set_sent_signal_hook`]); 0: none.
static SENT_SIGNAL_HOOK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Route SIGSEGV, SIGBUS, SIGILL and SIGFPE that another process (or the program itself, with
/// `kill`) sent to `hook`, which runs inside the signal handler and must be async-signal-safe.
/// A WALI host queues them for the guest's handler. Without a hook such a signal ends the
/// process as its default action would.
pub fn set_sent_signal_hook(hook: extern "C" fn(c_int, *const libc::siginfo_t)) {
    SENT_SIGNAL_HOOK.store(hook as usize, std::sync::atomic::Ordering::SeqCst);
}

unsafe fn sent_fault_signal(signal: c_int, info: *const libc::siginfo_t) {
    let hook = SENT_SIGNAL_HOOK.load(std::sync::atomic::Ordering::SeqCst);
    if hook != 0 {
        // SAFETY: stored from an `extern "C" fn(c_int, *const siginfo_t)` by set_sent_signal_hook.
        let hook: extern "C" fn(c_int, *const libc::siginfo_t) = unsafe { std::mem::transmute(hook) };
        hook(signal, info);
        return;
    }
    // SAFETY: async-signal-safe calls; the process ends by the signal.
    unsafe { die_by(signal) }
}

/// End the process by `signal`'s default action (async-signal-safe).
///
/// # Safety
/// Only for a process that is to end now.
pub unsafe fn die_by(signal: c_int) {
    // SAFETY: plain async-signal-safe syscalls.
    unsafe {
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        libc::sigemptyset(&mut default.sa_mask);
        libc::sigaction(signal, &default, null_mut());
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, null_mut());
        libc::raise(signal);
        libc::_exit(128 + signal);
    }
}

/// Hands a fault that is not a Wasm trap to whoever handled the signal before us.
unsafe fn chain(signal: c_int, info: *mut libc::siginfo_t, context: *mut c_void) {
    let index = SIGNALS.iter().position(|&s| s == signal).expect("handler installed only for SIGNALS");
    // SAFETY: written in `init` before our handler was installed.
    let previous = unsafe { (*PREVIOUS.0.get())[index].assume_init_ref() };
    let handler = previous.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // Ignoring a synchronous fault would re-execute it forever: treat both as default.
        // Returning re-executes the faulting instruction, which now kills the process; a
        // signal sent by kill(2) (si_code <= 0) would not repeat, so raise it again.
        // SAFETY: async-signal-safe syscalls.
        unsafe {
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            libc::sigemptyset(&mut default.sa_mask);
            libc::sigaction(signal, &default, null_mut());
            if info.is_null() || (*info).si_code <= 0 {
                libc::raise(signal);
            }
        }
        return;
    }
    // SAFETY: calling the previous handler the way it asked to be called.
    unsafe {
        if previous.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) = std::mem::transmute(handler);
            f(signal, info, context);
        } else {
            let f: extern "C" fn(c_int) = std::mem::transmute(handler);
            f(signal);
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::code_registry::{CodeRange, RegistrationHandle, register};
    use std::sync::Arc;

    /// A page of hand-written "generated code", registered with the given trap sites.
    struct CodePage {
        base: *mut u8,
        _registration: RegistrationHandle,
    }

    impl CodePage {
        fn new(chunks: &[(usize, &[u8])], traps: Vec<(u32, TrapKind)>) -> CodePage {
            unsafe {
                let base = libc::mmap(
                    null_mut(),
                    4096,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
                .cast::<u8>();
                assert_ne!(base.cast(), libc::MAP_FAILED);
                for (offset, bytes) in chunks {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), base.add(*offset), bytes.len());
                }
                assert_eq!(libc::mprotect(base.cast(), 4096, libc::PROT_READ | libc::PROT_EXEC), 0);
                let range = CodeRange { start: base as usize, end: base as usize + 4096, func_index: 0 };
                let registration = register(base as usize, vec![range], traps, vec![], Arc::new(()));
                CodePage { base, _registration: registration }
            }
        }

        fn addr(&self, offset: usize) -> usize {
            self.base as usize + offset
        }

        fn call(&self, offset: usize) {
            let f: extern "C" fn() = unsafe { std::mem::transmute(self.base.add(offset)) };
            f();
        }
    }

    impl Drop for CodePage {
        fn drop(&mut self) {
            unsafe { libc::munmap(self.base.cast(), 4096) };
        }
    }

    // ud2; ret
    fn ud2_page() -> CodePage {
        CodePage::new(&[(0, &[0x0f, 0x0b, 0xc3])], vec![(0, TrapKind::Unreachable)])
    }

    fn expect_wasm(result: Result<(), CaughtTrap>) -> TrapRecord {
        match result {
            Err(CaughtTrap::Wasm(record)) => record,
            other => panic!("expected a Wasm trap, got {other:?}"),
        }
    }

    #[test]
    fn ud2_traps_and_ret_returns() {
        let page = ud2_page();
        let record = expect_wasm(unsafe { catch_traps(&mut || page.call(0)) });
        assert_eq!(record.kind, TrapKind::Unreachable);
        assert_eq!(record.pc, page.addr(0));
        assert_eq!(record.frames, vec![page.addr(0)]);
        assert_eq!(record.lookup_pcs().collect::<Vec<_>>(), vec![page.addr(0)]);
        assert_eq!(unsafe { catch_traps(&mut || page.call(2)) }, Ok(()));
        // The landing pad is gone again.
        assert!(LANDING_PAD.get().is_null());
    }

    #[test]
    fn faulting_load_is_memory_out_of_bounds() {
        // mov eax, [0]; ret
        let page = CodePage::new(
            &[(0, &[0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xc3])],
            vec![(0, TrapKind::MemoryOutOfBounds)],
        );
        let record = expect_wasm(unsafe { catch_traps(&mut || page.call(0)) });
        assert_eq!(record.kind, TrapKind::MemoryOutOfBounds);
        assert_eq!(record.pc, page.addr(0));
    }

    #[test]
    fn division_by_zero_is_caught() {
        // xor ecx, ecx; xor edx, edx; mov eax, 1; div ecx; ret
        let page = CodePage::new(
            &[(0, &[0x31, 0xc9, 0x31, 0xd2, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf7, 0xf1, 0xc3])],
            vec![(9, TrapKind::IntegerDivisionByZero)],
        );
        let record = expect_wasm(unsafe { catch_traps(&mut || page.call(0)) });
        assert_eq!(record.kind, TrapKind::IntegerDivisionByZero);
        assert_eq!(record.pc, page.addr(9));
    }

    #[test]
    fn frames_follow_the_frame_pointer_chain() {
        // 0x100 caller: push rbp; mov rbp, rsp; call 0x200; pop rbp; ret
        // 0x200 callee: push rbp; mov rbp, rsp; ud2
        let page = CodePage::new(
            &[
                (0x100, &[0x55, 0x48, 0x89, 0xe5, 0xe8, 0xf7, 0x00, 0x00, 0x00, 0x5d, 0xc3]),
                (0x200, &[0x55, 0x48, 0x89, 0xe5, 0x0f, 0x0b]),
            ],
            vec![(0x204, TrapKind::Unreachable)],
        );
        let record = expect_wasm(unsafe { catch_traps(&mut || page.call(0x100)) });
        assert_eq!(record.pc, page.addr(0x204));
        assert_eq!(record.frames, vec![page.addr(0x204), page.addr(0x109)]);
        assert_eq!(record.lookup_pcs().collect::<Vec<_>>(), vec![page.addr(0x204), page.addr(0x108)]);
    }

    #[test]
    fn nested_calls_are_caught_by_the_innermost() {
        let page = ud2_page();
        let mut inner_result = None;
        let outer = unsafe {
            catch_traps(&mut || {
                inner_result = Some(catch_traps(&mut || page.call(0)));
                // Still inside the outer call: its landing pad is active again.
                assert!(!LANDING_PAD.get().is_null());
                page.call(0);
                unreachable!("ud2 returned");
            })
        };
        assert_eq!(expect_wasm(inner_result.unwrap()).kind, TrapKind::Unreachable);
        assert_eq!(expect_wasm(outer).kind, TrapKind::Unreachable);
        assert!(LANDING_PAD.get().is_null());

        // A nested call that succeeds leaves the outer one able to catch.
        let outer = unsafe {
            catch_traps(&mut || {
                assert_eq!(catch_traps(&mut || page.call(2)), Ok(()));
                page.call(0);
            })
        };
        assert_eq!(expect_wasm(outer).kind, TrapKind::Unreachable);
    }

    #[test]
    fn host_traps() {
        let result = unsafe { catch_traps(&mut || raise_host_trap("host function failed".to_string())) };
        assert_eq!(result, Err(CaughtTrap::Host("host function failed".to_string())));
        let record = expect_wasm(unsafe { catch_traps(&mut || raise_trap(TrapKind::TableOutOfBounds)) });
        assert_eq!(record.kind, TrapKind::TableOutOfBounds);
        assert_eq!(record.pc, 0);
        // No Wasm frames between the host code and catch_traps.
        assert!(record.frames.is_empty());
    }

    #[test]
    fn panics_propagate() {
        let result = std::panic::catch_unwind(|| unsafe { catch_traps(&mut || panic!("boom")) });
        assert!(result.is_err());
        assert!(LANDING_PAD.get().is_null());
        let page = ud2_page();
        assert!(unsafe { catch_traps(&mut || page.call(0)) }.is_err());
    }

    #[test]
    fn many_traps_in_a_row() {
        // Each trap must leave the signal unblocked, or the next one would kill the process.
        let page = ud2_page();
        let load = CodePage::new(
            &[(0, &[0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xc3])],
            vec![(0, TrapKind::MemoryOutOfBounds)],
        );
        for i in 0..1000 {
            let (page, kind) =
                if i % 2 == 0 { (&page, TrapKind::Unreachable) } else { (&load, TrapKind::MemoryOutOfBounds) };
            assert_eq!(expect_wasm(unsafe { catch_traps(&mut || page.call(0)) }).kind, kind);
        }
    }

    #[test]
    fn traps_on_several_threads() {
        let page = Arc::new(ud2_page());
        let addr = page.addr(0);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let page = page.clone();
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let record = expect_wasm(unsafe { catch_traps(&mut || page.call(0)) });
                        assert_eq!(record.pc, addr);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    /// Faults that are not recorded trap sites must still kill the process with their signal.
    /// Each case runs in a child process (this test binary, re-executed).
    #[test]
    fn foreign_faults_are_not_swallowed() {
        use std::os::unix::process::ExitStatusExt;
        const CHILD: &str = "CWALI_SIGNALS_TEST_CHILD";
        if let Ok(case) = std::env::var(CHILD) {
            let load = [0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xc3];
            match case.as_str() {
                // In registered code, but not at a trap site.
                "unrecorded" => {
                    let page = CodePage::new(&[(0, &load)], vec![]);
                    let _ = unsafe { catch_traps(&mut || page.call(0)) };
                }
                // A trap site, but no catch_traps active.
                "outside" => ud2_page().call(0),
                // Host code faulting inside catch_traps.
                "host" => {
                    let _ = unsafe {
                        catch_traps(&mut || {
                            std::ptr::read_volatile(std::ptr::without_provenance::<u64>(16));
                        })
                    };
                }
                _ => unreachable!(),
            }
            std::process::exit(0);
        }
        init();
        for (case, signal) in [("unrecorded", libc::SIGSEGV), ("outside", libc::SIGILL), ("host", libc::SIGSEGV)] {
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "signals::tests::foreign_faults_are_not_swallowed", "--nocapture"])
                .env(CHILD, case)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert_eq!(status.signal(), Some(signal), "case {case}: {status:?}");
        }
    }

    // Raw pointers make CodePage !Send/!Sync; it is immutable after construction.
    unsafe impl Send for CodePage {}
    unsafe impl Sync for CodePage {}
}

/// The innermost landing pad of this thread (for code that jumps across entries: longjmp).
pub fn current_landing_pad() -> usize {
    LANDING_PAD.with(|p| p.get() as usize)
}

/// Make `pad` (a value from [`current_landing_pad`]) the innermost landing pad again, after a
/// jump that abandoned the entries above it.
pub fn restore_landing_pad(pad: usize) {
    LANDING_PAD.with(|p| p.set(pad as *mut c_void));
}
