//! Benchmarks 3 (syscalls from a WALI guest) and 5 (start-up of `cwali run hello.wasm`): both run
//! `target/release/cwali` as a subprocess next to the native build of the same C program.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::Opts;
use crate::stats::{Table, fmt_num, fmt_ratio, loadavg, median};

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

/// One finished child: wall seconds, peak RSS in KiB, stdout.
struct Finished {
    wall: f64,
    maxrss_kib: i64,
    stdout: String,
}

/// Runs `cmd` to completion; its rusage comes from wait4 on exactly this child.
fn run_measured(cmd: &mut Command, capture: bool) -> Result<Finished> {
    cmd.stdin(Stdio::null()).stdout(if capture { Stdio::piped() } else { Stdio::null() });
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("spawning {cmd:?}"))?;
    let stdout = match child.stdout.take() {
        Some(mut out) => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut out, &mut s)?;
            s
        }
        None => String::new(),
    };
    let mut status = 0;
    // SAFETY: plain wait4 on our own child, which std has not reaped (we never call wait on it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    if r != pid {
        bail!("wait4: {}", std::io::Error::last_os_error());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{cmd:?} failed with wait status {status:#x}");
    }
    Ok(Finished { wall, maxrss_kib: usage.ru_maxrss, stdout })
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
            cmd.arg(calls.to_string()).stderr(Stdio::null());
            let out = run_measured(&mut cmd, true)?;
            let parsed = parse_syscalls(&out.stdout)?;
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
        table.row(vec![name.clone(), fmt_num(n), fmt_num(c), fmt_num(c - n), fmt_ratio(c / n)]);
    }
    table.note(format!(
        "`benches/guests/syscalls.c` times {calls} calls of each with CLOCK_MONOTONIC, built to \
         wasm (WALI shape, run as `cwali run syscalls.wasm {calls}`) and natively through wali.h's \
         shims (`syscall(2)`, so natively clock_gettime is a real syscall too, no vDSO). Median of \
         {reps} interleaved process runs. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}

pub fn startup(opts: &Opts) -> Result<()> {
    let reps = if opts.quick { 7 } else { 31 };
    let cwali = cwali_bin()?;
    let hello = workspace().join("tests/guests/wasm/hello.wasm");
    let native = env!("BENCH_NATIVE_HELLO");
    let load_before = loadavg();
    // The CLI keeps compiled code in an on-disk cache (default on): measure the cached run (the
    // warm-up below fills the cache) and, where the binary has `--no-cache`, the compiling one.
    let help = Command::new(&cwali).args(["run", "--help"]).output()?;
    let has_no_cache = String::from_utf8_lossy(&help.stdout).contains("--no-cache");
    let mut programs: Vec<(String, Vec<String>)> = vec![("native hello".to_string(), Vec::new())];
    programs.push(("cwali run hello.wasm".to_string(), vec!["run".to_string()]));
    if has_no_cache {
        programs
            .push(("cwali run --no-cache hello.wasm".to_string(), vec!["run".to_string(), "--no-cache".to_string()]));
    }
    let make = |c: usize| {
        if c == 0 {
            Command::new(native)
        } else {
            let mut cmd = Command::new(&cwali);
            cmd.args(&programs[c].1).arg(&hello);
            cmd
        }
    };
    for c in 0..programs.len() {
        let out = run_measured(&mut make(c), true)?;
        if out.stdout != "hello from wali\n" {
            bail!("{} printed {:?}", programs[c].0, out.stdout);
        }
    }
    let (mut wall, mut rss) = (vec![Vec::new(); programs.len()], vec![Vec::new(); programs.len()]);
    for rep in 0..reps {
        for i in 0..programs.len() {
            let c = (i + rep) % programs.len();
            let out = run_measured(&mut make(c), false)?;
            wall[c].push(out.wall * 1e3);
            rss[c].push(out.maxrss_kib as f64);
        }
    }
    let mut table = Table::new(
        "Start-up: `cwali run hello.wasm` vs native hello",
        &["program", "wall ms", "peak RSS MiB", "wall vs native"],
    );
    let nw = median(&wall[0]);
    for (c, (name, _)) in programs.iter().enumerate() {
        let w = median(&wall[c]);
        table.row(vec![name.clone(), fmt_num(w), fmt_num(median(&rss[c]) / 1024.0), fmt_ratio(w / nw)]);
    }
    table.note(format!(
        "Median of {reps} interleaved runs: wall time from spawn to wait4, peak RSS from wait4's \
         rusage of that child (ru_maxrss). `cwali run` uses its on-disk code cache (filled by a \
         warm-up run); `--no-cache` compiles every time. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
