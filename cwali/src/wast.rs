//! A runner for WebAssembly spec scripts (`.wast`), parsed with the `wast` crate.
//!
//! Every directive counts once: it passes, fails (with its `file:line:col` and what differed), or
//! is skipped because it needs something cwali does not implement (components, exceptions, stack
//! switching, custom-section assertions, SIMD values). Directives run in order against one
//! [`Store`]; `(thread ...)` runs its directives on a new OS thread with its own store, which sees
//! only the module named in `(shared (module $M))`, and `(wait $T)` joins it and adds its counts.
//!
//! How assertions are judged:
//! - `assert_return`: exact bits for numbers; `nan:canonical` / `nan:arithmetic` by the spec's
//!   definition; `ref.null`, `ref.func` (any non-null funcref), `ref.extern N`, `either`.
//! - `assert_trap` / `assert_exhaustion`: our trap message must contain the expected one (or be
//!   a prefix of it, as with "uninitialized element 2"). The spec interpreter's "undefined
//!   element" (a `call_indirect` index past the table) is also accepted as "out of bounds table
//!   access", Wasmtime's wording.
//! - `assert_invalid` / `assert_malformed`: the module must be refused by `Module::new` (the
//!   validator's messages differ from the spec interpreter's, so they are not compared). A quoted
//!   text module that does not parse counts as malformed.
//! - `assert_unlinkable`: instantiation must fail with an unknown or incompatible import whose
//!   message contains the expected text ("unknown import", "incompatible import type").
//!
//! `ref.extern N` is passed to Wasm as the opaque word `N + 1`, so that `ref.extern 0` is not null.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::thread::{Scope, ScopedJoinHandle};

use cwali_frontend::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
use cwali_rt::{Config, Engine, Error, Extern, Func, Global, Instance, Memory, Module, Store, Table, Trap, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::{Id, Span};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// The outcome of one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WastReport {
    /// Directives that did what the script expects.
    pub passed: usize,
    /// Directives that did not.
    pub failed: usize,
    /// Directives not run (features cwali does not implement).
    pub skipped: usize,
    /// One line per failed directive: `file:line:col: directive: what differed`.
    pub failures: Vec<String>,
}

impl WastReport {
    fn merge(&mut self, other: WastReport) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.failures.extend(other.failures);
    }

    fn fail(&mut self, message: String) {
        self.failed += 1;
        self.failures.push(message);
    }
}

/// Run the script in `path`.
pub fn run_wast_file(path: &Path, config: &Config) -> WastReport {
    match std::fs::read_to_string(path) {
        Ok(text) => run_wast_str(&path.display().to_string(), &text, config),
        Err(e) => {
            let mut report = WastReport::default();
            report.fail(format!("{}: cannot read: {e}", path.display()));
            report
        }
    }
}

/// Run a script given as text; `name` is used in failure messages.
pub fn run_wast_str(name: &str, text: &str, config: &Config) -> WastReport {
    let mut report = WastReport::default();
    let mut lexer = Lexer::new(text);
    // The spec suite has names with bidi and other "confusing" characters on purpose.
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(mut e) => {
            e.set_text(text);
            report.fail(format!("{name}: cannot parse script: {e}"));
            return report;
        }
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(wast) => wast,
        Err(mut e) => {
            e.set_text(text);
            report.fail(format!("{name}: cannot parse script: {e}"));
            return report;
        }
    };

    let engine = Engine::new(config.clone());
    std::thread::scope(|scope| {
        let mut runner = match Runner::new(scope, &engine, name, text) {
            Ok(runner) => runner,
            Err(e) => {
                report.fail(format!("{name}: cannot create the spectest module: {e}"));
                return;
            }
        };
        runner.run(wast.directives);
        report.merge(runner.finish());
    });
    report
}

/// Why a directive did not pass.
enum Stop {
    Fail(String),
    Skip(String),
}

type Outcome = Result<(), Stop>;

fn fail<T>(message: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Fail(message.into()))
}

fn skip<T>(reason: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Skip(reason.into()))
}

/// What executing an action (invoke, get, module instantiation) produced besides values.
enum ExecError {
    Trap(Trap),
    Stop(Stop),
}

impl From<Stop> for ExecError {
    fn from(stop: Stop) -> Self {
        ExecError::Stop(stop)
    }
}

