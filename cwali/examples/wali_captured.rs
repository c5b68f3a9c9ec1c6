//! A WALI program run from Rust as a child process, its output captured: the embedding
//! program goes on after the WALI program exits (compare `run_wali`, where the program takes
//! over the process).
//!
//! `cargo run -p cwali --example wali_captured -- tests/guests/wasm/args.wasm one two`

use cwali::{Config, Engine, Module, wali};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "tests/guests/wasm/hello.wasm".to_string());
    let engine = Engine::new(wali::engine_config(Config::default(), false));
    let module = Module::new(&engine, &std::fs::read(&path)?)?;

    for round in 1..=2 {
        let out = wali::WaliCommand::new(&engine, &module, path.clone())
            .args(args.by_ref())
            .env("ROUND", &round.to_string())
            .output()?;
        println!(
            "round {round}: {:?}, {} bytes on stdout, {} on stderr: {:?}",
            out.status,
            out.stdout.len(),
            out.stderr.len(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(())
}
