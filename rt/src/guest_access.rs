//! The one way host code touches guest memory: copies, string scans and a word exchange that
//! survive a fault.
//!
//! A guest can make any page of its own linear memory inaccessible (`mprotect`, `munmap`,
//! `PROT_NONE` mappings) or back it with a file it then truncates. Every range host code touches
//! is checked against the memory's length first, but a checked page can still fault. So the
//! accesses themselves are a few leaf routines in assembly whose code range the signal handler
//! knows (`recover`): a fault (SIGSEGV or SIGBUS raised by the kernel, `si_code > 0`) at a PC
//! inside them resumes at a stub that returns "fault", and the caller turns that into `-EFAULT`
//! or an out-of-bounds error. It works like the kernel's exception table for `copy_from_user`.
//!
//! The routines are leaves that push nothing: at the fault the return address is where `ret`
//! expects it, so the fault stub is a plain return of the fault value.

use std::ffi::c_int;

/// A host access to guest memory hit a page the guest made inaccessible (or a truncated file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault;

/// The value every routine returns after a fault.
const FAULT: u64 = u64::MAX;

unsafe extern "C" {
    fn cwali_guest_copy(dst: *mut u8, src: *const u8, len: usize) -> u64;
    fn cwali_guest_strnlen(p: *const u8, max: usize) -> u64;
    fn cwali_guest_xchg32(p: *mut u32, v: u32) -> u64;
    static cwali_guest_access_begin: u8;
    static cwali_guest_access_end: u8;
    static cwali_guest_access_fault: u8;
}

/// The routines' symbols, global to the link but hidden outside this binary.
macro_rules! symbols {
    () => {
        concat!(
            ".globl cwali_guest_access_begin\n.hidden cwali_guest_access_begin\n",
            ".globl cwali_guest_copy\n.hidden cwali_guest_copy\n",
            ".globl cwali_guest_strnlen\n.hidden cwali_guest_strnlen\n",
            ".globl cwali_guest_xchg32\n.hidden cwali_guest_xchg32\n",
            ".globl cwali_guest_access_end\n.hidden cwali_guest_access_end\n",
            ".globl cwali_guest_access_fault\n.hidden cwali_guest_access_fault",
        )
    };
}

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    symbols!(),
    "cwali_guest_access_begin:",
    // (dst, src, len) -> 0. The direction flag is clear at every call (SysV ABI).
    "cwali_guest_copy:",
    "    mov rcx, rdx",
    "    rep movsb",
    "    xor eax, eax",
    "    ret",
    // (p, max) -> index of the first NUL below max, or max.
    "cwali_guest_strnlen:",
    "    xor eax, eax",
    "2:",
    "    cmp rax, rsi",
    "    jae 3f",
    "    cmp byte ptr [rdi + rax], 0",
    "    je 3f",
    "    inc rax",
    "    jmp 2b",
    "3:",
    "    ret",
    // (p, v) -> the old value (zero-extended), stored atomically.
    "cwali_guest_xchg32:",
    "    mov eax, esi",
    "    xchg dword ptr [rdi], eax",
    "    ret",
    "cwali_guest_access_end:",
    "cwali_guest_access_fault:",
    "    mov rax, -1",
    "    ret",
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    symbols!(),
    "cwali_guest_access_begin:",
    "cwali_guest_copy:",
    "    cbz x2, 2f",
    "1:",
    "    ldrb w3, [x1], #1",
    "    strb w3, [x0], #1",
    "    subs x2, x2, #1",
    "    b.ne 1b",
    "2:",
    "    mov x0, #0",
    "    ret",
    "cwali_guest_strnlen:",
    "    mov x2, #0",
    "1:",
    "    cmp x2, x1",
    "    b.hs 2f",
    "    ldrb w3, [x0, x2]",
    "    cbz w3, 2f",
    "    add x2, x2, #1",
    "    b 1b",
    "2:",
    "    mov x0, x2",
    "    ret",
    "cwali_guest_xchg32:",
    "1:",
    "    ldaxr w2, [x0]",
    "    stlxr w3, w1, [x0]",
    "    cbnz w3, 1b",
    "    mov w0, w2",
    "    ret",
    "cwali_guest_access_end:",
    "cwali_guest_access_fault:",
    "    mov x0, #-1",
    "    ret",
);

fn checked(r: u64) -> Result<u64, Fault> {
    if r == FAULT { Err(Fault) } else { Ok(r) }
}

/// Copies `len` bytes from `src` to `dst`; one side is guest memory, the other host memory.
///
/// # Safety
/// The guest side lies inside a linear memory's reservation (checked against its length); the
/// host side is valid for `len` bytes and does not overlap the guest side. A fault can then only
/// come from the guest side, and only leaves the destination partly written.
pub unsafe fn copy(dst: *mut u8, src: *const u8, len: usize) -> Result<(), Fault> {
    crate::signals::init();
    // SAFETY: the caller's contract; faults come back as FAULT.
    checked(unsafe { cwali_guest_copy(dst, src, len) }).map(|_| ())
}

