//! setjmp/longjmp for Wasm code (WALI imports `setjmp`, `sigsetjmp`, `longjmp`, ...).
//!
//! Codegen compiles a call to a setjmp-family import into a direct call of
//! `cwali_setjmp_stub`, so the stub's return address lies in the Wasm function F that called
//! setjmp and F's frame pointer is in the frame-pointer register. The stub records F's
//! callee-saved registers, stack pointer and return address, and a copy of F's whole frame
//! (`[sp, fp + 16)`: spill slots included). `longjmp(env, v)` copies the frame back, restores
//! the registers and the stack pointer and jumps to the return address with `v` (1 if 0) as
//! the result: to F it is as if the setjmp call returned a second time, with every value it
//! holds in registers or on its frame as it was at setjmp.
//!
//! That is why the frame copy is needed: Cranelift does not know the call returns twice and
//! may reuse a spill slot after the first return; restoring the frame makes that harmless.
//! Wasm locals changed between setjmp and longjmp come back with their setjmp-time values,
//! which C allows (non-volatile automatic variables are indeterminate; volatile ones live in
//! linear memory). The guest's `__stack_pointer` (global 0) is restored, the signal mask too for
//! `sigsetjmp(env, 1)`, and so is the runtime's innermost trap landing pad, so a longjmp out of
//! a signal handler (a nested entry into Wasm) leaves trap handling consistent.
//!
//! Records are per thread, keyed by the guest `jmp_buf` address. A longjmp to an unknown buffer,
//! or to a frame that is no longer live, is a trap rather than a jump into garbage.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::instance::InstanceData;
use crate::values::Val;

/// Registers saved by the stub, in the order the assembly stores them.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Context {
    /// x86_64: rbx rbp r12 r13 r14 r15; aarch64: x19..x28, x29 (fp), d8..d15 (as bits).
    regs: [u64; 20],
    /// The caller's stack pointer after the stub returns.
    sp: u64,
    /// Where the stub returns to in F.
    ret: u64,
}

#[cfg(target_arch = "x86_64")]
const FP_INDEX: usize = 1;
#[cfg(target_arch = "aarch64")]
const FP_INDEX: usize = 10;

struct Record {
    ctx: Context,
    frame: Vec<u8>,
    /// F's own return address (at fp + 8), to recognise the same activation at longjmp.
    frame_ret: u64,
    stack_pointer: Option<Val>,
    sigmask: Option<libc::sigset_t>,
    landing_pad: usize,
}

thread_local! {
    static RECORDS: RefCell<HashMap<u32, Record>> = RefCell::new(HashMap::new());
}

/// Frames larger than this are not copied (setjmp then reports failure by trapping at longjmp).
const MAX_FRAME: u64 = 1 << 20;

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_setjmp_stub",
    ".p2align 4",
    // (vmctx, env, savesigs) -> 0; records the caller's context, then asks Rust to save the rest.
    "cwali_setjmp_stub:",
    "sub rsp, 184",
    "mov [rsp + 0], rbx",
    "mov [rsp + 8], rbp",
    "mov [rsp + 16], r12",
    "mov [rsp + 24], r13",
    "mov [rsp + 32], r14",
    "mov [rsp + 40], r15",
    "lea rax, [rsp + 192]",
    "mov [rsp + 160], rax",
    "mov rax, [rsp + 184]",
    "mov [rsp + 168], rax",
    "mov rcx, rsp",
    "call {save}",
    "add rsp, 184",
    "ret",
    ".globl cwali_longjmp_resume",
    ".p2align 4",
    // (ctx, value) -> never returns: back into F as a second return of the stub.
    "cwali_longjmp_resume:",
    "mov rbx, [rdi + 0]",
    "mov rbp, [rdi + 8]",
    "mov r12, [rdi + 16]",
    "mov r13, [rdi + 24]",
    "mov r14, [rdi + 32]",
    "mov r15, [rdi + 40]",
    "mov rax, rsi",
    "mov rcx, [rdi + 168]",
    "mov rsp, [rdi + 160]",
    "jmp rcx",
    save = sym cwali_setjmp_save,
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_setjmp_stub",
    ".p2align 4",
    "cwali_setjmp_stub:",
    "sub sp, sp, #192",
    "stp x19, x20, [sp, #0]",
    "stp x21, x22, [sp, #16]",
    "stp x23, x24, [sp, #32]",
    "stp x25, x26, [sp, #48]",
    "stp x27, x28, [sp, #64]",
    "str x29, [sp, #80]",
    "stp d8, d9, [sp, #88]",
    "stp d10, d11, [sp, #104]",
    "stp d12, d13, [sp, #120]",
    "stp d14, d15, [sp, #136]",
    "add x9, sp, #192",
    "str x9, [sp, #160]",
    "str x30, [sp, #168]",
    "str x30, [sp, #176]",
    "mov x3, sp",
    "bl {save}",
    "ldr x30, [sp, #176]",
    "add sp, sp, #192",
    "ret",
    ".globl cwali_longjmp_resume",
    ".p2align 4",
    "cwali_longjmp_resume:",
    "ldp x19, x20, [x0, #0]",
    "ldp x21, x22, [x0, #16]",
    "ldp x23, x24, [x0, #32]",
    "ldp x25, x26, [x0, #48]",
    "ldp x27, x28, [x0, #64]",
    "ldr x29, [x0, #80]",
    "ldp d8, d9, [x0, #88]",
    "ldp d10, d11, [x0, #104]",
    "ldp d12, d13, [x0, #120]",
    "ldp d14, d15, [x0, #136]",
    "ldr x9, [x0, #160]",
    "ldr x30, [x0, #168]",
    "mov sp, x9",
    "mov x0, x1",
    "br x30",
    save = sym cwali_setjmp_save,
);

