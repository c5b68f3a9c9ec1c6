//! Functions as the host holds them, calls from the host into Wasm, and host functions that
//! Wasm calls.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use cwali_frontend::FuncType;

use crate::api::{FrameInfo, Store, Trap, TrapReason};
use crate::code_registry;
use crate::instance::InstanceData;
use crate::signals::{self, CaughtTrap};
use crate::values::{Val, ValRaw};
use crate::vm::{VMFuncRef, VMRuntimeLimits};

/// The Rust side of a host function: gets the caller's VMContext (null when the host calls
/// it directly) and the arguments.
pub type HostFn = dyn Fn(*mut u8, &[Val]) -> Result<Vec<Val>, Trap> + Send + Sync;

/// What a host function's `VMFuncRef::vmctx` points at. The host trampoline calls `call`
/// (the first field) with this context.
#[repr(C)]
pub struct HostFuncCtx {
    call: unsafe extern "C" fn(*const HostFuncCtx, *mut u8, *mut ValRaw) -> u64,
    /// What the host trampoline calls to throw the exception `call` returned (`exceptions`).
    throw: unsafe extern "C" fn(*const u8, u64),
    ty: FuncType,
    f: Box<HostFn>,
    /// The canonical id of `ty`, interned at the first instantiation that imports the function
    /// (the registry's lock and hash are then paid once, not per instance).
    type_id: std::sync::OnceLock<u32>,
}

#[derive(Clone)]
pub(crate) enum FuncKind {
    Wasm {
        func_ref: *const VMFuncRef,
        array_trampoline: usize,
        limits: usize,
        /// None for functions handed to host code that runs while their instance is on the stack.
        _keep: Option<Arc<InstanceData>>,
        /// The module whose types `ty` names by index: how a typed reference argument is
        /// checked against the canonical type the parameter names.
        module: crate::api::Module,
    },
    Host(Arc<HostFuncCtx>),
}

/// A function: exported by an instance, or defined by the host.
#[derive(Clone)]
pub struct Func {
    kind: FuncKind,
    ty: FuncType,
}

// SAFETY: the raw pointers in `FuncKind::Wasm` refer to code and funcrefs kept alive by the
// owning module and instance, which are themselves shareable; host closures are Send + Sync.
unsafe impl Send for Func {}
// SAFETY: as for Send: a Func is immutable.
unsafe impl Sync for Func {}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Func({:?})", self.ty)
    }
}

/// How much stack Wasm may use below the point where the host first enters it on a thread.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;

impl Func {
    /// A host function with the given type.
    pub fn new(
        _store: &mut Store,
        ty: FuncType,
        f: impl Fn(&[Val]) -> Result<Vec<Val>, Trap> + Send + Sync + 'static,
    ) -> Func {
        Func::new_with_caller(ty, move |_, args| f(args))
    }

    /// A host function that also gets the calling instance's VMContext.
    pub fn new_with_caller(
        ty: FuncType,
        f: impl Fn(*mut u8, &[Val]) -> Result<Vec<Val>, Trap> + Send + Sync + 'static,
    ) -> Func {
        let ctx = HostFuncCtx {
            call: host_call,
            throw: crate::exceptions::cwali_throw_from_host_stub,
            ty: ty.clone(),
            f: Box::new(f),
            type_id: std::sync::OnceLock::new(),
        };
        Func { kind: FuncKind::Host(Arc::new(ctx)), ty }
    }

    pub(crate) fn from_instance(data: &Arc<InstanceData>, func: u32, store: &Store) -> Func {
        Func::from_instance_raw(data, func, store.limits_ptr() as usize)
    }

    pub(crate) fn from_instance_raw(data: &Arc<InstanceData>, func: u32, limits: usize) -> Func {
        let info = data.module.info();
        let ty_index = info.funcs[func as usize];
        Func {
            kind: FuncKind::Wasm {
                func_ref: data.func_ref(func),
                array_trampoline: data.module.code().array_trampolines[ty_index as usize],
                limits,
                _keep: Some(data.clone()),
                module: data.module.clone(),
            },
            ty: info.types[ty_index as usize].clone(),
        }
    }

