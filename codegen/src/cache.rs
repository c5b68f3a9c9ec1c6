//! The code cache format: compiled [`Artifacts`] of a module, stored with the module's bytes.
//!
//! ```text
//! magic "CWALIC\0\x01" | key (32) | module length u64 | module bytes
//! | #funcs u32 | #trampolines u32 | artifacts... | SHA-256 of everything before (32)
//! artifact: alignment u64 | code length u32 | code | #relocs u32 | relocs | #traps u32 | (offset u32, kind u8)*
//! reloc:    offset u32 | kind u8 | target tag u8 (0 func, 1 libcall, 2 func offset) | target | addend i64
//! ```
//!
//! The key ([`key`]) covers the code generator ([`GENERATOR`]: cwali's version and a hash of the
//! sources that decide the code) and Cranelift's version, the target triple and CPU features,
//! every setting that changes code, the resolved intrinsics and the module bytes. A file whose
//! checksum, magic or key does not match is rejected: a corrupted or foreign cache file is
//! recompiled, never run.

use sha2::{Digest, Sha256};

use crate::{Artifact, Artifacts, CompileError, Config, Reloc, RelocTarget, TrapKind};
use cranelift_codegen::binemit::Reloc as Kind;
use cranelift_codegen::isa::TargetIsa;
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
    let isa = crate::host_isa(config)?;
    Ok(key_with(GENERATOR, &*isa, module, config))
}

/// The key of `module` compiled by `generator` for `isa` with `config`.
fn key_with(generator: &str, isa: &dyn TargetIsa, module: &ModuleInfo, config: &Config) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(generator.as_bytes());
    h.update(b";cranelift ");
    h.update(cranelift_native::VERSION.as_bytes());
    h.update(b";");
    h.update(isa.triple().to_string().as_bytes());
    for flag in isa.isa_flags() {
        h.update(flag.to_string().as_bytes());
        h.update(b";");
    }
    h.update(format!("{:?}/{}/{}", config.bounds_checks, config.opt_level, config.safepoints).as_bytes());
    let mut intrinsics: Vec<_> = crate::resolve_intrinsics(module, config).into_iter().collect();
    intrinsics.sort_by_key(|(i, _)| *i);
    h.update(format!("{intrinsics:?}").as_bytes());
    h.update((module.bytes.len() as u64).to_le_bytes());
    h.update(&module.bytes);
    h.finalize().into()
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
        all.push(Artifact { bytes, alignment, relocs, traps });
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
        let isa = crate::host_isa(&config).unwrap();
        let a = key_with("cwali 0.1.0 codegen 0000000000000001", &*isa, &module, &config);
        let b = key_with("cwali 0.1.0 codegen 0000000000000002", &*isa, &module, &config);
        assert_ne!(a, b);
        assert_eq!(a, key_with("cwali 0.1.0 codegen 0000000000000001", &*isa, &module, &config));
        assert_eq!(key(&module, &config).unwrap(), key_with(GENERATOR, &*isa, &module, &config));
    }

    #[test]
    fn the_generator_names_a_source_fingerprint() {
        let fingerprint = GENERATOR.rsplit(' ').next().unwrap();
        assert_eq!(fingerprint.len(), 16, "{GENERATOR}");
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()), "{GENERATOR}");
    }
}
