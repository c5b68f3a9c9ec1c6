//! Linear-memory operators: loads, stores, `memory.*`, `data.drop` and the atomics.
//!
//! Address computation is the one place that knows the bounds-checking strategy
//! ([`FuncTranslator::heap_addr`]). Atomics always check bounds and alignment explicitly, so
//! the only faulting instructions are plain loads and stores, whose trap code is recorded.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AtomicRmwOp, InstBuilder, MemFlagsData, TrapCode, Value, types};
use wasmparser::{MemArg, Operator};

use crate::builtins::Builtin;
use crate::func_translator::{FuncTranslator, Result};
use crate::trap::TrapKind;
use crate::{BoundsChecks, GUARD_REGION};

/// How a load extends a narrow value.
#[derive(Clone, Copy)]
enum Ext {
    None,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
}

impl FuncTranslator<'_, '_> {
    pub(crate) fn translate_memory(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        use types::{F32, F64, I32, I64};
        match *op {
            O::I32Load { memarg } => self.load(memarg, I32, Ext::None),
            O::I64Load { memarg } => self.load(memarg, I64, Ext::None),
            O::F32Load { memarg } => self.load(memarg, F32, Ext::None),
            O::F64Load { memarg } => self.load(memarg, F64, Ext::None),
            O::I32Load8S { memarg } => self.load(memarg, I32, Ext::S8),
            O::I32Load8U { memarg } => self.load(memarg, I32, Ext::U8),
            O::I32Load16S { memarg } => self.load(memarg, I32, Ext::S16),
            O::I32Load16U { memarg } => self.load(memarg, I32, Ext::U16),
            O::I64Load8S { memarg } => self.load(memarg, I64, Ext::S8),
            O::I64Load8U { memarg } => self.load(memarg, I64, Ext::U8),
            O::I64Load16S { memarg } => self.load(memarg, I64, Ext::S16),
            O::I64Load16U { memarg } => self.load(memarg, I64, Ext::U16),
            O::I64Load32S { memarg } => self.load(memarg, I64, Ext::S32),
            O::I64Load32U { memarg } => self.load(memarg, I64, Ext::U32),
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => self.store(memarg, 4),
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(memarg, 8),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, 1),
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, 2),

