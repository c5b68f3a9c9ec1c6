//! # cwali-tests: integration, spec and differential tests
//!
//! The test targets live in `tests/tests/`: `spec.rs` runs the WebAssembly spec test suite,
//! `differential.rs` compares cwali with Wasmtime on a fixed set of wasm-smith modules. The
//! long-running differential fuzzer is the `cwali-difffuzz` binary
//! (`cargo run --release -p cwali-tests --bin cwali-difffuzz -- --seconds 600`).
//!
//! This library holds what those entry points share: the differential harness, [`diff`].

pub mod diff;
