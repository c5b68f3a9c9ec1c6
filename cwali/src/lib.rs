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
//! - [`run`]: load a `.wasm` or `.wat` file, instantiate it and call `_start` or the export named
//!   by `--invoke`. Modules that import from `wali` are handed to the WALI host
//!   (`cwali_wali_abi::host::run`).
//! - [`wast`]: a runner for spec scripts (`.wast`), used by `cwali wast` and by the spec tests in
//!   the `tests` crate.
//!
//! This crate holds no runtime logic of its own: compiling, instantiating and calling are
//! `cwali-rt`'s job, and this crate only drives its embedding API.

pub mod binfmt;
pub mod cli;
pub mod progress;
pub mod run;
pub mod settings;
pub mod wast;

pub use run::{RunOptions, load_wasm_bytes};
pub use wast::{WastReport, run_wast_file, run_wast_str};
