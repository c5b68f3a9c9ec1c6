//! The embedding API: what the CLI, the wast runner and the tests use.

use std::sync::Arc;

use cwali_codegen::{CompiledModule, TrapKind};
use cwali_frontend::{GlobalType, MemoryType, ModuleInfo, TableType};

pub use cwali_codegen::{BoundsChecks, Config};

pub use crate::func::Func;
use crate::values::Val;
use cwali_frontend::RefTypeExt as _;

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
    cache: Option<Arc<crate::code_cache::CodeCache>>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine { config: Arc::new(config), cache: None }
    }

    /// Keep compiled code in `dir`, keyed by module, code generator build, CPU features and
    /// settings, authenticated with this user's secret there. A directory that cannot be
    /// trusted is not used (with a warning; see `code_cache`).
    pub fn with_cache_dir(self, dir: impl AsRef<std::path::Path>) -> Engine {
        let cache = crate::code_cache::CodeCache::open(dir.as_ref(), true, true);
        Engine { cache: cache.map(Arc::new), ..self }
    }

    /// Use only the secret in `dir` (if there is one), to authenticate code files from
    /// [`Engine::precompile`]; no entries are read or written.
    pub fn with_key_dir(self, dir: impl AsRef<std::path::Path>) -> Engine {
        let cache = crate::code_cache::CodeCache::open(dir.as_ref(), false, false);
        Engine { cache: cache.map(Arc::new), ..self }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn with_config(&self, config: Config) -> Engine {
        Engine { config: Arc::new(config), cache: self.cache.clone() }
    }

    /// Compile `bytes` (a Wasm module) to a code file that [`Module::new`] loads without
    /// compiling (`cwali compile`). It carries the module and a MAC keyed with this user's
    /// secret (from the cache directory), so only this user's cwali runs its code as it is.
    pub fn precompile(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let cache = self.cache.as_ref().ok_or_else(|| {
            Error::Resource("code files need this user's key in a usable code cache directory".into())
        })?;
        let info = cwali_frontend::parse(bytes)?;
        let linked = cwali_codegen::link::link(&cwali_codegen::compile_artifacts(&info, &self.config)?)?;
        let hash = cwali_codegen::cache::module_hash(bytes);
        let key = cwali_codegen::cache::key(&info, &hash, &self.config)?;
        let stripped = cwali_frontend::strip_code(bytes)?;
        cwali_codegen::cache::serialize(&key, &hash, &stripped, Some(bytes), &linked, cache.secret())
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
    /// [`Engine::precompile`] (its code used as is when this user's cwali made it for this host
    /// and these settings; otherwise the module it holds is validated and compiled; a corrupted
    /// one is an error).
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let config = engine.config().clone();
        Ok(Module::from_bytes(engine, bytes.to_vec(), None, &mut |_| config.clone())?.1)
    }

    /// Load a module file as `cwali run` does. `read` gives the file's bytes (a Wasm binary or
    /// a code file; text already translated), `configure` the settings for the module (from
    /// `engine`'s), returned with the module as the engine to instantiate it with.
    ///
    /// With a code cache, a file seen before is loaded by its record without being read (see
    /// `code_cache`); otherwise it is read, and a record is left for the next time.
    pub fn from_file<E: From<Error>>(
        engine: &Engine,
        path: &std::path::Path,
        read: impl FnOnce() -> Result<Vec<u8>, E>,
        configure: impl FnOnce(&ModuleInfo) -> Config,
    ) -> Result<(Engine, Module), E> {
        // `configure` decides by the module's imports: once asked, the answer holds.
        let mut configure = Some(configure);
        let mut decided: Option<Config> = None;
        let mut configure =
            |info: &ModuleInfo| decided.get_or_insert_with(|| (configure.take().expect("asked once"))(info)).clone();
        if let Some(cache) = &engine.cache
            && let Some(hit) = cache.lookup(path, engine.config(), &mut configure)
        {
            tracing::debug!("code cache: `{}` loaded by its record", path.display());
            return Ok((engine.with_config(hit.config), Module::from_parts(Arc::new(hit.info), hit.code)));
        }
        let before = crate::code_cache::Identity::of_path(path);
        let bytes = read()?;
        let unchanged = before.filter(|b| crate::code_cache::Identity::of_path(path) == Some(*b));
        Ok(Module::from_bytes(engine, bytes, unchanged, &mut configure)?)
    }

    /// A module from a file's bytes; `identity` is the file's if it did not change while read.
    fn from_bytes(
        engine: &Engine,
        bytes: Vec<u8>,
        identity: Option<crate::code_cache::Identity>,
        configure: &mut dyn FnMut(&ModuleInfo) -> Config,
    ) -> Result<(Engine, Module), Error> {
        use cwali_codegen::cache;
        if !cache::is_code(&bytes) {
            return Module::from_wasm(engine, bytes.into(), identity, configure);
        }
        let header = cache::Header::read(&bytes, bytes.len() as u64).map_err(|e| Error::Resource(e.to_string()))?;
        let secret = engine.cache.as_ref().map(|c| c.secret());
        match cache::verify(&bytes, secret) {
            Ok(()) => {
                let info = cwali_frontend::parse_trusted(&bytes[header.module.clone()])?;
                let config = configure(&info);
                if cache::key(&info, &header.module_hash, &config)? == header.key {
                    let layout = cache::decode_layout(&bytes[header.layout.clone()])
                        .map_err(|e| Error::Resource(e.to_string()))?;
                    let text = &bytes[header.text.clone()];
                    let code = cwali_codegen::place(&info, layout, text.len(), |buf| {
                        buf.copy_from_slice(text);
                        Ok(())
                    })?;
                    if let (Some(cache), Some(id)) = (&engine.cache, identity) {
                        cache.remember(engine.config(), id, header.module_hash, header.key, id, true);
                    }
                    return Ok((engine.with_config(config), Module::from_parts(Arc::new(info), code)));
                }
                tracing::warn!("the code file was made for another host, cwali or settings: recompiling");
            }
            Err(cache::CacheError::NotAuthentic) => {
                tracing::warn!("{}: compiling the module it holds", cache::CacheError::NotAuthentic)
            }
            Err(e) => return Err(Error::Resource(e.to_string())),
        }
        let source = &bytes[header.source.clone()];
        if source.is_empty() {
            return Err(Error::Resource("the code file holds no module to compile".into()));
        }
        Module::from_wasm(engine, source.into(), None, configure)
    }

    /// A Wasm binary: through the cache if the engine has one.
    fn from_wasm(
        engine: &Engine,
        bytes: Arc<[u8]>,
        identity: Option<crate::code_cache::Identity>,
        configure: &mut dyn FnMut(&ModuleInfo) -> Config,
    ) -> Result<(Engine, Module), Error> {
        let Some(cache) = &engine.cache else {
            let info = cwali_frontend::parse(&bytes)?;
            let engine = engine.with_config(configure(&info));
            let module = Module::compile(&engine, info)?;
            return Ok((engine, module));
        };
        let hash = cwali_codegen::cache::module_hash(&bytes);
        // The entry's key needs the module's imports (for intrinsics), not a validation: an
        // authentic entry of this hash was made from these very bytes, validated then.
        let key = match cwali_frontend::parse_trusted(bytes.clone()) {
            Ok(quick) => {
                let config = configure(&quick);
                Some(cwali_codegen::cache::key(&quick, &hash, &config)?)
            }
            Err(_) => None,
        };
        if let Some(key) = key
            && let Some((data, entry_id)) = cache.read_entry(&key, &hash)
        {
            match Module::from_entry(engine, &data, configure) {
                Ok(loaded) => {
                    if let Some(id) = identity {
                        cache.remember(engine.config(), id, hash, key, entry_id, false);
                    }
                    return Ok(loaded);
                }
                Err(e) => tracing::warn!("code cache entry not usable: {e}: recompiling"),
            }
        }
        let info = cwali_frontend::parse(&bytes)?;
        let engine = engine.with_config(configure(&info));
        let linked = cwali_codegen::link::link(&cwali_codegen::compile_artifacts(&info, engine.config())?)?;
        let key = cwali_codegen::cache::key(&info, &hash, engine.config())?;
        let stripped = cwali_frontend::strip_code(&bytes)?;
        if let Some(data) = cwali_codegen::cache::serialize(&key, &hash, &stripped, None, &linked, cache.secret()) {
            cache.store_entry(&key, &data);
        }
        let code = cwali_codegen::load(&info, linked)?;
        Ok((engine.clone(), Module::from_parts(Arc::new(info), code)))
    }

    /// A verified cache entry, in memory.
    fn from_entry(
        engine: &Engine,
        data: &[u8],
        configure: &mut dyn FnMut(&ModuleInfo) -> Config,
    ) -> Result<(Engine, Module), Error> {
        use cwali_codegen::cache;
        let header = cache::Header::read(data, data.len() as u64).map_err(|e| Error::Resource(e.to_string()))?;
        let info = cwali_frontend::parse_trusted(&data[header.module.clone()])?;
        let layout = cache::decode_layout(&data[header.layout.clone()]).map_err(|e| Error::Resource(e.to_string()))?;
        let text = &data[header.text.clone()];
        let code = cwali_codegen::place(&info, layout, text.len(), |buf| {
            buf.copy_from_slice(text);
            Ok(())
        })?;
        Ok((engine.with_config(configure(&info)), Module::from_parts(Arc::new(info), code)))
    }

    /// Compile a module the caller has already parsed (through the on-disk cache if the engine
    /// has one).
    pub fn from_info(engine: &Engine, info: ModuleInfo) -> Result<Module, Error> {
        if engine.cache.is_some() {
            let config = engine.config().clone();
            return Ok(Module::from_wasm(engine, info.bytes.clone(), None, &mut |_| config.clone())?.1);
        }
        Module::compile(engine, info)
    }

    fn compile(engine: &Engine, info: ModuleInfo) -> Result<Module, Error> {
        let code = cwali_codegen::compile(&info, engine.config())?;
        Ok(Module::from_parts(Arc::new(info), code))
    }

    fn from_parts(info: Arc<ModuleInfo>, mut code: CompiledModule) -> Module {
        let shared: Arc<dyn std::any::Any + Send + Sync> = info.clone();
        let ranges = (code.funcs.iter())
            .map(|f| crate::code_registry::CodeRange { start: f.ptr, end: f.ptr + f.len, func_index: f.func_index })
            .collect();
        let traps = std::mem::take(&mut code.traps);
        let exn_sites = std::mem::take(&mut code.exn_sites);
        let registration = crate::code_registry::register(code.text().0, ranges, traps, exn_sites, shared);
        if crate::profiling::perfmap_enabled() {
            crate::profiling::record(code.funcs.iter().map(|f| (f.ptr, f.len, info.func_name(f.func_index))));
        }
        let type_ids =
            crate::type_registry::intern_module(&info.types, &info.rec_groups, &info.final_types).into_boxed_slice();
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
    interrupt: Arc<crate::interrupt::InterruptState>,
    /// Cap on the size of memories created in this store (`Store::set_max_memory`).
    max_memory: Option<u64>,
}

/// Where a store's limits live.
enum Limits {
    /// Shared with the interrupt state, which handles may keep after the store is gone.
    Boxed(Arc<crate::vm::VMRuntimeLimits>),
    /// With safepoints on hosts that poll a page (`cwali_codegen::POLL_PAGES`): next to the poll
    /// page, in a mapping that is reused but never unmapped.
    Paged(crate::poll_page::PollPage),
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        let limits = if engine.config().safepoints && cwali_codegen::POLL_PAGES {
            Limits::Paged(crate::poll_page::PollPage::new())
        } else {
            Limits::Boxed(Arc::default())
        };
        let (ptr, boxed) = match &limits {
            Limits::Boxed(b) => (Arc::as_ptr(b), Some(b.clone())),
            Limits::Paged(p) => (p.limits() as *const _, None),
        };
        let interrupt = Arc::new(crate::interrupt::InterruptState::new(ptr as usize, boxed));
        // SAFETY: `ptr` is this store's limits, alive as long as the store.
        unsafe { &*ptr }.interrupt.store(Arc::as_ptr(&interrupt) as usize, std::sync::atomic::Ordering::Release);
        let store = Store { engine: engine.clone(), limits, instances: Vec::new(), interrupt, max_memory: None };
        crate::builtins::register_limits(store.limits_ptr() as usize);
        store
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits_ptr(&self) -> *const crate::vm::VMRuntimeLimits {
        match &self.limits {
            Limits::Boxed(b) => Arc::as_ptr(b),
            Limits::Paged(p) => p.limits(),
        }
    }

    /// A handle that interrupts this store's Wasm code at its next safepoint, from any thread
    /// (the call then fails with `TrapKind::Interrupt`). Needs safepoints in the engine's config.
    pub fn interrupt_handle(&self) -> crate::interrupt::InterruptHandle {
        crate::interrupt::InterruptHandle { state: self.interrupt.clone() }
    }

    /// Forget an interrupt, so that the store's code can run again.
    pub fn clear_interrupt(&self) {
        self.interrupt.clear();
    }

    /// Isolated stores' safepoints never call the process-wide hook (`set_safepoint_hook`):
    /// their guests are not the program the hook serves (e.g. instance sandboxes in a process
    /// that also runs a WALI program).
    pub fn set_isolated(&mut self, isolated: bool) {
        self.interrupt.set_isolated(isolated);
    }

    /// Cap every memory instantiated in this store from now on at `bytes` (rounded down to
    /// whole pages): `memory.grow` past it fails (-1), and a module whose initial memory is
    /// larger fails to instantiate. Memories shared from elsewhere are not affected.
    pub fn set_max_memory(&mut self, bytes: Option<u64>) {
        self.max_memory = bytes;
    }

    /// `ty` with its maximum lowered to the store's cap, if it has one.
    pub(crate) fn cap_memory(&self, ty: &MemoryType) -> MemoryType {
        let mut ty = *ty;
        if let Some(bytes) = self.max_memory {
            let pages = bytes >> ty.page_size_log2.unwrap_or(16);
            ty.maximum = Some(ty.maximum.map_or(pages, |m| m.min(pages)));
        }
        ty
    }

    pub(crate) fn keep_alive(&mut self, instance: Arc<crate::instance::InstanceData>) {
        self.instances.push(instance);
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.interrupt.forget_limits();
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
            memory64: self.storage.is_64(),
            shared: self.storage.is_shared(),
            initial: self.storage.pages(),
            maximum: self.declared_maximum,
            // 64 KiB pages are the default and written as "no custom size".
            page_size_log2: match self.storage.page_size().trailing_zeros() {
                16 => None,
                log2 => Some(log2),
            },
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
    /// The canonical id of the function type a `(ref null? $t)` global names (`ty` names it
    /// by an index of its module); None for other types and for globals made by the host.
    pub(crate) concrete_type_id: Option<u32>,
    _keep: Arc<dyn std::any::Any + Send + Sync>,
}

// SAFETY: `ptr` points into storage kept alive by `_keep`; values are read and written whole
// (a global is at most 16 bytes), as Wasm threads do.
unsafe impl Send for Global {}
// SAFETY: as for Send.
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
        Ok(Global { ptr, ty, concrete_type_id: None, _keep: slot })
    }

    pub(crate) fn from_raw(
        ptr: *mut u8,
        ty: GlobalType,
        concrete_type_id: Option<u32>,
        keep: Arc<dyn std::any::Any + Send + Sync>,
    ) -> Global {
        Global { ptr, ty, concrete_type_id, _keep: keep }
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
        // A `(ref null? $t)` global takes only functions of type $t: `call_ref` trusts it.
        if let (Some(want), Val::FuncRef(p)) = (self.concrete_type_id, v)
            && p != 0
            // SAFETY: a non-null funcref `Val` points at a live VMFuncRef (its contract).
            && unsafe { (*(p as *const crate::vm::VMFuncRef)).type_id } as u32 != want
        {
            return Err(Error::IncompatibleImport("a function of another type for a typed global".to_string()));
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
        Some(if self.storage.ty.element_type.is_func() { Val::FuncRef(w) } else { Val::ExternRef(w) })
    }
}