    /// A function behind a funcref, typed through a module type of `data` with the same
    /// canonical id (None if `data`'s module has no such type).
    ///
    /// # Safety
    /// `func_ref` must point at a live `VMFuncRef`; the result must not outlive it.
    pub(crate) unsafe fn from_func_ref(func_ref: *const VMFuncRef, data: &InstanceData, limits: usize) -> Option<Func> {
        // SAFETY: the caller guarantees a live VMFuncRef.
        let type_id = unsafe { (*func_ref).type_id } as u32;
        let info = data.module.info();
        let ty_index = data.module.type_ids().iter().position(|id| *id == type_id)?;
        Some(Func {
            kind: FuncKind::Wasm {
                func_ref,
                array_trampoline: data.module.code().array_trampolines[ty_index],
                limits,
                _keep: None,
                module: data.module.clone(),
            },
            ty: info.types[ty_index].clone(),
        })
    }

    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// The canonical id of the function's type (`type_registry`): what import matching compares,
    /// since a [`FuncType`] with typed references names types by indices of its own module.
    pub(crate) fn type_id(&self) -> u32 {
        match &self.kind {
            // SAFETY: a Wasm Func's VMFuncRef is kept alive by its instance (see `FuncKind`).
            FuncKind::Wasm { func_ref, .. } => unsafe { (**func_ref).type_id as u32 },
            FuncKind::Host(ctx) => *ctx.type_id.get_or_init(|| crate::type_registry::intern(&self.ty)),
        }
    }

    pub(crate) fn kind(&self) -> &FuncKind {
        &self.kind
    }

    /// Call the function. Traps (and host-function errors) come back as `Err`.
    pub fn call(&self, _store: &mut Store, args: &[Val]) -> Result<Vec<Val>, Trap> {
        self.call_nested(args)
    }

    /// Call without a store: for host code running inside a call from Wasm.
    pub fn call_nested(&self, args: &[Val]) -> Result<Vec<Val>, Trap> {
        let params = self.ty.params();
        if args.len() != params.len() || !args.iter().zip(params).all(|(a, t)| a.ty_matches(*t)) {
            return Err(Trap::host(format!("wrong arguments: expected {:?}, got {args:?}", params)));
        }
        match &self.kind {
            FuncKind::Host(ctx) => (ctx.f)(std::ptr::null_mut(), args),
            FuncKind::Wasm { func_ref, array_trampoline, limits, module, .. } => {
                // A `(ref null? $t)` parameter takes only functions of type $t: generated code
                // calls it without checking (`call_ref`), so the host's reference is checked here.
                for (i, (a, t)) in args.iter().zip(params).enumerate() {
                    if let Some(want) = crate::instance::concrete_type_id(*t, module.type_ids())
                        && let Val::FuncRef(p) = a
                        && *p != 0
                        // SAFETY: a non-null funcref `Val` points at a live VMFuncRef (the
                        // contract of `Val::FuncRef`, as for every reference the host passes).
                        && unsafe { (*(*p as *const crate::vm::VMFuncRef)).type_id } as u32 != want
                    {
                        return Err(Trap::host(format!(
                            "wrong arguments: argument {i} is a function of another type than {t:?}"
                        )));
                    }
                }
                let results = self.ty.results();
                let mut values = vec![ValRaw::default(); params.len().max(results.len())];
                for (slot, a) in values.iter_mut().zip(args) {
                    *slot = a.to_raw();
                }
                // SAFETY: the funcref and trampoline belong to a live instance (kept by `_keep`).
                let outcome = unsafe {
                    let fr = **func_ref;
                    let limits = &*(*limits as *const VMRuntimeLimits);
                    enter_wasm(limits, || {
                        let tramp: unsafe extern "C" fn(usize, usize, usize, *mut ValRaw) =
                            std::mem::transmute(*array_trampoline);
                        tramp(fr.vmctx, fr.vmctx, fr.code, values.as_mut_ptr());
                    })
                };
                outcome?;
                Ok(results.iter().zip(&values).map(|(t, v)| Val::from_raw(*v, *t)).collect())
            }
        }
    }
}

