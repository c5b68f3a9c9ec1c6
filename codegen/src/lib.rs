//! # cwali-codegen: Wasm functions to machine code through Cranelift
//!
//! [`compile`] takes a validated [`ModuleInfo`] and returns a [`CompiledModule`]: the machine
//! code of every defined function, the trampolines the runtime needs to call in and out, and,
//! for each function, the table of trap sites (code offset → [`TrapKind`]).
//!
//! The translator (`func_translator`) walks one function's operators with an explicit value
//! and control stack and emits Cranelift IR through `FunctionBuilder`. Everything it knows about
//! the runtime comes from two places: the VMContext layout in [`vmoffsets`] and the builtin
//! function table in [`builtins`]. Functions are compiled in parallel (rayon), then laid out in
//! one block of code ([`link`]) that is placed in memory with one mapping and one protection
//! change.
//!
//! Calling convention: every Wasm function uses Cranelift's `tail` convention (so `return_call`
//! works everywhere) with the signature `(callee_vmctx, caller_vmctx, params...) -> results`.
//! The host enters through a per-signature *array trampoline*
//! `extern "C" fn(callee_vmctx, caller_vmctx, code, values: *mut ValRaw)`, and Wasm calls host
//! functions through a per-signature *host trampoline* that spills the arguments to an array and
//! calls `extern "C" fn(host_ctx, caller_vmctx, values)` (the pointer at `host_ctx + 0`).
//!
//! Intrinsics ([`inline_syscall`]): the embedder may mark imports the translator compiles
//! itself. WALI pass-through syscalls become pointer checks plus a raw syscall stub (no host
//! call); `setjmp`/`longjmp` become calls of runtime stubs that snapshot and restore the calling
//! function's native frame. Design note on setjmp: a Cranelift function does not know that a call
//! returns twice, so after the first return it may reuse a spill slot that the second return
//! still needs; the setjmp stub therefore copies the caller's whole frame (`[sp, fp+16)`) along
//! with its callee-saved registers, and longjmp writes it back before jumping, which makes the
//! second return see exactly the state of the first (see `cwali_rt`'s `setjmp` module).
//!
//! Code cache ([`cache`]): [`compile_artifacts`] produces [`Artifacts`] (code, relocations, trap
//! tables per function), [`link::link`] turns them into one position-independent block plus a
//! [`link::Layout`], which the cache stores as they are, and [`place`] puts a block in memory.
//!
//! Debugging: with `CWALI_EMIT_CLIF=DIR` in the environment every compiled function's optimized
//! IR is written to `DIR/<function name>.clif` (Wasmtime's `Config::emit_clif` writes the same
//! form, which `cwali-benches --dump` uses to compare the two).
//!
//! Exceptions (`ops_exceptions`, runtime side in `cwali_rt`'s `exceptions`): a throw is a call
//! of the runtime's `Throw` builtin with an exception object (tag identity + payload). Every call
//! made inside a `try_table` or legacy `try` body is a Cranelift `try_call` whose exception
//! table lists the handlers in scope, innermost first, after the caller's VMContext (the
//! dynamic context in which the tables' tag numbers, the module's tag indices, are resolved).
//! Compilation records each such call site in [`ExnCallSite`]: return offset, frame size and
//! handlers with code offsets; linking moves them into the module's block ([`Layout::exn_sites`],
//! stored with the layout in the code cache) and the runtime registers them with the block's
//! code registration, where the unwinder looks return addresses up. The throw builtin walks the frame-pointer chain of the current
//! activation; at the first frame whose call site has a matching handler it sets the stack
//! pointer to `fp - frame_offset`, the frame pointer to `fp`, the exnref in the first payload
//! register, and jumps to the handler; `try_call` treats every register as clobbered, so nothing
//! else needs restoring. No handler before the entry trampoline: the exception leaves the
//! activation like a trap, as an error the host sees; a host function that returns that error
//! throws it on into its Wasm caller (the host trampoline checks the host function's result).
//! The legacy instructions use the same machinery: a `try` body's calls land on one pad that
//! tests the `catch` clauses in code (they come after the body), `rethrow` and `delegate` are
//! throws of the caught exception to the right handler scopes. Wasmtime 48 translates only
//! `try_table`; it refuses the legacy instructions.
//!
//! SIMD: `v128` is Cranelift's `I8X16` everywhere values travel (stack, locals, block
//! parameters, globals, calls, the 16-byte value slots of the trampolines), and each operator
//! casts to the lane shape it needs (`ops_simd`). Cranelift picks the instructions from the
//! host's CPU features (`cranelift_native`); on x86_64 its SIMD lowering needs SSE4.1 and uses
//! AVX/AVX-512 encodings when the host has them. A host without SSE4.1 gets a compile error
//! for SIMD code, not wrong code.
//!
//! Relaxed SIMD is *deterministic*: every relaxed operator gives the same result on every host,
//! the result Wasmtime gives with `relaxed_simd_deterministic(true)`:
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (indices >= 16 select 0);
//! - `i32x4.relaxed_trunc_*` are the saturating `trunc_sat` conversions (NaN -> 0);
//! - `f32x4/f64x2.relaxed_madd`/`nmadd` are fused (`fma`, one rounding; `nmadd` negates the
//!   first factor);
//! - `*.relaxed_laneselect` is `v128.bitselect` (bit by bit, whatever the mask's lanes hold);
//! - `relaxed_min`/`relaxed_max` are `min`/`max` (NaN-propagating, -0 < +0);
//! - `i16x8.relaxed_q15mulr_s` is `q15mulr_sat_s` (saturates `-32768 * -32768`);
//! - `relaxed_dot_i8x16_i7x16` treats both operands as signed and wraps the 16-bit sums.
//!
//! Wide arithmetic: `i64.add128`/`sub128` are `i128` additions of the concatenated halves, and
//! `i64.mul_wide_s`/`u` an `imul` plus `smulhi`/`umulhi`.
//!
//! Memories: in [`BoundsChecks::Guard`] mode every 32-bit memory sits in a 4 GiB reservation
//! followed by a 2 GiB guard region, so an access whose static offset fits the guard needs no
//! check: it faults, and the fault's PC is in the trap table. [`BoundsChecks::Explicit`] compares
//! against the current length instead.

