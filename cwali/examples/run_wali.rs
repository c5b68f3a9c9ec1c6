//! Running a WALI program (a Linux program compiled to Wasm) from Rust. The program becomes this
//! process: `wali::run` does not return, and the process exits with the program's status.
//!
//! `cargo run -p cwali --example run_wali -- tests/guests/wasm/args.wasm one two`

use cwali::{Config, Engine, Module, wali};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "tests/guests/wasm/hello.wasm".to_string());
    let bytes = std::fs::read(&path)?;

    // Signal masks and dispositions as a WALI program expects them; before any thread starts.
    wali::prepare_process();
    // WALI programs are compiled with safe points (for signal delivery) and inline syscalls.
    let engine = Engine::new(wali::engine_config(Config::default(), false));
    let module = Module::new(&engine, &bytes)?;

    let argv = std::iter::once(path).chain(args).collect();
    let config = wali::WaliConfig { argv, inherit_env: true, ..Default::default() };
    wali::run(&engine, &module, config)
}
