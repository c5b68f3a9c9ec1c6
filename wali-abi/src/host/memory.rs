//! mmap, munmap, mremap inside linear memory (§8).
//!
//! Mappings live in the region above the memory's size at the first mmap, handed out first-fit
//! from a free list with a bump pointer at the end; the memory grows to cover them. Freed ranges
//! are re-mapped `PROT_NONE` (never unmapped), so the reservation stays ours and a stale guest
//! access traps instead of reaching some later host mapping. The free list is a set of disjoint
//! ranges: unmapping a range twice, or one with holes in it, frees each page once.
//!
//! musl's malloc maps and unmaps small groups all the time (thousands per second in an
//! allocation-heavy program), so the common pair is cheap: a small unmap of anonymous private
//! memory only protects the pages (`PROT_NONE`, content kept, recorded as *stale*), and an
//! anonymous read-write mmap of free pages makes them accessible again and zeroes what is stale.
//! Nothing is freed or faulted in again, and a stale access still faults as it would natively.
//! Ranges holding file or shared mappings are *special*: unmapping them replaces the mapping.
//!
//! `MAP_FIXED`/`MAP_FIXED_NOREPLACE` and `MREMAP_FIXED` are honoured for page-aligned addresses
//! inside the region (or above its end, which then grows); below the region lies the module's own
//! memory, which they may not replace (`EINVAL`).

use std::sync::Mutex;

use super::guest::{Guest, SysResult};

const PAGE: u64 = 4096;
const WASM_PAGE: u64 = 65536;
const EINVAL: i64 = -(libc::EINVAL as i64);
const ENOMEM: i64 = -(libc::ENOMEM as i64);
const EFAULT: i64 = -(libc::EFAULT as i64);
const EEXIST: i64 = -(libc::EEXIST as i64);

struct Region {
    /// Start of the region (guest offset): the memory size at the first mmap.
    start: u64,
    /// Bump end (guest offset): nothing at or above it is mapped by the guest.
    next: u64,
    /// Freed ranges (start, len): page aligned, disjoint, not touching each other or `next`.
    free: Ranges,
    /// Unmapped `PROT_NONE` pages that still hold their old contents (see the module doc).
    stale: Ranges,
    /// Pages mapped from a file or shared: unmapping them must replace the mapping.
    special: Ranges,
}

/// Small unmaps keep their pages (stale) up to this size each and this much in all; beyond it
/// the pages are given back to the kernel.
const STALE_MAX_UNMAP: u64 = 64 * 1024;
const STALE_MAX_TOTAL: u64 = 16 << 20;
const STALE_MAX_RANGES: usize = 512;

/// A set of page ranges (start, len), disjoint; adjacent ones are merged.
#[derive(Default)]
struct Ranges(Vec<(u64, u64)>);

impl Ranges {
    fn overlaps(&self, s: u64, e: u64) -> bool {
        self.0.iter().any(|&(rs, rl)| rs < e && s < rs + rl)
    }

    fn bytes(&self) -> u64 {
        self.0.iter().map(|&(_, l)| l).sum()
    }

    /// Remove [s, e); returns the removed pieces.
    fn remove(&mut self, s: u64, e: u64) -> Vec<(u64, u64)> {
        if !self.overlaps(s, e) {
            return Vec::new();
        }
        let mut removed = Vec::new();
        let mut out = Vec::with_capacity(self.0.len() + 1);
        for &(rs, rl) in &self.0 {
            let re = rs + rl;
            if re <= s || rs >= e {
                out.push((rs, rl));
                continue;
            }
            if rs < s {
                out.push((rs, s - rs));
            }
            if re > e {
                out.push((e, re - e));
            }
            let (cs, ce) = (rs.max(s), re.min(e));
            removed.push((cs, ce - cs));
        }
        self.0 = out;
        removed
    }

