//! [`Linker`]: imports by name instead of by position.
//!
//! [`Instance::new`] takes a module's imports as a list in import order; a [`Linker`] holds
//! definitions under `(module, name)` and builds that list for any module, checking that every
//! import is defined with the right kind and type before anything is instantiated.

use std::collections::HashMap;

use cwali_frontend::{FuncType, ImportKind};

use crate::api::{Error, Extern, Instance, Module, Store, Trap};
use crate::func::Func;
use crate::typed::{IntoCallerFunc, IntoFunc};
use crate::values::Val;

/// Definitions by `(module, name)`, from which modules are instantiated.
///
/// ```
/// use cwali_rt::{Caller, Config, Engine, Linker, Module, Store};
///
/// let engine = Engine::new(Config::default());
/// let wasm = wat::parse_str(r#"(module
///     (import "env" "add" (func $add (param i32 i32) (result i32)))
///     (import "env" "peek" (func $peek (param i32) (result i32)))
///     (memory (export "memory") 1)
///     (data (i32.const 8) "\2a")
///     (func (export "run") (result i32)
///       (call $add (call $peek (i32.const 8)) (i32.const 1))))"#).unwrap();
/// let module = Module::new(&engine, &wasm).unwrap();
///
/// let mut linker = Linker::new();
/// linker.func_wrap("env", "add", |a: i32, b: i32| a.wrapping_add(b)).unwrap();
/// // A host function that reads the calling instance's memory.
/// linker
///     .func_wrap_caller("env", "peek", |caller: Caller<'_>, addr: u32| {
///         let mut byte = [0u8];
///         let _ = caller.memory(0).map(|m| m.read(addr.into(), &mut byte));
///         byte[0] as i32
///     })
///     .unwrap();
///
/// let mut store = Store::new(&engine);
/// let instance = linker.instantiate(&mut store, &module).unwrap();
/// let run = instance.get_typed_func::<(), i32>("run").unwrap();
/// assert_eq!(run.call(&mut store, ()).unwrap(), 43);
/// ```
#[derive(Clone, Default)]
pub struct Linker {
    items: HashMap<(String, String), Extern>,
    allow_shadowing: bool,
}

impl Linker {
    /// An empty linker.
    pub fn new() -> Linker {
        Linker::default()
    }

    /// Let a later definition of a name replace an earlier one (off by default: redefining is
    /// an error, which catches two libraries providing the same import).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    /// Define `module::name` as `item`.
    pub fn define(&mut self, module: &str, name: &str, item: Extern) -> Result<&mut Self, Error> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.items.contains_key(&key) {
            return Err(Error::IncompatibleImport(format!("`{module}::{name}` is already defined in this linker")));
        }
        self.items.insert(key, item);
        Ok(self)
    }

    /// Define `module::name` as a host function of type `ty` taking and returning [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(&[Val]) -> Result<Vec<Val>, Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        self.define(module, name, Extern::Func(Func::new_with_caller(ty, move |_, args| f(args))))
    }

    /// Define `module::name` as a Rust closure; its Wasm type comes from the closure's
    /// parameter and result types (see [`crate::WasmTy`]). Returning `Err(trap)` traps.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<Params, Results>,
    ) -> Result<&mut Self, Error> {
        self.define(module, name, Extern::Func(f.into_func()))
    }

    /// [`Linker::func_wrap`] for a closure whose first parameter is the calling instance
    /// ([`crate::Caller`]: its memories, globals and tables).
    pub fn func_wrap_caller<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoCallerFunc<Params, Results>,
    ) -> Result<&mut Self, Error> {
        self.define(module, name, Extern::Func(f.into_func()))
    }

    /// Define every export of `instance` under the module name `module`.
    pub fn instance(&mut self, module: &str, instance: &Instance) -> Result<&mut Self, Error> {
        for export in &instance.module().info().exports {
            if let Some(item) = instance.export(&export.name) {
                self.define(module, &export.name, item)?;
            }
        }
        Ok(self)
    }

    /// The definition of `module::name`.
    pub fn get(&self, module: &str, name: &str) -> Option<&Extern> {
        self.items.get(&(module.to_string(), name.to_string()))
    }

    /// The imports of `module`, in its import order: each defined, of the kind it asks for,
    /// and functions of exactly its type.
    pub fn imports_for(&self, module: &Module) -> Result<Vec<Extern>, Error> {
        let info = module.info();
        info.imports
            .iter()
            .map(|import| {
                let what = format!("`{}::{}`", import.module, import.name);
                let item = self
                    .get(&import.module, &import.name)
                    .ok_or_else(|| Error::UnknownImport(format!("{what} is not defined in the linker")))?;
                let fits = match (&import.kind, item) {
                    (ImportKind::Func(ty), Extern::Func(f)) => *f.ty() == info.types[*ty as usize],
                    (ImportKind::Memory(_), Extern::Memory(_))
                    | (ImportKind::Table(_), Extern::Table(_))
                    | (ImportKind::Global(_), Extern::Global(_))
                    | (ImportKind::Tag(_), Extern::Tag(_)) => true,
                    _ => false,
                };
                // Limits and value types of memories, tables, globals and tags are checked by
                // instantiation, as for positional imports.
                if !fits {
                    return Err(Error::IncompatibleImport(format!(
                        "{what}: the module imports {}, the linker defines {}",
                        import_kind(&import.kind, info),
                        extern_kind(item)
                    )));
                }
                Ok(item.clone())
            })
            .collect()
    }

    /// Instantiate `module` with its imports from this linker.
    pub fn instantiate(&self, store: &mut Store, module: &Module) -> Result<Instance, Error> {
        let imports = self.imports_for(module)?;
        Instance::new(store, module, &imports)
    }
}

fn import_kind(kind: &ImportKind, info: &cwali_frontend::ModuleInfo) -> String {
    match kind {
        ImportKind::Func(ty) => format!("a function of type {:?}", info.types[*ty as usize]),
        ImportKind::Memory(_) => "a memory".into(),
        ImportKind::Table(_) => "a table".into(),
        ImportKind::Global(_) => "a global".into(),
        ImportKind::Tag(_) => "a tag".into(),
    }
}

fn extern_kind(item: &Extern) -> String {
    match item {
        Extern::Func(f) => format!("a function of type {:?}", f.ty()),
        Extern::Memory(_) => "a memory".into(),
        Extern::Table(_) => "a table".into(),
        Extern::Global(_) => "a global".into(),
        Extern::Tag(_) => "a tag".into(),
    }
}
