//! `settings`: the Cranelift settings cwali exposes, measured against its defaults
//! (`opt_level = speed`, `regalloc_algorithm = backtracking`): single-threaded compile time of
//! the generated module of `compile`, and the compute kernels' run time (paired per kernel with
//! the default build, geometric mean over kernels).

use std::time::Instant;

use anyhow::{Context, Result};

use crate::Opts;
use crate::compute::{KERNELS, Runner, cwali_runner, measure};
use crate::stats::{Table, fmt_num, fmt_ratio, geomean, loadavg, median, paired_ratio};

/// (label, opt_level, regalloc)
const VARIANTS: &[(&str, &str, &str)] = &[
    ("speed + backtracking (default)", "speed", "backtracking"),
    ("speed_and_size + backtracking", "speed_and_size", "backtracking"),
    ("none + backtracking", "none", "backtracking"),
    ("speed + single_pass", "speed", "single_pass"),
];

fn config(opt_level: &str, regalloc: &str) -> cwali_rt::Config {
    cwali_rt::Config {
        opt_level: opt_level.to_string(),
        regalloc: regalloc.to_string(),
        parallel: false,
        ..Default::default()
    }
}

pub fn settings(opts: &Opts) -> Result<()> {
    let (reps, compile_reps, target) = if opts.quick { (3, 1, 256 << 10) } else { (11, 3, 3 << 20) };
    let load_before = loadavg();
    let (wasm, nfuncs) = crate::compile::generate(target, 0x5eed_c0de);

    // Compile time, interleaved across variants.
    let engines: Vec<cwali_rt::Engine> = VARIANTS.iter().map(|(_, o, r)| cwali_rt::Engine::new(config(o, r))).collect();
    let mut secs = vec![Vec::new(); VARIANTS.len()];
    for rep in 0..compile_reps {
        for i in 0..VARIANTS.len() {
            let v = (i + rep) % VARIANTS.len();
            let start = Instant::now();
            cwali_rt::Module::new(&engines[v], &wasm).context("compiling the generated module")?;
            secs[v].push(start.elapsed().as_secs_f64());
        }
    }

    // Run time of each kernel: default vs variant, paired per repetition.
    let mut run_ratios = vec![Vec::new(); VARIANTS.len()];
    let mut names = Vec::new();
    for k in KERNELS.iter().filter(|k| opts.kernel_selected(k.name)) {
        names.push(k.name);
        let n = if opts.quick { k.quick_n } else { k.n };
        let mut contenders: Vec<(&str, Runner)> = Vec::new();
        for (label, o, r) in VARIANTS {
            contenders.push((label, cwali_runner(k, config(o, r))?));
        }
        let runs = measure(k, n, &mut contenders, reps)?;
        for (v, ratios) in run_ratios.iter_mut().enumerate() {
            ratios.push(paired_ratio(&runs[v], &runs[0]));
        }
    }

    let mib = wasm.len() as f64 / (1 << 20) as f64;
    let mut table = Table::new(
        "Cranelift settings: compile time and run time against cwali's defaults",
        &["opt_level + regalloc", "compile s", "compile vs default", "run time vs default (geomean)"],
    );
    let base = median(&secs[0]);
    for (v, (label, _, _)) in VARIANTS.iter().enumerate() {
        table.row(vec![
            label.to_string(),
            fmt_num(median(&secs[v])),
            fmt_ratio(median(&secs[v]) / base),
            fmt_ratio(geomean(&run_ratios[v])),
        ]);
    }
    table.note(format!(
        "Compile: `Module::new` of the generated {mib:.1} MiB module ({nfuncs} functions) on one thread, median of \
         {compile_reps}. Run time: the compute kernels, median of {reps} interleaved runs each, ratio to the default \
         build paired per repetition, geometric mean over {} kernels. Load average {load_before} before, {} after.",
        run_ratios[0].len(),
        loadavg()
    ));
    table.print();

    let mut header = vec!["kernel".to_string()];
    header.extend(VARIANTS[1..].iter().map(|(label, _, _)| label.to_string()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut per_kernel = Table::new("Cranelift settings: run time of each kernel against the defaults", &header);
    for (i, name) in names.iter().enumerate() {
        let mut row = vec![name.to_string()];
        row.extend(run_ratios[1..].iter().map(|r| fmt_ratio(r[i])));
        per_kernel.row(row);
    }
    per_kernel.print();
    Ok(())
}