/// Run `f`, which enters Wasm code, with the stack limit set and traps caught.
///
/// # Safety
/// `f` must only call JIT code of live instances whose VMContexts point at `limits`.
pub unsafe fn enter_wasm(limits: &VMRuntimeLimits, mut f: impl FnMut()) -> Result<(), Trap> {
    signals::init();
    let here = &f as *const _ as u64;
    let outermost = limits.stack_limit.load(Ordering::Relaxed) == 0;
    if outermost {
        limits.stack_limit.store(here.saturating_sub(crate::caller::max_wasm_stack() as u64), Ordering::Relaxed);
    }
    // SAFETY: forwarded to the caller.
    let result = unsafe { signals::catch_traps(&mut f) };
    if outermost {
        limits.stack_limit.store(0, Ordering::Relaxed);
    }
    result.map_err(trap_from_caught)
}

fn trap_from_caught(caught: CaughtTrap) -> Trap {
    match caught {
        CaughtTrap::Host(message) => Trap::host(message),
        CaughtTrap::Exception(exn) => {
            // The host holds it now.
            crate::exceptions::pin(exn);
            Trap::exception(crate::exceptions::Exception(exn))
        }
        CaughtTrap::Wasm(record) => Trap {
            kind: TrapReason::Wasm(record.kind),
            backtrace: record.lookup_pcs().filter_map(frame_info).collect(),
        },
    }
}

fn frame_info(pc: usize) -> Option<FrameInfo> {
    let (func_index, module) = code_registry::lookup_frame(pc)?;
    let info = module.downcast_ref::<cwali_frontend::ModuleInfo>()?;
    Some(FrameInfo {
        func_index,
        func_name: info.func_name(func_index),
        module_name: info.module_name().map(str::to_string),
    })
}

/// The entry point of every host function (see `HostFuncCtx`): 0, or an exception for the
/// host trampoline to throw.
unsafe extern "C" fn host_call(ctx: *const HostFuncCtx, caller_vmctx: *mut u8, values: *mut ValRaw) -> u64 {
    let failure: Option<TrapReason> = {
        // SAFETY: the host trampoline passes the context it was given and a slot array sized
        // for the signature.
        let ctx = unsafe { &*ctx };
        let params = ctx.ty.params();
        let results = ctx.ty.results();
        let args: Vec<Val> =
            // SAFETY: the slot array holds one value per parameter.
            params.iter().enumerate().map(|(i, t)| Val::from_raw(unsafe { *values.add(i) }, *t)).collect();
        match catch_unwind(AssertUnwindSafe(|| (ctx.f)(caller_vmctx, &args))) {
            Ok(Ok(vals)) if vals.len() == results.len() && vals.iter().zip(results).all(|(v, t)| v.ty_matches(*t)) => {
                for (i, v) in vals.iter().enumerate() {
                    // SAFETY: the slot array also has room for every result (checked count).
                    unsafe { *values.add(i) = v.to_raw() };
                }
                None
            }
            Ok(Ok(vals)) => Some(TrapReason::Host(format!("host function returned {vals:?}, expected {results:?}"))),
            Ok(Err(trap)) => Some(trap.kind),
            Err(_) => Some(TrapReason::Host("host function panicked".to_string())),
        }
    };
    // Every value with a destructor is gone by now except the reason, which moves into the
    // unwinder: nothing is leaked or skipped by the jump back to the entry.
    match failure {
        None => 0,
        Some(TrapReason::Exception(exn)) => exn.as_raw() as u64,
        // SAFETY: called from Wasm through the host trampoline; nothing with a destructor is
        // left in this frame (see above).
        Some(TrapReason::Wasm(kind)) => unsafe { signals::raise_trap(kind) },
        // SAFETY: as above.
        Some(TrapReason::Host(message)) => unsafe { signals::raise_host_trap(message) },
    }
}

/// Unwind to the innermost entry into Wasm with `trap` (for host code called from Wasm).
///
/// # Safety
/// Must be called inside a call from Wasm; frames between here and the entry must not own
/// values with destructors (they are skipped).
pub unsafe fn raise(trap: Trap) -> ! {
    let Trap { kind, backtrace } = trap;
    drop(backtrace);
    match kind {
        // SAFETY: the caller's contract (inside a call from Wasm, no destructors in between).
        TrapReason::Wasm(kind) => unsafe { signals::raise_trap(kind) },
        // SAFETY: as above.
        TrapReason::Host(message) => unsafe { signals::raise_host_trap(message) },
        // SAFETY: as above.
        TrapReason::Exception(exn) => unsafe { signals::raise_exception(exn.as_raw()) },
    }
}
