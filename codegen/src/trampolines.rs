//! Per-signature trampolines between the host's C calling convention and Wasm's `tail` one.
//!
//! Arguments and results travel in an array of 16-byte slots (`ValRaw` in the runtime), so one
//! host-side function shape serves every Wasm signature.

use cranelift_codegen::ir::{Function, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, UserFuncName, types};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cwali_frontend::FuncType;

use crate::signatures::{array_signature, host_signature, ir_type, wasm_signature};

const SLOT: i32 = 16;

/// `extern "C" fn(callee_vmctx, caller_vmctx, code, values)`: load the arguments from
/// `values`, call `code`, store the results back into `values`. With `pin_limits` (safepoints
/// on) it also puts the callee store's limits pointer in the pinned register, restoring the
/// host's value afterwards (the register is callee-saved in the C convention).
pub fn array_trampoline(ty: &FuncType, name: UserFuncName, isa: &dyn TargetIsa, pin_limits: bool) -> Function {
    let mut func = Function::with_name_signature(name, array_signature(isa));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let [callee, caller, code, values] = b.block_params(entry).try_into().unwrap();
    let flags = MemFlagsData::trusted();
    let mut args = vec![callee, caller];
    for (i, t) in ty.params().iter().enumerate() {
        args.push(b.ins().load(ir_type(*t), flags, values, SLOT * i as i32));
    }
    let sig = b.import_signature(wasm_signature(ty));
    let saved = pin_limits.then(|| {
        let saved = b.ins().get_pinned_reg(types::I64);
        let limits = b.ins().load(types::I64, flags, callee, crate::VMOffsets::LIMITS);
        b.ins().set_pinned_reg(limits);
        saved
    });
    let call = b.ins().call_indirect(sig, code, &args);
    let results = b.inst_results(call).to_vec();
    if let Some(saved) = saved {
        b.ins().set_pinned_reg(saved);
    }
    for (i, r) in results.into_iter().enumerate() {
        b.ins().store(flags, r, values, SLOT * i as i32);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    func
}

/// A Wasm-convention function that spills its arguments to a stack array and calls the host
/// function whose pointer sits at `callee_vmctx + 0` with `(callee_vmctx, caller_vmctx, values)`.
pub fn host_trampoline(ty: &FuncType, name: UserFuncName, isa: &dyn TargetIsa) -> Function {
    let mut func = Function::with_name_signature(name, wasm_signature(ty));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let slots = ty.params().len().max(ty.results().len()).max(1) as u32;
    let ss = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, slots * SLOT as u32, 4));
    let values = b.ins().stack_addr(types::I64, ss, 0);
    let flags = MemFlagsData::trusted();
    for (i, p) in params[2..].iter().enumerate() {
        b.ins().store(flags, *p, values, SLOT * i as i32);
    }
    let host_fn = b.ins().load(types::I64, flags, params[0], 0);
    let sig = b.import_signature(host_signature(isa));
    b.ins().call_indirect(sig, host_fn, &[params[0], params[1], values]);
    let results: Vec<_> = ty
        .results()
        .iter()
        .enumerate()
        .map(|(i, t)| b.ins().load(ir_type(*t), flags, values, SLOT * i as i32))
        .collect();
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    func
}
