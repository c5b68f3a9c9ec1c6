//! Exception handling: `throw`, `throw_ref`, `try_table` and the legacy `try`/`catch`/
//! `catch_all`/`rethrow`/`delegate`.
//!
//! A throw is a call of the runtime's `Throw` builtin with an exception object (an `exnref`:
//! the tag's identity and the payload values, see `vmoffsets::exn`). The runtime walks the Wasm
//! frames above it and resumes at the first handler whose call site covers the frame (crate doc,
//! "Exceptions"). Handlers are Cranelift exception tables: every call made inside a handler
//! scope is a `try_call` whose table lists, innermost scope first, the scopes' clauses, preceded
//! by the caller's VMContext as the dynamic context that gives tag indices their meaning.
//!
//! - `try_table`: one landing pad per catch clause, emitted where the `try_table` opens (its
//!   labels are outside it). A pad gets the exnref, loads the payload and branches to the
//!   clause's label as `br` would.
//! - Legacy `try`: the body's calls go to one landing pad (a catch-all entry) because the catch
//!   clauses are only known later; at `end` the pad compares the exception's tag with each
//!   `catch` in order, jumps to the first match, and otherwise throws the exception on to the
//!   handlers around the `try`. `delegate` fills the pad with a throw to the handlers of the
//!   target label, `rethrow` throws the exception of an enclosing catch again.
//!
//! Exception objects count their references (`vmoffsets::exn::REFS`, see `cwali_rt`'s
//! exceptions module): a throw carries one; a legacy catch body takes over the one of the throw
//! it ended and drops it when it is left: at its fall-through, on every branch or `return` out
//! of it, and through a catch-all pad of its own when an exception passes out of it. `rethrow`
//! adds a reference for its throw.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, BlockArg, BlockCall, ExceptionTableData, ExceptionTableItem, ExceptionTag, FuncRef, InstBuilder,
    MemFlagsData, SigRef, Value, types,
};
use wasmparser::{Catch, Operator};

use crate::builtins::Builtin;
use crate::func_translator::{FrameKind, FuncTranslator, Result, block_args};
use crate::signatures::ir_type;
use crate::trap::TrapKind;
use crate::vmoffsets::{VMOffsets, exn};

/// The handlers of one `try_table` or legacy `try` body: (tag, landing pad) in match order;
/// a `None` tag catches everything.
#[derive(Debug)]
pub(crate) struct HandlerScope {
    clauses: Vec<(Option<u32>, ir::Block)>,
}

/// A legacy `try` being translated.
#[derive(Debug)]
pub(crate) struct LegacyTry {
    /// Where every exception thrown in the body lands (param: the exnref).
    pad: ir::Block,
    /// The `catch`/`catch_all` bodies so far: (tag, block with params (exnref, payload...)).
    catches: Vec<(Option<u32>, ir::Block)>,
    /// The catch body being translated: its pad for exceptions passing out of it (param: their
    /// exnref) and the exnref it bound.
    release: Option<(ir::Block, Value)>,
}

/// A conditional branch out of legacy catch bodies goes through a block of its own that drops
/// their references: (that block, the exnrefs, the branch's real target and arguments).
pub(crate) type PendingExit = (ir::Block, Vec<Value>, ir::Block, Vec<BlockArg>);

