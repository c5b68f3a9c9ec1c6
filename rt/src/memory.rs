//! Linear memories: one fixed virtual-address reservation per memory whose base never moves.
//!
//! Generated code caches a memory's base (`VMOffsets::MEMORY0_BASE`) and shared memories are
//! accessed from many threads at once, so a memory is never moved or re-mapped: `new` reserves
//! all the address space it can ever use as `PROT_NONE`, and `grow` only `mprotect`s more of it
//! read-write. Two layouts, chosen by the engine's [`BoundsChecks`]:
//!
//! - `Guard`: [`GUARD_RESERVATION`] bytes (4 GiB for any 32-bit index plus a [`GUARD_REGION`] for
//!   the static offset of a load). Generated code does no bounds check at all: an access past the
//!   accessible prefix faults, and the signal handler turns the fault into a trap.
//! - `Explicit`: `maximum_pages * 64 KiB` plus a small [`EXPLICIT_GUARD`]. Generated code
//!   compares every access against `VMMemoryDefinition::length`; the guard is for the kernel
//!   and host copies, which must never reach a neighbouring mapping.
//!
//! Host code reads and writes guest bytes only through [`crate::guest_access`], so a page the
//! guest protected gives an error, not a crash.
//!
//! 64-bit memories (memory64) take the `Explicit` layout in both modes, since a 64-bit index
//! reaches past any guard region; they reserve their maximum, at most [`MEMORY64_RESERVATION`].
//!
//! Custom page sizes: a memory's page is 64 KiB or, declared `(pagesize 1)`, one byte. Its
//! accessible prefix is then rounded up to whole host pages, so the bytes past its length in
//! the last host page do not fault: generated code checks every access to such a memory
//! explicitly, in both modes (see `cwali_codegen`'s `heap_addr`).
//!
//! The length is published with `Release` after the pages were made accessible, so a thread that
//! observes the new length (`Acquire`) can use every byte below it.

use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use cwali_codegen::BoundsChecks;

/// The size of a Wasm page.
pub const WASM_PAGE: usize = 65536;
/// Inaccessible bytes after the 4 GiB of a guard-mode memory, covering any static offset
/// generated code adds to a 32-bit index without a check.
pub const GUARD_REGION: usize = cwali_codegen::GUARD_REGION as usize;
/// The whole reservation of a guard-mode memory (6 GiB). `cwali_codegen` relies on exactly this size.
pub const GUARD_RESERVATION: usize = (4 << 30) + GUARD_REGION;

/// Inaccessible bytes after an explicit-bounds memory's maximum: no host access that was checked
/// against the length can run into a neighbouring mapping.
pub const EXPLICIT_GUARD: usize = 2 << 20;

/// The largest number of bytes of a 32-bit memory.
const MAX_BYTES_32: u64 = 1 << 32;

/// The address space a 64-bit memory (memory64) reserves at most: it grows up to its declared
/// maximum or this, whichever is less. A memory never moves, so what it may ever use is reserved
/// up front; 16 GiB lets a memory grow well past 4 GiB and still costs only address space.
pub const MEMORY64_RESERVATION: u64 = 16 << 30;

const _: () = assert!(GUARD_RESERVATION == 6 << 30);

/// What generated code reads. Layout must match `cwali_codegen::vmoffsets::memory`.
#[repr(C)]
pub struct VMMemoryDefinition {
    /// Start of the memory; fixed for the memory's lifetime.
    pub base: *mut u8,
    /// Current length in bytes.
    pub length: AtomicUsize,
}

const _: () = {
    use cwali_codegen::vmoffsets::memory;
    assert!(std::mem::offset_of!(VMMemoryDefinition, base) == memory::BASE as usize);
    assert!(std::mem::offset_of!(VMMemoryDefinition, length) == memory::LENGTH as usize);
    assert!(std::mem::size_of::<VMMemoryDefinition>() == memory::SIZE);
};

