//! One block of machine code per module.
//!
//! [`link`] lays a module's compiled functions and trampolines out one after another in a single
//! `text` and resolves every call between them then, while the code is still plain bytes: a
//! relative call does not depend on where the block will sit. What is left for load time is in
//! [`Layout::relocs`]: absolute addresses (host library routines such as `ceilf`, reached through
//! a veneer at the end of `text` when the code calls them directly, and the rare absolute
//! address of the module's own code). [`CodeMemory::place`] then maps the block once, fills it
//! (a copy, or a read straight from a cache file), applies those few relocations and changes the
//! protection once: no per-function mappings, allocations or protection changes.
//!
//! The code cache stores `text` and [`Layout`] as they are.

use cranelift_codegen::binemit::Reloc as Kind;
use cranelift_codegen::ir::LibCall;

use crate::{Artifacts, CompileError, ExnCallSite, RelocTarget, TrapKind};

/// Where placed code starts: a page boundary, which `link` relies on for page-relative
/// relocations (aarch64's `adrp`).
pub const PAGE: usize = 4096;

/// A module's code as one block, before placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedCode {
    pub text: Vec<u8>,
    pub layout: Layout,
}

/// What the runtime must know about a block of code besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Per defined function, in order: its offset and length in the block.
    pub funcs: Vec<(u32, u32)>,
    /// Per trampoline (the array trampolines, then the host trampolines, one per module type).
    pub trampolines: Vec<u32>,
    /// Trap sites of the defined functions: offset in the block → kind, sorted by offset.
    pub traps: Vec<(u32, TrapKind)>,
    /// Exception call sites of the defined functions, with return and handler offsets in the
    /// block, sorted by return offset.
    pub exn_sites: Vec<ExnCallSite>,
    /// Absolute addresses to write at placement.
    pub relocs: Vec<HostReloc>,
}

/// An absolute address written into the block at placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostReloc {
    pub offset: u32,
    /// [`Kind::Abs8`] or [`Kind::Abs4`].
    pub kind: Kind,
    pub target: HostTarget,
    pub addend: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostTarget {
    /// A Cranelift library routine, looked up by its C name in the running process.
    LibCall(LibCall),
    /// An offset in the block itself.
    Text(u32),
}

/// A veneer: an indirect jump through the 8-byte address that follows it (at `VENEER_ADDR`).
#[cfg(not(target_arch = "aarch64"))]
const VENEER: &[u8] = &[0xff, 0x25, 0, 0, 0, 0]; // jmp [rip + 0]
#[cfg(target_arch = "aarch64")]
const VENEER: &[u8] = &[0x50, 0x00, 0x00, 0x58, 0x00, 0x02, 0x1f, 0xd6]; // ldr x16, #8; br x16
const VENEER_ADDR: usize = VENEER.len();
const VENEER_SIZE: usize = 16;

fn link_err(message: String) -> CompileError {
    CompileError::Unsupported(message)
}

