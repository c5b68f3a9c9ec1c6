//! Constant expressions (global initializers, segment offsets, element items), kept as a short
//! list of operators that the runtime evaluates at instantiation.

use wasmparser::{Operator, RefType};

/// One operator of a constant expression (extended-const included).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstOp {
    I32Const(i32),
    I64Const(i64),
    /// Raw bits, so NaN payloads survive.
    F32Const(u32),
    F64Const(u64),
    /// A `v128.const`, little-endian.
    V128Const(u128),
    GlobalGet(u32),
    RefNull(RefType),
    RefFunc(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A validated constant expression; evaluate it as a stack machine that ends with one value.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstExpr {
    pub ops: Vec<ConstOp>,
}

impl ConstExpr {
    pub fn ref_func(func: u32) -> Self {
        ConstExpr { ops: vec![ConstOp::RefFunc(func)] }
    }

    /// The function a `ref.func N` expression names, if that is what it is.
    pub fn as_ref_func(&self) -> Option<u32> {
        match self.ops.as_slice() {
            [ConstOp::RefFunc(f)] => Some(*f),
            _ => None,
        }
    }

    pub(crate) fn read(expr: &wasmparser::ConstExpr<'_>) -> Result<Self, crate::Error> {
        let malformed = |e: wasmparser::BinaryReaderError| crate::Error::Malformed {
            message: e.message().to_string(),
            offset: e.offset(),
        };
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            let op = match reader.read().map_err(malformed)? {
                Operator::I32Const { value } => ConstOp::I32Const(value),
                Operator::I64Const { value } => ConstOp::I64Const(value),
                Operator::F32Const { value } => ConstOp::F32Const(value.bits()),
                Operator::F64Const { value } => ConstOp::F64Const(value.bits()),
                Operator::V128Const { value } => ConstOp::V128Const(u128::from_le_bytes(*value.bytes())),
                Operator::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                Operator::RefNull { hty } => {
                    let ty = RefType::new(true, hty).expect("validated heap type fits a RefType");
                    if crate::parse::is_gc_type(wasmparser::ValType::Ref(ty)) {
                        return Err(crate::Error::Unsupported {
                            message: format!("Wasm GC is not implemented (type {ty})"),
                            offset: reader.original_position(),
                        });
                    }
                    ConstOp::RefNull(ty)
                }
                Operator::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                Operator::I32Add => ConstOp::I32Add,
                Operator::I32Sub => ConstOp::I32Sub,
                Operator::I32Mul => ConstOp::I32Mul,
                Operator::I64Add => ConstOp::I64Add,
                Operator::I64Sub => ConstOp::I64Sub,
                Operator::I64Mul => ConstOp::I64Mul,
                Operator::End => continue,
                other if crate::parse::is_gc_operator(&other) => {
                    return Err(crate::Error::Unsupported {
                        message: format!("Wasm GC is not implemented (operator {other:?})"),
                        offset: reader.original_position(),
                    });
                }
                other => {
                    // The validator only lets the operators above through for the features we
                    // enable; anything else is a validator/feature mismatch, reported not panicked.
                    return Err(crate::Error::Unsupported {
                        message: format!("operator in constant expression: {other:?}"),
                        offset: reader.original_position(),
                    });
                }
            };
            ops.push(op);
        }
        Ok(ConstExpr { ops })
    }
}
