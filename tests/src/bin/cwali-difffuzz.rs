//! `cwali-difffuzz`: long-running differential fuzzing of cwali against Wasmtime.
//!
//! ```text
//! cargo run --release -p cwali-tests --bin cwali-difffuzz -- --seconds 600 --jobs 1
//! cargo run --release -p cwali-tests --bin cwali-difffuzz -- --modules 10000 --start-seed 5000
//! cargo run --release -p cwali-tests --bin cwali-difffuzz -- --seed 1234          # one seed, verbose
//! cargo run --release -p cwali-tests --bin cwali-difffuzz -- --wasm repro.wat     # one file, all variants
//! ```
//!
//! The supervisor runs the seeds in worker processes (`--jobs`, each a copy of this binary with
//! `--worker`), so a cwali crash or hang costs one seed, not the run: the seed in flight is
//! recorded as a divergence (class `crash` or `hang`) and the worker restarts after it.
//! Divergences are written to `target/diff-failures/<seed>.{wasm,txt}`. Progress lines report
//! modules per second; the exit status is 1 if anything diverged.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Parser;
use cwali_tests::diff::{self, Session, Stats, Variant, Verdict};

#[derive(Parser, Debug)]
#[command(about = "Differential fuzzing of cwali against Wasmtime on wasm-smith modules")]
struct Args {
    /// Stop after this many seconds.
    #[arg(long)]
    seconds: Option<u64>,
    /// Stop after this many modules (seeds `start-seed..start-seed+modules`).
    #[arg(long)]
    modules: Option<u64>,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    start_seed: u64,
    /// Worker processes.
    #[arg(long, default_value_t = 1)]
    jobs: u64,
    /// Seconds between progress lines.
    #[arg(long, default_value_t = 10)]
    progress: u64,
    /// A seed running longer than this many seconds counts as a hang.
    #[arg(long, default_value_t = 120)]
    hang_seconds: u64,
    /// Run one seed in this process and print its full report.
    #[arg(long, conflicts_with_all = ["wasm", "worker"])]
    seed: Option<u64>,
    /// With `--seed`: also print the module as WAT.
    #[arg(long)]
    show: bool,
    /// Run one .wasm/.wat file under every cwali variant (arguments from `--arg-seed`).
    #[arg(long)]
    wasm: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 0)]
    arg_seed: u64,
    /// Internal: run seeds and report on stdout for a supervisor.
    #[arg(long, hide = true)]
    worker: bool,
    /// Internal: worker seed stride.
    #[arg(long, hide = true, default_value_t = 1)]
    stride: u64,
    /// Internal: worker end seed (exclusive).
    #[arg(long, hide = true)]
    end_seed: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Compilation and the harness itself run on this thread; give it room.
    let child = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            if let Some(seed) = args.seed {
                one_seed(seed, args.show)
            } else if let Some(path) = &args.wasm {
                one_file(path, args.arg_seed)
            } else if args.worker {
                worker(&args)
            } else {
                supervise(&args)
            }
        })
        .expect("spawn the main thread");
    child.join().unwrap_or(ExitCode::from(2))
}

fn one_seed(seed: u64, show: bool) -> ExitCode {
    if show {
        match diff::module_for_seed(seed) {
            Ok(wasm) => println!("{}", diff::to_wat(&wasm)),
            Err(e) => println!("generation failed: {e:#}"),
        }
    }
    let mut session = Session::new();
    let outcome = session.run_seed(seed);
    println!("seed {seed} ({}): {}", outcome.variant.label(), outcome.report.stats.summary());
    match &outcome.report.verdict {
        Verdict::Divergence(d) => {
            let wasm = diff::module_for_seed(seed).expect("the module generated before");
            println!("{}", diff::report(Some(seed), &outcome.variant.label(), &wasm, d));
            ExitCode::FAILURE
        }
        other => {
            println!("{}: {other:?}", other.tag());
            ExitCode::SUCCESS
        }
    }
}