/// The exports a registered name resolves imports against.
#[derive(Clone)]
enum Exports {
    Instance(Instance),
    Host(HashMap<String, Extern>),
}

/// One thread of a script: its store, its instances and registrations.
struct Runner<'a, 's, 'env> {
    scope: &'s Scope<'s, 'env>,
    engine: &'a Engine,
    name: &'a str,
    text: &'a str,
    store: Store,
    registered: HashMap<String, Exports>,
    /// Instances named with `$id`.
    instances: HashMap<String, Instance>,
    /// The most recently instantiated module: the target of unnamed invokes and registers.
    current: Option<Instance>,
    /// `(module definition $M ...)`: compiled, not instantiated.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    threads: HashMap<String, ScopedJoinHandle<'s, WastReport>>,
    report: WastReport,
}

impl<'a: 's, 's, 'env> Runner<'a, 's, 'env> {
    fn new(scope: &'s Scope<'s, 'env>, engine: &'a Engine, name: &'a str, text: &'a str) -> Result<Self, Error> {
        let mut store = Store::new(engine);
        let spectest = spectest(&mut store)?;
        Ok(Runner {
            scope,
            engine,
            name,
            text,
            store,
            registered: HashMap::from([("spectest".to_string(), Exports::Host(spectest))]),
            instances: HashMap::new(),
            current: None,
            definitions: HashMap::new(),
            last_definition: None,
            threads: HashMap::new(),
            report: WastReport::default(),
        })
    }

    fn run(&mut self, directives: Vec<WastDirective<'a>>) {
        for directive in directives {
            let span = directive.span();
            let kind = directive_name(&directive);
            let outcome = catch_unwind(AssertUnwindSafe(|| self.directive(directive)))
                .unwrap_or_else(|panic| fail(format!("panicked: {}", panic_message(&*panic))));
            match outcome {
                Ok(()) => self.report.passed += 1,
                Err(Stop::Skip(reason)) => {
                    tracing::debug!("{}: skipped {kind}: {reason}", self.location(span));
                    self.report.skipped += 1;
                }
                Err(Stop::Fail(message)) => {
                    let line = format!("{}: {kind}: {message}", self.location(span));
                    self.report.fail(line);
                }
            }
        }
    }

    /// Join the threads nobody waited for and return the counts.
    fn finish(mut self) -> WastReport {
        let threads: Vec<_> = self.threads.drain().collect();
        for (name, handle) in threads {
            self.join(&name, handle);
        }
        self.report
    }

    fn location(&self, span: Span) -> String {
        let (line, col) = span.linecol_in(self.text);
        format!("{}:{}:{}", self.name, line + 1, col + 1)
    }

    fn directive(&mut self, directive: WastDirective<'a>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                let id = module.name();
                let module = self.compile(&mut module)?;
                let instance = self.instantiate(&module).or_else(|e| fail(format!("instantiation failed: {e}")))?;
                self.set_current(id, instance);
            }
            WastDirective::ModuleDefinition(mut module) => {
                let id = module.name();
                let module = self.compile(&mut module)?;
                if let Some(id) = id {
                    self.definitions.insert(id.name().to_string(), module.clone());
                }
                self.last_definition = Some(module);
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let definition = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let Some(definition) = definition else {
                    return fail(format!("no module definition {}", id_text(module)));
                };
                let new = self.instantiate(&definition).or_else(|e| fail(format!("instantiation failed: {e}")))?;
                self.set_current(instance, new);
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.registered.insert(name.to_string(), Exports::Instance(instance));
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(_) => {}
                Err(ExecError::Trap(trap)) => {
                    return fail(format!("{}: unexpected {trap}", describe_invoke(&invoke)));
                }
                Err(ExecError::Stop(stop)) => return Err(stop),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let what = describe_exec(&exec);
                let actual = match self.execute(exec) {
                    Ok(values) => values,
                    Err(ExecError::Trap(trap)) => {
                        return fail(format!("{what}: unexpected {trap}"));
                    }
                    Err(ExecError::Stop(stop)) => return Err(stop),
                };
                check_results(&what, &results, &actual)?;
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let what = describe_exec(&exec);
                match self.execute(exec) {
                    Ok(values) => {
                        return fail(format!("{what}: expected trap `{message}`, got {}", format_vals(&values)));
                    }
                    Err(ExecError::Trap(trap)) if trap_matches(&trap, message) => {}
                    Err(ExecError::Trap(trap)) => {
                        return fail(format!("{what}: expected trap `{message}`, got {trap}"));
                    }
                    Err(ExecError::Stop(stop)) => return Err(stop),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let what = describe_invoke(&call);
                match self.invoke(&call) {
                    Ok(values) => {
                        return fail(format!("{what}: expected `{message}`, got {}", format_vals(&values)));
                    }
                    Err(ExecError::Trap(trap)) if trap_matches(&trap, message) => {}
                    Err(ExecError::Trap(trap)) => {
                        return fail(format!("{what}: expected `{message}`, got {trap}"));
                    }
                    Err(ExecError::Stop(stop)) => return Err(stop),
                }
            }
            WastDirective::AssertInvalid { mut module, message, .. } => {
                if is_component(&module) {
                    return skip("components are not supported");
                }
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        return fail(format!(
                            "expected an invalid module ({message}), but it does not encode: {}",
                            e.message()
                        ));
                    }
                };
                match Module::new(self.engine, &bytes) {
                    Ok(_) => {
                        return fail(format!("module was accepted, expected invalid: `{message}`"));
                    }
                    Err(Error::Module(_)) => {}
                    Err(e) => {
                        return fail(format!("expected a validation error (`{message}`), got: {e}"));
                    }
                }
            }
            WastDirective::AssertMalformed { mut module, message, .. } => {
                if is_component(&module) {
                    return skip("components are not supported");
                }
                let text = matches!(module, QuoteWat::QuoteModule(..));
                let bytes = match module.encode() {
                    Ok(bytes) => bytes,
                    // Text that does not parse is malformed text: what the directive asserts.
                    Err(_) if text => return Ok(()),
                    Err(e) => return fail(format!("cannot encode module: {}", e.message())),
                };
                match Module::new(self.engine, &bytes) {
                    Ok(_) => {
                        let form = if text { "quoted text module" } else { "binary module" };
                        return fail(format!("{form} was accepted, expected malformed: `{message}`"));
                    }
                    Err(Error::Module(_)) => {}
                    Err(e) => {
                        return fail(format!("expected a decoding error (`{message}`), got: {e}"));
                    }
                }
            }
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                if matches!(module, Wat::Component(_)) {
                    return skip("components are not supported");
                }
                let bytes = module.encode().or_else(|e| fail(format!("cannot encode module: {}", e.message())))?;
                let module = Module::new(self.engine, &bytes).or_else(|e| fail(format!("module rejected: {e}")))?;
                match self.instantiate(&module) {
                    Ok(_) => return fail(format!("module linked, expected `{message}`")),
                    Err(e @ (Error::UnknownImport(_) | Error::IncompatibleImport(_))) => {
                        if !e.to_string().contains(message) {
                            return fail(format!("expected `{message}`, got: {e}"));
                        }
                    }
                    Err(e) => {
                        return fail(format!("expected a link error (`{message}`), got: {e}"));
                    }
                }
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                return skip("custom-section assertions (annotations proposal)");
            }
            WastDirective::AssertException { exec, .. } => {
                let what = describe_exec(&exec);
                match self.execute(exec) {
                    Ok(values) => {
                        return fail(format!("{what}: expected an exception, got {}", format_vals(&values)));
                    }
                    Err(ExecError::Trap(trap)) if trap.as_exception().is_some() => {}
                    Err(ExecError::Trap(trap)) => return fail(format!("{what}: expected an exception, got {trap}")),
                    Err(ExecError::Stop(stop)) => return Err(stop),
                }
            }
            WastDirective::AssertSuspension { .. } => {
                return skip("stack switching is not supported");
            }
            WastDirective::Thread(thread) => self.spawn_thread(thread.name, thread.shared_module, thread.directives)?,
            WastDirective::Wait { thread, .. } => {
                let Some(handle) = self.threads.remove(thread.name()) else {
                    return fail(format!("no running thread ${}", thread.name()));
                };
                if !self.join(thread.name(), handle) {
                    return fail(format!("thread ${} panicked", thread.name()));
                }
            }
        }
        Ok(())
    }

    fn spawn_thread(&mut self, name: Id<'a>, shared: Option<Id<'a>>, directives: Vec<WastDirective<'a>>) -> Outcome {
        let shared = match shared {
            Some(id) => match self.instances.get(id.name()) {
                Some(instance) => Some((id.name().to_string(), instance.clone())),
                None => return fail(format!("no instance ${} to share", id.name())),
            },
            None => None,
        };
        let (scope, engine, file, text) = (self.scope, self.engine, self.name, self.text);
        let handle = self.scope.spawn(move || {
            let mut runner = match Runner::new(scope, engine, file, text) {
                Ok(runner) => runner,
                Err(e) => {
                    let mut report = WastReport::default();
                    report.fail(format!("{file}: thread: cannot create the spectest module: {e}"));
                    return report;
                }
            };
            if let Some((id, instance)) = shared {
                runner.instances.insert(id, instance);
            }
            runner.run(directives);
            runner.finish()
        });
        if let Some(old) = self.threads.insert(name.name().to_string(), handle) {
            self.join(name.name(), old);
        }
        Ok(())
    }

    /// Join a thread and add its counts; false if it panicked outside a directive.
    fn join(&mut self, name: &str, handle: ScopedJoinHandle<'s, WastReport>) -> bool {
        match handle.join() {
            Ok(report) => {
                self.report.merge(report);
                true
            }
            Err(panic) => {
                self.report.fail(format!("{}: thread ${name} panicked: {}", self.name, panic_message(&*panic)));
                false
            }
        }
    }

    fn set_current(&mut self, id: Option<Id<'_>>, instance: Instance) {
        if let Some(id) = id {
            self.instances.insert(id.name().to_string(), instance.clone());
        }
        self.current = Some(instance);
    }

    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, Stop> {
        let found = match id {
            Some(id) => self.instances.get(id.name()).cloned(),
            None => self.current.clone(),
        };
        found.ok_or_else(|| Stop::Fail(format!("no instance {}", id_text(id))))
    }

    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, Stop> {
        if is_component(module) {
            return skip("components are not supported");
        }
        let bytes = module.encode().or_else(|e| fail(format!("cannot encode module: {}", e.message())))?;
        Module::new(self.engine, &bytes).or_else(|e| fail(format!("module rejected: {e}")))
    }

    /// Resolve the imports against the registered names, then instantiate.
    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        let imports = module
            .info()
            .imports
            .iter()
            .map(|import| {
                let found = match self.registered.get(&import.module) {
                    Some(Exports::Instance(instance)) => instance.export(&import.name),
                    Some(Exports::Host(exports)) => exports.get(&import.name).cloned(),
                    None => None,
                };
                found.ok_or_else(|| Error::UnknownImport(format!("`{}::{}`", import.module, import.name)))
            })
            .collect::<Result<Vec<Extern>, Error>>()?;
        Instance::new(&mut self.store, module, &imports)
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, ExecError> {
        let instance = self.instance(invoke.module)?;
        let Some(func) = instance.get_func(invoke.name) else {
            return Err(Stop::Fail(format!("no exported function `{}`", invoke.name)).into());
        };
        let args = invoke.args.iter().map(arg_val).collect::<Result<Vec<_>, _>>()?;
        func.call(&mut self.store, &args).map_err(ExecError::Trap)
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, ExecError> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(Wat::Component(_)) => Err(Stop::Skip("components are not supported".into()).into()),
            WastExecute::Wat(mut wat) => {
                let bytes = wat.encode().map_err(|e| Stop::Fail(format!("cannot encode module: {}", e.message())))?;
                let module =
                    Module::new(self.engine, &bytes).map_err(|e| Stop::Fail(format!("module rejected: {e}")))?;
                match self.instantiate(&module) {
                    Ok(_) => Ok(Vec::new()),
                    Err(Error::Trap(trap)) => Err(ExecError::Trap(trap)),
                    Err(e) => Err(Stop::Fail(format!("instantiation failed: {e}")).into()),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                match instance.export(global) {
                    Some(Extern::Global(g)) => Ok(vec![g.get()]),
                    Some(_) => Err(Stop::Fail(format!("export `{global}` is not a global")).into()),
                    None => Err(Stop::Fail(format!("no exported global `{global}`")).into()),
                }
            }
        }
    }
}