/// Why a memory could not be created.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("failed to reserve {bytes} bytes of address space for a linear memory")]
    Reserve {
        bytes: usize,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to make {bytes} bytes of a linear memory accessible")]
    Protect {
        bytes: usize,
        #[source]
        source: std::io::Error,
    },
    #[error("memory minimum of {initial} pages exceeds its maximum of {maximum} pages")]
    InitialExceedsMaximum { initial: u64, maximum: u64 },
    #[error("memory of {0} pages exceeds the 4 GiB of a 32-bit memory")]
    TooLarge(u64),
    #[error("unsupported memory type: {0}")]
    Unsupported(&'static str),
}

/// An access outside a memory's current length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("out of bounds memory access")]
pub struct OutOfBounds;

/// One linear memory and its reservation.
pub struct LinearMemory {
    /// Heap-allocated so its address is stable; owned (freed in `Drop`). Only the atomic
    /// `length` is ever written after construction.
    vmdef: NonNull<VMMemoryDefinition>,
    base: *mut u8,
    /// Bytes of address space mapped at `base`.
    reserved: usize,
    maximum_pages: u64,
    /// The most bytes `grow` may reach: the maximum, or for a 64-bit memory at most
    /// [`MEMORY64_RESERVATION`] (the reservation's guard stays inaccessible).
    grow_limit: u64,
    /// Bytes per Wasm page: 65536, or 1 with the custom-page-sizes proposal.
    page_size: usize,
    shared: bool,
    /// A 64-bit memory (memory64): generated code checks every access explicitly.
    memory64: bool,
    /// Serialises `grow`: the check of the old length and the `mprotect` must not interleave.
    grow_lock: Mutex<()>,
    /// Whether the reservation may go back to the [`crate::memory_pool`] when dropped: guard
    /// pages, 64 KiB pages, and no host code changed its mappings ([`Self::mark_remapped`]).
    poolable: bool,
    remapped: std::sync::atomic::AtomicBool,
    /// Bytes at the start mapped from a memory image (0: none).
    image_len: AtomicUsize,
}

// SAFETY: the raw pointers refer to the reservation and the definition this value owns; the
// mutable state (`length`) is atomic and growth is serialised by `grow_lock`.
unsafe impl Send for LinearMemory {}
// SAFETY: as for Send: shared access only reads the fixed pointers and the atomic length.
unsafe impl Sync for LinearMemory {}

impl LinearMemory {
    /// Reserves a memory of `ty` (page counts from `initial`/`maximum`) laid out for `mode`.
    pub fn new(ty: &wasmparser::MemoryType, mode: BoundsChecks) -> Result<LinearMemory, MemoryError> {
        let page_size_log2 = ty.page_size_log2.unwrap_or(16);
        if page_size_log2 > 16 {
            return Err(MemoryError::Unsupported("page sizes above 64 KiB"));
        }
        let page_size = 1usize << page_size_log2;
        // A 64-bit memory's pages: as many as its index type can address (`u64::MAX` bytes
        // with 1-byte pages).
        let max_pages = if ty.memory64 { u64::MAX >> page_size_log2 } else { MAX_BYTES_32 >> page_size_log2 };
        let maximum_pages = ty.maximum.unwrap_or(max_pages);
        if maximum_pages > max_pages {
            return Err(MemoryError::TooLarge(maximum_pages));
        }
        if ty.initial > maximum_pages {
            return Err(MemoryError::InitialExceedsMaximum { initial: ty.initial, maximum: maximum_pages });
        }

        // The bytes of the maximum, and the most of them this memory reserves.
        let maximum_bytes = maximum_pages.saturating_mul(page_size as u64);
        let reservable = if ty.memory64 { maximum_bytes.min(MEMORY64_RESERVATION) } else { maximum_bytes };
        let initial_bytes = ty.initial.checked_mul(page_size as u64).filter(|b| *b <= reservable);
        let Some(initial_bytes) = initial_bytes.map(|b| b as usize) else {
            return Err(MemoryError::TooLarge(ty.initial));
        };
        let wanted = match mode {
            // A 64-bit index reaches past any guard region: such memories are checked
            // explicitly in both modes.
            BoundsChecks::Guard if !ty.memory64 => GUARD_RESERVATION,
            // The guard after the maximum catches the kernel reading a string that a racing
            // guest thread un-terminates at the end of memory (it reads up to PATH_MAX).
            _ => (reservable as usize).next_multiple_of(host_page_size()) + EXPLICIT_GUARD,
        };
        // mmap rejects a length of 0; a 0-page maximum still needs a valid, inaccessible base.
        let reserved = wanted.max(host_page_size());
        let poolable = mode == BoundsChecks::Guard && page_size == 65536 && !ty.memory64;
        let pooled =
            if poolable { crate::memory_pool::take(reserved).and_then(|p| reuse(p, initial_bytes)) } else { None };
        let base = match pooled {
            Some(base) => base,
            None => reserve(reserved)?,
        };

        if pooled.is_none()
            && initial_bytes > 0
            && let Err(source) = make_accessible(base, initial_bytes)
        {
            // SAFETY: the reservation was just created and nothing refers to it.
            unsafe { libc::munmap(base.cast(), reserved) };
            return Err(MemoryError::Protect { bytes: initial_bytes, source });
        }

        let vmdef = Box::new(VMMemoryDefinition { base, length: AtomicUsize::new(initial_bytes) });
        tracing::debug!(
            base = ?base, reserved, initial_pages = ty.initial, maximum_pages, shared = ty.shared,
            ?mode, "reserved linear memory"
        );
        Ok(LinearMemory {
            vmdef: NonNull::from(Box::leak(vmdef)),
            base,
            reserved,
            maximum_pages,
            grow_limit: reservable,
            page_size,
            shared: ty.shared,
            memory64: ty.memory64,
            grow_lock: Mutex::new(()),
            poolable,
            remapped: std::sync::atomic::AtomicBool::new(false),
            image_len: AtomicUsize::new(0),
        })
    }

    /// Host code replaced or re-protected pages of this memory (a WALI `mmap` of a file,
    /// `mprotect`, ...): its reservation is unmapped when dropped, never pooled.
    pub fn mark_remapped(&self) {
        self.remapped.store(true, Ordering::Relaxed);
    }

    /// A memory image now covers the first `len` bytes.
    pub(crate) fn note_image(&self, len: usize) {
        self.image_len.store(len, Ordering::Relaxed);
    }

    /// The definition generated code reads; stable for the memory's lifetime.
    pub fn vmdef(&self) -> *mut VMMemoryDefinition {
        self.vmdef.as_ptr()
    }

    /// The start of the memory; never changes.
    pub fn base(&self) -> *mut u8 {
        self.base
    }

    /// Current length in bytes.
    pub fn byte_len(&self) -> usize {
        self.def().length.load(Ordering::Acquire)
    }

    /// Current length in pages.
    pub fn pages(&self) -> u64 {
        (self.byte_len() / self.page_size) as u64
    }

    /// Bytes per page (65536 unless the memory declares a custom page size).
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The declared maximum, or as many pages as the index type addresses (4 GiB worth for a
    /// 32-bit memory).
    pub fn maximum_pages(&self) -> u64 {
        self.maximum_pages
    }

    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// Whether this is a 64-bit memory (memory64).
    pub fn is_64(&self) -> bool {
        self.memory64
    }

    /// Bytes of address space reserved at [`base`](Self::base) (at least one host page).
    pub fn reserved_bytes(&self) -> usize {
        self.reserved
    }

    /// `memory.grow`: the old size in pages, or `None` when the new size would exceed the
    /// maximum or the reservation (or the kernel refuses to commit the pages).
    pub fn grow(&self, delta_pages: u64) -> Option<u64> {
        let _guard = self.grow_lock.lock().unwrap_or_else(|e| e.into_inner());
        let old_bytes = self.def().length.load(Ordering::Acquire);
        let old_pages = (old_bytes / self.page_size) as u64;
        if delta_pages == 0 {
            return Some(old_pages);
        }
        let new_pages = old_pages.checked_add(delta_pages)?;
        if new_pages > self.maximum_pages {
            return None;
        }
        let new_bytes = usize::try_from(new_pages).ok()?.checked_mul(self.page_size)?;
        if new_bytes as u64 > self.grow_limit {
            return None;
        }
        // From the host page holding the old end (with 1-byte pages it may be partly
        // accessible already); mprotect rounds the end up to a host page.
        let from = old_bytes / host_page_size() * host_page_size();
        // SAFETY: [from, new_bytes) lies inside our reservation, whose mapping is a whole
        // number of host pages.
        if let Err(err) = make_accessible(unsafe { self.base.add(from) }, new_bytes - from) {
            tracing::warn!(%err, old_pages, new_pages, "memory.grow: mprotect failed");
            return None;
        }
        self.def().length.store(new_bytes, Ordering::Release);
        Some(old_pages)
    }

    /// A pointer to guest bytes `[offset, offset + len)`, or `None` if any of them lies outside
    /// the current length.
    pub fn checked_ptr(&self, offset: u64, len: u64) -> Option<*mut u8> {
        let end = offset.checked_add(len)?;
        if end > self.byte_len() as u64 {
            return None;
        }
        // SAFETY: offset <= length <= reservation.
        Some(unsafe { self.base.add(offset as usize) })
    }

    /// Copies guest bytes at `offset` into `buf`. A page the guest made inaccessible is an
    /// error too, never a crash (see [`crate::guest_access`]).
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> Result<(), OutOfBounds> {
        let src = self.checked_ptr(offset, buf.len() as u64).ok_or(OutOfBounds)?;
        // SAFETY: the range is inside this memory; a shared memory may be written concurrently,
        // which only yields unspecified bytes, as for a racing Wasm load.
        unsafe { crate::guest_access::copy(buf.as_mut_ptr(), src, buf.len()) }.map_err(|_| OutOfBounds)
    }

    /// Copies `data` into guest memory at `offset` (an inaccessible page is an error).
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<(), OutOfBounds> {
        let dst = self.checked_ptr(offset, data.len() as u64).ok_or(OutOfBounds)?;
        // SAFETY: as in `read`.
        unsafe { crate::guest_access::copy(dst, data.as_ptr(), data.len()) }.map_err(|_| OutOfBounds)
    }

    /// The bytes of the NUL-terminated string at `offset` (without the NUL), at most `max` of
    /// them; an error if it runs past the memory's length or into an inaccessible page.
    pub fn read_c_string(&self, offset: u64, max: usize) -> Result<Vec<u8>, OutOfBounds> {
        let avail = (self.byte_len() as u64).checked_sub(offset).ok_or(OutOfBounds)?;
        let limit = avail.min(max as u64) as usize;
        let p = self.checked_ptr(offset, limit as u64).ok_or(OutOfBounds)?;
        // SAFETY: [p, p + limit) is inside this memory.
        let len = unsafe { crate::guest_access::strnlen(p, limit) }.map_err(|_| OutOfBounds)?;
        if len == limit {
            return Err(OutOfBounds); // no NUL inside memory (or within `max`)
        }
        let mut out = vec![0u8; len];
        self.read(offset, &mut out)?;
        Ok(out)
    }

    fn def(&self) -> &VMMemoryDefinition {
        // SAFETY: owned by self, freed only in Drop.
        unsafe { self.vmdef.as_ref() }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        let accessible = self.byte_len().next_multiple_of(host_page_size());
        let image_len = self.image_len.load(Ordering::Relaxed);
        // SAFETY: we own the reservation and nothing refers to it any more.
        let pooled = self.poolable
            && !self.remapped.load(Ordering::Relaxed)
            && unsafe { crate::memory_pool::give(self.base, self.reserved, accessible, image_len) };
        // SAFETY: we own both the reservation and the boxed definition.
        unsafe {
            if !pooled && libc::munmap(self.base.cast(), self.reserved) != 0 {
                tracing::warn!(err = %std::io::Error::last_os_error(), "munmap of a linear memory failed");
            }
            drop(Box::from_raw(self.vmdef.as_ptr()));
        }
    }
}

impl std::fmt::Debug for LinearMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinearMemory")
            .field("base", &self.base)
            .field("byte_len", &self.byte_len())
            .field("maximum_pages", &self.maximum_pages)
            .field("page_size", &self.page_size)
            .field("reserved", &self.reserved)
            .field("shared", &self.shared)
            .finish()
    }
}

