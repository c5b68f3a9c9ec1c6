//! The reference: Wasmtime, embedded as a library, configured with cwali's feature set.

use cwali_codegen::TrapKind;
use wasmtime::{Engine, Extern, ExternRef, Instance, Module, Ref, Store, Val};

use super::runner::{InstOutcome, Runner};
use super::value::{CallOutcome, TrapDesc, UNCAUGHT, Value};

/// Wasm stack budget, the same as cwali's `DEFAULT_MAX_WASM_STACK` so that deep recursion
/// overflows at roughly the same depth in both (frame sizes still differ).
pub const MAX_WASM_STACK: usize = 512 * 1024;

pub struct WasmtimeRunner {
    engine: Engine,
    state: Option<(Store<()>, Instance)>,
}

/// Wasmtime's configuration: exactly the proposals of `cwali_frontend::supported_features`.
pub fn wasmtime_config() -> wasmtime::Config {
    let mut c = wasmtime::Config::new();
    c.wasm_threads(true)
        .shared_memory(true)
        .wasm_tail_call(true)
        .wasm_reference_types(true)
        .wasm_bulk_memory(true)
        .wasm_multi_value(true)
        .wasm_extended_const(true)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .relaxed_simd_deterministic(true)
        // GC on too: wasmparser needs it for recursion groups and `global.get` of a defined
        // global in constant expressions, which cwali accepts; cwali refuses real GC modules.
        .wasm_gc(true)
        .wasm_function_references(true)
        .wasm_exceptions(true)
        .wasm_memory64(true)
        .wasm_multi_memory(true)
        .wasm_custom_page_sizes(true)
        .wasm_wide_arithmetic(true)
        .max_wasm_stack(MAX_WASM_STACK)
        .parallel_compilation(false)
        .cranelift_opt_level(wasmtime::OptLevel::Speed);
    c
}

impl WasmtimeRunner {
    pub fn new() -> WasmtimeRunner {
        let engine = Engine::new(&wasmtime_config()).expect("Wasmtime engine with cwali's feature set");
        WasmtimeRunner { engine, state: None }
    }

    fn state(&mut self) -> &mut (Store<()>, Instance) {
        self.state.as_mut().expect("no instance")
    }

    fn export(&mut self, name: &str) -> Extern {
        let (store, instance) = self.state();
        instance.get_export(&mut *store, name).unwrap_or_else(|| panic!("wasmtime: no export {name}"))
    }
}

impl Default for WasmtimeRunner {
    fn default() -> Self {
        WasmtimeRunner::new()
    }
}

/// Wasmtime trap code → cwali trap kind; codes cwali has no counterpart for stay text.
pub fn map_trap(err: &wasmtime::Error) -> TrapDesc {
    use wasmtime::Trap as T;
    if err.downcast_ref::<wasmtime::ThrownException>().is_some() {
        return TrapDesc::Other(UNCAUGHT.to_string());
    }
    let Some(trap) = err.downcast_ref::<T>() else {
        return TrapDesc::Other(format!("{err:#}"));
    };
    TrapDesc::Wasm(match trap {
        T::StackOverflow => TrapKind::StackOverflow,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::HeapMisaligned => TrapKind::UnalignedAtomic,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::BadSignature => TrapKind::BadSignature,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::NullReference => TrapKind::NullReference,
        T::AtomicWaitNonSharedMemory => TrapKind::AtomicWaitNonShared,
        other => return TrapDesc::Other(format!("wasmtime trap {other:?}: {other}")),
    })
}

fn to_wasmtime(store: &mut Store<()>, v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(b),
        Value::F64(b) => Val::F64(b),
        Value::V128(v) => Val::V128(v.into()),
        Value::FuncRef(false) => Val::FuncRef(None),
        Value::FuncRef(true) => panic!("the harness passes no non-null funcref"),
        Value::ExternRef(None) => Val::ExternRef(None),
        Value::ExnRef(_) => panic!("the harness passes no exnref"),
        Value::ExternRef(Some(id)) => {
            Val::ExternRef(Some(ExternRef::new(&mut *store, id).expect("allocate an externref")))
        }
    }
}

