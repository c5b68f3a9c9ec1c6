//! Engine-neutral values, trap descriptions and argument generation.

use std::fmt;

use cwali_codegen::TrapKind;

use super::rng::Rng;
use cwali_frontend::RefTypeExt as _;

/// A value type as the harness needs it (no GC types: wasm-smith is configured without GC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl Ty {
    pub fn from_wasmparser(ty: wasmparser::ValType) -> Option<Ty> {
        use wasmparser::ValType as V;
        Some(match ty {
            V::I32 => Ty::I32,
            V::I64 => Ty::I64,
            V::F32 => Ty::F32,
            V::F64 => Ty::F64,
            V::V128 => Ty::V128,
            V::Ref(r) if r.is_func() => Ty::FuncRef,
            V::Ref(r) if r.is_extern_ref() => Ty::ExternRef,
            _ => return None,
        })
    }
}

/// A value crossing the host boundary, comparable across engines.
///
/// Floats are bits. A funcref is only "null or not" (its identity is engine-private). An
/// externref carries the host id the harness gave it, so identity is compared too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// Lane 0 in the low bits.
    V128(u128),
    /// `true` when non-null.
    FuncRef(bool),
    /// `Some(id)` for a non-null externref created by the harness with that id (ids are >= 1).
    ExternRef(Option<u32>),
    /// An exnref (in a global or table): `true` when non-null.
    ExnRef(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::I32(v) => write!(f, "i32:{v} ({:#x})", v as u32),
            Value::I64(v) => write!(f, "i64:{v} ({:#x})", v as u64),
            Value::F32(b) => write!(f, "f32:{:?} ({b:#010x})", f32::from_bits(b)),
            Value::F64(b) => write!(f, "f64:{:?} ({b:#018x})", f64::from_bits(b)),
            Value::V128(v) => write!(f, "v128:{v:#034x}"),
            Value::FuncRef(false) => f.write_str("funcref:null"),
            Value::FuncRef(true) => f.write_str("funcref:non-null"),
            Value::ExternRef(None) => f.write_str("externref:null"),
            Value::ExternRef(Some(id)) => write!(f, "externref:{id}"),
            Value::ExnRef(false) => f.write_str("exnref:null"),
            Value::ExnRef(true) => f.write_str("exnref:non-null"),
        }
    }
}

/// Format a list of values.
pub fn show_values(vals: &[Value]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// How both runners describe an exception no Wasm code caught.
pub const UNCAUGHT: &str = "uncaught exception";

/// How a trap is reported, engine-neutrally: a Wasm trap kind, or anything else (a host
/// error, a Wasmtime trap code with no cwali counterpart) as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapDesc {
    Wasm(TrapKind),
    Other(String),
}

impl fmt::Display for TrapDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapDesc::Wasm(k) => write!(f, "trap {k:?} ({k})"),
            TrapDesc::Other(m) => write!(f, "error: {m}"),
        }
    }
}

impl TrapDesc {
    pub fn is_stack_overflow(&self) -> bool {
        *self == TrapDesc::Wasm(TrapKind::StackOverflow)
    }
}

/// What one call did.
pub type CallOutcome = Result<Vec<Value>, TrapDesc>;

pub fn show_outcome(o: &CallOutcome) -> String {
    match o {
        Ok(vals) => format!("returned {}", show_values(vals)),
        Err(t) => t.to_string(),
    }
}

const I32_EDGES: [i32; 10] = [0, 1, -1, 2, i32::MIN, i32::MAX, 0x8000, 0xffff, 0x10000, -0x10000];
const I64_EDGES: [i64; 9] = [0, 1, -1, i64::MIN, i64::MAX, 0xffff_ffff, 0x1_0000_0000, i32::MIN as i64, 0x10000];
const F32_EDGES: [u32; 14] = [
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical NaN
    0xffc0_0000, // negative canonical NaN
    0x7fa0_0001, // signalling NaN with payload
    0x0000_0001, // smallest subnormal
    0x0080_0000, // smallest normal
    0x7f7f_ffff, // max
    0x4f00_0000, // 2^31
    0xcf00_0001, // just below -2^31
];
const F64_EDGES: [u64; 14] = [
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0xbff0_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff4_0000_0000_0001,
    0x0000_0000_0000_0001,
    0x0010_0000_0000_0000,
    0x7fef_ffff_ffff_ffff,
    0x41e0_0000_0000_0000, // 2^31
    0xc3e0_0000_0000_0001, // just below -2^63
];

/// An argument of type `ty`: an edge value half of the time, else something random but
/// plausible (small ints are likely memory offsets and loop counts).
pub fn gen_value(rng: &mut Rng, ty: Ty, next_externref: &mut u32) -> Value {
    let edge = rng.below(2) == 0;
    match ty {
        Ty::I32 => Value::I32(match (edge, rng.below(2)) {
            (true, _) => rng.pick(&I32_EDGES),
            (false, 0) => rng.below(1 << 17) as i32,
            (false, _) => rng.next_u64() as i32,
        }),
        Ty::I64 => Value::I64(match (edge, rng.below(2)) {
            (true, _) => rng.pick(&I64_EDGES),
            (false, 0) => rng.below(1 << 17) as i64,
            (false, _) => rng.next_u64() as i64,
        }),
        Ty::F32 => Value::F32(match (edge, rng.below(2)) {
            (true, _) => rng.pick(&F32_EDGES),
            (false, 0) => ((rng.below(2001) as f32 - 1000.0) / 8.0).to_bits(),
            (false, _) => rng.next_u64() as u32,
        }),
        Ty::F64 => Value::F64(match (edge, rng.below(2)) {
            (true, _) => rng.pick(&F64_EDGES),
            (false, 0) => ((rng.below(2001) as f64 - 1000.0) / 8.0).to_bits(),
            (false, _) => rng.next_u64(),
        }),
        // Lanes of one shape, each an edge value or random bits.
        Ty::V128 => {
            let mut bytes = [0u8; 16];
            match rng.below(3) {
                0 => {
                    for lane in bytes.chunks_mut(4) {
                        let Value::F32(b) = gen_value(rng, Ty::F32, next_externref) else { unreachable!() };
                        lane.copy_from_slice(&b.to_le_bytes());
                    }
                }
                1 => {
                    for lane in bytes.chunks_mut(8) {
                        let Value::F64(b) = gen_value(rng, Ty::F64, next_externref) else { unreachable!() };
                        lane.copy_from_slice(&b.to_le_bytes());
                    }
                }
                _ => {
                    for lane in bytes.chunks_mut(4) {
                        let Value::I32(x) = gen_value(rng, Ty::I32, next_externref) else { unreachable!() };
                        lane.copy_from_slice(&x.to_le_bytes());
                    }
                }
            }
            Value::V128(u128::from_le_bytes(bytes))
        }
        // The host holds no function references of its own: pass null.
        Ty::FuncRef => Value::FuncRef(false),
        Ty::ExternRef => {
            if rng.below(3) == 0 {
                Value::ExternRef(None)
            } else {
                *next_externref += 1;
                Value::ExternRef(Some(*next_externref))
            }
        }
    }
}
