//! The VMContext layout: the one definition of every offset that generated code loads and the
//! runtime fills. Nothing else in cwali may spell out one of these numbers.
//!
//! A VMContext is one instance's block of pointer-sized slots (64-bit hosts only):
//!
//! ```text
//! 0                 *const VMRuntimeLimits   (shared by the instances of one store / thread)
//! 8                 *const builtin function pointers (see `Builtin`)
//! 16                base of memory 0 (cached: memory bases never move)
//! 24                *mut rt instance (opaque to generated code)
//! 32                the null sentinel of funcref tables (see below)
//! type_ids          u32 per module type: process-wide canonical signature ids
//! memories          *mut VMMemoryDefinition per memory (imported and defined)
//! tables            *mut VMTableDefinition per table (imported and defined)
//! tags              *const VMTag per exception tag (imported and defined): its identity
//! imported_globals  *mut VMGlobal per imported global
//! defined_globals   VMGlobal (16 bytes) per defined global, stored inline
//! func_refs         VMFuncRef (24 bytes) per function, imported ones first
//! ```
//!
//! A `VMFuncRef` is what a `funcref` value points at and what every call goes through:
//! `{ code, type_id, vmctx }`. Calls to imported functions load `code` and `vmctx` from the
//! caller's own `func_refs` slot, which the runtime fills from the exporter's function.
//!
//! Funcref tables are initialised lazily: a table word 0 means "not initialised yet" (the
//! runtime's `TableLazyInit` builtin resolves and stores it), and null is stored as one
//! process-wide sentinel address, an inaccessible page. `call_indirect` keeps today's shape:
//! its zero test now leads to the lazy initialisation, and the load of the callee's type id
//! faults on the sentinel (a trap site for a null call) before the signature compare. Outside
//! tables (stack, locals, globals) a null funcref is 0.

use cwali_frontend::ModuleInfo;

/// Fields of `VMRuntimeLimits`, the per-thread block every function prologue reads.
pub mod limits {
    /// Lowest stack address Wasm code may use; prologues trap with stack exhaustion below it.
    pub const STACK_LIMIT: i32 = 0;
    /// Non-zero when a guest signal is waiting for the next safe point.
    pub const SIGNAL_PENDING: i32 = 8;
    /// With poll pages ([`crate::POLL_PAGES`]): the store's poll page, readable except while a
    /// safepoint is requested.
    pub const POLL_PAGE: i32 = 16;
    /// With poll pages: the VMContext of the innermost entry from the host (the safepoint hook's
    /// argument when a poll page faults, where the polling code's own VMContext is unknown).
    pub const ENTRY_VMCTX: i32 = 24;
    /// The store's interrupt state (runtime only; generated code never reads it).
    pub const INTERRUPT: i32 = 32;
    pub const SIZE: usize = 40;
}

/// Fields of `VMMemoryDefinition`.
pub mod memory {
    pub const BASE: i32 = 0;
    /// Current length in bytes (atomic for shared memories).
    pub const LENGTH: i32 = 8;
    pub const SIZE: usize = 16;
}

/// Fields of `VMTableDefinition`. Elements are pointer-sized: a funcref is a `*const VMFuncRef`
/// (null = the sentinel, 0 = not initialised yet), an externref an opaque word (null = 0).
pub mod table {
    pub const BASE: i32 = 0;
    /// Current number of elements.
    pub const LENGTH: i32 = 8;
    pub const SIZE: usize = 16;
}

/// Fields of `VMFuncRef`.
pub mod func_ref {
    /// Entry point, Wasm calling convention.
    pub const CODE: i32 = 0;
    /// Canonical signature id (u32) checked by `call_indirect`.
    pub const TYPE_ID: i32 = 8;
    /// The callee's VMContext (or host-function context).
    pub const VMCTX: i32 = 16;
    pub const SIZE: usize = 24;
}

/// Fields of an exception object (`cwali_rt`'s `exceptions`), what an `exnref` points at.
pub mod exn {
    /// The tag's identity (`*const VMTag`), compared by `catch` clauses.
    pub const TAG: i32 = 0;
    /// The number of payload slots (u32), for freeing the object.
    pub const PAYLOAD_LEN: i32 = 8;
    /// The references (u32) to the object: its throw while one carries it, plus one per legacy
    /// `catch` body that bound it (it may `rethrow` it). Dropping the last frees the object.
    /// [`PINNED`] once it may be referenced in ways not counted: a `catch_ref` made it an
    /// `exnref` value, or the host got it; a pinned object is never freed.
    pub const REFS: i32 = 12;
    /// The [`REFS`] of a pinned object.
    pub const PINNED: u32 = u32::MAX;
    /// The payload values, one [`SLOT`]-byte slot each, in the tag's parameter order.
    pub const VALUES: i32 = 16;
    pub const SLOT: i32 = 16;
}

