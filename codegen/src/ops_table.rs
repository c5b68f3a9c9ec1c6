//! Tables and references: `table.*`, `elem.drop`, `ref.null`, `ref.is_null`, `ref.func`.
//!
//! Table elements are pointer-sized words (a `*const VMFuncRef` or an externref word, 0 for
//! null), read and written inline after an explicit bounds check; everything that can move
//! many elements or grow the table is a builtin.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use wasmparser::Operator;

use crate::builtins::Builtin;
use crate::func_translator::{FuncTranslator, Result};
use crate::trap::TrapKind;
use crate::vmoffsets;

impl FuncTranslator<'_, '_> {
    pub(crate) fn translate_table(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        use types::{I32, I64};
        match *op {
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let r = self.pop();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                let v = self.b.ins().uextend(I32, c);
                self.push(v);
            }
            O::RefFunc { function_index } => {
                let offset = self.env.offsets.func_ref(function_index);
                let v = self.b.ins().iadd_imm_s(self.vmctx, offset as i64);
                self.push(v);
            }
            O::TableGet { table } => {
                let index = self.pop();
                let addr = self.table_element_addr(table, index);
                let v = self.b.ins().load(I64, MemFlagsData::trusted(), addr, 0);
                self.push(v);
            }
            O::TableSet { table } => {
                let (index, value) = self.pop2();
                let addr = self.table_element_addr(table, index);
                self.b.ins().store(MemFlagsData::trusted(), value, addr, 0);
            }
            O::TableSize { table } => {
                let def = self.table_def(table);
                let len = self.b.ins().load(I64, MemFlagsData::trusted(), def, vmoffsets::table::LENGTH);
                let v = self.b.ins().ireduce(I32, len);
                self.push(v);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let t = self.b.ins().iconst(I32, table as i64);
                let v = self.call_builtin(Builtin::TableGrow, &[t, init, delta]).unwrap();
                self.push(v);
            }
            O::TableFill { table } => {
                let (dst, value, len) = self.pop3();
                let t = self.b.ins().iconst(I32, table as i64);
                self.call_builtin(Builtin::TableFill, &[t, dst, value, len]);
            }
            O::TableCopy { dst_table, src_table } => {
                let (dst, src, len) = self.pop3();
                let d = self.b.ins().iconst(I32, dst_table as i64);
                let s = self.b.ins().iconst(I32, src_table as i64);
                self.call_builtin(Builtin::TableCopy, &[d, s, dst, src, len]);
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let t = self.b.ins().iconst(I32, table as i64);
                let e = self.b.ins().iconst(I32, elem_index as i64);
                self.call_builtin(Builtin::TableInit, &[t, e, dst, src, len]);
            }
            O::ElemDrop { elem_index } => {
                let e = self.b.ins().iconst(I32, elem_index as i64);
                self.call_builtin(Builtin::ElemDrop, &[e]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The `VMTableDefinition` pointer of a table.
    fn table_def(&mut self, table: u32) -> Value {
        let offset = self.env.offsets.table(table);
        self.load_vmctx_readonly(types::I64, offset)
    }

    /// Address of element `index` (i32) of `table`, trapping when out of bounds.
    fn table_element_addr(&mut self, table: u32, index: Value) -> Value {
        let def = self.table_def(table);
        let len = self.b.ins().load(types::I64, MemFlagsData::trusted(), def, vmoffsets::table::LENGTH);
        let index = self.b.ins().uextend(types::I64, index);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.b.ins().trapnz(oob, TrapKind::TableOutOfBounds.to_code());
        let base = self.b.ins().load(types::I64, MemFlagsData::trusted(), def, vmoffsets::table::BASE);
        let scaled = self.b.ins().ishl_imm_s(index, 3);
        self.b.ins().iadd(base, scaled)
    }

    /// The element `index` of `table` (for `call_indirect`): a funcref, possibly null.
    pub(crate) fn table_element(&mut self, table: u32, index: Value) -> Value {
        let addr = self.table_element_addr(table, index);
        self.b.ins().load(types::I64, MemFlagsData::trusted(), addr, 0)
    }
}
