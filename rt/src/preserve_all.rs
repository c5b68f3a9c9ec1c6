//! Entries of the builtins generated code calls with Cranelift's `preserve_all` convention: the
//! safepoint poll (on every loop header) and the lazy initialisation of a table element (in
//! every `call_indirect`). Their calls sit on never- or rarely-taken branches; with the C
//! convention the register allocator would keep values in callee-saved registers around them
//! and spill on the hot path. Each stub saves every register the C convention lets a callee
//! clobber, calls the Rust function, and restores them. (Such calls return nothing: Cranelift
//! does not allow results in this convention.)

// x86_64 register save sequences shared by the stubs here and the poll-page fault stub
// (`poll_page.rs`): the general-purpose registers the C convention lets a callee clobber, and
// xmm0-15 into 256 bytes at `rsp`.
#[cfg(target_arch = "x86_64")]
macro_rules! x86_push_scratch_gprs {
    () => {
        "push rax\npush rcx\npush rdx\npush rsi\npush rdi\npush r8\npush r9\npush r10\npush r11"
    };
}
#[cfg(target_arch = "x86_64")]
macro_rules! x86_pop_scratch_gprs {
    () => {
        "pop r11\npop r10\npop r9\npop r8\npop rdi\npop rsi\npop rdx\npop rcx\npop rax"
    };
}
#[cfg(target_arch = "x86_64")]
macro_rules! x86_save_xmm {
    () => {
        concat!(
            "movdqu [rsp + 0], xmm0\n",
            "movdqu [rsp + 16], xmm1\n",
            "movdqu [rsp + 32], xmm2\n",
            "movdqu [rsp + 48], xmm3\n",
            "movdqu [rsp + 64], xmm4\n",
            "movdqu [rsp + 80], xmm5\n",
            "movdqu [rsp + 96], xmm6\n",
            "movdqu [rsp + 112], xmm7\n",
            "movdqu [rsp + 128], xmm8\n",
            "movdqu [rsp + 144], xmm9\n",
            "movdqu [rsp + 160], xmm10\n",
            "movdqu [rsp + 176], xmm11\n",
            "movdqu [rsp + 192], xmm12\n",
            "movdqu [rsp + 208], xmm13\n",
            "movdqu [rsp + 224], xmm14\n",
            "movdqu [rsp + 240], xmm15\n",
        )
    };
}
#[cfg(target_arch = "x86_64")]
macro_rules! x86_restore_xmm {
    () => {
        concat!(
            "movdqu xmm0, [rsp + 0]\n",
            "movdqu xmm1, [rsp + 16]\n",
            "movdqu xmm2, [rsp + 32]\n",
            "movdqu xmm3, [rsp + 48]\n",
            "movdqu xmm4, [rsp + 64]\n",
            "movdqu xmm5, [rsp + 80]\n",
            "movdqu xmm6, [rsp + 96]\n",
            "movdqu xmm7, [rsp + 112]\n",
            "movdqu xmm8, [rsp + 128]\n",
            "movdqu xmm9, [rsp + 144]\n",
            "movdqu xmm10, [rsp + 160]\n",
            "movdqu xmm11, [rsp + 176]\n",
            "movdqu xmm12, [rsp + 192]\n",
            "movdqu xmm13, [rsp + 208]\n",
            "movdqu xmm14, [rsp + 224]\n",
            "movdqu xmm15, [rsp + 240]\n",
        )
    };
}
#[cfg(target_arch = "x86_64")]
pub(crate) use {x86_pop_scratch_gprs, x86_push_scratch_gprs, x86_restore_xmm, x86_save_xmm};