fn one_file(path: &std::path::Path, arg_seed: u64) -> ExitCode {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let wasm = diff::generate::parse_wat_or_wasm(&bytes).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    let mut session = Session::new();
    let mut status = ExitCode::SUCCESS;
    for variant in Variant::ALL {
        let report = session.run_wasm(&wasm, arg_seed, variant);
        match &report.verdict {
            Verdict::Divergence(d) => {
                println!("{}: DIVERGENCE {}\n{}", variant.label(), d.class, d.detail);
                for h in &d.history {
                    println!("    {h}");
                }
                status = ExitCode::FAILURE;
            }
            other => println!("{}: {}: {other:?}", variant.label(), other.tag()),
        }
    }
    status
}

/// Run seeds `start, start+stride, ...` below `end`; one `begin`/`end` line each on stdout.
fn worker(args: &Args) -> ExitCode {
    let mut session = Session::new();
    let mut out = std::io::stdout().lock();
    let mut seed = args.start_seed;
    while args.end_seed.is_none_or(|end| seed < end) {
        writeln!(out, "begin {seed}").and_then(|_| out.flush()).expect("supervisor pipe");
        let o = session.run_seed(seed);
        let s = &o.report.stats;
        let traps: Vec<String> = s.traps.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let traps = if traps.is_empty() { "-".to_string() } else { traps.join(";") };
        let detail = match &o.report.verdict {
            Verdict::Agree => String::new(),
            Verdict::StackDepth(w) | Verdict::Skipped(w) => w.replace('\n', " "),
            Verdict::Divergence(d) => d.class.clone(),
        };
        writeln!(
            out,
            "end {seed} {} {} {} {} {traps} {detail}",
            o.report.verdict.tag(),
            s.instantiated,
            s.calls,
            s.returns
        )
        .and_then(|_| out.flush())
        .expect("supervisor pipe");
        seed += args.stride;
    }
    ExitCode::SUCCESS
}

enum Msg {
    Out(usize, u64, String),
    Err(usize, u64, String),
    Eof(usize, u64),
}

struct Worker {
    child: Child,
    generation: u64,
    /// Next seed this worker would run (its progression is `seed ≡ lane (mod jobs)`).
    next_seed: u64,
    /// The seed in flight and since when.
    current: Option<(u64, Instant)>,
    stderr_tail: Vec<String>,
    /// Deaths outside any seed since the last finished seed (a worker that cannot start).
    idle_deaths: u32,
    done: bool,
}

#[derive(Default)]
struct Totals {
    modules: u64,
    agree: u64,
    stack_depth: u64,
    skipped: u64,
    divergences: u64,
    stats: Stats,
    /// Class → (count, first seed).
    classes: BTreeMap<String, (u64, u64)>,
    skip_reasons: BTreeMap<String, u64>,
}

impl Totals {
    fn divergence(&mut self, class: String, seed: u64) {
        self.divergences += 1;
        self.classes.entry(class).or_insert((0, seed)).0 += 1;
    }

    /// Account one `end` line: `end <seed> <tag> <instantiated> <calls> <returns> <traps> <detail>`.
    fn end_line(&mut self, line: &str) -> Option<u64> {
        let mut parts = line.splitn(8, ' ');
        let _ = parts.next()?;
        let seed: u64 = parts.next()?.parse().ok()?;
        let tag = parts.next()?;
        let instantiated: u64 = parts.next()?.parse().ok()?;
        let calls: u64 = parts.next()?.parse().ok()?;
        let returns: u64 = parts.next()?.parse().ok()?;
        let traps = parts.next()?;
        let detail = parts.next().unwrap_or("").to_string();
        self.modules += 1;
        self.stats.modules += 1;
        self.stats.instantiated += instantiated;
        self.stats.calls += calls;
        self.stats.returns += returns;
        for t in traps.split(';').filter(|t| *t != "-") {
            if let Some((k, v)) = t.split_once('=') {
                *self.stats.traps.entry(k.to_string()).or_default() += v.parse::<u64>().unwrap_or(0);
            }
        }
        match tag {
            "agree" => self.agree += 1,
            "stack-depth" => self.stack_depth += 1,
            "skipped" => {
                self.skipped += 1;
                let reason: String = detail.chars().take(100).collect();
                *self.skip_reasons.entry(reason).or_default() += 1;
            }
            _ => self.divergence(detail, seed),
        }
        Some(seed)
    }
}

