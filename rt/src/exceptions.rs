//! Wasm exceptions: exception objects, and the throw that finds a handler and resumes there.
//!
//! An exception object (what an `exnref` points at, `vmoffsets::exn`) is the tag's identity, its
//! payload length and a reference count, then one 16-byte slot per payload value (a C++
//! exception: 32 bytes). cwali has no collector; instead an object counts its references: the
//! throw that carries it, and each legacy `catch` body that bound it (the body may `rethrow`
//! it, which adds the new throw's reference). A `try_table` `catch`/`catch_all` without `_ref`
//! ends the throw, and a catch body ends however it is left (fall-through, a branch, `return`,
//! or an exception passing out of it: generated code gives every catch body a catch-all pad
//! that drops its reference and throws on); each drops its reference (`Builtin::ExnRelease`)
//! and the last one frees the object. An object that may be referenced in ways not counted is
//! *pinned* and never freed: a `catch_ref` made it an `exnref` value (kept in a local, global or
//! table for as long as the program likes; every `exnref` value names a pinned object), or the
//! host got it. A reference that is never dropped (a trap or a `longjmp` out of a catch body, a
//! `delegate` past one) only keeps an object alive. So C++ exceptions, in either encoding,
//! cost no memory once handled.
//!
//! Throwing (`Builtin::Throw`): generated code calls `cwali_throw_stub`, which records its return
//! address (a PC in the throwing Wasm function), the frame pointer of that function and r15
//! (the pinned register when a configuration pins one; x86_64 with poll pages does not), and
//! calls [`throw`]. That walks the frame-pointer chain of this activation:
//! for each Wasm frame it looks the return address up in the function's exception call sites
//! (`code_registry`), reads the caller's VMContext from the stack slot the site names, and tries
//! the handlers in order (a tag handler matches when the instance's tag at that index has the
//! exception's identity). At the first match it resumes there: stack pointer, frame pointer,
//! the exnref in the first payload register, the pinned register as it was, and a jump to the
//! handler. A `try_call` site clobbers every register, so nothing else needs restoring.
//!
//! The walk stops at the first frame that is not Wasm code: the array trampoline of the
//! entry from the host. Then the exception leaves this activation like a trap
//! ([`crate::signals::raise_exception`]): `Func::call` returns `Err` with
//! `TrapReason::Exception`. Host functions called from Wasm that return that error (or a new
//! [`Exception`]) throw it on into their Wasm caller: the host trampoline calls
//! `cwali_throw_from_host_stub`, which starts the search one frame further out. So an
//! exception crosses Wasm frames of any instance, and host frames by being carried through them
//! as an error.
//!
//! Frames skipped by a resume hold nothing that needs dropping: Wasm frames own nothing, and the
//! Rust frames of the throw itself own nothing by then (as for traps).

use crate::code_registry;
use crate::instance::InstanceData;

/// An exception that left Wasm code: a reference to its exception object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception(pub(crate) usize);

// SAFETY: an exception object's payload is immutable once thrown, and one the host holds is
// pinned: its reference count no longer changes and it is never freed.
unsafe impl Send for Exception {}
// SAFETY: as for Send: immutable and never freed, so shared references are fine.
unsafe impl Sync for Exception {}

impl Exception {
    /// The exnref value (for passing the exception back to Wasm as a value).
    pub fn as_raw(&self) -> usize {
        self.0
    }

    /// A new exception of `tag` carrying `values` (which must match the tag's parameters).
    pub fn new(tag: &crate::tag::Tag, values: &[crate::Val]) -> Option<Exception> {
        let params = tag.ty().params();
        if values.len() != params.len() || !values.iter().zip(params).all(|(v, t)| v.ty_matches(*t)) {
            return None;
        }
        let exn = alloc(tag.identity(), values.len());
        pin(exn);
        for (i, v) in values.iter().enumerate() {
            // SAFETY: `alloc` made room for `values.len()` slots.
            unsafe { *slot(exn, i) = v.to_raw().0 };
        }
        // The object outlives the tag's other holders only if the tag does: keep it alive.
        std::mem::forget(tag.vm.clone());
        Some(Exception(exn))
    }

    /// The tag identity (compare with [`crate::tag::Tag`]s through `is`).
    pub fn is(&self, tag: &crate::tag::Tag) -> bool {
        // SAFETY: a live exception object.
        unsafe { *(self.0 as *const usize) == tag.identity() }
    }
}

fn slot(exn: usize, i: usize) -> *mut u128 {
    (exn + cwali_codegen::vmoffsets::exn::VALUES as usize + cwali_codegen::vmoffsets::exn::SLOT as usize * i)
        as *mut u128
}

/// Exception objects allocated and not freed, process-wide.
static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many exception objects exist (allocated, not freed) in this process: pinned ones stay.
pub fn live_objects() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// An exception object with `n` zeroed payload slots and one reference for the tag of identity `tag`.
fn alloc(tag: usize, n: usize) -> usize {
    LIVE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut words = vec![0u128; 1 + n].into_boxed_slice();
    // One reference: the throw that will carry it.
    words[0] = tag as u128
        | (n as u128) << (8 * cwali_codegen::vmoffsets::exn::PAYLOAD_LEN)
        | 1 << (8 * cwali_codegen::vmoffsets::exn::REFS);
    Box::into_raw(words) as *mut u128 as usize
}

fn refs(exn: usize) -> *mut u32 {
    (exn + cwali_codegen::vmoffsets::exn::REFS as usize) as *mut u32
}

/// The object `exn` may now be referenced by the host: never freed.
pub(crate) fn pin(exn: usize) {
    // SAFETY: a live exception object; the count is a u32 of its header.
    unsafe { *refs(exn) = cwali_codegen::vmoffsets::exn::PINNED };
}