/// The length of the NUL-terminated string at `p` if it ends below `max` bytes, else `Ok(max)`.
///
/// # Safety
/// `[p, p + max)` lies inside a linear memory's reservation.
pub unsafe fn strnlen(p: *const u8, max: usize) -> Result<usize, Fault> {
    crate::signals::init();
    // SAFETY: the caller's contract; faults come back as FAULT.
    checked(unsafe { cwali_guest_strnlen(p, max) }).map(|n| n as usize)
}

/// Atomically stores `v` at `p` (4-byte aligned, inside linear memory); returns the old value.
///
/// # Safety
/// `p` is 4-byte aligned and `[p, p + 4)` lies inside a linear memory's reservation.
pub unsafe fn swap_u32(p: *mut u32, v: u32) -> Result<u32, Fault> {
    crate::signals::init();
    // SAFETY: the caller's contract; faults come back as FAULT.
    checked(unsafe { cwali_guest_xchg32(p, v) }).map(|old| old as u32)
}

/// Called first by the fault handler: if the fault is the kernel's (not a `kill`) and hit one of
/// the routines above, make the interrupted routine return [`FAULT`] and say so.
///
/// # Safety
/// Async-signal-safe; `info` and `context` are the handler's arguments.
pub(crate) unsafe fn recover(signal: c_int, info: *const libc::siginfo_t, context: *mut std::ffi::c_void) -> bool {
    if !(signal == libc::SIGSEGV || signal == libc::SIGBUS) || info.is_null() {
        return false;
    }
    // SAFETY: the kernel's siginfo.
    if unsafe { (*info).si_code } <= 0 {
        return false;
    }
    let begin = &raw const cwali_guest_access_begin as usize;
    let end = &raw const cwali_guest_access_end as usize;
    let fault = &raw const cwali_guest_access_fault as usize;
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: a valid, writable ucontext_t from the kernel.
        let gregs = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
        let pc = gregs[libc::REG_RIP as usize] as usize;
        if (begin..end).contains(&pc) {
            gregs[libc::REG_RIP as usize] = fault as i64;
            return true;
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        // SAFETY: a valid, writable ucontext_t from the kernel.
        let mcontext = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext };
        if (begin..end).contains(&(mcontext.pc as usize)) {
            mcontext.pc = fault as u64;
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two pages: the first read-write, the second inaccessible.
    struct Pages(*mut u8);

    impl Pages {
        fn new() -> Pages {
            // SAFETY: a fresh anonymous mapping we own.
            unsafe {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    8192,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                assert_ne!(p, libc::MAP_FAILED);
                assert_eq!(libc::mprotect(p.cast::<u8>().add(4096).cast(), 4096, libc::PROT_NONE), 0);
                Pages(p.cast())
            }
        }
    }

    impl Drop for Pages {
        fn drop(&mut self) {
            // SAFETY: our mapping.
            unsafe { libc::munmap(self.0.cast(), 8192) };
        }
    }

    #[test]
    fn copies_and_faults() {
        let pages = Pages::new();
        let mut buf = [0u8; 16];
        // SAFETY: the ranges lie inside `pages`; the second one crosses into the protected page.
        unsafe {
            assert_eq!(copy(pages.0.add(100), b"hello".as_ptr(), 5), Ok(()));
            assert_eq!(copy(buf.as_mut_ptr(), pages.0.add(100), 5), Ok(()));
            assert_eq!(&buf[..5], b"hello");
            assert_eq!(copy(buf.as_mut_ptr(), pages.0.add(4090), 16), Err(Fault));
            assert_eq!(copy(pages.0.add(4090), buf.as_ptr(), 16), Err(Fault));
            assert_eq!(copy(buf.as_mut_ptr(), pages.0.add(4096), 0), Ok(()));
        }
    }

    #[test]
    fn strings_and_words() {
        let pages = Pages::new();
        // SAFETY: as above.
        unsafe {
            copy(pages.0.add(4090), c"abc".as_ptr().cast(), 4).unwrap();
            assert_eq!(strnlen(pages.0.add(4090), 6), Ok(3));
            assert_eq!(strnlen(pages.0.add(4090), 2), Ok(2));
            copy(pages.0.add(4090), b"abcdef".as_ptr(), 6).unwrap();
            assert_eq!(strnlen(pages.0.add(4090), 100), Err(Fault));
            let word = pages.0.add(64).cast::<u32>();
            word.write(7);
            assert_eq!(swap_u32(word, 9), Ok(7));
            assert_eq!(word.read(), 9);
            assert_eq!(swap_u32(pages.0.add(4096).cast(), 1), Err(Fault));
        }
    }

    #[test]
    fn faults_on_many_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let pages = Pages::new();
                    let mut buf = [0u8; 64];
                    for _ in 0..500 {
                        // SAFETY: as above.
                        assert_eq!(unsafe { copy(buf.as_mut_ptr(), pages.0.add(4064), 64) }, Err(Fault));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
