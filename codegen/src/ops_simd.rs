//! 128-bit SIMD, relaxed SIMD and wide arithmetic.
//!
//! Wasm has one `v128` type; Cranelift has one vector type per lane shape. Every `v128` on the
//! value stack, in a local, a block parameter, a global or a call is an `I8X16` (see
//! [`crate::signatures::ir_type`]): an operator casts its operands to the lane shape it works
//! on and its result back ([`FuncTranslator::pop_vec`], [`FuncTranslator::push_vec`]). The
//! casts are register no-ops that Cranelift folds away.
//!
//! Most operators are one Cranelift instruction with the Wasm semantics already (`swizzle`
//! gives 0 for out-of-range lanes, `fmin`/`fmax` propagate NaN and order -0 < +0, the
//! `*_sat` conversions saturate and give 0 for NaN, shift amounts are taken modulo the lane
//! width). The others are short sequences: extended multiplies and pairwise adds widen first,
//! `pmin`/`pmax` are a compare and a select, the `*_zero` conversions narrow against zero.
//!
//! Relaxed SIMD is deterministic (see the crate doc): every relaxed operator computes what its
//! non-relaxed counterpart, or the fused or signed form, computes, on every host.
//!
//! Memory accesses go through the same address computation as scalar ones (guard pages or
//! explicit checks); vector loads and stores are never marked aligned, since Wasm only gives
//! an alignment *hint*.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{ConstantData, Endianness, InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmparser::{MemArg, Operator};

use crate::func_translator::{FuncTranslator, Result};

use types::{F32X4, F64X2, I8, I8X16, I16, I16X8, I32, I32X4, I64X2};

/// The Cranelift type every `v128` travels as.
pub(crate) const V128: types::Type = I8X16;

/// Flags of a lane-shape cast (a no-op on little-endian hosts, but the verifier wants the byte
/// order stated when the lane count changes).
fn cast_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// Cast a vector to another lane shape (nothing when it already has it).
pub(crate) fn cast(b: &mut FunctionBuilder<'_>, v: Value, ty: types::Type) -> Value {
    if b.func.dfg.value_type(v) == ty { v } else { b.ins().bitcast(ty, cast_flags(), v) }
}

/// A `v128` constant.
pub(crate) fn vconst(b: &mut FunctionBuilder<'_>, bytes: [u8; 16]) -> Value {
    typed_vconst(b, V128, bytes)
}

fn typed_vconst(b: &mut FunctionBuilder<'_>, ty: types::Type, bytes: [u8; 16]) -> Value {
    let c = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(ty, c)
}

/// How a 64-bit load widens into a vector.
#[derive(Clone, Copy)]
enum Widen {
    S8x8,
    U8x8,
    S16x4,
    U16x4,
    S32x2,
    U32x2,
}

impl FuncTranslator<'_, '_> {
    /// Pop a `v128` as a vector of `ty` lanes.
    pub(crate) fn pop_vec(&mut self, ty: types::Type) -> Value {
        let v = self.pop();
        cast(&mut self.b, v, ty)
    }

    /// Push a vector of any lane shape as a `v128`.
    pub(crate) fn push_vec(&mut self, v: Value) {
        let v = cast(&mut self.b, v, V128);
        self.push(v);
    }

    fn vunary(&mut self, ty: types::Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) {
        let x = self.pop_vec(ty);
        let v = f(&mut self.b, x);
        self.push_vec(v);
    }

    fn vbinary(&mut self, ty: types::Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value) {
        let y = self.pop_vec(ty);
        let x = self.pop_vec(ty);
        let v = f(&mut self.b, x, y);
        self.push_vec(v);
    }

    /// Lane-wise comparison: all ones where it holds, zeros elsewhere.
    fn vicmp(&mut self, ty: types::Type, cc: IntCC) {
        self.vbinary(ty, |b, x, y| b.ins().icmp(cc, x, y));
    }

    fn vfcmp(&mut self, ty: types::Type, cc: FloatCC) {
        self.vbinary(ty, |b, x, y| b.ins().fcmp(cc, x, y));
    }

    /// Shift every lane by a scalar `i32` amount (Cranelift takes it modulo the lane width).
    fn vshift(&mut self, ty: types::Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value) {
        let amount = self.pop();
        let x = self.pop_vec(ty);
        let v = f(&mut self.b, x, amount);
        self.push_vec(v);
    }

    /// `i32` 1 if the predicate over the lanes holds, else 0.
    fn vtest(&mut self, ty: types::Type, all: bool) {
        let x = self.pop_vec(ty);
        let t = if all { self.b.ins().vall_true(x) } else { self.b.ins().vany_true(x) };
        let v = self.b.ins().uextend(I32, t);
        self.push(v);
    }

    fn bitmask(&mut self, ty: types::Type) {
        let x = self.pop_vec(ty);
        let v = self.b.ins().vhigh_bits(I32, x);
        self.push(v);
    }