fn spawn_worker(
    lane: usize,
    generation: u64,
    start: u64,
    args: &Args,
    end: Option<u64>,
    tx: &mpsc::Sender<Msg>,
) -> Child {
    let exe = std::env::current_exe().expect("own executable");
    let mut cmd = Command::new(exe);
    cmd.arg("--worker").arg("--start-seed").arg(start.to_string()).arg("--stride").arg(args.jobs.to_string());
    if let Some(end) = end {
        cmd.arg("--end-seed").arg(end.to_string());
    }
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn a worker");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let tx_out = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx_out.send(Msg::Out(lane, generation, line)).is_err() {
                return;
            }
        }
        let _ = tx_out.send(Msg::Eof(lane, generation));
    });
    let tx_err = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx_err.send(Msg::Err(lane, generation, line)).is_err() {
                return;
            }
        }
    });
    child
}

/// A worker died or hung on `seed`: save the module with what is known.
fn record_lost_seed(totals: &mut Totals, seed: u64, class: &str, what: &str, stderr_tail: &[String]) {
    let variant = Variant::for_seed(seed);
    let mut text = format!("seed: {seed}\nconfiguration: {}\nclass: {class}\n\n{what}\n", variant.label());
    if !stderr_tail.is_empty() {
        text += "\nworker stderr (last lines):\n";
        for l in stderr_tail {
            text += &format!("  {l}\n");
        }
    }
    let saved = match diff::module_for_seed(seed) {
        Ok(wasm) => {
            text += "\nmodule:\n";
            text += &diff::to_wat(&wasm);
            diff::save_failure(&seed.to_string(), &wasm, &text).map(|p| p.display().to_string())
        }
        Err(e) => Err(std::io::Error::other(e.to_string())),
    };
    eprintln!("seed {seed} ({}): {class}: {what} (report: {saved:?})", variant.label());
    totals.divergence(class.to_string(), seed);
}