    fn add(&mut self, s: u64, n: u64) {
        let (mut s, mut e) = (s, s + n);
        self.remove(s, e);
        // Merge with neighbours that touch.
        self.0.retain(|&(rs, rl)| {
            if rs + rl == s {
                s = rs;
                false
            } else if rs == e {
                e = rs + rl;
                false
            } else {
                true
            }
        });
        self.0.push((s, e - s));
    }
}

impl Region {
    /// Whether any page of [s, e) is free or beyond the bump end (not mapped by the guest).
    fn any_unmapped(&self, s: u64, e: u64) -> bool {
        e > self.next || self.free.overlaps(s, e)
    }

    /// Whether any page of [s, e) is mapped by the guest (or is the module's own memory).
    fn any_mapped(&self, s: u64, e: u64) -> bool {
        if s < self.start {
            return true;
        }
        let e = e.min(self.next);
        let free: u64 = self.free.0.iter().map(|&(fs, fl)| (fs + fl).min(e).saturating_sub(fs.max(s))).sum();
        s < e && free < e - s
    }
}

static REGION: Mutex<Option<Region>> = Mutex::new(None);

fn align(x: u64) -> u64 {
    x.div_ceil(PAGE) * PAGE
}

/// Grow the memory so that it covers guest offsets below `end`.
fn cover(g: &Guest<'_>, end: u64) -> Result<(), i64> {
    let have = g.mem.byte_len() as u64;
    if end > have {
        let pages = (end - have).div_ceil(WASM_PAGE);
        g.mem.grow(pages).ok_or(ENOMEM)?;
    }
    Ok(())
}

/// Reserve `n` bytes (page multiple) of guest address space, growing memory to cover them.
fn allocate(g: &Guest<'_>, region: &mut Region, n: u64) -> Result<u64, i64> {
    if let Some(&(start, _)) = region.free.0.iter().find(|&&(_, len)| len >= n) {
        region.free.remove(start, start + n);
        return Ok(start);
    }
    let start = region.next;
    cover(g, start + n)?;
    region.next = start + n;
    Ok(start)
}

/// Take [s, e) for a fixed mapping (memory already covers it): out of the free list, and the bump
/// end moves up to `e`, the gap below `s` (if any) becoming free.
fn claim(region: &mut Region, s: u64, e: u64) {
    if e > region.next {
        if s > region.next {
            region.free.add(region.next, s - region.next);
        }
        region.next = e;
    }
    region.free.remove(s, e);
}

/// Give a range back (it has already been made inaccessible). Only the part inside the region
/// counts; pages already free stay free once.
fn release(region: &mut Region, start: u64, n: u64) {
    let (s, e) = (start.max(region.start), (start + n).min(region.next));
    if s >= e {
        return;
    }
    region.free.add(s, e - s);
    // Free pages that reach the bump end move the end down instead.
    if let Some(i) = region.free.0.iter().position(|&(fs, fl)| fs + fl == region.next) {
        region.next = region.free.0.swap_remove(i).0;
    }
}

