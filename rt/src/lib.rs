//! # cwali-rt: instances, memories, tables, traps
//!
//! The runtime owns everything that exists while Wasm code runs:
//!
//! - [`Engine`] compiles [`Module`]s (through `codegen`) with one [`Config`].
//! - A [`Store`] is one thread of execution: its runtime limits (stack limit, pending-signal
//!   flag) are shared by the instances created in it. WALI threads each get their own store.
//! - [`Instance::new`] reserves memories, builds tables and globals, fills the VMContext laid out
//!   by `codegen::VMOffsets`, runs the element/data initialisation and the start function. What
//!   a module's segments put in its own memory and funcref tables is computed once per module
//!   (`memory_image`, `table_image`): memory is mapped copy-on-write, table elements resolved on
//!   first use, so instantiation does not grow with their size.
//! - [`Func::call`] enters Wasm through the per-signature host-to-Wasm trampoline under
//!   [`signals::catch_traps`]; a Wasm trap comes back as a [`Trap`].
//!
//! Exceptions ([`Exception`], [`Tag`]): a throw finds its handler by walking the Wasm frames of
//! the current entry from the host (module `exceptions`); one that leaves Wasm is an `Err` of
//! [`Func::call`] with [`TrapReason::Exception`], which a host function may return to throw it
//! on into its Wasm caller.
//!
//! Traps are native faults: a load past the guard region raises SIGSEGV, a `trap` instruction
//! SIGILL. The signal handler looks the faulting PC up in the [`code_registry`]; a recorded PC
//! becomes a [`Trap`] and execution resumes in the entry point; any other PC is not ours to
//! handle and goes to the previous handler.

// Every unsafe block of the library says why it is sound (test modules are exempt).
#![cfg_attr(not(test), deny(clippy::undocumented_unsafe_blocks))]

mod code_cache;
pub mod code_registry;
pub mod guest_access;
pub mod memory;
mod memory_image;
pub mod memory_pool;
pub mod parking;
mod poll_page;
pub mod profiling;
pub mod signals;
mod table_image;
mod values;

pub use values::{Val, ValRaw};
mod api;
mod builtins;
mod caller;
mod exceptions;
mod func;
mod instance;
mod interrupt;
mod linker;
mod preserve_all;
mod setjmp;
mod syscall_stub;
mod tag;
mod type_registry;
mod typed;
pub mod vm;

pub use api::{
    BoundsChecks, Config, Engine, Error, Extern, FrameInfo, Global, Instance, Memory, Module, Store, Table, Trap,
    TrapReason,
};
pub use builtins::{request_safepoints, set_safepoint_hook};
pub use caller::{Caller, set_max_wasm_stack};
pub use cwali_codegen::cache::is_code;
pub use cwali_codegen::{InlineArg, InlineLen, InlineSyscall, Intrinsic, SyscallResolver, TrapKind};
pub use exceptions::{Exception, live_objects as live_exception_objects};
pub use func::{DEFAULT_MAX_WASM_STACK, Func, HostFn, enter_wasm, raise};
pub use interrupt::InterruptHandle;
pub use linker::Linker;
pub use memory::LinearMemory;
pub use tag::Tag;
pub use typed::{IntoCallerFunc, IntoFunc, TypedFunc, WasmRet, WasmTy, WasmTyList};