/// The `spectest` module of the reference interpreter.
fn spectest(store: &mut Store) -> Result<HashMap<String, Extern>, Error> {
    use ValType::{F32, F64, I32, I64};
    let mut exports = HashMap::new();
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        let func = Func::new(store, ty, |_args| Ok(Vec::new()));
        exports.insert(name.to_string(), Extern::Func(func));
    }
    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, content_type, value) in globals {
        let ty = GlobalType { content_type, mutable: false, shared: false };
        exports.insert(name.to_string(), Extern::Global(Global::new(store, ty, value)?));
    }
    let table =
        TableType { element_type: RefType::FUNCREF, table64: false, initial: 10, maximum: Some(20), shared: false };
    exports.insert("table".to_string(), Extern::Table(Table::new(store, table, Val::FuncRef(0))?));
    let memory = |shared| MemoryType { memory64: false, shared, initial: 1, maximum: Some(2), page_size_log2: None };
    exports.insert("memory".to_string(), Extern::Memory(Memory::new(store, memory(false))?));
    exports.insert("shared_memory".to_string(), Extern::Memory(Memory::new(store, memory(true))?));
    Ok(exports)
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(module, QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)))
}

/// Our trap message against the script's expected one.
fn trap_matches(trap: &Trap, expected: &str) -> bool {
    let actual = trap.message();
    if actual.contains(expected) || (!actual.is_empty() && expected.starts_with(actual)) {
        return true;
    }
    // The reference interpreter's words for a `call_indirect` index past the end of the table.
    expected == "undefined element" && actual == "out of bounds table access"
}

