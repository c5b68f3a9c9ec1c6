//! The runtime's side of the structures generated code reads. Layouts must match
//! `cwali_codegen::vmoffsets` (checked by the tests at the bottom).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cwali_codegen::VMOffsets;
use cwali_frontend::RefTypeExt as _;

/// Per-store limits every function prologue reads (`vmoffsets::limits`).
#[repr(C)]
#[derive(Debug, Default)]
pub struct VMRuntimeLimits {
    pub stack_limit: AtomicU64,
    pub signal_pending: AtomicU64,
    /// The store's poll page (`crate::poll_page`), 0 without one.
    pub poll_page: AtomicUsize,
    /// VMContext of the innermost entry from the host (set by the array trampoline).
    pub entry_vmctx: AtomicUsize,
    /// The store's `crate::interrupt::InterruptState` (0: none); only the runtime reads it.
    pub interrupt: AtomicUsize,
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

/// The null of funcref tables (`vmoffsets`: a table word 0 means "not initialised yet"): the
/// address of a page reserved inaccessible for the life of the process. `call_indirect` reads
/// the callee's type id first, which faults on it at a site recorded as a null call, so telling
/// null apart costs generated code nothing. Never dereferenced by the runtime.
pub fn null_func_ref() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: a fresh private mapping, never unmapped.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        assert!(p != libc::MAP_FAILED, "cannot reserve the null funcref page: {}", std::io::Error::last_os_error());
        p as usize
    })
}

/// Where the still-0 words of a lazily initialised funcref table get their value.
struct LazyInit {
    /// Function index of each initial element (`table_image::NULL_INDEX`: null); null past it.
    image: Arc<[u32]>,
    /// The owning instance, whose `VMFuncRef`s the elements point at.
    vmctx: usize,
    offsets: VMOffsets,
}

/// Storage of a table, as a vector of words generated code reads and writes in place.
///
/// Externref tables hold the values (0 = null). Funcref tables hold `VMFuncRef` pointers, with
/// null stored as [`null_func_ref`] and 0 meaning "not initialised yet": the element's value
/// comes from the module's image (`lazy`), or is null. Every method here takes and returns
/// values as Wasm sees them (0 = null) and initialises the words it reads, so no 0 word ever
/// leaves its table.
pub struct TableStorage {
    pub(crate) def: Box<VMTableDefinition>,
    elems: Mutex<Vec<usize>>,
    pub(crate) ty: cwali_frontend::TableType,
    /// The canonical id of the function type a `(ref null? $t)` table names (`ty` names it by
    /// an index of the defining module), for import matching; None otherwise.
    pub(crate) concrete_type_id: Option<u32>,
    lazy: Option<LazyInit>,
}

// SAFETY: generated code reads `def` without locks; growth happens on the owning thread.
unsafe impl Send for TableStorage {}
// SAFETY: as for Send.
unsafe impl Sync for TableStorage {}

/// Tables never grow past this many elements (Wasmtime's default limit is 10M).
const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

impl TableStorage {
    /// A table with every element `init` (0 = null; no work for a null funcref table: the
    /// words stay 0 and initialise to null).
    pub fn new(ty: cwali_frontend::TableType, init: usize) -> Option<TableStorage> {
        TableStorage::with_init(ty, init, None)
    }

    /// A funcref table of `owner`'s module whose initial elements are `image`'s functions of
    /// `owner`; nothing is written until an element is used.
    pub(crate) fn new_lazy(
        ty: cwali_frontend::TableType,
        image: Arc<[u32]>,
        owner: &crate::instance::InstanceData,
    ) -> Option<TableStorage> {
        debug_assert!(ty.element_type.is_func());
        let lazy = (!image.is_empty()).then(|| LazyInit {
            image,
            vmctx: owner.vmctx() as usize,
            offsets: owner.offsets().clone(),
        });
        TableStorage::with_init(ty, 0, lazy)
    }