pub(crate) fn host_page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as usize } else { 4096 }
}

/// Reserves `bytes` of inaccessible address space. NORESERVE: a 6 GiB reservation must not
/// count against overcommit limits; only the pages made accessible are ever committed.
fn reserve(bytes: usize) -> Result<*mut u8, MemoryError> {
    // SAFETY: a fresh anonymous mapping at an address of the kernel's choosing.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(MemoryError::Reserve { bytes, source: std::io::Error::last_os_error() });
    }
    Ok(ptr.cast())
}

/// A pooled reservation made ready for a memory of `initial` bytes: its first `initial` bytes
/// accessible (and zero), the rest not. `None` (the reservation unmapped) if the kernel refuses.
fn reuse(p: crate::memory_pool::Pooled, initial: usize) -> Option<*mut u8> {
    let base = p.base as *mut u8;
    let ok = match initial.cmp(&p.accessible) {
        std::cmp::Ordering::Equal => true,
        std::cmp::Ordering::Greater => {
            // SAFETY: [accessible, initial) lies inside the reservation.
            let from = unsafe { base.add(p.accessible) };
            make_accessible(from, initial - p.accessible).is_ok()
        }
        // SAFETY: [initial, accessible) lies inside the reservation, which this memory owns now.
        std::cmp::Ordering::Less => unsafe {
            libc::mprotect(base.add(initial).cast(), p.accessible - initial, libc::PROT_NONE) == 0
        },
    };
    if !ok {
        // SAFETY: the pool handed the reservation over; nothing refers to it.
        unsafe { libc::munmap(base.cast(), p.reserved) };
        return None;
    }
    Some(base)
}

