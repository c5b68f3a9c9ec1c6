//! Benchmarks 3 (syscalls from a WALI guest) and 5 (start-up of `cwali run hello.wasm`): both run
//! `target/release/cwali` as a subprocess next to the native build of the same C program.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};

use crate::Opts;
use crate::stats::{Table, fmt_num, fmt_ratio, loadavg, median, paired_diff, paired_ratio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

/// The release `cwali` binary: `$CWALI_BIN`, else `$CARGO_TARGET_DIR/release/cwali`, else the
/// workspace's `target/release/cwali`.
pub fn cwali_bin() -> Result<PathBuf> {
    let path = match std::env::var_os("CWALI_BIN") {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(t) => PathBuf::from(t).join("release/cwali"),
            None => workspace().join("target/release/cwali"),
        },
    };
    if !path.is_file() {
        bail!("{} not found: build it with `cargo build --release -p cwali` (or set CWALI_BIN)", path.display());
    }
    Ok(path)
}

/// `name total_ns calls` lines -> (name, ns per call).
fn parse_syscalls(out: &str) -> Result<Vec<(String, f64)>> {
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match f[..] {
                [name, total, calls] => Ok((name.to_string(), total.parse::<f64>()? / calls.parse::<f64>()?)),
                _ => bail!("unexpected line from the syscall guest: {l:?}"),
            }
        })
        .collect()
}

