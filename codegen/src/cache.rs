//! The code cache format: compiled [`Artifacts`] of a module, stored with the module's bytes.
//!
//! ```text
//! magic "CWALIC\0\x01" | key (32) | module length u64 | module bytes
//! | #funcs u32 | #trampolines u32 | artifacts... | SHA-256 of everything before (32)
//! artifact: alignment u64 | code length u32 | code | #relocs u32 | relocs | #traps u32 | (offset u32, kind u8)*
//!           | #exception call sites u32 | (ret u32, frame offset u32, #handlers u32, handler*)*
//! handler:  kind u8 (0 context, 1 tag, 2 all) | a u32 | b u32 (context: sp offset, 0; tag: tag,
//!           target; all: target, 0)
//! reloc:    offset u32 | kind u8 | target tag u8 (0 func, 1 libcall, 2 func offset) | target | addend i64
//! ```
//!
//! The key ([`key`]) covers the code generator ([`GENERATOR`]: cwali's version and a hash of the
//! sources that decide the code) and Cranelift's version, the target triple and CPU features,
//! every setting that changes code, the resolved intrinsics and the module bytes. A file whose
//! checksum, magic or key does not match is rejected: a corrupted or foreign cache file is
//! recompiled, never run.

use sha2::{Digest, Sha256};

use crate::{Artifact, Artifacts, CompileError, Config, ExnCallSite, ExnHandler, Reloc, RelocTarget, TrapKind};
use cranelift_codegen::binemit::Reloc as Kind;
use cwali_frontend::ModuleInfo;

pub const MAGIC: &[u8; 8] = b"CWALIC\x00\x01";

/// Relocation kinds the format can hold (their index is the stored byte).
const KINDS: &[Kind] = &[
    Kind::Abs4,
    Kind::Abs8,
    Kind::X86PCRel4,
    Kind::X86CallPCRel4,
    Kind::X86CallPLTRel4,
    Kind::X86GOTPCRel4,
    Kind::Arm64Call,
    Kind::Aarch64AdrGotPage21,
    Kind::Aarch64Ld64GotLo12Nc,
    Kind::Aarch64AdrPrelPgHi21,
    Kind::Aarch64AddAbsLo12Nc,
];

/// Why a cache file was not used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("not a cwali code file")]
    NotCode,
    #[error("the code file is corrupted (checksum mismatch)")]
    Corrupted,
    #[error("the code file is truncated or malformed")]
    Malformed,
}

/// The code generator that made a cache entry: cwali's version and a hash of the sources that
/// decide the generated code (`build.rs`), so that two builds of one version do not share entries.
pub const GENERATOR: &str =
    concat!("cwali ", env!("CARGO_PKG_VERSION"), " codegen ", env!("CWALI_CODEGEN_FINGERPRINT"));

/// The cache key of `module` compiled with `config` on this host.
pub fn key(module: &ModuleInfo, config: &Config) -> Result<[u8; 32], CompileError> {
    Ok(key_with(GENERATOR, &host(config)?, module, config))
}

/// The key of `module` compiled by `generator` for `host` (see [`host`]) with `config`.
fn key_with(generator: &str, host: &str, module: &ModuleInfo, config: &Config) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(generator.as_bytes());
    h.update(b";cranelift ");
    h.update(cranelift_native::VERSION.as_bytes());
    h.update(b";");
    h.update(host.as_bytes());
    h.update(b";");
    h.update(
        format!("{:?}/{}/{}/{}", config.bounds_checks, config.opt_level, config.regalloc, config.safepoints).as_bytes(),
    );
    let mut intrinsics: Vec<_> = crate::resolve_intrinsics(module, config).into_iter().collect();
    intrinsics.sort_by_key(|(i, _)| *i);
    h.update(format!("{intrinsics:?}").as_bytes());
    h.update((module.bytes.len() as u64).to_le_bytes());
    h.update(&module.bytes);
    h.finalize().into()
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

