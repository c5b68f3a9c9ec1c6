//! The `cwali` binary: argument parsing, logging set-up and exit codes. The work is done in the
//! `cwali` library (`run`, `wast`).
//!
//! Exit codes follow Wasmtime 48's CLI (`src/commands/run.rs`): 0 on success; a Wasm trap prints
//! the trap and exits with 128 + SIGABRT (134) on Unix, 3 on Windows, as if the program had
//! aborted; every other error (unreadable file, invalid module, missing export, ...) prints one
//! `error:` line and exits with 1. `cwali wast` exits with 1 if any directive failed. Usage
//! errors exit with clap's code 2.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cwali::run::{RunOptions, format_val, trap_in};
use cwali_rt::{BoundsChecks, Config, Trap};
use cwali_wali_abi::host::confine::{Confinement, DirRule, Net, Rlimit};

#[derive(Parser)]
#[command(name = "cwali", version, about = "Run WALI programs and WebAssembly modules on a Cranelift JIT")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module (`.wasm` or `.wat`)
    Run(RunCommand),
    /// Run WebAssembly spec test scripts (`.wast`)
    Wast(WastCommand),
    /// Compile a module ahead of time to a code file that `cwali run` loads without compiling
    Compile(CompileCommand),
}

#[derive(Args)]
struct CompileCommand {
    #[command(flatten)]
    codegen: CodegenOptions,
    /// The module to compile (`.wasm` or `.wat`)
    #[arg(value_name = "WASM")]
    module: PathBuf,
    /// Where to write the code (default: the module's name with `.cwasm`)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Code generation options shared by the subcommands.
#[derive(Args)]
struct CodegenOptions {
    /// How linear-memory accesses are kept in bounds
    #[arg(long, value_enum, value_name = "MODE", default_value_t = BoundsChecksArg::Guard)]
    bounds_checks: BoundsChecksArg,
    /// Cranelift optimization level
    #[arg(short = 'O', long, value_enum, value_name = "LEVEL", default_value_t = OptLevel::Speed)]
    opt_level: OptLevel,
}

#[derive(Clone, Copy, ValueEnum)]
enum BoundsChecksArg {
    /// Reserve 4 GiB plus a guard region per memory; no explicit checks
    Guard,
    /// Compare every access against the memory's current length
    Explicit,
}

#[derive(Clone, Copy, ValueEnum)]
enum OptLevel {
    #[value(alias = "0")]
    None,
    #[value(alias = "1", alias = "2")]
    Speed,
    #[value(name = "speed_and_size", alias = "speed-and-size", alias = "s")]
    SpeedAndSize,
}

impl CodegenOptions {
    fn config(&self) -> Config {
        Config {
            bounds_checks: match self.bounds_checks {
                BoundsChecksArg::Guard => BoundsChecks::Guard,
                BoundsChecksArg::Explicit => BoundsChecks::Explicit,
            },
            opt_level: match self.opt_level {
                OptLevel::None => "none",
                OptLevel::Speed => "speed",
                OptLevel::SpeedAndSize => "speed_and_size",
            }
            .to_string(),
            ..Config::default()
        }
    }
}

#[derive(Args)]
struct RunCommand {
    #[command(flatten)]
    codegen: CodegenOptions,
    /// Call this export instead of `_start`; ARGS become its parameters and its results are
    /// printed one per line
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    /// WALI: the file holding the program's initial environment (one NAME=value per line)
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// WALI: set an environment variable for the program (repeatable)
    #[arg(long = "env", value_name = "NAME=VAL")]
    env: Vec<String>,
    /// WALI: pass cwali's own environment to the program
    #[arg(long)]
    inherit_env: bool,
    /// WALI: print every WALI call with its arguments and result on stderr
    #[arg(long)]
    trace: bool,
    /// Do not use the on-disk code cache (`$CWALI_CACHE_DIR`, else `$XDG_CACHE_HOME/cwali`, else
    /// `~/.cache/cwali`)
    #[arg(long)]
    no_cache: bool,
    /// WALI confinement: only this host tree (and the ones of other --dir/--dir-ro flags) is
    /// reachable, read-write; `HOST::GUEST` shows it at GUEST (repeatable)
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = |s: &str| DirRule::parse(s, true))]
    dir: Vec<DirRule>,
    /// WALI confinement: as --dir, read-only (repeatable)
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]", value_parser = |s: &str| DirRule::parse(s, false))]
    dir_ro: Vec<DirRule>,
    /// WALI confinement: the network the program reaches: `none`, `loopback` (a private one) or
    /// `all`
    #[arg(long, value_name = "MODE", default_value = "all", value_parser = |s: &str| s.parse::<Net>())]
    net: Net,
    /// WALI confinement: execve only of `.wasm` files (which cwali runs), never native programs
    #[arg(long)]
    no_exec_native: bool,
    /// WALI confinement: set a resource limit, e.g. `nofile=256`, `as=8g:8g` (repeatable)
    #[arg(long = "rlimit", value_name = "NAME=SOFT[:HARD]", value_parser = Rlimit::parse)]
    rlimit: Vec<Rlimit>,
    /// Profiling support: `perfmap` writes /tmp/perf-<pid>.map so `perf` names Wasm functions
    #[arg(long, value_name = "STRATEGY", value_parser = ["perfmap"])]
    profile: Option<String>,
    /// The module to run
    #[arg(value_name = "WASM")]
    module: PathBuf,
    /// Arguments for the program (or for the `--invoke`d function)
    #[arg(value_name = "ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Args)]