/// Makes `[start, start + bytes)` of a reservation read-write. Fresh anonymous pages read zero.
fn make_accessible(start: *mut u8, bytes: usize) -> std::io::Result<()> {
    // SAFETY: callers pass a page-aligned range inside a reservation they own.
    if unsafe { libc::mprotect(start.cast(), bytes, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ty(initial: u64, maximum: Option<u64>, shared: bool) -> wasmparser::MemoryType {
        wasmparser::MemoryType { memory64: false, shared, initial, maximum, page_size_log2: None }
    }

    #[test]
    fn growth_beyond_maximum_fails() {
        for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
            let mem = LinearMemory::new(&ty(1, Some(3), false), mode).unwrap();
            assert_eq!(mem.grow(1), Some(1));
            assert_eq!(mem.grow(2), None);
            assert_eq!(mem.pages(), 2);
            assert_eq!(mem.grow(1), Some(2));
            assert_eq!(mem.grow(1), None);
            assert_eq!(mem.grow(0), Some(3));
            assert_eq!(mem.grow(u64::MAX), None);
        }
    }

    #[test]
    fn length_is_visible_to_generated_code() {
        let mem = LinearMemory::new(&ty(2, None, false), BoundsChecks::Guard).unwrap();
        let def = unsafe { &*mem.vmdef() };
        assert_eq!(def.base, mem.base());
        assert_eq!(def.length.load(Ordering::Acquire), 2 * WASM_PAGE);
        mem.grow(3).unwrap();
        assert_eq!(def.length.load(Ordering::Acquire), 5 * WASM_PAGE);
        assert_eq!(mem.byte_len(), 5 * WASM_PAGE);
        assert_eq!(mem.maximum_pages(), 65536);
    }

    #[test]
    fn bytes_past_length_are_out_of_bounds() {
        let mem = LinearMemory::new(&ty(1, None, false), BoundsChecks::Guard).unwrap();
        assert_eq!(mem.reserved_bytes(), GUARD_RESERVATION);
        let mut buf = [0u8; 4];
        assert!(mem.read(WASM_PAGE as u64 - 4, &mut buf).is_ok());
        assert_eq!(mem.read(WASM_PAGE as u64 - 3, &mut buf), Err(OutOfBounds));
        assert_eq!(mem.write(WASM_PAGE as u64, &[1]), Err(OutOfBounds));
        assert!(mem.checked_ptr(WASM_PAGE as u64, 0).is_some());
        assert!(mem.checked_ptr(WASM_PAGE as u64, 1).is_none());
        assert!(mem.checked_ptr(u64::MAX, 2).is_none());
        assert!(mem.checked_ptr(1, u64::MAX).is_none());
        mem.grow(1).unwrap();
        assert!(mem.write(WASM_PAGE as u64, &[7]).is_ok());
        let mut one = [0u8];
        mem.read(WASM_PAGE as u64, &mut one).unwrap();
        assert_eq!(one, [7]);
    }

    #[test]
    fn fresh_memory_reads_zeros() {
        let mem = LinearMemory::new(&ty(1, Some(1), false), BoundsChecks::Explicit).unwrap();
        let mut buf = vec![0xffu8; WASM_PAGE];
        mem.read(0, &mut buf).unwrap();
        assert!(buf.iter().all(|b| *b == 0));
    }

    #[test]
    fn zero_page_memories() {
        for mode in [BoundsChecks::Guard, BoundsChecks::Explicit] {
            let mem = LinearMemory::new(&ty(0, Some(0), false), mode).unwrap();
            assert!(!mem.base().is_null());
            assert_eq!(mem.byte_len(), 0);
            assert!(mem.checked_ptr(0, 0).is_some());
            assert!(mem.checked_ptr(0, 1).is_none());
            assert_eq!(mem.grow(1), None);
            assert_eq!(mem.grow(0), Some(0));
        }
    }

    #[test]
    fn full_4gib_memory_in_guard_mode() {
        let mem = LinearMemory::new(&ty(65536, Some(65536), false), BoundsChecks::Guard).unwrap();
        assert_eq!(mem.byte_len(), 4 << 30);
        assert_eq!(mem.grow(1), None);
        assert!(mem.checked_ptr((4u64 << 30) - 1, 1).is_some());
        assert!(mem.checked_ptr(4u64 << 30, 1).is_none());
    }

    #[test]
    fn explicit_reservation_is_the_maximum_and_a_guard() {
        let mem = LinearMemory::new(&ty(1, Some(5), false), BoundsChecks::Explicit).unwrap();
        assert_eq!(mem.reserved_bytes(), 5 * WASM_PAGE + EXPLICIT_GUARD);
        assert_eq!(mem.grow(4), Some(1));
        assert_eq!(mem.grow(1), None, "the guard is never handed out");
        let mem = LinearMemory::new(&ty(0, None, false), BoundsChecks::Explicit).unwrap();
        assert_eq!(mem.reserved_bytes(), (4 << 30) + EXPLICIT_GUARD);
    }

    #[test]
    fn invalid_types_are_errors() {
        assert!(matches!(
            LinearMemory::new(&ty(2, Some(1), false), BoundsChecks::Guard),
            Err(MemoryError::InitialExceedsMaximum { .. })
        ));
        assert!(matches!(
            LinearMemory::new(&ty(0, Some(65537), false), BoundsChecks::Guard),
            Err(MemoryError::TooLarge(65537))
        ));
    }

    #[test]
    fn concurrent_growth_totals_correctly() {
        let mem = Arc::new(LinearMemory::new(&ty(0, Some(1000), true), BoundsChecks::Guard).unwrap());
        assert!(mem.is_shared());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let mem = mem.clone();
                std::thread::spawn(move || {
                    let mut olds = Vec::new();
                    for _ in 0..100 {
                        olds.push(mem.grow(2).unwrap());
                    }
                    olds
                })
            })
            .collect();
        let mut olds: Vec<u64> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        olds.sort_unstable();
        // Every grow saw a distinct old size: no two grows interleaved.
        assert_eq!(olds, (0..400).map(|i| 2 * i).collect::<Vec<_>>());
        assert_eq!(mem.pages(), 800);
        mem.write(800 * WASM_PAGE as u64 - 1, &[1]).unwrap();
    }
}