pub mod builtins;
pub mod cache;
mod func_translator;
pub mod inline_syscall;
pub mod link;
mod ops_exceptions;
mod ops_funcref;
mod ops_memory;
mod ops_numeric;
mod ops_simd;
mod ops_table;
mod safepoints;
mod signatures;
mod trampolines;
pub mod trap;
pub mod vmoffsets;

use std::sync::Arc;

use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, UserExternalName, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_module::{FuncId, ModuleReloc, ModuleRelocTarget};
use cwali_frontend::ModuleInfo;
use rayon::prelude::*;

pub use builtins::{Builtin, BuiltinType};
pub use inline_syscall::{InlineArg, InlineLen, InlineSyscall, Intrinsic, SyscallResolver};
pub use link::{CodeMemory, Layout, LinkedCode};
pub use trap::TrapKind;
pub use vmoffsets::VMOffsets;

/// Whether safepoint polls on this host are loads from a poll page (x86_64) rather than a load,
/// test and branch on the pending flag (elsewhere). With poll pages a poll is one load with no
/// branch from the store's poll page (found through the VMContext, once per function; no
/// register is pinned, which big functions would pay for in spills): a request protects the page, the
/// load faults at a recorded [`TrapKind::Safepoint`] site, and the runtime's fault handler
/// enters the safepoint as if the load had called it, then re-executes the load. (On aarch64
/// the handler would need a scratch register to resume, which the interrupted code may be
/// using, so it keeps the branch.)
///
/// Code is always generated for the host (`cranelift_native`), so this is a property of the
/// build; the runtime reads the same constant to decide whether stores get poll pages.
pub const POLL_PAGES: bool = cfg!(target_arch = "x86_64");

/// Alignment of every function's code (a cache line).
const FUNCTION_ALIGNMENT: u64 = 64;

/// Size of the region after a 32-bit memory's 4 GiB that is never accessible.
pub const GUARD_REGION: u64 = 2 << 30;

/// How linear-memory accesses are kept inside the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoundsChecks {
    /// 4 GiB reservation + guard region; no explicit checks (the default).
    #[default]
    Guard,
    /// Compare every access against the current length (for hosts where the reservation fails).
    Explicit,
}

