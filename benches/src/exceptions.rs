//! Benchmark: the cost of a throw and its catch, cwali against Wasmtime 48.
//!
//! Each kernel `run(n)` throws and catches `n` exceptions and returns a checksum of the
//! payloads: caught in the throwing function itself, or 10 calls up the stack (every frame in
//! between a plain call, so the unwinder walks them). Wasmtime implements only `try_table`; the
//! legacy encoding (`try`/`catch`, what clang 22 emits for C++ by default) runs in cwali alone.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::stats::{Table, fmt_num, fmt_ratio, loadavg, median, ms, paired_ratio};
use crate::{Opts, WasmtimeResult};

struct Kernel {
    name: &'static str,
    what: &'static str,
    wat: &'static str,
    /// Whether Wasmtime runs it (it refuses the legacy instructions).
    wasmtime: bool,
}

const KERNELS: &[Kernel] = &[
    Kernel {
        name: "local",
        what: "try_table around a throw in the same function",
        wasmtime: true,
        wat: r#"(module
          (tag $e (param i32))
          (func (export "run") (param $n i32) (result i32) (local $sum i32)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.get $n)))
                (block $h (result i32)
                  (try_table (catch $e $h) (throw $e (local.get $n)))
                  (unreachable))
                (local.set $sum (i32.add (local.get $sum)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l)))
            (local.get $sum)))"#,
    },
    Kernel {
        name: "depth10",
        what: "try_table 10 calls above the throw",
        wasmtime: true,
        wat: r#"(module
          (tag $e (param i32))
          (func $down (param $d i32) (param $v i32)
            (if (i32.eqz (local.get $d)) (then (throw $e (local.get $v))))
            (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $v)))
          (func (export "run") (param $n i32) (result i32) (local $sum i32)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.get $n)))
                (block $h (result i32)
                  (try_table (catch $e $h) (call $down (i32.const 10) (local.get $n)))
                  (i32.const 0))
                (local.set $sum (i32.add (local.get $sum)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l)))
            (local.get $sum)))"#,
    },
    Kernel {
        name: "depth10-legacy",
        what: "the same with try/catch",
        wasmtime: false,
        wat: r#"(module
          (tag $e (param i32))
          (func $down (param $d i32) (param $v i32)
            (if (i32.eqz (local.get $d)) (then (throw $e (local.get $v))))
            (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $v)))
          (func (export "run") (param $n i32) (result i32) (local $sum i32)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.get $n)))
                try (result i32)
                  (call $down (i32.const 10) (local.get $n))
                  (i32.const 0)
                catch $e
                end
                (local.set $sum (i32.add (local.get $sum)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l)))
            (local.get $sum)))"#,
    },
];

type Runner = Box<dyn FnMut(i32) -> Result<i32>>;

fn cwali_runner(wasm: &[u8]) -> Result<Runner> {
    let engine = cwali_rt::Engine::new(cwali_rt::Config::default());
    let module = cwali_rt::Module::new(&engine, wasm).context("cwali: compiling")?;
    let mut store = cwali_rt::Store::new(&engine);
    let instance = cwali_rt::Instance::new(&mut store, &module, &[]).context("cwali: instantiating")?;
    let func = instance.get_func("run").context("cwali: no `run`")?;
    Ok(Box::new(move |n| {
        let _keep = &instance;
        match func.call(&mut store, &[cwali_rt::Val::I32(n)]) {
            Ok(v) => match v.as_slice() {
                [cwali_rt::Val::I32(r)] => Ok(*r),
                other => bail!("cwali: run returned {other:?}"),
            },
            Err(trap) => bail!("cwali: {trap}"),
        }
    }))
}

fn wasmtime_runner(engine: &wasmtime::Engine, wasm: &[u8]) -> Result<Runner> {
    let module = wasmtime::Module::new(engine, wasm).wt()?;
    let mut store = wasmtime::Store::new(engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).wt()?;
    let func = instance.get_typed_func::<i32, i32>(&mut store, "run").wt()?;
    Ok(Box::new(move |n| func.call(&mut store, n).wt()))
}

pub fn exceptions(opts: &Opts) -> Result<()> {
    let (reps, n) = if opts.quick { (3, 20_000) } else { (11, 200_000) };
    let mut config = wasmtime::Config::new();
    config.wasm_exceptions(true);
    let wasmtime = wasmtime::Engine::new(&config).wt()?;
    let load_before = loadavg();
    let mut table = Table::new(
        "Exceptions: throw + catch, cwali vs Wasmtime 48",
        &["kernel", "n", "cwali ns/throw", "wasmtime ns/throw", "cwali/wasmtime"],
    );
    for k in KERNELS {
        let wasm = wat::parse_str(k.wat).with_context(|| format!("{}: WAT", k.name))?;
        let mut contenders: Vec<Runner> = vec![cwali_runner(&wasm)?];
        if k.wasmtime {
            contenders.push(wasmtime_runner(&wasmtime, &wasm)?);
        }
        let expected = (n as i64 * (n as i64 + 1) / 2) as i32;
        let mut times = vec![Vec::new(); contenders.len()];
        for rep in 0..=reps {
            for i in 0..contenders.len() {
                let c = (i + rep) % contenders.len();
                let start = Instant::now();
                let r = contenders[c](n)?;
                let t = ms(start.elapsed());
                if r != expected {
                    bail!("{}: checksum {r}, expected {expected}", k.name);
                }
                // The first round is the warm-up.
                if rep > 0 {
                    times[c].push(t);
                }
            }
        }
        let per_throw = |t: &[f64]| fmt_num(median(t) * 1e6 / n as f64);
        let (wt, ratio) = match times.get(1) {
            Some(w) => (per_throw(w), fmt_ratio(paired_ratio(&times[0], w))),
            None => ("-".to_string(), "-".to_string()),
        };
        table.row(vec![k.name.to_string(), n.to_string(), per_throw(&times[0]), wt, ratio]);
    }
    let legend: Vec<String> = KERNELS.iter().map(|k| format!("{}: {}", k.name, k.what)).collect();
    table.note(format!("Kernels: {}.", legend.join("; ")));
    table.note(String::new());
    table.note(format!(
        "Times: median of {reps} interleaved runs of `run(n)`, divided by n. cwali: `Config::default()`. \
         Wasmtime: `Config::new()` with exceptions on; it refuses the legacy instructions (`-`). \
         Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