    fn with_init(ty: cwali_frontend::TableType, init: usize, lazy: Option<LazyInit>) -> Option<TableStorage> {
        if ty.initial > MAX_TABLE_ELEMENTS {
            return None;
        }
        // `vec![0; n]` comes from zeroed pages: a lazy table costs no writes.
        let mut elems = vec![init; ty.initial as usize];
        let def = Box::new(VMTableDefinition { base: elems.as_mut_ptr(), length: ty.initial });
        Some(TableStorage { def, elems: Mutex::new(elems), ty, concrete_type_id: None, lazy })
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

    fn is_funcs(&self) -> bool {
        self.ty.element_type.is_func()
    }

    /// The word that stores value `v`.
    pub(crate) fn encode(&self, v: usize) -> usize {
        if v == 0 && self.is_funcs() { null_func_ref() } else { v }
    }

    /// The value a (initialised) word stores.
    fn decode(&self, w: usize) -> usize {
        if w == null_func_ref() && self.is_funcs() { 0 } else { w }
    }

    /// The initial word of funcref element `i` (one whose word is still 0).
    fn resolve(&self, i: usize) -> usize {
        match &self.lazy {
            Some(lazy) => match lazy.image.get(i) {
                Some(&f) if f != crate::table_image::NULL_INDEX => lazy.vmctx + lazy.offsets.func_ref(f) as usize,
                _ => null_func_ref(),
            },
            None => null_func_ref(),
        }
    }

    /// Initialise the words of `elems[range]` still 0. Generated code of other threads may
    /// do the same or store there meanwhile: atomics, and a stored value wins over the image.
    fn init_range(&self, elems: &mut [usize], range: std::ops::Range<usize>) {
        if !self.is_funcs() {
            return;
        }
        for i in range {
            // SAFETY: in bounds; words are only ever accessed as whole aligned words.
            let word = unsafe { AtomicUsize::from_ptr(elems.as_mut_ptr().add(i)) };
            if word.load(Ordering::Relaxed) == 0 {
                let _ = word.compare_exchange(0, self.resolve(i), Ordering::Relaxed, Ordering::Relaxed);
            }
        }
    }

    /// Initialise element `i` (the `TableLazyInit` builtin).
    pub(crate) fn init_element(&self, i: u64) {
        let mut elems = self.elems.lock().unwrap();
        if let Some(r) = Self::range(i, 1, elems.len()) {
            self.init_range(&mut elems, r);
        }
    }

    /// `start..start+len` if it is inside a table of `size` elements.
    fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
        let end = start.checked_add(len)?;
        (end <= size as u64).then_some(start as usize..end as usize)
    }

    pub fn get(&self, i: u64) -> Option<usize> {
        let mut elems = self.elems.lock().unwrap();
        let r = Self::range(i, 1, elems.len())?;
        self.init_range(&mut elems, r.clone());
        Some(self.decode(elems[r.start]))
    }

    pub fn set(&self, i: u64, v: usize) -> bool {
        self.fill(i, v, 1)
    }

    /// Grow by `delta` elements set to `init`; the old size, or None past the maximum.
    pub fn grow(&self, delta: u64, init: usize) -> Option<u64> {
        let mut elems = self.elems.lock().unwrap();
        let old = elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.maximum() {
            return None;
        }
        elems.resize(new as usize, self.encode(init));
        let def = self.vmdef();
        // SAFETY: the definition is only written under the elements lock.
        unsafe {
            (*def).base = elems.as_mut_ptr();
            (*def).length = new;
        }
        Some(old)
    }

    /// Set `len` elements from `start` to `v`; false (nothing written) when out of bounds.
    pub fn fill(&self, start: u64, v: usize, len: u64) -> bool {
        let mut elems = self.elems.lock().unwrap();
        let Some(r) = Self::range(start, len, elems.len()) else { return false };
        elems[r].fill(self.encode(v));
        true
    }

    /// The initialised words of `len` elements from `start` (for another table of the same
    /// element type: `write_words`).
    pub(crate) fn read_words(&self, start: u64, len: u64) -> Option<Vec<usize>> {
        let mut elems = self.elems.lock().unwrap();
        let r = Self::range(start, len, elems.len())?;
        self.init_range(&mut elems, r.clone());
        Some(elems[r].to_vec())
    }

    /// Store `words` (initialised words of a table or an element segment of this element type)
    /// from `start`; false (nothing written) when out of bounds.
    pub(crate) fn write_words(&self, start: u64, words: &[usize]) -> bool {
        debug_assert!(!self.is_funcs() || !words.contains(&0), "funcref words are never 0 outside their table");
        let mut elems = self.elems.lock().unwrap();
        let Some(r) = Self::range(start, words.len() as u64, elems.len()) else { return false };
        elems[r].copy_from_slice(words);
        true
    }

    /// `table.copy` within this table; false (nothing written) when out of bounds.
    pub(crate) fn copy_within(&self, dst: u64, src: u64, len: u64) -> bool {
        let mut elems = self.elems.lock().unwrap();
        let (Some(s), Some(d)) = (Self::range(src, len, elems.len()), Self::range(dst, len, elems.len())) else {
            return false;
        };
        self.init_range(&mut elems, s.clone());
        elems.copy_within(s, d.start);
        true
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
        assert_eq!(offset_of!(VMRuntimeLimits, poll_page), vmoffsets::limits::POLL_PAGE as usize);
        assert_eq!(offset_of!(VMRuntimeLimits, entry_vmctx), vmoffsets::limits::ENTRY_VMCTX as usize);
        assert_eq!(offset_of!(VMRuntimeLimits, interrupt), vmoffsets::limits::INTERRUPT as usize);
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
