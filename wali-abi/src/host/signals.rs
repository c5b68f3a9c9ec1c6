//! Virtualised signals (§10): the kernel delivers to one native handler that only marks the
//! signal pending and asks every thread for a safepoint; the guest's handler (a table index) runs
//! at the next safepoint or right after the WALI call that was running returns.
//!
//! The runtime keeps SIGSEGV, SIGBUS, SIGILL and SIGFPE for its trap handling: a guest
//! registration for them is recorded (and reported back) but never reaches the kernel, and they
//! are removed from every mask the guest installs.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use cwali_rt::{Caller, Trap, Val};

use super::guest::{Guest, SysResult, raw_syscall};
use super::syscall::{check, nr};
use crate::layouts::{GUEST_SIG_ERR, GUEST_SIG_IGN, GuestKSigaction, GuestStackT};

const EINVAL: i64 = -(libc::EINVAL as i64);
const ENOMEM: i64 = -(libc::ENOMEM as i64);
const NSIG: usize = 65;

/// Guest handler (table index) per signal; 0 = none.
static HANDLERS: [AtomicU32; NSIG] = [const { AtomicU32::new(0) }; NSIG];
/// Guest flags per signal (for SA_RESETHAND and oldact of reserved signals).
static FLAGS: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];
/// Guest `sa_mask` per signal (bit n-1 = signal n): blocked while the guest handler runs, and
/// reported back for the reserved signals (whose registrations never reach the kernel).
static MASKS: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];
/// Deliveries to the native handler not yet handed to the guest, per signal: each one runs the
/// guest handler once, as each kernel delivery runs a native handler once (queued real-time
/// signals arrive several times). The kernel picked a thread that does not block the signal, so a
/// delivery to a thread running Wasm is that thread's to handle; only deliveries to a thread
/// outside Wasm (a Wasm thread not started yet: runtime threads block the guest's signals, see
/// `prepare_process`) go to the process-wide counts.
struct Pending {
    counts: [AtomicU32; NSIG],
    /// The kernel's siginfo of the latest delivery per signal (a queued real-time signal
    /// delivered several times before the guest runs its handler shows the latest info each time).
    info: [RawInfo; NSIG],
    /// Sum of `counts`, for a cheap check after every call.
    total: AtomicU32,
}

impl Pending {
    const fn new() -> Self {
        Pending {
            counts: [const { AtomicU32::new(0) }; NSIG],
            info: [const { [const { AtomicU64::new(0) }; RAW_INFO_WORDS] }; NSIG],
            total: AtomicU32::new(0),
        }
    }

    /// Record a delivery (in the native handler: atomics only).
    fn add(&self, sig: usize, info: *const libc::siginfo_t) {
        for (i, word) in self.info[sig].iter().enumerate() {
            // SAFETY: the kernel's siginfo_t is 128 bytes; RAW_INFO_WORDS * 8 is less.
            let w = if info.is_null() { 0 } else { unsafe { info.cast::<u64>().add(i).read_unaligned() } };
            word.store(w, Ordering::SeqCst);
        }
        self.counts[sig].fetch_add(1, Ordering::SeqCst);
        self.total.fetch_add(1, Ordering::SeqCst);
    }

    fn clear(&self) {
        for count in &self.counts {
            count.store(0, Ordering::SeqCst);
        }
        self.total.store(0, Ordering::SeqCst);
    }

    fn any(&self) -> bool {
        self.total.load(Ordering::Relaxed) != 0
    }

    /// Take the lowest pending signal that `accept` allows, with its siginfo.
    fn take(&self, accept: impl Fn(usize) -> bool) -> Option<(usize, [u64; RAW_INFO_WORDS])> {
        if self.total.load(Ordering::SeqCst) == 0 {
            return None;
        }
        for (sig, count) in self.counts.iter().enumerate() {
            let mut c = count.load(Ordering::SeqCst);
            // Another thread may take it first (process-wide counts); only a successful
            // decrement delivers.
            while c > 0 && accept(sig) {
                match count.compare_exchange(c, c - 1, Ordering::SeqCst, Ordering::SeqCst) {
                    Ok(_) => {
                        self.total.fetch_sub(1, Ordering::SeqCst);
                        return Some((sig, self.info[sig].each_ref().map(|w| w.load(Ordering::SeqCst))));
                    }
                    Err(now) => c = now,
                }
            }
        }
        None
    }
}

