//! Benchmark: instance sandboxes (`cwali_wali_abi::sandbox`, `cwali serve --isolation
//! instance`). One request to a real wali-musl hello program (`tests/guests/libc/sandbox_hello.c`)
//! is a fresh store and instance from the module's copy-on-write image, `_start` (libc start-up,
//! `puts`, exit) and the teardown; measured side by side with the bare `Store::new` +
//! `Instance::new` + drop of the same module, which is the sandbox creation part of it.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::Opts;
use crate::stats::{Table, fmt_num, loadavg, median};

/// Per request of a batch: (µs until the instance exists, µs in all).
type Batch = Box<dyn FnMut(usize) -> Result<(f64, f64)>>;

pub fn sandbox(opts: &Opts) -> Result<()> {
    let (reps, iters) = if opts.quick { (3, 200) } else { (9, 1000) };
    let load_before = loadavg();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/guests/wasm-libc/sandbox_hello.wasm");
    let wasm = std::fs::read(path).with_context(|| path.to_string())?;
    use cwali_wali_abi::sandbox::{SandboxLimits, SandboxModule, SandboxOutcome, SandboxRequest};
    let engine = cwali_rt::Engine::new(SandboxModule::engine_config(cwali_rt::Config::default()));
    let module = cwali_rt::Module::new(&engine, &wasm).context("compile")?;
    let sandbox = SandboxModule::new(&engine, &module, SandboxLimits::default()).map_err(anyhow::Error::msg)?;

    let run: Batch = Box::new(move |iters| {
        let mut out = Vec::with_capacity(64);
        let mut err = Vec::new();
        let start = Instant::now();
        for _ in 0..iters {
            out.clear();
            let outcome = sandbox.run(SandboxRequest {
                argv: vec!["hello".into()],
                env: Vec::new(),
                stdin: b"",
                stdout: &mut out,
                stderr: &mut err,
                deadline: None,
            });
            if outcome != SandboxOutcome::Exited(0) || out != b"hello from a sandbox\n" {
                bail!("sandbox: {outcome:?}, {:?}", String::from_utf8_lossy(&out));
            }
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / iters as f64;
        Ok((f64::NAN, us))
    });
    let imports: Vec<cwali_rt::Extern> = cwali_wali_abi::host::link(&module);
    let bare: Batch = Box::new(move |iters| {
        let (mut created, mut total) = (0.0, 0.0);
        for _ in 0..iters {
            let start = Instant::now();
            let mut store = cwali_rt::Store::new(&engine);
            let instance = cwali_rt::Instance::new(&mut store, &module, &imports).context("instantiate")?;
            created += start.elapsed().as_secs_f64();
            drop(instance);
            drop(store);
            total += start.elapsed().as_secs_f64();
        }
        Ok((created * 1e6 / iters as f64, total * 1e6 / iters as f64))
    });

    let mut contenders: Vec<(&str, Batch)> =
        vec![("sandbox: create + run hello + drop", run), ("Store::new + Instance::new + drop only", bare)];
    for (_, c) in contenders.iter_mut() {
        c(20)?; // warm-up
    }
    let (mut created, mut total) = (vec![Vec::new(); contenders.len()], vec![Vec::new(); contenders.len()]);
    for rep in 0..reps {
        for i in 0..contenders.len() {
            let c = (i + rep) % contenders.len();
            let (a, b) = (contenders[c].1)(iters)?;
            created[c].push(a);
            total[c].push(b);
        }
    }
    let mut table = Table::new(
        "Instance sandboxes: one request to a wali-musl hello program",
        &["what", "instance created µs", "in all µs"],
    );
    for (i, (name, _)) in contenders.iter().enumerate() {
        table.row(vec![name.to_string(), fmt_num(median(&created[i])), fmt_num(median(&total[i]))]);
    }
    table.note(format!(
        "Median over {reps} interleaved batches of {iters} requests, on one thread. The first row is \
         `SandboxModule::run` end to end (fresh store and instance from the copy-on-write image, \
         wali-musl start-up, `puts`, exit, teardown); the second only creates the store and \
         instance (first column: until `Instance::new` returns, which includes the module's start \
         function `__wasm_init_memory`) and drops them. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
