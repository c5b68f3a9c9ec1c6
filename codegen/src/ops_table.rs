//! Tables and references: `table.*`, `elem.drop`, `ref.null`, `ref.is_null`, `ref.func`.
//!
//! Table elements are pointer-sized words (a `*const VMFuncRef` or an externref word), read and
//! written inline after an explicit bounds check; everything that can move many elements or grow
//! the table is a builtin.
//!
//! Funcref tables are initialised lazily (see `vmoffsets`): a word read as 0 goes through the
//! cold `TableLazyInit` call, and null is stored as the runtime's sentinel, so `table.get` and
//! `table.set` translate between it and the 0 that stands for null everywhere else.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use wasmparser::Operator;

use crate::builtins::Builtin;
use crate::func_translator::{FuncTranslator, Result, block_args};
use crate::trap::TrapKind;
use crate::vmoffsets::{self, VMOffsets};
use cwali_frontend::RefTypeExt as _;

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
            O::TableGet { table } if self.is_func_table(table) => {
                let index = self.pop();
                let elem = self.table_element(table, index);
                let null = self.load_vmctx_readonly(I64, VMOffsets::NULL_FUNC_REF);
                let is_null = self.b.ins().icmp(IntCC::Equal, elem, null);
                let zero = self.b.ins().iconst(I64, 0);
                let v = self.b.ins().select(is_null, zero, elem);
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
                let word = if self.is_func_table(table) {
                    // A stored 0 would read back as "not initialised yet".
                    let null = self.load_vmctx_readonly(I64, VMOffsets::NULL_FUNC_REF);
                    let is_null = self.b.ins().icmp_imm_s(IntCC::Equal, value, 0);
                    self.b.ins().select(is_null, null, value)
                } else {
                    value
                };
                self.b.ins().store(MemFlagsData::trusted(), word, addr, 0);
            }
            O::TableSize { table } => {
                let def = self.table_def(table);
                let len = self.b.ins().load(I64, MemFlagsData::trusted(), def, vmoffsets::table::LENGTH);
                let v = if self.table_is_64(table) { len } else { self.b.ins().ireduce(I32, len) };
                self.push(v);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let delta = self.widen_address(delta);
                let t = self.b.ins().iconst(I32, table as i64);
                let v = self.call_builtin(Builtin::TableGrow, &[t, init, delta]).unwrap();
                let v = if self.table_is_64(table) { v } else { self.b.ins().ireduce(I32, v) };
                self.push(v);
            }
            O::TableFill { table } => {
                let (dst, value, len) = self.pop3();
                let (dst, len) = (self.widen_address(dst), self.widen_address(len));
                let t = self.b.ins().iconst(I32, table as i64);
                self.call_builtin(Builtin::TableFill, &[t, dst, value, len]);
            }
            O::TableCopy { dst_table, src_table } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (self.widen_address(dst), self.widen_address(src), self.widen_address(len));
                let d = self.b.ins().iconst(I32, dst_table as i64);
                let s = self.b.ins().iconst(I32, src_table as i64);
                self.call_builtin(Builtin::TableCopy, &[d, s, dst, src, len]);
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let dst = self.widen_address(dst);
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

    /// Address of element `index` (i32, or i64 for a 64-bit table) of `table`, trapping when
    /// out of bounds.
    fn table_element_addr(&mut self, table: u32, index: Value) -> Value {
        let def = self.table_def(table);
        let len = self.b.ins().load(types::I64, MemFlagsData::trusted(), def, vmoffsets::table::LENGTH);
        let index = self.widen_address(index);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.b.ins().trapnz(oob, TrapKind::TableOutOfBounds.to_code());
        let base = self.b.ins().load(types::I64, MemFlagsData::trusted(), def, vmoffsets::table::BASE);
        let scaled = self.b.ins().ishl_imm_s(index, 3);
        self.b.ins().iadd(base, scaled)
    }

    /// Whether `table` is a 64-bit table (table64: i64 indices and sizes).
    fn table_is_64(&self, table: u32) -> bool {
        self.env.module.tables[table as usize].ty.table64
    }

    fn is_func_table(&self, table: u32) -> bool {
        self.env.module.tables[table as usize].ty.element_type.is_func()
    }

    /// The element `index` (i32, or i64 for a 64-bit table) of funcref `table`, initialised: a `VMFuncRef` pointer, the
    /// null sentinel for null. The hot path is a load and a zero test (the null check of old);
    /// a 0 word takes the cold path, where the runtime stores the element and it is reloaded.
    pub(crate) fn table_element(&mut self, table: u32, index: Value) -> Value {
        let addr = self.table_element_addr(table, index);
        let word = self.b.ins().load(types::I64, MemFlagsData::trusted(), addr, 0);
        let init = self.b.create_block();
        let ready = self.b.create_block();
        let elem = self.b.append_block_param(ready, types::I64);
        self.b.set_cold_block(init);
        self.b.ins().brif(word, ready, &block_args(&[word]), init, &[]);
        self.b.switch_to_block(init);
        self.b.seal_block(init);
        // In bounds, so below the runtime's table size limit: it fits in 32 bits.
        let index64 = self.widen_address(index);
        let packed = self.b.ins().iadd_imm_s(index64, (table as i64) << 32);
        self.call_builtin(Builtin::TableLazyInit, &[packed]);
        let resolved = self.b.ins().load(types::I64, MemFlagsData::trusted(), addr, 0);
        self.b.ins().jump(ready, &block_args(&[resolved]));
        self.b.switch_to_block(ready);
        self.b.seal_block(ready);
        elem
    }
}