/// Lay out `artifacts` (functions, then trampolines) in one block and resolve the relocations
/// between them.
pub fn link(artifacts: &Artifacts) -> Result<LinkedCode, CompileError> {
    let all: Vec<_> = artifacts.funcs.iter().chain(&artifacts.trampolines).collect();
    let mut starts = Vec::with_capacity(all.len());
    let mut len = 0usize;
    for a in &all {
        let align = usize::try_from(a.alignment).ok().filter(|a| a.is_power_of_two() && *a <= PAGE);
        let align = align.ok_or_else(|| link_err(format!("code alignment {}", a.alignment)))?;
        len = len.next_multiple_of(align);
        starts.push(len);
        len += a.bytes.len();
    }
    let mut text = vec![0u8; len];
    let mut layout = Layout::default();
    let mut veneers: Vec<(LibCall, usize)> = Vec::new();
    for (i, a) in all.iter().enumerate() {
        let start = starts[i];
        text[start..start + a.bytes.len()].copy_from_slice(&a.bytes);
        for r in &a.relocs {
            let site = start + r.offset as usize;
            let target = match r.target {
                RelocTarget::Func(f) => {
                    *starts.get(f as usize).ok_or_else(|| link_err(format!("relocation to unknown function {f}")))?
                }
                RelocTarget::FuncOffset(_, off) => start + off as usize,
                RelocTarget::LibCall(l) if matches!(r.kind, Kind::Abs8 | Kind::Abs4) => {
                    let target = HostTarget::LibCall(l);
                    layout.relocs.push(HostReloc { offset: site as u32, kind: r.kind, target, addend: r.addend });
                    continue;
                }
                RelocTarget::LibCall(l) => {
                    // A direct call of a host routine: call a veneer at the end of the block,
                    // which jumps to the address written at placement.
                    match veneers.iter().find(|v| v.0 == l) {
                        Some(v) => v.1,
                        None => {
                            let at = text.len().next_multiple_of(VENEER_SIZE);
                            text.resize(at + VENEER_SIZE, 0);
                            text[at..at + VENEER.len()].copy_from_slice(VENEER);
                            let target = HostTarget::LibCall(l);
                            let offset = (at + VENEER_ADDR) as u32;
                            layout.relocs.push(HostReloc { offset, kind: Kind::Abs8, target, addend: 0 });
                            veneers.push((l, at));
                            at
                        }
                    }
                }
            };
            let target = target as i64 + r.addend;
            if let Kind::Abs8 | Kind::Abs4 = r.kind {
                let target = HostTarget::Text(u32::try_from(target).map_err(|_| link_err("reloc target".into()))?);
                layout.relocs.push(HostReloc { offset: site as u32, kind: r.kind, target, addend: 0 });
            } else {
                patch_relative(&mut text, site, r.kind, target)?;
            }
        }
        if i < artifacts.funcs.len() {
            layout.funcs.push((start as u32, a.bytes.len() as u32));
            layout.traps.extend(a.traps.iter().map(|&(off, kind)| (start as u32 + off, kind)));
            layout.exn_sites.extend(a.exn_sites.iter().map(|site| site.shifted(start as u32)));
        } else {
            layout.trampolines.push(start as u32);
        }
    }
    // Relative calls reach ±2 GiB (x86_64) or ±128 MiB (aarch64); offsets are stored as u32.
    if text.len() > i32::MAX as usize {
        return Err(link_err(format!("{} bytes of code in one module", text.len())));
    }
    Ok(LinkedCode { text, layout })
}

/// Resolve a position-independent relocation at `site` to `target` (both offsets in the block,
/// which starts on a page boundary).
fn patch_relative(text: &mut [u8], site: usize, kind: Kind, target: i64) -> Result<(), CompileError> {
    let bad = || link_err(format!("relocation {kind:?} at {site:#x} out of range"));
    let word = text.get_mut(site..site + 4).ok_or_else(bad)?;
    let read = |w: &[u8]| u32::from_le_bytes(w.try_into().unwrap());
    let delta = target - site as i64;
    let value: u32 = match kind {
        Kind::X86PCRel4 | Kind::X86CallPCRel4 | Kind::X86CallPLTRel4 => i32::try_from(delta).map_err(|_| bad())? as u32,
        Kind::Arm64Call => {
            let words = delta >> 2;
            if delta & 3 != 0 || !(-(1 << 25)..(1 << 25)).contains(&words) {
                return Err(bad());
            }
            (read(word) & !0x03ff_ffff) | (words as u32 & 0x03ff_ffff)
        }
        Kind::Aarch64AdrPrelPgHi21 => {
            let pages = (target >> 12) - (site as i64 >> 12);
            if !(-(1 << 20)..(1 << 20)).contains(&pages) {
                return Err(bad());
            }
            let hi21 = pages as u32 & 0x1f_ffff;
            (read(word) & !((0x3 << 29) | (0x7_ffff << 5))) | ((hi21 & 0x3) << 29) | ((hi21 >> 2) << 5)
        }
        Kind::Aarch64AddAbsLo12Nc => (read(word) & !(0xfff << 10)) | ((target as u32 & 0xfff) << 10),
        other => return Err(link_err(format!("relocation kind {other:?}"))),
    };
    word.copy_from_slice(&value.to_le_bytes());
    Ok(())
}

/// Why placing code failed.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("cannot map memory for code: {0}")]
    Map(std::io::Error),
    #[error("cannot make code executable: {0}")]
    Protect(std::io::Error),
    #[error("host routine `{0}` not found")]
    Symbol(String),
    #[error("bad relocation in placed code: {0}")]
    Reloc(String),
    #[error("cannot read code: {0}")]
    Read(std::io::Error),
}

/// Executable memory holding one module's code; unmapped on drop.
#[derive(Debug)]
pub struct CodeMemory {
    base: *mut u8,
    mapped: usize,
    len: usize,
}

// SAFETY: the memory is immutable (read + execute) once placed; it is only unmapped on drop.
unsafe impl Send for CodeMemory {}
// SAFETY: as above, shared access only reads.
unsafe impl Sync for CodeMemory {}

