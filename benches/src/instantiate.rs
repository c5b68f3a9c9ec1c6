//! Benchmark 4: instantiate modules over and over, in cwali and in Wasmtime: one with a 1 MiB
//! active data segment and a memory of 17 pages (64 MiB maximum), one with a C-style function
//! pointer table (10 000 elements over 5 000 functions, one active element segment).

use std::time::Instant;

use anyhow::{Context, Result, bail};
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, ExportKind, ExportSection, Function,
    FunctionSection, MemArg, MemorySection, MemoryType, Module, RefType, TableSection, TableType, TypeSection, ValType,
};

use crate::stats::{Table, fmt_num, fmt_ratio, loadavg, median, paired_ratio};
use crate::{Opts, WasmtimeResult};

const DATA_LEN: usize = 1 << 20;
const DATA_OFFSET: u32 = 1024;

/// The module: memory 17..1024 pages, 1 MiB of pseudo-random data at offset 1024, and
/// `load(i32) -> i32` (an i32 load) exported.
pub fn module_with_data() -> (Vec<u8>, Vec<u8>) {
    let mut state = 0x1234_5678u32;
    let data: Vec<u8> = (0..DATA_LEN)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 17,
        maximum: Some(1024),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("load", ExportKind::Func, 0);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instructions().local_get(0).i32_load(MemArg { offset: 0, align: 2, memory_index: 0 }).end();
    code.function(&f);
    let mut datas = DataSection::new();
    datas.active(0, &ConstExpr::i32_const(DATA_OFFSET as i32), data.iter().copied());
    let mut module = Module::new();
    module.section(&types).section(&funcs).section(&memories).section(&exports).section(&code).section(&datas);
    (module.finish(), data)
}

const TABLE_FUNCS: u32 = 5_000;
const TABLE_LEN: u32 = 10_000;

/// The module: `TABLE_FUNCS` functions `() -> i32` returning their index, a funcref table of
/// `TABLE_LEN` elements filled by one active segment (element `i` is function `i % TABLE_FUNCS`),
/// and `call(i32) -> i32` (a `call_indirect` through the table) exported.
pub fn module_with_table() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([], [ValType::I32]);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    let mut code = CodeSection::new();
    let mut f = Function::new([]);
    f.instructions().local_get(0).call_indirect(0, 1).end();
    code.function(&f);
    for i in 0..TABLE_FUNCS {
        funcs.function(1);
        let mut f = Function::new([]);
        f.instructions().i32_const(i as i32).end();
        code.function(&f);
    }
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: TABLE_LEN as u64,
        maximum: Some(TABLE_LEN as u64),
        shared: false,
    });
    let mut exports = ExportSection::new();
    exports.export("call", ExportKind::Func, 0);
    let items: Vec<u32> = (0..TABLE_LEN).map(|i| 1 + i % TABLE_FUNCS).collect();
    let mut elements = ElementSection::new();
    elements.active(None, &ConstExpr::i32_const(0), Elements::Functions(items.into()));
    let mut module = Module::new();
    module.section(&types).section(&funcs).section(&tables).section(&exports).section(&elements).section(&code);
    module.finish()
}

/// Per iteration: (µs to create the store and instantiate, µs including dropping both).
type Batch = Box<dyn FnMut(usize) -> Result<(f64, f64)>>;

pub fn instantiate(opts: &Opts) -> Result<()> {
    let (wasm, data) = module_with_data();
    let probe = DATA_OFFSET as i32 + 4096;
    let expect = i32::from_le_bytes(data[4096..4100].try_into().unwrap());
    let title = "Instantiation: 1 MiB data segment, 17 pages (64 MiB max) memory";
    run(opts, title, &wasm, "load", probe, expect)?;

    let wasm = module_with_table();
    let probe = 7_777;
    let expect = (probe as u32 % TABLE_FUNCS) as i32;
    let title = format!("Instantiation: funcref table of {TABLE_LEN} elements over {TABLE_FUNCS} functions");
    run(opts, &title, &wasm, "call", probe, expect)
}

