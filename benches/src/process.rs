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

/// One program of the start-up benchmark: its native build (if there is one) and its Wasm
/// build, run with the same arguments.
struct StartupProgram {
    name: String,
    native: Option<PathBuf>,
    wasm: PathBuf,
    args: Vec<String>,
}

/// The programs: hello, the apps (`tests/apps/wasm/{lua,sqlite,all}.wasm`, natives from
/// `tests/apps/build.sh` in `target/apps-native/gcc/`), and one given by `CWALI_STARTUP_WASM`
/// (arguments in `CWALI_STARTUP_ARGS`, split at spaces; native build in `CWALI_STARTUP_NATIVE`).
fn startup_programs() -> (Vec<StartupProgram>, Vec<String>) {
    let mut programs = vec![StartupProgram {
        name: "hello".into(),
        native: Some(PathBuf::from(env!("BENCH_NATIVE_HELLO"))),
        wasm: workspace().join("tests/guests/wasm/hello.wasm"),
        args: Vec::new(),
    }];
    let mut missing = Vec::new();
    // Lua runs an empty script, SQLite one query on an in-memory database: start-up and exit;
    // `all` (the four apps in one 2.2 MiB program) runs the same SQLite query.
    for (name, args) in [
        ("lua", vec!["/dev/null"]),
        ("sqlite", vec![":memory:", "select 1;"]),
        ("all", vec!["sqlite", ":memory:", "select 1;"]),
    ] {
        let wasm = workspace().join(format!("tests/apps/wasm/{name}.wasm"));
        if !wasm.is_file() {
            missing.push(format!("{} (not built)", wasm.display()));
            continue;
        }
        let native = workspace().join(format!("target/apps-native/gcc/{name}"));
        if !native.is_file() {
            missing.push(format!("{} (run tests/apps/build.sh for the native build)", native.display()));
        }
        let args = args.into_iter().map(str::to_string).collect();
        programs.push(StartupProgram { name: name.into(), native: native.is_file().then_some(native), wasm, args });
    }
    if let Some(wasm) = std::env::var_os("CWALI_STARTUP_WASM") {
        let wasm = PathBuf::from(wasm);
        let args = std::env::var("CWALI_STARTUP_ARGS").unwrap_or_default();
        programs.push(StartupProgram {
            name: wasm.file_stem().unwrap_or_default().to_string_lossy().into_owned(),
            native: std::env::var_os("CWALI_STARTUP_NATIVE").map(PathBuf::from),
            args: args.split_whitespace().map(str::to_string).collect(),
            wasm,
        });
    }
    (programs, missing)
}

pub fn startup(opts: &Opts) -> Result<()> {
    let reps = if opts.quick { 7 } else { 31 };
    let copy = InstalledCopy::of(&cwali_bin()?)?;
    let cwali = copy.0.clone();
    let load_before = loadavg();
    let (programs, missing) = startup_programs();
    // Per program: native (if built), `cwali run` with its code cache warm, and `--no-cache`.
    let mut rows: Vec<(String, PathBuf, Vec<String>, usize)> = Vec::new(); // name, program, args, native row
    for p in &programs {
        let native_row = rows.len();
        if let Some(native) = &p.native {
            rows.push((format!("native {}", p.name), native.clone(), p.args.clone(), native_row));
        }
        let file = p.wasm.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for (label, extra) in [("cwali run", None), ("cwali run --no-cache", Some("--no-cache"))] {
            let mut args = vec!["run".to_string()];
            args.extend(extra.map(str::to_string));
            args.push(p.wasm.display().to_string());
            args.extend(p.args.iter().cloned());
            let native = if p.native.is_some() { native_row } else { usize::MAX };
            rows.push((format!("{label} {file}"), cwali.clone(), args, native));
        }
    }
    // Fill the cache, then, once its entries have settled (a file changed within the last 2 s
    // gets no record, see `cwali_rt`'s `code_cache`), run again to write the records that let
    // later runs skip reading the module.
    for _ in 0..2 {
        for (name, program, args, _) in &rows {
            let out = Command::new(program).args(args).stdin(Stdio::null()).output()?;
            if !out.status.success() {
                bail!("{name} failed: {} {}", out.status, String::from_utf8_lossy(&out.stderr));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2200));
    }
    let n = rows.len();
    let (mut wall, mut rss, mut cpu) = (vec![Vec::new(); n], vec![Vec::new(); n], vec![Vec::new(); n]);
    for rep in 0..reps {
        for i in 0..n {
            let c = (i + rep) % n;
            let (w, r, t) = probe(&rows[c].1, &rows[c].2)?;
            wall[c].push(w);
            rss[c].push(r);
            cpu[c].push(t);
        }
    }
    let mut table = Table::new(
        "Start-up: `cwali run` of hello and real programs vs their native builds",
        &["program", "wall ms", "CPU ms", "peak RSS MiB", "wall vs native"],
    );
    for (c, (name, _, _, native)) in rows.iter().enumerate() {
        let ratio = if *native == usize::MAX || *native == c {
            if *native == c { "1.00".to_string() } else { "-".to_string() }
        } else {
            fmt_ratio(paired_ratio(&wall[c], &wall[*native]))
        };
        table.row(vec![
            name.clone(),
            fmt_num(median(&wall[c])),
            fmt_num(median(&cpu[c])),
            fmt_num(median(&rss[c]) / 1024.0),
            ratio,
        ]);
    }
    let sizes: Vec<String> = programs
        .iter()
        .map(|p| {
            format!("{} {:.2} MiB", p.name, std::fs::metadata(&p.wasm).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0)
        })
        .collect();
    table.note(format!(
        "Median of {reps} interleaved runs (ratio: median of per-repetition ratios), each spawned by `native/spawn-probe.c`: wall time from \
         fork to wait4; CPU (user + system, all threads) and peak RSS (ru_maxrss) from wait4's rusage. `cwali run` is a copy of \
         the release binary (as installed, not as just linked) and uses its on-disk code cache (filled, and its records written, \
         before timing); `--no-cache` compiles every time. Module sizes: {}. Lua runs an empty script, SQLite `select 1;` on \
         `:memory:`.{} Load average {load_before} before, {} after.",
        sizes.join(", "),
        if missing.is_empty() { String::new() } else { format!(" Not measured: {}.", missing.join(", ")) },
        loadavg()
    ));
    table.print();
    Ok(())
}
