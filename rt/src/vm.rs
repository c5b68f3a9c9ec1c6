//! The runtime's side of the structures generated code reads. Layouts must match
//! `cwali_codegen::vmoffsets` (checked by the tests at the bottom).

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

/// Per-store limits every function prologue reads (`vmoffsets::limits`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct VMRuntimeLimits {
    pub stack_limit: AtomicU64,
    pub signal_pending: AtomicU64,
}

/// What a `funcref` points at (`vmoffsets::func_ref`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    pub code: usize,
    pub type_id: u64,
    pub vmctx: usize,
}

/// A table's elements as generated code sees them (`vmoffsets::table`).
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDefinition {
    pub base: *mut usize,
    pub length: u64,
}

/// Storage of a table; elements are funcref pointers or externref words (0 = null).
pub struct TableStorage {
    pub(crate) def: Box<VMTableDefinition>,
    elems: Mutex<Vec<usize>>,
    pub(crate) ty: cwali_frontend::TableType,
}

// Generated code reads `def` without locks; growth happens on the owning thread.
unsafe impl Send for TableStorage {}
unsafe impl Sync for TableStorage {}

/// Tables never grow past this many elements (Wasmtime's default limit is 10M).
const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

impl TableStorage {
    pub fn new(ty: cwali_frontend::TableType, init: usize) -> Option<TableStorage> {
        if ty.initial > MAX_TABLE_ELEMENTS {
            return None;
        }
        let mut elems = vec![init; ty.initial as usize];
        let def = Box::new(VMTableDefinition { base: elems.as_mut_ptr(), length: ty.initial });
        Some(TableStorage { def, elems: Mutex::new(elems), ty })
    }

    pub fn vmdef(&self) -> *mut VMTableDefinition {
        &*self.def as *const _ as *mut _
    }

    pub fn size(&self) -> u64 {
        self.def.length
    }

    pub fn maximum(&self) -> u64 {
        self.ty.maximum.unwrap_or(u32::MAX as u64).min(MAX_TABLE_ELEMENTS)
    }

    pub fn get(&self, i: u64) -> Option<usize> {
        self.elems.lock().unwrap().get(i as usize).copied()
    }

    pub fn set(&self, i: u64, v: usize) -> bool {
        match self.elems.lock().unwrap().get_mut(i as usize) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// Grow by `delta` elements set to `init`; the old size, or None past the maximum.
    pub fn grow(&self, delta: u64, init: usize) -> Option<u64> {
        let mut elems = self.elems.lock().unwrap();
        let old = elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.maximum() {
            return None;
        }
        elems.resize(new as usize, init);
        let def = self.vmdef();
        // SAFETY: the definition is only written under the elements lock.
        unsafe {
            (*def).base = elems.as_mut_ptr();
            (*def).length = new;
        }
        Some(old)
    }

    /// Run `f` on the elements (bulk operations).
    pub fn with_elems<R>(&self, f: impl FnOnce(&mut [usize]) -> R) -> R {
        f(&mut self.elems.lock().unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cwali_codegen::vmoffsets;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts_match_codegen() {
        assert_eq!(offset_of!(VMRuntimeLimits, stack_limit), vmoffsets::limits::STACK_LIMIT as usize);
        assert_eq!(offset_of!(VMRuntimeLimits, signal_pending), vmoffsets::limits::SIGNAL_PENDING as usize);
        assert_eq!(size_of::<VMRuntimeLimits>(), vmoffsets::limits::SIZE);
        assert_eq!(offset_of!(VMFuncRef, code), vmoffsets::func_ref::CODE as usize);
        assert_eq!(offset_of!(VMFuncRef, type_id), vmoffsets::func_ref::TYPE_ID as usize);
        assert_eq!(offset_of!(VMFuncRef, vmctx), vmoffsets::func_ref::VMCTX as usize);
        assert_eq!(size_of::<VMFuncRef>(), vmoffsets::func_ref::SIZE);
        assert_eq!(offset_of!(VMTableDefinition, base), vmoffsets::table::BASE as usize);
        assert_eq!(offset_of!(VMTableDefinition, length), vmoffsets::table::LENGTH as usize);
        assert_eq!(size_of::<VMTableDefinition>(), vmoffsets::table::SIZE);
    }

    #[test]
    fn table_grows_and_respects_maximum() {
        let ty = cwali_frontend::TableType {
            element_type: cwali_frontend::RefType::FUNCREF,
            table64: false,
            initial: 2,
            maximum: Some(3),
            shared: false,
        };
        let t = TableStorage::new(ty, 0).unwrap();
        assert_eq!(t.grow(1, 7), Some(2));
        assert_eq!(t.get(2), Some(7));
        assert_eq!(t.grow(1, 7), None);
        assert_eq!(t.size(), 3);
        assert_eq!(unsafe { (*t.vmdef()).length }, 3);
    }
}