fn externref_id(store: &Store<()>, r: Option<wasmtime::Rooted<ExternRef>>) -> Value {
    Value::ExternRef(
        r.map(|r| r.data(store).ok().flatten().and_then(|d| d.downcast_ref::<u32>()).copied().unwrap_or(u32::MAX)),
    )
}

fn from_wasmtime(store: &Store<()>, v: Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(b) => Value::F32(b),
        Val::F64(b) => Value::F64(b),
        Val::V128(v) => Value::V128(v.as_u128()),
        Val::FuncRef(f) => Value::FuncRef(f.is_some()),
        Val::ExternRef(r) => externref_id(store, r),
        Val::ExnRef(r) => Value::ExnRef(r.is_some()),
        other => panic!("value outside the harness's types: {other:?}"),
    }
}

fn from_ref(store: &Store<()>, r: Ref) -> Value {
    match r {
        Ref::Func(f) => Value::FuncRef(f.is_some()),
        Ref::Extern(e) => externref_id(store, e),
        Ref::Exn(e) => Value::ExnRef(e.is_some()),
        other => panic!("reference outside the harness's types: {other:?}"),
    }
}

impl Runner for WasmtimeRunner {
    fn name(&self) -> String {
        "wasmtime".to_string()
    }

    fn instantiate(&mut self, wasm: &[u8]) -> InstOutcome {
        self.state = None;
        let module = match Module::new(&self.engine, wasm) {
            Ok(m) => m,
            Err(e) => return InstOutcome::CompileError(format!("{e:#}")),
        };
        let mut store = Store::new(&self.engine, ());
        match Instance::new(&mut store, &module, &[]) {
            Ok(instance) => {
                self.state = Some((store, instance));
                InstOutcome::Ok
            }
            Err(e) => match map_trap(&e) {
                TrapDesc::Other(m) if m != UNCAUGHT => InstOutcome::Error(format!("{e:#}")),
                trap => InstOutcome::Trap(trap),
            },
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> CallOutcome {
        let (store, instance) = self.state.as_mut().expect("no instance");
        let func = instance.get_func(&mut *store, name).unwrap_or_else(|| panic!("wasmtime: no func {name}"));
        let params: Vec<Val> = args.iter().map(|a| to_wasmtime(store, *a)).collect();
        let mut results = vec![Val::I32(0); func.ty(&*store).results().len()];
        match func.call(&mut *store, &params, &mut results) {
            Ok(()) => Ok(results.into_iter().map(|v| from_wasmtime(store, v)).collect()),
            Err(e) => {
                // An uncaught exception stays pending in the store until taken.
                if store.has_pending_exception() {
                    let _ = store.take_pending_exception();
                }
                Err(map_trap(&e))
            }
        }
    }

    fn memory(&mut self, name: &str) -> Vec<u8> {
        match self.export(name) {
            Extern::Memory(m) => m.data(&self.state().0).to_vec(),
            Extern::SharedMemory(m) => {
                let cells = m.data();
                // SAFETY: no Wasm code runs while the harness reads; `UnsafeCell<u8>` has the
                // layout of `u8`.
                unsafe { std::slice::from_raw_parts(cells.as_ptr() as *const u8, cells.len()) }.to_vec()
            }
            other => panic!("wasmtime: export {name} is not a memory: {other:?}"),
        }
    }

    fn global(&mut self, name: &str) -> Value {
        let Extern::Global(g) = self.export(name) else { panic!("wasmtime: export {name} is not a global") };
        let store = &mut self.state().0;
        let v = g.get(&mut *store);
        from_wasmtime(store, v)
    }

    fn table(&mut self, name: &str) -> Vec<Value> {
        let Extern::Table(t) = self.export(name) else { panic!("wasmtime: export {name} is not a table") };
        let store = &mut self.state().0;
        (0..t.size(&*store))
            .map(|i| {
                let r = t.get(&mut *store, i).expect("index below the size");
                from_ref(store, r)
            })
            .collect()
    }

    fn reset(&mut self) {
        self.state = None;
    }
}
