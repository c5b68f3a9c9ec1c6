//! cwali's benchmark suite: compute kernels (plain and built with `-msimd128`), compilation,
//! syscalls, instantiation, start-up, safe points, Cranelift settings and real applications
//! (`apps`: Lua, SQLite, zstd, zlib), each running its contenders side by side (interleaved) and
//! printing a Markdown table of medians and ratios.
//!
//! usage: cargo run --release -p cwali-benches -- [--quick] [--only NAME[,NAME...]]
//!
//! NAME is a benchmark (compute, simd, compile, syscalls, instantiate, startup, safepoints,
//! settings, apps,
//! exceptions, sandbox, serve) or a kernel name (matmul, ...), which runs the compute, SIMD and safe-point
//! benchmarks on that kernel only. `syscalls`, `startup` and `apps` run `target/release/cwali`
//! (build it first; or set CWALI_BIN); `apps` also needs the native builds of
//! `tests/apps/build.sh --native-only`. `serve` (CGI over HTTP: `cwali serve` against
//! lighttpd's mod_cgi) needs `target/release/cwali` with `serve`, wrk and lighttpd.
//! `--dump KERNEL DIR` writes a kernel's machine code from cwali and Wasmtime instead;
//! `--dump-wali FILE.wasm DIR` a WALI program's code as `cwali run` compiles it.

mod apps;
mod compile;
mod compute;
mod dump;
mod exceptions;
mod instantiate;
mod process;
mod sandbox;
mod serve;
mod settings;
mod stats;

use anyhow::{Context, Result, bail};

/// Wasmtime's own error type (its `anyhow` feature is off in the workspace) as an anyhow error.
pub trait WasmtimeResult<T> {
    fn wt(self) -> Result<T>;
}

impl<T> WasmtimeResult<T> for wasmtime::Result<T> {
    fn wt(self) -> Result<T> {
        self.map_err(|e| anyhow::anyhow!("wasmtime: {e:?}"))
    }
}

const BENCHES: &[&str] = &[
    "compute",
    "simd",
    "compile",
    "syscalls",
    "instantiate",
    "startup",
    "safepoints",
    "settings",
    "apps",
    "exceptions",
    "sandbox",
    "serve",
];

pub struct Opts {
    pub quick: bool,
    /// Benchmarks and kernels named with --only (empty: everything).
    only: Vec<String>,
}

impl Opts {
    fn bench_selected(&self, bench: &str) -> bool {
        let kernels_named = self.only.iter().any(|o| compute::KERNELS.iter().any(|k| k.name == o));
        self.only.is_empty()
            || self.only.iter().any(|o| o == bench)
            || (kernels_named && matches!(bench, "compute" | "simd" | "safepoints"))
    }

    pub fn kernel_selected(&self, kernel: &str) -> bool {
        let named: Vec<&String> =
            self.only.iter().filter(|o| compute::KERNELS.iter().any(|k| k.name == o.as_str())).collect();
        named.is_empty() || named.iter().any(|o| *o == kernel)
    }
}

fn usage() -> String {
    let kernels: Vec<&str> = compute::KERNELS.iter().map(|k| k.name).collect();
    format!(
        "usage: cwali-benches [--quick] [--only NAME[,NAME...]]\n       cwali-benches --dump KERNEL DIR   (write both engines' machine code)\n       cwali-benches --dump-wali FILE.wasm DIR   (a WALI program's code, as `cwali run` compiles it)\n       cwali-benches --run-once KERNEL N cwali|cwali-safepoints|wasmtime   (one call, for `valgrind --tool=callgrind`)\n  benchmarks: {}\n  kernels: {}",
        BENCHES.join(", "),
        kernels.join(", ")
    )
}

fn parse_args() -> Result<Opts> {
    let mut opts = Opts { quick: false, only: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => opts.quick = true,
            "--only" => match args.next() {
                Some(v) => opts.only.extend(v.split(',').filter(|s| !s.is_empty()).map(str::to_string)),
                None => bail!("--only needs a name\n{}", usage()),
            },
            "--bench" => {} // passed by `cargo bench`
            "--dump" => {
                let (Some(kernel), Some(dir)) = (args.next(), args.next()) else {
                    bail!("--dump needs a kernel and a directory\n{}", usage());
                };
                dump::dump(&kernel, std::path::Path::new(&dir))?;
                std::process::exit(0);
            }
            "--dump-wali" => {
                let (Some(wasm), Some(dir)) = (args.next(), args.next()) else {
                    bail!("--dump-wali needs a module and a directory\n{}", usage());
                };
                dump::dump_wali(std::path::Path::new(&wasm), std::path::Path::new(&dir))?;
                std::process::exit(0);
            }
            "--run-once" => {
                let (Some(kernel), Some(n), Some(engine)) = (args.next(), args.next(), args.next()) else {
                    bail!("--run-once needs a kernel, n and an engine\n{}", usage());
                };
                compute::run_once(&kernel, n.parse().context("n")?, &engine)?;
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{}", usage()),
        }
    }
    for o in &opts.only {
        if !BENCHES.contains(&o.as_str()) && !compute::KERNELS.iter().any(|k| k.name == o) {
            bail!("unknown benchmark or kernel {o:?}\n{}", usage());
        }
    }
    Ok(opts)
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{model}, nproc {cores}, Linux {}", kernel.trim())
}

fn main() -> Result<()> {
    let opts = parse_args()?;
    println!("# cwali benchmarks{}", if opts.quick { " (--quick)" } else { "" });
    println!();
    println!("Machine: {}; load average {} at start.", machine(), stats::loadavg());
    println!("Native compiler: {}.", env!("BENCH_NATIVE_CC"));
    let started = std::time::Instant::now();
    let mut failed = Vec::new();
    for &bench in BENCHES {
        if !opts.bench_selected(bench) {
            continue;
        }
        let result = match bench {
            "compute" => compute::compute(&opts),
            "simd" => compute::simd(&opts),
            "compile" => compile::compile(&opts),
            "syscalls" => process::syscalls(&opts),
            "instantiate" => instantiate::instantiate(&opts),
            "startup" => process::startup(&opts),
            "safepoints" => compute::safepoints(&opts),
            "settings" => settings::settings(&opts),
            "exceptions" => exceptions::exceptions(&opts),
            "apps" => apps::apps(&opts),
            "sandbox" => sandbox::sandbox(&opts),
            "serve" => serve::serve(&opts),
            _ => unreachable!(),
        };
        if let Err(e) = result {
            eprintln!("\n{bench}: FAILED: {e:#}");
            failed.push(bench);
        }
    }
    println!("\nTotal {:.0} s; load average {} at the end.", started.elapsed().as_secs_f64(), stats::loadavg());
    if !failed.is_empty() {
        bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}