            O::MemorySize { mem } => {
                let len = self.memory_length(mem);
                let log2 = self.memory_page_log2(mem);
                let pages = self.b.ins().ushr_imm_s(len, log2 as i64);
                let v = if self.memory_is_64(mem) { pages } else { self.b.ins().ireduce(I32, pages) };
                self.push(v);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let delta = self.widen_address(delta);
                let m = self.b.ins().iconst(I32, mem as i64);
                let v = self.call_builtin(Builtin::MemoryGrow, &[m, delta]).unwrap();
                let v = if self.memory_is_64(mem) { v } else { self.b.ins().ireduce(I32, v) };
                self.push(v);
            }
            O::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let (dst, len) = (self.widen_address(dst), self.widen_address(len));
                self.check_bulk_range(mem, &[dst], len);
                let base = self.memory_base(mem);
                let p = self.b.ins().iadd(base, dst);
                self.call_builtin(Builtin::Memset, &[p, val, len]);
            }
            O::MemoryCopy { dst_mem, src_mem } if dst_mem == src_mem => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (self.widen_address(dst), self.widen_address(src), self.widen_address(len));
                self.check_bulk_range(dst_mem, &[dst, src], len);
                let base = self.memory_base(dst_mem);
                let d = self.b.ins().iadd(base, dst);
                let s = self.b.ins().iadd(base, src);
                self.call_builtin(Builtin::Memmove, &[d, s, len]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (self.widen_address(dst), self.widen_address(src), self.widen_address(len));
                let d = self.b.ins().iconst(I32, dst_mem as i64);
                let s = self.b.ins().iconst(I32, src_mem as i64);
                self.call_builtin(Builtin::MemoryCopy, &[d, s, dst, src, len]);
            }
            O::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let dst = self.widen_address(dst);
                let m = self.b.ins().iconst(I32, mem as i64);
                let seg = self.b.ins().iconst(I32, data_index as i64);
                self.call_builtin(Builtin::MemoryInit, &[m, seg, dst, src, len]);
            }
            O::DataDrop { data_index } => {
                let seg = self.b.ins().iconst(I32, data_index as i64);
                self.call_builtin(Builtin::DataDrop, &[seg]);
            }

            O::AtomicFence => {
                self.b.ins().fence();
            }
            O::MemoryAtomicNotify { memarg } => {
                let count = self.pop();
                let addr = self.pop();
                let ea = self.atomic_ea_ordered(memarg, addr, 4, true);
                let mem = self.b.ins().iconst(I32, memarg.memory as i64);
                let v = self.call_builtin(Builtin::AtomicNotify, &[mem, ea, count]).unwrap();
                self.push(v);
            }
            O::MemoryAtomicWait32 { memarg } | O::MemoryAtomicWait64 { memarg } => {
                let (addr, expected, timeout) = self.pop3();
                let wide = matches!(op, O::MemoryAtomicWait64 { .. });
                let ea = self.atomic_ea_ordered(memarg, addr, if wide { 8 } else { 4 }, true);
                let mem = self.b.ins().iconst(I32, memarg.memory as i64);
                let builtin = if wide { Builtin::AtomicWait64 } else { Builtin::AtomicWait32 };
                let v = self.call_builtin(builtin, &[mem, ea, expected, timeout]).unwrap();
                self.push(v);
            }

            O::I32AtomicLoad { memarg } => self.atomic_load(memarg, I32, I32),
            O::I64AtomicLoad { memarg } => self.atomic_load(memarg, I64, I64),
            O::I32AtomicLoad8U { memarg } => self.atomic_load(memarg, I32, types::I8),
            O::I32AtomicLoad16U { memarg } => self.atomic_load(memarg, I32, types::I16),
            O::I64AtomicLoad8U { memarg } => self.atomic_load(memarg, I64, types::I8),
            O::I64AtomicLoad16U { memarg } => self.atomic_load(memarg, I64, types::I16),
            O::I64AtomicLoad32U { memarg } => self.atomic_load(memarg, I64, I32),
            O::I32AtomicStore { memarg } | O::I64AtomicStore32 { memarg } => self.atomic_store(memarg, I32),
            O::I64AtomicStore { memarg } => self.atomic_store(memarg, I64),
            O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => self.atomic_store(memarg, types::I8),
            O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => self.atomic_store(memarg, types::I16),

            O::I32AtomicRmwCmpxchg { memarg } => self.atomic_cmpxchg(memarg, I32, I32),
            O::I64AtomicRmwCmpxchg { memarg } => self.atomic_cmpxchg(memarg, I64, I64),
            O::I32AtomicRmw8CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I32, types::I8),
            O::I32AtomicRmw16CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I32, types::I16),
            O::I64AtomicRmw8CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I64, types::I8),
            O::I64AtomicRmw16CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I64, types::I16),
            O::I64AtomicRmw32CmpxchgU { memarg } => self.atomic_cmpxchg(memarg, I64, I32),

            _ => match atomic_rmw(op) {
                Some((memarg, ty, mem_ty, rmw)) => self.atomic_rmw(memarg, ty, mem_ty, rmw),
                None => return Ok(false),
            },
        }
        Ok(true)
    }

    /// log2 of a memory's page size: 16, or 0 for `(pagesize 1)`. The runtime makes whole host
    /// pages accessible, so with 1-byte pages the bytes after the end up to the next host page do
    /// not fault and every access needs an explicit check.
    fn memory_page_log2(&self, memory: u32) -> u32 {
        self.env.module.memories[memory as usize].page_size_log2.unwrap_or(16)
    }

    /// Whether memory `memory` is a 64-bit memory (memory64: i64 addresses and sizes).
    pub(crate) fn memory_is_64(&self, memory: u32) -> bool {
        self.env.module.memories[memory as usize].memory64
    }

    /// An address or length operand as i64: 32-bit memories' and tables' are zero-extended.
    pub(crate) fn widen_address(&mut self, v: Value) -> Value {
        if self.b.func.dfg.value_type(v) == types::I64 { v } else { self.b.ins().uextend(types::I64, v) }
    }

    /// `a + b` of 64-bit addresses, trapping as out of bounds if it wraps: with a 64-bit memory
    /// an index, an offset and a length can each be close to 2^64. A 32-bit memory's zero-extended
    /// operands cannot wrap, so they take a plain add.
    fn add_address(&mut self, memory: u32, a: Value, b: Value) -> Value {
        if self.memory_is_64(memory) {
            self.b.ins().uadd_overflow_trap(a, b, TrapKind::MemoryOutOfBounds.to_code())
        } else {
            self.b.ins().iadd(a, b)
        }
    }

    /// Host address for an access of `size` bytes at Wasm address `index` + `memarg.offset`,
    /// and the flags to access it with. Traps (or arranges to fault) when out of bounds.
    pub(crate) fn heap_addr(&mut self, memarg: MemArg, index: Value, size: u64) -> (Value, i32, MemFlagsData) {
        let base = self.memory_base(memarg.memory);
        let index = self.widen_address(index);
        let offset = memarg.offset;
        // A memory with 1-byte pages has accessible bytes past its end (see `memory_page_log2`),
        // and a 64-bit index can reach past any guard region: both check every access.
        let guarded = self.env.config.bounds_checks == BoundsChecks::Guard
            && self.memory_page_log2(memarg.memory) == 16
            && !self.memory_is_64(memarg.memory);
        if guarded && offset + size <= GUARD_REGION {
            // The reservation's guard region catches every access: the load itself faults.
            let addr = self.b.ins().iadd(base, index);
            let flags = MemFlagsData::new().with_trap_code(Some(TrapCode::HEAP_OUT_OF_BOUNDS));
            return (addr, offset as i32, flags);
        }
        let end = match offset.checked_add(size) {
            Some(reach) => {
                let reach = self.b.ins().iconst(types::I64, reach as i64);
                self.add_address(memarg.memory, index, reach)
            }
            // Only a 64-bit memory's offset can be this large: no access reaches that far.
            None => {
                self.b.ins().trap(TrapKind::MemoryOutOfBounds.to_code());
                let dead = self.b.create_block();
                self.b.switch_to_block(dead);
                self.b.seal_block(dead);
                self.b.ins().iconst(types::I64, -1)
            }
        };
        let len = self.memory_length(memarg.memory);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.b.ins().trapnz(oob, TrapKind::MemoryOutOfBounds.to_code());
        let addr = self.b.ins().iadd(base, index);
        let addr = self.b.ins().iadd_imm_s(addr, offset as i64);
        (addr, 0, MemFlagsData::trusted())
    }

    fn load(&mut self, memarg: MemArg, ty: types::Type, ext: Ext) {
        let index = self.pop();
        let size = match ext {
            Ext::None => ty.bytes() as u64,
            Ext::S8 | Ext::U8 => 1,
            Ext::S16 | Ext::U16 => 2,
            Ext::S32 | Ext::U32 => 4,
        };
        let (addr, offset, flags) = self.heap_addr(memarg, index, size);
        let ins = self.b.ins();
        let v = match ext {
            Ext::None => ins.load(ty, flags, addr, offset),
            Ext::S8 => ins.sload8(ty, flags, addr, offset),
            Ext::U8 => ins.uload8(ty, flags, addr, offset),
            Ext::S16 => ins.sload16(ty, flags, addr, offset),
            Ext::U16 => ins.uload16(ty, flags, addr, offset),
            Ext::S32 => ins.sload32(flags, addr, offset),
            Ext::U32 => ins.uload32(flags, addr, offset),
        };
        self.push(v);
    }

    fn store(&mut self, memarg: MemArg, size: u64) {
        let value = self.pop();
        let index = self.pop();
        let (addr, offset, flags) = self.heap_addr(memarg, index, size);
        let value_bytes = self.b.func.dfg.value_type(value).bytes() as u64;
        let ins = self.b.ins();
        match (size, value_bytes) {
            (1, _) => ins.istore8(flags, value, addr, offset),
            (2, _) => ins.istore16(flags, value, addr, offset),
            (4, 8) => ins.istore32(flags, value, addr, offset),
            _ => ins.store(flags, value, addr, offset),
        };
    }

    /// Trap unless `[start, start + len)` lies inside memory `mem` for every start. Checked
    /// before any byte is written, as the bulk-memory instructions require.
    fn check_bulk_range(&mut self, mem: u32, starts: &[Value], len: Value) {
        let size = self.memory_length(mem);
        let mut oob = None;
        for &start in starts {
            let end = self.add_address(mem, start, len);
            let past = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
            oob = Some(match oob {
                Some(o) => self.b.ins().bor(o, past),
                None => past,
            });
        }
        if let Some(oob) = oob {
            self.b.ins().trapnz(oob, TrapKind::MemoryOutOfBounds.to_code());
        }
    }

    /// Effective address of an atomic access, checked for alignment and bounds. Returns the
    /// 64-bit Wasm address. When both fail, the trap reported follows Wasmtime: alignment first,
    /// except that notify and wait report an address past 4 GiB as out of bounds before looking
    /// at its alignment.
    fn atomic_ea(&mut self, memarg: MemArg, index: Value, size: u64) -> Value {
        self.atomic_ea_ordered(memarg, index, size, false)
    }

    fn atomic_ea_ordered(&mut self, memarg: MemArg, index: Value, size: u64, bounds_first: bool) -> Value {
        let index = self.widen_address(index);
        // Wrapping: alignment is checked on the wrapped sum first (as Wasmtime does); a 64-bit
        // sum that wrapped is out of bounds, checked after it.
        let ea = self.b.ins().iadd_imm_s(index, memarg.offset as i64);
        let wrapped = self.memory_is_64(memarg.memory).then(|| self.b.ins().icmp(IntCC::UnsignedLessThan, ea, index));
        if bounds_first && !self.memory_is_64(memarg.memory) {
            let past_4gib = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, ea, u32::MAX as i64);
            self.b.ins().trapnz(past_4gib, TrapKind::MemoryOutOfBounds.to_code());
        }
        if size > 1 {
            let misaligned = self.b.ins().band_imm_s(ea, (size - 1) as i64);
            self.b.ins().trapnz(misaligned, TrapKind::UnalignedAtomic.to_code());
        }
        if let Some(wrapped) = wrapped {
            self.b.ins().trapnz(wrapped, TrapKind::MemoryOutOfBounds.to_code());
        }
        self.atomic_bounds(memarg, ea, size);
        ea
    }

    fn atomic_bounds(&mut self, memarg: MemArg, ea: Value, size: u64) {
        let size = self.b.ins().iconst(types::I64, size as i64);
        let end = self.add_address(memarg.memory, ea, size);
        let len = self.memory_length(memarg.memory);
        let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.b.ins().trapnz(oob, TrapKind::MemoryOutOfBounds.to_code());
    }

    fn atomic_addr(&mut self, memarg: MemArg, index: Value, size: u64) -> Value {
        let ea = self.atomic_ea(memarg, index, size);
        let base = self.memory_base(memarg.memory);
        self.b.ins().iadd(base, ea)
    }

    /// Narrow `v` (of the operator's type) to the access type.
    fn narrow(&mut self, v: Value, mem_ty: types::Type) -> Value {
        if self.b.func.dfg.value_type(v) == mem_ty { v } else { self.b.ins().ireduce(mem_ty, v) }
    }

    fn widen(&mut self, v: Value, ty: types::Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty { v } else { self.b.ins().uextend(ty, v) }
    }

    fn atomic_load(&mut self, memarg: MemArg, ty: types::Type, mem_ty: types::Type) {
        let index = self.pop();
        let addr = self.atomic_addr(memarg, index, mem_ty.bytes() as u64);
        let v = self.b.ins().atomic_load(mem_ty, MemFlagsData::trusted(), addr);
        let v = self.widen(v, ty);
        self.push(v);
    }

    fn atomic_store(&mut self, memarg: MemArg, mem_ty: types::Type) {
        let value = self.pop();
        let index = self.pop();
        let addr = self.atomic_addr(memarg, index, mem_ty.bytes() as u64);
        let value = self.narrow(value, mem_ty);
        self.b.ins().atomic_store(MemFlagsData::trusted(), value, addr);
    }

    fn atomic_rmw(&mut self, memarg: MemArg, ty: types::Type, mem_ty: types::Type, op: AtomicRmwOp) {
        let value = self.pop();
        let index = self.pop();
        let addr = self.atomic_addr(memarg, index, mem_ty.bytes() as u64);
        let value = self.narrow(value, mem_ty);
        let old = self.b.ins().atomic_rmw(mem_ty, MemFlagsData::trusted(), op, addr, value);
        let old = self.widen(old, ty);
        self.push(old);
    }

    fn atomic_cmpxchg(&mut self, memarg: MemArg, ty: types::Type, mem_ty: types::Type) {
        let (index, expected, replacement) = self.pop3();
        let addr = self.atomic_addr(memarg, index, mem_ty.bytes() as u64);
        let expected = self.narrow(expected, mem_ty);
        let replacement = self.narrow(replacement, mem_ty);
        let old = self.b.ins().atomic_cas(MemFlagsData::trusted(), addr, expected, replacement);
        let old = self.widen(old, ty);
        self.push(old);
    }
}

