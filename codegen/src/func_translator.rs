//! Translation of one function body: the value stack, the control stack, locals, globals and
//! calls. Numeric, memory and table operators live in `ops_*.rs`, as further `impl` blocks of
//! [`FuncTranslator`].
//!
//! Control flow follows the structure of the Wasm: every `block`/`loop`/`if` gets a
//! continuation block whose parameters are the construct's results; a `loop` also gets a header
//! block whose parameters are its inputs. Values cross edges only as block arguments, so the
//! value stack holds plain SSA values. Code after an unconditional branch is unreachable: its
//! operators are skipped, counting nested constructs so the matching `else`/`end` is found.

use std::collections::HashMap;

use cranelift_codegen::ir::{
    self, BlockArg, BlockCall, ExtFuncData, ExternalName, FuncRef, Function, GlobalValueData, InstBuilder,
    JumpTableData, MemFlagsData, SigRef, UserFuncName, Value, types,
};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cwali_frontend::{FuncType, ModuleInfo, ValType};
use wasmparser::{BlockType, Operator};

use crate::builtins::Builtin;
use crate::signatures::{builtin_signature, ir_type, wasm_signature};
use crate::trap::TrapKind;
use crate::vmoffsets::{self, VMOffsets};
use crate::{CompileError, Config};

/// What the translator of every function of one module shares.
pub(crate) struct ModuleEnv<'a> {
    pub module: &'a ModuleInfo,
    /// Imported functions compiled as intrinsics (inline syscalls, setjmp/longjmp).
    pub intrinsics: HashMap<u32, crate::inline_syscall::Intrinsic>,
    pub offsets: &'a VMOffsets,
    pub config: &'a Config,
    pub isa: &'a OwnedTargetIsa,
    /// Per defined function, with safepoints on: whether its entry polls ([`crate::safepoints`]).
    pub entry_polls: Vec<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// The function body; its continuation returns.
    Function,
    Block,
    Loop {
        header: ir::Block,
    },
    If {
        else_block: ir::Block,
        else_seen: bool,
    },
    /// `try_table`: its catch clauses are the innermost handler scope while its body runs.
    TryTable,
    /// Legacy `try`: `exn` is the exception of the `catch` body being translated (for
    /// `rethrow`), `None` in the `try` body. See `ops_exceptions`.
    Try {
        exn: Option<Value>,
    },
}

#[derive(Debug)]
pub(crate) struct Frame {
    pub kind: FrameKind,
    /// Continuation: its parameters are the construct's results.
    pub next: ir::Block,
    pub num_params: usize,
    pub num_results: usize,
    /// Stack height below the construct's parameters.
    pub height: usize,
    /// Whether some branch targets `next`.
    pub branched_to: bool,
    /// How many handler scopes (`FuncTranslator::handlers`) cover code directly inside.
    pub handlers_inside: usize,
}

impl Frame {
    /// Block and arity of a branch to this frame.
    pub fn branch_target(&self) -> (ir::Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.num_params),
            _ => (self.next, self.num_results),
        }
    }
}

pub(crate) struct FuncTranslator<'a, 'f> {
    pub env: &'a ModuleEnv<'a>,
    pub b: FunctionBuilder<'f>,
    pub vmctx: Value,
    pub stack: Vec<Value>,
    pub(crate) control: Vec<Frame>,
    pub(crate) reachable: bool,
    /// Exception handler scopes around the current point, outermost first: each `try_table`'s
    /// catch clauses, each legacy `try` body's landing pad (`ops_exceptions`).
    pub(crate) handlers: Vec<crate::ops_exceptions::HandlerScope>,
    /// The legacy `try` constructs open around the current point, innermost last.
    pub(crate) legacy_tries: Vec<crate::ops_exceptions::LegacyTry>,
    /// Blocks that conditional branches out of legacy catch bodies go through, to emit once the
    /// branch's block is terminated (`ops_exceptions::emit_exit_blocks`).
    pub(crate) pending_exits: Vec<crate::ops_exceptions::PendingExit>,
    /// Constructs opened in unreachable code and not yet closed.
    unreachable_depth: usize,
    locals: Vec<Variable>,
    direct_funcs: HashMap<u32, FuncRef>,
    sigs: HashMap<u32, SigRef>,
    builtin_sigs: HashMap<usize, SigRef>,
    /// Memory 0's base, loaded once in the entry block.
    memory0_base: Option<Value>,
}