/// What a call calls.
pub(crate) enum Callee {
    Direct(FuncRef),
    Indirect(SigRef, Value),
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl FuncTranslator<'_, '_> {
    pub(crate) fn translate_exceptions(&mut self, op: &Operator<'_>) -> Result<bool> {
        match op {
            Operator::TryTable { try_table } => self.translate_try_table(try_table.ty, &try_table.catches),
            Operator::Throw { tag_index } => {
                let n = self.env.module.tag_params(*tag_index).len();
                let args = self.popn(n);
                let exn = self.new_exception(*tag_index, &args);
                self.throw(exn, self.handlers.len());
            }
            Operator::ThrowRef => {
                let exn = self.pop();
                self.b.ins().trapz(exn, TrapKind::NullReference.to_code());
                self.throw(exn, self.handlers.len());
            }
            Operator::Try { blockty } => self.translate_try(*blockty),
            Operator::Catch { tag_index } => self.translate_catch(Some(*tag_index)),
            Operator::CatchAll => self.translate_catch(None),
            Operator::Delegate { relative_depth } => self.translate_delegate(*relative_depth),
            Operator::Rethrow { relative_depth } => {
                let i = self.control.len() - 1 - *relative_depth as usize;
                let FrameKind::Try { exn: Some(exn) } = self.control[i].kind else {
                    unreachable!("validated: rethrow names a catch")
                };
                self.retain_exception(exn);
                self.throw(exn, self.handlers.len());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    // ---- calls and throws ----------------------------------------------------------------

    /// The exception table entries of the innermost `depth` handler scopes, innermost first,
    /// after the VMContext; `None` when no scope has a clause.
    fn exception_items(&mut self, depth: usize) -> Option<Vec<ExceptionTableItem>> {
        let mut items = vec![ExceptionTableItem::Context(self.vmctx)];
        let mut seen = Vec::new();
        'scopes: for scope in self.handlers[..depth].iter().rev() {
            for &(tag, pad) in &scope.clauses {
                let call = BlockCall::new(pad, [BlockArg::TryCallExn(0)], &mut self.b.func.dfg.value_lists);
                match tag {
                    // A tag listed before already matches everything this entry would.
                    Some(t) if seen.contains(&t) => {}
                    Some(t) => {
                        seen.push(t);
                        items.push(ExceptionTableItem::Tag(ExceptionTag::from_u32(t), call));
                    }
                    None => {
                        items.push(ExceptionTableItem::Default(call));
                        break 'scopes;
                    }
                }
            }
        }
        (items.len() > 1).then_some(items)
    }

    /// Emit a call; inside handler scopes a `try_call` whose exceptional edges lead to them.
    pub(crate) fn call_with_handlers(&mut self, callee: Callee, args: &[Value]) -> Vec<Value> {
        let Some(items) = self.exception_items(self.handlers.len()) else {
            let call = match callee {
                Callee::Direct(f) => self.b.ins().call(f, args),
                Callee::Indirect(sig, code) => self.b.ins().call_indirect(sig, code, args),
            };
            return self.b.inst_results(call).to_vec();
        };
        let sig = match callee {
            Callee::Direct(f) => self.b.func.dfg.ext_funcs[f].signature,
            Callee::Indirect(sig, _) => sig,
        };
        let returns: Vec<_> = self.b.func.dfg.signatures[sig].returns.iter().map(|r| r.value_type).collect();
        let cont = self.b.create_block();
        for t in &returns {
            self.b.append_block_param(cont, *t);
        }
        let rets: Vec<BlockArg> = (0..returns.len() as u32).map(BlockArg::TryCallRet).collect();
        let normal = BlockCall::new(cont, rets, &mut self.b.func.dfg.value_lists);
        let table = ExceptionTableData::new(sig, normal, items);
        let table = self.b.func.dfg.exception_tables.push(table);
        match callee {
            Callee::Direct(f) => self.b.ins().try_call(f, args, table),
            Callee::Indirect(_, code) => self.b.ins().try_call_indirect(code, args, table),
        };
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
        self.b.block_params(cont).to_vec()
    }

    /// Throw `exn` to the innermost `depth` handler scopes (and then out of the function).
    /// Ends the current block.
    pub(crate) fn throw(&mut self, exn: Value, depth: usize) {
        let sig = self.call_builtin_sig(Builtin::Throw);
        let table = self.b.ins().load(types::I64, trusted().with_readonly(), self.vmctx, VMOffsets::BUILTINS);
        let fptr = self.b.ins().load(types::I64, trusted().with_readonly(), table, Builtin::Throw.offset());
        let args = [self.vmctx, exn];
        match self.exception_items(depth) {
            None => {
                self.b.ins().call_indirect(sig, fptr, &args);
            }
            Some(items) => {
                let after = self.b.create_block();
                let normal = BlockCall::new(after, [], &mut self.b.func.dfg.value_lists);
                let table = ExceptionTableData::new(sig, normal, items);
                let table = self.b.func.dfg.exception_tables.push(table);
                self.b.ins().try_call_indirect(fptr, &args, table);
                self.b.switch_to_block(after);
                self.b.seal_block(after);
            }
        }
        // The builtin never returns.
        self.trap(TrapKind::Unreachable);
        self.reachable = false;
    }

    /// A new exception object of `tag` holding `args`.
    fn new_exception(&mut self, tag: u32, args: &[Value]) -> Value {
        let t = self.b.ins().iconst(types::I32, tag as i64);
        let exn = self.call_builtin(Builtin::ExnAlloc, &[t]).expect("ExnAlloc returns the object");
        for (i, v) in args.iter().enumerate() {
            self.b.ins().store(trusted(), *v, exn, exn::VALUES + exn::SLOT * i as i32);
        }
        exn
    }

    /// The payload values of `exn`, an exception of `tag`.
    fn exception_payload(&mut self, tag: u32, exn: Value) -> Vec<Value> {
        let params = self.env.module.tag_params(tag).to_vec();
        params
            .iter()
            .enumerate()
            .map(|(i, t)| self.b.ins().load(ir_type(*t), trusted(), exn, exn::VALUES + exn::SLOT * i as i32))
            .collect()
    }

    /// Mark `exn` as possibly referenced in ways not counted (`exn::PINNED`): never freed.
    fn pin_exception(&mut self, exn: Value) {
        let pinned = self.b.ins().iconst(types::I32, exn::PINNED as i64);
        self.b.ins().store(trusted(), pinned, exn, exn::REFS);
    }

    /// One more reference to `exn` (unless it is pinned). Not atomic: an unpinned object is
    /// only referenced from the thread that threw it.
    fn retain_exception(&mut self, exn: Value) {
        let refs = self.b.ins().load(types::I32, trusted(), exn, exn::REFS);
        let pinned = self.b.ins().icmp_imm_s(IntCC::Equal, refs, exn::PINNED as i64);
        let more = self.b.ins().iadd_imm_s(refs, 1);
        let refs = self.b.ins().select(pinned, refs, more);
        self.b.ins().store(trusted(), refs, exn, exn::REFS);
    }

    /// Drop a reference to each of `exns` (the last frees the object).
    pub(crate) fn release_exceptions(&mut self, exns: &[Value]) {
        for &exn in exns {
            self.call_builtin(Builtin::ExnRelease, &[exn]);
        }
    }

    /// The exnrefs bound by the legacy catch bodies a branch to label `depth` leaves (`None`:
    /// a `return`, which leaves them all).
    pub(crate) fn exited_bindings(&self, depth: Option<u32>) -> Vec<Value> {
        if self.legacy_tries.is_empty() {
            return Vec::new();
        }
        let first = match depth {
            None => 0,
            // A loop's label stays inside the loop; any other target frame is left.
            Some(d) => {
                let i = self.control.len() - 1 - d as usize;
                if matches!(self.control[i].kind, FrameKind::Loop { .. }) { i + 1 } else { i }
            }
        };
        self.control[first..]
            .iter()
            .rev()
            .filter_map(|f| match f.kind {
                FrameKind::Try { exn: Some(exn) } => Some(exn),
                _ => None,
            })
            .collect()
    }

    /// The target and arguments of a conditional branch to `depth`, as `branch_args` gives
    /// them; when the branch leaves legacy catch bodies, a new block that drops their
    /// references on the way. Call [`Self::emit_exit_blocks`] once the branch is emitted.
    pub(crate) fn exit_args(&mut self, depth: u32) -> (ir::Block, Vec<BlockArg>) {
        let (target, args) = self.branch_args(depth);
        let exns = self.exited_bindings(Some(depth));
        if exns.is_empty() {
            return (target, args);
        }
        let via = self.b.create_block();
        self.pending_exits.push((via, exns, target, args));
        (via, Vec::new())
    }

    /// Emit the blocks [`Self::exit_args`] made; the current block must be terminated.
    pub(crate) fn emit_exit_blocks(&mut self) {
        for (via, exns, target, args) in std::mem::take(&mut self.pending_exits) {
            self.b.switch_to_block(via);
            self.b.seal_block(via);
            self.release_exceptions(&exns);
            self.b.ins().jump(target, &args);
        }
    }

    /// Whether `exn`'s tag is this instance's tag `tag` (same identity, possibly imported).
    fn exception_is(&mut self, exn: Value, tag: u32) -> Value {
        let actual = self.b.ins().load(types::I64, trusted().with_readonly(), exn, exn::TAG);
        let expected = self.load_vmctx_readonly(types::I64, self.env.offsets.tag(tag));
        self.b.ins().icmp(IntCC::Equal, actual, expected)
    }

    /// `br` to the label `depth` (counted at the current point) with `args`.
    fn jump_to_label(&mut self, depth: u32, args: &[Value]) {
        let exns = self.exited_bindings(Some(depth));
        self.release_exceptions(&exns);
        let i = self.control.len() - 1 - depth as usize;
        let (target, _) = self.control[i].branch_target();
        if !matches!(self.control[i].kind, FrameKind::Loop { .. }) {
            self.control[i].branched_to = true;
        }
        self.b.ins().jump(target, &block_args(args));
    }

    // ---- try_table -----------------------------------------------------------------------

    fn translate_try_table(&mut self, ty: wasmparser::BlockType, catches: &[Catch]) {
        let (params, results) = self.block_type(ty);
        let next = self.block_with_params(&results);
        let body = self.b.create_block();
        self.b.ins().jump(body, &[]);
        // Each clause's pad: unpack and branch to its label (labels are outside the try_table).
        let mut clauses = Vec::with_capacity(catches.len());
        for catch in catches {
            let pad = self.b.create_block();
            let exn = self.b.append_block_param(pad, types::I64);
            self.b.switch_to_block(pad);
            // Without `_ref` the throw's reference ends here, after the payload is read; with
            // `_ref` the object becomes a value, which is not counted: it is pinned.
            let (tag, label, args) = match *catch {
                Catch::One { tag, label } => {
                    let args = self.exception_payload(tag, exn);
                    self.call_builtin(Builtin::ExnRelease, &[exn]);
                    (Some(tag), label, args)
                }
                Catch::OneRef { tag, label } => {
                    self.pin_exception(exn);
                    let mut args = self.exception_payload(tag, exn);
                    args.push(exn);
                    (Some(tag), label, args)
                }
                Catch::All { label } => {
                    self.call_builtin(Builtin::ExnRelease, &[exn]);
                    (None, label, vec![])
                }
                Catch::AllRef { label } => {
                    self.pin_exception(exn);
                    (None, label, vec![exn])
                }
            };
            self.jump_to_label(label, &args);
            clauses.push((tag, pad));
        }
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        self.handlers.push(HandlerScope { clauses });
        self.push_frame(FrameKind::TryTable, next, params.len(), results.len());
    }

    /// Before the generic `end`: the clauses stop covering calls; their pads have all their
    /// predecessors now.
    pub(crate) fn end_try_table(&mut self) {
        let scope = self.handlers.pop().expect("a try_table's scope");
        for (_, pad) in scope.clauses {
            self.b.seal_block(pad);
        }
    }

    // ---- legacy try ----------------------------------------------------------------------

    fn translate_try(&mut self, ty: wasmparser::BlockType) {
        let (params, results) = self.block_type(ty);
        let next = self.block_with_params(&results);
        let pad = self.b.create_block();
        self.b.append_block_param(pad, types::I64);
        self.handlers.push(HandlerScope { clauses: vec![(None, pad)] });
        self.legacy_tries.push(LegacyTry { pad, catches: Vec::new(), release: None });
        self.push_frame(FrameKind::Try { exn: None }, next, params.len(), results.len());
    }

    /// Leave the body or catch body being translated: a fall-through goes to the continuation
    /// (from a catch body, dropping its reference to the exception first).
    fn leave_try_part(&mut self) {
        let kind = self.control.last().expect("validated: inside a try").kind;
        if self.reachable {
            if let FrameKind::Try { exn: Some(exn) } = kind {
                self.release_exceptions(&[exn]);
            }
            let frame = self.control.last_mut().expect("validated: inside a try");
            frame.branched_to = true;
            let (next, n) = (frame.next, frame.num_results);
            let args = block_args(&self.stack[self.stack.len() - n..]);
            self.b.ins().jump(next, &args);
        }
        match kind {
            FrameKind::Try { exn: None } => {
                // The body's landing pad no longer covers what follows.
                self.handlers.pop();
                self.control.last_mut().expect("the try frame").handlers_inside = self.handlers.len();
            }
            FrameKind::Try { exn: Some(_) } => {
                // Exceptions passing out of the catch body: drop its reference, throw on.
                self.handlers.pop();
                let t = self.legacy_tries.last_mut().expect("validated: inside a try");
                let (pad, exn) = t.release.take().expect("a catch body's release pad");
                self.b.switch_to_block(pad);
                let passing = self.b.block_params(pad)[0];
                self.release_exceptions(&[exn]);
                self.throw(passing, self.handlers.len());
                self.b.seal_block(pad);
            }
            _ => unreachable!("validated: inside a try"),
        }
    }

    pub(crate) fn translate_catch(&mut self, tag: Option<u32>) {
        self.leave_try_part();
        let params = tag.map(|t| self.env.module.tag_params(t).to_vec()).unwrap_or_default();
        let block = self.b.create_block();
        let exn = self.b.append_block_param(block, types::I64);
        for t in &params {
            self.b.append_block_param(block, ir_type(*t));
        }
        let release = self.b.create_block();
        self.b.append_block_param(release, types::I64);
        let t = self.legacy_tries.last_mut().expect("validated: catch inside try");
        t.catches.push((tag, block));
        t.release = Some((release, exn));
        self.handlers.push(HandlerScope { clauses: vec![(None, release)] });
        self.b.switch_to_block(block);
        let frame = self.control.last_mut().expect("validated: catch inside try");
        frame.kind = FrameKind::Try { exn: Some(exn) };
        let height = frame.height;
        self.stack.truncate(height);
        let payload = self.b.block_params(block)[1..].to_vec();
        self.stack.extend(payload);
        self.reachable = true;
    }

    /// Before the generic `end` of a legacy `try`: fill its landing pad.
    pub(crate) fn end_try(&mut self) {
        self.leave_try_part();
        self.reachable = false;
        let t = self.legacy_tries.pop().expect("a try's record");
        self.b.switch_to_block(t.pad);
        let exn = self.b.block_params(t.pad)[0];
        // Match the catch clauses in order; none matching: on to the handlers around the try.
        let mut caught_all = false;
        for &(tag, block) in &t.catches {
            match tag {
                Some(tag) => {
                    let is = self.exception_is(exn, tag);
                    let take = self.b.create_block();
                    let other = self.b.create_block();
                    self.b.ins().brif(is, take, &[], other, &[]);
                    self.b.seal_block(take);
                    self.b.seal_block(other);
                    self.b.switch_to_block(take);
                    let mut args = vec![exn];
                    args.extend(self.exception_payload(tag, exn));
                    self.b.ins().jump(block, &block_args(&args));
                    self.b.switch_to_block(other);
                }
                None => {
                    self.b.ins().jump(block, &[BlockArg::Value(exn)]);
                    caught_all = true;
                    break;
                }
            }
        }
        if !caught_all {
            self.throw(exn, self.handlers.len());
        }
        self.b.seal_block(t.pad);
        for (_, block) in t.catches {
            self.b.seal_block(block);
        }
    }

    /// `delegate`: exceptions of the body go to the handlers of label `depth` (counted outside
    /// the try); then the `try` ends.
    pub(crate) fn translate_delegate(&mut self, depth: u32) {
        self.leave_try_part();
        self.reachable = false;
        let t = self.legacy_tries.pop().expect("validated: delegate closes a try");
        debug_assert!(t.catches.is_empty());
        // The try's own frame is still on the control stack: the label is one further out.
        let target = self.control.len() - 2 - depth as usize;
        let handlers = self.control[target].handlers_inside;
        self.b.switch_to_block(t.pad);
        let exn = self.b.block_params(t.pad)[0];
        self.throw(exn, handlers);
        self.b.seal_block(t.pad);
        // The generic end, with the try frame as a plain block now.
        self.control.last_mut().expect("the try frame").kind = FrameKind::Block;
        self.translate_end();
    }
}
