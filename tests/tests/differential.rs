//! Differential test: cwali agrees with Wasmtime on a fixed set of wasm-smith modules.
//!
//! Each seed generates one module (see `cwali_tests::diff`), which runs under one of the four
//! cwali configurations (guard-region or explicit bounds checks × optimized or not, cycling
//! with the seed). A divergence is written to `target/diff-failures/<seed>.{wasm,txt}`; to
//! look at one seed again: `cargo run --release -p cwali-tests --bin cwali-difffuzz -- --seed N`.
//!
//! The long-running version of this test is the `cwali-difffuzz` binary.

use std::collections::BTreeMap;
use std::time::Instant;

use cwali_tests::diff::runner::InstOutcome;
use cwali_tests::diff::value::{CallOutcome, Value};
use cwali_tests::diff::{CwaliRunner, Runner, Session, Stats, Variant, Verdict, WasmtimeRunner, compare_module};

/// The seeds every `cargo test` run checks.
const SEEDS: std::ops::Range<u64> = 0..500;

#[test]
fn wasm_smith_modules_agree_with_wasmtime() {
    // Debug builds of the translator use a fair amount of native stack on top of the Wasm
    // stack budget; don't depend on the test harness's default thread size.
    let run = std::thread::Builder::new().stack_size(32 << 20).spawn(run_seeds).expect("spawn the test thread");
    if let Err(failure) = run.join().expect("the differential test thread panicked") {
        panic!("{failure}");
    }
}

fn run_seeds() -> Result<(), String> {
    let start = Instant::now();
    let mut session = Session::new();
    let mut stats = Stats::default();
    let mut stack_depth = Vec::new();
    let mut skipped = Vec::new();
    let mut gc_refused = 0;
    let mut divergences: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for seed in SEEDS {
        let outcome = session.run_seed(seed);
        stats.merge(&outcome.report.stats);
        match &outcome.report.verdict {
            Verdict::Agree => {}
            Verdict::StackDepth(why) => stack_depth.push(format!("seed {seed}: {why}")),
            // wasm-smith makes typed function references only with GC on; the seeds whose
            // module uses GC proper are counted, not failed.
            Verdict::Skipped(why) if why.contains("Wasm GC is not implemented") => gc_refused += 1,
            Verdict::Skipped(why) => skipped.push(format!("seed {seed}: {why}")),
            Verdict::Divergence(d) => {
                let path = outcome.saved.as_ref().map_or("(not saved)".to_string(), |p| p.display().to_string());
                divergences.entry(d.class.clone()).or_default().push(format!(
                    "seed {seed} ({}): {}\n    report: {path}",
                    outcome.variant.label(),
                    d.detail
                ));
            }
        }
    }
    eprintln!(
        "differential: {} seeds in {:.1}s; {}; stack-depth differences {}; skipped {}; GC modules refused {}",
        SEEDS.end - SEEDS.start,
        start.elapsed().as_secs_f64(),
        stats.summary(),
        stack_depth.len(),
        skipped.len(),
        gc_refused
    );
    for s in &stack_depth {
        eprintln!("  stack depth: {s}");
    }
    if !skipped.is_empty() {
        return Err(format!("seeds the harness could not run:\n{}", skipped.join("\n")));
    }
    if !divergences.is_empty() {
        let mut msg = String::from("cwali diverges from Wasmtime:\n");
        for (class, cases) in &divergences {
            msg += &format!("\n== {class} ({} seeds)\n", cases.len());
            for c in cases.iter().take(5) {
                msg += &format!("  {c}\n");
            }
        }
        return Err(msg);
    }
    Ok(())
}

