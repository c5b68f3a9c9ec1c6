//! One pass over the binary: validate every payload and record what the other crates need.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::{
    BinaryReaderError, CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind, HeapType, KnownCustom,
    Name, Parser, Payload, RefType, TableInit, TypeRef, ValType, ValidPayload, Validator, WasmFeatures,
};

use crate::{
    ConstExpr, DataSegment, ElementSegment, Error, Export, ExportKind, Global, Import, ImportKind, ModuleInfo,
    SegmentMode, Table, supported_features,
};

/// Parse and validate a module.
pub fn parse(bytes: &[u8]) -> Result<ModuleInfo, Error> {
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let first = parse_with(&bytes, supported_features(), Check::Validate);
    // wasmparser ties explicit recursion groups and `global.get` of a defined global in a
    // constant expression to its GC feature. Only a module the validator refuses without GC
    // pays for a second pass with it, which scans every body and refuses what really needs GC.
    let first = match first {
        Err(Failure::Validate(e)) => match parse_with(&bytes, supported_features() | WasmFeatures::GC, Check::Gc) {
            Ok(info) => return Ok(info),
            Err(Failure::Done(unsupported)) => return Err(unsupported),
            Err(_) => Err(Failure::Validate(e)),
        },
        other => other,
    };
    match first {
        Ok(info) => Ok(info),
        Err(Failure::Parse(e)) => Err(Error::Malformed { message: e.message().to_string(), offset: e.offset() }),
        Err(Failure::Done(e)) => Err(e),
        Err(Failure::Validate(e)) => {
            let message = e.message().lines().collect::<Vec<_>>().join(" ");
            // Section contents are decoded inside the validator, so a decoding error surfaces
            // there too: a read-only pass tells malformed bytes from invalid modules.
            if let Err(decode) = decode_only(&bytes, supported_features()) {
                let message = decode.message().lines().collect::<Vec<_>>().join(" ");
                return Err(Error::Malformed { message, offset: decode.offset() });
            }
            // Valid with every feature wasmparser knows but not with ours: say which feature.
            let all = WasmFeatures::all();
            if Validator::new_with_features(all).validate_all(&bytes).is_ok() {
                Err(Error::Unsupported { message, offset: e.offset() })
            } else {
                Err(Error::Invalid { message, offset: e.offset() })
            }
        }
    }
}

/// Parse a module that was validated before, without validating it again (a code cache hit: the
/// entry was made by cwali from a validated module and is authenticated). Function bodies are
/// only located, never read. Bytes that are not well-formed still give an error, never a panic.
pub fn parse_trusted(bytes: impl Into<Arc<[u8]>>) -> Result<ModuleInfo, Error> {
    let bytes: Arc<[u8]> = bytes.into();
    parse_with(&bytes, supported_features() | WasmFeatures::GC, Check::Trust).map_err(|e| match e {
        Failure::Parse(e) | Failure::Validate(e) => {
            Error::Malformed { message: e.message().to_string(), offset: e.offset() }
        }
        Failure::Done(e) => e,
    })
}

/// The module without its code section and without custom sections other than `name`: what
/// instantiating it needs once its functions are compiled ([`parse_trusted`] reads it). Section
/// framing is copied as it is, so offsets inside a kept section keep their meaning relative to it.
pub fn strip_code(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let malformed = |offset| Error::Malformed { message: "section extends past the end".into(), offset };
    if bytes.len() < 8 {
        return Err(malformed(0));
    }
    let mut out = bytes[..8].to_vec();
    let mut pos = 8;
    while pos < bytes.len() {
        let start = pos;
        let id = bytes[pos];
        let mut reader = wasmparser::BinaryReader::new(&bytes[pos + 1..], pos + 1);
        let size = reader.read_var_u32().map_err(|_| malformed(start))? as usize;
        let body = reader.original_position();
        let end = body.checked_add(size).filter(|&e| e <= bytes.len()).ok_or_else(|| malformed(start))?;
        match id {
            CODE => {}
            // wasmparser refuses a function section without a code section: its contents travel
            // in a custom section of our own, in the same place.
            FUNCTION => {
                let mut custom = Vec::with_capacity(size + FUNCTIONS.len() + 1);
                custom.push(FUNCTIONS.len() as u8);
                custom.extend_from_slice(FUNCTIONS.as_bytes());
                custom.extend_from_slice(&bytes[body..end]);
                out.push(0);
                leb128(&mut out, custom.len() as u32);
                out.extend_from_slice(&custom);
            }
            0 if wasmparser::BinaryReader::new(&bytes[body..end], body).read_string().ok() == Some("name") => {
                out.extend_from_slice(&bytes[start..end]);
            }
            0 => {}
            _ => out.extend_from_slice(&bytes[start..end]),
        }
        pos = end;
    }
    Ok(out)
}