/// Decode the read-modify-write atomics: (memarg, operator type, access type, operation).
fn atomic_rmw(op: &Operator<'_>) -> Option<(MemArg, types::Type, types::Type, AtomicRmwOp)> {
    use AtomicRmwOp::*;
    use Operator as O;
    use types::{I8, I16, I32, I64};
    Some(match *op {
        O::I32AtomicRmwAdd { memarg } => (memarg, I32, I32, Add),
        O::I64AtomicRmwAdd { memarg } => (memarg, I64, I64, Add),
        O::I32AtomicRmw8AddU { memarg } => (memarg, I32, I8, Add),
        O::I32AtomicRmw16AddU { memarg } => (memarg, I32, I16, Add),
        O::I64AtomicRmw8AddU { memarg } => (memarg, I64, I8, Add),
        O::I64AtomicRmw16AddU { memarg } => (memarg, I64, I16, Add),
        O::I64AtomicRmw32AddU { memarg } => (memarg, I64, I32, Add),
        O::I32AtomicRmwSub { memarg } => (memarg, I32, I32, Sub),
        O::I64AtomicRmwSub { memarg } => (memarg, I64, I64, Sub),
        O::I32AtomicRmw8SubU { memarg } => (memarg, I32, I8, Sub),
        O::I32AtomicRmw16SubU { memarg } => (memarg, I32, I16, Sub),
        O::I64AtomicRmw8SubU { memarg } => (memarg, I64, I8, Sub),
        O::I64AtomicRmw16SubU { memarg } => (memarg, I64, I16, Sub),
        O::I64AtomicRmw32SubU { memarg } => (memarg, I64, I32, Sub),
        O::I32AtomicRmwAnd { memarg } => (memarg, I32, I32, And),
        O::I64AtomicRmwAnd { memarg } => (memarg, I64, I64, And),
        O::I32AtomicRmw8AndU { memarg } => (memarg, I32, I8, And),
        O::I32AtomicRmw16AndU { memarg } => (memarg, I32, I16, And),
        O::I64AtomicRmw8AndU { memarg } => (memarg, I64, I8, And),
        O::I64AtomicRmw16AndU { memarg } => (memarg, I64, I16, And),
        O::I64AtomicRmw32AndU { memarg } => (memarg, I64, I32, And),
        O::I32AtomicRmwOr { memarg } => (memarg, I32, I32, Or),
        O::I64AtomicRmwOr { memarg } => (memarg, I64, I64, Or),
        O::I32AtomicRmw8OrU { memarg } => (memarg, I32, I8, Or),
        O::I32AtomicRmw16OrU { memarg } => (memarg, I32, I16, Or),
        O::I64AtomicRmw8OrU { memarg } => (memarg, I64, I8, Or),
        O::I64AtomicRmw16OrU { memarg } => (memarg, I64, I16, Or),
        O::I64AtomicRmw32OrU { memarg } => (memarg, I64, I32, Or),
        O::I32AtomicRmwXor { memarg } => (memarg, I32, I32, Xor),
        O::I64AtomicRmwXor { memarg } => (memarg, I64, I64, Xor),
        O::I32AtomicRmw8XorU { memarg } => (memarg, I32, I8, Xor),
        O::I32AtomicRmw16XorU { memarg } => (memarg, I32, I16, Xor),
        O::I64AtomicRmw8XorU { memarg } => (memarg, I64, I8, Xor),
        O::I64AtomicRmw16XorU { memarg } => (memarg, I64, I16, Xor),
        O::I64AtomicRmw32XorU { memarg } => (memarg, I64, I32, Xor),
        O::I32AtomicRmwXchg { memarg } => (memarg, I32, I32, Xchg),
        O::I64AtomicRmwXchg { memarg } => (memarg, I64, I64, Xchg),
        O::I32AtomicRmw8XchgU { memarg } => (memarg, I32, I8, Xchg),
        O::I32AtomicRmw16XchgU { memarg } => (memarg, I32, I16, Xchg),
        O::I64AtomicRmw8XchgU { memarg } => (memarg, I64, I8, Xchg),
        O::I64AtomicRmw16XchgU { memarg } => (memarg, I64, I16, Xchg),
        O::I64AtomicRmw32XchgU { memarg } => (memarg, I64, I32, Xchg),
        _ => return None,
    })
}
