//! Instantiation: link imports, build memories, tables and globals, fill the VMContext, run the
//! segment initialisation and the start function.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cwali_codegen::{TrapKind, VMOffsets};
use cwali_frontend::{ConstExpr, ConstOp, ExportKind, GlobalType, ImportKind, RefType, SegmentMode, ValType};

use crate::api::{Error, Extern, Global, Memory, Module, Store, Table, Trap};
use crate::builtins;
use crate::func::{Func, FuncKind};
use crate::memory::LinearMemory;
use crate::values::Val;
use crate::vm::{TableStorage, VMFuncRef};
use cwali_frontend::RefTypeExt as _;

/// A zeroed, 16-aligned VMContext allocation.
pub(crate) struct VMContextBox {
    ptr: *mut u8,
    layout: Layout,
}

impl VMContextBox {
    fn new(size: usize) -> VMContextBox {
        let layout = Layout::from_size_align(size.max(16), 16).unwrap();
        // SAFETY: non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        assert!(!ptr.is_null(), "out of memory allocating a VMContext");
        VMContextBox { ptr, layout }
    }
}

impl Drop for VMContextBox {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.ptr, self.layout) }
    }
}

/// Everything one instance owns. Generated code reaches it through `vmctx + INSTANCE`.
pub struct InstanceData {
    pub(crate) module: Module,
    pub(crate) vmctx: VMContextBox,
    pub(crate) memories: Vec<Arc<LinearMemory>>,
    pub(crate) tables: Vec<Arc<TableStorage>>,
    /// Items of each element segment as table words, evaluated at instantiation; empty for
    /// segments dropped at instantiation (declared ones, and active ones a table image holds).
    pub(crate) elements: Vec<Vec<usize>>,
    pub(crate) dropped_elements: Vec<AtomicBool>,
    pub(crate) dropped_data: Vec<AtomicBool>,
    /// Every tag, imported ones first.
    pub(crate) tags: Vec<crate::tag::Tag>,
    /// Imports (and what they keep alive) must outlive this instance.
    _imports: Vec<Extern>,
}

// SAFETY: the raw pointers refer to memories, tables and globals this instance owns or keeps
// alive through `_imports`; Wasm threads share them as the threads proposal allows (atomics
// in generated code, shared memories), and host-side mutation goes through locks or atomics.
unsafe impl Send for InstanceData {}
// SAFETY: as for Send.
unsafe impl Sync for InstanceData {}

impl InstanceData {
    pub fn vmctx(&self) -> *mut u8 {
        self.vmctx.ptr
    }

    pub fn offsets(&self) -> &VMOffsets {
        &self.module.code().offsets
    }

    fn slot<T>(&self, offset: i32) -> *mut T {
        // SAFETY: offsets come from VMOffsets of this module and are inside the allocation.
        unsafe { self.vmctx.ptr.add(offset as usize) as *mut T }
    }

    pub(crate) fn func_ref(&self, func: u32) -> *mut VMFuncRef {
        self.slot(self.offsets().func_ref(func))
    }

    /// Storage of global `index` (imported: the exporter's storage).
    pub(crate) fn global_ptr(&self, index: u32) -> *mut u8 {
        let info = self.module.info();
        if index < info.num_imported_globals {
            // SAFETY: the slot holds a pointer written at instantiation.
            unsafe { *self.slot::<*mut u8>(self.offsets().imported_global(index)) }
        } else {
            self.slot(self.offsets().defined_global(index - info.num_imported_globals))
        }
    }

    pub(crate) fn global_val(&self, index: u32) -> Val {
        let ty = self.module.info().globals[index as usize].ty.content_type;
        read_val(self.global_ptr(index), ty)
    }

    /// The identity of tag `index` (what exception objects record).
    pub(crate) fn tag_identity(&self, index: u32) -> usize {
        self.tags[index as usize].identity()
    }

    pub(crate) fn memory(&self, index: u32) -> &LinearMemory {
        &self.memories[index as usize]
    }

