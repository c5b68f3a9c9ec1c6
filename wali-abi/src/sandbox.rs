//! Instance-isolation sandboxes: many WALI programs in one process, one fresh instance per
//! request (`cwali serve --isolation instance`, the aWsm/Sledge model).
//!
//! Unlike [`crate::host`], which gives one program the whole process and the full Linux syscall
//! surface, a sandbox sees only what cannot reach outside its own linear memory: a virtual fd
//! table (0 = the request body, 1 = the response, 2 = the log), time, randomness, memory
//! management inside its own memory, futex on its own memory, and exit. Every other call gets
//! `-ENOSYS` (or `-EPERM`), so a sandbox cannot touch the server or another sandbox.
//! docs/sandbox.md lists the exact allowed set.
//!
//! `exit`/`exit_group`, traps and a passed deadline end only the sandbox.

use std::io::Write;
use std::time::Instant;

use cwali_rt::{Config, Engine, Module};

/// Limits of one sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxLimits {
    /// Largest linear memory in bytes (memory.grow and mmap fail beyond it).
    pub max_memory: Option<u64>,
}

/// One request to a sandbox.
pub struct SandboxRequest<'a> {
    /// The guest's argv (argv[0] first).
    pub argv: Vec<String>,
    /// The guest's environment, `NAME=value` entries.
    pub env: Vec<String>,
    /// What the guest reads from fd 0.
    pub stdin: &'a [u8],
    /// Where the guest's writes to fd 1 go, as they happen. An error (the client went away) is
    /// `-EPIPE` for the guest.
    pub stdout: &'a mut dyn Write,
    /// Where the guest's writes to fd 2 go.
    pub stderr: &'a mut dyn Write,
    /// When the guest is interrupted at its next safepoint.
    pub deadline: Option<Instant>,
}

/// How a sandbox ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxOutcome {
    /// `exit`/`exit_group` or a return from `_start` (status 0).
    Exited(i32),
    /// A Wasm trap, an uncaught exception or a host error: its one-line message.
    Trapped(String),
    /// The deadline passed; the guest was stopped at a safepoint.
    TimedOut,
}

/// A WALI module ready to run in sandboxes: compiled once, instantiated per request. `Send` and
/// `Sync`: worker threads share one.
pub struct SandboxModule {
    _engine: Engine,
    _module: Module,
    _limits: SandboxLimits,
}

impl SandboxModule {
    /// The engine settings sandboxes need (safepoints for deadlines, WALI intrinsics).
    pub fn engine_config(config: Config) -> Config {
        config
    }

    /// Link `module` (compiled with [`Self::engine_config`]) for sandboxes.
    pub fn new(engine: &Engine, module: &Module, limits: SandboxLimits) -> Result<SandboxModule, String> {
        let _ = (engine, module, limits);
        Err("instance sandboxes are not implemented yet".into())
    }

    /// Instantiate the module fresh and run `_start` on the calling thread.
    pub fn run(&self, request: SandboxRequest<'_>) -> SandboxOutcome {
        let _ = request;
        SandboxOutcome::Trapped("instance sandboxes are not implemented yet".into())
    }
}