pub fn syscalls(opts: &Opts) -> Result<()> {
    let (reps, calls) = if opts.quick { (3, 50_000) } else { (7, 200_000) };
    let cwali = cwali_bin()?;
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("wasm/syscalls.wasm");
    let native = env!("BENCH_NATIVE_SYSCALLS");
    let load_before = loadavg();
    let mut results: Vec<Vec<Vec<f64>>> = vec![Vec::new(), Vec::new()]; // [native, cwali][syscall][rep]
    let mut names = Vec::new();
    for rep in 0..reps {
        for i in 0..2 {
            let c = (i + rep) % 2;
            let mut cmd = if c == 0 {
                Command::new(native)
            } else {
                let mut cmd = Command::new(&cwali);
                cmd.arg("run").arg(&guest);
                cmd
            };
            let out = cmd.arg(calls.to_string()).stdin(Stdio::null()).stderr(Stdio::null()).output()?;
            if !out.status.success() {
                bail!("{cmd:?} failed: {}", out.status);
            }
            let parsed = parse_syscalls(&String::from_utf8_lossy(&out.stdout))?;
            if names.is_empty() {
                names = parsed.iter().map(|p| p.0.clone()).collect();
                results = vec![vec![Vec::new(); names.len()]; 2];
            }
            for (j, (name, ns)) in parsed.into_iter().enumerate() {
                if name != names[j] {
                    bail!("syscall guests disagree: {name} vs {}", names[j]);
                }
                results[c][j].push(ns);
            }
        }
    }
    let mut table = Table::new(
        "Syscalls from a WALI guest loop: cwali vs native",
        &["syscall", "native ns/call", "cwali ns/call", "overhead ns", "cwali/native"],
    );
    for (j, name) in names.iter().enumerate() {
        let (n, c) = (median(&results[0][j]), median(&results[1][j]));
        let (d, r) = (paired_diff(&results[1][j], &results[0][j]), paired_ratio(&results[1][j], &results[0][j]));
        table.row(vec![name.clone(), fmt_num(n), fmt_num(c), fmt_num(d), fmt_ratio(r)]);
    }
    table.note(format!(
        "`benches/guests/syscalls.c` times {calls} calls of each with CLOCK_MONOTONIC, built to \
         wasm (WALI shape, run as `cwali run syscalls.wasm {calls}`) and natively through wali.h's \
         shims (`syscall(2)`, so natively clock_gettime is a real syscall too, no vDSO). Median of \
         {reps} interleaved process runs; overhead and ratio: medians of the per-repetition \
         differences and ratios. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}

/// Runs `program args` through the spawn probe: (wall ms, peak RSS KiB, CPU ms).
fn probe(program: &Path, args: &[String]) -> Result<(f64, f64, f64)> {
    let out = Command::new(env!("BENCH_SPAWN_PROBE")).arg(program).args(args).stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("{} {args:?} failed", program.display());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().collect::<Vec<_>>()[..] {
        [ns, kib, cpu] => Ok((ns.parse::<f64>()? / 1e6, kib.parse::<f64>()?, cpu.parse::<f64>()? / 1e6)),
        _ => bail!("spawn-probe printed {text:?}"),
    }
}

/// A copy of `bin` in the temp directory, removed on drop. A binary the linker has just written
/// sits in the page cache in small pieces (lld writes through a shared mapping), which makes the
/// page faults of every exec slower than for an installed copy: ~0.2 ms more CPU for
/// `cwali run hello.wasm` on the machine of docs/benchmarks.md.
struct InstalledCopy(PathBuf);

impl InstalledCopy {
    fn of(bin: &Path) -> Result<InstalledCopy> {
        let copy = std::env::temp_dir().join(format!("cwali-startup-bench.{}", std::process::id()));
        std::fs::copy(bin, &copy)?;
        Ok(InstalledCopy(copy))
    }
}

impl Drop for InstalledCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn startup(opts: &Opts) -> Result<()> {
    let reps = if opts.quick { 7 } else { 31 };
    let copy = InstalledCopy::of(&cwali_bin()?)?;
    let cwali = copy.0.clone();
    let hello = workspace().join("tests/guests/wasm/hello.wasm").display().to_string();
    let native = PathBuf::from(env!("BENCH_NATIVE_HELLO"));
    let load_before = loadavg();
    // The CLI keeps compiled code in an on-disk cache (default on): measure the cached run (the
    // check below fills the cache) and, where the binary has `--no-cache`, the compiling one.
    let help = Command::new(&cwali).args(["run", "--help"]).output()?;
    let has_no_cache = String::from_utf8_lossy(&help.stdout).contains("--no-cache");
    let mut programs: Vec<(String, &Path, Vec<String>)> = vec![
        ("native hello".to_string(), &native, Vec::new()),
        ("cwali run hello.wasm".to_string(), &cwali, vec!["run".to_string(), hello.clone()]),
    ];
    if has_no_cache {
        programs.push((
            "cwali run --no-cache hello.wasm".to_string(),
            &cwali,
            vec!["run".to_string(), "--no-cache".to_string(), hello.clone()],
        ));
    }
    for (name, program, args) in &programs {
        let out = Command::new(program).args(args).output()?;
        if !out.status.success() || out.stdout != b"hello from wali\n" {
            bail!("{name} printed {:?} ({})", String::from_utf8_lossy(&out.stdout), out.status);
        }
    }
    let (mut wall, mut rss, mut cpu) =
        (vec![Vec::new(); programs.len()], vec![Vec::new(); programs.len()], vec![Vec::new(); programs.len()]);
    for rep in 0..reps {
        for i in 0..programs.len() {
            let c = (i + rep) % programs.len();
            let (w, r, t) = probe(programs[c].1, &programs[c].2)?;
            wall[c].push(w);
            rss[c].push(r);
            cpu[c].push(t);
        }
    }
    let mut table = Table::new(
        "Start-up: `cwali run hello.wasm` vs native hello",
        &["program", "wall ms", "CPU ms", "peak RSS MiB", "wall vs native"],
    );
    for (c, (name, _, _)) in programs.iter().enumerate() {
        let w = median(&wall[c]);
        table.row(vec![
            name.clone(),
            fmt_num(w),
            fmt_num(median(&cpu[c])),
            fmt_num(median(&rss[c]) / 1024.0),
            fmt_ratio(paired_ratio(&wall[c], &wall[0])),
        ]);
    }
    table.note(format!(
        "Median of {reps} interleaved runs (ratio: median of per-repetition ratios), each spawned by `native/spawn-probe.c`: wall time from \
         fork to wait4; CPU (user + system, all threads) and peak RSS (ru_maxrss) from wait4's rusage. `cwali run` is a copy of \
         the release binary (as installed, not as just linked) and uses its on-disk code cache (filled by a first run); \
         `--no-cache` compiles every time. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
