//! Poll pages: safepoint requests as page protection (x86_64, `cwali_codegen::POLL_PAGES`).
//!
//! With safepoints on, each store owns two pages: the first holds its [`VMRuntimeLimits`], the
//! second is the *poll page*, normally read-only. Generated code finds the poll page's address
//! through its VMContext (a readonly load chain Cranelift computes once per function) and polls
//! with a single load from it, no compare and no branch.
//! [`request`] protects the page; the next poll faults at a PC recorded as a
//! `TrapKind::Safepoint` site, and the signal handler ([`resume_in_safepoint`]) makes the
//! interrupted code "call" `cwali_safepoint_fault_stub`, which saves every register, makes the
//! page readable again, runs the safepoint and returns to the faulting load, which now
//! succeeds. This is the polling-page technique of Java VMs; the cost of a poll in a hot loop
//! drops from a load, test and branch (plus the flag's address in a register) to one load.
//!
//! The mappings are pooled and never unmapped: `request_safepoints` may run in a signal
//! handler while a store is dropped, and protecting a page that was reused costs at most one
//! spurious safepoint, where protecting an unmapped-and-reused address would not be harmless.

use std::sync::Mutex;
use std::sync::atomic::Ordering;

#[cfg(target_arch = "x86_64")]
use crate::preserve_all::{x86_pop_scratch_gprs, x86_push_scratch_gprs, x86_restore_xmm, x86_save_xmm};
use crate::vm::VMRuntimeLimits;

const PAGE: usize = 4096;

/// Mappings of dropped stores, ready for reuse.
static POOL: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// A store's limits page followed by its poll page.
pub(crate) struct PollPage {
    base: usize,
}

impl PollPage {
    pub(crate) fn new() -> PollPage {
        let base = POOL.lock().unwrap().pop().unwrap_or_else(map_pages);
        let page = base + PAGE;
        // SAFETY: `base` is a two-page mapping this module owns; the first page is writable.
        unsafe {
            std::ptr::write(base as *mut VMRuntimeLimits, VMRuntimeLimits::default());
            (*(base as *const VMRuntimeLimits)).poll_page.store(page, Ordering::Release);
        }
        // The page may still be protected by a request to the store that used it before (one
        // interrupted at its deadline, say). It is not made readable here: that `mprotect`
        // would flush every CPU's TLB on each new store (a sandbox per request), while a
        // protected page only costs the new store one spurious safepoint, which finds
        // nothing to do and makes the page readable.
        PollPage { base }
    }

    pub(crate) fn limits(&self) -> &VMRuntimeLimits {
        // SAFETY: initialised in `new`, alive as long as `self`.
        unsafe { &*(self.base as *const VMRuntimeLimits) }
    }
}

impl Drop for PollPage {
    fn drop(&mut self) {
        POOL.lock().unwrap().push(self.base);
    }
}

fn map_pages() -> usize {
    // SAFETY: a fresh private anonymous mapping.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert!(base != libc::MAP_FAILED, "mapping a store's poll page: {}", std::io::Error::last_os_error());
    base as usize
}

/// Ask the store of `limits` for a safepoint. Async-signal-safe (one `mprotect`).
pub(crate) fn request(limits: &VMRuntimeLimits) {
    let page = limits.poll_page.load(Ordering::Acquire);
    if page != 0 {
        // SAFETY: poll pages stay mapped for the life of the process.
        unsafe { libc::mprotect(page as *mut libc::c_void, PAGE, libc::PROT_NONE) };
    }
}

/// Called by the stub with the faulting address: the poll page.
extern "C" fn safepoint_fault(page: usize) {
    // SAFETY: the fault handler checked that the faulting load is a poll, which reads its
    // store's poll page, which follows the page holding the store's limits.
    let limits = unsafe { &*((page - PAGE) as *const VMRuntimeLimits) };
    // SAFETY: poll pages stay mapped for the life of the process.
    unsafe { libc::mprotect(page as *mut libc::c_void, PAGE, libc::PROT_READ) };
    crate::builtins::run_safepoint(limits, limits.entry_vmctx.load(Ordering::Acquire) as *mut u8);
}

// Entered as if the faulting load had called it, with the load's address as the return
// address and the poll page above it, placed below the interrupted code's 128-byte red zone:
// `ret 136` then resumes the load with the original stack pointer. Saves every register but
// the callee-saved ones the C callee keeps, and the flags; passes the poll page to
// `safepoint_fault`. The frame record keeps backtraces walking through to the Wasm frames above.
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_safepoint_fault_stub",
    ".p2align 4",
    "cwali_safepoint_fault_stub:",
    "push rbp",
    "mov rbp, rsp",
    "pushfq",
    x86_push_scratch_gprs!(),
    "and rsp, -16",
    "sub rsp, 256",
    x86_save_xmm!(),
    "mov rdi, [rbp + 16]",
    "call {target}",
    x86_restore_xmm!(),
    // Back to the pushes: rbp - 8 (flags) - 9 * 8.
    "lea rsp, [rbp - 80]",
    x86_pop_scratch_gprs!(),
    "popfq",
    "pop rbp",
    "ret 136",
    target = sym safepoint_fault,
);

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    fn cwali_safepoint_fault_stub();
}

/// Rewrites the context of a fault at a safepoint poll so that returning from the signal
/// handler enters the stub as if the load at `pc` had called it (see the stub's comment).
///
/// # Safety
/// `context` is the handler's valid, writable `ucontext_t`, interrupted at a recorded
/// safepoint site in Wasm code, whose stack has room below its red zone (the stack-limit check
/// keeps that headroom for host calls).
#[cfg(target_arch = "x86_64")]
pub(crate) unsafe fn resume_in_safepoint(context: *mut libc::c_void, fault_addr: usize) {
    // SAFETY: per the contract.
    let gregs = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
    let sp = gregs[libc::REG_RSP as usize] as usize;
    let pc = gregs[libc::REG_RIP as usize] as usize;
    let new_sp = sp - 128 - 16;
    // SAFETY: below the red zone of the interrupted code's stack, which it does not use.
    unsafe {
        *(new_sp as *mut usize) = pc;
        *((new_sp + 8) as *mut usize) = fault_addr & !(PAGE - 1);
    }
    gregs[libc::REG_RSP as usize] = new_sp as i64;
    gregs[libc::REG_RIP as usize] = cwali_safepoint_fault_stub as *const () as usize as i64;
}
