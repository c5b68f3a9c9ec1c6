//! Benchmarks 1 (compute kernels: native vs cwali vs Wasmtime) and 6 (cwali's safe-point checks).
//!
//! Every kernel is one C file, `kernels/<name>.c`, built to `wasm/<name>.wasm` (clang-19 -O2,
//! committed) and natively into this binary (build.rs, `bench_<name>_run`). One measurement is
//! one call of `run(n)`; the contenders are called in turn (rotating who goes first) for every
//! repetition, and every call's checksum is checked against the native one.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::stats::{Table, fmt_num, fmt_ratio, geomean, loadavg, median, ms, paired_ratio};
use crate::{Opts, WasmtimeResult};

#[derive(Clone, Copy)]
pub struct Kernel {
    pub name: &'static str,
    /// `run`'s argument for a full run and for `--quick`.
    pub n: i32,
    pub quick_n: i32,
    pub native: unsafe extern "C" fn(i32) -> i32,
    pub wasm: &'static [u8],
    /// The same source built with `-msimd128` (auto-vectorised), for the `simd` benchmark.
    pub simd_wasm: &'static [u8],
    pub what: &'static str,
}

macro_rules! kernels {
    ($($name:ident / $native:ident: $n:expr, $quick:expr, $what:expr;)*) => {
        mod native {
            unsafe extern "C" {
                $(pub fn $native(n: i32) -> i32;)*
            }
        }
        pub static KERNELS: &[Kernel] = &[$(Kernel {
            name: stringify!($name),
            n: $n,
            quick_n: $quick,
            native: native::$native,
            wasm: include_bytes!(concat!("../wasm/", stringify!($name), ".wasm")),
            simd_wasm: include_bytes!(concat!("../wasm/simd/", stringify!($name), ".wasm")),
            what: $what,
        },)*];
    };
}

kernels! {
    matmul / bench_matmul_run: 320, 160, "n x n f64 matrix multiply";
    nbody / bench_nbody_run: 600_000, 100_000, "5-body simulation, n steps";
    sha256 / bench_sha256_run: 200, 40, "SHA-256 of 16 KiB, n times";
    crc32 / bench_crc32_run: 120, 25, "CRC-32 of 64 KiB, n times";
    sieve / bench_sieve_run: 5_000_000, 1_000_000, "sieve of Eratosthenes up to n";
    quicksort / bench_quicksort_run: 200_000, 50_000, "quicksort of n ints";
    mandelbrot / bench_mandelbrot_run: 320, 140, "n x n Mandelbrot, 255 iterations";
    fannkuch / bench_fannkuch_run: 9, 8, "fannkuch-redux(n)";
    interp / bench_interp_run: 10_000, 2_500, "register-VM bytecode interpreter";
    hashmap / bench_hashmap_run: 100_000, 25_000, "open-addressing hash map";
    memops / bench_memops_run: 100_000, 20_000, "memcpy/memmove/memset blocks";
    fib / bench_fib_run: 34, 29, "recursive fib(n) + tak";
    base64 / bench_base64_run: 300, 60, "base64 encode+decode 48 KiB";
}

/// Something that can run a kernel.
pub type Runner = Box<dyn FnMut(i32) -> Result<i32>>;

pub fn native_runner(k: &Kernel) -> Runner {
    let f = k.native;
    // SAFETY: the C function only touches its own static data.
    Box::new(move |n| Ok(unsafe { f(n) }))
}

pub fn cwali_runner(k: &Kernel, config: cwali_rt::Config) -> Result<Runner> {
    let engine = cwali_rt::Engine::new(config);
    let module = cwali_rt::Module::new(&engine, k.wasm).with_context(|| format!("cwali: compiling {}", k.name))?;
    let mut store = cwali_rt::Store::new(&engine);
    let instance = cwali_rt::Instance::new(&mut store, &module, &[])
        .with_context(|| format!("cwali: instantiating {}", k.name))?;
    let func = instance.get_func("run").context("cwali: no `run` export")?;
    Ok(Box::new(move |n| {
        let _keep = &instance;
        match func.call(&mut store, &[cwali_rt::Val::I32(n)]) {
            Ok(v) => match v.as_slice() {
                [cwali_rt::Val::I32(r)] => Ok(*r),
                other => bail!("cwali: run returned {other:?}"),
            },
            Err(trap) => bail!("cwali: trap: {trap}"),
        }
    }))
}