    fn splat(&mut self, ty: types::Type) {
        let x = self.pop();
        let x = match ty.lane_type() {
            I8 | I16 => self.b.ins().ireduce(ty.lane_type(), x),
            _ => x,
        };
        let v = self.b.ins().splat(ty, x);
        self.push_vec(v);
    }

    /// Extract a lane; narrow integer lanes are extended to `i32` (`signed`: sign-extended).
    fn extract_lane(&mut self, ty: types::Type, lane: u8, signed: bool) {
        let x = self.pop_vec(ty);
        let v = self.b.ins().extractlane(x, lane);
        let v = match (ty.lane_type(), signed) {
            (I8 | I16, true) => self.b.ins().sextend(I32, v),
            (I8 | I16, false) => self.b.ins().uextend(I32, v),
            _ => v,
        };
        self.push(v);
    }

    fn replace_lane(&mut self, ty: types::Type, lane: u8) {
        let x = self.pop();
        let x = match ty.lane_type() {
            I8 | I16 => self.b.ins().ireduce(ty.lane_type(), x),
            _ => x,
        };
        let vec = self.pop_vec(ty);
        let v = self.b.ins().insertlane(vec, x, lane);
        self.push_vec(v);
    }

    fn shuffle(&mut self, lanes: [u8; 16]) {
        let y = self.pop_vec(I8X16);
        let x = self.pop_vec(I8X16);
        let mask = self.b.func.dfg.immediates.push(ConstantData::from(&lanes[..]));
        let v = self.b.ins().shuffle(x, y, mask);
        self.push_vec(v);
    }

    /// `extend_{low,high}`: widen half of the lanes of `from` to twice their width.
    fn extend_half(&mut self, from: types::Type, high: bool, signed: bool) {
        let x = self.pop_vec(from);
        let v = widen_half(&mut self.b, x, high, signed);
        self.push_vec(v);
    }

    /// `extmul_{low,high}`: widen the same half of both operands, then multiply.
    fn extmul(&mut self, from: types::Type, high: bool, signed: bool) {
        let y = self.pop_vec(from);
        let x = self.pop_vec(from);
        let x = widen_half(&mut self.b, x, high, signed);
        let y = widen_half(&mut self.b, y, high, signed);
        let v = self.b.ins().imul(x, y);
        self.push_vec(v);
    }

    /// `extadd_pairwise`: sum adjacent lanes into lanes twice as wide.
    fn extadd_pairwise(&mut self, from: types::Type, signed: bool) {
        let x = self.pop_vec(from);
        let lo = widen_half(&mut self.b, x, false, signed);
        let hi = widen_half(&mut self.b, x, true, signed);
        let v = self.b.ins().iadd_pairwise(lo, hi);
        self.push_vec(v);
    }

    /// `pmin`/`pmax`: `b < a ? b : a` and `a < b ? b : a`, exactly (no NaN or zero-sign rules),
    /// in the operand order the x86 backend matches to `minps`/`maxps`.
    fn pseudo_min_max(&mut self, ty: types::Type, max: bool) {
        let y = self.pop_vec(ty);
        let x = self.pop_vec(ty);
        let (lhs, rhs) = if max { (x, y) } else { (y, x) };
        let lt = self.b.ins().fcmp(FloatCC::LessThan, lhs, rhs);
        let lt = self.b.ins().bitcast(ty, cast_flags(), lt);
        let v = self.b.ins().bitselect(lt, y, x);
        self.push_vec(v);
    }

    /// `i32x4.trunc_sat_f64x2_{s,u}_zero`: convert both lanes with saturation, upper lanes 0.
    fn trunc_sat_f64x2_zero(&mut self, signed: bool) {
        let x = self.pop_vec(F64X2);
        // A `vconst` zero: the x86 backend lowers this narrow only in that exact shape.
        let zero = typed_vconst(&mut self.b, I64X2, [0; 16]);
        let v = if signed {
            let c = self.b.ins().fcvt_to_sint_sat(I64X2, x);
            self.b.ins().snarrow(c, zero)
        } else {
            let c = self.b.ins().fcvt_to_uint_sat(I64X2, x);
            self.b.ins().uunarrow(c, zero)
        };
        self.push_vec(v);
    }

    /// Signed 8-bit dot product of adjacent pairs into 16-bit lanes (wrapping), the
    /// deterministic `i16x8.relaxed_dot_i8x16_i7x16_s`.
    fn dot_i8x16(&mut self, x: Value, y: Value) -> Value {
        let b = &mut self.b;
        let (xl, yl) = (b.ins().swiden_low(x), b.ins().swiden_low(y));
        let lo = b.ins().imul(xl, yl);
        let (xh, yh) = (b.ins().swiden_high(x), b.ins().swiden_high(y));
        let hi = b.ins().imul(xh, yh);
        b.ins().iadd_pairwise(lo, hi)
    }