/// Compilation settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub bounds_checks: BoundsChecks,
    /// Cranelift's `opt_level`: "none", "speed" or "speed_and_size".
    pub opt_level: String,
    /// Cranelift's `regalloc_algorithm`: "backtracking" or "single_pass".
    pub regalloc: String,
    /// Compile functions on all cores.
    pub parallel: bool,
    /// Poll for pending guest signals at function entries and loop headers.
    pub safepoints: bool,
    /// Imports to compile as intrinsics (WALI pass-through syscalls, setjmp/longjmp).
    pub intrinsics: Option<SyscallResolver>,
    /// Told `(done, total)` as each defined function finishes compiling (from any thread), e.g.
    /// for a progress line. Not part of the cache key: it does not change the code.
    pub progress: Option<Progress>,
}

/// A compile progress callback (see [`Config::progress`]).
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bounds_checks: BoundsChecks::Guard,
            opt_level: "speed".to_string(),
            regalloc: "backtracking".to_string(),
            parallel: true,
            safepoints: false,
            intrinsics: None,
            progress: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("cannot set up Cranelift for this host: {0}")]
    Isa(String),
    #[error("Cranelift failed on {func}: {message}")]
    Codegen { func: String, message: String },
    #[error("unsupported feature: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Place(#[from] link::PlaceError),
    #[error("compiled code does not match the module")]
    Mismatch,
}

/// The machine code of one defined function.
#[derive(Debug, Clone)]
pub struct FunctionCode {
    /// Index in the module's function index space.
    pub func_index: u32,
    pub ptr: usize,
    pub len: usize,
}

/// A call that exception handlers cover: where the unwinder looks when a throw passes through
/// this call (see "Exceptions" in the crate doc). In an [`Artifact`] offsets are relative to
/// the function; in a [`Layout`] and a [`CompiledModule`] to the module's block of code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExnCallSite {
    /// Offset of the call's return address.
    pub ret: u32,
    /// Distance from the frame pointer down to the stack pointer at the call.
    pub frame_offset: u32,
    /// Tried in order; the first match wins.
    pub handlers: Vec<ExnHandler>,
}

impl ExnCallSite {
    /// The same site with its code offsets (return address, handler targets) moved by `delta`.
    pub fn shifted(&self, delta: u32) -> ExnCallSite {
        let handlers = (self.handlers.iter())
            .map(|h| match *h {
                ExnHandler::Context(off) => ExnHandler::Context(off),
                ExnHandler::Tag { tag, target } => ExnHandler::Tag { tag, target: target + delta },
                ExnHandler::All(target) => ExnHandler::All(target + delta),
            })
            .collect();
        ExnCallSite { ret: self.ret + delta, frame_offset: self.frame_offset, handlers }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExnHandler {
    /// The caller's VMContext is stored at `sp + offset`: tags below are its module's indices.
    Context(u32),
    /// Exceptions of the module's tag `tag` resume at code offset `target`.
    Tag { tag: u32, target: u32 },
    /// Every exception resumes at `target`.
    All(u32),
}

/// A compiled module: code that stays mapped as long as this value lives.
pub struct CompiledModule {
    code: CodeMemory,
    pub offsets: VMOffsets,
    /// Defined functions, in order (`funcs[i]` is function `num_imported_funcs + i`).
    pub funcs: Vec<FunctionCode>,
    /// Trap sites of all defined functions: offset from [`CompiledModule::text`]'s start →
    /// kind, sorted by offset.
    pub traps: Vec<(u32, TrapKind)>,
    /// Exception call sites of all defined functions, code offsets from
    /// [`CompiledModule::text`]'s start, sorted by return offset.
    pub exn_sites: Vec<ExnCallSite>,
    /// Per module type: the host-to-Wasm array trampoline.
    pub array_trampolines: Vec<usize>,
    /// Per module type: the Wasm-to-host trampoline.
    pub host_trampolines: Vec<usize>,
}

impl CompiledModule {
    /// The module's block of code: start address and length.
    pub fn text(&self) -> (usize, usize) {
        (self.code.base(), self.code.len())
    }
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModule").field("funcs", &self.funcs.len()).finish()
    }
}

/// The host's Cranelift ISA with the settings cwali relies on.
pub fn host_isa(config: &Config) -> Result<OwnedTargetIsa, CompileError> {
    isa(config, true)
}

fn isa(config: &Config, detect_cpu_features: bool) -> Result<OwnedTargetIsa, CompileError> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, k: &str, v: &str| {
        flags.set(k, v).map_err(|e| CompileError::Isa(format!("{k}={v}: {e}")))
    };
    set(&mut flags, "opt_level", &config.opt_level)?;
    set(&mut flags, "regalloc_algorithm", &config.regalloc)?;
    // Backtraces walk the frame-pointer chain from the signal handler.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    // Code lives at arbitrary addresses in the JIT's memory.
    set(&mut flags, "is_pic", "false")?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    // Multi-value functions may return more values than there are return registers.
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    // Stack overflow is caught by the prologue's stack-limit check, not by probes.
    set(&mut flags, "enable_probestack", "false")?;
    // Without poll pages, safepoint polls read the store's limits through the pinned register
    // (see `safepoint`); poll pages are found through the VMContext.
    set(&mut flags, "enable_pinned_reg", if config.safepoints && !POLL_PAGES { "true" } else { "false" })?;
    let isa_builder =
        cranelift_native::builder_with_options(detect_cpu_features).map_err(|e| CompileError::Isa(e.to_string()))?;
    isa_builder.finish(settings::Flags::new(flags)).map_err(|e| CompileError::Isa(e.to_string()))
}