fn with_region<R>(g: &Guest<'_>, f: impl FnOnce(&mut Region) -> R) -> R {
    let mut guard = REGION.lock().unwrap_or_else(|e| e.into_inner());
    let region = guard.get_or_insert_with(|| {
        let start = align(g.mem.byte_len() as u64);
        Region { start, next: start, free: Ranges::default(), stale: Ranges::default(), special: Ranges::default() }
    });
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

/// Unmap [start, start+n): the pages stop being accessible. Small anonymous ranges keep their
/// pages (stale); others get a fresh inaccessible mapping, which frees the pages.
fn unmap(g: &Guest<'_>, region: &mut Region, start: u64, n: u64) {
    let end = start + n;
    let keep = n <= STALE_MAX_UNMAP
        && start >= region.start
        && end <= region.next
        && !region.special.overlaps(start, end)
        && region.stale.0.len() < STALE_MAX_RANGES
        && region.stale.bytes() + n <= STALE_MAX_TOTAL;
    // SAFETY: the range is inside the memory's reservation; only its protection changes.
    if keep && unsafe { libc::mprotect(g.mem.base().add(start as usize).cast(), n as usize, libc::PROT_NONE) } == 0 {
        region.stale.add(start, n);
        return;
    }
    protect_none(g, start, n);
    region.stale.remove(start, end);
    region.special.remove(start, end);
}

/// Make free pages [start, start+n) an anonymous read-write mapping of zeroes, as a fresh mmap
/// would be, without a new mapping: free pages are anonymous private (never special).
fn anon_rw(g: &Guest<'_>, region: &mut Region, start: u64, n: u64) -> Result<(), i64> {
    // SAFETY: the range is inside the memory's reservation, handed out by the region.
    let base = unsafe { g.mem.base().add(start as usize) };
    // SAFETY: as above; only the protection changes.
    if unsafe { libc::mprotect(base.cast(), n as usize, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
        return Err(errno());
    }
    for (s, len) in region.stale.remove(start, start + n) {
        // SAFETY: inside the range just made writable; guest memory, which no host reference
        // aliases (other guest threads may race on it, as they could with any guest store).
        unsafe { std::ptr::write_bytes(g.mem.base().add(s as usize), 0, len as usize) };
    }
    Ok(())
}

/// Whether mmap `flags` ask for a shared mapping (MAP_SHARED or MAP_SHARED_VALIDATE; the
/// mapping type is the low bits, of which MAP_PRIVATE is 2 and MAP_SHARED_VALIDATE 3).
fn shared(flags: i32) -> bool {
    matches!(flags & 0x0f, libc::MAP_SHARED | libc::MAP_SHARED_VALIDATE)
}

/// An mmap that `anon_rw` can serve: anonymous, private, read-write, nothing special asked.
fn plain_anon(prot: i32, flags: i32) -> bool {
    prot == libc::PROT_READ | libc::PROT_WRITE
        && flags & libc::MAP_ANONYMOUS != 0
        && !shared(flags)
        && flags & (libc::MAP_HUGETLB | libc::MAP_LOCKED) == 0
}

/// Record what a host mmap put at [start, end): fresh pages (not stale), special unless private
/// and anonymous.
fn mapped(region: &mut Region, start: u64, end: u64, flags: i32) {
    region.stale.remove(start, end);
    if flags & libc::MAP_ANONYMOUS != 0 && !shared(flags) {
        region.special.remove(start, end);
    } else {
        region.special.add(start, end - start);
    }
}

fn errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64)
}

/// Host mmap at guest offset `start` with the guest's arguments, always MAP_FIXED.
fn host_mmap(g: &Guest<'_>, start: u64, len: u64, prot: i32, flags: i32, fd: i32, off: u64) -> Result<(), i64> {
    // SAFETY: [start, start+len) is inside memory, owned by the region.
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
    if p == libc::MAP_FAILED { Err(errno()) } else { Ok(()) }
}

pub fn mmap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    // The memory's mappings become ours to know: never pooled for another instance.
    g.mem.mark_remapped();
    let (addr, len, prot, flags, fd, off) =
        (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF, args[2] as i32, args[3] as i32, args[4] as i32, args[5]);
    if len == 0 {
        return Err(EINVAL);
    }
    // Linear memory is never code (see mprotect); a stack that grows down would leave the range
    // the region handed out.
    if prot & libc::PROT_EXEC != 0 {
        return Err(-(libc::EACCES as i64));
    }
    if prot & !(libc::PROT_READ | libc::PROT_WRITE) != 0 || flags & libc::MAP_GROWSDOWN != 0 {
        return Err(EINVAL);
    }
    let n = align(len);
    if flags & (libc::MAP_FIXED | libc::MAP_FIXED_NOREPLACE) != 0 {
        if addr % PAGE != 0 {
            return Err(EINVAL);
        }
        return with_region(g, |region| {
            let end = addr + n;
            if addr < region.start {
                return Err(EINVAL);
            }
            if flags & libc::MAP_FIXED == 0 && region.any_mapped(addr, end) {
                return Err(EEXIST);
            }
            cover(g, end)?;
            // The old contents of the range are replaced only if the new mapping succeeds.
            host_mmap(g, addr, len, prot, flags, fd, off)?;
            mapped(region, addr, end, flags);
            claim(region, addr, end);
            Ok(addr as i64)
        });
    }
    with_region(g, |region| {
        let start = allocate(g, region, n)?;
        if plain_anon(prot, flags) && anon_rw(g, region, start, n).is_ok() {
            return Ok(start as i64);
        }
        if let Err(e) = host_mmap(g, start, len, prot, flags, fd, off) {
            protect_none(g, start, n);
            region.stale.remove(start, start + n);
            release(region, start, n);
            return Err(e);
        }
        mapped(region, start, start + n, flags);
        Ok(start as i64)
    })
}

