//! Differential testing of cwali against Wasmtime.
//!
//! A *seed* determines everything: the wasm-smith module ([`generate::module_for_seed`]), the
//! cwali configuration it runs under ([`Variant::for_seed`]) and every call argument. For each
//! seed the [`Session`] instantiates the module in Wasmtime (the reference,
//! [`wasmtime_runner`]) and in cwali ([`cwali_runner`]), calls every exported function in
//! export order with the same arguments, and compares ([`compare`]):
//!
//! - instantiation: success, or the same trap from data/element initialisation or `start`;
//! - every call: the same results (floats bit-exact: NaNs are canonicalized by the generator;
//!   funcrefs only null vs non-null; externrefs by the id the harness gave them), or the same
//!   trap kind;
//! - afterwards, every exported memory (bytes), global (value) and table (elements).
//!
//! Stack overflow is the one trap whose *depth* legitimately differs (frame sizes are the
//! compilers' business): if only one engine overflows, the case ends as
//! [`Verdict::StackDepth`], counted but not a failure. Everything else that differs is a
//! [`Divergence`]; [`Session::run_seed`] writes `<seed>.wasm` and `<seed>.txt` (the report
//! with the module as WAT) to [`failure_dir`].
//!
//! Modules terminate: wasm-smith's `ensure_termination` adds a fuel global that traps with
//! `unreachable` when exhausted, the same way in both engines; the generator adds an exported
//! function that refills it ([`generate::FUEL_RESET_EXPORT`]), which the harness calls before
//! every call. `memory.atomic.wait` timeouts are rewritten to 0 so that nothing blocks.

pub mod compare;
pub mod cwali_runner;
pub mod generate;
pub mod rng;
pub mod runner;
pub mod shape;
pub mod value;
pub mod wasmtime_runner;

use std::path::PathBuf;

pub use compare::{CaseReport, Divergence, Stats, Verdict, compare_module};
pub use cwali_runner::CwaliRunner;
pub use generate::{module_for_seed, smith_config, to_wat};
pub use runner::Runner;
pub use wasmtime_runner::WasmtimeRunner;

use cwali_rt::BoundsChecks;

/// A cwali configuration a module runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub bounds_checks: BoundsChecks,
    pub optimize: bool,
    /// Compiled with safe points (as `cwali run` compiles WALI programs): polls, the pinned
    /// register, the entry-poll analysis. No safepoint is requested, so results must not change.
    pub safepoints: bool,
}

impl Variant {
    /// Every variant, in the order seeds cycle through them.
    pub const ALL: [Variant; 8] = [
        Variant { bounds_checks: BoundsChecks::Guard, optimize: true, safepoints: false },
        Variant { bounds_checks: BoundsChecks::Explicit, optimize: true, safepoints: false },
        Variant { bounds_checks: BoundsChecks::Guard, optimize: false, safepoints: false },
        Variant { bounds_checks: BoundsChecks::Explicit, optimize: false, safepoints: false },
        Variant { bounds_checks: BoundsChecks::Guard, optimize: true, safepoints: true },
        Variant { bounds_checks: BoundsChecks::Explicit, optimize: true, safepoints: true },
        Variant { bounds_checks: BoundsChecks::Guard, optimize: false, safepoints: true },
        Variant { bounds_checks: BoundsChecks::Explicit, optimize: false, safepoints: true },
    ];

    /// Seeds cycle through guard-region and explicit bounds checks, optimized and unoptimized
    /// code, and with and without safe points.
    pub fn for_seed(seed: u64) -> Variant {
        Variant::ALL[(seed % Variant::ALL.len() as u64) as usize]
    }

    pub fn label(self) -> String {
        let bounds = match self.bounds_checks {
            BoundsChecks::Guard => "guard",
            BoundsChecks::Explicit => "explicit",
        };
        let safepoints = if self.safepoints { ",safepoints" } else { "" };
        format!("cwali[{bounds},{}{safepoints}]", if self.optimize { "speed" } else { "none" })
    }

    pub fn config(self) -> cwali_rt::Config {
        cwali_rt::Config {
            bounds_checks: self.bounds_checks,
            opt_level: if self.optimize { "speed" } else { "none" }.to_string(),
            safepoints: self.safepoints,
            parallel: false,
            ..cwali_rt::Config::default()
        }
    }
}

/// Where divergent modules and their reports go: `target/diff-failures`.
pub fn failure_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("diff-failures")
}

/// The full text of a divergence report.
pub fn report(seed: Option<u64>, variant: &str, wasm: &[u8], d: &Divergence) -> String {
    let mut s = String::new();
    if let Some(seed) = seed {
        s += &format!("seed: {seed}\n");
    }
    s += &format!("configuration: {variant}\nclass: {}\n\n{}\n", d.class, d.detail);
    if !d.history.is_empty() {
        s += "\ncalls (reference outcomes):\n";
        for h in &d.history {
            s += &format!("  {h}\n");
        }
    }
    s += "\nmodule:\n";
    s += &to_wat(wasm);
    s
}

/// Save a failing module and its report; returns the report's path.
pub fn save_failure(name: &str, wasm: &[u8], report: &str) -> std::io::Result<PathBuf> {
    let dir = failure_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.wasm")), wasm)?;
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, report)?;
    Ok(path)
}

/// What one seed did.
#[derive(Debug, Clone)]
pub struct SeedOutcome {
    pub seed: u64,
    pub variant: Variant,
    pub report: CaseReport,
    /// Where the divergence report was written, for divergences.
    pub saved: Option<PathBuf>,
}

/// Wasmtime plus one cwali engine per [`Variant`], reused across seeds.
pub struct Session {
    pub wasmtime: WasmtimeRunner,
    pub cwali: Vec<CwaliRunner>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            wasmtime: WasmtimeRunner::new(),
            cwali: Variant::ALL.iter().map(|v| CwaliRunner::new(v.label(), v.config())).collect(),
        }
    }

    /// Compare `wasm` under `variant`, with arguments drawn from `arg_seed`.
    pub fn run_wasm(&mut self, wasm: &[u8], arg_seed: u64, variant: Variant) -> CaseReport {
        let index = Variant::ALL.iter().position(|v| *v == variant).expect("a known variant");
        compare_module(wasm, arg_seed, &mut self.wasmtime, &mut self.cwali[index])
    }

    /// Generate the module for `seed` and compare it; a divergence is saved to [`failure_dir`].
    pub fn run_seed(&mut self, seed: u64) -> SeedOutcome {
        let variant = Variant::for_seed(seed);
        let wasm = match module_for_seed(seed) {
            Ok(w) => w,
            Err(e) => {
                let verdict = Verdict::Skipped(format!("generation failed: {e:#}"));
                let report = CaseReport { verdict, stats: Stats::default() };
                return SeedOutcome { seed, variant, report, saved: None };
            }
        };
        let report = self.run_wasm(&wasm, seed, variant);
        let saved = match &report.verdict {
            Verdict::Divergence(d) => {
                let text = self::report(Some(seed), &variant.label(), &wasm, d);
                save_failure(&seed.to_string(), &wasm, &text).ok()
            }
            _ => None,
        };
        SeedOutcome { seed, variant, report, saved }
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}