pub(crate) type Result<T> = std::result::Result<T, CompileError>;

impl ModuleEnv<'_> {
    pub fn translate_function(&self, func_index: u32, name: UserFuncName) -> Result<Function> {
        let ty = self.module.func_type(func_index);
        let mut func = Function::with_name_signature(name, wasm_signature(ty));
        let mut fctx = FunctionBuilderContext::new();
        let b = FunctionBuilder::new(&mut func, &mut fctx);
        FuncTranslator::new(self, b).translate(func_index, ty)?;
        Ok(func)
    }

    pub fn isa(&self) -> &dyn TargetIsa {
        &**self.isa
    }
}

fn readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

impl<'a, 'f> FuncTranslator<'a, 'f> {
    fn new(env: &'a ModuleEnv<'a>, mut b: FunctionBuilder<'f>) -> Self {
        // The prologue compares the stack pointer with `limits.stack_limit`.
        let flags = b.func.dfg.mem_flags.insert_unchecked(readonly());
        let vmctx_gv = b.create_global_value(GlobalValueData::VMContext);
        let limits_gv = b.create_global_value(GlobalValueData::Load {
            base: vmctx_gv,
            offset: VMOffsets::LIMITS.into(),
            global_type: types::I64,
            flags,
        });
        let stack_limit = b.create_global_value(GlobalValueData::Load {
            base: limits_gv,
            offset: vmoffsets::limits::STACK_LIMIT.into(),
            global_type: types::I64,
            flags,
        });
        b.func.stack_limit = Some(stack_limit);
        FuncTranslator {
            env,
            b,
            vmctx: Value::from_u32(0),
            stack: Vec::new(),
            control: Vec::new(),
            reachable: true,
            handlers: Vec::new(),
            legacy_tries: Vec::new(),
            pending_exits: Vec::new(),
            unreachable_depth: 0,
            locals: Vec::new(),
            direct_funcs: HashMap::new(),
            sigs: HashMap::new(),
            builtin_sigs: HashMap::new(),
            memory0_base: None,
        }
    }

    fn translate(mut self, func_index: u32, ty: &FuncType) -> Result<()> {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        self.b.seal_block(entry);
        let params = self.b.block_params(entry).to_vec();
        self.vmctx = params[0];
        // One load of memory 0's base that dominates every access (dead code if there is none).
        // Loaded at each access instead, the copies in sibling loops are only hoisted to their
        // own loop's preheader and cannot be merged, and each outer iteration reloads it.
        if !self.env.module.memories.is_empty() {
            self.memory0_base = Some(self.load_vmctx_readonly(types::I64, VMOffsets::MEMORY0_BASE));
        }

        let body = self.env.module.body(func_index);
        let mut locals_reader = body.get_locals_reader().map_err(malformed)?;
        for (i, p) in ty.params().iter().enumerate() {
            let var = self.b.declare_var(ir_type(*p));
            self.b.def_var(var, params[2 + i]);
            self.locals.push(var);
        }
        for _ in 0..locals_reader.get_count() {
            let (count, t) = locals_reader.read().map_err(malformed)?;
            let zero = self.zero(t);
            for _ in 0..count {
                let var = self.b.declare_var(ir_type(t));
                self.b.def_var(var, zero);
                self.locals.push(var);
            }
        }
        let defined = (func_index - self.env.module.num_imported_funcs) as usize;
        if self.env.config.safepoints && self.env.entry_polls[defined] {
            self.safepoint();
        }

        let ret = self.b.create_block();
        for t in ty.results() {
            self.b.append_block_param(ret, ir_type(*t));
        }
        self.control.push(Frame {
            kind: FrameKind::Function,
            next: ret,
            num_params: 0,
            num_results: ty.results().len(),
            height: 0,
            branched_to: false,
            handlers_inside: 0,
        });

        let mut ops = body.get_operators_reader().map_err(malformed)?;
        while !ops.eof() {
            let op = ops.read().map_err(malformed)?;
            self.translate_op(op)?;
        }
        self.b.finalize(self.env.isa().frontend_config());
        Ok(())
    }