fn supervise(args: &Args) -> ExitCode {
    let jobs = args.jobs.max(1);
    let end = args.modules.map(|n| args.start_seed + n);
    let deadline = args.seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    let mut workers: Vec<Worker> = (0..jobs as usize)
        .map(|lane| {
            let first = args.start_seed + lane as u64;
            Worker {
                child: spawn_worker(lane, 0, first, args, end, &tx),
                generation: 0,
                next_seed: first,
                current: None,
                stderr_tail: Vec::new(),
                idle_deaths: 0,
                done: end.is_some_and(|e| first >= e),
            }
        })
        .collect();
    let mut totals = Totals::default();
    let mut last_progress = Instant::now();
    let mut last_count = 0;
    let hang = Duration::from_secs(args.hang_seconds);
    eprintln!(
        "cwali-difffuzz: seeds from {}{}, {jobs} worker(s), failures to {}",
        args.start_seed,
        end.map_or(String::new(), |e| format!(" to {e}")),
        diff::failure_dir().display()
    );

    let progress = |totals: &Totals, last_count: u64, since: Duration| {
        let elapsed = start.elapsed().as_secs_f64();
        eprintln!(
            "[{elapsed:7.0}s] modules {} ({:.1}/s now, {:.1}/s overall)  agree {}  stack-depth {}  skipped {}  divergences {} in {} classes",
            totals.modules,
            (totals.modules - last_count) as f64 / since.as_secs_f64().max(1e-3),
            totals.modules as f64 / elapsed.max(1e-3),
            totals.agree,
            totals.stack_depth,
            totals.skipped,
            totals.divergences,
            totals.classes.len()
        );
    };

    while !workers.iter().all(|w| w.done) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(Msg::Out(lane, generation, line)) if workers[lane].generation == generation => {
                let w = &mut workers[lane];
                if let Some(seed) = line.strip_prefix("begin ") {
                    let seed = seed.parse().expect("worker seed");
                    w.current = Some((seed, Instant::now()));
                    w.stderr_tail.clear();
                } else if line.starts_with("end ")
                    && let Some(seed) = totals.end_line(&line)
                {
                    w.next_seed = seed + jobs;
                    w.idle_deaths = 0;
                    w.current = None;
                    let detail = line.splitn(8, ' ').nth(7).unwrap_or("");
                    match line.split(' ').nth(2) {
                        Some("stack-depth") => eprintln!("seed {seed}: stack-depth difference: {detail}"),
                        Some("divergence") => eprintln!(
                            "seed {seed}: DIVERGENCE {detail} (report: {}/{seed}.txt)",
                            diff::failure_dir().display()
                        ),
                        _ => {}
                    }
                }
            }
            Ok(Msg::Err(lane, generation, line)) if workers[lane].generation == generation => {
                let tail = &mut workers[lane].stderr_tail;
                tail.push(line);
                if tail.len() > 40 {
                    tail.remove(0);
                }
            }
            Ok(Msg::Eof(lane, generation)) if workers[lane].generation == generation => {
                let w = &mut workers[lane];
                let status = w.child.wait().expect("wait for a worker");
                match w.current.take() {
                    Some((seed, _)) => {
                        let what = format!("worker died: {status}");
                        let tail = std::mem::take(&mut w.stderr_tail);
                        record_lost_seed(&mut totals, seed, "crash", &what, &tail);
                        totals.modules += 1;
                        w.next_seed = seed + jobs;
                    }
                    None if status.success() => {
                        w.done = true;
                        continue;
                    }
                    None => {
                        w.idle_deaths += 1;
                        if w.idle_deaths >= 3 {
                            eprintln!("worker {lane} keeps dying outside any seed ({status}); giving up on it");
                            w.done = true;
                            continue;
                        }
                        eprintln!("worker {lane} exited with {status} between seeds; restarting");
                    }
                }
                if end.is_some_and(|e| w.next_seed >= e) {
                    w.done = true;
                } else {
                    w.generation += 1;
                    w.child = spawn_worker(lane, w.generation, w.next_seed, args, end, &tx);
                }
            }
            Ok(_) => {} // a message from a worker generation already replaced
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        for (lane, w) in workers.iter_mut().enumerate() {
            if let Some((seed, since)) = w.current
                && since.elapsed() > hang
            {
                let _ = w.child.kill();
                let _ = w.child.wait();
                let tail = std::mem::take(&mut w.stderr_tail);
                let what = format!("no result after {} s; worker killed", hang.as_secs());
                record_lost_seed(&mut totals, seed, "hang", &what, &tail);
                totals.modules += 1;
                w.current = None;
                w.next_seed = seed + jobs;
                w.generation += 1;
                if end.is_some_and(|e| w.next_seed >= e) {
                    w.done = true;
                } else {
                    w.child = spawn_worker(lane, w.generation, w.next_seed, args, end, &tx);
                }
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(args.progress) {
            progress(&totals, last_count, last_progress.elapsed());
            last_count = totals.modules;
            last_progress = Instant::now();
        }
    }
    for w in &mut workers {
        if !w.done {
            let _ = w.child.kill();
            let _ = w.child.wait();
        }
    }
    progress(&totals, last_count, last_progress.elapsed());

    eprintln!("\ncoverage: {}", totals.stats.summary());
    eprintln!("next seed to continue from: {}", workers.iter().map(|w| w.next_seed).min().unwrap_or(0));
    if !totals.skip_reasons.is_empty() {
        eprintln!("skipped:");
        for (reason, n) in &totals.skip_reasons {
            eprintln!("  {n:6}  {reason}");
        }
    }
    if totals.classes.is_empty() {
        eprintln!("no divergences");
        ExitCode::SUCCESS
    } else {
        eprintln!("divergence classes (count, first seed):");
        for (class, (n, seed)) in &totals.classes {
            eprintln!("  {n:6}  seed {seed:<10} {class}");
        }
        ExitCode::FAILURE
    }
}
