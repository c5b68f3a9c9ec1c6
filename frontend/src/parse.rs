//! One pass over the binary: validate every payload and record what the other crates need.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::{
    BinaryReaderError, CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind, KnownCustom, Name,
    Parser, Payload, TableInit, TypeRef, ValidPayload, Validator, WasmFeatures,
};

use crate::{
    ConstExpr, DataSegment, ElementSegment, Error, Export, ExportKind, Global, Import, ImportKind, ModuleInfo,
    SegmentMode, Table, supported_features,
};

/// Parse and validate a module.
pub fn parse(bytes: &[u8]) -> Result<ModuleInfo, Error> {
    let bytes: Arc<[u8]> = Arc::from(bytes);
    match parse_with(&bytes, supported_features()) {
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

fn parse_with(bytes: &Arc<[u8]>, features: WasmFeatures) -> Result<ModuleInfo, Failure> {
    let mut validator = Validator::new_with_features(features);
    let mut info = ModuleInfo {
        bytes: bytes.clone(),
        types: Vec::new(),
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
        func_names: HashMap::new(),
        module_name: None,
    };
    let mut allocs = wasmparser::FuncValidatorAllocations::default();

    let mut parser = Parser::new(0);
    // Limits, LEB widths and the like depend on the feature set (memory64 reads 64-bit limits).
    parser.set_features(features);
    for payload in parser.parse_all(bytes) {
        let payload = payload.parse_err()?;
        match validator.payload(&payload).valid_err()? {
            ValidPayload::Func(to_validate, body) => {
                let mut func_validator = to_validate.into_validator(std::mem::take(&mut allocs));
                func_validator.validate(&body).valid_err()?;
                allocs = func_validator.into_allocations();
                info.bodies.push(body.range());
            }
            ValidPayload::End(_) => break,
            ValidPayload::Ok | ValidPayload::Parser(_) => {}
        }
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.parse_err()?.into_types() {
                        match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => info.types.push(f),
                            // GC types are refused by the validator before we get here.
                            _ => unreachable!("non-function type passed validation"),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
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
                for table in reader {
                    let table = table.parse_err()?;
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
                for global in reader {
                    let global = global.parse_err()?;
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
                for element in reader {
                    info.elements.push(read_element(element.parse_err()?)?);
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
            Payload::CustomSection(reader) => {
                // A broken name section is not an error (the spec makes custom sections optional).
                if let KnownCustom::Name(names) = reader.as_known() {
                    let _ = read_names(names, &mut info);
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

fn read_names(names: wasmparser::NameSectionReader<'_>, info: &mut ModuleInfo) -> wasmparser::Result<()> {
    for name in names {
        match name? {
            Name::Module { name, .. } => info.module_name = Some(name.to_string()),
            Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    info.func_names.insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}