/// Serialize; `None` if the code holds something the format cannot express.
pub fn serialize(key: &[u8; 32], module_bytes: &[u8], artifacts: &Artifacts) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(key);
    out.extend_from_slice(&(module_bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(module_bytes);
    out.extend_from_slice(&(artifacts.funcs.len() as u32).to_le_bytes());
    out.extend_from_slice(&(artifacts.trampolines.len() as u32).to_le_bytes());
    for a in artifacts.funcs.iter().chain(&artifacts.trampolines) {
        out.extend_from_slice(&a.alignment.to_le_bytes());
        out.extend_from_slice(&(a.bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&a.bytes);
        out.extend_from_slice(&(a.relocs.len() as u32).to_le_bytes());
        for r in &a.relocs {
            out.extend_from_slice(&r.offset.to_le_bytes());
            out.push(KINDS.iter().position(|k| *k == r.kind)? as u8);
            match &r.target {
                RelocTarget::Func(f) => {
                    out.push(0);
                    out.extend_from_slice(&f.to_le_bytes());
                }
                RelocTarget::LibCall(l) => {
                    out.push(1);
                    let name = l.to_string();
                    out.push(name.len() as u8);
                    out.extend_from_slice(name.as_bytes());
                }
                RelocTarget::FuncOffset(f, off) => {
                    out.push(2);
                    out.extend_from_slice(&f.to_le_bytes());
                    out.extend_from_slice(&off.to_le_bytes());
                }
            }
            out.extend_from_slice(&r.addend.to_le_bytes());
        }
        out.extend_from_slice(&(a.traps.len() as u32).to_le_bytes());
        for (offset, kind) in &a.traps {
            out.extend_from_slice(&offset.to_le_bytes());
            out.push(TrapKind::ALL.iter().position(|k| k == kind)? as u8);
        }
        out.extend_from_slice(&(a.exn_sites.len() as u32).to_le_bytes());
        for site in &a.exn_sites {
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
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    Some(out)
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

/// The key, the module bytes and the code of a code file, after checking magic and checksum.
pub fn deserialize(data: &[u8]) -> Result<([u8; 32], Vec<u8>, Artifacts), CacheError> {
    if !is_code(data) {
        return Err(CacheError::NotCode);
    }
    if data.len() < MAGIC.len() + 32 + 32 {
        return Err(CacheError::Malformed);
    }
    let (body, sum) = data.split_at(data.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(CacheError::Corrupted);
    }
    let mut r = Reader { data: body, pos: MAGIC.len() };
    let key: [u8; 32] = r.bytes(32)?.try_into().unwrap();
    let module_len = usize::try_from(r.u64()?).map_err(|_| CacheError::Malformed)?;
    let module = r.bytes(module_len)?.to_vec();
    let nfuncs = r.count(16)?;
    let ntramps = r.count(16)?;
    let mut all = Vec::with_capacity(nfuncs + ntramps);
    for _ in 0..nfuncs + ntramps {
        let alignment = r.u64()?;
        let len = r.count(1)?;
        let bytes = r.bytes(len)?.to_vec();
        let mut relocs = Vec::new();
        for _ in 0..r.count(14)? {
            let offset = r.u32()?;
            let kind = *KINDS.get(r.u8()? as usize).ok_or(CacheError::Malformed)?;
            let target = match r.u8()? {
                0 => RelocTarget::Func(r.u32()?),
                1 => {
                    let n = r.u8()? as usize;
                    let name = std::str::from_utf8(r.bytes(n)?).map_err(|_| CacheError::Malformed)?;
                    RelocTarget::LibCall(name.parse().map_err(|_| CacheError::Malformed)?)
                }
                2 => RelocTarget::FuncOffset(r.u32()?, r.u32()?),
                _ => return Err(CacheError::Malformed),
            };
            let addend = r.u64()? as i64;
            if offset as usize + 4 > bytes.len() {
                return Err(CacheError::Malformed);
            }
            relocs.push(Reloc { offset, kind, target, addend });
        }
        let mut traps = Vec::new();
        for _ in 0..r.count(5)? {
            let offset = r.u32()?;
            let kind = *TrapKind::ALL.get(r.u8()? as usize).ok_or(CacheError::Malformed)?;
            traps.push((offset, kind));
        }
        let mut exn_sites = Vec::new();
        for _ in 0..r.count(12)? {
            let (ret, frame_offset) = (r.u32()?, r.u32()?);
            let mut handlers = Vec::new();
            for _ in 0..r.count(9)? {
                let (kind, x, y) = (r.u8()?, r.u32()?, r.u32()?);
                let in_code =
                    |off: u32| if (off as usize) < bytes.len() { Ok(off) } else { Err(CacheError::Malformed) };
                handlers.push(match kind {
                    0 => ExnHandler::Context(x),
                    1 => ExnHandler::Tag { tag: x, target: in_code(y)? },
                    2 => ExnHandler::All(in_code(x)?),
                    _ => return Err(CacheError::Malformed),
                });
            }
            exn_sites.push(ExnCallSite { ret, frame_offset, handlers });
        }
        all.push(Artifact { bytes, alignment, relocs, traps, exn_sites });
    }
    if r.pos != body.len() {
        return Err(CacheError::Malformed);
    }
    let trampolines = all.split_off(nfuncs);
    Ok((key, module, Artifacts { funcs: all, trampolines }))
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
    fn the_key_changes_with_the_code_generator() {
        let (module, config) = (hello(), Config::default());
        let host = host(&config).unwrap();
        let a = key_with("cwali 0.1.0 codegen 0000000000000001", &host, &module, &config);
        let b = key_with("cwali 0.1.0 codegen 0000000000000002", &host, &module, &config);
        assert_ne!(a, b);
        assert_eq!(a, key_with("cwali 0.1.0 codegen 0000000000000001", &host, &module, &config));
        assert_eq!(key(&module, &config).unwrap(), key_with(GENERATOR, &host, &module, &config));
        assert_ne!(a, key_with("cwali 0.1.0 codegen 0000000000000001", "another host", &module, &config));
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
        let key = [7u8; 32];
        let bytes = serialize(&key, &wasm, &artifacts).unwrap();
        let (k, m, back) = deserialize(&bytes).unwrap();
        assert_eq!((k, m), (key, wasm));
        assert_eq!(back, artifacts);
    }
}