fn arg_val(arg: &WastArg<'_>) -> Result<Val, Stop> {
    let WastArg::Core(arg) = arg else {
        return skip("component-model values are not supported");
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(ty) => match null_kind(ty) {
            Some(NullKind::Func) => Val::FuncRef(0),
            Some(NullKind::Extern) => Val::ExternRef(0),
            None => return skip(format!("reference type {ty:?} is not supported")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(extern_word(*n)),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefHost(_) => return skip("ref.host values are not supported"),
    })
}

/// The opaque word that stands for `ref.extern n`.
fn extern_word(n: u32) -> usize {
    n as usize + 1
}

enum NullKind {
    Func,
    Extern,
}

fn null_kind(ty: &HeapType<'_>) -> Option<NullKind> {
    match ty {
        HeapType::Abstract { ty: AbstractHeapType::Func | AbstractHeapType::NoFunc, .. } => Some(NullKind::Func),
        // Concrete types are function types (cwali refuses struct and array types).
        HeapType::Concrete(_) => Some(NullKind::Func),
        HeapType::Abstract { ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern, .. } => Some(NullKind::Extern),
        _ => None,
    }
}

fn check_results(what: &str, expected: &[WastRet<'_>], actual: &[Val]) -> Outcome {
    if expected.len() != actual.len() {
        return fail(format!(
            "{what}: expected {} results ({}), got {} ({})",
            expected.len(),
            expected.iter().map(format_ret).collect::<Vec<_>>().join(", "),
            actual.len(),
            format_vals(actual)
        ));
    }
    for (i, (expected, actual)) in expected.iter().zip(actual).enumerate() {
        let WastRet::Core(expected) = expected else {
            return skip("component-model values are not supported");
        };
        if !ret_matches(expected, actual)? {
            return fail(format!(
                "{what}: result {i}: expected {}, got {}",
                format_ret_core(expected),
                format_val(actual)
            ));
        }
    }
    Ok(())
}

fn ret_matches(expected: &WastRetCore<'_>, actual: &Val) -> Result<bool, Stop> {
    Ok(match (expected, *actual) {
        (WastRetCore::I32(e), Val::I32(a)) => *e == a,
        (WastRetCore::I64(e), Val::I64(a)) => *e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, a),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, a),
        (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, a),
        (WastRetCore::RefNull(ty), actual) => match (ty.as_ref().map(null_kind), actual) {
            (None, Val::FuncRef(0) | Val::ExternRef(0)) => true,
            (Some(Some(NullKind::Func)), Val::FuncRef(0)) => true,
            (Some(Some(NullKind::Extern)), Val::ExternRef(0)) => true,
            (Some(None), _) => return skip(format!("reference type {ty:?} is not supported")),
            _ => false,
        },
        (WastRetCore::RefFunc(_), Val::FuncRef(p)) => p != 0,
        (WastRetCore::RefExtern(None), Val::ExternRef(p)) => p != 0,
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(p)) => p == extern_word(*n),
        (WastRetCore::Either(options), actual) => {
            for option in options {
                if ret_matches(option, &actual)? {
                    return Ok(true);
                }
            }
            false
        }
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => return skip("GC reference values are not supported"),
        _ => false,
    })
}

