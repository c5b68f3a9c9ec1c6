//! Wasm values as the host sees them, and the raw 16-byte slots they travel in.

use cwali_frontend::RefTypeExt as _;
use cwali_frontend::{RefType, ValType};

/// A Wasm value. Floats are kept as bits so NaN payloads survive a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// A `v128`, lane 0 in the low bits (the little-endian byte order of memory).
    V128(u128),
    /// A `funcref`: pointer to a `VMFuncRef`, 0 for null. Only meaningful inside its store.
    FuncRef(usize),
    /// An `externref`: an opaque host word, 0 for null.
    ExternRef(usize),
}

impl Val {
    /// The default (zero / null) value of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::Ref(r) => Val::null(r),
            ValType::V128 => Val::V128(0),
        }
    }

    pub fn null(ty: RefType) -> Val {
        if ty.is_func() { Val::FuncRef(0) } else { Val::ExternRef(0) }
    }

    pub fn ty_matches(&self, ty: ValType) -> bool {
        match (self, ty) {
            (Val::I32(_), ValType::I32)
            | (Val::I64(_), ValType::I64)
            | (Val::F32(_), ValType::F32)
            | (Val::F64(_), ValType::F64)
            | (Val::V128(_), ValType::V128) => true,
            // A non-nullable type takes no null. (Which function type a non-null reference
            // has is not checked here: a `Val` does not know its module's types.)
            (Val::FuncRef(p), ValType::Ref(r)) => r.is_func() && (*p != 0 || r.is_nullable()),
            (Val::ExternRef(_), ValType::Ref(r)) => !r.is_func(),
            _ => false,
        }
    }

    pub fn to_raw(self) -> ValRaw {
        if let Val::V128(v) = self {
            return ValRaw(v);
        }
        let bits: u64 = match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(p) | Val::ExternRef(p) => p as u64,
            Val::V128(_) => unreachable!("returned above"),
        };
        ValRaw(bits as u128)
    }

    pub fn from_raw(raw: ValRaw, ty: ValType) -> Val {
        let bits = raw.0 as u64;
        match ty {
            ValType::I32 => Val::I32(bits as u32 as i32),
            ValType::I64 => Val::I64(bits as i64),
            ValType::F32 => Val::F32(bits as u32),
            ValType::F64 => Val::F64(bits),
            ValType::Ref(r) if r.is_func() => Val::FuncRef(bits as usize),
            ValType::Ref(_) => Val::ExternRef(bits as usize),
            ValType::V128 => Val::V128(raw.0),
        }
    }
}

/// One value slot of the host<->Wasm calling arrays (16 bytes: a v128 fills it).
/// Scalars sit in the low bytes, little-endian, as generated code stores them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(16))]
pub struct ValRaw(pub u128);