    /// The instance behind a VMContext pointer.
    ///
    /// # Safety
    /// `vmctx` must be the VMContext of a live instance.
    pub(crate) unsafe fn from_vmctx<'a>(vmctx: *mut u8) -> &'a InstanceData {
        // SAFETY: the caller guarantees a live VMContext, whose INSTANCE slot points back at
        // its InstanceData.
        unsafe { &*(*(vmctx.add(VMOffsets::INSTANCE as usize) as *const *const InstanceData)) }
    }

    /// Evaluate a constant expression in this instance's current state.
    fn eval(&self, expr: &ConstExpr) -> Val {
        let mut stack: Vec<Val> = Vec::new();
        for op in &expr.ops {
            let v = match *op {
                ConstOp::I32Const(v) => Val::I32(v),
                ConstOp::I64Const(v) => Val::I64(v),
                ConstOp::F32Const(v) => Val::F32(v),
                ConstOp::F64Const(v) => Val::F64(v),
                ConstOp::V128Const(v) => Val::V128(v),
                ConstOp::GlobalGet(g) => self.global_val(g),
                ConstOp::RefNull(t) => Val::null(t),
                ConstOp::RefFunc(f) => Val::FuncRef(self.func_ref(f) as usize),
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    let (Some(Val::I32(b)), Some(Val::I32(a))) = (stack.pop(), stack.pop()) else {
                        unreachable!("validated constant expression")
                    };
                    Val::I32(match op {
                        ConstOp::I32Add => a.wrapping_add(b),
                        ConstOp::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    })
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    let (Some(Val::I64(b)), Some(Val::I64(a))) = (stack.pop(), stack.pop()) else {
                        unreachable!("validated constant expression")
                    };
                    Val::I64(match op {
                        ConstOp::I64Add => a.wrapping_add(b),
                        ConstOp::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    })
                }
            };
            stack.push(v);
        }
        stack.pop().expect("validated constant expression yields a value")
    }
}

pub(crate) fn read_val(ptr: *const u8, ty: ValType) -> Val {
    // SAFETY: `ptr` is a global's 16-byte slot.
    unsafe { Val::from_raw(crate::values::ValRaw(std::ptr::read_unaligned(ptr as *const u128)), ty) }
}

pub(crate) fn write_val(ptr: *mut u8, v: Val) {
    // SAFETY: `ptr` is a global's 16-byte slot.
    unsafe { std::ptr::write_unaligned(ptr as *mut u128, v.to_raw().0) }
}

fn val_word(v: Val) -> usize {
    match v {
        Val::FuncRef(p) | Val::ExternRef(p) => p,
        other => unreachable!("validated: reference value expected, got {other:?}"),
    }
}

/// The table word of an element item: a null funcref is stored as the sentinel.
fn item_word(ty: RefType, v: Val) -> usize {
    match val_word(v) {
        0 if ty.is_func() => crate::vm::null_func_ref(),
        w => w,
    }
}

fn as_offset(v: Val) -> u64 {
    match v {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        other => unreachable!("validated: integer offset expected, got {other:?}"),
    }
}

/// Whether limits `(min, max)` of what is provided satisfy the import's.
fn limits_match(min: u64, max: Option<u64>, want_min: u64, want_max: Option<u64>) -> bool {
    min >= want_min
        && match want_max {
            None => true,
            Some(w) => matches!(max, Some(m) if m <= w),
        }
}

/// The canonical id of the function type a reference type names, in a module whose types have
/// the ids `type_ids`.
pub(crate) fn concrete_type_id(t: ValType, type_ids: &[u32]) -> Option<u32> {
    let ValType::Ref(r) = t else { return None };
    let index = r.type_index()?.as_module_index()?;
    Some(type_ids[index as usize])
}

/// Whether a reference of type `have` (naming the canonical type `have_id`, if concrete) is
/// one of type `want`. Function types have no declared subtypes (refused), so a concrete type
/// matches only itself, and `func` above all of them.
fn ref_subtype(have: RefType, have_id: Option<u32>, want: RefType, want_id: Option<u32>) -> bool {
    if have.is_nullable() && !want.is_nullable() {
        return false;
    }
    match (have_id, want_id) {
        (Some(h), Some(w)) => h == w,
        (None, Some(_)) => false,
        (Some(_), None) => want.heap_type() == RefType::FUNC.heap_type(),
        (None, None) => have.heap_type() == want.heap_type(),
    }
}