/// The first 48 bytes of the kernel's x86_64/aarch64 siginfo_t: every field a guest handler can
/// read (signo, errno, code, and the union up to SIGCHLD's si_stime).
const RAW_INFO_WORDS: usize = 6;
type RawInfo = [AtomicU64; RAW_INFO_WORDS];

static PROCESS_PENDING: Pending = Pending::new();

thread_local! {
    /// Deliveries the kernel made to this thread while it ran Wasm. A const initialiser without
    /// destructor: plain thread-local storage, safe to touch in a signal handler.
    static THREAD_PENDING: Pending = const { Pending::new() };
}

/// Signals the runtime keeps for its trap handling.
pub const RESERVED: [i32; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

fn reserved_bits() -> u64 {
    RESERVED.iter().fold(0, |m, s| m | 1 << (s - 1))
}

/// Reserved signals the guest set to SIG_IGN (their registrations never reach the kernel).
static IGNORED: [std::sync::atomic::AtomicBool; NSIG] = [const { std::sync::atomic::AtomicBool::new(false) }; NSIG];

/// A reserved signal that a process sent (`kill(getpid(), SIGSEGV)`, not a fault): the guest's
/// like any other signal. Its handler runs at the next safepoint; SIG_IGN drops it; the default
/// action ends the process by it, as Linux would. Runs in the runtime's fault handler.
pub extern "C" fn sent_reserved_signal(sig: libc::c_int, info: *const libc::siginfo_t) {
    let Some(slot) = HANDLERS.get(sig as usize) else { return };
    if slot.load(Ordering::SeqCst) != 0 {
        native_handler(sig, info, std::ptr::null_mut());
    } else if !IGNORED[sig as usize].load(Ordering::SeqCst) {
        // SAFETY: the process ends by the signal's default action.
        unsafe { cwali_rt::signals::die_by(sig) }
    }
}

/// Installed with SA_SIGINFO for every guest-handled signal: the kernel's siginfo is kept for
/// the guest's SA_SIGINFO handler.
extern "C" fn native_handler(sig: libc::c_int, info: *const libc::siginfo_t, _ctx: *mut libc::c_void) {
    if cwali_rt::signals::current_landing_pad() != 0 {
        THREAD_PENDING.with(|p| p.add(sig as usize, info));
    } else {
        PROCESS_PENDING.add(sig as usize, info);
    }
    cwali_rt::request_safepoints();
}

/// In a forked child: signals the parent received are not the child's (Linux clears a child's
/// pending set). The child has only the forking thread.
pub fn clear_pending() {
    THREAD_PENDING.with(Pending::clear);
    PROCESS_PENDING.clear();
}

pub fn any_pending() -> bool {
    THREAD_PENDING.with(Pending::any) || PROCESS_PENDING.any()
}

/// This thread's current signal mask (bit n-1 = signal n).
fn thread_mask() -> u64 {
    // SAFETY: queries this thread's mask into a local sigset_t, whose first word holds
    // signals 1..64.
    unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut old);
        *(&old as *const _ as *const u64)
    }
}

/// Take the lowest pending signal for this thread. What the kernel delivered to this thread was
/// accepted and runs now, even if the mask changed since (e.g. rt_sigsuspend restored it on
/// return); a process-wide delivery runs on the first thread whose mask lets it through.
fn take_pending() -> Option<(usize, [u64; RAW_INFO_WORDS])> {
    if let Some(taken) = THREAD_PENDING.with(|p| p.take(|_| true)) {
        return Some(taken);
    }
    if !PROCESS_PENDING.any() {
        return None;
    }
    let mask = thread_mask();
    // `take` asks only about signals that are pending, never 0.
    PROCESS_PENDING.take(|sig| mask & (1 << (sig - 1)) == 0)
}