/// Whether cached code is copied rather than mapped (see [`copy_cached_code`]).
static COPY_CACHED_CODE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, place cached code by copying it out of its file instead of mapping the file.
/// For a confined program (`--no-exec-native`, `--dir`): its guest may be able to write the
/// cache file, and a mapping shows later writes to pages not yet run; a copy does not.
pub fn copy_cached_code() {
    COPY_CACHED_CODE.store(true, std::sync::atomic::Ordering::Relaxed);
}

impl CodeMemory {
    /// Map `len` bytes, let `fill` write the block into them, apply `relocs` and make the memory
    /// executable (one `mmap`, one `mprotect`).
    pub fn place(
        len: usize,
        relocs: &[HostReloc],
        fill: impl FnOnce(&mut [u8]) -> std::io::Result<()>,
    ) -> Result<CodeMemory, PlaceError> {
        let code = CodeMemory::anonymous(len)?;
        // SAFETY: the mapping is `mapped >= len` bytes, readable and writable, and ours alone.
        let bytes = unsafe { std::slice::from_raw_parts_mut(code.base, len) };
        fill(bytes).map_err(PlaceError::Read)?;
        apply_relocs(bytes, relocs)?;
        flush_icache(code.base, len);
        // SAFETY: changes the protection of our own mapping only.
        if unsafe { libc::mprotect(code.base.cast(), code.mapped, libc::PROT_READ | libc::PROT_EXEC) } != 0 {
            return Err(PlaceError::Protect(std::io::Error::last_os_error()));
        }
        Ok(code)
    }

    /// Fresh read-write memory for `len` bytes of code. (Huge pages were measured: with the
    /// kernel's `defrag=madvise` a huge-page fault may compact memory first, and start-up times
    /// varied by several milliseconds.)
    fn anonymous(len: usize) -> Result<CodeMemory, PlaceError> {
        let mapped = len.max(1).next_multiple_of(PAGE);
        // SAFETY: a fresh private anonymous mapping; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(PlaceError::Map(std::io::Error::last_os_error()));
        }
        Ok(CodeMemory { base: base.cast(), mapped, len })
    }

    /// Map `len` bytes of `file` from `offset` (a page boundary), apply `relocs` and make the
    /// memory executable: one `mmap`, one `mprotect`, nothing copied or read up front. Pages
    /// come from the page cache when code first runs on them, so a run pays only for the code
    /// it uses; the few pages relocations write become private copies.
    ///
    /// `unchanged` is asked once the mapping exists (the caller compares the file's identity
    /// with what it trusted). The mapping is private, but a page not yet touched still shows the
    /// file as it is then: a process that can write the file (this user or root: the cache
    /// refuses files anyone else can write) could change code not yet run, or truncate the file
    /// so that running it faults, as with a native executable. Copying the code instead (the
    /// first version did, with `MADV_POPULATE_WRITE`) cost 1.5 ms of a 5 ms start for a 3.4 MiB
    /// block, and protects nothing more against such a process, which can read the key anyway.
    ///
    /// Under [`copy_cached_code`] the code is read into fresh memory instead: then no later write
    /// to the file can reach code this process runs.
    pub fn map_file(
        file: &std::fs::File,
        offset: u64,
        len: usize,
        relocs: &[HostReloc],
        unchanged: impl FnOnce() -> bool,
    ) -> Result<CodeMemory, PlaceError> {
        use std::os::fd::AsRawFd;
        if COPY_CACHED_CODE.load(std::sync::atomic::Ordering::Relaxed) {
            use std::os::unix::fs::FileExt;
            let code = CodeMemory::place(len, relocs, |bytes| file.read_exact_at(bytes, offset))?;
            if !unchanged() {
                return Err(PlaceError::Read(std::io::Error::other("the code file changed while it was read")));
            }
            return Ok(code);
        }
        let mapped = len.max(1).next_multiple_of(PAGE);
        let invalid = || PlaceError::Map(std::io::ErrorKind::InvalidInput.into());
        let offset = libc::off_t::try_from(offset).map_err(|_| invalid())?;
        // SAFETY: a fresh private mapping of a file we hold open; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                offset,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(PlaceError::Map(std::io::Error::last_os_error()));
        }
        let code = CodeMemory { base: base.cast(), mapped, len };
        if !unchanged() {
            return Err(PlaceError::Read(std::io::Error::other("the code file changed while it was read")));
        }
        // SAFETY: the mapping is `mapped >= len` bytes, readable and writable, of a file at least
        // that long (its identity, size included, is what the caller trusted).
        let bytes = unsafe { std::slice::from_raw_parts_mut(code.base, len) };
        apply_relocs(bytes, relocs)?;
        flush_icache(code.base, len);
        // SAFETY: changes the protection of our own mapping only.
        if unsafe { libc::mprotect(code.base.cast(), mapped, libc::PROT_READ | libc::PROT_EXEC) } != 0 {
            return Err(PlaceError::Protect(std::io::Error::last_os_error()));
        }
        Ok(code)
    }

    /// Address of the block's first byte.
    pub fn base(&self) -> usize {
        self.base as usize
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `place` made; no code of it runs any more (the
        // runtime drops a module's code only after its last instance and registration).
        unsafe { libc::munmap(self.base.cast(), self.mapped) };
    }
}

