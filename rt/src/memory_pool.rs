//! A pool of linear-memory reservations, for many short-lived instances (one sandbox per
//! request): a dropped memory's reservation is reset and kept, and the next memory of the same
//! shape takes it, instead of the kernel tearing down and building again a 6 GiB mapping, its
//! page tables and the pages the request touched (as Wasmtime's pooling allocator does).
//!
//! Reset keeps the touched pages resident and zeroes them (`mincore` says which), so the next
//! instance neither maps nor faults them in again; where that would be a long memset, or where
//! swap could hide a touched page from `mincore`, the pages are dropped (`MADV_DONTNEED`)
//! instead. A memory image mapped over the start is replaced by anonymous memory, and the
//! pages beyond the next memory's initial size are made inaccessible again: a pooled
//! reservation is indistinguishable from a fresh one to the next instance.
//!
//! Off unless [`enable`]d. Only guard-page memories with 64 KiB pages that no host code
//! remapped ([`crate::LinearMemory::mark_remapped`]) return to the pool.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many reservations the pool keeps at most (0: the pool is off).
static CAPACITY: AtomicUsize = AtomicUsize::new(0);
static POOL: Mutex<Vec<Pooled>> = Mutex::new(Vec::new());
/// A reset zeroes at most this many resident pages; beyond, it drops them.
const MAX_ZEROED_PAGES: usize = 1024;

/// A reset reservation: `[base, base + accessible)` is read-write and all zero, the rest of its
/// `reserved` bytes inaccessible.
pub(crate) struct Pooled {
    pub base: usize,
    pub reserved: usize,
    pub accessible: usize,
}

/// Whether [`enable`] was called: [`enable_unless_set`] leaves an embedder's choice alone.
static SET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Keep up to `max` reservations of dropped memories for new ones (process-wide; `0` turns
/// the pool off and unmaps what it holds).
pub fn enable(max: usize) {
    SET.store(true, Ordering::SeqCst);
    CAPACITY.store(max, Ordering::SeqCst);
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    while pool.len() > max {
        let p = pool.pop().expect("len > max >= 0");
        // SAFETY: the pool owns the reservation; nothing refers to it.
        unsafe { libc::munmap(p.base as *mut libc::c_void, p.reserved) };
    }
}

/// [`enable`]`(max)` unless the embedder already chose.
pub fn enable_unless_set(max: usize) {
    if !SET.load(Ordering::SeqCst) {
        enable(max);
    }
}

/// How many reservations the pool holds now.
pub fn pooled() -> usize {
    POOL.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// A pooled reservation of `reserved` bytes, if there is one.
pub(crate) fn take(reserved: usize) -> Option<Pooled> {
    if CAPACITY.load(Ordering::Relaxed) == 0 {
        return None;
    }
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    let i = pool.iter().position(|p| p.reserved == reserved)?;
    Some(pool.swap_remove(i))
}

/// Reset the reservation at `base` (its first `accessible` bytes read-write, the first
/// `image_len` of them mapped from a memory image) and keep it. `false`: the pool is off or
/// full, or the reset failed; the caller unmaps it.
///
/// # Safety
/// The caller owns the reservation and nothing refers to it any more.
pub(crate) unsafe fn give(base: *mut u8, reserved: usize, accessible: usize, image_len: usize) -> bool {
    let capacity = CAPACITY.load(Ordering::Relaxed);
    if capacity == 0 || POOL.lock().unwrap_or_else(|e| e.into_inner()).len() >= capacity {
        return false;
    }
    // SAFETY: per the contract.
    if !unsafe { reset(base, accessible, image_len) } {
        return false;
    }
    let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if pool.len() >= capacity {
        return false;
    }
    pool.push(Pooled { base: base as usize, reserved, accessible });
    true
}

/// # Safety
/// As for [`give`].
unsafe fn reset(base: *mut u8, accessible: usize, image_len: usize) -> bool {
    let page = crate::memory::host_page_size();
    let image = image_len.next_multiple_of(page).min(accessible);
    if image > 0 {
        // SAFETY: inside the reservation; replaces the image's private mapping (and the pages
        // the instance copied on write) with fresh anonymous zero pages.
        let p = unsafe {
            libc::mmap(
                base.cast(),
                image,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p != base.cast() {
            return false;
        }
    }
    let rest = accessible - image;
    if rest == 0 {
        return true;
    }
    // SAFETY: [start, start + rest) is inside the reservation.
    let start = unsafe { base.add(image) };
    let pages = rest / page;
    let mut resident = vec![0u8; pages];
    // SAFETY: `resident` has one byte per page of the range.
    let known = !swap_possible() && unsafe { libc::mincore(start.cast(), rest, resident.as_mut_ptr()) } == 0;
    if known && resident.iter().filter(|&&r| r & 1 != 0).count() <= MAX_ZEROED_PAGES {
        for (i, _) in resident.iter().enumerate().filter(|(_, r)| *r & 1 != 0) {
            // SAFETY: a read-write page of the range, which nothing else refers to.
            unsafe { std::ptr::write_bytes(start.add(i * page), 0, page) };
        }
        return true;
    }
    // SAFETY: a private anonymous range: the pages are dropped and read zero again.
    unsafe { libc::madvise(start.cast(), rest, libc::MADV_DONTNEED) == 0 }
}

/// Whether the system has swap, where `mincore` would not report a touched page that is
/// swapped out (which then must be dropped, not trusted to be zero).
fn swap_possible() -> bool {
    static SWAP: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SWAP.get_or_init(|| {
        // SAFETY: sysinfo fills the struct it is given.
        let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        unsafe { libc::sysinfo(&mut info) != 0 || info.totalswap != 0 }
    })
}
