//! # cwali: the command line
//!
//! The binary (`src/main.rs`) sets up logging and calls [`cli::main`]. Everything it runs lives
//! here so tests can call it without spawning a process:
//!
//! - [`cli`]: the clap definition, the argument conventions (`cwali app.wasm args`, everything
//!   after the module belongs to the program), dispatch and exit codes; completions and the
//!   manual page are generated from it.
//! - [`binfmt`]: `cwali binfmt install|uninstall|status` (run `./app.wasm` through binfmt_misc).
//! - [`settings`]: `cwali settings`, the Cranelift settings and CPU features in effect.
//! - [`progress`]: the progress line on a terminal while a large module compiles.
//! - [`wali_command`]: run a WALI program as a child process with captured stdio.
//! - [`run`]: load a `.wasm` or `.wat` file, instantiate it and call `_start` or the export named
//!   by `--invoke`. Modules that import from `wali` are handed to the WALI host
//!   (`cwali_wali_abi::host::run`).
//! - [`serve`]: `cwali serve`, WALI programs as CGI programs behind an HTTP server, a fresh
//!   process or sandbox instance per request.
//! - [`wast`]: a runner for spec scripts (`.wast`), used by `cwali wast` and by the spec tests in
//!   the `tests` crate.
//!
//! This crate holds no runtime logic of its own: compiling, instantiating and calling are
//! `cwali-rt`'s job, and this crate only drives its embedding API.
//!
//! ## Embedding
//!
//! This is also the crate to depend on to run Wasm from Rust: it re-exports the runtime's
//! embedding API ([`Engine`], [`Module`], [`Store`], [`Instance`], [`Func`], [`Memory`], [`Val`],
//! ...) and, in [`wali`], what runs a WALI program. The other workspace crates (`cwali-frontend`,
//! `cwali-codegen`, `cwali-rt`, `cwali-wali-abi`) are internal: their APIs change as the
//! implementation needs.
//!
//! ```
//! use cwali::{Config, Engine, Extern, Func, FuncType, Instance, Module, Store, Val, ValType};
//!
//! # fn main() -> anyhow::Result<()> {
//! let engine = Engine::new(Config::default());
//! let wasm = wat::parse_str(
//!     r#"(module
//!          (import "host" "double" (func $double (param i32) (result i32)))
//!          (func (export "quadruple") (param i32) (result i32)
//!            (call $double (call $double (local.get 0)))))"#,
//! )?;
//! let module = Module::new(&engine, &wasm)?;
//! let mut store = Store::new(&engine);
//! // Imports are given in the module's import order.
//! let double = Func::new(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |args| match args {
//!     [Val::I32(x)] => Ok(vec![Val::I32(x * 2)]),
//!     _ => unreachable!("the signature is checked before the call"),
//! });
//! let instance = Instance::new(&mut store, &module, &[Extern::Func(double)])?;
//! let quadruple = instance.get_func("quadruple").expect("exported");
//! assert_eq!(quadruple.call(&mut store, &[Val::I32(5)])?, [Val::I32(20)]);
//! # Ok(())
//! # }
//! ```
//!
//! A trap comes back as an `Err` holding a [`Trap`] (its kind, message and Wasm backtrace); the
//! process and the [`Store`] stay usable. `examples/` has more: a host function, calling an export
//! in a loop, and running a WALI program.

#![warn(missing_docs)]

pub mod binfmt;
pub mod cli;
pub mod progress;
pub mod run;
pub mod serve;
pub mod settings;
pub mod wali_command;
pub mod wast;

pub use run::{RunOptions, load_wasm_bytes};
pub use wast::{WastReport, run_wast_file, run_wast_str};

pub use cwali_frontend::{FuncType, ValType};
pub use cwali_rt::{
    BoundsChecks, Caller, Config, Engine, Error, Extern, Func, Global, Instance, IntoCallerFunc, IntoFunc, Linker,
    Memory, Module, Store, Table, Trap, TypedFunc, Val, WasmRet, WasmTy, WasmTyList,
};

/// Running WALI programs. A module that imports from `wali` is a Linux program: [`wali::run`]
/// makes it this process (it never returns), [`wali::WaliCommand`] runs it as a child process
/// with captured or inherited stdio (see `docs/guide.md`).
///
/// ```no_run
/// use cwali::{Engine, Module, wali};
///
/// # fn main() -> anyhow::Result<()> {
/// wali::prepare_process();
/// let engine = Engine::new(wali::engine_config(cwali::Config::default(), false));
/// let module = Module::new(&engine, &std::fs::read("hello.wasm")?)?;
/// let argv = vec!["hello.wasm".to_string()];
/// wali::run(&engine, &module, wali::WaliConfig { argv, inherit_env: true, ..Default::default() })
/// # }
/// ```
pub mod wali {
    pub use crate::wali_command::{WaliCommand, WaliStdio};
    pub use cwali_wali_abi::host::{WaliConfig, engine_config, prepare_process, run};
}