struct WastCommand {
    #[command(flatten)]
    codegen: CodegenOptions,
    /// The scripts to run
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

fn compile(cmd: CompileCommand) -> ExitCode {
    let output = cmd.output.unwrap_or_else(|| cmd.module.with_extension("cwasm"));
    match cwali::run::compile_to_file(&cmd.module, &output, cmd.codegen.config()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", single_line(&format!("{err:#}")));
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(cmd) => run(cmd),
        Command::Wast(cmd) => wast(cmd),
        Command::Compile(cmd) => compile(cmd),
    }
}

/// `CWALI_LOG` (an env-filter spec) logs through tracing-subscriber; without it only warnings
/// and errors are printed, by [`Warnings`].
fn init_logging() {
    match tracing_subscriber::EnvFilter::try_from_env("CWALI_LOG") {
        Ok(filter) => tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init(),
        Err(_) => tracing::subscriber::set_global_default(Warnings).expect("no subscriber yet"),
    }
}

/// Prints warnings and errors on stderr as `LEVEL target: message fields`. tracing-subscriber's
/// `fmt` would do the same at level `warn`, but its span registry allocates tables for 4096
/// threads up front: ~3 % of the run time of `cwali run hello.wasm` (a dozen page faults).
struct Warnings;

impl tracing::Subscriber for Warnings {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::WARN)
    }

    fn event(&self, event: &tracing::Event<'_>) {
        struct Line(String);
        impl tracing::field::Visit for Line {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                use std::fmt::Write;
                let _ = match field.name() {
                    "message" => write!(self.0, " {value:?}"),
                    name => write!(self.0, " {name}={value:?}"),
                };
            }
        }
        let metadata = event.metadata();
        let mut line = Line(format!("{:>5} {}:", metadata.level(), metadata.target()));
        event.record(&mut line);
        line.0.push('\n');
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.0.as_bytes());
    }

    // No spans are recorded.
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn run(cmd: RunCommand) -> ExitCode {
    if cmd.profile.is_some() {
        cwali_rt::profiling::enable_perfmap();
    }
    let opts = RunOptions {
        module: cmd.module,
        args: cmd.args,
        invoke: cmd.invoke,
        config: cmd.codegen.config(),
        cache: !cmd.no_cache,
        wali: cwali::run::WaliOptions {
            env_file: cmd.env_file,
            env: cmd.env,
            inherit_env: cmd.inherit_env,
            trace: cmd.trace,
            confine: Confinement {
                dirs: cmd.dir.into_iter().chain(cmd.dir_ro).collect(),
                net: cmd.net,
                no_exec_native: cmd.no_exec_native,
                rlimits: cmd.rlimit,
            },
        },
    };
    match cwali::run::run(&opts) {
        Ok(results) => {
            for val in &results {
                println!("{}", format_val(val));
            }
            ExitCode::SUCCESS
        }
        Err(err) => match trap_in(&err) {
            Some(trap) => {
                eprint!("{}", format_trap(trap));
                trap_exit_code()
            }
            None => {
                eprintln!("error: {}", single_line(&format!("{err:#}")));
                ExitCode::FAILURE
            }
        },
    }
}

/// Error messages stay on one line even when a cause spreads over several (wasmparser prints
/// some byte arrays with `{:#?}`).
fn single_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `error: wasm trap: <kind>` and one line per Wasm frame, innermost first.
fn format_trap(trap: &Trap) -> String {
    let mut out = format!("error: {trap}\n");
    for frame in &trap.backtrace {
        out.push_str(&format!("    at {} (wasm function {})\n", frame.func_name, frame.func_index));
    }
    out
}

/// Wasmtime exits as an aborted process would when Wasm traps.
fn trap_exit_code() -> ExitCode {
    if cfg!(unix) { ExitCode::from(128 + libc::SIGABRT as u8) } else { ExitCode::from(3) }
}

fn wast(cmd: WastCommand) -> ExitCode {
    let config = cmd.codegen.config();
    let (mut passed, mut failed) = (0, 0);
    for file in &cmd.files {
        let report = cwali::run_wast_file(file, &config);
        for failure in &report.failures {
            println!("  {failure}");
        }
        let skipped = match report.skipped {
            0 => String::new(),
            n => format!(", {n} skipped"),
        };
        println!("{}: {} passed, {} failed{skipped}", file.display(), report.passed, report.failed);
        passed += report.passed;
        failed += report.failed;
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