/// Time instantiating `wasm` in both engines; the first instance of each batch must answer
/// `expect` when its export `func: (i32) -> i32` is called with `probe`.
fn run(opts: &Opts, title: &str, wasm: &[u8], func: &'static str, probe: i32, expect: i32) -> Result<()> {
    let (reps, iters) = if opts.quick { (3, 100) } else { (9, 400) };
    let load_before = loadavg();

    let engine = cwali_rt::Engine::new(cwali_rt::Config::default());
    let module = cwali_rt::Module::new(&engine, wasm).context("cwali compile")?;
    let cwali: Batch = Box::new(move |iters| {
        let (mut inst_t, mut total_t) = (0.0, 0.0);
        for i in 0..iters {
            let start = Instant::now();
            let mut store = cwali_rt::Store::new(&engine);
            let instance = cwali_rt::Instance::new(&mut store, &module, &[]).context("cwali instantiate")?;
            let t1 = start.elapsed();
            if i == 0 {
                let f = instance.get_func(func).context("no probe function")?;
                match f.call(&mut store, &[cwali_rt::Val::I32(probe)]).map_err(|t| anyhow::anyhow!("{t}"))?[..] {
                    [cwali_rt::Val::I32(v)] if v == expect => {}
                    ref other => bail!("cwali: {func}({probe}) = {other:?}, expected {expect}"),
                }
            }
            drop(instance);
            drop(store);
            let t2 = start.elapsed();
            inst_t += t1.as_secs_f64();
            total_t += t2.as_secs_f64();
        }
        Ok((inst_t * 1e6 / iters as f64, total_t * 1e6 / iters as f64))
    });

    let wt_engine = wasmtime::Engine::new(&wasmtime::Config::new()).wt()?;
    let wt_module = wasmtime::Module::new(&wt_engine, wasm).wt()?;
    let wasmtime: Batch = Box::new(move |iters| {
        let (mut inst_t, mut total_t) = (0.0, 0.0);
        for i in 0..iters {
            let start = Instant::now();
            let mut store = wasmtime::Store::new(&wt_engine, ());
            let instance = wasmtime::Instance::new(&mut store, &wt_module, &[]).wt()?;
            let t1 = start.elapsed();
            if i == 0 {
                let f = instance.get_typed_func::<i32, i32>(&mut store, func).wt()?;
                let v = f.call(&mut store, probe).wt()?;
                if v != expect {
                    bail!("wasmtime: {func}({probe}) = {v}, expected {expect}");
                }
            }
            drop(store);
            let t2 = start.elapsed();
            inst_t += t1.as_secs_f64();
            total_t += t2.as_secs_f64();
        }
        Ok((inst_t * 1e6 / iters as f64, total_t * 1e6 / iters as f64))
    });

    let mut contenders: Vec<(&str, Batch)> = vec![("cwali", cwali), ("wasmtime", wasmtime)];
    for (_, c) in contenders.iter_mut() {
        c(10)?; // warm-up
    }
    let mut inst = vec![Vec::new(); contenders.len()];
    let mut total = vec![Vec::new(); contenders.len()];
    for rep in 0..reps {
        for i in 0..contenders.len() {
            let c = (i + rep) % contenders.len();
            let (a, b) = (contenders[c].1)(iters)?;
            inst[c].push(a);
            total[c].push(b);
        }
    }
    let mut table = Table::new(
        title,
        &["engine", "instantiate µs", "instantiate + drop µs", "instantiate vs wasmtime", "with drop vs wasmtime"],
    );
    for (i, (name, _)) in contenders.iter().enumerate() {
        let (mi, mt) = (median(&inst[i]), median(&total[i]));
        let (ri, rt) = (paired_ratio(&inst[i], &inst[1]), paired_ratio(&total[i], &total[1]));
        table.row(vec![name.to_string(), fmt_num(mi), fmt_num(mt), fmt_ratio(ri), fmt_ratio(rt)]);
    }
    table.note(format!(
        "Median over {reps} interleaved batches of {iters} iterations of `Store::new` + \
         `Instance::new` (timed), then dropping both (second column); ratios: median of per-batch ratios. Wasmtime `Config::new()` \
         defaults: on-demand allocator, copy-on-write memory images, lazy table initialisation. Load average {load_before} \
         before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