pub fn munmap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    // The memory's mappings become ours to know: never pooled for another instance.
    g.mem.mark_remapped();
    let (addr, len) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF);
    if addr % PAGE != 0 || len == 0 {
        return Err(EINVAL);
    }
    let n = align(len);
    g.range(addr as u32, n)?;
    with_region(g, |region| {
        unmap(g, region, addr, n);
        release(region, addr, n);
        Ok(0)
    })
}

pub fn mremap(g: &Guest<'_>, args: &[u64]) -> SysResult {
    // The memory's mappings become ours to know: never pooled for another instance.
    g.mem.mark_remapped();
    let (old, old_size, new_size) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF, args[2] & 0xFFFF_FFFF);
    let (flags, new_addr) = (args[3] as i32, args[4] & 0xFFFF_FFFF);
    let fixed = flags & libc::MREMAP_FIXED != 0;
    // Linux: unknown bits, or FIXED without MAYMOVE, are invalid. MREMAP_DONTUNMAP (4) is not
    // supported here (Linux, too, refuses it with EINVAL for many kinds of mapping).
    if old % PAGE != 0
        || new_size == 0
        || flags & !(libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED) != 0
        || (fixed && flags & libc::MREMAP_MAYMOVE == 0)
    {
        return Err(EINVAL);
    }
    let (old_n, new_n) = (align(old_size), align(new_size));
    g.range(old as u32, old_n)?;
    // Growing always moves the mapping here; without MREMAP_MAYMOVE Linux fails instead of moving.
    if new_n > old_n && flags & libc::MREMAP_MAYMOVE == 0 {
        return Err(ENOMEM);
    }
    // MREMAP_FIXED: an aligned target that does not overlap the old range.
    if fixed && (new_addr % PAGE != 0 || (new_addr < old + old_n && old < new_addr + new_n)) {
        return Err(EINVAL);
    }
    with_region(g, |region| {
        // Like Linux (EFAULT), the old range must be mapped: inside the region and not freed.
        if old < region.start || region.any_unmapped(old, old + old_n) {
            return Err(EFAULT);
        }
        if new_n <= old_n && !fixed {
            if new_n < old_n {
                unmap(g, region, old + new_n, old_n - new_n);
                release(region, old + new_n, old_n - new_n);
            }
            return Ok(old as i64);
        }
        let start = if fixed {
            if new_addr < region.start {
                return Err(EINVAL);
            }
            cover(g, new_addr + new_n)?;
            new_addr
        } else {
            allocate(g, region, new_n)?
        };
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
            if !fixed {
                release(region, start, new_n);
            }
            return Err(e);
        }
        if fixed {
            claim(region, start, start + new_n);
        }
        // The moved pages: not stale, special if the old ones were.
        let was_special = region.special.overlaps(old, old + old_n);
        region.stale.remove(start, start + new_n);
        if was_special {
            region.special.add(start, new_n);
        } else {
            region.special.remove(start, start + new_n);
        }
        // The kernel unmapped the old range: keep the reservation, free its pages.
        protect_none(g, old, old_n);
        region.stale.remove(old, old + old_n);
        region.special.remove(old, old + old_n);
        release(region, old, old_n);
        Ok(start as i64)
    })
}

