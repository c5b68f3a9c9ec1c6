//! Lazy table initialisation: the initial elements of a module's defined funcref tables (what
//! its active element segments write, in order) computed once per module as function indices.
//! An instance's table then starts as zeroed words, and each element is resolved to the
//! instance's `VMFuncRef` when first used (`vm::TableStorage`), so instantiation costs nothing
//! per element. Tables and segments that do not fit this (imported tables, non-constant offsets,
//! items that are not `ref.func`/`ref.null`, a segment that does not fit) are written at
//! instantiation, segment by segment, with the spec's trap where one does not fit.

use std::sync::Arc;

use cwali_frontend::{ConstOp, ModuleInfo, SegmentMode};

use crate::memory_image::constant;
use cwali_frontend::RefTypeExt as _;

/// An image entry for a null element.
pub const NULL_INDEX: u32 = u32::MAX;

/// What instantiation needs to initialise a module's defined tables lazily.
#[derive(Debug)]
pub struct TableImages {
    /// Per defined table: its initial elements as function indices (trailing nulls trimmed),
    /// or None when the table is initialised at instantiation.
    pub tables: Vec<Option<Arc<[u32]>>>,
    /// Per element segment: whether an image holds it (so instantiation does not apply it).
    pub covered: Vec<bool>,
}

/// The function index (or [`NULL_INDEX`]) of an element item that needs no instance.
fn item_index(ops: &[ConstOp]) -> Option<u32> {
    match ops {
        [ConstOp::RefFunc(f)] => Some(*f),
        [ConstOp::RefNull(_)] => Some(NULL_INDEX),
        _ => None,
    }
}

impl TableImages {
    pub fn build(module: &ModuleInfo) -> TableImages {
        let imported = module.num_imported_tables;
        let defined = &module.tables[imported as usize..];
        // Which defined tables can start from an image: null-initialised funcref tables whose
        // every active segment is constant, fits, and names functions or null.
        let mut lazy: Vec<bool> = defined
            .iter()
            .map(|t| {
                t.ty.element_type.is_func() && t.init.as_ref().is_none_or(|e| item_index(&e.ops) == Some(NULL_INDEX))
            })
            .collect();
        for seg in &module.elements {
            let SegmentMode::Active { target, offset } = &seg.mode else { continue };
            let Some(d) = target.checked_sub(imported) else { continue };
            let initial = defined[d as usize].ty.initial;
            let fits = constant(&offset.ops)
                .and_then(|start| start.checked_add(seg.items.len() as u64))
                .is_some_and(|end| end <= initial);
            if !fits || !seg.items.iter().all(|item| item_index(&item.ops).is_some()) {
                lazy[d as usize] = false;
            }
        }

        let mut images: Vec<Vec<u32>> = vec![Vec::new(); defined.len()];
        let mut covered = vec![false; module.elements.len()];
        for (i, seg) in module.elements.iter().enumerate() {
            let SegmentMode::Active { target, offset } = &seg.mode else { continue };
            let Some(d) = target.checked_sub(imported).filter(|d| lazy[*d as usize]) else { continue };
            covered[i] = true;
            if seg.items.is_empty() {
                continue;
            }
            let start = constant(&offset.ops).expect("checked above") as usize;
            let image = &mut images[d as usize];
            if image.len() < start + seg.items.len() {
                image.resize(start + seg.items.len(), NULL_INDEX);
            }
            for (slot, item) in image[start..].iter_mut().zip(&seg.items) {
                *slot = item_index(&item.ops).expect("checked above");
            }
        }
        let tables = images
            .into_iter()
            .zip(lazy)
            .map(|(mut image, lazy)| {
                let len = image.iter().rposition(|f| *f != NULL_INDEX).map_or(0, |last| last + 1);
                image.truncate(len);
                lazy.then(|| Arc::from(image))
            })
            .collect();
        TableImages { tables, covered }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(wat: &str) -> TableImages {
        TableImages::build(&cwali_frontend::parse(&wat::parse_str(wat).unwrap()).unwrap())
    }

    const N: u32 = NULL_INDEX;

    #[test]
    fn segments_apply_in_order_and_trailing_nulls_are_trimmed() {
        let t = images(
            r#"(module (table 10 funcref) (table 5 funcref) (func $a) (func $b)
                (elem (i32.const 1) func $a $b $a)
                (elem (i32.const 2) funcref (ref.null func) (ref.func $b) (ref.null func))
                (elem (table 1) (i32.const 5) func)
                (elem funcref (ref.func $a))
                (elem declare func $b))"#,
        );
        assert_eq!(t.tables[0].as_deref(), Some(&[N, 0, N, 1][..]));
        assert_eq!(t.tables[1].as_deref(), Some(&[][..]));
        assert_eq!(t.covered, [true, true, true, false, false]);
    }

    #[test]
    fn tables_fall_back_one_by_one() {
        let t = images(
            r#"(module (import "m" "t" (table 4 funcref)) (import "m" "g" (global $g i32))
                (import "m" "f" (global $f funcref))
                (table $ok 4 funcref) (table $offset 4 funcref) (table $oob 4 funcref)
                (table $item 4 funcref) (table $ext 4 externref) (func $a)
                (elem (table 0) (i32.const 0) func $a)
                (elem (table $ok) (i32.const 3) func $a)
                (elem (table $offset) (global.get $g) func $a)
                (elem (table $oob) (i32.const 0) func $a)
                (elem (table $oob) (i32.const 3) func $a $a)
                (elem (table $item) (i32.const 0) funcref (global.get $f))
                (elem (table $ext) (i32.const 0) externref (ref.null extern)))"#,
        );
        let lazy: Vec<bool> = t.tables.iter().map(Option::is_some).collect();
        assert_eq!(lazy, [true, false, false, false, false]);
        assert_eq!(t.tables[0].as_deref(), Some(&[N, N, N, 0][..]));
        assert_eq!(t.covered, [false, true, false, false, false, false, false]);
    }
}
