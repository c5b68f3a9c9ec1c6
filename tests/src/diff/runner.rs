//! The one interface the harness drives both engines through.

use super::value::{CallOutcome, TrapDesc, Value};

/// How instantiation went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstOutcome {
    Ok,
    /// The engine refused or failed to compile the module.
    CompileError(String),
    /// Element/data initialisation or the start function trapped.
    Trap(TrapDesc),
    /// Any other instantiation error (linking, resources).
    Error(String),
}

impl std::fmt::Display for InstOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstOutcome::Ok => f.write_str("instantiated"),
            InstOutcome::CompileError(m) => write!(f, "compile error: {m}"),
            InstOutcome::Trap(t) => write!(f, "instantiation {t}"),
            InstOutcome::Error(m) => write!(f, "instantiation error: {m}"),
        }
    }
}

/// An engine under comparison. One instance at a time: [`Runner::instantiate`] drops the
/// previous one. Exports are looked up by name; a missing export is a harness bug and panics.
pub trait Runner {
    fn name(&self) -> String;
    /// Compile `wasm`, instantiate it without imports and run its start function.
    fn instantiate(&mut self, wasm: &[u8]) -> InstOutcome;
    fn call(&mut self, func: &str, args: &[Value]) -> CallOutcome;
    /// A copy of an exported memory's contents.
    fn memory(&mut self, name: &str) -> Vec<u8>;
    fn global(&mut self, name: &str) -> Value;
    /// Every element of an exported table.
    fn table(&mut self, name: &str) -> Vec<Value>;
    /// Drop the current instance and everything it owns.
    fn reset(&mut self);
}