/// Import matching of globals (Wasm 3.0): an immutable global's type may be a subtype of the
/// import's; a mutable one's must be the same type.
fn global_matches(want: GlobalType, want_id: Option<u32>, have: GlobalType, have_id: Option<u32>) -> bool {
    if want.mutable != have.mutable || want.shared != have.shared {
        return false;
    }
    match (want.content_type, have.content_type) {
        (ValType::Ref(w), ValType::Ref(h)) => {
            ref_subtype(h, have_id, w, want_id) && (!want.mutable || ref_subtype(w, want_id, h, have_id))
        }
        (w, h) => w == h,
    }
}

pub(crate) fn instantiate(
    store: &mut Store,
    module: &Module,
    imports: &[Extern],
    shared: &[Arc<LinearMemory>],
) -> Result<Arc<InstanceData>, Error> {
    let info = module.info();
    let code = module.code();
    let offsets = &code.offsets;
    if imports.len() != info.imports.len() {
        return Err(Error::UnknownImport(format!(
            "module needs {} imports, {} were provided",
            info.imports.len(),
            imports.len()
        )));
    }

    // Check every import's type before building anything.
    let mut memories = Vec::new();
    let mut tables = Vec::new();
    for (import, ext) in info.imports.iter().zip(imports) {
        let ok = match (&import.kind, ext) {
            (ImportKind::Func(ty), Extern::Func(f)) => module.type_ids()[*ty as usize] == f.type_id(),
            (ImportKind::Memory(want), Extern::Memory(m)) => {
                let have = m.storage();
                memories.push(have.clone());
                want.shared == have.is_shared()
                    && want.memory64 == have.is_64()
                    && have.page_size() == 1 << want.page_size_log2.unwrap_or(16)
                    && limits_match(have.pages(), m.declared_maximum(), want.initial, want.maximum)
            }
            (ImportKind::Table(want), Extern::Table(t)) => {
                let have = t.storage();
                tables.push(have.clone());
                // Element types are invariant (tables are mutable).
                let want_id = concrete_type_id(ValType::Ref(want.element_type), module.type_ids());
                let (w, h) = (want.element_type, have.ty.element_type);
                ref_subtype(h, have.concrete_type_id, w, want_id)
                    && ref_subtype(w, want_id, h, have.concrete_type_id)
                    && want.table64 == have.ty.table64
                    && want.shared == have.ty.shared
                    && limits_match(have.size(), have.ty.maximum, want.initial, want.maximum)
            }
            (ImportKind::Global(want), Extern::Global(g)) => {
                let want_id = concrete_type_id(want.content_type, module.type_ids());
                global_matches(*want, want_id, g.ty(), g.concrete_type_id)
            }
            (ImportKind::Tag(want), Extern::Tag(t)) => {
                // Canonical ids: equal exactly when the types are (type indices inside resolved).
                module.type_ids()[*want as usize] == t.vm.type_id
            }
            _ => false,
        };
        if !ok {
            // Named only on failure: formatting every import's name cost each instantiation.
            return Err(Error::IncompatibleImport(format!("{}::{}", import.module, import.name)));
        }
    }

    let mode = store.engine().config().bounds_checks;
    // Memory 0's initial contents come from the module's copy-on-write image when it has one.
    let mut from_image = false;
    for (i, ty) in info.memories[info.num_imported_memories as usize..].iter().enumerate() {
        match shared.get(i) {
            Some(m) => memories.push(m.clone()),
            None => {
                let ty = &store.cap_memory(ty);
                let m = LinearMemory::new(ty, mode).map_err(|e| Error::Resource(e.to_string()))?;
                if i == 0
                    && let Some(image) = module.memory_image()
                {
                    // SAFETY: a fresh memory whose initial pages are accessible and unused.
                    from_image = unsafe { image.map_into(m.base()) };
                    if from_image {
                        m.note_image(image.len());
                    }
                }
                memories.push(Arc::new(m));
            }
        }
    }

    let mut tags: Vec<crate::tag::Tag> = imports
        .iter()
        .filter_map(|e| match e {
            Extern::Tag(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    for &ty in &info.tags[info.num_imported_tags as usize..] {
        tags.push(crate::tag::Tag::with_type_id(info.types[ty as usize].clone(), module.type_ids()[ty as usize]));
    }
    let vmctx = VMContextBox::new(offsets.size());
    let data = Arc::new(InstanceData {
        module: module.clone(),
        vmctx,
        memories,
        tables: Vec::new(),
        elements: Vec::new(),
        dropped_elements: info.elements.iter().map(|_| AtomicBool::new(false)).collect(),
        dropped_data: info.data.iter().map(|_| AtomicBool::new(false)).collect(),
        tags,
        _imports: imports.to_vec(),
    });
    // Filled in place below, before any code can see the instance.
    let inst = Arc::as_ptr(&data) as *mut InstanceData;
    // SAFETY: nobody else holds `data` yet; the pointers written are owned by it or its imports.
    unsafe {
        let d = &mut *inst;
        *d.slot::<usize>(VMOffsets::LIMITS) = store.limits_ptr() as usize;
        *d.slot::<usize>(VMOffsets::BUILTINS) = builtins::table() as usize;
        *d.slot::<usize>(VMOffsets::INSTANCE) = inst as usize;
        *d.slot::<usize>(VMOffsets::NULL_FUNC_REF) = crate::vm::null_func_ref();
        if let Some(m) = d.memories.first() {
            *d.slot::<usize>(VMOffsets::MEMORY0_BASE) = m.base() as usize;
        }
        let type_ids = module.type_ids();
        for (i, id) in type_ids.iter().enumerate() {
            *d.slot::<u32>(offsets.type_id(i as u32)) = *id;
        }
        for (i, m) in d.memories.iter().enumerate() {
            *d.slot::<usize>(offsets.memory(i as u32)) = m.vmdef() as usize;
        }
        for (i, t) in d.tags.iter().enumerate() {
            *d.slot::<usize>(offsets.tag(i as u32)) = t.identity();
        }

        let mut imported_globals = 0;
        for (import, ext) in info.imports.iter().zip(imports) {
            if let (ImportKind::Global(_), Extern::Global(g)) = (&import.kind, ext) {
                *d.slot::<usize>(offsets.imported_global(imported_globals)) = g.ptr() as usize;
                imported_globals += 1;
            }
        }
        // Functions: imported ones through the provider's funcref, defined ones to our code.
        for (index, ((_, ty), ext)) in
            info.func_imports().zip(imports.iter().filter(|e| matches!(e, Extern::Func(_)))).enumerate()
        {
            let Extern::Func(func) = ext else { unreachable!() };
            *d.func_ref(index as u32) = match func.kind() {
                FuncKind::Wasm { func_ref, .. } => **func_ref,
                FuncKind::Host(host) => VMFuncRef {
                    code: code.host_trampolines[ty as usize],
                    type_id: type_ids[ty as usize] as u64,
                    vmctx: Arc::as_ptr(host) as usize,
                },
            };
        }
        for (i, f) in code.funcs.iter().enumerate() {
            let index = info.num_imported_funcs + i as u32;
            let ty = info.funcs[index as usize];
            *d.func_ref(index) =
                VMFuncRef { code: f.ptr, type_id: type_ids[ty as usize] as u64, vmctx: d.vmctx() as usize };
        }

        // Globals, in order: initialisers may read earlier ones.
        for (i, g) in info.globals.iter().enumerate().skip(info.num_imported_globals as usize) {
            let v = d.eval(g.init.as_ref().expect("defined globals have an initialiser"));
            write_val(d.global_ptr(i as u32), v);
        }

        // Tables: those with an image start zeroed and initialise on first use.
        let images = module.table_images();
        let mut all_tables = tables;
        for (t, image) in info.tables[info.num_imported_tables as usize..].iter().zip(&images.tables) {
            let storage = match image {
                Some(image) => TableStorage::new_lazy(t.ty, image.clone(), d),
                None => TableStorage::new(t.ty, t.init.as_ref().map(|e| val_word(d.eval(e))).unwrap_or(0)),
            };
            let mut storage = storage.ok_or_else(|| Error::Resource(format!("table of {} elements", t.ty.initial)))?;
            storage.concrete_type_id = concrete_type_id(ValType::Ref(t.ty.element_type), module.type_ids());
            all_tables.push(Arc::new(storage));
        }
        for (i, t) in all_tables.iter().enumerate() {
            *d.slot::<usize>(offsets.table(i as u32)) = t.vmdef() as usize;
        }
        d.tables = all_tables;
        d.elements = info
            .elements
            .iter()
            .zip(&images.covered)
            .map(|(e, &covered)| match e.mode {
                SegmentMode::Declared => Vec::new(),
                _ if covered => Vec::new(),
                _ => e.items.iter().map(|x| item_word(e.ty, d.eval(x))).collect(),
            })
            .collect();
    }

    // From here on imported tables may point at our functions, even if a segment traps: the
    // store keeps the instance alive as long as it keeps them (as Wasmtime does).
    store.keep_alive(data.clone());

    // Active segments, in order; the first out-of-bounds one traps (earlier writes stay).
    // Those an image holds can neither trap nor be seen before the instance exists.
    let covered = &module.table_images().covered;
    for (i, seg) in info.elements.iter().enumerate() {
        match &seg.mode {
            SegmentMode::Active { .. } if covered[i] => data.dropped_elements[i].store(true, Ordering::Relaxed),
            SegmentMode::Active { target, offset } => {
                let start = as_offset(data.eval(offset));
                if !data.tables[*target as usize].write_words(start, &data.elements[i]) {
                    return Err(Error::Trap(Trap::new(TrapKind::TableOutOfBounds)));
                }
                data.dropped_elements[i].store(true, Ordering::Relaxed);
            }
            SegmentMode::Declared => data.dropped_elements[i].store(true, Ordering::Relaxed),
            SegmentMode::Passive => {}
        }
    }
    for (i, seg) in info.data.iter().enumerate() {
        if let SegmentMode::Active { target, offset } = &seg.mode {
            if from_image {
                // Already there: an image exists only when every active segment fits.
                data.dropped_data[i].store(true, Ordering::Relaxed);
                continue;
            }
            let start = as_offset(data.eval(offset));
            if data.memory(*target).write(start, info.data_bytes(seg)).is_err() {
                return Err(Error::Trap(Trap::new(TrapKind::MemoryOutOfBounds)));
            }
            data.dropped_data[i].store(true, Ordering::Relaxed);
        }
    }

    if let Some(start) = info.start {
        let func = Func::from_instance(&data, start, store);
        func.call(store, &[])?;
    }
    Ok(data)
}

/// An export of an instance as an [`Extern`].
pub(crate) fn export(data: &Arc<InstanceData>, store_limits: usize, name: &str) -> Option<Extern> {
    let info = data.module.info();
    Some(match info.export(name)? {
        ExportKind::Func(f) => Extern::Func(Func::from_instance_raw(data, f, store_limits)),
        ExportKind::Memory(m) => {
            Extern::Memory(Memory::from_storage(data.memories[m as usize].clone(), info.memories[m as usize].maximum))
        }
        ExportKind::Table(t) => Extern::Table(Table::from_storage(data.tables[t as usize].clone())),
        ExportKind::Global(g) => {
            let ty = info.globals[g as usize].ty;
            let id = concrete_type_id(ty.content_type, data.module.type_ids());
            Extern::Global(Global::from_raw(data.global_ptr(g), ty, id, data.clone()))
        }
        ExportKind::Tag(t) => Extern::Tag(data.tags[t as usize].clone()),
    })
}