/// One module that reaches every trap kind Wasmtime and cwali share (without the
/// function-references proposal `NullReference` is unreachable), plus the instructions whose
/// edge cases wasm-smith rarely hits. Each export is called twice with edge-heavy arguments.
const TRAPS_WAT: &str = r#"
(module
  (type $v (func))
  (type $i (func (result i32)))
  (memory 1 2)
  (table $t 2 10 funcref)
  (elem (table $t) (i32.const 0) func $ok)
  (data $d "hello")
  (func $ok (result i32) i32.const 7)
  (func (export "unreachable") unreachable)
  (func (export "memory_oob") (result i32) (i32.load (i32.const 65535)))
  (func (export "memory_oob_arg") (param i32) (result i32) (i32.load16_s offset=3 (local.get 0)))
  (func (export "store_oob") (param i32 i64) (i64.store32 offset=65533 (local.get 0) (local.get 1)))
  (func (export "fill_oob") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
  (func (export "copy_oob") (param i32 i32) (memory.copy (local.get 0) (i32.const 0) (local.get 1)))
  (func (export "init_oob") (param i32) (memory.init $d (local.get 0) (i32.const 1) (i32.const 4)))
  (func (export "drop_then_init") (data.drop $d) (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "unaligned_atomic") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "unaligned_rmw") (param i32 i64) (result i64) (i64.atomic.rmw.add (local.get 0) (local.get 1)))
  (func (export "wait_unshared") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "notify_unshared") (param i32) (result i32) (memory.atomic.notify (i32.const 0) (local.get 0)))
  (func (export "table_oob") (param i32) (result i32) (call_indirect $t (type $i) (local.get 0)))
  (func (export "call_null") (result i32) (call_indirect $t (type $i) (i32.const 1)))
  (func (export "bad_signature") (call_indirect $t (type $v) (i32.const 0)))
  (func (export "table_get_oob") (param i32) (result funcref) (table.get $t (local.get 0)))
  (func (export "table_grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "trunc_f32_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "trunc_f64_u") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
  (func (export "trunc_sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
  (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
  (func (export "externref") (param externref) (result externref) (local.get 0))
  (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
  (func (export "funcref") (result funcref) (ref.func $ok))
  ;; Last: after a stack overflow the harness stops comparing.
  (func $recurse (export "stack_overflow") (call $recurse))
)
"#;

/// Atomics on a shared memory, in a module of its own.
const SHARED_WAT: &str = r#"
(module
  (memory 1 2 shared)
  (func (export "wait_timeout") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "wait_not_equal") (result i32) (memory.atomic.wait64 (i32.const 8) (i64.const 1) (i64.const 0)))
  (func (export "wait_unaligned") (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
  (func (export "notify") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "cmpxchg") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "rmw8") (param i32 i32) (result i32) (i32.atomic.rmw8.xchg_u (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store") (param i32 i32) (i32.atomic.store16 offset=1 (local.get 0) (local.get 1)))
)
"#;

#[test]
fn every_trap_kind_agrees_with_wasmtime() {
    let wasm = wat::parse_str(TRAPS_WAT).expect("valid WAT");
    let shared = wat::parse_str(SHARED_WAT).expect("valid WAT");
    let mut session = Session::new();
    for (i, variant) in Variant::ALL.into_iter().enumerate() {
        for seed in 0..4 {
            let report = session.run_wasm(&shared, seed, variant);
            assert!(
                matches!(report.verdict, Verdict::Agree),
                "{} (shared memory): {:?}",
                variant.label(),
                report.verdict
            );
        }
        let report = session.run_wasm(&wasm, i as u64, variant);
        match &report.verdict {
            Verdict::Agree => {}
            Verdict::Divergence(d) => {
                panic!("{}: {}\n{}\ncalls:\n  {}", variant.label(), d.class, d.detail, d.history.join("\n  "))
            }
            other => panic!("{}: {other:?}", variant.label()),
        }
        let traps = &report.stats.traps;
        for kind in [
            "StackOverflow",
            "Unreachable",
            "MemoryOutOfBounds",
            "UnalignedAtomic",
            "AtomicWaitNonShared",
            "TableOutOfBounds",
            "IndirectCallToNull",
            "BadSignature",
        ] {
            assert!(traps.contains_key(kind), "{}: no {kind} trap in {traps:?}", variant.label());
        }
    }
}

/// A runner that adds one to every i32 result of the runner it wraps: the harness must notice.
struct OffByOne(CwaliRunner);

impl Runner for OffByOne {
    fn name(&self) -> String {
        "off-by-one".to_string()
    }
    fn instantiate(&mut self, wasm: &[u8]) -> InstOutcome {
        self.0.instantiate(wasm)
    }
    fn call(&mut self, func: &str, args: &[Value]) -> CallOutcome {
        self.0.call(func, args).map(|vals| {
            vals.into_iter()
                .map(|v| match v {
                    Value::I32(x) => Value::I32(x.wrapping_add(1)),
                    v => v,
                })
                .collect()
        })
    }
    fn memory(&mut self, name: &str) -> Vec<u8> {
        self.0.memory(name)
    }
    fn global(&mut self, name: &str) -> Value {
        self.0.global(name)
    }
    fn table(&mut self, name: &str) -> Vec<Value> {
        self.0.table(name)
    }
    fn reset(&mut self) {
        self.0.reset()
    }
}

#[test]
fn the_harness_notices_a_wrong_result() {
    let wasm = wat::parse_str(r#"(module (func (export "f") (param i32) (result i32) (local.get 0)))"#).unwrap();
    let variant = Variant::ALL[0];
    let mut wrong = OffByOne(CwaliRunner::new(variant.label(), variant.config()));
    let report = compare_module(&wasm, 0, &mut WasmtimeRunner::new(), &mut wrong);
    match report.verdict {
        Verdict::Divergence(d) => {
            assert!(d.class.starts_with("call: wasmtime returned / off-by-one returned"), "{d:?}")
        }
        other => panic!("expected a divergence, got {other:?}"),
    }
}