fn apply_relocs(bytes: &mut [u8], relocs: &[HostReloc]) -> Result<(), PlaceError> {
    let base = bytes.as_ptr() as u64;
    for r in relocs {
        let target = match r.target {
            HostTarget::Text(off) => base + u64::from(off),
            HostTarget::LibCall(l) => libcall_address(l)?,
        };
        let value = target.wrapping_add_signed(r.addend);
        let at = r.offset as usize;
        let bad = || PlaceError::Reloc(format!("{:?} at {at:#x}", r.kind));
        match r.kind {
            Kind::Abs8 => bytes.get_mut(at..at + 8).ok_or_else(bad)?.copy_from_slice(&value.to_le_bytes()),
            Kind::Abs4 => {
                let value = u32::try_from(value).map_err(|_| bad())?;
                bytes.get_mut(at..at + 4).ok_or_else(bad)?.copy_from_slice(&value.to_le_bytes())
            }
            _ => return Err(bad()),
        }
    }
    Ok(())
}

/// The address of a Cranelift library routine: ours for the ones Rust provides (so they are
/// there whether or not the binary links libm), otherwise the C function of that name.
fn libcall_address(l: LibCall) -> Result<u64, PlaceError> {
    extern "C" fn ceilf(x: f32) -> f32 {
        x.ceil()
    }
    extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    extern "C" fn floorf(x: f32) -> f32 {
        x.floor()
    }
    extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    extern "C" fn truncf(x: f32) -> f32 {
        x.trunc()
    }
    extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    extern "C" fn nearbyintf(x: f32) -> f32 {
        x.round_ties_even()
    }
    extern "C" fn nearbyint(x: f64) -> f64 {
        x.round_ties_even()
    }
    extern "C" fn fmaf(x: f32, y: f32, z: f32) -> f32 {
        x.mul_add(y, z)
    }
    extern "C" fn fma(x: f64, y: f64, z: f64) -> f64 {
        x.mul_add(y, z)
    }
    let addr = match l {
        LibCall::CeilF32 => ceilf as *const () as usize,
        LibCall::CeilF64 => ceil as *const () as usize,
        LibCall::FloorF32 => floorf as *const () as usize,
        LibCall::FloorF64 => floor as *const () as usize,
        LibCall::TruncF32 => truncf as *const () as usize,
        LibCall::TruncF64 => trunc as *const () as usize,
        LibCall::NearestF32 => nearbyintf as *const () as usize,
        LibCall::NearestF64 => nearbyint as *const () as usize,
        LibCall::FmaF32 => fmaf as *const () as usize,
        LibCall::FmaF64 => fma as *const () as usize,
        LibCall::Memcpy => libc::memcpy as *const () as usize,
        LibCall::Memset => libc::memset as *const () as usize,
        LibCall::Memmove => libc::memmove as *const () as usize,
        LibCall::Memcmp => libc::memcmp as *const () as usize,
        other => {
            let name = cranelift_module::default_libcall_names()(other);
            return lookup_symbol(&name).ok_or(PlaceError::Symbol(name));
        }
    };
    Ok(addr as u64)
}

/// The address of a C function of the running process.
fn lookup_symbol(name: &str) -> Option<u64> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: looking up a symbol by a NUL-terminated name.
    let addr = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    (!addr.is_null()).then_some(addr as u64)
}

/// Make freshly written code visible to instruction fetch (x86_64 keeps caches coherent).
#[cfg(not(target_arch = "aarch64"))]
fn flush_icache(_start: *mut u8, _len: usize) {}

