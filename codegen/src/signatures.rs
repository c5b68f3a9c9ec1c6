//! Cranelift signatures of Wasm functions, host entry points and builtins.

use cranelift_codegen::ir::{AbiParam, ArgumentPurpose, Signature, types};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cwali_frontend::{FuncType, ValType};

use crate::builtins::{Builtin, BuiltinType};

/// The Cranelift type of a Wasm value: references are pointer-sized.
pub fn ir_type(ty: ValType) -> types::Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::Ref(_) => types::I64,
        ValType::V128 => types::I8X16,
    }
}

/// `(callee_vmctx, caller_vmctx, params...) -> results` in the `tail` convention.
pub fn wasm_signature(ty: &FuncType) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
    sig.params.push(AbiParam::new(types::I64));
    sig.params.extend(ty.params().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig.returns.extend(ty.results().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig
}

/// `extern "C" fn(callee_vmctx, caller_vmctx, code, values)`: how the host enters Wasm.
pub fn array_signature(isa: &dyn TargetIsa) -> Signature {
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.extend([AbiParam::new(types::I64); 4]);
    sig
}

/// `extern "C" fn(host_ctx, caller_vmctx, values) -> exnref`: how Wasm calls a host function
/// (0: returned normally; otherwise an exception to throw into the caller).
pub fn host_signature(isa: &dyn TargetIsa) -> Signature {
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.extend([AbiParam::new(types::I64); 3]);
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

pub fn builtin_signature(builtin: Builtin, isa: &dyn TargetIsa) -> Signature {
    let ty = |t: BuiltinType| match t {
        BuiltinType::VmCtx | BuiltinType::I64 => types::I64,
        BuiltinType::I32 => types::I32,
    };
    let call_conv = if builtin.preserves_registers() { CallConv::PreserveAll } else { isa.default_call_conv() };
    let mut sig = Signature::new(call_conv);
    sig.params.extend(builtin.params().iter().map(|t| AbiParam::new(ty(*t))));
    sig.returns.extend(builtin.result().map(|t| AbiParam::new(ty(t))));
    sig
}
