//! The embedding API: what the CLI, the wast runner and the tests use.

use std::sync::Arc;

use cwali_codegen::{CompiledModule, TrapKind};
use cwali_frontend::{GlobalType, MemoryType, ModuleInfo, TableType};

pub use cwali_codegen::{BoundsChecks, Config};

pub use crate::func::Func;
use crate::values::Val;

/// Why instantiation or a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Module(#[from] cwali_frontend::Error),
    #[error("compilation failed: {0}")]
    Compile(#[from] cwali_codegen::CompileError),
    /// An import is missing or has the wrong type (`assert_unlinkable`).
    #[error("unknown import: {0}")]
    UnknownImport(String),
    #[error("incompatible import type for {0}")]
    IncompatibleImport(String),
    /// Memory/table reservation failed, or a limit was exceeded.
    #[error("resource limit exceeded: {0}")]
    Resource(String),
    /// A trap while running element/data initialisation or the start function.
    #[error(transparent)]
    Trap(#[from] Trap),
}

/// A Wasm trap, with the Wasm frames that were live when it happened (innermost first).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Trap {
    pub kind: TrapReason,
    pub backtrace: Vec<FrameInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapReason {
    /// A trap of generated code or a builtin.
    Wasm(TrapKind),
    /// A host function failed (its message).
    Host(String),
    /// An exception was thrown and no Wasm frame caught it. A host function called from Wasm
    /// that returns this error throws the exception on into its caller.
    Exception(crate::exceptions::Exception),
}

impl Trap {
    pub fn new(kind: TrapKind) -> Trap {
        Trap { kind: TrapReason::Wasm(kind), backtrace: Vec::new() }
    }

    pub fn host(message: impl Into<String>) -> Trap {
        Trap { kind: TrapReason::Host(message.into()), backtrace: Vec::new() }
    }

    /// An uncaught exception, as an error (a host function may return it to throw it).
    pub fn exception(exn: crate::exceptions::Exception) -> Trap {
        Trap { kind: TrapReason::Exception(exn), backtrace: Vec::new() }
    }

    pub fn trap_kind(&self) -> Option<TrapKind> {
        match self.kind {
            TrapReason::Wasm(k) => Some(k),
            TrapReason::Host(_) | TrapReason::Exception(_) => None,
        }
    }

    /// The exception, if this is an uncaught one.
    pub fn as_exception(&self) -> Option<crate::exceptions::Exception> {
        match self.kind {
            TrapReason::Exception(e) => Some(e),
            _ => None,
        }
    }

    /// `wasm trap: <message>`, or `uncaught wasm exception` (what `Display` prints).
    fn describe(&self) -> String {
        match self.kind {
            TrapReason::Exception(_) => "uncaught wasm exception".to_string(),
            _ => format!("wasm trap: {}", self.message()),
        }
    }

    pub fn message(&self) -> &str {
        match &self.kind {
            TrapReason::Wasm(k) => k.message(),
            TrapReason::Host(m) => m,
            TrapReason::Exception(_) => "uncaught exception",
        }
    }
}

/// One Wasm frame of a trap backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    pub func_index: u32,
    /// Name-section name, or `wasm-function[N]`.
    pub func_name: String,
    pub module_name: Option<String>,
}

/// Compiles modules with one configuration.
#[derive(Clone, Default)]
pub struct Engine {
    config: Arc<Config>,
    cache_dir: Option<Arc<std::path::Path>>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine { config: Arc::new(config), cache_dir: None }
    }

    /// Keep compiled code in `dir`, keyed by module, code generator build, CPU features and settings.
    pub fn with_cache_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Engine {
        self.cache_dir = Some(Arc::from(dir.into().as_path()));
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Compile `bytes` (a Wasm module) to a code file that [`Module::new`] loads without
    /// compiling (`cwali compile`).
    pub fn precompile(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let info = cwali_frontend::parse(bytes)?;
        let artifacts = cwali_codegen::compile_artifacts(&info, &self.config)?;
        let key = cwali_codegen::cache::key(&info, &self.config)?;
        cwali_codegen::cache::serialize(&key, bytes, &artifacts)
            .ok_or_else(|| Error::Resource("this module's code cannot be saved (unsupported relocation)".into()))
    }
}

struct ModuleInner {
    info: Arc<ModuleInfo>,
    code: CompiledModule,
    /// Built at the first instantiation.
    image: std::sync::OnceLock<Option<crate::memory_image::MemoryImage>>,
    table_images: std::sync::OnceLock<crate::table_image::TableImages>,
    /// Canonical id of each module type (interning takes a process-wide lock).
    type_ids: Box<[u32]>,
    _registration: crate::code_registry::RegistrationHandle,
}