/// `Builtin::ExnRelease`: one reference to `exn` ended (a `catch` ended its throw, or a legacy
/// catch body that bound it ended); the last one frees it. An unpinned object is only ever
/// referenced by the thread it was thrown on (a throw in flight and catch bodies of that
/// thread's frames: sharing it needs an `exnref` value or the host, which pin it), so the count
/// needs no atomics.
pub(crate) extern "C" fn exn_release(_vmctx: *mut u8, exn: u64) {
    let exn = exn as usize;
    let refs = refs(exn);
    // SAFETY: generated code passes a live object it holds a reference to.
    let left = unsafe {
        if *refs == cwali_codegen::vmoffsets::exn::PINNED {
            return;
        }
        *refs -= 1;
        *refs
    };
    if left != 0 {
        return;
    }
    // SAFETY: the header's payload length, written by `alloc`.
    let n = unsafe { *((exn + cwali_codegen::vmoffsets::exn::PAYLOAD_LEN as usize) as *const u32) } as usize;
    // SAFETY: the last reference is gone, so nothing names the object; `alloc` made it as a
    // boxed slice of 1 + n words.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(exn as *mut u128, 1 + n)) });
    LIVE.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
}

/// `Builtin::ExnAlloc`: a new exception object of the caller's tag `tag`; generated code
/// stores the payload.
pub(crate) extern "C" fn exn_alloc(vmctx: *mut u8, tag: u32) -> u64 {
    // SAFETY: generated code passes its live VMContext.
    let data = unsafe { InstanceData::from_vmctx(vmctx) };
    let n = data.module.info().tag_params(tag).len();
    alloc(data.tag_identity(tag), n) as u64
}

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_throw_stub",
    ".p2align 4",
    // (vmctx, exn), called from Wasm: the return address and rbp are the throwing frame's.
    "cwali_throw_stub:",
    "xor r8d, r8d",
    "jmp 2f",
    ".globl cwali_throw_from_host_stub",
    ".p2align 4",
    // (host ctx, exn), called from a host trampoline: the search starts at its caller.
    "cwali_throw_from_host_stub:",
    "mov r8d, 1",
    "2:",
    "mov rdi, rsi",
    "mov rsi, [rsp]",
    "mov rdx, rbp",
    "mov rcx, r15",
    "sub rsp, 8",
    "call {throw}",
    "ud2",
    ".globl cwali_exn_resume",
    ".p2align 4",
    // (sp, fp, pc, exn, pinned) -> never returns: into the handler's frame.
    "cwali_exn_resume:",
    "mov rsp, rdi",
    "mov rbp, rsi",
    "mov rax, rcx",
    "mov r15, r8",
    "jmp rdx",
    throw = sym throw,
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_throw_stub",
    ".p2align 4",
    "cwali_throw_stub:",
    "mov x4, #0",
    "b 2f",
    ".globl cwali_throw_from_host_stub",
    ".p2align 4",
    "cwali_throw_from_host_stub:",
    "mov x4, #1",
    "2:",
    "mov x0, x1",
    "mov x1, x30",
    "mov x2, x29",
    "mov x3, x21",
    "bl {throw}",
    "brk #1",
    ".globl cwali_exn_resume",
    ".p2align 4",
    "cwali_exn_resume:",
    "mov sp, x0",
    "mov x29, x1",
    "mov x0, x3",
    "mov x21, x4",
    "br x2",
    throw = sym throw,
);

unsafe extern "C" {
    pub(crate) fn cwali_throw_stub(vmctx: *mut u8, exn: u64);
    pub(crate) fn cwali_throw_from_host_stub(ctx: *const u8, exn: u64);
    fn cwali_exn_resume(sp: usize, fp: usize, pc: usize, exn: usize, pinned: usize) -> !;
}

/// Find the handler of `exn` thrown at return address `pc` of the frame at `fp` and resume
/// there; with `skip` the frame at `fp` is a host trampoline and the search starts at its
/// caller. Without a handler in this activation the exception leaves it like a trap.
extern "C" fn throw(exn: usize, pc: usize, fp: usize, pinned: usize, skip: usize) -> ! {
    let (mut pc, mut fp) = (pc, fp);
    // SAFETY: frame pointers of the Wasm frames (and the trampoline) of this activation.
    unsafe {
        if skip != 0 {
            pc = *((fp + 8) as *const usize);
            fp = *(fp as *const usize);
        }
    }
    // SAFETY: a live exception object.
    let tag = unsafe { *(exn as *const usize) };
    while fp != 0 && code_registry::is_wasm_pc(pc.wrapping_sub(1)) {
        let target = code_registry::find_handler(pc, fp, &|vmctx, index| {
            // SAFETY: the VMContext a try_call site stored for its own frame.
            unsafe { InstanceData::from_vmctx(vmctx as *mut u8) }.tag_identity(index) == tag
        });
        if let Some((handler, sp)) = target {
            // SAFETY: `sp`, `fp` and `handler` are the handler frame's (code_registry); nothing
            // in the frames skipped needs dropping (module doc).
            unsafe { cwali_exn_resume(sp, fp, handler, exn, pinned) }
        }
        // SAFETY: `fp` is a Wasm frame's frame pointer: [fp] the caller's, [fp + 8] the return.
        unsafe {
            pc = *((fp + 8) as *const usize);
            fp = *(fp as *const usize);
        }
    }
    // SAFETY: called from Wasm code, so inside `catch_traps`; this frame owns nothing.
    unsafe { crate::signals::raise_exception(exn) }
}