    // ---- memory ----------------------------------------------------------------------------

    /// Address of a vector access of `size` bytes: the scalar computation, without the
    /// alignment promise of its trusted flags (x86 would then use aligned instructions).
    fn vec_addr(&mut self, memarg: MemArg, index: Value, size: u64) -> (Value, i32, MemFlagsData) {
        let (addr, offset, flags) = self.heap_addr(memarg, index, size);
        let flags = if flags.aligned() { MemFlagsData::new().with_notrap() } else { flags };
        (addr, offset, flags)
    }

    fn v128_load(&mut self, memarg: MemArg) {
        let index = self.pop();
        let (addr, offset, flags) = self.vec_addr(memarg, index, 16);
        let v = self.b.ins().load(V128, flags, addr, offset);
        self.push(v);
    }

    fn v128_store(&mut self, memarg: MemArg) {
        let value = self.pop();
        let index = self.pop();
        let (addr, offset, flags) = self.vec_addr(memarg, index, 16);
        self.b.ins().store(flags, value, addr, offset);
    }

    /// Load 8 bytes and widen each of their lanes.
    fn load_widen(&mut self, memarg: MemArg, w: Widen) {
        let index = self.pop();
        let (addr, offset, flags) = self.vec_addr(memarg, index, 8);
        let ins = self.b.ins();
        let v = match w {
            Widen::S8x8 => ins.sload8x8(flags, addr, offset),
            Widen::U8x8 => ins.uload8x8(flags, addr, offset),
            Widen::S16x4 => ins.sload16x4(flags, addr, offset),
            Widen::U16x4 => ins.uload16x4(flags, addr, offset),
            Widen::S32x2 => ins.sload32x2(flags, addr, offset),
            Widen::U32x2 => ins.uload32x2(flags, addr, offset),
        };
        self.push_vec(v);
    }

    /// Load one lane-sized scalar and copy it to every lane.
    fn load_splat(&mut self, memarg: MemArg, ty: types::Type) {
        let index = self.pop();
        let lane = ty.lane_type();
        let (addr, offset, flags) = self.vec_addr(memarg, index, lane.bytes() as u64);
        let x = self.b.ins().load(lane, flags, addr, offset);
        let v = self.b.ins().splat(ty, x);
        self.push_vec(v);
    }

    /// Load one scalar into lane 0, the other lanes 0.
    fn load_zero(&mut self, memarg: MemArg, ty: types::Type) {
        let index = self.pop();
        let lane = ty.lane_type();
        let (addr, offset, flags) = self.vec_addr(memarg, index, lane.bytes() as u64);
        let x = self.b.ins().load(lane, flags, addr, offset);
        let v = self.b.ins().scalar_to_vector(ty, x);
        self.push_vec(v);
    }

    fn load_lane(&mut self, memarg: MemArg, ty: types::Type, lane: u8) {
        let vec = self.pop_vec(ty);
        let index = self.pop();
        let lane_ty = ty.lane_type();
        let (addr, offset, flags) = self.vec_addr(memarg, index, lane_ty.bytes() as u64);
        let x = self.b.ins().load(lane_ty, flags, addr, offset);
        let v = self.b.ins().insertlane(vec, x, lane);
        self.push_vec(v);
    }

    fn store_lane(&mut self, memarg: MemArg, ty: types::Type, lane: u8) {
        let vec = self.pop_vec(ty);
        let index = self.pop();
        let (addr, offset, flags) = self.vec_addr(memarg, index, ty.lane_type().bytes() as u64);
        let x = self.b.ins().extractlane(vec, lane);
        self.b.ins().store(flags, x, addr, offset);
    }

    // ---- wide arithmetic -------------------------------------------------------------------

    /// `i64.add128`/`i64.sub128`: two (low, high) pairs in, one out, through an `i128`.
    fn wide_add_sub(&mut self, sub: bool) {
        let (b_lo, b_hi) = self.pop2();
        let (a_lo, a_hi) = self.pop2();
        let a = self.b.ins().iconcat(a_lo, a_hi);
        let b = self.b.ins().iconcat(b_lo, b_hi);
        let r = if sub { self.b.ins().isub(a, b) } else { self.b.ins().iadd(a, b) };
        let (lo, hi) = self.b.ins().isplit(r);
        self.push(lo);
        self.push(hi);
    }

    /// `i64.mul_wide_{s,u}`: the full 128-bit product as (low, high).
    fn mul_wide(&mut self, signed: bool) {
        let (x, y) = self.pop2();
        let lo = self.b.ins().imul(x, y);
        let hi = if signed { self.b.ins().smulhi(x, y) } else { self.b.ins().umulhi(x, y) };
        self.push(lo);
        self.push(hi);
    }

    // ---- dispatch --------------------------------------------------------------------------

