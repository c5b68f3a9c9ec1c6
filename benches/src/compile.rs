//! Benchmark 2: compile a large generated module with cwali and Wasmtime, on one thread and on
//! all cores.
//!
//! The module is generated here with `wasm-encoder` from a fixed seed: thousands of functions of
//! three signatures with structured control flow (nested counted loops with early exits, if/else,
//! `br_table` switches), integer and float arithmetic, loads and stores, and calls to earlier
//! functions. Its code is never run; only compiled.

use std::time::Instant;

use anyhow::{Context, Result};
use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, Ieee64, InstructionSink, MemArg,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};

use crate::stats::{Table, fmt_num, fmt_ratio, loadavg, median, paired_ratio};
use crate::{Opts, WasmtimeResult};

/// Parameter and result types of the three signatures.
const SIGS: [(&[ValType], ValType); 3] = [
    (&[ValType::I32, ValType::I32], ValType::I32),
    (&[ValType::I32, ValType::I64], ValType::I64),
    (&[ValType::F64, ValType::I32], ValType::F64),
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u32) -> u32 {
        ((self.next() >> 32) % n as u64) as u32
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

/// Local indices of one function by type (parameters included), plus loop counters.
struct Locals {
    i32s: Vec<u32>,
    i64s: Vec<u32>,
    f64s: Vec<u32>,
    counters: [u32; 3],
}

struct FuncGen<'a> {
    rng: &'a mut Rng,
    locals: Locals,
    /// Earlier functions: (index, signature).
    callees: &'a [(u32, usize)],
    depth: u32,
}

fn memarg(offset: u64, align: u32) -> MemArg {
    MemArg { offset, align, memory_index: 0 }
}