const FUNCTION: u8 = 3;
const CODE: u8 = 10;
/// The custom section that holds the function section in a module without code.
const FUNCTIONS: &str = "cwali.functions";

fn leb128(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Whether a parse validates the module.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    Validate,
    /// Validate with wasmparser's GC feature on, and refuse every use of GC in function bodies
    /// (the sections' types are checked in every mode).
    Gc,
    Trust,
}

enum Failure {
    Parse(BinaryReaderError),
    Validate(BinaryReaderError),
    Done(Error),
}

/// Reading errors are malformed input; the validator's are invalid input.
trait Classify<T> {
    fn parse_err(self) -> Result<T, Failure>;
    fn valid_err(self) -> Result<T, Failure>;
}

impl<T> Classify<T> for Result<T, BinaryReaderError> {
    fn parse_err(self) -> Result<T, Failure> {
        self.map_err(Failure::Parse)
    }
    fn valid_err(self) -> Result<T, Failure> {
        self.map_err(Failure::Validate)
    }
}

fn parse_with(bytes: &Arc<[u8]>, features: WasmFeatures, check: Check) -> Result<ModuleInfo, Failure> {
    let mut validator = Validator::new_with_features(features);
    let mut info = ModuleInfo {
        bytes: bytes.clone(),
        types: Vec::new(),
        rec_groups: Vec::new(),
        final_types: Vec::new(),
        imports: Vec::new(),
        funcs: Vec::new(),
        num_imported_funcs: 0,
        bodies: Vec::new(),
        tables: Vec::new(),
        num_imported_tables: 0,
        memories: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        num_imported_globals: 0,
        tags: Vec::new(),
        num_imported_tags: 0,
        exports: Vec::new(),
        start: None,
        elements: Vec::new(),
        data: Vec::new(),
        names: Default::default(),
    };
    let mut allocs = wasmparser::FuncValidatorAllocations::default();

    let mut parser = Parser::new(0);
    // Limits, LEB widths and the like depend on the feature set (memory64 reads 64-bit limits).
    parser.set_features(features);
    for payload in parser.parse_all(bytes) {
        let payload = payload.parse_err()?;
        if check == Check::Trust {
            match &payload {
                Payload::CodeSectionEntry(body) => info.bodies.push(body.range()),
                Payload::End(_) => break,
                _ => {}
            }
        } else {
            match validator.payload(&payload).valid_err()? {
                ValidPayload::Func(to_validate, body) => {
                    let mut func_validator = to_validate.into_validator(std::mem::take(&mut allocs));
                    func_validator.validate(&body).valid_err()?;
                    allocs = func_validator.into_allocations();
                    if check == Check::Gc {
                        refuse_gc_in_body(&body)?;
                    }
                    info.bodies.push(body.range());
                }
                ValidPayload::End(_) => break,
                ValidPayload::Ok | ValidPayload::Parser(_) => {}
            }
        }
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for group in reader {
                    let start = info.types.len() as u32;
                    for sub in group.parse_err()?.into_types() {
                        // A non-final type without a supertype is a distinct type and nothing
                        // else; declared subtypes would need subtype checks at run time.
                        if sub.supertype_idx.is_some() {
                            return Err(gc_unsupported("declared subtypes (`sub $super`)", offset));
                        }
                        let is_final = sub.is_final;
                        match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => {
                                for t in f.params().iter().chain(f.results()) {
                                    refuse_gc_type(*t, offset)?;
                                }
                                info.types.push(f);
                                info.rec_groups.push(start);
                                info.final_types.push(is_final);
                            }
                            _ => return Err(gc_unsupported("struct and array types", offset)),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                for imports in reader {
                    for import in imports.parse_err()? {
                        let import = import.parse_err()?.1;
                        let kind = match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                info.funcs.push(ty);
                                info.num_imported_funcs += 1;
                                ImportKind::Func(ty)
                            }
                            TypeRef::Table(ty) => {
                                refuse_gc_type(ValType::Ref(ty.element_type), offset)?;
                                info.tables.push(Table { ty, init: None });
                                info.num_imported_tables += 1;
                                ImportKind::Table(ty)
                            }
                            TypeRef::Memory(ty) => {
                                info.memories.push(ty);
                                info.num_imported_memories += 1;
                                ImportKind::Memory(ty)
                            }
                            TypeRef::Global(ty) => {
                                refuse_gc_type(ty.content_type, offset)?;
                                info.globals.push(Global { ty, init: None });
                                info.num_imported_globals += 1;
                                ImportKind::Global(ty)
                            }
                            TypeRef::Tag(tag) => {
                                info.tags.push(tag.func_type_idx);
                                info.num_imported_tags += 1;
                                ImportKind::Tag(tag.func_type_idx)
                            }
                        };
                        info.imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            kind,
                        });
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    info.funcs.push(ty.parse_err()?);
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start;
                for table in reader {
                    let table = table.parse_err()?;
                    refuse_gc_type(ValType::Ref(table.ty.element_type), offset)?;
                    let init = match table.init {
                        TableInit::RefNull => None,
                        TableInit::Expr(e) => Some(ConstExpr::read(&e).map_err(Failure::Done)?),
                    };
                    info.tables.push(Table { ty: table.ty, init });
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    info.memories.push(memory.parse_err()?);
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for global in reader {
                    let global = global.parse_err()?;
                    refuse_gc_type(global.ty.content_type, offset)?;
                    let init = ConstExpr::read(&global.init_expr).map_err(Failure::Done)?;
                    info.globals.push(Global { ty: global.ty, init: Some(init) });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.parse_err()?;
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func(export.index),
                        ExternalKind::Table => ExportKind::Table(export.index),
                        ExternalKind::Memory => ExportKind::Memory(export.index),
                        ExternalKind::Global => ExportKind::Global(export.index),
                        ExternalKind::Tag => ExportKind::Tag(export.index),
                    };
                    info.exports.push(Export { name: export.name.to_string(), kind });
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader {
                    info.tags.push(tag.parse_err()?.func_type_idx);
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                let offset = reader.range().start;
                for element in reader {
                    let element = read_element(element.parse_err()?)?;
                    refuse_gc_type(ValType::Ref(element.ty), offset)?;
                    info.elements.push(element);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.parse_err()?;
                    let mode = match data.kind {
                        DataKind::Passive => SegmentMode::Passive,
                        DataKind::Active { memory_index, offset_expr } => SegmentMode::Active {
                            target: memory_index,
                            offset: ConstExpr::read(&offset_expr).map_err(Failure::Done)?,
                        },
                    };
                    // `data.data` borrows `bytes`; keep its range so the segment stays a plain range.
                    let start = data.data.as_ptr() as usize - bytes.as_ptr() as usize;
                    info.data.push(DataSegment { mode, range: start..start + data.data.len() });
                }
            }
            Payload::CustomSection(reader) if check == Check::Trust && reader.name() == FUNCTIONS => {
                let functions = wasmparser::BinaryReader::new(reader.data(), reader.data_offset());
                for ty in wasmparser::FunctionSectionReader::new(functions).parse_err()? {
                    info.funcs.push(ty.parse_err()?);
                }
            }
            Payload::CustomSection(reader) => {
                // Read when a name is first asked for (a trap's backtrace), not at every load.
                if let KnownCustom::Name(_) = reader.as_known() {
                    info.names = crate::Names::new(reader.data_offset()..reader.data_offset() + reader.data().len());
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// Decode every section item and operator without validating anything.
fn decode_only(bytes: &[u8], features: WasmFeatures) -> Result<(), BinaryReaderError> {
    fn all<T>(items: impl IntoIterator<Item = Result<T, BinaryReaderError>>) -> Result<(), BinaryReaderError> {
        items.into_iter().try_for_each(|i| i.map(drop))
    }
    let mut parser = Parser::new(0);
    parser.set_features(features);
    for payload in parser.parse_all(bytes) {
        match payload? {
            Payload::TypeSection(r) => all(r)?,
            Payload::ImportSection(r) => {
                for imports in r {
                    all(imports?)?;
                }
            }
            Payload::FunctionSection(r) => all(r)?,
            Payload::TableSection(r) => all(r)?,
            Payload::MemorySection(r) => all(r)?,
            Payload::GlobalSection(r) => all(r)?,
            Payload::ExportSection(r) => all(r)?,
            Payload::ElementSection(r) => all(r)?,
            Payload::DataSection(r) => all(r)?,
            Payload::TagSection(r) => all(r)?,
            Payload::CodeSectionEntry(body) => {
                all(body.get_locals_reader()?)?;
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    ops.read()?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn read_element(element: wasmparser::Element<'_>) -> Result<ElementSegment, Failure> {
    let mode = match element.kind {
        ElementKind::Passive => SegmentMode::Passive,
        ElementKind::Declared => SegmentMode::Declared,
        ElementKind::Active { table_index, offset_expr } => SegmentMode::Active {
            target: table_index.unwrap_or(0),
            offset: ConstExpr::read(&offset_expr).map_err(Failure::Done)?,
        },
    };
    let (ty, items) = match element.items {
        ElementItems::Functions(funcs) => {
            let mut items = Vec::new();
            for f in funcs {
                items.push(ConstExpr::ref_func(f.parse_err()?));
            }
            (wasmparser::RefType::FUNCREF, items)
        }
        ElementItems::Expressions(ty, exprs) => {
            let mut items = Vec::new();
            for e in exprs {
                items.push(ConstExpr::read(&e.parse_err()?).map_err(Failure::Done)?);
            }
            (ty, items)
        }
    };
    Ok(ElementSegment { mode, ty, items })
}

/// Wasm GC, refused with one line whichever construct needs it.
fn gc_unsupported(what: &str, offset: usize) -> Failure {
    Failure::Done(Error::Unsupported { message: format!("Wasm GC is not implemented ({what})"), offset })
}

/// Whether a value type needs GC: the abstract heap types GC added (`any`, `eq`, `i31`,
/// `struct`, `array`, `none`, `nofunc`, `noextern`). Concrete types are function types here.
pub(crate) fn is_gc_type(t: ValType) -> bool {
    use wasmparser::AbstractHeapType as A;
    match t {
        ValType::Ref(r) => match r.heap_type() {
            HeapType::Abstract { ty, .. } => !matches!(ty, A::Func | A::Extern | A::Exn | A::NoExn),
            HeapType::Concrete(_) | HeapType::Exact(_) => false,
        },
        _ => false,
    }
}

fn refuse_gc_type(t: ValType, offset: usize) -> Result<(), Failure> {
    if is_gc_type(t) { Err(gc_unsupported(&format!("type {t}"), offset)) } else { Ok(()) }
}

/// The GC operators and GC types in a validated body (validated with the GC feature on).
fn refuse_gc_in_body(body: &wasmparser::FunctionBody<'_>) -> Result<(), Failure> {
    use wasmparser::Operator as O;
    let mut locals = body.get_locals_reader().parse_err()?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        refuse_gc_type(locals.read().parse_err()?.1, offset)?;
    }
    let mut ops = body.get_operators_reader().parse_err()?;
    while !ops.eof() {
        let offset = ops.original_position();
        let op = ops.read().parse_err()?;
        let block_type = |ty: &wasmparser::BlockType| match *ty {
            wasmparser::BlockType::Type(t) => refuse_gc_type(t, offset),
            _ => Ok(()),
        };
        match &op {
            O::RefNull { hty } => {
                let t = ValType::Ref(RefType::new(true, *hty).expect("validated heap type"));
                refuse_gc_type(t, offset)?;
            }
            O::TypedSelect { ty } => refuse_gc_type(*ty, offset)?,
            O::TypedSelectMulti { tys } => tys.iter().try_for_each(|t| refuse_gc_type(*t, offset))?,
            O::Block { blockty } | O::Loop { blockty } | O::If { blockty } | O::Try { blockty } => block_type(blockty)?,
            O::TryTable { try_table } => block_type(&try_table.ty)?,
            _ => {}
        }
        if is_gc_operator(&op) {
            return Err(gc_unsupported(&format!("operator {op:?}"), offset));
        }
    }
    Ok(())
}

pub(crate) fn is_gc_operator(op: &wasmparser::Operator<'_>) -> bool {
    use wasmparser::Operator as O;
    matches!(
        op,
        O::RefEq
            | O::StructNew { .. }
            | O::StructNewDefault { .. }
            | O::StructGet { .. }
            | O::StructGetS { .. }
            | O::StructGetU { .. }
            | O::StructSet { .. }
            | O::ArrayNew { .. }
            | O::ArrayNewDefault { .. }
            | O::ArrayNewFixed { .. }
            | O::ArrayNewData { .. }
            | O::ArrayNewElem { .. }
            | O::ArrayGet { .. }
            | O::ArrayGetS { .. }
            | O::ArrayGetU { .. }
            | O::ArraySet { .. }
            | O::ArrayLen
            | O::ArrayFill { .. }
            | O::ArrayCopy { .. }
            | O::ArrayInitData { .. }
            | O::ArrayInitElem { .. }
            | O::RefTestNonNull { .. }
            | O::RefTestNullable { .. }
            | O::RefCastNonNull { .. }
            | O::RefCastNullable { .. }
            | O::BrOnCast { .. }
            | O::BrOnCastFail { .. }
            | O::AnyConvertExtern
            | O::ExternConvertAny
            | O::RefI31
            | O::I31GetS
            | O::I31GetU
    )
}

/// The function names and the module name of a name section (a broken section gives what was
/// read before the break: custom sections are optional, so it is not an error).
pub(crate) fn read_names(bytes: &[u8], offset: usize) -> (HashMap<u32, String>, Option<String>) {
    let (mut funcs, mut module) = (HashMap::new(), None);
    let reader = wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(bytes, offset));
    let read = || -> wasmparser::Result<()> {
        for name in reader {
            match name? {
                Name::Module { name, .. } => module = Some(name.to_string()),
                Name::Function(map) => {
                    for naming in map {
                        let naming = naming?;
                        funcs.insert(naming.index, naming.name.to_string());
                    }
                }
                _ => {}
            }
        }
        Ok(())
    };
    let _ = read();
    (funcs, module)
}