/// A compiled module, ready to be instantiated any number of times.
#[derive(Clone)]
pub struct Module(Arc<ModuleInner>);

impl Module {
    /// Parse, validate and compile `bytes`: a Wasm module, or a code file from
    /// [`Engine::precompile`] (used as is when it was made for this host and these settings,
    /// recompiled from the module it holds otherwise; a corrupted one is an error).
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        use cwali_codegen::cache;
        if cache::is_code(bytes) {
            let (key, module_bytes, artifacts) =
                cache::deserialize(bytes).map_err(|e| Error::Resource(e.to_string()))?;
            let info = Arc::new(cwali_frontend::parse(&module_bytes)?);
            if cache::key(&info, engine.config())? == key {
                let code = cwali_codegen::load(&info, &artifacts, engine.config())?;
                return Ok(Module::from_parts(info, code));
            }
            tracing::warn!("the code file was made for another host, cwali or settings: recompiling");
            return Module::compile(engine, info);
        }
        Module::from_info(engine, cwali_frontend::parse(bytes)?)
    }

    /// Compile a module the caller has already parsed (through the on-disk cache if the engine
    /// has one), saving a second parse of the same bytes.
    pub fn from_info(engine: &Engine, info: ModuleInfo) -> Result<Module, Error> {
        let info = Arc::new(info);
        if let Some(dir) = &engine.cache_dir {
            return Module::cached(engine, info, dir);
        }
        Module::compile(engine, info)
    }

    fn compile(engine: &Engine, info: Arc<ModuleInfo>) -> Result<Module, Error> {
        let code = cwali_codegen::compile(&info, engine.config())?;
        Ok(Module::from_parts(info, code))
    }

    /// Through the on-disk cache: a valid entry is loaded, anything else recompiled and stored.
    fn cached(engine: &Engine, info: Arc<ModuleInfo>, dir: &std::path::Path) -> Result<Module, Error> {
        use cwali_codegen::cache;
        let key = cache::key(&info, engine.config())?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(format!("{hex}.cwasm"));
        if let Ok(data) = std::fs::read(&path) {
            match cache::deserialize(&data) {
                Ok((k, m, artifacts)) if k == key && *m == *info.bytes => {
                    if let Ok(code) = cwali_codegen::load(&info, &artifacts, engine.config()) {
                        return Ok(Module::from_parts(info, code));
                    }
                }
                Ok(_) => tracing::warn!("cache entry {} does not match its module: recompiling", path.display()),
                Err(e) => tracing::warn!("cache entry {}: {e}: recompiling", path.display()),
            }
        }
        let artifacts = cwali_codegen::compile_artifacts(&info, engine.config())?;
        if let Some(data) = cache::serialize(&key, &info.bytes, &artifacts) {
            // Write then rename, so a concurrent reader never sees half a file.
            let tmp = dir.join(format!("{hex}.{}.tmp", std::process::id()));
            let stored = std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&tmp, &data))
                .and_then(|_| std::fs::rename(&tmp, &path));
            if let Err(e) = stored {
                tracing::debug!("cannot store {} in the code cache: {e}", path.display());
                let _ = std::fs::remove_file(&tmp);
            }
        }
        let code = cwali_codegen::load(&info, &artifacts, engine.config())?;
        Ok(Module::from_parts(info, code))
    }

    fn from_parts(info: Arc<ModuleInfo>, code: CompiledModule) -> Module {
        let shared: Arc<dyn std::any::Any + Send + Sync> = info.clone();
        let ranges = code
            .funcs
            .iter()
            .map(|f| crate::code_registry::CodeRange {
                start: f.ptr,
                end: f.ptr + f.len,
                traps: f.traps.clone(),
                exn_sites: f.exn_sites.clone(),
                func_index: f.func_index,
                module: shared.clone(),
            })
            .collect();
        let registration = crate::code_registry::register(ranges);
        if crate::profiling::perfmap_enabled() {
            crate::profiling::record(code.funcs.iter().map(|f| (f.ptr, f.len, info.func_name(f.func_index))));
        }
        let type_ids = info.types.iter().map(crate::type_registry::intern).collect();
        Module(Arc::new(ModuleInner {
            info,
            code,
            image: Default::default(),
            table_images: Default::default(),
            type_ids,
            _registration: registration,
        }))
    }

    pub fn info(&self) -> &ModuleInfo {
        &self.0.info
    }

    pub fn code(&self) -> &CompiledModule {
        &self.0.code
    }

    /// The canonical id of each of the module's types (`type_registry`).
    pub(crate) fn type_ids(&self) -> &[u32] {
        &self.0.type_ids
    }

    /// The copy-on-write image of memory 0, if the module's data segments allow one.
    pub(crate) fn memory_image(&self) -> Option<&crate::memory_image::MemoryImage> {
        self.0.image.get_or_init(|| crate::memory_image::MemoryImage::build(&self.0.info)).as_ref()
    }

    /// The initial elements of the module's lazily initialised tables.
    pub(crate) fn table_images(&self) -> &crate::table_image::TableImages {
        self.0.table_images.get_or_init(|| crate::table_image::TableImages::build(&self.0.info))
    }
}