/// Size of a global's slot: room for any value type (v128 later).
pub const GLOBAL_SIZE: u32 = 16;

/// Offsets of one module's VMContext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VMOffsets {
    pub num_types: u32,
    pub num_funcs: u32,
    pub num_memories: u32,
    pub num_tables: u32,
    pub num_imported_globals: u32,
    pub num_defined_globals: u32,
    pub num_tags: u32,
    type_ids: u32,
    memories: u32,
    tables: u32,
    tags: u32,
    imported_globals: u32,
    defined_globals: u32,
    func_refs: u32,
    size: u32,
}

impl VMOffsets {
    pub const LIMITS: i32 = 0;
    pub const BUILTINS: i32 = 8;
    pub const MEMORY0_BASE: i32 = 16;
    pub const INSTANCE: i32 = 24;
    /// The null sentinel of funcref tables (an address that faults when read).
    pub const NULL_FUNC_REF: i32 = 32;
    const HEADER: u32 = 40;

    pub fn new(module: &ModuleInfo) -> Self {
        let num_types = module.types.len() as u32;
        let num_funcs = module.funcs.len() as u32;
        let num_memories = module.memories.len() as u32;
        let num_tables = module.tables.len() as u32;
        let num_imported_globals = module.num_imported_globals;
        let num_defined_globals = module.globals.len() as u32 - num_imported_globals;

        let type_ids = Self::HEADER;
        let memories = align8(type_ids + 4 * num_types);
        let tables = memories + 8 * num_memories;
        let num_tags = module.tags.len() as u32;
        let tags = tables + 8 * num_tables;
        let imported_globals = tags + 8 * num_tags;
        let defined_globals = align16(imported_globals + 8 * num_imported_globals);
        let func_refs = defined_globals + GLOBAL_SIZE * num_defined_globals;
        let size = func_refs + func_ref::SIZE as u32 * num_funcs;
        VMOffsets {
            num_types,
            num_funcs,
            num_memories,
            num_tables,
            num_imported_globals,
            num_defined_globals,
            num_tags,
            type_ids,
            memories,
            tables,
            tags,
            imported_globals,
            defined_globals,
            func_refs,
            size,
        }
    }

    /// Total size in bytes (a multiple of 8; allocate 16-aligned).
    pub fn size(&self) -> usize {
        self.size as usize
    }

    pub fn type_id(&self, ty: u32) -> i32 {
        debug_assert!(ty < self.num_types);
        (self.type_ids + 4 * ty) as i32
    }

    /// Slot holding `*mut VMMemoryDefinition` of memory `index`.
    pub fn memory(&self, index: u32) -> i32 {
        debug_assert!(index < self.num_memories);
        (self.memories + 8 * index) as i32
    }

    /// Slot holding `*mut VMTableDefinition` of table `index`.
    pub fn table(&self, index: u32) -> i32 {
        debug_assert!(index < self.num_tables);
        (self.tables + 8 * index) as i32
    }

    /// Slot holding the identity (`*const VMTag`) of tag `index`.
    pub fn tag(&self, index: u32) -> i32 {
        debug_assert!(index < self.num_tags);
        (self.tags + 8 * index) as i32
    }

    /// Slot holding `*mut VMGlobal` of imported global `index`.
    pub fn imported_global(&self, index: u32) -> i32 {
        debug_assert!(index < self.num_imported_globals);
        (self.imported_globals + 8 * index) as i32
    }

    /// The inline storage of defined global `defined_index` (index minus imported globals).
    pub fn defined_global(&self, defined_index: u32) -> i32 {
        debug_assert!(defined_index < self.num_defined_globals);
        (self.defined_globals + GLOBAL_SIZE * defined_index) as i32
    }

    /// The `VMFuncRef` of function `func` (whole function index space).
    pub fn func_ref(&self, func: u32) -> i32 {
        debug_assert!(func < self.num_funcs);
        (self.func_refs + func_ref::SIZE as u32 * func) as i32
    }
}

fn align8(x: u32) -> u32 {
    (x + 7) & !7
}

fn align16(x: u32) -> u32 {
    (x + 15) & !15
}
