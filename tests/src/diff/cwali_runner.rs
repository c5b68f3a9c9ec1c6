//! The engine under test: cwali through its embedding API (`cwali_rt`).

use cwali_codegen::TrapKind;
use cwali_rt::{Engine, Extern, Instance, Module, Store, Val};

use super::runner::{InstOutcome, Runner};
use super::value::{CallOutcome, TrapDesc, UNCAUGHT, Value};

pub struct CwaliRunner {
    label: String,
    engine: Engine,
    state: Option<State>,
}

struct State {
    // Field order is drop order: the instance before its store, both before the module.
    instance: Instance,
    store: Store,
    _module: Module,
}

impl CwaliRunner {
    /// `label` names the configuration in reports (e.g. `cwali[guard,speed]`).
    pub fn new(label: impl Into<String>, config: cwali_rt::Config) -> CwaliRunner {
        CwaliRunner { label: label.into(), engine: Engine::new(config), state: None }
    }

    fn state(&mut self) -> &mut State {
        self.state.as_mut().expect("no instance")
    }

    fn export(&mut self, name: &str) -> Extern {
        self.state().instance.export(name).unwrap_or_else(|| panic!("cwali: no export {name}"))
    }
}

fn map_trap(trap: &cwali_rt::Trap) -> TrapDesc {
    match trap.trap_kind() {
        // Wasmtime has one trap for null references, `call_ref`'s included.
        Some(TrapKind::NullFuncReference) => TrapDesc::Wasm(TrapKind::NullReference),
        Some(k) => TrapDesc::Wasm(k),
        None if trap.as_exception().is_some() => TrapDesc::Other(UNCAUGHT.to_string()),
        None => TrapDesc::Other(trap.message().to_string()),
    }
}

fn to_cwali(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(b) => Val::F32(b),
        Value::F64(b) => Val::F64(b),
        Value::V128(v) => Val::V128(v),
        Value::FuncRef(false) => Val::FuncRef(0),
        Value::FuncRef(true) => panic!("the harness passes no non-null funcref"),
        Value::ExternRef(id) => Val::ExternRef(id.map_or(0, |id| id as usize)),
        Value::ExnRef(_) => panic!("the harness passes no exnref"),
    }
}

/// A value read from a global or table of type `ty` (exnrefs are words like externrefs).
fn from_cwali_typed(v: Val, ty: bool) -> Value {
    match (v, ty) {
        (Val::ExternRef(w), true) => Value::ExnRef(w != 0),
        (v, _) => from_cwali(v),
    }
}

fn from_cwali(v: Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(x),
        Val::I64(x) => Value::I64(x),
        Val::F32(b) => Value::F32(b),
        Val::F64(b) => Value::F64(b),
        Val::V128(v) => Value::V128(v),
        Val::FuncRef(p) => Value::FuncRef(p != 0),
        Val::ExternRef(0) => Value::ExternRef(None),
        Val::ExternRef(w) => Value::ExternRef(Some(u32::try_from(w).unwrap_or(u32::MAX))),
    }
}

impl Runner for CwaliRunner {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn instantiate(&mut self, wasm: &[u8]) -> InstOutcome {
        self.state = None;
        let module = match Module::new(&self.engine, wasm) {
            Ok(m) => m,
            Err(e) => return InstOutcome::CompileError(error_chain(&e)),
        };
        let mut store = Store::new(&self.engine);
        match Instance::new(&mut store, &module, &[]) {
            Ok(instance) => {
                self.state = Some(State { instance, store, _module: module });
                InstOutcome::Ok
            }
            Err(cwali_rt::Error::Trap(t)) => InstOutcome::Trap(map_trap(&t)),
            Err(e) => InstOutcome::Error(error_chain(&e)),
        }
    }

    fn call(&mut self, name: &str, args: &[Value]) -> CallOutcome {
        let state = self.state.as_mut().expect("no instance");
        let func = state.instance.get_func(name).unwrap_or_else(|| panic!("cwali: no func {name}"));
        let args: Vec<Val> = args.iter().map(|a| to_cwali(*a)).collect();
        match func.call(&mut state.store, &args) {
            Ok(results) => Ok(results.into_iter().map(from_cwali).collect()),
            Err(t) => Err(map_trap(&t)),
        }
    }

    fn memory(&mut self, name: &str) -> Vec<u8> {
        match self.export(name) {
            Extern::Memory(m) => m.data(),
            _ => panic!("cwali: export {name} is not a memory"),
        }
    }

    fn global(&mut self, name: &str) -> Value {
        match self.export(name) {
            Extern::Global(g) => from_cwali_typed(g.get(), is_exn(g.ty().content_type)),
            _ => panic!("cwali: export {name} is not a global"),
        }
    }

    fn table(&mut self, name: &str) -> Vec<Value> {
        match self.export(name) {
            Extern::Table(t) => {
                let exn = is_exn(cwali_frontend::ValType::Ref(t.ty().element_type));
                (0..t.size())
                    .map(|i| {
                        let v = t.get(i).unwrap_or_else(|| panic!("cwali: table {name}[{i}] missing"));
                        from_cwali_typed(v, exn)
                    })
                    .collect()
            }
            _ => panic!("cwali: export {name} is not a table"),
        }
    }

    fn reset(&mut self) {
        self.state = None;
    }
}

fn is_exn(ty: cwali_frontend::ValType) -> bool {
    matches!(ty, cwali_frontend::ValType::Ref(r) if r.heap_type() == cwali_frontend::RefType::EXNREF.heap_type())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        // `#[error(transparent)]` and `"...: {0}"` wrappers already include their cause.
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}