/// One thread of execution: its runtime limits are shared by the instances created in it.
pub struct Store {
    engine: Engine,
    limits: Limits,
    instances: Vec<Arc<crate::instance::InstanceData>>,
}

/// Where a store's limits live.
enum Limits {
    Boxed(Box<crate::vm::VMRuntimeLimits>),
    /// With safepoints on hosts that poll a page (`cwali_codegen::POLL_PAGES`): next to the poll
    /// page, in a mapping that is reused but never unmapped.
    Paged(crate::poll_page::PollPage),
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        let limits = if engine.config().safepoints && cwali_codegen::POLL_PAGES {
            Limits::Paged(crate::poll_page::PollPage::new())
        } else {
            Limits::Boxed(Box::default())
        };
        let store = Store { engine: engine.clone(), limits, instances: Vec::new() };
        crate::builtins::register_limits(store.limits_ptr() as usize);
        store
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits_ptr(&self) -> *const crate::vm::VMRuntimeLimits {
        match &self.limits {
            Limits::Boxed(b) => &**b,
            Limits::Paged(p) => p.limits(),
        }
    }

    pub(crate) fn keep_alive(&mut self, instance: Arc<crate::instance::InstanceData>) {
        self.instances.push(instance);
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        crate::builtins::unregister_limits(self.limits_ptr() as usize);
    }
}

/// Something an instance exports or imports.
#[derive(Clone, Debug)]
pub enum Extern {
    Func(Func),
    Memory(Memory),
    Table(Table),
    Global(Global),
    Tag(crate::tag::Tag),
}

/// An instantiated module.
#[derive(Clone)]
pub struct Instance {
    data: Arc<crate::instance::InstanceData>,
    limits: usize,
}

impl Instance {
    /// Instantiate `module`; `imports` are in the module's import order.
    pub fn new(store: &mut Store, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        let data = crate::instance::instantiate(store, module, imports, &[])?;
        Ok(Instance { data, limits: store.limits_ptr() as usize })
    }

    /// Instantiate with the module's *defined* memories taken from `memories` instead of newly
    /// created: a WALI thread's instance shares its parent's memory this way.
    pub fn new_sharing_memories(
        store: &mut Store,
        module: &Module,
        imports: &[Extern],
        memories: &[Arc<crate::memory::LinearMemory>],
    ) -> Result<Instance, Error> {
        let data = crate::instance::instantiate(store, module, imports, memories)?;
        Ok(Instance { data, limits: store.limits_ptr() as usize })
    }

    /// The calling-instance view of this instance (for host code).
    pub fn caller(&self) -> crate::caller::Caller<'_> {
        // SAFETY: our own live VMContext.
        unsafe { crate::caller::Caller::from_vmctx(self.data.vmctx()) }.expect("non-null vmctx")
    }

    pub fn export(&self, name: &str) -> Option<Extern> {
        crate::instance::export(&self.data, self.limits, name)
    }

    pub fn get_func(&self, name: &str) -> Option<Func> {
        match self.export(name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn module(&self) -> &Module {
        &self.data.module
    }

    /// The instance's VMContext (for host code that needs its memory, e.g. WALI).
    pub fn vmctx(&self) -> *mut u8 {
        self.data.vmctx()
    }
}

/// A linear memory.
#[derive(Clone)]
pub struct Memory {
    storage: Arc<crate::memory::LinearMemory>,
    declared_maximum: Option<u64>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memory({} pages)", self.storage.pages())
    }
}

impl Memory {
    pub fn new(store: &mut Store, ty: MemoryType) -> Result<Memory, Error> {
        let m = crate::memory::LinearMemory::new(&ty, store.engine().config().bounds_checks)
            .map_err(|e| Error::Resource(e.to_string()))?;
        Ok(Memory { storage: Arc::new(m), declared_maximum: ty.maximum })
    }

