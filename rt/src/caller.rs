//! What host functions may do with the instance that called them: reach its memory, read and
//! write its globals, call functions of its table. WALI's host side is built on this.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::api::Trap;
use crate::func::Func;
use crate::instance::InstanceData;
use crate::memory::LinearMemory;
use crate::values::Val;
use cwali_frontend::RefTypeExt as _;

/// The calling instance of a host function.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    data: &'a InstanceData,
}

impl<'a> Caller<'a> {
    /// # Safety
    /// `vmctx` must be the VMContext a host function received from generated code.
    pub unsafe fn from_vmctx(vmctx: *mut u8) -> Option<Caller<'a>> {
        if vmctx.is_null() {
            return None;
        }
        // SAFETY: non-null, and the caller guarantees it is a live instance's VMContext.
        Some(Caller { data: unsafe { InstanceData::from_vmctx(vmctx) } })
    }

    pub fn memory(&self, index: u32) -> Option<&'a LinearMemory> {
        self.data.memories.get(index as usize).map(|m| &**m)
    }

    pub fn memory_arc(&self, index: u32) -> Option<Arc<LinearMemory>> {
        self.data.memories.get(index as usize).cloned()
    }

    pub fn module(&self) -> &'a crate::api::Module {
        &self.data.module
    }

    pub fn vmctx(&self) -> *mut u8 {
        self.data.vmctx()
    }

    /// Value of global `index`.
    pub fn global(&self, index: u32) -> Val {
        self.data.global_val(index)
    }

    /// The index of the guest's `__stack_pointer` global, if the module has the toolchain's shape
    /// (global 0, a mutable i32): where a host that runs guest code (a signal handler) makes room
    /// on the guest's shadow stack.
    pub fn stack_pointer_global(&self) -> Option<u32> {
        crate::setjmp::stack_pointer_global(self.data)
    }

    pub fn set_global(&self, index: u32, v: Val) {
        crate::instance::write_val(self.data.global_ptr(index), v);
    }

    /// The function at `index` of table `table`, if it is a non-null funcref.
    pub fn table_func(&self, table: u32, index: u32) -> Option<(Func, cwali_frontend::FuncType)> {
        let t = self.data.tables.get(table as usize)?;
        let word = t.get(index as u64)?;
        if word == 0 || !t.ty.element_type.is_func() {
            return None;
        }
        // SAFETY: funcref words of a funcref table point at live VMFuncRefs of this store.
        let func = unsafe { Func::from_func_ref(word as *const crate::vm::VMFuncRef, self.data, self.limits()) }?;
        let ty = func.ty().clone();
        Some((func, ty))
    }

    fn limits(&self) -> usize {
        // SAFETY: the LIMITS slot was written at instantiation.
        unsafe { *(self.data.vmctx().add(cwali_codegen::VMOffsets::LIMITS as usize) as *const usize) }
    }

    /// Call a function from the host while Wasm is on the stack (nested entry).
    pub fn call(&self, func: &Func, args: &[Val]) -> Result<Vec<Val>, Trap> {
        func.call_nested(args)
    }
}

static MAX_WASM_STACK: AtomicUsize = AtomicUsize::new(crate::func::DEFAULT_MAX_WASM_STACK);

/// How much native stack Wasm may use on a thread (set before entering Wasm on it).
pub fn set_max_wasm_stack(bytes: usize) {
    MAX_WASM_STACK.store(bytes, Ordering::Relaxed);
}

pub(crate) fn max_wasm_stack() -> usize {
    MAX_WASM_STACK.load(Ordering::Relaxed)
}