impl FuncGen<'_> {
    fn pick(&mut self, v: &[u32]) -> u32 {
        v[self.rng.below(v.len() as u32) as usize]
    }

    fn addr(&mut self, f: &mut InstructionSink, align_mask: i32) {
        self.i32_expr(f, 1);
        f.i32_const(0xfff0 & align_mask).i32_and();
    }

    fn i32_expr(&mut self, f: &mut InstructionSink, d: u32) {
        if d == 0 || self.rng.chance(25) {
            if self.rng.chance(70) {
                let l = self.pick(&self.locals.i32s.clone());
                f.local_get(l);
            } else {
                f.i32_const(self.rng.below(1 << 16) as i32 - (1 << 15));
            }
            return;
        }
        match self.rng.below(12) {
            0..=5 => {
                self.i32_expr(f, d - 1);
                self.i32_expr(f, d - 1);
                match self.rng.below(9) {
                    0 => f.i32_add(),
                    1 => f.i32_sub(),
                    2 => f.i32_mul(),
                    3 => f.i32_and(),
                    4 => f.i32_or(),
                    5 => f.i32_xor(),
                    6 => f.i32_shl(),
                    7 => f.i32_shr_u(),
                    _ => f.i32_rotl(),
                };
            }
            6 => {
                self.i32_expr(f, d - 1);
                self.i32_expr(f, d - 1);
                match self.rng.below(4) {
                    0 => f.i32_lt_s(),
                    1 => f.i32_eq(),
                    2 => f.i32_gt_u(),
                    _ => f.i32_ne(),
                };
            }
            7 | 8 => {
                self.addr(f, !3);
                let off = self.rng.below(64) as u64 * 4;
                f.i32_load(memarg(off, 2));
            }
            9 => {
                self.i64_expr(f, d - 1);
                f.i32_wrap_i64();
            }
            10 => {
                self.f64_expr(f, d - 1);
                f.i32_trunc_sat_f64_s();
            }
            _ => {
                self.i32_expr(f, d - 1);
                self.i32_expr(f, d - 1);
                self.i32_expr(f, d - 1);
                f.select();
            }
        }
    }

    fn i64_expr(&mut self, f: &mut InstructionSink, d: u32) {
        if d == 0 || self.rng.chance(30) {
            if self.rng.chance(70) {
                let l = self.pick(&self.locals.i64s.clone());
                f.local_get(l);
            } else {
                f.i64_const(self.rng.next() as i64 >> 20);
            }
            return;
        }
        match self.rng.below(6) {
            0..=2 => {
                self.i64_expr(f, d - 1);
                self.i64_expr(f, d - 1);
                match self.rng.below(4) {
                    0 => f.i64_add(),
                    1 => f.i64_mul(),
                    2 => f.i64_xor(),
                    _ => f.i64_shr_u(),
                };
            }
            3 | 4 => {
                self.i32_expr(f, d - 1);
                f.i64_extend_i32_u();
            }
            _ => {
                self.addr(f, !7);
                f.i64_load(memarg(self.rng.below(32) as u64 * 8, 3));
            }
        }
    }

    fn f64_expr(&mut self, f: &mut InstructionSink, d: u32) {
        if d == 0 || self.rng.chance(30) {
            if self.rng.chance(70) {
                let l = self.pick(&self.locals.f64s.clone());
                f.local_get(l);
            } else {
                f.f64_const(Ieee64::from(self.rng.below(1000) as f64 * 0.125));
            }
            return;
        }
        match self.rng.below(7) {
            0..=3 => {
                self.f64_expr(f, d - 1);
                self.f64_expr(f, d - 1);
                match self.rng.below(4) {
                    0 => f.f64_add(),
                    1 => f.f64_mul(),
                    2 => f.f64_sub(),
                    _ => f.f64_div(),
                };
            }
            4 => {
                self.i32_expr(f, d - 1);
                f.f64_convert_i32_s();
            }
            5 => {
                self.f64_expr(f, d - 1);
                f.f64_sqrt();
            }
            _ => {
                self.addr(f, !7);
                f.f64_load(memarg(self.rng.below(32) as u64 * 8, 3));
            }
        }
    }

    fn stmts(&mut self, f: &mut InstructionSink, n: u32) {
        for _ in 0..n {
            self.stmt(f);
        }
    }

    fn stmt(&mut self, f: &mut InstructionSink) {
        let nested = self.depth < 3;
        match self.rng.below(100) {
            0..=29 => {
                self.i32_expr(f, 3);
                let l = self.pick(&self.locals.i32s.clone());
                f.local_set(l);
            }
            30..=37 => {
                self.i64_expr(f, 3);
                let l = self.pick(&self.locals.i64s.clone());
                f.local_set(l);
            }
            38..=45 => {
                self.f64_expr(f, 3);
                let l = self.pick(&self.locals.f64s.clone());
                f.local_set(l);
            }
            46..=55 => {
                self.addr(f, !3);
                self.i32_expr(f, 2);
                f.i32_store(memarg(self.rng.below(64) as u64 * 4, 2));
            }
            56..=59 => {
                self.addr(f, !7);
                self.f64_expr(f, 2);
                f.f64_store(memarg(self.rng.below(32) as u64 * 8, 3));
            }
            60..=71 if nested => {
                self.i32_expr(f, 2);
                f.if_(BlockType::Empty);
                self.depth += 1;
                let n = 1 + self.rng.below(3);
                self.stmts(f, n);
                if self.rng.chance(50) {
                    f.else_();
                    let n = 1 + self.rng.below(3);
                    self.stmts(f, n);
                }
                self.depth -= 1;
                f.end();
            }
            72..=81 if nested => {
                // for (c = 0; c < K; c++) { body; if (cond) break; }
                let c = self.locals.counters[self.depth as usize];
                f.i32_const(0).local_set(c).block(BlockType::Empty).loop_(BlockType::Empty);
                self.depth += 1;
                let n = 1 + self.rng.below(4);
                self.stmts(f, n);
                if self.rng.chance(40) {
                    self.i32_expr(f, 2);
                    f.br_if(1);
                }
                self.depth -= 1;
                let k = 2 + self.rng.below(200) as i32;
                f.local_get(c).i32_const(1).i32_add().local_tee(c).i32_const(k).i32_lt_u().br_if(0).end().end();
            }
            82..=91 if !self.callees.is_empty() => {
                let (callee, sig) = self.callees[self.rng.below(self.callees.len() as u32) as usize];
                for p in SIGS[sig].0 {
                    match p {
                        ValType::I32 => self.i32_expr(f, 1),
                        ValType::I64 => self.i64_expr(f, 1),
                        _ => self.f64_expr(f, 1),
                    }
                }
                f.call(callee);
                let l = match SIGS[sig].1 {
                    ValType::I32 => self.pick(&self.locals.i32s.clone()),
                    ValType::I64 => self.pick(&self.locals.i64s.clone()),
                    _ => self.pick(&self.locals.f64s.clone()),
                };
                f.local_set(l);
            }
            92..=99 if nested => {
                // switch (e) { case 0: s; case 1: s; default: s } (with fall-through)
                f.block(BlockType::Empty).block(BlockType::Empty).block(BlockType::Empty);
                self.i32_expr(f, 2);
                f.br_table([0, 1], 2).end();
                self.depth += 1;
                self.stmt(f);
                f.end();
                self.stmt(f);
                self.depth -= 1;
                f.end();
            }
            _ => {
                self.i32_expr(f, 2);
                let l = self.pick(&self.locals.i32s.clone());
                f.local_set(l);
            }
        }
    }
}