fn f32_matches(e: &NanPattern<wast::token::F32>, a: u32) -> bool {
    match e {
        NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => a & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == a,
    }
}

fn f64_matches(e: &NanPattern<wast::token::F64>, a: u64) -> bool {
    match e {
        NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == a,
    }
}

/// A `v128` against a lane pattern: integer lanes by bits, float lanes as floats (NaN patterns).
fn v128_matches(e: &V128Pattern, a: u128) -> bool {
    let lane = |i: usize, bits: u32| (a >> (i as u32 * bits)) & ((1u128 << bits) - 1);
    match e {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, v)| lane(i, 8) == *v as u8 as u128),
        V128Pattern::I16x8(l) => l.iter().enumerate().all(|(i, v)| lane(i, 16) == *v as u16 as u128),
        V128Pattern::I32x4(l) => l.iter().enumerate().all(|(i, v)| lane(i, 32) == *v as u32 as u128),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, v)| lane(i, 64) == *v as u64 as u128),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, p)| f32_matches(p, lane(i, 32) as u32)),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, p)| f64_matches(p, lane(i, 64) as u64)),
    }
}

fn format_val(val: &Val) -> String {
    match *val {
        Val::V128(v) => format!("v128:{v:#034x}"),
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(bits) => format!("f32:{} ({bits:#010x})", f32::from_bits(bits)),
        Val::F64(bits) => format!("f64:{} ({bits:#018x})", f64::from_bits(bits)),
        Val::FuncRef(0) => "ref.null func".to_string(),
        Val::FuncRef(p) => format!("ref.func ({p:#x})"),
        Val::ExternRef(0) => "ref.null extern".to_string(),
        Val::ExternRef(p) => format!("ref.extern {}", p.wrapping_sub(1)),
    }
}