    fn zero(&mut self, t: ValType) -> Value {
        match t {
            ValType::I32 => self.b.ins().iconst(types::I32, 0),
            ValType::I64 | ValType::Ref(_) => self.b.ins().iconst(types::I64, 0),
            ValType::F32 => self.b.ins().f32const(0.0),
            ValType::F64 => self.b.ins().f64const(0.0),
            ValType::V128 => crate::ops_simd::vconst(&mut self.b, [0; 16]),
        }
    }

    pub(crate) fn call_builtin_sig(&mut self, builtin: Builtin) -> SigRef {
        let key = builtin as usize;
        match self.builtin_sigs.get(&key) {
            Some(s) => *s,
            None => {
                let s = self.b.import_signature(builtin_signature(builtin, self.env.isa()));
                self.builtin_sigs.insert(key, s);
                s
            }
        }
    }

    // ---- value stack -----------------------------------------------------------------------

    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    pub fn pop(&mut self) -> Value {
        self.stack.pop().expect("validated: value stack underflow")
    }

    pub fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    pub fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    pub fn popn(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    // ---- runtime data ----------------------------------------------------------------------

    /// `vmctx + offset` loaded as `ty`, for fields that never change while code runs.
    pub fn load_vmctx_readonly(&mut self, ty: types::Type, offset: i32) -> Value {
        self.b.ins().load(ty, readonly(), self.vmctx, offset)
    }

    /// Base address of a memory: fixed for the memory's lifetime (a readonly, movable load).
    pub fn memory_base(&mut self, memory: u32) -> Value {
        if let (0, Some(base)) = (memory, self.memory0_base) {
            return base;
        }
        let def = self.load_vmctx_readonly(types::I64, self.env.offsets.memory(memory));
        self.b.ins().load(types::I64, readonly(), def, vmoffsets::memory::BASE)
    }

    /// Current byte length of a memory (changes with `memory.grow`, also in other threads).
    pub fn memory_length(&mut self, memory: u32) -> Value {
        let def = self.load_vmctx_readonly(types::I64, self.env.offsets.memory(memory));
        if self.env.module.memories[memory as usize].shared {
            let addr = self.b.ins().iadd_imm_s(def, vmoffsets::memory::LENGTH as i64);
            self.b.ins().atomic_load(types::I64, MemFlagsData::trusted(), addr)
        } else {
            self.b.ins().load(types::I64, MemFlagsData::trusted(), def, vmoffsets::memory::LENGTH)
        }
    }

    /// Call a runtime builtin; a status result that is non-zero (wait: negative) traps.
    pub fn call_builtin(&mut self, builtin: Builtin, args: &[Value]) -> Option<Value> {
        let sig = self.call_builtin_sig(builtin);
        // Register-preserving builtins are called from cold paths: loads Cranelift may hoist
        // would keep their address in a register through the hot loop around them.
        let flags = if builtin.preserves_registers() { MemFlagsData::trusted().with_readonly() } else { readonly() };
        let table = self.b.ins().load(types::I64, flags, self.vmctx, VMOffsets::BUILTINS);
        let fptr = self.b.ins().load(types::I64, flags, table, builtin.offset());
        let mut all = Vec::with_capacity(args.len() + 1);
        if builtin.params().first() == Some(&crate::builtins::BuiltinType::VmCtx) {
            all.push(self.vmctx);
        }
        all.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sig, fptr, &all);
        let result = self.b.inst_results(call).first().copied();
        if let (Some(trap), Some(status)) = (builtin.trap(), result) {
            let failed = match builtin {
                Builtin::AtomicWait32 | Builtin::AtomicWait64 => {
                    self.b.ins().icmp_imm_s(ir::condcodes::IntCC::SignedLessThan, status, 0)
                }
                _ => status,
            };
            self.b.ins().trapnz(failed, trap.to_code());
        }
        result
    }