/// One call of a kernel in one engine, printing the checksum: for instruction counts under
/// `valgrind --tool=callgrind`, which are repeatable on a busy machine where times are not
/// (the difference between two values of `n` cancels compilation and start-up).
pub fn run_once(kernel: &str, n: i32, engine: &str) -> Result<()> {
    let k = KERNELS.iter().find(|k| k.name == kernel).with_context(|| format!("no kernel {kernel}"))?;
    let mut run = match engine {
        "cwali" => cwali_runner(k, cwali_rt::Config::default())?,
        "cwali-safepoints" => cwali_runner(k, cwali_rt::Config { safepoints: true, ..Default::default() })?,
        "wasmtime" => wasmtime_runner(k, &wasmtime::Engine::new(&wasmtime::Config::new()).wt()?)?,
        other => bail!("unknown engine {other:?} (cwali, cwali-safepoints, wasmtime)"),
    };
    println!("{}", run(n)?);
    Ok(())
}

pub fn wasmtime_runner(k: &Kernel, engine: &wasmtime::Engine) -> Result<Runner> {
    let module = wasmtime::Module::new(engine, k.wasm).wt().with_context(|| format!("compiling {}", k.name))?;
    let mut store = wasmtime::Store::new(engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[]).wt()?;
    let func = instance.get_typed_func::<i32, i32>(&mut store, "run").wt()?;
    Ok(Box::new(move |n| func.call(&mut store, n).wt()))
}

/// Runs every contender `reps` times on `n` (interleaved, rotating the order), checking the
/// checksum of every call; returns the milliseconds of every run, per contender.
pub fn measure(kernel: &Kernel, n: i32, contenders: &mut [(&str, Runner)], reps: usize) -> Result<Vec<Vec<f64>>> {
    // Warm-up call of each: page in code and data, and agree on the checksum.
    let mut expected = None;
    for (name, run) in contenders.iter_mut() {
        let r = run(n)?;
        match expected {
            None => expected = Some((name.to_string(), r)),
            Some((ref first, e)) => {
                if r != e {
                    bail!("{}: checksum of {name} is {r}, {first} gave {e}", kernel.name);
                }
            }
        }
    }
    let expected = expected.expect("at least one contender").1;
    let mut times = vec![Vec::with_capacity(reps); contenders.len()];
    for rep in 0..reps {
        for i in 0..contenders.len() {
            let c = (i + rep) % contenders.len();
            let (name, run) = &mut contenders[c];
            let start = Instant::now();
            let r = run(n)?;
            times[c].push(ms(start.elapsed()));
            if r != expected {
                bail!("{}: checksum of {name} is {r}, expected {expected}", kernel.name);
            }
        }
    }
    Ok(times)
}

fn selected_kernels(opts: &Opts) -> Vec<&'static Kernel> {
    KERNELS.iter().filter(|k| opts.kernel_selected(k.name)).collect()
}

pub fn compute(opts: &Opts) -> Result<()> {
    compute_kernels(opts, false)
}

/// The compute kernels built with `-msimd128`: the Wasm side runs auto-vectorised SIMD code.
pub fn simd(opts: &Opts) -> Result<()> {
    compute_kernels(opts, true)
}

