//! # cwali-frontend: bytes in, a validated [`ModuleInfo`] out
//!
//! This crate is the only place that reads the Wasm binary format. It validates a module with
//! `wasmparser` against the feature set cwali supports and describes it as plain data: types,
//! imports, functions (with the byte range of each body), tables, memories, globals, element and
//! data segments, exports, the start function and the names from the name section.
//!
//! The other crates never see a section reader: `codegen` re-reads function bodies through
//! [`ModuleInfo::body`], `rt` evaluates constant expressions through [`ConstExpr`].
//!
//! Exception handling is accepted in both encodings (the exnref `try_table` one and the legacy
//! `try`/`catch`/`delegate` one clang emits by default). A module that uses a feature cwali does
//! not implement yet (GC, ...) is refused with [`Error::Unsupported`], whose message starts with
//! `unsupported feature:`.

#![forbid(unsafe_code)]

mod consts;
mod parse;

pub use consts::{ConstExpr, ConstOp};
pub use parse::{parse, parse_trusted, strip_code};
pub use wasmparser::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Why a module was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not a well-formed Wasm binary (bad magic, truncated section, bad LEB...).
    #[error("malformed module: {message} (at offset {offset:#x})")]
    Malformed { message: String, offset: usize },
    /// Well-formed but fails validation (type mismatch, bad index, ...).
    #[error("invalid module: {message} (at offset {offset:#x})")]
    Invalid { message: String, offset: usize },
    /// Valid Wasm that needs a proposal cwali does not implement yet.
    #[error("unsupported feature: {message} (at offset {offset:#x})")]
    Unsupported { message: String, offset: usize },
}

/// The Wasm features cwali compiles: the MVP plus what the WALI toolchain emits and more.
pub fn supported_features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::MUTABLE_GLOBAL
        | F::SATURATING_FLOAT_TO_INT
        | F::SIGN_EXTENSION
        | F::REFERENCE_TYPES
        | F::MULTI_VALUE
        | F::BULK_MEMORY
        | F::THREADS
        | F::TAIL_CALL
        | F::FLOATS
        | F::EXTENDED_CONST
        | F::GC_TYPES
        | F::FUNCTION_REFERENCES
        | F::CALL_INDIRECT_OVERLONG
        | F::BULK_MEMORY_OPT
        | F::EXCEPTIONS
        | F::LEGACY_EXCEPTIONS
        | F::SIMD
        | F::RELAXED_SIMD
        | F::WIDE_ARITHMETIC
        | F::MULTI_MEMORY
        | F::CUSTOM_PAGE_SIZES
        | F::MEMORY64
}

/// What cwali asks of a reference type.
pub trait RefTypeExt {
    /// Whether values of this type are function references (`*const VMFuncRef`): `funcref` and
    /// typed `(ref null? $t)` alike, since every concrete type cwali accepts is a function type.
    fn is_func(&self) -> bool;
}

impl RefTypeExt for RefType {
    fn is_func(&self) -> bool {
        self.is_func_ref() || self.is_concrete_type_ref()
    }
}

/// Index of a function in the module's function index space (imports first).
pub type FuncIndex = u32;
/// Index into [`ModuleInfo::types`].
pub type TypeIndex = u32;

/// What an import asks for.
#[derive(Debug, Clone)]
pub enum ImportKind {
    Func(TypeIndex),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag with the function type of its payload (no results).
    Tag(TypeIndex),
}

#[derive(Debug, Clone)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

/// What an export names, with the index in that kind's index space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Func(FuncIndex),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub kind: ExportKind,
}

/// A table: imported ones first, then defined ones (which may have an initializer).
#[derive(Debug, Clone)]
pub struct Table {
    pub ty: TableType,
    /// Initial value of every element of a defined table; `None` means null.
    pub init: Option<ConstExpr>,
}

#[derive(Debug, Clone)]
pub struct Global {
    pub ty: GlobalType,
    /// `None` for imported globals.
    pub init: Option<ConstExpr>,
}

#[derive(Debug, Clone)]
pub enum SegmentMode<Target> {
    Passive,
    Active {
        target: Target,
        offset: ConstExpr,
    },
    /// Element segments only: declares functions for `ref.func`, never copied anywhere.
    Declared,
}

#[derive(Debug, Clone)]
pub struct ElementSegment {
    /// Active segments target a table index.
    pub mode: SegmentMode<u32>,
    pub ty: RefType,
    /// Each item is a constant expression (a plain function index list is turned into `ref.func`).
    pub items: Vec<ConstExpr>,
}

