//! Runtime functions that generated code calls through the VMContext's builtin table.
//!
//! The table is an array of function pointers in the order of [`Builtin::ALL`]. Every builtin takes
//! the caller's VMContext first and uses the host's C calling convention. Those that can fail
//! return an `i32` status: 0 for success, otherwise generated code traps with [`Builtin::trap`].

use crate::trap::TrapKind;

/// Parameter and result types of builtins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinType {
    /// The caller's VMContext pointer.
    VmCtx,
    I32,
    I64,
}

use BuiltinType::{I32, I64, VmCtx};

macro_rules! builtins {
    ($($name:ident: ($($p:expr),*) -> $r:expr, trap $trap:expr;)*) => {
        /// One runtime function callable from generated code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Builtin { $($name),* }

        impl Builtin {
            pub const ALL: &'static [Builtin] = &[$(Builtin::$name),*];

            pub fn params(self) -> &'static [BuiltinType] {
                match self { $(Builtin::$name => &[$($p),*]),* }
            }

            /// `None`: the builtin returns nothing.
            pub fn result(self) -> Option<BuiltinType> {
                match self { $(Builtin::$name => $r),* }
            }

            /// The trap a non-zero status means (builtins with an `i32` status result).
            pub fn trap(self) -> Option<TrapKind> {
                match self { $(Builtin::$name => $trap),* }
            }
        }
    };
}

builtins! {
    // Addresses, lengths and page or element counts of memories and tables are passed as i64
    // (a 32-bit memory's or table's zero-extended): one builtin serves 32- and 64-bit ones.
    // (vmctx, memory, delta pages) -> old size in pages or -1
    MemoryGrow: (VmCtx, I32, I64) -> Some(I64), trap None;
    // (vmctx, dst memory, src memory, dst, src, len) -> status (between two memories; within one,
    // generated code checks bounds and calls `Memmove`)
    MemoryCopy: (VmCtx, I32, I32, I64, I64, I64) -> Some(I32), trap Some(TrapKind::MemoryOutOfBounds);
    // (vmctx, memory, data segment, dst, src, len) -> status
    MemoryInit: (VmCtx, I32, I32, I64, I32, I32) -> Some(I32), trap Some(TrapKind::MemoryOutOfBounds);
    // (vmctx, data segment)
    DataDrop: (VmCtx, I32) -> None, trap None;
    // (vmctx, table, init value, delta) -> old size or -1
    TableGrow: (VmCtx, I32, I64, I64) -> Some(I64), trap None;
    // (vmctx, table, dst, value, len) -> status
    TableFill: (VmCtx, I32, I64, I64, I64) -> Some(I32), trap Some(TrapKind::TableOutOfBounds);
    // (vmctx, dst table, src table, dst, src, len) -> status
    TableCopy: (VmCtx, I32, I32, I64, I64, I64) -> Some(I32), trap Some(TrapKind::TableOutOfBounds);
    // (vmctx, table, element segment, dst, src, len) -> status
    TableInit: (VmCtx, I32, I32, I64, I32, I32) -> Some(I32), trap Some(TrapKind::TableOutOfBounds);
    // (vmctx, table << 32 | index): store the element's initial word (for null the sentinel),
    // which the caller then loads (a `preserve_all` call returns nothing). One argument
    // register besides the VMContext, so the cold call constrains the register allocator little.
    TableLazyInit: (VmCtx, I64) -> None, trap None;
    // (vmctx, element segment)
    ElemDrop: (VmCtx, I32) -> None, trap None;
    // (vmctx, memory, addr, expected, timeout ns or -1) -> 0 ok / 1 not-equal / 2 timed-out, or -1: trap
    AtomicWait32: (VmCtx, I32, I64, I32, I64) -> Some(I32), trap Some(TrapKind::AtomicWaitNonShared);
    AtomicWait64: (VmCtx, I32, I64, I64, I64) -> Some(I32), trap Some(TrapKind::AtomicWaitNonShared);
    // (vmctx, memory, addr, count) -> woken waiters
    AtomicNotify: (VmCtx, I32, I64, I32) -> Some(I32), trap None;
    // (vmctx): deliver pending guest signals at a safe point
    Safepoint: (VmCtx) -> None, trap None;
    // (vmctx, jmp_buf, savesigs) -> 0, or the longjmp value on the second return
    SetJmp: (VmCtx, I32, I32) -> Some(I32), trap None;
    // (vmctx, jmp_buf, value) -> returns only when the jump is impossible
    LongJmp: (VmCtx, I32, I32) -> Some(I32), trap Some(TrapKind::BadLongjmp);
    // (nr, a1..a6) -> kernel result: the raw syscall stub (no VMContext)
    Syscall: (I64, I64, I64, I64, I64, I64, I64) -> Some(I64), trap None;
    // C's memmove(dst, src, len) and memset(ptr, byte, len) (no VMContext): `memory.copy` and
    // `memory.fill` check bounds inline and call these directly.
    Memmove: (I64, I64, I64) -> Some(I64), trap None;
    Memset: (I64, I32, I64) -> Some(I64), trap None;
    // (vmctx, tag) -> a new exception object of that tag (payload slots to fill)
    ExnAlloc: (VmCtx, I32) -> Some(I64), trap None;
    // (vmctx, exnref): throw; never returns (the runtime resumes at a handler or unwinds to the
    // entry). Called from Wasm code, whose frame the stub records.
    Throw: (VmCtx, I64) -> None, trap None;
    // (vmctx, exnref): drop one reference (`vmoffsets::exn::REFS`): a `try_table` `catch`/
    // `catch_all` (no `_ref`) ended the object's throw, or a legacy catch body that bound it ended.
    // Frees the object at 0 references; a pinned object stays.
    ExnRelease: (VmCtx, I64) -> None, trap None;
}

impl Builtin {
    /// Offset of this builtin's pointer in the builtin table.
    pub fn offset(self) -> i32 {
        8 * Builtin::ALL.iter().position(|b| *b == self).unwrap() as i32
    }

    /// Whether calls use the `preserve_all` convention (the runtime's entry saves every
    /// register; no results): builtins called from a cold branch of a hot path (the
    /// safepoint poll of loop headers, lazy table initialisation in `call_indirect`), whose
    /// call must not make the register allocator spill around the hot path. And `Throw`, which
    /// never returns: a `try_call` of a `preserve_all` callee treats every register as clobbered
    /// on the exceptional edge (with a SysV callee the caller's VMContext, which the unwinder
    /// reads, could stay in a callee-saved register that the unwinder cannot recover).
    pub fn preserves_registers(self) -> bool {
        matches!(self, Builtin::Safepoint | Builtin::TableLazyInit | Builtin::Throw)
    }

    /// Whether the result is a status that traps when non-zero (wait: when negative).
    pub fn returns_status(self) -> bool {
        self.trap().is_some()
    }
}
