//! Per-signature trampolines between the host's C calling convention and Wasm's `tail` one.
//!
//! Arguments and results travel in an array of 16-byte slots (`ValRaw` in the runtime), so one
//! host-side function shape serves every Wasm signature.

use cranelift_codegen::ir::{Function, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, UserFuncName, types};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cwali_frontend::FuncType;

use crate::signatures::{array_signature, host_signature, ir_type, wasm_signature};
use crate::vmoffsets;

const SLOT: i32 = 16;

/// Flags of a value slot access: trusted, but the host's array is not promised to be 16-byte
/// aligned, so a `v128` access must not become an aligned vector move.
fn slot_flags(ty: types::Type) -> MemFlagsData {
    if ty.is_vector() { MemFlagsData::new().with_notrap() } else { MemFlagsData::trusted() }
}

/// What the array trampoline puts in the pinned register for the Wasm code it calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// Safepoints off: the register is not reserved.
    Nothing,
    /// The callee store's limits (safepoint polls read the pending flag through it).
    Limits,
    /// Poll pages ([`crate::POLL_PAGES`]): no register is pinned (polls find the page through
    /// the VMContext); the callee's VMContext is recorded as the store's entry VMContext for the
    /// safepoint hook.
    PollPage,
}

/// `extern "C" fn(callee_vmctx, caller_vmctx, code, values)`: load the arguments from
/// `values`, call `code`, store the results back into `values`. With safepoints it also sets
/// the pinned register (see [`Pin`]) and restores the host's value afterwards (the register is
/// callee-saved in the C convention), and likewise the store's entry VMContext.
pub fn array_trampoline(ty: &FuncType, name: UserFuncName, isa: &dyn TargetIsa, pin: Pin) -> Function {
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
        args.push(b.ins().load(ir_type(*t), slot_flags(ir_type(*t)), values, SLOT * i as i32));
    }
    let sig = b.import_signature(wasm_signature(ty));
    let saved = (pin == Pin::Limits).then(|| {
        let saved = b.ins().get_pinned_reg(types::I64);
        let limits = b.ins().load(types::I64, flags, callee, crate::VMOffsets::LIMITS);
        b.ins().set_pinned_reg(limits);
        saved
    });
    let entry = (pin == Pin::PollPage).then(|| {
        let limits = b.ins().load(types::I64, flags, callee, crate::VMOffsets::LIMITS);
        let entry_vmctx = b.ins().load(types::I64, flags, limits, vmoffsets::limits::ENTRY_VMCTX);
        b.ins().store(flags, callee, limits, vmoffsets::limits::ENTRY_VMCTX);
        (limits, entry_vmctx)
    });
    let call = b.ins().call_indirect(sig, code, &args);
    let results = b.inst_results(call).to_vec();
    if let Some(saved) = saved {
        b.ins().set_pinned_reg(saved);
    }
    if let Some((limits, entry_vmctx)) = entry {
        b.ins().store(flags, entry_vmctx, limits, vmoffsets::limits::ENTRY_VMCTX);
    }
    for (i, r) in results.into_iter().enumerate() {
        let ty = b.func.dfg.value_type(r);
        b.ins().store(slot_flags(ty), r, values, SLOT * i as i32);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    func
}

/// A Wasm-convention function that spills its arguments to a stack array and calls the host
/// function whose pointer sits at `callee_vmctx + 0` with `(callee_vmctx, caller_vmctx, values)`.
/// The host function returns 0, or an exception to throw into the caller: then the trampoline
/// calls the throw entry at `callee_vmctx + 8` (`(callee_vmctx, exnref)`, never returns), which
/// starts the handler search at the trampoline's caller.
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
        let ty = b.func.dfg.value_type(*p);
        b.ins().store(slot_flags(ty), *p, values, SLOT * i as i32);
    }
    let host_fn = b.ins().load(types::I64, flags, params[0], 0);
    let sig = b.import_signature(host_signature(isa));
    let call = b.ins().call_indirect(sig, host_fn, &[params[0], params[1], values]);
    let exn = b.inst_results(call)[0];
    let throw = b.create_block();
    let ok = b.create_block();
    b.set_cold_block(throw);
    b.ins().brif(exn, throw, &[], ok, &[]);
    b.seal_block(throw);
    b.seal_block(ok);
    b.switch_to_block(throw);
    let throw_fn = b.ins().load(types::I64, flags, params[0], 8);
    let mut throw_sig = cranelift_codegen::ir::Signature::new(isa.default_call_conv());
    throw_sig.params.extend([cranelift_codegen::ir::AbiParam::new(types::I64); 2]);
    let throw_sig = b.import_signature(throw_sig);
    b.ins().call_indirect(throw_sig, throw_fn, &[params[0], exn]);
    b.ins().trap(crate::TrapKind::Unreachable.to_code());
    b.switch_to_block(ok);
    let results: Vec<_> = ty
        .results()
        .iter()
        .enumerate()
        .map(|(i, t)| b.ins().load(ir_type(*t), slot_flags(ir_type(*t)), values, SLOT * i as i32))
        .collect();
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    func
}
