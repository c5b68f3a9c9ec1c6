//! The raw syscall stub generated code calls for inline WALI syscalls:
//! `extern "C" fn(nr, a1, a2, a3, a4, a5, a6) -> i64`, returning the kernel's value as is
//! (`-errno` on failure), with no libc wrapper in between.

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_syscall6",
    ".p2align 4",
    "cwali_syscall6:",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "mov rdx, rcx",
    "mov r10, r8",
    "mov r8, r9",
    "mov r9, [rsp + 8]",
    "syscall",
    "ret",
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".globl cwali_syscall6",
    ".p2align 4",
    "cwali_syscall6:",
    "mov x8, x0",
    "mov x0, x1",
    "mov x1, x2",
    "mov x2, x3",
    "mov x3, x4",
    "mov x4, x5",
    "mov x5, x6",
    "svc #0",
    "ret",
);

unsafe extern "C" {
    pub fn cwali_syscall6(nr: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64) -> i64;
}

#[cfg(test)]
mod tests {
    #[test]
    fn getpid_and_errors_come_back_raw() {
        let nr = if cfg!(target_arch = "x86_64") { 39 } else { 172 };
        assert_eq!(unsafe { super::cwali_syscall6(nr, 0, 0, 0, 0, 0, 0) }, std::process::id() as i64);
        // close(-1) fails with -EBADF, returned as is.
        let close = if cfg!(target_arch = "x86_64") { 3 } else { 57 };
        assert_eq!(unsafe { super::cwali_syscall6(close, -1, 0, 0, 0, 0, 0) }, -(libc::EBADF as i64));
    }
}