fn compute_kernels(opts: &Opts, simd: bool) -> Result<()> {
    let reps = if opts.quick { 3 } else { 11 };
    let wasmtime = wasmtime::Engine::new(&wasmtime::Config::new()).wt()?;
    let load_before = loadavg();
    let title = if simd {
        "SIMD: compute kernels built with -msimd128, native vs cwali vs Wasmtime 48"
    } else {
        "Compute kernels: native vs cwali vs Wasmtime 48"
    };
    let mut table = Table::new(
        title,
        &["kernel", "n", "native ms", "cwali ms", "wasmtime ms", "cwali/native", "cwali/wasmtime", "wasmtime/native"],
    );
    let (mut vs_native, mut vs_wasmtime, mut wt_native) = (Vec::new(), Vec::new(), Vec::new());
    for k in selected_kernels(opts) {
        let k = &if simd { Kernel { wasm: k.simd_wasm, ..*k } } else { *k };
        let n = if opts.quick { k.quick_n } else { k.n };
        let mut contenders: Vec<(&str, Runner)> = vec![
            ("native", native_runner(k)),
            ("cwali", cwali_runner(k, cwali_rt::Config::default())?),
            ("wasmtime", wasmtime_runner(k, &wasmtime)?),
        ];
        let runs = measure(k, n, &mut contenders, reps)?;
        let t: Vec<f64> = runs.iter().map(|r| median(r)).collect();
        let (rn, rw, wn) =
            (paired_ratio(&runs[1], &runs[0]), paired_ratio(&runs[1], &runs[2]), paired_ratio(&runs[2], &runs[0]));
        vs_native.push(rn);
        vs_wasmtime.push(rw);
        wt_native.push(wn);
        table.row(vec![
            k.name.to_string(),
            n.to_string(),
            fmt_num(t[0]),
            fmt_num(t[1]),
            fmt_num(t[2]),
            fmt_ratio(rn),
            fmt_ratio(rw),
            fmt_ratio(wn),
        ]);
    }
    table.row(vec![
        "**geomean**".to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("**{}**", fmt_ratio(geomean(&vs_native))),
        format!("**{}**", fmt_ratio(geomean(&vs_wasmtime))),
        format!("**{}**", fmt_ratio(geomean(&wt_native))),
    ]);
    let legend: Vec<String> = selected_kernels(opts).iter().map(|k| format!("{}: {}", k.name, k.what)).collect();
    table.note(format!("Kernels: {}.", legend.join("; ")));
    if simd {
        table.note(
            "Wasm built with clang-19 -O2 -msimd128 -mllvm -force-vector-interleave=2 (the native build's loop shape; committed in `wasm/simd/`); kernels the vectoriser leaves \
             alone (fib, mandelbrot, memops, quicksort, sieve) have no SIMD instructions and are the plain build."
                .to_string(),
        );
    }
    table.note(String::new());
    table.note(format!(
        "Times: median of {reps} interleaved runs per contender; one run is one call of `run(n)`, \
         checksums equal across the three. Ratios: median of the per-repetition ratios. Native: {}, -O2. cwali: `Config::default()` (guard pages, \
         safepoints off, as for plain modules). Wasmtime: `Config::new()`. Load average {load_before} \
         before, {} after.",
        env!("BENCH_NATIVE_CC"),
        loadavg()
    ));
    table.print();
    Ok(())
}

pub fn safepoints(opts: &Opts) -> Result<()> {
    let reps = if opts.quick { 3 } else { 11 };
    let load_before = loadavg();
    let mut table = Table::new(
        "Safe points: cwali with Config.safepoints = false vs true",
        &["kernel", "n", "safepoints off ms", "safepoints on ms", "on/off"],
    );
    let mut ratios = Vec::new();
    for k in selected_kernels(opts) {
        let n = if opts.quick { k.quick_n } else { k.n };
        let mut contenders: Vec<(&str, Runner)> = vec![
            ("cwali", cwali_runner(k, cwali_rt::Config::default())?),
            ("cwali+safepoints", cwali_runner(k, cwali_rt::Config { safepoints: true, ..Default::default() })?),
        ];
        let runs = measure(k, n, &mut contenders, reps)?;
        let r = paired_ratio(&runs[1], &runs[0]);
        ratios.push(r);
        table.row(vec![
            k.name.to_string(),
            n.to_string(),
            fmt_num(median(&runs[0])),
            fmt_num(median(&runs[1])),
            fmt_ratio(r),
        ]);
    }
    table.row(vec![
        "**geomean**".to_string(),
        String::new(),
        String::new(),
        String::new(),
        format!("**{}**", fmt_ratio(geomean(&ratios))),
    ]);
    table.note(format!(
        "Times: median of {reps} interleaved runs; ratio: median of the per-repetition ratios. Safe points (what `cwali run` enables for WALI \
         programs) poll at loop headers and at the entries of functions on call cycles or with fan-out; on x86_64 a \
         poll is one load from the store's poll page. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
