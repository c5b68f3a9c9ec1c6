//! Copy-on-write memory images: the initial contents of a module's memory (its active data
//! segments) written once to a memfd, then mapped privately over each new instance's memory.
//! Instantiation copies nothing; pages are shared until written (and after `fork` the child gets
//! its own copy, as with anonymous memory).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use cwali_frontend::{ConstOp, ModuleInfo, SegmentMode};

const PAGE: usize = 4096;

/// The initial contents of memory 0 up to the last byte a data segment writes.
#[derive(Debug)]
pub struct MemoryImage {
    fd: OwnedFd,
    len: usize,
}

/// The value of a constant offset expression that needs no instance (no `global.get`).
pub(crate) fn constant(ops: &[ConstOp]) -> Option<u64> {
    let mut stack: Vec<i64> = Vec::new();
    for op in ops {
        match *op {
            ConstOp::I32Const(v) => stack.push(v as u32 as i64),
            ConstOp::I64Const(v) => stack.push(v),
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let (b, a) = (stack.pop()? as i32, stack.pop()? as i32);
                let r = match op {
                    ConstOp::I32Add => a.wrapping_add(b),
                    ConstOp::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                };
                stack.push(r as u32 as i64);
            }
            _ => return None,
        }
    }
    match stack.as_slice() {
        [v] => Some(*v as u64),
        _ => None,
    }
}

impl MemoryImage {
    /// An image for `module`'s memory 0, if it is defined, has active segments, and every active
    /// segment has a constant offset and fits in the initial memory (otherwise instantiation
    /// must see the segments applied one by one, with the trap where one does not fit).
    pub fn build(module: &ModuleInfo) -> Option<MemoryImage> {
        if module.num_imported_memories != 0 {
            return None;
        }
        let memory = module.memories.first()?;
        let page_size = 1u64 << memory.page_size_log2.unwrap_or(16);
        let initial = usize::try_from(memory.initial.checked_mul(page_size)?).ok()?;
        let mut segments = Vec::new();
        for seg in &module.data {
            if let SegmentMode::Active { target, offset } = &seg.mode {
                let start = usize::try_from(constant(&offset.ops)?).ok()?;
                let bytes = module.data_bytes(seg);
                if *target != 0 || start.checked_add(bytes.len())? > initial {
                    return None;
                }
                segments.push((start, bytes));
            }
        }
        let end = segments.iter().map(|(s, b)| s + b.len()).max()?;
        let len = end.div_ceil(PAGE) * PAGE;
        if len == 0 || len > initial.div_ceil(PAGE) * PAGE {
            return None;
        }
        // SAFETY: plain syscalls on a new file descriptor we own.
        unsafe {
            let fd = libc::memfd_create(c"cwali-memory-image".as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING);
            if fd < 0 {
                return None;
            }
            let fd = OwnedFd::from_raw_fd(fd);
            if libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) != 0 {
                return None;
            }
            for (start, bytes) in segments {
                let mut done = 0;
                while done < bytes.len() {
                    let n = libc::pwrite(
                        fd.as_raw_fd(),
                        bytes[done..].as_ptr().cast(),
                        bytes.len() - done,
                        (start + done) as libc::off_t,
                    );
                    if n <= 0 {
                        return None;
                    }
                    done += n as usize;
                }
            }
            // Sealed: the guest can reach this fd (it is in the process's table, and in a forked
            // child's), but can no longer shrink it (a SIGBUS on every later read of the
            // image), grow it, or write it (changing other instances' and processes' memory).
            // Private mappings stay writable copy-on-write.
            let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE | libc::F_SEAL_SEAL;
            if libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) != 0 {
                return None;
            }
            Some(MemoryImage { fd, len })
        }
    }

    /// Bytes the image covers from the start of memory.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Map the image privately over the start of a fresh memory.
    ///
    /// # Safety
    /// `base` must start a memory whose first `len` bytes are accessible and not yet in use.
    pub unsafe fn map_into(&self, base: *mut u8) -> bool {
        // SAFETY: the caller guarantees [base, base+len) is an unused part of a memory's
        // reservation; MAP_FIXED replaces exactly that range with the sealed image.
        let p = unsafe {
            libc::mmap(
                base.cast(),
                self.len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_FIXED,
                self.fd.as_raw_fd(),
                0,
            )
        };
        p == base.cast()
    }
}