/// Run the guest handlers of all pending signals on this thread. A trap in a handler unwinds
/// the calling Wasm code like any other trap.
pub fn deliver_pending(caller: Caller<'_>) {
    while let Some((sig, info)) = take_pending() {
        if let Err(trap) = run_handler(caller, sig as i32, Some(&info)) {
            // SAFETY: called from a host function or safepoint of Wasm code, nothing to drop.
            unsafe { cwali_rt::raise(trap) }
        }
    }
}

/// Call the guest's handler for `sig` if it has one, with the kernel's siginfo words (`None`: a
/// signal the runtime raises for a trap). Ok(false): no handler.
///
/// As the kernel builds a signal frame, the handler gets room on the guest's shadow stack (global
/// `__stack_pointer`): on the alternate stack for an SA_ONSTACK handler when the thread has one
/// and is not already on it; an SA_SIGINFO handler `(sig, siginfo_t *, ucontext_t *)` finds both
/// structs there, in wasm32 layout.
pub fn run_handler(caller: Caller<'_>, sig: i32, info: Option<&[u64; RAW_INFO_WORDS]>) -> Result<bool, Trap> {
    let index = HANDLERS[sig as usize].load(Ordering::SeqCst);
    if index == 0 {
        return Ok(false);
    }
    let flags = FLAGS[sig as usize].load(Ordering::Relaxed);
    if flags & libc::SA_RESETHAND as u64 != 0 {
        HANDLERS[sig as usize].store(0, Ordering::SeqCst);
    }
    let Some((func, ty)) = caller.table_func(0, index) else { return Ok(false) };
    let siginfo = match ty.params().len() {
        1 => false,
        3 => true,
        _ => return Ok(false),
    };
    // As the kernel does around a native handler: block sa_mask and, unless SA_NODEFER, the
    // signal itself while the handler runs; then restore the thread's mask.
    let mut block = MASKS[sig as usize].load(Ordering::SeqCst);
    if flags & libc::SA_NODEFER as u64 == 0 {
        block |= 1 << (sig - 1);
    }
    // SAFETY: plain signal-mask calls on this thread; sigset_t starts with signals 1..64.
    let saved = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        *(&mut set as *mut _ as *mut u64) = block & !reserved_bits();
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        old
    };
    // SAFETY: sigset_t starts with signals 1..64.
    let saved_bits = unsafe { *(&saved as *const _ as *const u64) };
    let frame = HandlerFrame::push(caller, sig, flags, siginfo.then_some((info, saved_bits)));
    let args = match (siginfo, frame.info_ptr) {
        (false, _) => vec![Val::I32(sig)],
        (true, Some(p)) => vec![Val::I32(sig), Val::I32(p as i32), Val::I32(p.wrapping_add(SIGINFO_SIZE) as i32)],
        (true, None) => vec![Val::I32(sig), Val::I32(0), Val::I32(0)],
    };
    let result = caller.call(&func, &args);
    frame.pop(caller);
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &saved, std::ptr::null_mut()) };
    result?;
    Ok(true)
}

/// wasm32 musl `siginfo_t` and `ucontext_t` sizes.
const SIGINFO_SIZE: u32 = 128;
const UCONTEXT_SIZE: u32 = 920;
/// `ucontext_t` offsets: uc_stack (a stack_t after the 8-byte uc_flags and the uc_link
/// pointer), uc_sigmask.
const UC_STACK: usize = 12;
const UC_SIGMASK: usize = 280;

/// The guest stack room a handler runs on; `pop` gives the previous stack pointer back.
struct HandlerFrame {
    saved_sp: Option<(u32, u32)>,
    info_ptr: Option<u32>,
}