    /// Poll the pending-signal flag; call the safepoint builtin when it is set.
    pub(crate) fn safepoint(&mut self) {
        if crate::POLL_PAGES {
            // One load from the store's poll page whose result is not used: a trapping load is
            // kept and never merged with another. Its fault is the request (see
            // `crate::POLL_PAGES`). The page's address is fixed for the store, so finding it
            // (VMContext -> limits -> page) is readonly and movable: computed once per function
            // and kept where the register allocator likes, rather than in a register reserved
            // in every function (a pinned register costs big functions more than the polls).
            let limits = self.load_vmctx_readonly(types::I64, VMOffsets::LIMITS);
            let page = self.b.ins().load(types::I64, readonly(), limits, vmoffsets::limits::POLL_PAGE);
            let flags = MemFlagsData::new().with_aligned().with_trap_code(Some(TrapKind::Safepoint.to_code()));
            self.b.ins().load(types::I8, flags, page, 0);
            return;
        }
        // With safepoints on, the store's limits pointer lives in Cranelift's pinned register
        // (set by the array trampoline on entry from the host), so a poll needs no register of
        // its own and no load to find the flag.
        let limits = self.b.ins().get_pinned_reg(types::I64);
        let pending = self.b.ins().load(types::I64, MemFlagsData::trusted(), limits, vmoffsets::limits::SIGNAL_PENDING);
        let deliver = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(deliver);
        self.b.ins().brif(pending, deliver, &[], cont, &[]);
        self.b.switch_to_block(deliver);
        self.b.seal_block(deliver);
        self.call_builtin(Builtin::Safepoint, &[]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    pub fn trap(&mut self, kind: TrapKind) {
        self.b.ins().trap(kind.to_code());
    }

    // ---- operators -------------------------------------------------------------------------

    fn translate_op(&mut self, op: Operator<'_>) -> Result<()> {
        if !self.reachable {
            return self.translate_unreachable_op(op);
        }
        match op {
            Operator::Nop => {}
            Operator::Unreachable => {
                self.trap(TrapKind::Unreachable);
                self.reachable = false;
            }
            Operator::Block { blockty } => {
                let (params, results) = self.block_type(blockty);
                let next = self.block_with_params(&results);
                self.push_frame(FrameKind::Block, next, params.len(), results.len());
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_type(blockty);
                let header = self.block_with_params(&params);
                let next = self.block_with_params(&results);
                let args = block_args(self.peekn(params.len()));
                self.b.ins().jump(header, &args);
                self.b.switch_to_block(header);
                self.push_frame(FrameKind::Loop { header }, next, params.len(), results.len());
                let height = self.stack.len() - params.len();
                self.stack.truncate(height);
                self.stack.extend_from_slice(self.b.block_params(header));
                if self.env.config.safepoints {
                    self.safepoint();
                }
            }
            Operator::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_type(blockty);
                let then_block = self.block_with_params(&params);
                let else_block = self.block_with_params(&params);
                let next = self.block_with_params(&results);
                let args = block_args(self.peekn(params.len()));
                self.b.ins().brif(cond, then_block, &args, else_block, &args);
                self.b.switch_to_block(then_block);
                self.b.seal_block(then_block);
                self.push_frame(FrameKind::If { else_block, else_seen: false }, next, params.len(), results.len());
                let height = self.stack.len() - params.len();
                self.stack.truncate(height);
                self.stack.extend_from_slice(self.b.block_params(then_block));
            }
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::Br { relative_depth } => {
                let exns = self.exited_bindings(Some(relative_depth));
                self.release_exceptions(&exns);
                self.branch(relative_depth);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let cond = self.pop();
                let (target, args) = self.exit_args(relative_depth);
                let fallthrough = self.b.create_block();
                self.b.ins().brif(cond, target, &args, fallthrough, &[]);
                self.emit_exit_blocks();
                self.b.switch_to_block(fallthrough);
                self.b.seal_block(fallthrough);
            }
            Operator::BrTable { targets } => {
                let index = self.pop();
                let mut calls = Vec::new();
                for depth in targets.targets() {
                    let depth = depth.map_err(malformed)?;
                    let (target, args) = self.exit_args(depth);
                    calls.push(BlockCall::new(target, args, &mut self.b.func.dfg.value_lists));
                }
                let (target, args) = self.exit_args(targets.default());
                let default = BlockCall::new(target, args, &mut self.b.func.dfg.value_lists);
                let jt = self.b.create_jump_table(JumpTableData::new(default, &calls));
                self.b.ins().br_table(index, jt);
                self.emit_exit_blocks();
                self.reachable = false;
            }
            Operator::Return => {
                let exns = self.exited_bindings(None);
                self.release_exceptions(&exns);
                let n = self.control[0].num_results;
                let values = self.peekn(n).to_vec();
                self.b.ins().return_(&values);
                self.reachable = false;
            }
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. } => {
                let (a, b, cond) = self.pop3();
                let v = self.b.ins().select(cond, a, b);
                self.push(v);
            }
            Operator::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize]);
                self.push(v);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize], v);
            }
            Operator::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.b.def_var(self.locals[local_index as usize], v);
            }
            Operator::GlobalGet { global_index } => {
                let (addr, offset, ty) = self.global_addr(global_index);
                let v = self.b.ins().load(ty, global_flags(ty), addr, offset);
                self.push(v);
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let (addr, offset, ty) = self.global_addr(global_index);
                self.b.ins().store(global_flags(ty), v, addr, offset);
            }
            Operator::Call { function_index } => self.translate_call(function_index, false),
            Operator::ReturnCall { function_index } => self.translate_call(function_index, true),
            Operator::CallIndirect { type_index, table_index } => {
                self.translate_call_indirect(type_index, table_index, false)
            }
            Operator::ReturnCallIndirect { type_index, table_index } => {
                self.translate_call_indirect(type_index, table_index, true)
            }
            other => {
                if !(self.translate_numeric(&other)
                    || self.translate_memory(&other)?
                    || self.translate_simd(&other)?
                    || self.translate_table(&other)?
                    || self.translate_exceptions(&other)?
                    || self.translate_funcref(&other)?)
                {
                    return Err(CompileError::Unsupported(format!("operator {other:?}")));
                }
            }
        }
        Ok(())
    }

    /// In unreachable code only the structure matters.
    fn translate_unreachable_op(&mut self, op: Operator<'_>) -> Result<()> {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => {
                self.unreachable_depth += 1;
            }
            Operator::Else if self.unreachable_depth == 0 => self.translate_else(),
            Operator::End if self.unreachable_depth == 0 => self.translate_end(),
            Operator::Catch { tag_index } if self.unreachable_depth == 0 => self.translate_catch(Some(tag_index)),
            Operator::CatchAll if self.unreachable_depth == 0 => self.translate_catch(None),
            Operator::Delegate { relative_depth } if self.unreachable_depth == 0 => {
                self.translate_delegate(relative_depth)
            }
            Operator::End | Operator::Delegate { .. } => self.unreachable_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    fn translate_else(&mut self) {
        let reachable = self.reachable;
        let frame = self.control.last_mut().expect("validated: else inside if");
        let FrameKind::If { else_block, .. } = frame.kind else { unreachable!("validated: else closes an if") };
        frame.kind = FrameKind::If { else_block, else_seen: true };
        let (next, n, height) = (frame.next, frame.num_results, frame.height);
        if reachable {
            frame.branched_to = true;
            let args = block_args(self.peekn(n));
            self.b.ins().jump(next, &args);
        }
        self.b.switch_to_block(else_block);
        self.b.seal_block(else_block);
        self.stack.truncate(height);
        self.stack.extend_from_slice(self.b.block_params(else_block));
        self.reachable = true;
    }

    pub(crate) fn translate_end(&mut self) {
        match self.control.last().expect("validated: end closes a construct").kind {
            FrameKind::TryTable => self.end_try_table(),
            FrameKind::Try { .. } => self.end_try(),
            _ => {}
        }
        let frame = self.control.pop().expect("validated: end closes a construct");
        let mut branched_to = frame.branched_to;
        if self.reachable {
            let args = block_args(self.peekn(frame.num_results));
            self.b.ins().jump(frame.next, &args);
            branched_to = true;
        }
        match frame.kind {
            FrameKind::Loop { header } => self.b.seal_block(header),
            FrameKind::If { else_block, else_seen: false } => {
                // An `if` without `else` passes its inputs straight through (validation makes
                // its parameter and result types equal).
                self.b.switch_to_block(else_block);
                self.b.seal_block(else_block);
                let params = block_args(self.b.block_params(else_block));
                self.b.ins().jump(frame.next, &params);
                branched_to = true;
            }
            _ => {}
        }
        self.b.switch_to_block(frame.next);
        self.b.seal_block(frame.next);
        self.stack.truncate(frame.height);
        self.stack.extend_from_slice(self.b.block_params(frame.next));
        self.reachable = branched_to;
        self.unreachable_depth = 0;
        if frame.kind == FrameKind::Function {
            if self.reachable {
                let values = self.b.block_params(frame.next).to_vec();
                self.b.ins().return_(&values);
            } else {
                // Nothing reaches the end: the block stays empty, which Cranelift rejects.
                self.b.ins().trap(TrapKind::Unreachable.to_code());
            }
        }
    }

    pub(crate) fn push_frame(&mut self, kind: FrameKind, next: ir::Block, num_params: usize, num_results: usize) {
        let height = self.stack.len() - num_params;
        let handlers_inside = self.handlers.len();
        self.control.push(Frame { kind, next, num_params, num_results, height, branched_to: false, handlers_inside });
    }

    pub(crate) fn block_with_params(&mut self, types: &[ValType]) -> ir::Block {
        let block = self.b.create_block();
        for t in types {
            self.b.append_block_param(block, ir_type(*t));
        }
        block
    }

    pub(crate) fn block_type(&self, ty: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        match ty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![t]),
            BlockType::FuncType(idx) => {
                let f = &self.env.module.types[idx as usize];
                (f.params().to_vec(), f.results().to_vec())
            }
        }
    }

    /// The target block of a branch and its arguments (the top of the stack); marks the frame.
    pub(crate) fn branch_args(&mut self, depth: u32) -> (ir::Block, Vec<BlockArg>) {
        let i = self.control.len() - 1 - depth as usize;
        let (target, arity) = self.control[i].branch_target();
        if !matches!(self.control[i].kind, FrameKind::Loop { .. }) {
            self.control[i].branched_to = true;
        }
        (target, block_args(self.peekn(arity)))
    }

    fn branch(&mut self, depth: u32) {
        let (target, args) = self.branch_args(depth);
        self.b.ins().jump(target, &args);
    }

    /// Address, offset and type of a global's storage.
    fn global_addr(&mut self, index: u32) -> (Value, i32, types::Type) {
        let module = self.env.module;
        let ty = ir_type(module.globals[index as usize].ty.content_type);
        if index < module.num_imported_globals {
            let ptr = self.load_vmctx_readonly(types::I64, self.env.offsets.imported_global(index));
            (ptr, 0, ty)
        } else {
            let offset = self.env.offsets.defined_global(index - module.num_imported_globals);
            (self.vmctx, offset, ty)
        }
    }

    // ---- calls -----------------------------------------------------------------------------

    fn sig_ref(&mut self, type_index: u32) -> SigRef {
        if let Some(s) = self.sigs.get(&type_index) {
            return *s;
        }
        let sig = wasm_signature(&self.env.module.types[type_index as usize]);
        let s = self.b.import_signature(sig);
        self.sigs.insert(type_index, s);
        s
    }

    fn translate_call(&mut self, func: u32, tail: bool) {
        let module = self.env.module;
        let type_index = module.funcs[func as usize];
        let n = module.types[type_index as usize].params().len();
        let args = self.popn(n);
        if module.is_imported_func(func)
            && let Some(intrinsic) = self.env.intrinsics.get(&func)
        {
            let has_result = !module.types[type_index as usize].results().is_empty();
            self.translate_intrinsic(intrinsic, args, has_result);
            if tail {
                let exns = self.exited_bindings(None);
                self.release_exceptions(&exns);
                let n = self.control[0].num_results;
                let values = self.peekn(n).to_vec();
                self.b.ins().return_(&values);
                self.reachable = false;
            }
        } else if module.is_imported_func(func) {
            // Through the function's VMFuncRef: the exporter's code and VMContext.
            let fref = self.env.offsets.func_ref(func);
            let code = self.load_vmctx_readonly(types::I64, fref + vmoffsets::func_ref::CODE);
            let callee_vmctx = self.load_vmctx_readonly(types::I64, fref + vmoffsets::func_ref::VMCTX);
            self.emit_indirect_call(type_index, code, callee_vmctx, args, tail);
        } else {
            let fref = self.direct_func_ref(func, type_index);
            let mut all = vec![self.vmctx, self.vmctx];
            all.extend(args);
            if tail {
                let exns = self.exited_bindings(None);
                self.release_exceptions(&exns);
                self.b.ins().return_call(fref, &all);
                self.reachable = false;
            } else {
                let results = self.call_with_handlers(crate::ops_exceptions::Callee::Direct(fref), &all);
                self.stack.extend(results);
            }
        }
    }

    fn direct_func_ref(&mut self, func: u32, type_index: u32) -> FuncRef {
        if let Some(f) = self.direct_funcs.get(&func) {
            return *f;
        }
        let signature = self.sig_ref(type_index);
        let defined = func - self.env.module.num_imported_funcs;
        let name = self.b.func.declare_imported_user_function(crate::defined_func_name(defined));
        let f = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        });
        self.direct_funcs.insert(func, f);
        f
    }

    pub(crate) fn emit_indirect_call(
        &mut self,
        type_index: u32,
        code: Value,
        callee_vmctx: Value,
        args: Vec<Value>,
        tail: bool,
    ) {
        let sig = self.sig_ref(type_index);
        let mut all = vec![callee_vmctx, self.vmctx];
        all.extend(args);
        if tail {
            let exns = self.exited_bindings(None);
            self.release_exceptions(&exns);
            self.b.ins().return_call_indirect(sig, code, &all);
            self.reachable = false;
        } else {
            let results = self.call_with_handlers(crate::ops_exceptions::Callee::Indirect(sig, code), &all);
            self.stack.extend(results);
        }
    }

    fn translate_call_indirect(&mut self, type_index: u32, table: u32, tail: bool) {
        let index = self.pop();
        let n = self.env.module.types[type_index as usize].params().len();
        let args = self.popn(n);
        // Initialised, so never 0. Null is the runtime's sentinel, an inaccessible page: reading
        // its type id faults, and this load is the null check.
        let elem = self.table_element(table, index);
        let null_check = MemFlagsData::new()
            .with_aligned()
            .with_readonly()
            .with_trap_code(Some(TrapKind::IndirectCallToNull.to_code()));
        let actual = self.b.ins().load(types::I32, null_check, elem, vmoffsets::func_ref::TYPE_ID);
        let expected = self.load_vmctx_readonly(types::I32, self.env.offsets.type_id(type_index));
        let mismatch = self.b.ins().icmp(ir::condcodes::IntCC::NotEqual, actual, expected);
        self.b.ins().trapnz(mismatch, TrapKind::BadSignature.to_code());
        let code = self.b.ins().load(types::I64, readonly(), elem, vmoffsets::func_ref::CODE);
        let callee_vmctx = self.b.ins().load(types::I64, readonly(), elem, vmoffsets::func_ref::VMCTX);
        self.emit_indirect_call(type_index, code, callee_vmctx, args, tail);
    }
}

/// Flags of a global's slot: trusted, but a `v128` slot is not promised to be 16-byte aligned
/// (an imported global lives in its exporter's instance), so no aligned vector move.
fn global_flags(ty: types::Type) -> MemFlagsData {
    if ty.is_vector() { MemFlagsData::new().with_notrap() } else { MemFlagsData::trusted() }
}

pub(crate) fn block_args(values: &[Value]) -> Vec<BlockArg> {
    values.iter().map(|v| BlockArg::Value(*v)).collect()
}

pub(crate) fn malformed(e: wasmparser::BinaryReaderError) -> CompileError {
    CompileError::Unsupported(format!("unreadable function body: {e}"))
}
