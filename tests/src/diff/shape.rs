//! What a module exports, read from its bytes with `wasmparser` (independently of both engines
//! under test).

use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload};

use super::value::Ty;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportShape {
    Func { params: Vec<Ty>, results: Vec<Ty> },
    Memory,
    Table,
    Global,
}

#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub shape: ExportShape,
}

/// The exports of a module, in export-section order.
#[derive(Debug, Clone)]
pub struct Shape {
    pub exports: Vec<Export>,
}

impl Shape {
    /// Validate `wasm` against cwali's feature set and list its exports.
    ///
    /// Modules with imports are refused: the harness provides none.
    pub fn parse(wasm: &[u8]) -> anyhow::Result<Shape> {
        // cwali's own frontend decides: it also accepts what wasmparser only allows with GC on
        // (recursion groups, ...) and refuses GC proper with "Wasm GC is not implemented".
        cwali_frontend::parse(wasm).map_err(|e| anyhow::anyhow!("module outside cwali's feature set: {e}"))?;
        let mut types = Vec::new();
        let mut funcs = Vec::new();
        let mut raw_exports = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group?.into_types() {
                            types.push(match sub.composite_type.inner {
                                CompositeInnerType::Func(f) => Some(f),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) if reader.count() > 0 => {
                    anyhow::bail!("the differential harness provides no imports");
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        funcs.push(ty?);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let e = export?;
                        raw_exports.push((e.name.to_string(), e.kind, e.index));
                    }
                }
                _ => {}
            }
        }
        let mut exports = Vec::new();
        for (name, kind, index) in raw_exports {
            let shape = match kind {
                ExternalKind::Func | ExternalKind::FuncExact => {
                    let ty = funcs
                        .get(index as usize)
                        .and_then(|t| types.get(*t as usize))
                        .and_then(|t| t.as_ref())
                        .ok_or_else(|| anyhow::anyhow!("export {name}: no function type"))?;
                    let tys = |list: &[wasmparser::ValType]| -> Option<Vec<Ty>> {
                        list.iter().map(|t| Ty::from_wasmparser(*t)).collect()
                    };
                    // Functions taking or returning exnrefs are not called: the harness has no
                    // exnref to pass, and their results are compared through globals and tables.
                    let (Some(params), Some(results)) = (tys(ty.params()), tys(ty.results())) else { continue };
                    ExportShape::Func { params, results }
                }
                ExternalKind::Memory => ExportShape::Memory,
                ExternalKind::Table => ExportShape::Table,
                ExternalKind::Global => ExportShape::Global,
                // Nothing to compare: a tag's identity is engine-private.
                ExternalKind::Tag => continue,
            };
            exports.push(Export { name, shape });
        }
        Ok(Shape { exports })
    }
}