impl HandlerFrame {
    fn push(caller: Caller<'_>, sig: i32, flags: u64, siginfo: Option<(Option<&[u64; RAW_INFO_WORDS]>, u64)>) -> Self {
        // A module without the toolchain's `__stack_pointer`: the handler runs where it is.
        let Some((global, Val::I32(sp))) = caller.stack_pointer_global().map(|g| (g, caller.global(g))) else {
            return HandlerFrame { saved_sp: None, info_ptr: None };
        };
        let sp = sp as u32;
        let alt = ALT_STACK.with(|s| s.get());
        let use_alt = flags & libc::SA_ONSTACK as u64 != 0 && alt.1 & libc::SS_DISABLE == 0 && !on_stack(alt, sp);
        // The shadow stack is 16-byte aligned in the toolchain's ABI; the guest's area need not be.
        let mut new_sp = if use_alt { alt.0.wrapping_add(alt.2) & !15 } else { sp };
        let mut info_ptr = None;
        if let Some((info, mask)) = siginfo {
            let base = new_sp.wrapping_sub(SIGINFO_SIZE + UCONTEXT_SIZE) & !15;
            let mut bytes = [0u8; (SIGINFO_SIZE + UCONTEXT_SIZE) as usize];
            bytes[..SIGINFO_SIZE as usize].copy_from_slice(&guest_siginfo(sig, info));
            let uc = &mut bytes[SIGINFO_SIZE as usize..];
            let on_alt = if on_stack(alt, sp) { libc::SS_ONSTACK } else { 0 };
            GuestStackT { sp: alt.0, flags: alt.1 | on_alt, size: alt.2 }.write(&mut uc[UC_STACK..UC_STACK + 12]);
            uc[UC_SIGMASK..UC_SIGMASK + 8].copy_from_slice(&mask.to_le_bytes());
            // A stack pointer that leaves no room: the handler gets NULL pointers rather than a
            // frame written over whatever lies below (the kernel would kill the process).
            if base < new_sp
                && let Some(g) = Guest::new(caller)
                && g.write(base, &bytes).is_ok()
            {
                info_ptr = Some(base);
                new_sp = base;
            }
        }
        caller.set_global(global, Val::I32(new_sp as i32));
        HandlerFrame { saved_sp: Some((global, sp)), info_ptr }
    }

    fn pop(self, caller: Caller<'_>) {
        if let Some((global, sp)) = self.saved_sp {
            caller.set_global(global, Val::I32(sp as i32));
        }
    }
}

/// Whether guest stack pointer `sp` is on the alternate stack `alt` (as Linux's on_sig_stack).
fn on_stack(alt: (u32, i32, u32), sp: u32) -> bool {
    alt.1 & libc::SS_DISABLE == 0 && sp > alt.0 && sp - alt.0 <= alt.2
}

/// The guest's `siginfo_t` for a delivery of `sig` with the kernel's siginfo words. In WALI's
/// wasm32 ABI `long` is 64-bit, so every field up to si_stime sits where the 64-bit kernel puts
/// it; only pointers are 4 bytes, and the one the kernel fills (si_addr of a fault) would be a
/// host address: the guest gets 0.
fn guest_siginfo(sig: i32, info: Option<&[u64; RAW_INFO_WORDS]>) -> [u8; SIGINFO_SIZE as usize] {
    let mut out = [0u8; SIGINFO_SIZE as usize];
    if let Some(words) = info {
        for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
    }
    out[0..4].copy_from_slice(&sig.to_le_bytes());
    let code = i32::from_le_bytes(out[8..12].try_into().unwrap());
    if code > 0 && matches!(sig, libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE | libc::SIGTRAP) {
        out[16..24].fill(0);
    }
    out
}

/// Whether the guest registered a handler for `sig`.
pub fn has_handler(sig: i32) -> bool {
    HANDLERS[sig as usize].load(Ordering::SeqCst) != 0
}

/// The safepoint hook: deliver what is pending.
pub fn safepoint(vmctx: *mut u8) {
    // SAFETY: the safepoint builtin passes the polling code's VMContext.
    if let Some(caller) = unsafe { Caller::from_vmctx(vmctx) } {
        deliver_pending(caller);
    }
}