/// mprotect inside linear memory: read and write only. Linear memory is never code: PROT_EXEC
/// (a guest turning its bytes into host instructions) is -EACCES, as on a `noexec` mount.
pub fn mprotect(g: &Guest<'_>, args: &[u64]) -> SysResult {
    // The memory's mappings become ours to know: never pooled for another instance.
    g.mem.mark_remapped();
    let (addr, len, prot) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF, args[2] as i32);
    if prot & libc::PROT_EXEC != 0 {
        return Err(-(libc::EACCES as i64));
    }
    if prot & !(libc::PROT_READ | libc::PROT_WRITE) != 0 || addr % PAGE != 0 {
        return Err(EINVAL);
    }
    let p = g.range(addr as u32, align(len)).map_err(|_| ENOMEM)?;
    // SAFETY: the range lies inside linear memory; only its protection changes.
    if unsafe { libc::mprotect(p.cast(), len as usize, prot) } != 0 {
        return Err(errno());
    }
    Ok(0)
}

/// madvise inside linear memory, for the advice values that keep its contents and mappings
/// what Wasm expects. MADV_DONTFORK would leave the child's memory unmapped for host allocations
/// to land in (and DOFORK undo it), WIPEONFORK/KEEPONFORK change what the child sees, guard
/// pages and poisoning remove pages: all -EINVAL, as for an unknown advice.
pub fn madvise(g: &Guest<'_>, args: &[u64]) -> SysResult {
    // The memory's mappings become ours to know: never pooled for another instance.
    g.mem.mark_remapped();
    let (addr, len, advice) = (args[0] & 0xFFFF_FFFF, args[1] & 0xFFFF_FFFF, args[2] as i32);
    const ALLOWED: &[i32] = &[
        libc::MADV_NORMAL,
        libc::MADV_RANDOM,
        libc::MADV_SEQUENTIAL,
        libc::MADV_WILLNEED,
        libc::MADV_DONTNEED,
        libc::MADV_FREE,
        libc::MADV_REMOVE,
        libc::MADV_MERGEABLE,
        libc::MADV_UNMERGEABLE,
        libc::MADV_HUGEPAGE,
        libc::MADV_NOHUGEPAGE,
        libc::MADV_DONTDUMP,
        libc::MADV_DODUMP,
        20, // MADV_COLD
        21, // MADV_PAGEOUT
        22, // MADV_POPULATE_READ
        23, // MADV_POPULATE_WRITE
        24, // MADV_DONTNEED_LOCKED
        25, // MADV_COLLAPSE
    ];
    if !ALLOWED.contains(&advice) || addr % PAGE != 0 {
        return Err(EINVAL);
    }
    let p = g.range(addr as u32, align(len)).map_err(|_| ENOMEM)?;
    // SAFETY: the range lies inside linear memory and the advice keeps it mapped.
    if unsafe { libc::madvise(p.cast(), len as usize, advice) } != 0 {
        return Err(errno());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::Ranges;

    #[test]
    fn ranges_merge_split_and_report_what_they_remove() {
        let mut r = Ranges::default();
        r.add(0x1000, 0x1000);
        r.add(0x3000, 0x1000);
        r.add(0x2000, 0x1000);
        assert_eq!(r.0, vec![(0x1000, 0x3000)], "touching ranges merge");
        assert_eq!(r.remove(0x1800, 0x2800), vec![(0x1800, 0x1000)]);
        let mut left = r.0.clone();
        left.sort();
        assert_eq!(left, vec![(0x1000, 0x800), (0x2800, 0x1800)]);
        assert!(r.overlaps(0x2000, 0x3000) && !r.overlaps(0x1800, 0x2800));
        assert_eq!(r.bytes(), 0x2000);
        assert_eq!(r.remove(0, 0x10000).len(), 2);
        assert!(r.0.is_empty());
        assert!(r.remove(0, 0x1000).is_empty());
    }
}
