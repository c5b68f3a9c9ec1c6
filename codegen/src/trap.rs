//! Wasm trap kinds, and how they travel as Cranelift trap codes through the trap table.

use cranelift_codegen::ir::TrapCode;

/// Every way Wasm code can trap. The runtime prints [`TrapKind::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapKind {
    StackOverflow,
    MemoryOutOfBounds,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    Unreachable,
    TableOutOfBounds,
    /// `call_indirect` on a null element (uninitialized table slot).
    IndirectCallToNull,
    /// `call_indirect` whose element has another signature.
    BadSignature,
    UnalignedAtomic,
    /// `ref.as_non_null` on null, `throw_ref` of a null exnref (as Wasmtime).
    NullReference,
    /// `memory.atomic.wait` on an unshared memory.
    AtomicWaitNonShared,
    /// A call to an import the runtime could not provide (WALI: unknown non-syscall import).
    UnknownImport,
    /// `longjmp` to a `jmp_buf` without a live `setjmp` frame on this thread.
    BadLongjmp,
    /// Not a trap: a safepoint poll's load from the store's poll page, which faults when the
    /// runtime has protected the page to request a safepoint. The runtime runs the safepoint
    /// and resumes at the load.
    Safepoint,
    /// The store was interrupted (`Store::interrupt_handle`): raised at its next safepoint.
    Interrupt,
    /// `call_ref` / `return_call_ref` on a null function reference. New kinds go last, so the
    /// numbers of the older kinds (in cached code's trap tables) keep their meaning.
    NullFuncReference,
}

impl TrapKind {
    pub const ALL: [TrapKind; 17] = [
        TrapKind::StackOverflow,
        TrapKind::MemoryOutOfBounds,
        TrapKind::IntegerOverflow,
        TrapKind::IntegerDivisionByZero,
        TrapKind::BadConversionToInteger,
        TrapKind::Unreachable,
        TrapKind::TableOutOfBounds,
        TrapKind::IndirectCallToNull,
        TrapKind::BadSignature,
        TrapKind::UnalignedAtomic,
        TrapKind::NullReference,
        TrapKind::AtomicWaitNonShared,
        TrapKind::UnknownImport,
        TrapKind::BadLongjmp,
        TrapKind::Safepoint,
        TrapKind::Interrupt,
        TrapKind::NullFuncReference,
    ];

    /// The message, worded as the spec tests and Wasmtime word it.
    pub fn message(self) -> &'static str {
        match self {
            TrapKind::StackOverflow => "call stack exhausted",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::IntegerDivisionByZero => "integer divide by zero",
            TrapKind::BadConversionToInteger => "invalid conversion to integer",
            TrapKind::Unreachable => "unreachable",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallToNull => "uninitialized element",
            TrapKind::BadSignature => "indirect call type mismatch",
            TrapKind::UnalignedAtomic => "unaligned atomic",
            TrapKind::NullReference => "null reference",
            TrapKind::AtomicWaitNonShared => "atomic wait on non-shared memory",
            TrapKind::UnknownImport => "call to an unresolved import",
            TrapKind::BadLongjmp => "longjmp to a jmp_buf whose setjmp frame is gone",
            TrapKind::Safepoint => "safepoint",
            TrapKind::Interrupt => "interrupt",
            TrapKind::NullFuncReference => "null function reference",
        }
    }

    pub fn to_code(self) -> TrapCode {
        match self {
            TrapKind::StackOverflow => TrapCode::STACK_OVERFLOW,
            TrapKind::MemoryOutOfBounds => TrapCode::HEAP_OUT_OF_BOUNDS,
            TrapKind::IntegerOverflow => TrapCode::INTEGER_OVERFLOW,
            TrapKind::IntegerDivisionByZero => TrapCode::INTEGER_DIVISION_BY_ZERO,
            TrapKind::BadConversionToInteger => TrapCode::BAD_CONVERSION_TO_INTEGER,
            other => TrapCode::unwrap_user(other as u8 + 1),
        }
    }

    pub fn from_code(code: TrapCode) -> Option<TrapKind> {
        TrapKind::ALL.into_iter().find(|k| k.to_code() == code)
    }

    pub fn from_u8(raw: u8) -> Option<TrapKind> {
        TrapKind::ALL.get(raw as usize).copied()
    }
}

impl std::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}