/// One function's machine code, independent of where it will be placed: what the code cache
/// stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub bytes: Vec<u8>,
    pub alignment: u64,
    pub relocs: Vec<Reloc>,
    /// Trap sites: offset → kind, sorted by offset.
    pub traps: Vec<(u32, TrapKind)>,
    /// Exception call sites, sorted by return offset.
    pub exn_sites: Vec<ExnCallSite>,
}

/// A relocation in an [`Artifact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloc {
    pub offset: u32,
    pub kind: cranelift_codegen::binemit::Reloc,
    pub target: RelocTarget,
    pub addend: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelocTarget {
    /// Another function of the module, by JIT function id.
    Func(u32),
    /// A Cranelift library routine (e.g. `ceilf` on hosts without SSE4.1).
    LibCall(ir::LibCall),
    /// An offset inside a function of the module.
    FuncOffset(u32, u32),
}

/// The compiled form of a module before loading: defined functions in order, then the array
/// trampolines and the host trampolines (one of each per module type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifacts {
    pub funcs: Vec<Artifact>,
    pub trampolines: Vec<Artifact>,
}

fn finish(isa: &OwnedTargetIsa, func: ir::Function, name: &dyn Fn() -> String) -> Result<Artifact, CompileError> {
    let mut ctx = Context::for_function(func);
    let compiled = ctx
        .compile(&**isa, &mut ControlPlane::default())
        .map_err(|e| CompileError::Codegen { func: name(), message: format!("{:?}", e.inner) })?;
    let mut traps: Vec<(u32, TrapKind)> = compiled
        .buffer
        .traps()
        .iter()
        .map(|t| (t.offset, TrapKind::from_code(t.code).expect("trap code emitted by cwali")))
        .collect();
    traps.sort_by_key(|t| t.0);
    let mut exn_sites = Vec::new();
    for site in compiled.buffer.call_sites().filter(|s| !s.exception_handlers.is_empty()) {
        use cranelift_codegen::{ExceptionContextLoc, FinalizedMachExceptionHandler as H};
        let handlers = site
            .exception_handlers
            .iter()
            .map(|h| match *h {
                H::Tag(tag, target) => Ok(ExnHandler::Tag { tag: tag.as_u32(), target }),
                H::Default(target) => Ok(ExnHandler::All(target)),
                H::Context(ExceptionContextLoc::SPOffset(off)) => Ok(ExnHandler::Context(off)),
                H::Context(ExceptionContextLoc::GPR(_)) => {
                    Err(CompileError::Codegen { func: name(), message: "exception context left in a register".into() })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let frame_offset = site.frame_offset.ok_or_else(|| CompileError::Codegen {
            func: name(),
            message: "call site without a frame offset".into(),
        })?;
        exn_sites.push(ExnCallSite { ret: site.ret_addr, frame_offset, handlers });
    }
    exn_sites.sort_by_key(|s| s.ret);
    let bytes = compiled.code_buffer().to_vec();
    // Functions start on a cache line (Wasmtime uses the ISA's preferred 32 bytes): where a hot
    // loop falls relative to 32- and 64-byte fetch and branch-prediction windows then depends on
    // the function's own code only, not on the size of the functions placed before it. With 1,
    // 16 or 32 the same kernel ran up to 15 % slower or faster from one module to the next.
    let alignment =
        (compiled.buffer.alignment as u64).max(FUNCTION_ALIGNMENT.max(isa.function_alignment().preferred as u64));
    let mach_relocs = compiled.buffer.relocs().to_vec();
    let relocs = mach_relocs
        .iter()
        .map(|r| {
            // Resolve the function-local external name now: the artifact outlives the IR.
            let m = ModuleReloc::from_mach_reloc(r, &ctx.func, FuncId::from_u32(0));
            let target = match m.name {
                ModuleRelocTarget::User { index, .. } => RelocTarget::Func(index),
                ModuleRelocTarget::LibCall(l) => RelocTarget::LibCall(l),
                ModuleRelocTarget::FunctionOffset(_, off) => RelocTarget::FuncOffset(u32::MAX, off),
                ModuleRelocTarget::KnownSymbol(k) => {
                    return Err(CompileError::Unsupported(format!("relocation to known symbol {k:?}")));
                }
            };
            Ok(Reloc { offset: m.offset, kind: m.kind, target, addend: m.addend })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(dir) = std::env::var_os("CWALI_EMIT_CLIF") {
        // Developer aid, like Wasmtime's `emit_clif`: the optimized IR of every function.
        let path = std::path::Path::new(&dir).join(format!("{}.clif", name().replace(['/', ' '], "_")));
        let _ = std::fs::write(path, ctx.func.display().to_string());
    }
    Ok(Artifact { bytes, alignment, relocs, traps, exn_sites })
}

/// The intrinsics of a module's function imports (by function index), as `config` resolves them.
pub fn resolve_intrinsics(module: &ModuleInfo, config: &Config) -> std::collections::HashMap<u32, Intrinsic> {
    // Intrinsics take 32-bit guest pointers into memory 0; a 64-bit memory 0 gets host calls.
    if module.memories.first().is_some_and(|m| m.memory64) {
        return Default::default();
    }
    match &config.intrinsics {
        Some(resolve) => module
            .func_imports()
            .enumerate()
            .filter_map(|(i, (import, ty))| {
                (resolve.0)(&import.module, &import.name, &module.types[ty as usize]).map(|sc| (i as u32, sc))
            })
            .collect(),
        None => Default::default(),
    }
}

/// Compile every defined function of `module` plus the trampolines, to unplaced code.
pub fn compile_artifacts(module: &ModuleInfo, config: &Config) -> Result<Artifacts, CompileError> {
    let isa = host_isa(config)?;
    let offsets = VMOffsets::new(module);
    let intrinsics = resolve_intrinsics(module, config);
    let entry_polls = if config.safepoints { safepoints::entry_polls(module)? } else { Vec::new() };
    let env = func_translator::ModuleEnv { module, intrinsics, offsets: &offsets, config, isa: &isa, entry_polls };

    let num_defined = module.num_defined_funcs() as usize;
    let num_types = module.types.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let translate = |i: usize| -> Result<Artifact, CompileError> {
        let func_index = module.num_imported_funcs + i as u32;
        let func = env.translate_function(func_index, UserFuncName::user(0, i as u32))?;
        let artifact = finish(&isa, func, &|| module.func_name(func_index));
        if let Some(progress) = &config.progress {
            (progress.0)(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, num_defined);
        }
        artifact
    };
    let tramp = |i: usize| -> Result<Artifact, CompileError> {
        let (ty, array) = (i % num_types, i < num_types);
        let name = UserFuncName::user(0, (num_defined + i) as u32);
        let func = if array {
            let pin = match (config.safepoints, POLL_PAGES) {
                (false, _) => trampolines::Pin::Nothing,
                (true, false) => trampolines::Pin::Limits,
                (true, true) => trampolines::Pin::PollPage,
            };
            trampolines::array_trampoline(&module.types[ty], name, &*isa, pin)
        } else {
            trampolines::host_trampoline(&module.types[ty], name, &*isa)
        };
        finish(&isa, func, &|| format!("trampoline for type {ty}"))
    };
    let (funcs, trampolines) = if config.parallel {
        rayon::join(
            || (0..num_defined).into_par_iter().map(translate).collect::<Result<Vec<_>, _>>(),
            || (0..2 * num_types).into_par_iter().map(tramp).collect::<Result<Vec<_>, _>>(),
        )
    } else {
        ((0..num_defined).map(translate).collect(), (0..2 * num_types).map(tramp).collect())
    };
    Ok(Artifacts { funcs: funcs?, trampolines: trampolines? })
}

/// Place linked code in executable memory.
pub fn load(module: &ModuleInfo, linked: LinkedCode) -> Result<CompiledModule, CompileError> {
    let text = linked.text;
    place(module, linked.layout, text.len(), |bytes| {
        bytes.copy_from_slice(&text);
        Ok(())
    })
}

/// Place a block of `text_len` bytes of code laid out as `layout` for `module`: `fill` writes
/// the bytes.
pub fn place(
    module: &ModuleInfo,
    layout: Layout,
    text_len: usize,
    fill: impl FnOnce(&mut [u8]) -> std::io::Result<()>,
) -> Result<CompiledModule, CompileError> {
    check_layout(module, &layout, text_len)?;
    let code = CodeMemory::place(text_len, &layout.relocs, fill)?;
    Ok(compiled(module, layout, code))
}

/// Place a block of code that `file` holds at `offset` (a page boundary), laid out as `layout`
/// for `module` (see [`CodeMemory::map_file`], which asks `unchanged`).
pub fn place_from_file(
    module: &ModuleInfo,
    layout: Layout,
    file: &std::fs::File,
    offset: u64,
    text_len: usize,
    unchanged: impl FnOnce() -> bool,
) -> Result<CompiledModule, CompileError> {
    check_layout(module, &layout, text_len)?;
    let code = CodeMemory::map_file(file, offset, text_len, &layout.relocs, unchanged)?;
    Ok(compiled(module, layout, code))
}

/// That `layout` fits `module` and a block of `text_len` bytes. (Trap sites need no check: the
/// runtime only looks faulting addresses up in them. Exception handlers are jumped to: their
/// targets must lie in the block.)
fn check_layout(module: &ModuleInfo, layout: &Layout, text_len: usize) -> Result<(), CompileError> {
    let num_types = module.types.len();
    let fits = |off: u32, len: u32| (off as usize).checked_add(len as usize).is_some_and(|end| end <= text_len);
    if layout.funcs.len() != module.num_defined_funcs() as usize
        || layout.trampolines.len() != 2 * num_types
        || !layout.funcs.iter().all(|&(off, len)| fits(off, len))
        || !layout.trampolines.iter().all(|&off| fits(off, 1))
        || !layout.exn_sites.is_sorted_by_key(|s| s.ret)
        || !layout.exn_sites.iter().all(|s| {
            fits(s.ret, 0)
                && s.handlers.iter().all(|h| match *h {
                    ExnHandler::Context(_) => true,
                    ExnHandler::Tag { target, .. } | ExnHandler::All(target) => fits(target, 1),
                })
        })
    {
        return Err(CompileError::Mismatch);
    }
    Ok(())
}

fn compiled(module: &ModuleInfo, layout: Layout, code: CodeMemory) -> CompiledModule {
    let num_types = module.types.len();
    let base = code.base();
    let funcs = (layout.funcs.iter().enumerate())
        .map(|(i, &(off, len))| FunctionCode {
            func_index: module.num_imported_funcs + i as u32,
            ptr: base + off as usize,
            len: len as usize,
        })
        .collect();
    let tramp = |t: &[u32]| t.iter().map(|&off| base + off as usize).collect();
    CompiledModule {
        offsets: VMOffsets::new(module),
        funcs,
        traps: layout.traps,
        exn_sites: layout.exn_sites,
        array_trampolines: tramp(&layout.trampolines[..num_types]),
        host_trampolines: tramp(&layout.trampolines[num_types..]),
        code,
    }
}

/// Compile and load `module`.
pub fn compile(module: &ModuleInfo, config: &Config) -> Result<CompiledModule, CompileError> {
    load(module, link::link(&compile_artifacts(module, config)?)?)
}

/// The external name of a defined function (its JIT function id), for direct calls.
fn defined_func_name(defined_index: u32) -> UserExternalName {
    UserExternalName::new(0, defined_index)
}

/// Keep the module description alive next to the code (the runtime stores both).
pub type SharedModule = Arc<ModuleInfo>;