    pub(crate) fn from_storage(storage: Arc<crate::memory::LinearMemory>, declared_maximum: Option<u64>) -> Memory {
        Memory { storage, declared_maximum }
    }

    pub(crate) fn storage(&self) -> &Arc<crate::memory::LinearMemory> {
        &self.storage
    }

    pub(crate) fn declared_maximum(&self) -> Option<u64> {
        self.declared_maximum
    }

    /// Current limits: the minimum is the current size.
    pub fn ty(&self) -> MemoryType {
        MemoryType {
            memory64: false,
            shared: self.storage.is_shared(),
            initial: self.storage.pages(),
            maximum: self.declared_maximum,
            page_size_log2: None,
        }
    }

    pub fn size_bytes(&self) -> usize {
        self.storage.byte_len()
    }

    pub fn read(&self, offset: usize, buf: &mut [u8]) -> bool {
        self.storage.read(offset as u64, buf).is_ok()
    }

    pub fn write(&self, offset: usize, data: &[u8]) -> bool {
        self.storage.write(offset as u64, data).is_ok()
    }

    /// A copy of the whole memory.
    pub fn data(&self) -> Vec<u8> {
        let mut v = vec![0; self.size_bytes()];
        self.read(0, &mut v);
        v
    }
}

/// A global variable.
#[derive(Clone)]
pub struct Global {
    ptr: *mut u8,
    ty: GlobalType,
    _keep: Arc<dyn std::any::Any + Send + Sync>,
}

unsafe impl Send for Global {}
unsafe impl Sync for Global {}

impl std::fmt::Debug for Global {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Global({:?} = {:?})", self.ty, self.get())
    }
}

impl Global {
    pub fn new(_store: &mut Store, ty: GlobalType, v: Val) -> Result<Global, Error> {
        if !v.ty_matches(ty.content_type) {
            return Err(Error::IncompatibleImport(format!("global of type {:?} with value {v:?}", ty.content_type)));
        }
        let slot: Arc<std::sync::Mutex<Box<[u128; 1]>>> = Arc::new(std::sync::Mutex::new(Box::new([0])));
        let ptr = slot.lock().unwrap().as_mut_ptr() as *mut u8;
        crate::instance::write_val(ptr, v);
        Ok(Global { ptr, ty, _keep: slot })
    }

    pub(crate) fn from_raw(ptr: *mut u8, ty: GlobalType, keep: Arc<dyn std::any::Any + Send + Sync>) -> Global {
        Global { ptr, ty, _keep: keep }
    }

    pub(crate) fn ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn ty(&self) -> GlobalType {
        self.ty
    }

    pub fn get(&self) -> Val {
        crate::instance::read_val(self.ptr, self.ty.content_type)
    }

    pub fn set(&self, v: Val) -> Result<(), Error> {
        if !self.ty.mutable || !v.ty_matches(self.ty.content_type) {
            return Err(Error::IncompatibleImport("immutable global or wrong type".to_string()));
        }
        crate::instance::write_val(self.ptr, v);
        Ok(())
    }
}

/// A table of references.
#[derive(Clone)]
pub struct Table {
    storage: Arc<crate::vm::TableStorage>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({} elements)", self.storage.size())
    }
}

impl Table {
    pub fn new(_store: &mut Store, ty: TableType, init: Val) -> Result<Table, Error> {
        let word = match init {
            Val::FuncRef(p) | Val::ExternRef(p) => p,
            other => {
                return Err(Error::IncompatibleImport(format!("table initialised with {other:?}")));
            }
        };
        let storage = crate::vm::TableStorage::new(ty, word)
            .ok_or_else(|| Error::Resource(format!("table of {} elements", ty.initial)))?;
        Ok(Table { storage: Arc::new(storage) })
    }

    pub(crate) fn from_storage(storage: Arc<crate::vm::TableStorage>) -> Table {
        Table { storage }
    }

    pub(crate) fn storage(&self) -> &Arc<crate::vm::TableStorage> {
        &self.storage
    }

    pub fn ty(&self) -> TableType {
        TableType { initial: self.storage.size(), ..self.storage.ty }
    }

    pub fn size(&self) -> u64 {
        self.storage.size()
    }

    pub fn get(&self, i: u64) -> Option<Val> {
        let w = self.storage.get(i)?;
        Some(if self.storage.ty.element_type.is_func_ref() { Val::FuncRef(w) } else { Val::ExternRef(w) })
    }
}
