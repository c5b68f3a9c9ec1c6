//! Inline WALI syscalls: a call to an import the embedder marks as a pass-through syscall is
//! compiled into argument widening, guest-pointer translation with bounds checks, and a call of
//! the runtime's raw syscall stub — no host-function dispatch, no argument arrays.
//!
//! Every pointer range is checked against the memory's *current* length; a range outside it
//! makes the call return `-EFAULT` without entering the kernel. Guest 0 is passed as NULL for
//! nullable pointers.

use std::sync::Arc;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cwali_frontend::FuncType;

use crate::builtins::Builtin;
use crate::func_translator::FuncTranslator;

/// How many bytes a pointer argument covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlineLen {
    Bytes(u32),
    /// `size` bytes times the value of argument `arg` (`size` 1: a length argument).
    Arg {
        arg: u8,
        size: u32,
    },
}

/// One argument of an inlined syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlineArg {
    /// An integer; an i32 is sign- or zero-extended to 64 bits.
    Scalar { signed: bool },
    /// A guest pointer to `len` bytes; `nullable`: guest 0 is passed as NULL.
    Ptr { len: InlineLen, nullable: bool },
}

/// A syscall the translator may enter directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineSyscall {
    pub nr: u32,
    pub args: Vec<InlineArg>,
}

/// An import the translator compiles itself instead of calling the host function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intrinsic {
    /// A pass-through syscall entered directly.
    Syscall(InlineSyscall),
    /// `setjmp(env)` / `sigsetjmp(env, savesigs)` (`savesigs`: the import has that parameter).
    SetJmp { savesigs: bool },
    /// `longjmp(env, value)`.
    LongJmp,
}

/// `(module, name, type) -> Some(intrinsic)` for the imports that are intrinsics.
pub type ResolveFn = dyn Fn(&str, &str, &FuncType) -> Option<Intrinsic> + Send + Sync;

/// Decides which imports are intrinsics.
#[derive(Clone)]
pub struct SyscallResolver(pub Arc<ResolveFn>);

impl std::fmt::Debug for SyscallResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyscallResolver")
    }
}

const EFAULT: i64 = 14;

impl FuncTranslator<'_, '_> {
    /// Emit an intrinsic import call; `args` are already popped.
    pub(crate) fn translate_intrinsic(&mut self, intrinsic: &Intrinsic, args: Vec<Value>, has_result: bool) {
        match intrinsic {
            Intrinsic::Syscall(sc) => self.translate_inline_syscall(sc, args, has_result),
            Intrinsic::SetJmp { savesigs } => {
                let savesigs = if *savesigs { args[1] } else { self.b.ins().iconst(types::I32, 0) };
                let r = self.call_builtin(Builtin::SetJmp, &[args[0], savesigs]).expect("setjmp returns");
                if has_result {
                    self.push(r);
                }
            }
            Intrinsic::LongJmp => {
                self.call_builtin(Builtin::LongJmp, &[args[0], args[1]]);
            }
        }
    }

    /// Emit an inline syscall for `args` (already popped); pushes the i64 result (if the import
    /// has one).
    pub(crate) fn translate_inline_syscall(&mut self, sc: &InlineSyscall, args: Vec<Value>, has_result: bool) {
        let i64t = types::I64;
        // Widen every argument first: lengths are read from the widened values.
        let wide: Vec<Value> = sc
            .args
            .iter()
            .zip(&args)
            .map(|(kind, &v)| {
                if self.b.func.dfg.value_type(v) == i64t {
                    v
                } else {
                    match kind {
                        InlineArg::Scalar { signed: true } => self.b.ins().sextend(i64t, v),
                        _ => self.b.ins().uextend(i64t, v),
                    }
                }
            })
            .collect();

        let mut regs = Vec::with_capacity(6);
        let mut bad: Option<Value> = None;
        for (kind, &v) in sc.args.iter().zip(&wide) {
            match *kind {
                InlineArg::Scalar { .. } => regs.push(v),
                InlineArg::Ptr { len, nullable } => {
                    let len = match len {
                        InlineLen::Bytes(n) => self.b.ins().iconst(i64t, n as i64),
                        InlineLen::Arg { arg, size } => {
                            let n = self.b.ins().band_imm_s(wide[arg as usize], 0xFFFF_FFFF);
                            if size == 1 { n } else { self.b.ins().imul_imm_s(n, size as i64) }
                        }
                    };
                    let end = self.b.ins().iadd(v, len);
                    let mem_len = self.memory_length(0);
                    let mut oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, mem_len);
                    let base = self.memory_base(0);
                    let host = self.b.ins().iadd(base, v);
                    let host = if nullable {
                        let is_null = self.b.ins().icmp_imm_s(IntCC::Equal, v, 0);
                        let not_null = self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0);
                        oob = self.b.ins().band(oob, not_null);
                        let zero = self.b.ins().iconst(i64t, 0);
                        self.b.ins().select(is_null, zero, host)
                    } else {
                        host
                    };
                    bad = Some(match bad {
                        Some(b) => self.b.ins().bor(b, oob),
                        None => oob,
                    });
                    regs.push(host);
                }
            }
        }
        while regs.len() < 6 {
            regs.push(self.b.ins().iconst(i64t, 0));
        }

        let call_block = self.b.create_block();
        let fault_block = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, i64t);
        match bad {
            Some(bad) => {
                self.b.set_cold_block(fault_block);
                self.b.ins().brif(bad, fault_block, &[], call_block, &[]);
            }
            None => {
                self.b.ins().jump(call_block, &[]);
            }
        }
        self.b.switch_to_block(fault_block);
        self.b.seal_block(fault_block);
        let efault = self.b.ins().iconst(i64t, -EFAULT);
        self.b.ins().jump(done, &[efault.into()]);

        self.b.switch_to_block(call_block);
        self.b.seal_block(call_block);
        let nr = self.b.ins().iconst(i64t, sc.nr as i64);
        let mut call_args = vec![nr];
        call_args.extend(regs);
        let r = self.call_builtin(Builtin::Syscall, &call_args).expect("syscall stub returns a value");
        self.b.ins().jump(done, &[r.into()]);

        self.b.switch_to_block(done);
        self.b.seal_block(done);
        let result = self.b.block_params(done)[0];
        if self.env.config.safepoints {
            self.safepoint();
        }
        if has_result {
            self.push(result);
        }
    }
}