    /// Translate `op` if it is a SIMD, relaxed SIMD or wide-arithmetic operator; false otherwise.
    pub(crate) fn translate_simd(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        match *op {
            O::V128Const { value } => {
                let v = vconst(&mut self.b, *value.bytes());
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => self.shuffle(lanes),
            O::I8x16Swizzle | O::I8x16RelaxedSwizzle => self.vbinary(I8X16, |b, x, y| b.ins().swizzle(x, y)),

            // Splats, lanes.
            O::I8x16Splat => self.splat(I8X16),
            O::I16x8Splat => self.splat(I16X8),
            O::I32x4Splat => self.splat(I32X4),
            O::I64x2Splat => self.splat(I64X2),
            O::F32x4Splat => self.splat(F32X4),
            O::F64x2Splat => self.splat(F64X2),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8X16, lane, true),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8X16, lane, false),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16X8, lane, true),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16X8, lane, false),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32X4, lane, false),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64X2, lane, false),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32X4, lane, false),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64X2, lane, false),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8X16, lane),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16X8, lane),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32X4, lane),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64X2, lane),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32X4, lane),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64X2, lane),

            // Memory.
            O::V128Load { memarg } => self.v128_load(memarg),
            O::V128Store { memarg } => self.v128_store(memarg),
            O::V128Load8x8S { memarg } => self.load_widen(memarg, Widen::S8x8),
            O::V128Load8x8U { memarg } => self.load_widen(memarg, Widen::U8x8),
            O::V128Load16x4S { memarg } => self.load_widen(memarg, Widen::S16x4),
            O::V128Load16x4U { memarg } => self.load_widen(memarg, Widen::U16x4),
            O::V128Load32x2S { memarg } => self.load_widen(memarg, Widen::S32x2),
            O::V128Load32x2U { memarg } => self.load_widen(memarg, Widen::U32x2),
            O::V128Load8Splat { memarg } => self.load_splat(memarg, I8X16),
            O::V128Load16Splat { memarg } => self.load_splat(memarg, I16X8),
            O::V128Load32Splat { memarg } => self.load_splat(memarg, I32X4),
            O::V128Load64Splat { memarg } => self.load_splat(memarg, I64X2),
            O::V128Load32Zero { memarg } => self.load_zero(memarg, I32X4),
            O::V128Load64Zero { memarg } => self.load_zero(memarg, I64X2),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, I8X16, lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, I16X8, lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, I32X4, lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, I64X2, lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, I8X16, lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, I16X8, lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, I32X4, lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, I64X2, lane),

            // Bitwise.
            O::V128Not => self.vunary(I8X16, |b, x| b.ins().bnot(x)),
            O::V128And => self.vbinary(I8X16, |b, x, y| b.ins().band(x, y)),
            O::V128AndNot => self.vbinary(I8X16, |b, x, y| b.ins().band_not(x, y)),
            O::V128Or => self.vbinary(I8X16, |b, x, y| b.ins().bor(x, y)),
            O::V128Xor => self.vbinary(I8X16, |b, x, y| b.ins().bxor(x, y)),
            O::V128Bitselect
            | O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect => {
                // Bits of the first operand where the mask is 1, of the second where it is 0.
                let mask = self.pop_vec(I8X16);
                let second = self.pop_vec(I8X16);
                let first = self.pop_vec(I8X16);
                let v = self.b.ins().bitselect(mask, first, second);
                self.push_vec(v);
            }
            O::V128AnyTrue => self.vtest(I8X16, false),
            O::I8x16AllTrue => self.vtest(I8X16, true),
            O::I16x8AllTrue => self.vtest(I16X8, true),
            O::I32x4AllTrue => self.vtest(I32X4, true),
            O::I64x2AllTrue => self.vtest(I64X2, true),
            O::I8x16Bitmask => self.bitmask(I8X16),
            O::I16x8Bitmask => self.bitmask(I16X8),
            O::I32x4Bitmask => self.bitmask(I32X4),
            O::I64x2Bitmask => self.bitmask(I64X2),

            // Integer comparisons.
            O::I8x16Eq => self.vicmp(I8X16, IntCC::Equal),
            O::I8x16Ne => self.vicmp(I8X16, IntCC::NotEqual),
            O::I8x16LtS => self.vicmp(I8X16, IntCC::SignedLessThan),
            O::I8x16LtU => self.vicmp(I8X16, IntCC::UnsignedLessThan),
            O::I8x16GtS => self.vicmp(I8X16, IntCC::SignedGreaterThan),
            O::I8x16GtU => self.vicmp(I8X16, IntCC::UnsignedGreaterThan),
            O::I8x16LeS => self.vicmp(I8X16, IntCC::SignedLessThanOrEqual),
            O::I8x16LeU => self.vicmp(I8X16, IntCC::UnsignedLessThanOrEqual),
            O::I8x16GeS => self.vicmp(I8X16, IntCC::SignedGreaterThanOrEqual),
            O::I8x16GeU => self.vicmp(I8X16, IntCC::UnsignedGreaterThanOrEqual),
            O::I16x8Eq => self.vicmp(I16X8, IntCC::Equal),
            O::I16x8Ne => self.vicmp(I16X8, IntCC::NotEqual),
            O::I16x8LtS => self.vicmp(I16X8, IntCC::SignedLessThan),
            O::I16x8LtU => self.vicmp(I16X8, IntCC::UnsignedLessThan),
            O::I16x8GtS => self.vicmp(I16X8, IntCC::SignedGreaterThan),
            O::I16x8GtU => self.vicmp(I16X8, IntCC::UnsignedGreaterThan),
            O::I16x8LeS => self.vicmp(I16X8, IntCC::SignedLessThanOrEqual),
            O::I16x8LeU => self.vicmp(I16X8, IntCC::UnsignedLessThanOrEqual),
            O::I16x8GeS => self.vicmp(I16X8, IntCC::SignedGreaterThanOrEqual),
            O::I16x8GeU => self.vicmp(I16X8, IntCC::UnsignedGreaterThanOrEqual),
            O::I32x4Eq => self.vicmp(I32X4, IntCC::Equal),
            O::I32x4Ne => self.vicmp(I32X4, IntCC::NotEqual),
            O::I32x4LtS => self.vicmp(I32X4, IntCC::SignedLessThan),
            O::I32x4LtU => self.vicmp(I32X4, IntCC::UnsignedLessThan),
            O::I32x4GtS => self.vicmp(I32X4, IntCC::SignedGreaterThan),
            O::I32x4GtU => self.vicmp(I32X4, IntCC::UnsignedGreaterThan),
            O::I32x4LeS => self.vicmp(I32X4, IntCC::SignedLessThanOrEqual),
            O::I32x4LeU => self.vicmp(I32X4, IntCC::UnsignedLessThanOrEqual),
            O::I32x4GeS => self.vicmp(I32X4, IntCC::SignedGreaterThanOrEqual),
            O::I32x4GeU => self.vicmp(I32X4, IntCC::UnsignedGreaterThanOrEqual),
            O::I64x2Eq => self.vicmp(I64X2, IntCC::Equal),
            O::I64x2Ne => self.vicmp(I64X2, IntCC::NotEqual),
            O::I64x2LtS => self.vicmp(I64X2, IntCC::SignedLessThan),
            O::I64x2GtS => self.vicmp(I64X2, IntCC::SignedGreaterThan),
            O::I64x2LeS => self.vicmp(I64X2, IntCC::SignedLessThanOrEqual),
            O::I64x2GeS => self.vicmp(I64X2, IntCC::SignedGreaterThanOrEqual),

            // Float comparisons (`ne` is true for unordered lanes, the others false).
            O::F32x4Eq => self.vfcmp(F32X4, FloatCC::Equal),
            O::F32x4Ne => self.vfcmp(F32X4, FloatCC::NotEqual),
            O::F32x4Lt => self.vfcmp(F32X4, FloatCC::LessThan),
            O::F32x4Gt => self.vfcmp(F32X4, FloatCC::GreaterThan),
            O::F32x4Le => self.vfcmp(F32X4, FloatCC::LessThanOrEqual),
            O::F32x4Ge => self.vfcmp(F32X4, FloatCC::GreaterThanOrEqual),
            O::F64x2Eq => self.vfcmp(F64X2, FloatCC::Equal),
            O::F64x2Ne => self.vfcmp(F64X2, FloatCC::NotEqual),
            O::F64x2Lt => self.vfcmp(F64X2, FloatCC::LessThan),
            O::F64x2Gt => self.vfcmp(F64X2, FloatCC::GreaterThan),
            O::F64x2Le => self.vfcmp(F64X2, FloatCC::LessThanOrEqual),
            O::F64x2Ge => self.vfcmp(F64X2, FloatCC::GreaterThanOrEqual),

            // Integer arithmetic.
            O::I8x16Add => self.vbinary(I8X16, |b, x, y| b.ins().iadd(x, y)),
            O::I16x8Add => self.vbinary(I16X8, |b, x, y| b.ins().iadd(x, y)),
            O::I32x4Add => self.vbinary(I32X4, |b, x, y| b.ins().iadd(x, y)),
            O::I64x2Add => self.vbinary(I64X2, |b, x, y| b.ins().iadd(x, y)),
            O::I8x16Sub => self.vbinary(I8X16, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Sub => self.vbinary(I16X8, |b, x, y| b.ins().isub(x, y)),
            O::I32x4Sub => self.vbinary(I32X4, |b, x, y| b.ins().isub(x, y)),
            O::I64x2Sub => self.vbinary(I64X2, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Mul => self.vbinary(I16X8, |b, x, y| b.ins().imul(x, y)),
            O::I32x4Mul => self.vbinary(I32X4, |b, x, y| b.ins().imul(x, y)),
            O::I64x2Mul => self.vbinary(I64X2, |b, x, y| b.ins().imul(x, y)),
            O::I8x16AddSatS => self.vbinary(I8X16, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I8x16AddSatU => self.vbinary(I8X16, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I8x16SubSatS => self.vbinary(I8X16, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I8x16SubSatU => self.vbinary(I8X16, |b, x, y| b.ins().usub_sat(x, y)),
            O::I16x8AddSatS => self.vbinary(I16X8, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I16x8AddSatU => self.vbinary(I16X8, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I16x8SubSatS => self.vbinary(I16X8, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I16x8SubSatU => self.vbinary(I16X8, |b, x, y| b.ins().usub_sat(x, y)),
            O::I8x16MinS => self.vbinary(I8X16, |b, x, y| b.ins().smin(x, y)),
            O::I8x16MinU => self.vbinary(I8X16, |b, x, y| b.ins().umin(x, y)),
            O::I8x16MaxS => self.vbinary(I8X16, |b, x, y| b.ins().smax(x, y)),
            O::I8x16MaxU => self.vbinary(I8X16, |b, x, y| b.ins().umax(x, y)),
            O::I16x8MinS => self.vbinary(I16X8, |b, x, y| b.ins().smin(x, y)),
            O::I16x8MinU => self.vbinary(I16X8, |b, x, y| b.ins().umin(x, y)),
            O::I16x8MaxS => self.vbinary(I16X8, |b, x, y| b.ins().smax(x, y)),
            O::I16x8MaxU => self.vbinary(I16X8, |b, x, y| b.ins().umax(x, y)),
            O::I32x4MinS => self.vbinary(I32X4, |b, x, y| b.ins().smin(x, y)),
            O::I32x4MinU => self.vbinary(I32X4, |b, x, y| b.ins().umin(x, y)),
            O::I32x4MaxS => self.vbinary(I32X4, |b, x, y| b.ins().smax(x, y)),
            O::I32x4MaxU => self.vbinary(I32X4, |b, x, y| b.ins().umax(x, y)),
            O::I8x16AvgrU => self.vbinary(I8X16, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8AvgrU => self.vbinary(I16X8, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8Q15MulrSatS | O::I16x8RelaxedQ15mulrS => {
                self.vbinary(I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y))
            }
            O::I8x16Abs => self.vunary(I8X16, |b, x| b.ins().iabs(x)),
            O::I16x8Abs => self.vunary(I16X8, |b, x| b.ins().iabs(x)),
            O::I32x4Abs => self.vunary(I32X4, |b, x| b.ins().iabs(x)),
            O::I64x2Abs => self.vunary(I64X2, |b, x| b.ins().iabs(x)),
            O::I8x16Neg => self.vunary(I8X16, |b, x| b.ins().ineg(x)),
            O::I16x8Neg => self.vunary(I16X8, |b, x| b.ins().ineg(x)),
            O::I32x4Neg => self.vunary(I32X4, |b, x| b.ins().ineg(x)),
            O::I64x2Neg => self.vunary(I64X2, |b, x| b.ins().ineg(x)),
            O::I8x16Popcnt => self.vunary(I8X16, |b, x| b.ins().popcnt(x)),
            O::I8x16Shl => self.vshift(I8X16, |b, x, n| b.ins().ishl(x, n)),
            O::I8x16ShrS => self.vshift(I8X16, |b, x, n| b.ins().sshr(x, n)),
            O::I8x16ShrU => self.vshift(I8X16, |b, x, n| b.ins().ushr(x, n)),
            O::I16x8Shl => self.vshift(I16X8, |b, x, n| b.ins().ishl(x, n)),
            O::I16x8ShrS => self.vshift(I16X8, |b, x, n| b.ins().sshr(x, n)),
            O::I16x8ShrU => self.vshift(I16X8, |b, x, n| b.ins().ushr(x, n)),
            O::I32x4Shl => self.vshift(I32X4, |b, x, n| b.ins().ishl(x, n)),
            O::I32x4ShrS => self.vshift(I32X4, |b, x, n| b.ins().sshr(x, n)),
            O::I32x4ShrU => self.vshift(I32X4, |b, x, n| b.ins().ushr(x, n)),
            O::I64x2Shl => self.vshift(I64X2, |b, x, n| b.ins().ishl(x, n)),
            O::I64x2ShrS => self.vshift(I64X2, |b, x, n| b.ins().sshr(x, n)),
            O::I64x2ShrU => self.vshift(I64X2, |b, x, n| b.ins().ushr(x, n)),

            // Widening and narrowing.
            O::I16x8ExtendLowI8x16S => self.extend_half(I8X16, false, true),
            O::I16x8ExtendHighI8x16S => self.extend_half(I8X16, true, true),
            O::I16x8ExtendLowI8x16U => self.extend_half(I8X16, false, false),
            O::I16x8ExtendHighI8x16U => self.extend_half(I8X16, true, false),
            O::I32x4ExtendLowI16x8S => self.extend_half(I16X8, false, true),
            O::I32x4ExtendHighI16x8S => self.extend_half(I16X8, true, true),
            O::I32x4ExtendLowI16x8U => self.extend_half(I16X8, false, false),
            O::I32x4ExtendHighI16x8U => self.extend_half(I16X8, true, false),
            O::I64x2ExtendLowI32x4S => self.extend_half(I32X4, false, true),
            O::I64x2ExtendHighI32x4S => self.extend_half(I32X4, true, true),
            O::I64x2ExtendLowI32x4U => self.extend_half(I32X4, false, false),
            O::I64x2ExtendHighI32x4U => self.extend_half(I32X4, true, false),
            O::I8x16NarrowI16x8S => self.vbinary(I16X8, |b, x, y| b.ins().snarrow(x, y)),
            O::I8x16NarrowI16x8U => self.vbinary(I16X8, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8NarrowI32x4S => self.vbinary(I32X4, |b, x, y| b.ins().snarrow(x, y)),
            O::I16x8NarrowI32x4U => self.vbinary(I32X4, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8ExtMulLowI8x16S => self.extmul(I8X16, false, true),
            O::I16x8ExtMulHighI8x16S => self.extmul(I8X16, true, true),
            O::I16x8ExtMulLowI8x16U => self.extmul(I8X16, false, false),
            O::I16x8ExtMulHighI8x16U => self.extmul(I8X16, true, false),
            O::I32x4ExtMulLowI16x8S => self.extmul(I16X8, false, true),
            O::I32x4ExtMulHighI16x8S => self.extmul(I16X8, true, true),
            O::I32x4ExtMulLowI16x8U => self.extmul(I16X8, false, false),
            O::I32x4ExtMulHighI16x8U => self.extmul(I16X8, true, false),
            O::I64x2ExtMulLowI32x4S => self.extmul(I32X4, false, true),
            O::I64x2ExtMulHighI32x4S => self.extmul(I32X4, true, true),
            O::I64x2ExtMulLowI32x4U => self.extmul(I32X4, false, false),
            O::I64x2ExtMulHighI32x4U => self.extmul(I32X4, true, false),
            O::I16x8ExtAddPairwiseI8x16S => self.extadd_pairwise(I8X16, true),
            O::I16x8ExtAddPairwiseI8x16U => self.extadd_pairwise(I8X16, false),
            O::I32x4ExtAddPairwiseI16x8S => self.extadd_pairwise(I16X8, true),
            O::I32x4ExtAddPairwiseI16x8U => self.extadd_pairwise(I16X8, false),
            O::I32x4DotI16x8S => {
                let y = self.pop_vec(I16X8);
                let x = self.pop_vec(I16X8);
                let b = &mut self.b;
                let (xl, yl) = (b.ins().swiden_low(x), b.ins().swiden_low(y));
                let lo = b.ins().imul(xl, yl);
                let (xh, yh) = (b.ins().swiden_high(x), b.ins().swiden_high(y));
                let hi = b.ins().imul(xh, yh);
                let v = b.ins().iadd_pairwise(lo, hi);
                self.push_vec(v);
            }
            O::I16x8RelaxedDotI8x16I7x16S => {
                let y = self.pop_vec(I8X16);
                let x = self.pop_vec(I8X16);
                let v = self.dot_i8x16(x, y);
                self.push_vec(v);
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let acc = self.pop_vec(I32X4);
                let y = self.pop_vec(I8X16);
                let x = self.pop_vec(I8X16);
                let dot = self.dot_i8x16(x, y);
                let lo = self.b.ins().swiden_low(dot);
                let hi = self.b.ins().swiden_high(dot);
                let sum = self.b.ins().iadd_pairwise(lo, hi);
                let v = self.b.ins().iadd(sum, acc);
                self.push_vec(v);
            }

            // Float arithmetic.
            O::F32x4Add => self.vbinary(F32X4, |b, x, y| b.ins().fadd(x, y)),
            O::F64x2Add => self.vbinary(F64X2, |b, x, y| b.ins().fadd(x, y)),
            O::F32x4Sub => self.vbinary(F32X4, |b, x, y| b.ins().fsub(x, y)),
            O::F64x2Sub => self.vbinary(F64X2, |b, x, y| b.ins().fsub(x, y)),
            O::F32x4Mul => self.vbinary(F32X4, |b, x, y| b.ins().fmul(x, y)),
            O::F64x2Mul => self.vbinary(F64X2, |b, x, y| b.ins().fmul(x, y)),
            O::F32x4Div => self.vbinary(F32X4, |b, x, y| b.ins().fdiv(x, y)),
            O::F64x2Div => self.vbinary(F64X2, |b, x, y| b.ins().fdiv(x, y)),
            O::F32x4Min | O::F32x4RelaxedMin => self.vbinary(F32X4, |b, x, y| b.ins().fmin(x, y)),
            O::F64x2Min | O::F64x2RelaxedMin => self.vbinary(F64X2, |b, x, y| b.ins().fmin(x, y)),
            O::F32x4Max | O::F32x4RelaxedMax => self.vbinary(F32X4, |b, x, y| b.ins().fmax(x, y)),
            O::F64x2Max | O::F64x2RelaxedMax => self.vbinary(F64X2, |b, x, y| b.ins().fmax(x, y)),
            O::F32x4PMin => self.pseudo_min_max(F32X4, false),
            O::F64x2PMin => self.pseudo_min_max(F64X2, false),
            O::F32x4PMax => self.pseudo_min_max(F32X4, true),
            O::F64x2PMax => self.pseudo_min_max(F64X2, true),
            O::F32x4Abs => self.vunary(F32X4, |b, x| b.ins().fabs(x)),
            O::F64x2Abs => self.vunary(F64X2, |b, x| b.ins().fabs(x)),
            O::F32x4Neg => self.vunary(F32X4, |b, x| b.ins().fneg(x)),
            O::F64x2Neg => self.vunary(F64X2, |b, x| b.ins().fneg(x)),
            O::F32x4Sqrt => self.vunary(F32X4, |b, x| b.ins().sqrt(x)),
            O::F64x2Sqrt => self.vunary(F64X2, |b, x| b.ins().sqrt(x)),
            O::F32x4Ceil => self.vunary(F32X4, |b, x| b.ins().ceil(x)),
            O::F64x2Ceil => self.vunary(F64X2, |b, x| b.ins().ceil(x)),
            O::F32x4Floor => self.vunary(F32X4, |b, x| b.ins().floor(x)),
            O::F64x2Floor => self.vunary(F64X2, |b, x| b.ins().floor(x)),
            O::F32x4Trunc => self.vunary(F32X4, |b, x| b.ins().trunc(x)),
            O::F64x2Trunc => self.vunary(F64X2, |b, x| b.ins().trunc(x)),
            O::F32x4Nearest => self.vunary(F32X4, |b, x| b.ins().nearest(x)),
            O::F64x2Nearest => self.vunary(F64X2, |b, x| b.ins().nearest(x)),
            O::F32x4RelaxedMadd | O::F64x2RelaxedMadd | O::F32x4RelaxedNmadd | O::F64x2RelaxedNmadd => {
                let ty = if matches!(op, O::F32x4RelaxedMadd | O::F32x4RelaxedNmadd) { F32X4 } else { F64X2 };
                let c = self.pop_vec(ty);
                let y = self.pop_vec(ty);
                let x = self.pop_vec(ty);
                let x =
                    if matches!(op, O::F32x4RelaxedNmadd | O::F64x2RelaxedNmadd) { self.b.ins().fneg(x) } else { x };
                let v = self.b.ins().fma(x, y, c);
                self.push_vec(v);
            }

            // Conversions.
            O::I32x4TruncSatF32x4S | O::I32x4RelaxedTruncF32x4S => {
                self.vunary(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x))
            }
            O::I32x4TruncSatF32x4U | O::I32x4RelaxedTruncF32x4U => {
                self.vunary(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))
            }
            O::I32x4TruncSatF64x2SZero | O::I32x4RelaxedTruncF64x2SZero => self.trunc_sat_f64x2_zero(true),
            O::I32x4TruncSatF64x2UZero | O::I32x4RelaxedTruncF64x2UZero => self.trunc_sat_f64x2_zero(false),
            O::F32x4ConvertI32x4S => self.vunary(I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x)),
            O::F32x4ConvertI32x4U => self.vunary(I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x)),
            O::F64x2ConvertLowI32x4S => self.vunary(I32X4, |b, x| {
                let w = b.ins().swiden_low(x);
                b.ins().fcvt_from_sint(F64X2, w)
            }),
            O::F64x2ConvertLowI32x4U => self.vunary(I32X4, |b, x| {
                let w = b.ins().uwiden_low(x);
                b.ins().fcvt_from_uint(F64X2, w)
            }),
            O::F32x4DemoteF64x2Zero => self.vunary(F64X2, |b, x| b.ins().fvdemote(x)),
            O::F64x2PromoteLowF32x4 => self.vunary(F32X4, |b, x| b.ins().fvpromote_low(x)),

            // Wide arithmetic.
            O::I64Add128 => self.wide_add_sub(false),
            O::I64Sub128 => self.wide_add_sub(true),
            O::I64MulWideS => self.mul_wide(true),
            O::I64MulWideU => self.mul_wide(false),

            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn widen_half(b: &mut FunctionBuilder<'_>, x: Value, high: bool, signed: bool) -> Value {
    match (high, signed) {
        (false, true) => b.ins().swiden_low(x),
        (true, true) => b.ins().swiden_high(x),
        (false, false) => b.ins().uwiden_low(x),
        (true, false) => b.ins().uwiden_high(x),
    }
}
