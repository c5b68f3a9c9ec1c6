//! mmap, munmap, mremap inside linear memory (§8).
//!
//! Mappings live in the region above the memory's size at the first mmap, handed out first-fit
//! from a free list with a bump pointer at the end; the memory grows to cover them. Freed ranges
//! are re-mapped `PROT_NONE` (never unmapped), so the reservation stays ours and a stale guest
//! access traps instead of reaching some later host mapping.

use std::sync::Mutex;

use super::guest::{Guest, SysResult};

const PAGE: u64 = 4096;
const WASM_PAGE: u64 = 65536;
const EINVAL: i64 = -(libc::EINVAL as i64);
const ENOMEM: i64 = -(libc::ENOMEM as i64);

struct Region {
    /// Bump end (guest offset); the region starts at the memory size of the first mmap.
    next: u64,
    /// Freed ranges (start, len), page aligned.
    free: Vec<(u64, u64)>,
}

static REGION: Mutex<Option<Region>> = Mutex::new(None);

fn align(x: u64) -> u64 {
    x.div_ceil(PAGE) * PAGE
}

/// Reserve `n` bytes (page multiple) of guest address space, growing memory to cover them.
fn allocate(g: &Guest<'_>, region: &mut Region, n: u64) -> Result<u64, i64> {
    if let Some(i) = region.free.iter().position(|&(_, len)| len >= n) {
        let (start, len) = region.free[i];
        if len == n {
            region.free.remove(i);
        } else {
            region.free[i] = (start + n, len - n);
        }
        return Ok(start);
    }
    let start = region.next;
    let end = start + n;
    let have = g.mem.byte_len() as u64;
    if end > have {
        let pages = (end - have).div_ceil(WASM_PAGE);
        g.mem.grow(pages).ok_or(ENOMEM)?;
    }
    region.next = end;
    Ok(start)
}

/// Give a range back (it has already been made inaccessible).
fn release(region: &mut Region, start: u64, n: u64) {
    if start + n == region.next {
        region.next = start;
        // Also fold in free ranges that now touch the end.
        while let Some(i) = region.free.iter().position(|&(s, l)| s + l == region.next) {
            region.next = region.free.remove(i).0;
        }
    } else {
        region.free.push((start, n));
    }
}

fn with_region<R>(g: &Guest<'_>, f: impl FnOnce(&mut Region) -> R) -> R {
    let mut guard = REGION.lock().unwrap_or_else(|e| e.into_inner());
    let region = guard.get_or_insert_with(|| Region { next: align(g.mem.byte_len() as u64), free: Vec::new() });
    f(region)
}

/// Make a range of linear memory inaccessible without giving up the reservation.
fn protect_none(g: &Guest<'_>, start: u64, n: u64) {
    // SAFETY: the range is inside the memory's reservation.
    unsafe {
        libc::mmap(
            g.mem.base().add(start as usize) as *mut libc::c_void,
            n as usize,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED | libc::MAP_NORESERVE,
            -1,
            0,
        );
    }
}

fn errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64)
}

pub fn mmap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (len, prot, flags, fd, off) = (args[1] & 0xFFFF_FFFF, args[2] as i32, args[3] as i32, args[4] as i32, args[5]);
    if len == 0 {
        return Err(EINVAL);
    }
    let n = align(len);
    with_region(g, |region| {
        let start = allocate(g, region, n)?;
        // SAFETY: [start, start+n) is inside memory (allocate grew it) and owned by the region.
        let p = unsafe {
            libc::mmap(
                g.mem.base().add(start as usize) as *mut libc::c_void,
                len as usize,
                prot,
                (flags | libc::MAP_FIXED) & !libc::MAP_FIXED_NOREPLACE,
                fd,
                off as libc::off_t,
            )
        };
        if p == libc::MAP_FAILED {
            let e = errno();
            protect_none(g, start, n);
            release(region, start, n);
            return Err(e);
        }
        Ok(start as i64)
    })
}

pub fn munmap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (addr, len) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF);
    if addr % PAGE != 0 || len == 0 {
        return Err(EINVAL);
    }
    let n = align(len);
    g.range(addr as u32, n)?;
    with_region(g, |region| {
        protect_none(g, addr, n);
        release(region, addr, n);
        Ok(0)
    })
}

pub fn mremap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    let (old, old_size, new_size) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF, args[2] & 0xFFFF_FFFF);
    if old % PAGE != 0 || new_size == 0 {
        return Err(EINVAL);
    }
    let (old_n, new_n) = (align(old_size), align(new_size));
    g.range(old as u32, old_n)?;
    with_region(g, |region| {
        if new_n <= old_n {
            if new_n < old_n {
                protect_none(g, old + new_n, old_n - new_n);
                release(region, old + new_n, old_n - new_n);
            }
            return Ok(old as i64);
        }
        let start = allocate(g, region, new_n)?;
        let base = g.mem.base();
        // SAFETY: both ranges are inside the reservation; the kernel moves the pages.
        let p = unsafe {
            libc::mremap(
                base.add(old as usize) as *mut libc::c_void,
                old_size as usize,
                new_size as usize,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                base.add(start as usize) as *mut libc::c_void,
            )
        };
        if p == libc::MAP_FAILED {
            let e = errno();
            release(region, start, new_n);
            return Err(e);
        }
        protect_none(g, old, old_n);
        release(region, old, old_n);
        Ok(start as i64)
    })
}