fn format_vals(vals: &[Val]) -> String {
    if vals.is_empty() {
        return "no results".to_string();
    }
    vals.iter().map(format_val).collect::<Vec<_>>().join(", ")
}

fn format_ret(ret: &WastRet<'_>) -> String {
    match ret {
        WastRet::Core(core) => format_ret_core(core),
        #[allow(unreachable_patterns)]
        _ => "<component value>".to_string(),
    }
}

fn format_ret_core(ret: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, ty: &str, value: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => format!("{ty}:nan:canonical"),
            NanPattern::ArithmeticNan => format!("{ty}:nan:arithmetic"),
            NanPattern::Value(v) => format!("{ty}:{}", value(v)),
        }
    }
    match ret {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => nan(p, "f32", |v| format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits)),
        WastRetCore::F64(p) => nan(p, "f64", |v| format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits)),
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(ty)) => match null_kind(ty) {
            Some(NullKind::Func) => "ref.null func".to_string(),
            Some(NullKind::Extern) => "ref.null extern".to_string(),
            None => format!("ref.null {ty:?}"),
        },
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::Either(options) => {
            format!("either({})", options.iter().map(format_ret_core).collect::<Vec<_>>().join(" | "))
        }
        WastRetCore::V128(p) => format!("v128:{p:?}"),
        other => format!("{other:?}"),
    }
}

fn describe_invoke(invoke: &WastInvoke<'_>) -> String {
    let args: Vec<String> = invoke
        .args
        .iter()
        .map(|arg| match arg_val(arg) {
            Ok(v) => format_val(&v),
            Err(_) => "?".to_string(),
        })
        .collect();
    let module = invoke.module.map(|id| format!("${} ", id.name())).unwrap_or_default();
    format!("invoke {module}\"{}\"({})", invoke.name, args.join(", "))
}

fn describe_exec(exec: &WastExecute<'_>) -> String {
    match exec {
        WastExecute::Invoke(invoke) => describe_invoke(invoke),
        WastExecute::Wat(_) => "module instantiation".to_string(),
        WastExecute::Get { module, global, .. } => {
            let module = module.map(|id| format!("${} ", id.name())).unwrap_or_default();
            format!("get {module}\"{global}\"")
        }
    }
}

fn directive_name(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
    }
}

fn id_text(id: Option<Id<'_>>) -> String {
    match id {
        Some(id) => format!("${}", id.name()),
        None => "(none defined yet)".to_string(),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
