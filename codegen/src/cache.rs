//! The code cache format: a module's linked code ([`LinkedCode`]) with what instantiating the
//! module needs, authenticated with a keyed MAC.
//!
//! ```text
//! header   magic "CWALIC\0\x02" | key (32) | module hash (32) | 4 × (offset u64, length u64)
//! module   the module without its code section ([`cwali_frontend::strip_code`])
//! layout   the block's layout ([`Layout`]): functions, trampolines, trap sites, relocations,
//!          exception call sites
//! source   the whole module (in code files from `cwali compile`; empty in cache entries)
//! text     the linked code, on a page boundary of the file (zeros before it)
//! trailer  SHA-256 of everything before (32) | HMAC-SHA256(secret, that digest) (32)
//! ```
//!
//! The sections follow one another in this order, so a cache hit reads the header, then
//! `module` and `layout` with one read, then maps `text` (see `CodeMemory::map_file`);
//! `source` is only read to recompile elsewhere.
//!
//! The key ([`key`]) covers the code generator ([`GENERATOR`]: cwali's version and a hash of the
//! sources that decide the code) and Cranelift's version, the target triple and CPU features,
//! every setting that changes code, the resolved intrinsics and the module's SHA-256. The
//! checksum tells a damaged file ([`CacheError::Corrupted`]); the MAC, keyed with a secret only
//! this user can read, tells a file this user's cwali wrote from one someone else wrote or
//! rewrote ([`CacheError::NotAuthentic`]): writing a file is not enough to have code run.

use sha2::{Digest, Sha256};

use std::ops::Range;

use crate::link::{HostReloc, HostTarget, Layout, LinkedCode};
use crate::{CompileError, Config, ExnCallSite, ExnHandler, TrapKind};
use cranelift_codegen::binemit::Reloc as Kind;
use cwali_frontend::ModuleInfo;

pub const MAGIC: &[u8; 8] = b"CWALIC\x00\x02";
/// Bytes before the first section.
pub const HEADER_LEN: usize = 8 + 32 + 32 + 4 * 16;
/// Checksum and MAC.
pub const TRAILER_LEN: usize = 64;
/// The code starts on a page boundary of the file, so that it can be mapped.
pub const TEXT_ALIGN: usize = crate::link::PAGE;

/// Placement relocation kinds the format can hold (their index is the stored byte).
const KINDS: &[Kind] = &[Kind::Abs4, Kind::Abs8];

/// Why a cache file was not used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("not a cwali code file")]
    NotCode,
    #[error("the code file is corrupted (checksum mismatch)")]
    Corrupted,
    #[error("the code file was not made by this user's cwali (its code is not authenticated)")]
    NotAuthentic,
    #[error("the code file is truncated or malformed")]
    Malformed,
}

/// The code generator that made a cache entry: cwali's version and a hash of the sources that
/// decide the generated code (`build.rs`), so that two builds of one version do not share entries.
pub const GENERATOR: &str =
    concat!("cwali ", env!("CARGO_PKG_VERSION"), " codegen ", env!("CWALI_CODEGEN_FINGERPRINT"));

/// The SHA-256 of a module's bytes (the key covers it instead of the bytes themselves).
pub fn module_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The cache key of `module` (whose bytes hash to `module_hash`) compiled with `config` on this
/// host.
pub fn key(module: &ModuleInfo, module_hash: &[u8; 32], config: &Config) -> Result<[u8; 32], CompileError> {
    Ok(key_with(GENERATOR, &host(config)?, module, module_hash, config))
}

/// The key of `module` compiled by `generator` for `host` (see [`host`]) with `config`.
fn key_with(generator: &str, host: &str, module: &ModuleInfo, module_hash: &[u8; 32], config: &Config) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(settings(generator, host, config).as_bytes());
    let mut intrinsics: Vec<_> = crate::resolve_intrinsics(module, config).into_iter().collect();
    intrinsics.sort_by_key(|(i, _)| *i);
    h.update(format!("{intrinsics:?}").as_bytes());
    h.update(module_hash);
    h.finalize().into()
}