#[derive(Debug, Clone)]
pub struct DataSegment {
    /// Active segments target a memory index.
    pub mode: SegmentMode<u32>,
    /// Byte range of the segment's contents within [`ModuleInfo::bytes`].
    pub range: Range<usize>,
}

/// A validated module, described as plain data.
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    /// The module's bytes; function bodies and data segments point into them.
    pub bytes: Arc<[u8]>,
    pub types: Vec<FuncType>,
    /// For each type, the index of the first type of its recursion group (its own index unless
    /// it was declared in an explicit `rec` group).
    pub rec_groups: Vec<u32>,
    /// For each type, whether it is final (the default; `(sub (func ...))` is not). Part of a
    /// type's identity. No type declares a supertype (refused), so finality changes nothing else.
    pub final_types: Vec<bool>,
    pub imports: Vec<Import>,
    /// The type of every function, imported ones first.
    pub funcs: Vec<TypeIndex>,
    pub num_imported_funcs: u32,
    /// Byte ranges of the bodies of the defined functions (`funcs[num_imported_funcs..]`).
    pub bodies: Vec<Range<usize>>,
    pub tables: Vec<Table>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<Global>,
    pub num_imported_globals: u32,
    /// Exception tags: the type of each one's payload (params), imported ones first.
    pub tags: Vec<TypeIndex>,
    pub num_imported_tags: u32,
    pub exports: Vec<Export>,
    pub start: Option<FuncIndex>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    /// The name section, read the first time a name is asked for.
    names: Names,
}

/// Where the name section is, and what it says once read.
#[derive(Debug, Clone, Default)]
struct Names {
    section: Option<Range<usize>>,
    read: OnceLock<(HashMap<FuncIndex, String>, Option<String>)>,
}

impl Names {
    fn new(section: Range<usize>) -> Names {
        Names { section: Some(section), read: OnceLock::new() }
    }
}

impl ModuleInfo {
    pub fn func_type(&self, func: FuncIndex) -> &FuncType {
        &self.types[self.funcs[func as usize] as usize]
    }

    /// The payload types of tag `tag`.
    pub fn tag_params(&self, tag: u32) -> &[ValType] {
        self.types[self.tags[tag as usize] as usize].params()
    }

    pub fn num_defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.num_imported_funcs
    }

    pub fn is_imported_func(&self, func: FuncIndex) -> bool {
        func < self.num_imported_funcs
    }

    /// The body of a defined function, ready to be read with `wasmparser`.
    pub fn body(&self, func: FuncIndex) -> wasmparser::FunctionBody<'_> {
        let range = self.bodies[(func - self.num_imported_funcs) as usize].clone();
        let reader = wasmparser::BinaryReader::new(&self.bytes[range.clone()], range.start);
        wasmparser::FunctionBody::new(reader)
    }

    pub fn data_bytes(&self, segment: &DataSegment) -> &[u8] {
        &self.bytes[segment.range.clone()]
    }

    /// The export of that name, if any.
    pub fn export(&self, name: &str) -> Option<ExportKind> {
        self.exports.iter().find(|e| e.name == name).map(|e| e.kind)
    }

    /// A readable name for a function: its name-section name, else an export name, else
    /// `wasm-function[N]`.
    pub fn func_name(&self, func: FuncIndex) -> String {
        if let Some(name) = self.names().0.get(&func) {
            return name.clone();
        }
        match self.exports.iter().find(|e| e.kind == ExportKind::Func(func)) {
            Some(e) => e.name.clone(),
            None => format!("wasm-function[{func}]"),
        }
    }

    /// The name the module gives itself in the name section, if any.
    pub fn module_name(&self) -> Option<&str> {
        self.names().1.as_deref()
    }

    fn names(&self) -> &(HashMap<FuncIndex, String>, Option<String>) {
        self.names.read.get_or_init(|| match &self.names.section {
            Some(range) => parse::read_names(&self.bytes[range.clone()], range.start),
            None => Default::default(),
        })
    }

    /// The imports of functions, in function index order.
    pub fn func_imports(&self) -> impl Iterator<Item = (&Import, TypeIndex)> {
        self.imports.iter().filter_map(|i| match i.kind {
            ImportKind::Func(ty) => Some((i, ty)),
            _ => None,
        })
    }
}