pub fn rt_sigaction(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (sig, act, oldact, setsize) = (args[0] as i32, args[1] as u32, args[2] as u32, args[3] as u32);
    if setsize != 8 || sig <= 0 || sig as usize >= NSIG {
        return Err(EINVAL);
    }
    let new = if act != 0 {
        let mut b = [0u8; GuestKSigaction::SIZE];
        g.read(act, &mut b)?;
        let GuestKSigaction { handler, flags, mask, .. } = GuestKSigaction::read(&b);
        Some((handler, flags, mask))
    } else {
        None
    };
    let old_index = HANDLERS[sig as usize].load(Ordering::SeqCst);
    let old_flags = FLAGS[sig as usize].load(Ordering::SeqCst);
    let (old_handler, old_flags, old_mask) = if RESERVED.contains(&sig) {
        let was_ignored = IGNORED[sig as usize].load(Ordering::SeqCst);
        if let Some((h, f, m)) = new {
            if h == GUEST_SIG_ERR {
                return Err(EINVAL);
            }
            HANDLERS[sig as usize].store(if h >= GUEST_SIG_IGN { 0 } else { h }, Ordering::SeqCst);
            IGNORED[sig as usize].store(h == GUEST_SIG_IGN, Ordering::SeqCst);
            FLAGS[sig as usize].store(f, Ordering::SeqCst);
            MASKS[sig as usize].store(m, Ordering::SeqCst);
        }
        let old_handler = if was_ignored { GUEST_SIG_IGN } else { old_index };
        (old_handler, old_flags, MASKS[sig as usize].load(Ordering::SeqCst))
    } else {
        // SAFETY: zeroed sigaction is valid; pointers are to locals.
        let mut host_new: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut host_old: libc::sigaction = unsafe { std::mem::zeroed() };
        if let Some((h, f, m)) = new {
            host_new.sa_sigaction = match h {
                0 => libc::SIG_DFL,
                GUEST_SIG_IGN => libc::SIG_IGN,
                GUEST_SIG_ERR => return Err(EINVAL),
                _ => native_handler as *const () as usize,
            };
            // SA_RESTORER: libc supplies its own. The native handler always takes the siginfo
            // (for the guest's SA_SIGINFO handlers).
            host_new.sa_flags = (f as i32) & !(libc::SA_SIGINFO | 0x0400_0000);
            if host_new.sa_sigaction == native_handler as *const () as usize {
                host_new.sa_flags |= libc::SA_SIGINFO;
            }
            // SAFETY: sa_mask is a plain bit set of at least 64 bits.
            unsafe { *(&mut host_new.sa_mask as *mut _ as *mut u64) = m & !reserved_bits() };
        }
        // SAFETY: both structs are initialised locals; `sig` was range-checked by the caller.
        let r =
            unsafe { libc::sigaction(sig, if new.is_some() { &host_new } else { std::ptr::null() }, &mut host_old) };
        if r != 0 {
            return Err(-(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64));
        }
        if let Some((h, f, m)) = new {
            let guest_fn = !matches!(h, 0 | GUEST_SIG_IGN);
            HANDLERS[sig as usize].store(if guest_fn { h } else { 0 }, Ordering::SeqCst);
            FLAGS[sig as usize].store(f, Ordering::SeqCst);
            MASKS[sig as usize].store(m, Ordering::SeqCst);
        }
        let handler = match host_old.sa_sigaction {
            libc::SIG_DFL => 0,
            libc::SIG_IGN => GUEST_SIG_IGN,
            _ => old_index,
        };
        // SAFETY: sa_mask is a plain bit set of at least 64 bits.
        let mask = unsafe { *(&host_old.sa_mask as *const _ as *const u64) };
        (handler, if handler == old_index && old_index != 0 { old_flags } else { host_old.sa_flags as u64 }, mask)
    };
    if oldact != 0 {
        let mut b = [0u8; GuestKSigaction::SIZE];
        GuestKSigaction { handler: old_handler, flags: old_flags, restorer: 0, mask: old_mask }.write(&mut b);
        g.write(oldact, &b)?;
    }
    Ok(0)
}

pub fn rt_sigprocmask(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (how, set, oldset, size) = (args[0], args[1] as u32, args[2] as u32, args[3] & 0xFFFF_FFFF);
    let mut copy = [0u8; 128];
    let set_ptr = if set == 0 {
        0
    } else {
        let n = size.min(128) as usize;
        g.read(set, &mut copy[..n])?;
        let first = u64::from_le_bytes(copy[0..8].try_into().unwrap()) & !reserved_bits();
        copy[0..8].copy_from_slice(&first.to_le_bytes());
        copy.as_ptr() as u64
    };
    let old_ptr = g.ptr(oldset, size)? as u64;
    check(raw_syscall(nr("rt_sigprocmask"), [how, set_ptr, old_ptr, size, 0, 0]))
}

