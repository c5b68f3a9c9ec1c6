//! # cwali: the command line
//!
//! The binary (`src/main.rs`) parses arguments, sets up logging and turns outcomes into exit
//! codes. Everything it runs lives here so tests can call it without spawning a process:
//!
//! - [`run`]: load a `.wasm` or `.wat` file, instantiate it and call `_start` or the export named
//!   by `--invoke`. Modules that import from `wali` are handed to the WALI host
//!   (`cwali_wali_abi::host::run`).
//! - [`wast`]: a runner for spec scripts (`.wast`), used by `cwali wast` and by the spec tests in
//!   the `tests` crate.
//!
//! This crate holds no runtime logic of its own: compiling, instantiating and calling are
//! `cwali-rt`'s job, and this crate only drives its embedding API.

pub mod run;
pub mod wast;

pub use run::{RunOptions, load_wasm_bytes};
pub use wast::{WastReport, run_wast_file, run_wast_str};