/// Clean the data cache to the point of unification and invalidate the instruction cache for
/// the range, line by line (the sequence the Arm ARM gives for self-modifying code).
#[cfg(target_arch = "aarch64")]
fn flush_icache(start: *mut u8, len: usize) {
    use std::arch::asm;
    let ctr: u64;
    // SAFETY: CTR_EL0 is readable from user mode on Linux.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr, options(nomem, nostack)) };
    let (dline, iline) = (4usize << ((ctr >> 16) & 0xf), 4usize << (ctr & 0xf));
    let (s, e) = (start as usize, start as usize + len);
    let mut a = s & !(dline - 1);
    while a < e {
        // SAFETY: cache maintenance on addresses of our own mapping.
        unsafe { asm!("dc cvau, {}", in(reg) a, options(nostack)) };
        a += dline;
    }
    // SAFETY: barriers only.
    unsafe { asm!("dsb ish", options(nostack)) };
    let mut a = s & !(iline - 1);
    while a < e {
        // SAFETY: cache maintenance on addresses of our own mapping.
        unsafe { asm!("ic ivau, {}", in(reg) a, options(nostack)) };
        a += iline;
    }
    // SAFETY: barriers only.
    unsafe { asm!("dsb ish", "isb", options(nostack)) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Artifact;

    fn artifact(bytes: Vec<u8>, relocs: Vec<crate::Reloc>) -> Artifact {
        Artifact { bytes, alignment: 64, relocs, traps: vec![(1, TrapKind::Unreachable)], exn_sites: vec![] }
    }

    #[test]
    fn calls_between_functions_are_resolved_at_link_time() {
        // f0: call f1 (e8 rel32); f1: ret. The rel32 field is at offset 1, addend -4.
        let call = crate::Reloc { offset: 1, kind: Kind::X86CallPCRel4, target: RelocTarget::Func(1), addend: -4 };
        let artifacts = Artifacts {
            funcs: vec![artifact(vec![0xe8, 0, 0, 0, 0, 0xc3], vec![call]), artifact(vec![0xc3], vec![])],
            trampolines: vec![],
        };
        let linked = link(&artifacts).unwrap();
        assert_eq!(linked.layout.funcs, vec![(0, 6), (64, 1)]);
        assert_eq!(linked.layout.traps, vec![(1, TrapKind::Unreachable), (65, TrapKind::Unreachable)]);
        assert!(linked.layout.relocs.is_empty());
        // rel32 = target - (site + 4) = 64 - 5.
        assert_eq!(&linked.text[1..5], &59i32.to_le_bytes());
    }

    #[test]
    fn host_calls_go_through_a_veneer_and_absolute_addresses_are_placed() {
        let relocs = vec![
            crate::Reloc {
                offset: 1,
                kind: Kind::X86CallPLTRel4,
                target: RelocTarget::LibCall(LibCall::CeilF32),
                addend: -4,
            },
            crate::Reloc { offset: 8, kind: Kind::Abs8, target: RelocTarget::LibCall(LibCall::FloorF32), addend: 0 },
            crate::Reloc { offset: 16, kind: Kind::Abs8, target: RelocTarget::FuncOffset(0, 2), addend: 0 },
        ];
        let artifacts = Artifacts { funcs: vec![artifact(vec![0; 24], relocs)], trampolines: vec![] };
        let linked = link(&artifacts).unwrap();
        let veneer = 32; // after the 24 bytes of code, on a 16-byte boundary
        assert_eq!(linked.text.len(), veneer + VENEER_SIZE);
        assert_eq!(&linked.text[1..5], &((veneer as i32) - 5).to_le_bytes());
        assert_eq!(linked.layout.relocs.len(), 3);
        let code = CodeMemory::place(linked.text.len(), &linked.layout.relocs, |b| {
            b.copy_from_slice(&linked.text);
            Ok(())
        })
        .unwrap();
        // SAFETY: the placed block is readable and `linked.text.len()` bytes long.
        let placed = unsafe { std::slice::from_raw_parts(code.base() as *const u8, code.len()) };
        let word = |at: usize| u64::from_le_bytes(placed[at..at + 8].try_into().unwrap());
        assert_eq!(word(8), libcall_address(LibCall::FloorF32).unwrap());
        assert_eq!(word(16), code.base() as u64 + 2);
        let ceil = word(veneer + VENEER_ADDR);
        assert_eq!(ceil, libcall_address(LibCall::CeilF32).unwrap());
        // SAFETY: the address is our `ceilf`.
        let ceil: extern "C" fn(f32) -> f32 = unsafe { std::mem::transmute(ceil as usize) };
        assert_eq!(ceil(1.25), 2.0);
        assert_eq!(code.base() % PAGE, 0);
    }
}