unsafe extern "C" {
    pub(crate) fn cwali_setjmp_stub(vmctx: *mut u8, env: u32, savesigs: u32) -> u32;
    fn cwali_longjmp_resume(ctx: *const Context, value: u64) -> !;
}

/// The guest's `__stack_pointer`: global 0 when it is a mutable i32 (the WALI toolchain's shape).
pub(crate) fn stack_pointer_global(data: &InstanceData) -> Option<u32> {
    let g = data.module.info().globals.first()?;
    (g.ty.mutable && g.ty.content_type == cwali_frontend::ValType::I32).then_some(0)
}

extern "C" fn cwali_setjmp_save(vmctx: *mut u8, env: u32, savesigs: u32, ctx: *const Context) -> u32 {
    // SAFETY: the stub passes the Wasm caller's VMContext and its own context record.
    let (data, ctx) = unsafe { (InstanceData::from_vmctx(vmctx), *ctx) };
    let fp = ctx.regs[FP_INDEX];
    let frame_len = (fp + 16).saturating_sub(ctx.sp);
    let frame = if fp > ctx.sp && frame_len <= MAX_FRAME {
        // SAFETY: [sp, fp+16) is the live frame of the Wasm function that called us.
        unsafe { std::slice::from_raw_parts(ctx.sp as *const u8, frame_len as usize) }.to_vec()
    } else {
        Vec::new()
    };
    // SAFETY: the frame was found live above (fp > sp, bounded size): fp+8 is its return address.
    let frame_ret = if frame.is_empty() { 0 } else { unsafe { *((fp + 8) as *const u64) } };
    // SAFETY: reads this thread's mask into a zeroed local set.
    let sigmask = (savesigs != 0).then(|| unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_SETMASK, std::ptr::null(), &mut set);
        set
    });
    let record = Record {
        ctx,
        frame,
        frame_ret,
        stack_pointer: stack_pointer_global(data).map(|g| data.global_val(g)),
        sigmask,
        landing_pad: crate::signals::current_landing_pad(),
    };
    RECORDS.with(|r| r.borrow_mut().insert(env, record));
    0
}

/// `longjmp(env, value)`: returns only if the jump is impossible (the caller then traps).
pub(crate) extern "C" fn longjmp(vmctx: *mut u8, env: u32, value: u32) -> i32 {
    // SAFETY: generated code passes its live VMContext.
    let data = unsafe { InstanceData::from_vmctx(vmctx) };
    let here = &value as *const u32 as u64;
    let jump = RECORDS.with(|r| {
        let records = r.borrow();
        let rec = records.get(&env)?;
        let fp = rec.ctx.regs[FP_INDEX];
        // The target frame must still be live: above us on this stack, same activation.
        // SAFETY: evaluated only when the recorded sp is above ours on this stack, so fp+8 lies
        // in mapped stack memory (the frame may be dead; then the comparison fails).
        if rec.frame.is_empty() || rec.ctx.sp <= here || unsafe { *((fp + 8) as *const u64) } != rec.frame_ret {
            return None;
        }
        if let (Some(g), Some(v)) = (stack_pointer_global(data), rec.stack_pointer) {
            crate::instance::write_val(data.global_ptr(g), v);
        }
        if let Some(set) = &rec.sigmask {
            // SAFETY: `set` is a valid sigset saved by setjmp.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, set, std::ptr::null_mut()) };
        }
        crate::signals::restore_landing_pad(rec.landing_pad);
        // SAFETY: the frame lies above this function's frame (checked), so rewriting it cannot
        // touch the stack we run on.
        unsafe { std::ptr::copy_nonoverlapping(rec.frame.as_ptr(), rec.ctx.sp as *mut u8, rec.frame.len()) };
        Some(rec.ctx)
    });
    match jump {
        Some(ctx) => {
            let v = if value == 0 { 1 } else { value as u64 };
            // SAFETY: everything this function owned is dropped; the context resumes F.
            unsafe { cwali_longjmp_resume(&ctx, v) }
        }
        None => 1,
    }
}