/// A `preserve_all` stub `$name` calling the `extern "C"` function `$target`.
macro_rules! preserve_all_stub {
    ($name:literal, $target:path) => {
        #[cfg(target_arch = "x86_64")]
        std::arch::global_asm!(
            ".text",
            concat!(".globl ", $name),
            ".p2align 4",
            concat!($name, ":"),
            "push rbp",
            "mov rbp, rsp",
            x86_push_scratch_gprs!(),
            // 9 pushes after rbp: rsp is 8 mod 16; 264 more makes it 0 mod 16 with room for xmm0-15.
            "sub rsp, 264",
            x86_save_xmm!(),
            "call {target}",
            x86_restore_xmm!(),
            "add rsp, 264",
            x86_pop_scratch_gprs!(),
            "pop rbp",
            "ret",
            target = sym $target,
        );

        #[cfg(target_arch = "aarch64")]
        std::arch::global_asm!(
            ".text",
            concat!(".globl ", $name),
            ".p2align 4",
            concat!($name, ":"),
            "stp x29, x30, [sp, #-16]!",
            "mov x29, sp",
            "sub sp, sp, #672",
            "stp x0, x1, [sp, #0]",
            "stp x2, x3, [sp, #16]",
            "stp x4, x5, [sp, #32]",
            "stp x6, x7, [sp, #48]",
            "stp x8, x9, [sp, #64]",
            "stp x10, x11, [sp, #80]",
            "stp x12, x13, [sp, #96]",
            "stp x14, x15, [sp, #112]",
            "stp x16, x17, [sp, #128]",
            "str x18, [sp, #144]",
            "stp q0, q1, [sp, #160]",
            "stp q2, q3, [sp, #192]",
            "stp q4, q5, [sp, #224]",
            "stp q6, q7, [sp, #256]",
            "stp q8, q9, [sp, #288]",
            "stp q10, q11, [sp, #320]",
            "stp q12, q13, [sp, #352]",
            "stp q14, q15, [sp, #384]",
            "stp q16, q17, [sp, #416]",
            "stp q18, q19, [sp, #448]",
            "stp q20, q21, [sp, #480]",
            "stp q22, q23, [sp, #512]",
            "stp q24, q25, [sp, #544]",
            "stp q26, q27, [sp, #576]",
            "stp q28, q29, [sp, #608]",
            "stp q30, q31, [sp, #640]",
            "bl {target}",
            "ldp x0, x1, [sp, #0]",
            "ldp x2, x3, [sp, #16]",
            "ldp x4, x5, [sp, #32]",
            "ldp x6, x7, [sp, #48]",
            "ldp x8, x9, [sp, #64]",
            "ldp x10, x11, [sp, #80]",
            "ldp x12, x13, [sp, #96]",
            "ldp x14, x15, [sp, #112]",
            "ldp x16, x17, [sp, #128]",
            "ldr x18, [sp, #144]",
            "ldp q0, q1, [sp, #160]",
            "ldp q2, q3, [sp, #192]",
            "ldp q4, q5, [sp, #224]",
            "ldp q6, q7, [sp, #256]",
            "ldp q8, q9, [sp, #288]",
            "ldp q10, q11, [sp, #320]",
            "ldp q12, q13, [sp, #352]",
            "ldp q14, q15, [sp, #384]",
            "ldp q16, q17, [sp, #416]",
            "ldp q18, q19, [sp, #448]",
            "ldp q20, q21, [sp, #480]",
            "ldp q22, q23, [sp, #512]",
            "ldp q24, q25, [sp, #544]",
            "ldp q26, q27, [sp, #576]",
            "ldp q28, q29, [sp, #608]",
            "ldp q30, q31, [sp, #640]",
            "add sp, sp, #672",
            "ldp x29, x30, [sp], #16",
            "ret",
            target = sym $target,
        );
    };
}

preserve_all_stub!("cwali_safepoint_stub", crate::builtins::safepoint);
preserve_all_stub!("cwali_table_lazy_init_stub", crate::builtins::table_lazy_init);

unsafe extern "C" {
    pub(crate) fn cwali_safepoint_stub(vmctx: *mut u8);
    pub(crate) fn cwali_table_lazy_init_stub(vmctx: *mut u8, table_index: u64);
}