/// A module of at least `target_bytes` of code; returns the bytes and the number of functions.
pub fn generate(target_bytes: usize, seed: u64) -> (Vec<u8>, u32) {
    let mut rng = Rng(seed | 1);
    let mut types = TypeSection::new();
    for (params, result) in SIGS {
        types.ty().function(params.iter().copied(), [result]);
    }
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut callees: Vec<(u32, usize)> = Vec::new();
    let mut code_bytes = 0;
    let mut index = 0u32;
    while code_bytes < target_bytes {
        let sig = rng.below(SIGS.len() as u32) as usize;
        let (params, result) = SIGS[sig];
        // Declared locals: 4 i32, 2 i64, 2 f64, 3 i32 loop counters.
        let base = params.len() as u32;
        let mut locals = Locals {
            i32s: (base..base + 4).collect(),
            i64s: vec![base + 4, base + 5],
            f64s: vec![base + 6, base + 7],
            counters: [base + 8, base + 9, base + 10],
        };
        for (i, p) in params.iter().enumerate() {
            match p {
                ValType::I32 => locals.i32s.push(i as u32),
                ValType::I64 => locals.i64s.push(i as u32),
                _ => locals.f64s.push(i as u32),
            }
        }
        let mut func = Function::new([(4, ValType::I32), (2, ValType::I64), (2, ValType::F64), (3, ValType::I32)]);
        let window = &callees[callees.len().saturating_sub(64)..];
        let mut g = FuncGen { rng: &mut rng, locals, callees: window, depth: 0 };
        {
            let mut f = func.instructions();
            let n = 4 + g.rng.below(20);
            g.stmts(&mut f, n);
            match result {
                ValType::I32 => g.i32_expr(&mut f, 3),
                ValType::I64 => g.i64_expr(&mut f, 3),
                _ => g.f64_expr(&mut f, 3),
            }
            f.end();
        }
        code_bytes += func.byte_len();
        funcs.function(sig as u32);
        code.function(&func);
        callees.push((index, sig));
        index += 1;
    }
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("f0", ExportKind::Func, 0);
    exports.export("last", ExportKind::Func, index - 1);
    let mut module = Module::new();
    module.section(&types).section(&funcs).section(&memories).section(&exports).section(&code);
    (module.finish(), index)
}

/// Compiles a module (and drops it).
type Compiler = Box<dyn Fn(&[u8]) -> Result<()>>;

pub fn compile(opts: &Opts) -> Result<()> {
    let (reps, target) = if opts.quick { (1, 512 << 10) } else { (3, 3 << 20) };
    let (wasm, nfuncs) = generate(target, 0x5eed_c0de);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let load_before = loadavg();

    // Engines: (name, threads, compile function).
    let mut contenders: Vec<(&str, usize, Compiler)> = Vec::new();
    for parallel in [false, true] {
        let threads = if parallel { cores } else { 1 };
        let engine = cwali_rt::Engine::new(cwali_rt::Config { parallel, ..Default::default() });
        contenders.push((
            "cwali",
            threads,
            Box::new(move |bytes| cwali_rt::Module::new(&engine, bytes).map(drop).context("cwali compile")),
        ));
        let mut config = wasmtime::Config::new();
        config.parallel_compilation(parallel);
        let engine = wasmtime::Engine::new(&config).wt()?;
        contenders.push((
            "wasmtime",
            threads,
            Box::new(move |bytes| wasmtime::Module::new(&engine, bytes).map(drop).wt()),
        ));
    }
    // Warm-up (thread pools, lazy statics) on a small module.
    let small = crate::compute::KERNELS[0].wasm;
    for (_, _, c) in &contenders {
        c(small)?;
    }
    let mut secs = vec![Vec::new(); contenders.len()];
    for rep in 0..reps {
        for i in 0..contenders.len() {
            let c = (i + rep) % contenders.len();
            let start = Instant::now();
            (contenders[c].2)(&wasm)?;
            secs[c].push(start.elapsed().as_secs_f64());
        }
    }
    let med: Vec<f64> = secs.iter().map(|s| median(s)).collect();
    let mib = wasm.len() as f64 / (1 << 20) as f64;
    let mut table = Table::new(
        format!("Compilation of a generated module ({mib:.1} MiB, {nfuncs} functions)"),
        &["engine", "threads", "time s", "MiB/s", "functions/s", "time vs wasmtime"],
    );
    for (i, (name, threads, _)) in contenders.iter().enumerate() {
        let wasmtime_same = contenders.iter().position(|c| c.0 == "wasmtime" && c.1 == *threads).expect("pair");
        table.row(vec![
            name.to_string(),
            threads.to_string(),
            format!("{:.3}", med[i]),
            fmt_num(mib / med[i]),
            fmt_num(nfuncs as f64 / med[i]),
            fmt_ratio(paired_ratio(&secs[i], &secs[wasmtime_same])),
        ]);
    }
    table.note(format!(
        "Median of {reps} interleaved compilations (`cwali_rt::Module::new` with `Config.parallel` \
         false/true, `wasmtime::Module::new` with `parallel_compilation(false/true)`; both include \
         validation and making the code executable); ratio: median of per-repetition ratios. Load \
         average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
