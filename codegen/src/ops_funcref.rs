//! Typed function references: `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`,
//! `br_on_non_null`.
//!
//! A function reference on the value stack is a `*const VMFuncRef` and null is 0 (only table
//! words use the sentinel, see `vmoffsets`), so every null test here is a compare with zero.
//! Validation has already checked the reference's type against `call_ref`'s type index, so
//! unlike `call_indirect` there is no signature check at run time.

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, types};
use wasmparser::Operator;

use crate::func_translator::{FuncTranslator, Result};
use crate::trap::TrapKind;
use crate::vmoffsets;

impl FuncTranslator<'_, '_> {
    pub(crate) fn translate_funcref(&mut self, op: &Operator<'_>) -> Result<bool> {
        match *op {
            Operator::CallRef { type_index } => self.translate_call_ref(type_index, false),
            Operator::ReturnCallRef { type_index } => self.translate_call_ref(type_index, true),
            Operator::RefAsNonNull => {
                let r = *self.stack.last().expect("validated");
                self.b.ins().trapz(r, TrapKind::NullReference.to_code());
            }
            Operator::BrOnNull { relative_depth } => {
                // Branch without the reference; fall through with it (now known non-null).
                let r = self.pop();
                let (target, args) = self.exit_args(relative_depth);
                let fallthrough = self.b.create_block();
                self.b.ins().brif(r, fallthrough, &[], target, &args);
                self.emit_exit_blocks();
                self.b.switch_to_block(fallthrough);
                self.b.seal_block(fallthrough);
                self.push(r);
            }
            Operator::BrOnNonNull { relative_depth } => {
                // The reference is the label's last argument; fall through without it.
                let r = *self.stack.last().expect("validated");
                let (target, args) = self.exit_args(relative_depth);
                let fallthrough = self.b.create_block();
                self.b.ins().brif(r, target, &args, fallthrough, &[]);
                self.emit_exit_blocks();
                self.b.switch_to_block(fallthrough);
                self.b.seal_block(fallthrough);
                self.pop();
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn translate_call_ref(&mut self, type_index: u32, tail: bool) {
        let callee = self.pop();
        let n = self.env.module.types[type_index as usize].params().len();
        let args = self.popn(n);
        self.b.ins().trapz(callee, TrapKind::NullFuncReference.to_code());
        // A VMFuncRef never changes once a reference to it exists.
        let flags = MemFlagsData::trusted().with_readonly();
        let code = self.b.ins().load(types::I64, flags, callee, vmoffsets::func_ref::CODE);
        let callee_vmctx = self.b.ins().load(types::I64, flags, callee, vmoffsets::func_ref::VMCTX);
        self.emit_indirect_call(type_index, code, callee_vmctx, args, tail);
    }
}