thread_local! {
    /// The guest's alternate signal stack record: (sp, flags, size).
    static ALT_STACK: std::cell::Cell<(u32, i32, u32)> = const { std::cell::Cell::new((0, libc::SS_DISABLE, 0)) };
}

pub fn sigaltstack(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (ss, old) = (args[0] as u32, args[1] as u32);
    let current = ALT_STACK.with(|s| s.get());
    // As Linux: "on the alternate stack" is where the guest's stack pointer is now.
    let on_alt = match g.caller.stack_pointer_global().map(|i| g.caller.global(i)) {
        Some(Val::I32(sp)) => on_stack(current, sp as u32),
        _ => false,
    };
    if ss != 0 {
        let mut b = [0u8; GuestStackT::SIZE];
        g.read(ss, &mut b)?;
        let GuestStackT { sp, flags, size } = GuestStackT::read(&b);
        const SS_AUTODISARM: i32 = 1 << 31;
        if on_alt {
            return Err(-(libc::EPERM as i64));
        }
        if flags & !(libc::SS_DISABLE | SS_AUTODISARM) != 0 {
            return Err(EINVAL);
        }
        if flags & libc::SS_DISABLE == 0 && size < libc::MINSIGSTKSZ as u32 {
            return Err(ENOMEM);
        }
        let record = if flags & libc::SS_DISABLE != 0 { (0, libc::SS_DISABLE, 0) } else { (sp, flags, size) };
        ALT_STACK.with(|s| s.set(record));
    }
    if old != 0 {
        let mut b = [0u8; GuestStackT::SIZE];
        let flags = current.1 | if on_alt { libc::SS_ONSTACK } else { 0 };
        GuestStackT { sp: current.0, flags, size: current.2 }.write(&mut b);
        g.write(old, &b)?;
    }
    Ok(0)
}

/// rt_sigqueueinfo(tgid, sig, uinfo): the guest's wasm32 siginfo_t in the kernel's layout. Only
/// codes a process may send to another process are accepted (negative, not SI_TKILL): a guest
/// cannot make a signal look kernel-generated, e.g. a fault the runtime would take for a trap.
pub fn rt_sigqueueinfo(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (tgid, sig, uinfo) = (args[0] as i32, args[1] as i32, args[2] as u32);
    let mut guest = [0u8; SIGINFO_SIZE as usize];
    g.read(uinfo, &mut guest)?;
    let code = i32::from_le_bytes(guest[8..12].try_into().unwrap());
    if code >= 0 || code == libc::SI_TKILL {
        return Err(-(libc::EPERM as i64));
    }
    // Same layout as the kernel's (WALI's `long` is 64-bit); si_value is a 4-byte union in the
    // guest: its upper half in the kernel's 8-byte one is padding, cleared.
    let mut host = guest;
    host[28..32].fill(0);
    check(raw_syscall(nr("rt_sigqueueinfo"), [tgid as i64 as u64, sig as i64 as u64, host.as_ptr() as u64, 0, 0, 0]))
}

/// The signal a native program would have received for a trap.
pub fn signal_for_trap(kind: Option<cwali_rt::TrapKind>) -> i32 {
    use cwali_rt::TrapKind as K;
    match kind {
        Some(K::MemoryOutOfBounds | K::StackOverflow | K::TableOutOfBounds | K::NullReference) => libc::SIGSEGV,
        Some(K::IntegerDivisionByZero | K::IntegerOverflow) => libc::SIGFPE,
        Some(K::UnalignedAtomic) => libc::SIGBUS,
        _ => libc::SIGILL,
    }
}

/// End the process as if killed by `sig`.
pub fn die_by_signal(sig: i32) -> ! {
    // SAFETY: plain libc calls on this process.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
        libc::_exit(128 + sig)
    }
}