/// Everything the key covers besides the module: generator, Cranelift, host and settings.
fn settings(generator: &str, host: &str, config: &Config) -> String {
    format!(
        "{generator};cranelift {};{host};{:?}/{}/{}/{}/{}",
        cranelift_native::VERSION,
        config.bounds_checks,
        config.opt_level,
        config.regalloc,
        config.safepoints,
        config.intrinsics.is_some()
    )
}

/// A digest of what, besides the module, decides the code for `config` on this host: the
/// runtime names the records that lead from a module file to its entry by it.
pub fn settings_digest(config: &Config) -> Result<[u8; 32], CompileError> {
    Ok(Sha256::digest(settings(GENERATOR, &host(config)?, config).as_bytes()).into())
}

/// The host as far as it decides the generated code: the target, and the CPU features that
/// Cranelift's flags come from. Where glibc has read them already (x86_64) they are taken from
/// there; elsewhere they are Cranelift's detected flags themselves.
fn host(config: &Config) -> Result<String, CompileError> {
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    if let Some(cpu) = x86_64::glibc_cpuid() {
        return Ok(format!("{} {cpu}", target_lexicon::Triple::host()));
    }
    let isa = crate::host_isa(config)?;
    let flags: Vec<String> = isa.isa_flags().iter().map(|f| f.to_string()).collect();
    Ok(format!("{} {}", isa.triple(), flags.join(";")))
}

/// x86_64 CPU features without executing `cpuid`, which traps to the hypervisor in a VM (several
/// µs each; std's detection, which Cranelift uses, runs seven of them). glibc's dynamic loader
/// has read the leaves at start-up and `__x86_get_cpuid_feature_leaf` (glibc 2.33; looked up at
/// run time so that older ones still link) hands them out. The words are the raw registers
/// holding every feature bit std reads for Cranelift's flags, plus XCR0 (the register state the
/// OS enables, which decides AVX and AVX-512; `xgetbv` does not trap). They hold more bits than
/// Cranelift uses: hosts that differ only in those just get separate entries.
#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod x86_64 {
    /// `struct cpuid_feature` of glibc's `<bits/platform/x86.h>`.
    #[repr(C)]
    struct CpuidFeature {
        cpuid: [u32; 4],
        active: [u32; 4],
    }

    const EAX: usize = 0;
    const EBX: usize = 1;
    const ECX: usize = 2;
    const EDX: usize = 3;
    /// `CPUID_INDEX_*` of `<bits/platform/x86.h>`: leaves 1, 7 (subleaf 0), 0x80000001, 7 (subleaf 1).
    const LEAF_1: u32 = 0;
    const LEAF_7: u32 = 1;
    const LEAF_80000001: u32 = 2;
    const LEAF_7_1: u32 = 6;
    const OSXSAVE: u32 = 1 << 27;

    /// `(leaf 1 ecx, edx; leaf 7 ebx, ecx, edx; leaf 7.1 eax; leaf 0x80000001 ecx, edx; XCR0)`.
    pub fn cpuid_words() -> Option<[u64; 9]> {
        // SAFETY: looking up a symbol by a NUL-terminated name.
        let sym = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"__x86_get_cpuid_feature_leaf".as_ptr()) };
        if sym.is_null() {
            return None;
        }
        // SAFETY: glibc's `const struct cpuid_feature *__x86_get_cpuid_feature_leaf (unsigned int)`.
        let leaf: unsafe extern "C" fn(u32) -> *const CpuidFeature = unsafe { std::mem::transmute(sym) };
        // SAFETY: it returns a pointer to static data (all zero for an index it does not know).
        let regs = |index| unsafe { (*leaf(index)).cpuid.map(u64::from) };
        let (l1, l7, l7_1, e1) = (regs(LEAF_1), regs(LEAF_7), regs(LEAF_7_1), regs(LEAF_80000001));
        if l1[EDX] == 0 {
            return None; // not filled in (every x86_64 has SSE2, an EDX bit of leaf 1)
        }
        let xcr0 = if l1[ECX] as u32 & OSXSAVE != 0 { xgetbv0() } else { 0 };
        Some([l1[ECX], l1[EDX], l7[EBX], l7[ECX], l7[EDX], l7_1[EAX], e1[ECX], e1[EDX], xcr0])
    }

    pub fn glibc_cpuid() -> Option<String> {
        cpuid_words().map(|w| format!("cpuid {w:x?}"))
    }

    fn xgetbv0() -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: XGETBV with ECX = 0 reads XCR0; allowed in user mode when OSXSAVE is set.
        unsafe { std::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack)) };
        (u64::from(hi) << 32) | u64::from(lo)
    }
}

/// Whether `data` starts like a code file.
pub fn is_code(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

/// The per-user secret that authenticates code files.
#[derive(Clone)]
pub struct Secret(pub [u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// HMAC-SHA256 (RFC 2104) of the concatenation of `parts`.
pub fn hmac(secret: &Secret, parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut pad = [0u8; BLOCK];
    pad[..32].copy_from_slice(&secret.0);
    let xor = |byte: u8| pad.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(xor(0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(xor(0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The fixed-size start of a code file: the key, the module's hash and where the sections are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub key: [u8; 32],
    pub module_hash: [u8; 32],
    pub module: Range<usize>,
    pub layout: Range<usize>,
    pub source: Range<usize>,
    pub text: Range<usize>,
}

impl Header {
    /// Read and check the header of a code file of `file_len` bytes: sections in order, inside
    /// the file, before the trailer.
    pub fn read(data: &[u8], file_len: u64) -> Result<Header, CacheError> {
        if !is_code(data) {
            return Err(CacheError::NotCode);
        }
        if data.len() < HEADER_LEN || file_len < (HEADER_LEN + TRAILER_LEN) as u64 {
            return Err(CacheError::Malformed);
        }
        let mut r = Reader { data, pos: MAGIC.len() };
        let key = r.bytes(32)?.try_into().unwrap();
        let module_hash = r.bytes(32)?.try_into().unwrap();
        let mut at = HEADER_LEN as u64;
        let end = file_len - TRAILER_LEN as u64;
        let mut section = |align: u64| -> Result<Range<usize>, CacheError> {
            let (offset, len) = (r.u64()?, r.u64()?);
            let stop = offset.checked_add(len).ok_or(CacheError::Malformed)?;
            if offset != at.next_multiple_of(align) || stop > end {
                return Err(CacheError::Malformed);
            }
            at = stop;
            Ok(offset as usize..stop as usize)
        };
        let (module, layout, source) = (section(1)?, section(1)?, section(1)?);
        let text = section(TEXT_ALIGN as u64)?;
        if at != end {
            return Err(CacheError::Malformed);
        }
        Ok(Header { key, module_hash, module, layout, source, text })
    }
}

/// A code file: `key` and `module_hash` as [`key`] and [`module_hash`] give them, the module
/// without code (`stripped`), the whole module if it should travel with the code (`source`),
/// the linked code, checksum and MAC.
pub fn serialize(
    key: &[u8; 32],
    module_hash: &[u8; 32],
    stripped: &[u8],
    source: Option<&[u8]>,
    code: &LinkedCode,
    secret: &Secret,
) -> Option<Vec<u8>> {
    let layout = encode_layout(&code.layout)?;
    let source = source.unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + stripped.len() + layout.len() + source.len() + code.text.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(key);
    out.extend_from_slice(module_hash);
    let mut at = HEADER_LEN;
    for (len, align) in [(stripped.len(), 1), (layout.len(), 1), (source.len(), 1), (code.text.len(), TEXT_ALIGN)] {
        at = at.next_multiple_of(align);
        out.extend_from_slice(&(at as u64).to_le_bytes());
        out.extend_from_slice(&(len as u64).to_le_bytes());
        at += len;
    }
    for section in [stripped, &layout, source] {
        out.extend_from_slice(section);
    }
    out.resize(out.len().next_multiple_of(TEXT_ALIGN), 0);
    out.extend_from_slice(&code.text);
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out.extend_from_slice(&hmac(secret, &[&sum]));
    Some(out)
}

/// Check a whole code file's checksum, then its MAC.
pub fn verify(data: &[u8], secret: Option<&Secret>) -> Result<(), CacheError> {
    if data.len() < HEADER_LEN + TRAILER_LEN {
        return Err(if is_code(data) { CacheError::Malformed } else { CacheError::NotCode });
    }
    let (body, trailer) = data.split_at(data.len() - TRAILER_LEN);
    let sum: [u8; 32] = Sha256::digest(body).into();
    if sum != trailer[..32] {
        return Err(CacheError::Corrupted);
    }
    match secret {
        Some(secret) if hmac(secret, &[&sum]) == trailer[32..] => Ok(()),
        _ => Err(CacheError::NotAuthentic),
    }
}

/// ```text
/// #funcs u32 | (offset u32, length u32)* | #trampolines u32 | offset u32* | #traps u32 | offset u32* | kind u8*
/// | #relocs u32 | (offset u32, kind u8, target: 0 libcall-name-len u8 name | 1 text-offset u32, addend i64)*
/// | #exception call sites u32 | (ret u32, frame offset u32, #handlers u32, handler*)*
/// handler: kind u8 (0 context, 1 tag, 2 all) | a u32 | b u32
///          (context: sp offset, 0; tag: tag, target; all: target, 0)
/// ```
fn encode_layout(layout: &Layout) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(8 * layout.funcs.len() + 5 * layout.traps.len() + 64);
    out.extend_from_slice(&(layout.funcs.len() as u32).to_le_bytes());
    for (off, len) in &layout.funcs {
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(&(layout.trampolines.len() as u32).to_le_bytes());
    for off in &layout.trampolines {
        out.extend_from_slice(&off.to_le_bytes());
    }
    out.extend_from_slice(&(layout.traps.len() as u32).to_le_bytes());
    for (off, _) in &layout.traps {
        out.extend_from_slice(&off.to_le_bytes());
    }
    for (_, kind) in &layout.traps {
        out.push(TrapKind::ALL.iter().position(|k| k == kind)? as u8);
    }
    out.extend_from_slice(&(layout.relocs.len() as u32).to_le_bytes());
    for r in &layout.relocs {
        out.extend_from_slice(&r.offset.to_le_bytes());
        out.push(KINDS.iter().position(|k| *k == r.kind)? as u8);
        match r.target {
            HostTarget::LibCall(l) => {
                let name = l.to_string();
                out.push(0);
                out.push(u8::try_from(name.len()).ok()?);
                out.extend_from_slice(name.as_bytes());
            }
            HostTarget::Text(off) => {
                out.push(1);
                out.extend_from_slice(&off.to_le_bytes());
            }
        }
        out.extend_from_slice(&r.addend.to_le_bytes());
    }
    out.extend_from_slice(&(layout.exn_sites.len() as u32).to_le_bytes());
    for site in &layout.exn_sites {
        for x in [site.ret, site.frame_offset, site.handlers.len() as u32] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for h in &site.handlers {
            let (kind, x, y) = match *h {
                ExnHandler::Context(off) => (0u8, off, 0),
                ExnHandler::Tag { tag, target } => (1, tag, target),
                ExnHandler::All(target) => (2, target, 0),
            };
            out.push(kind);
            out.extend_from_slice(&x.to_le_bytes());
            out.extend_from_slice(&y.to_le_bytes());
        }
    }
    Some(out)
}

/// The layout section of a code file.
pub fn decode_layout(data: &[u8]) -> Result<Layout, CacheError> {
    let mut r = Reader { data, pos: 0 };
    let mut layout = Layout::default();
    let n = r.count(8)?;
    layout.funcs.reserve_exact(n);
    for _ in 0..n {
        layout.funcs.push((r.u32()?, r.u32()?));
    }
    for _ in 0..r.count(4)? {
        layout.trampolines.push(r.u32()?);
    }
    // The largest table (a trap site per memory access): decoded in one tight loop.
    let n = r.count(5)?;
    let (offsets, kinds) = (r.bytes(4 * n)?, r.bytes(n)?);
    if kinds.iter().any(|&k| k as usize >= TrapKind::ALL.len()) {
        return Err(CacheError::Malformed);
    }
    layout.traps = (offsets.chunks_exact(4).zip(kinds))
        .map(|(off, &kind)| (u32::from_le_bytes(off.try_into().unwrap()), TrapKind::ALL[kind as usize]))
        .collect();
    for _ in 0..r.count(14)? {
        let offset = r.u32()?;
        let kind = *KINDS.get(r.u8()? as usize).ok_or(CacheError::Malformed)?;
        let target = match r.u8()? {
            0 => {
                let n = r.u8()? as usize;
                let name = std::str::from_utf8(r.bytes(n)?).map_err(|_| CacheError::Malformed)?;
                HostTarget::LibCall(name.parse().map_err(|_| CacheError::Malformed)?)
            }
            1 => HostTarget::Text(r.u32()?),
            _ => return Err(CacheError::Malformed),
        };
        let addend = r.u64()? as i64;
        layout.relocs.push(HostReloc { offset, kind, target, addend });
    }
    // Handler targets are checked against the block's length when it is placed.
    for _ in 0..r.count(12)? {
        let (ret, frame_offset) = (r.u32()?, r.u32()?);
        let mut handlers = Vec::new();
        for _ in 0..r.count(9)? {
            let (kind, x, y) = (r.u8()?, r.u32()?, r.u32()?);
            handlers.push(match kind {
                0 => ExnHandler::Context(x),
                1 => ExnHandler::Tag { tag: x, target: y },
                2 => ExnHandler::All(x),
                _ => return Err(CacheError::Malformed),
            });
        }
        layout.exn_sites.push(ExnCallSite { ret, frame_offset, handlers });
    }
    if r.pos != data.len() || !layout.traps.is_sorted_by_key(|t| t.0) || !layout.exn_sites.is_sorted_by_key(|s| s.ret) {
        return Err(CacheError::Malformed);
    }
    Ok(layout)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CacheError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len()).ok_or(CacheError::Malformed)?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, CacheError> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, CacheError> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64, CacheError> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().unwrap()))
    }
    /// A count of items each at least `min_size` bytes long (bounds the allocation).
    fn count(&mut self, min_size: usize) -> Result<usize, CacheError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.data.len() - self.pos { Err(CacheError::Malformed) } else { Ok(n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> ModuleInfo {
        // (module (func (export "_start")))
        let wasm = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x07\x0a\x01\x06_start\0\0\x0a\x04\x01\x02\0\x0b";
        cwali_frontend::parse(wasm).unwrap()
    }

    #[test]
    fn the_key_changes_with_the_code_generator_host_and_module() {
        let (module, config) = (hello(), Config::default());
        let host = host(&config).unwrap();
        let h = module_hash(&module.bytes);
        let a = key_with("cwali 0.1.0 codegen 0000000000000001", &host, &module, &h, &config);
        let b = key_with("cwali 0.1.0 codegen 0000000000000002", &host, &module, &h, &config);
        assert_ne!(a, b);
        assert_eq!(a, key_with("cwali 0.1.0 codegen 0000000000000001", &host, &module, &h, &config));
        assert_eq!(key(&module, &h, &config).unwrap(), key_with(GENERATOR, &host, &module, &h, &config));
        assert_ne!(a, key_with("cwali 0.1.0 codegen 0000000000000001", "another host", &module, &h, &config));
        assert_ne!(a, key_with("cwali 0.1.0 codegen 0000000000000001", &host, &module, &[0; 32], &config));
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2 uses a 4-byte key ("Jefe"), zero-padded like ours.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = hmac(&Secret(key), &[b"what do ya want ", b"for nothing?"]);
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn a_code_file_round_trips_and_rewritten_code_is_not_authentic() {
        let module = hello();
        let config = Config::default();
        let linked = crate::link::link(&crate::compile_artifacts(&module, &config).unwrap()).unwrap();
        let h = module_hash(&module.bytes);
        let k = key(&module, &h, &config).unwrap();
        let stripped = cwali_frontend::strip_code(&module.bytes).unwrap();
        let secret = Secret([7; 32]);
        let file = serialize(&k, &h, &stripped, Some(&module.bytes), &linked, &secret).unwrap();
        verify(&file, Some(&secret)).unwrap();
        let header = Header::read(&file[..HEADER_LEN], file.len() as u64).unwrap();
        assert_eq!((header.key, header.module_hash), (k, h));
        assert_eq!(&file[header.module.clone()], &stripped[..]);
        assert_eq!(&file[header.source.clone()], &module.bytes[..]);
        assert_eq!(&file[header.text.clone()], &linked.text[..]);
        assert_eq!(decode_layout(&file[header.layout.clone()]).unwrap(), linked.layout);
        assert!(matches!(verify(&file, Some(&Secret([8; 32]))), Err(CacheError::NotAuthentic)));
        assert!(matches!(verify(&file, None), Err(CacheError::NotAuthentic)));
        // Code rewritten and the checksum computed again: still not authentic.
        let mut evil = file.clone();
        evil[header.text.start] ^= 0xff;
        let end = evil.len() - TRAILER_LEN;
        let sum: [u8; 32] = Sha256::digest(&evil[..end]).into();
        evil[end..end + 32].copy_from_slice(&sum);
        assert!(matches!(verify(&evil, Some(&secret)), Err(CacheError::NotAuthentic)));
        // Rewritten without a new checksum: corrupted.
        let mut damaged = file.clone();
        damaged[header.text.start] ^= 0xff;
        assert!(matches!(verify(&damaged, Some(&secret)), Err(CacheError::Corrupted)));
    }

    #[test]
    fn the_generator_names_a_source_fingerprint() {
        let fingerprint = GENERATOR.rsplit(' ').next().unwrap();
        assert_eq!(fingerprint.len(), 16, "{GENERATOR}");
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()), "{GENERATOR}");
    }

    /// glibc's copy of the CPUID leaves agrees with std's detection (which Cranelift uses).
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_cpuid_words_match_std_detection() {
        let w = x86_64::cpuid_words().expect("glibc 2.33 or later");
        let bit = |word: usize, bit: u32| w[word] & (1 << bit) != 0;
        let os_avx = w[8] & 0b110 == 0b110;
        let os_avx512 = os_avx && w[8] & 0b1110_0000 == 0b1110_0000;
        assert_eq!(std::is_x86_feature_detected!("sse3"), bit(0, 0));
        assert_eq!(std::is_x86_feature_detected!("sse4.2"), bit(0, 20));
        assert_eq!(std::is_x86_feature_detected!("popcnt"), bit(0, 23));
        assert_eq!(std::is_x86_feature_detected!("avx"), bit(0, 28) && os_avx);
        assert_eq!(std::is_x86_feature_detected!("bmi2"), bit(2, 8));
        assert_eq!(std::is_x86_feature_detected!("avx2"), bit(2, 5) && os_avx);
        assert_eq!(std::is_x86_feature_detected!("avx512f"), bit(2, 16) && os_avx512);
        assert_eq!(std::is_x86_feature_detected!("avx512vbmi"), bit(3, 1) && os_avx512);
        assert_eq!(std::is_x86_feature_detected!("lzcnt"), bit(6, 5));
    }

    #[test]
    fn exception_call_sites_survive_a_round_trip() {
        let wasm = wat::parse_str(
            r#"(module
                (tag $e (param i32))
                (func $f (param i32) (throw $e (local.get 0)))
                (func (export "g") (result i32)
                  (block $h (result i32)
                    (try_table (catch $e $h) (call $f (i32.const 1)))
                    (i32.const 0)))
                (func (export "l") (result i32)
                  try (result i32) (call $f (i32.const 2)) (i32.const 0) catch_all (i32.const 3) end))"#,
        )
        .unwrap();
        let module = cwali_frontend::parse(&wasm).unwrap();
        let config = Config::default();
        let artifacts = crate::compile_artifacts(&module, &config).unwrap();
        let sites: usize = artifacts.funcs.iter().map(|a| a.exn_sites.len()).sum();
        assert!(sites >= 2, "calls in handler scopes are recorded: {:?}", artifacts.funcs);
        let linked = crate::link::link(&artifacts).unwrap();
        assert_eq!(linked.layout.exn_sites.len(), sites);
        // Sites move with their function into the block: `g` is the second function.
        let (g_start, g_len) = linked.layout.funcs[1];
        let g_site = &artifacts.funcs[1].exn_sites[0];
        assert!(linked.layout.exn_sites.contains(&g_site.shifted(g_start)));
        assert!(g_site.ret < g_len);
        let h = module_hash(&module.bytes);
        let stripped = cwali_frontend::strip_code(&module.bytes).unwrap();
        let file = serialize(&[7; 32], &h, &stripped, None, &linked, &Secret([7; 32])).unwrap();
        let header = Header::read(&file[..HEADER_LEN], file.len() as u64).unwrap();
        assert_eq!(decode_layout(&file[header.layout.clone()]).unwrap(), linked.layout);
    }
}
