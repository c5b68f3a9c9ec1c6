//! The command line: its clap definition, the conventions it follows, and the dispatch to the
//! subcommands.
//!
//! Conventions (those of `wasmtime run`):
//!
//! - cwali's own options come before the module; everything after the module belongs to the
//!   program, `-h`, `--version` and `--` included. `run` takes the module and its arguments as
//!   one trailing list, so clap stops looking for options at the module.
//! - `cwali app.wasm args...` means `cwali run app.wasm args...` ([`shorthand`]): a first argument
//!   that is not a subcommand but names a module (an existing file, a path with a `/`, or a name
//!   ending in `.wasm`, `.wat` or `.cwasm`) gets `run` put in front of it, and so does a first
//!   argument that is one of `run`'s options (`cwali --env A=1 app.wasm`). This is also how
//!   binfmt_misc starts a program: the kernel runs `cwali /path/to/app.wasm args...`.
//! - Usage errors are clap's (exit code 2, with a hint); failures of a command print one
//!   `error:` line and exit with 1; a trap exits as the program would have (see `main.rs`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use cwali_rt::{BoundsChecks, Config, Trap};
use cwali_wali_abi::host::confine::{Confinement, DirRule, Net, Rlimit};

use crate::run::{RunOptions, format_val, trap_in};

#[derive(Parser)]
#[command(
    name = "cwali",
    about = "Run WALI programs and WebAssembly modules on a Cranelift JIT",
    long_about = "Run WALI programs (Linux programs compiled to WebAssembly against the WebAssembly \
                  Linux Interface) and plain WebAssembly modules on a Cranelift JIT.\n\n\
                  `cwali app.wasm ARGS...` is short for `cwali run app.wasm ARGS...`.",
    after_help = "Run `cwali help <COMMAND>` for the options of one command; docs/guide.md is the user guide.",
    subcommand_required = true,
    arg_required_else_help = true
)]
/// The whole command line.
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// cwali's commands.
#[derive(Subcommand)]
pub enum Command {
    /// Run a WebAssembly module (`.wasm`, `.wat` or a compiled `.cwasm`)
    Run(RunCommand),
    /// Compile a module ahead of time to a code file that `cwali run` loads without compiling
    Compile(CompileCommand),
    /// Run WebAssembly spec test scripts (`.wast`)
    Wast(WastCommand),
    /// Serve WALI programs as CGI programs over HTTP, a fresh sandbox per request
    Serve(ServeCommand),
    /// Print the Cranelift settings and host CPU features that compiled code uses
    Settings(SettingsCommand),
    /// Let the kernel run `.wasm` files directly (`./app.wasm`) through binfmt_misc
    #[command(subcommand)]
    Binfmt(BinfmtCommand),
    /// Print a shell completion script (e.g. `cwali completions bash > /etc/bash_completion.d/cwali`)
    Completions(CompletionsCommand),
    /// Print the manual page (roff), or write one page per command into a directory
    Man(ManCommand),
}

/// Code generation options shared by the subcommands that compile.
#[derive(Args, Clone)]
pub struct CodegenOptions {
    /// How linear-memory accesses are kept in bounds
    #[arg(long, value_enum, value_name = "MODE", default_value_t = BoundsChecksArg::Guard)]
    pub bounds_checks: BoundsChecksArg,
    /// Cranelift optimization level
    #[arg(short = 'O', long, value_enum, value_name = "LEVEL", default_value_t = OptLevel::Speed)]
    pub opt_level: OptLevel,
}

/// `--bounds-checks`.
#[derive(Clone, Copy, ValueEnum)]
pub enum BoundsChecksArg {
    /// Reserve 4 GiB plus a guard region per memory; no explicit checks
    Guard,
    /// Compare every access against the memory's current length
    Explicit,
}

/// `-O`: Cranelift's `opt_level`.
#[derive(Clone, Copy, ValueEnum)]
pub enum OptLevel {
    /// No optimisation (fastest compile)
    #[value(alias = "0")]
    None,
    /// Optimise for speed
    #[value(alias = "1", alias = "2")]
    Speed,
    /// Optimise for speed and code size
    #[value(name = "speed_and_size", alias = "speed-and-size", alias = "s")]
    SpeedAndSize,
}

impl CodegenOptions {
    /// The runtime configuration these options ask for.
    pub fn config(&self) -> Config {
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

/// `cwali run`. All of its options live here (new ones too), before the module.
#[derive(Args)]
#[command(
    override_usage = "cwali run [OPTIONS] <WASM> [ARGS]...\n       cwali <WASM> [ARGS]...",
    after_help = "Everything after WASM is passed to the program, options like `-h` and `--` included: \
                  cwali's own options go before WASM."
)]
pub struct RunCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
    /// Call this export instead of `_start`; ARGS become its parameters and its results are
    /// printed one per line
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,
    /// WALI: the file holding the program's initial environment (one NAME=value per line)
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,
    /// WALI: set an environment variable for the program (repeatable)
    #[arg(long = "env", value_name = "NAME=VAL", value_parser = parse_env_var)]
    pub env: Vec<String>,
    /// WALI: pass cwali's own environment to the program
    #[arg(long)]
    pub inherit_env: bool,
    /// WALI: print every WALI call with its arguments and result on stderr
    #[arg(long)]
    pub trace: bool,
    /// Do not use the on-disk code cache (`$CWALI_CACHE_DIR`, else `$XDG_CACHE_HOME/cwali`, else
    /// `~/.cache/cwali`)
    #[arg(long)]
    pub no_cache: bool,
    /// WALI confinement: only this host tree (and the ones of other --dir/--dir-ro flags) is
    /// reachable, read-write; `HOST::GUEST` shows it at GUEST (repeatable)
    #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = |s: &str| DirRule::parse(s, true))]
    pub dir: Vec<DirRule>,
    /// WALI confinement: as --dir, read-only (repeatable)
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]", value_parser = |s: &str| DirRule::parse(s, false))]
    pub dir_ro: Vec<DirRule>,
    /// WALI confinement: the network the program reaches: `none`, `loopback` (a private one) or
    /// `all`
    #[arg(long, value_name = "MODE", default_value = "all", value_parser = |s: &str| s.parse::<Net>())]
    pub net: Net,
    /// WALI confinement: execve only of `.wasm` files (which cwali runs), never native programs
    #[arg(long)]
    pub no_exec_native: bool,
    /// WALI confinement: set a resource limit, e.g. `nofile=256`, `as=8g:8g` (repeatable)
    #[arg(long = "rlimit", value_name = "NAME=SOFT[:HARD]", value_parser = Rlimit::parse)]
    pub rlimit: Vec<Rlimit>,
    /// Profiling support: `perfmap` writes `/tmp/perf-<pid>.map` so `perf` names Wasm functions
    #[arg(long, value_name = "STRATEGY", value_parser = ["perfmap"])]
    pub profile: Option<String>,
    /// The module to run, then the arguments of the program (or of the `--invoke`d function)
    #[arg(
        value_name = "WASM",
        required = true,
        num_args = 1..,
        trailing_var_arg = true
    )]
    pub module_and_args: Vec<String>,
}

/// `--env` values must have the form NAME=VAL with a non-empty NAME.
fn parse_env_var(s: &str) -> Result<String, String> {
    match s.split_once('=') {
        Some((name, _)) if !name.is_empty() => Ok(s.to_string()),
        _ => Err(format!("expected NAME=VAL, got `{s}`")),
    }
}

/// `cwali compile`.
#[derive(Args)]
pub struct CompileCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
    /// The module to compile (`.wasm` or `.wat`)
    #[arg(value_name = "WASM")]
    pub module: PathBuf,
    /// Where to write the code (default: the module's name with `.cwasm`)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `cwali wast`.
#[derive(Args)]
pub struct WastCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
    /// The scripts to run
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// `cwali serve`.
#[derive(Args)]
#[command(after_help = "A ROUTE is `PATH=MODULE.wasm` (requests whose path starts with PATH; the longest \
                  prefix wins) or `MODULE.wasm` (for `/`). Programs speak CGI (RFC 3875): the \
                  request body on stdin, the request in the environment, a CGI response on \
                  stdout. docs/serve.md has the details.")]
pub struct ServeCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
    /// The address to listen on (port 0: any free port) [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
    /// Worker threads of instance isolation [default: the number of CPUs]
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// How requests are isolated [default: process]
    #[arg(long, value_enum, value_name = "MODE")]
    pub isolation: Option<crate::serve::config::Isolation>,
    /// Deadline of a request, e.g. `5s`, `500ms` (504 past it) [default: 5s]
    #[arg(long, value_name = "DURATION", value_parser = |s: &str| crate::serve::config::parse_duration(s).map_err(|e| e.to_string()))]
    pub timeout: Option<std::time::Duration>,
    /// Largest memory of a program, e.g. `64MiB`
    #[arg(long, value_name = "SIZE", value_parser = |s: &str| crate::serve::config::parse_size(s).map_err(|e| e.to_string()))]
    pub max_memory: Option<u64>,
    /// Process isolation: most processes a request may have at once; a request over it is killed
    /// (0: no cap) [default: 64]
    #[arg(long, value_name = "N")]
    pub max_procs: Option<usize>,
    /// Requests running at once [default: workers (instance), 2 x CPUs (process)]
    #[arg(long, value_name = "K")]
    pub max_concurrency: Option<usize>,
    /// Requests waiting for a slot beyond which requests get 503 [default: 64]
    #[arg(long, value_name = "Q")]
    pub queue: Option<usize>,
    /// A TOML file with the same settings and routes with their own env and timeout (the
    /// command line wins)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not use the on-disk code cache
    #[arg(long)]
    pub no_cache: bool,
    /// Routes: `PATH=MODULE.wasm`, or `MODULE.wasm` for `/`
    #[arg(value_name = "ROUTE")]
    pub routes: Vec<String>,
}

/// `cwali __serve-template`, the template process of a `cwali serve` route (see
/// `serve::process`). Internal, so not one of [`Command`]: no help, completion or manual page
/// shows it.
#[derive(Parser)]
#[command(name = "cwali __serve-template")]
pub struct ServeTemplateCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
    /// Do not use the on-disk code cache
    #[arg(long)]
    pub no_cache: bool,
    /// Largest guest memory in bytes
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<u64>,
    /// The module
    #[arg(value_name = "WASM")]
    pub module: PathBuf,
}

/// `cwali settings`.
#[derive(Args)]
pub struct SettingsCommand {
    /// Code generation options.
    #[command(flatten)]
    pub codegen: CodegenOptions,
}

/// `cwali binfmt`.
#[derive(Subcommand)]
pub enum BinfmtCommand {
    /// Register cwali as the interpreter of Wasm files (needs root)
    Install {
        /// Also write /etc/binfmt.d/NAME.conf so systemd registers it at every boot
        #[arg(long)]
        persistent: bool,
        /// The entry's name under /proc/sys/fs/binfmt_misc
        #[arg(long, value_name = "NAME", default_value = crate::binfmt::DEFAULT_NAME)]
        name: String,
    },
    /// Remove the registration (and /etc/binfmt.d/NAME.conf) (needs root)
    Uninstall {
        /// The entry's name under /proc/sys/fs/binfmt_misc
        #[arg(long, value_name = "NAME", default_value = crate::binfmt::DEFAULT_NAME)]
        name: String,
    },
    /// Show which binfmt_misc entries run Wasm files, and with which interpreter
    Status,
}

/// `cwali completions`.
#[derive(Args)]
pub struct CompletionsCommand {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `cwali man`.
#[derive(Args)]
pub struct ManCommand {
    /// Write cwali.1 and one cwali-COMMAND.1 per command into this directory instead of
    /// printing cwali.1
    #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// What `--version` prints: cwali's version, then what decides the generated code (the
/// Cranelift version and the code-generator fingerprint that code cache entries are keyed by)
/// and the host.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let fingerprint = cwali_codegen::cache::GENERATOR.rsplit(' ').next().unwrap_or_default();
    format!(
        "{} (Cranelift {}, code generator {fingerprint}, {}-{})",
        env!("CARGO_PKG_VERSION"),
        cranelift_native::VERSION,
        std::env::consts::ARCH,
        std::env::consts::OS,
    )
});

/// The clap command of cwali, with its version.
pub fn command() -> clap::Command {
    Cli::command().version(VERSION.as_str())
}

/// The command line as clap should see it: `cwali <WASM> ...` and `cwali <run option> ...` get
/// `run` put in after the program name (see the module docs).
pub fn shorthand(mut args: Vec<OsString>) -> Vec<OsString> {
    let Some(first) = args.get(1) else { return args };
    if crate::binfmt::started_by_binfmt(first) {
        // `./app.wasm` through binfmt_misc: the first argument is the program, whatever it is named.
        args.splice(1..1, ["run".into(), "--".into()]);
        return args;
    }
    let first_str = first.to_string_lossy();
    // Decided without building clap's command (start-up time matters for `cwali run`).
    if SUBCOMMANDS.contains(&&*first_str) {
        return args;
    }
    let cmd = command();
    let run =
        if first_str.starts_with('-') { is_run_option(&cmd, &first_str) } else { looks_like_module(Path::new(first)) };
    if run {
        args.insert(1, "run".into());
    }
    args
}

/// The names of the commands, and clap's `help` (checked against the definition by a test).
const SUBCOMMANDS: &[&str] = &["run", "compile", "wast", "serve", "settings", "binfmt", "completions", "man", "help"];

/// The internal command of `cwali serve`'s template processes.
const SERVE_TEMPLATE: &str = "__serve-template";

/// Whether `arg` (`--name`, `--name=value`, `-x`, `-xvalue`) is an option of `run`.
fn is_run_option(cmd: &clap::Command, arg: &str) -> bool {
    let Some(run) = cmd.find_subcommand("run") else { return false };
    if let Some(long) = arg.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or_default();
        return !name.is_empty() && run.get_arguments().any(|a| a.get_long() == Some(name));
    }
    let short = arg.chars().nth(1);
    short.is_some() && run.get_arguments().any(|a| a.get_short() == short && a.get_short() != Some('h'))
}

/// A first argument that names a module rather than a mistyped subcommand.
fn looks_like_module(path: &Path) -> bool {
    let by_name = path.extension().is_some_and(|e| e == "wasm" || e == "wat" || e == "cwasm");
    by_name || path.as_os_str().as_encoded_bytes().contains(&b'/') || path.is_file()
}

/// Parse the process's command line and run the command.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == SERVE_TEMPLATE) {
        let cmd = ServeTemplateCommand::parse_from(args.into_iter().skip(1));
        crate::serve::process::template_main(cmd.module, cmd.codegen.config(), !cmd.no_cache, cmd.max_memory)
    }
    let args = shorthand(args);
    let matches = command().get_matches_from(args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match cli.command {
        Command::Run(cmd) => run(cmd),
        Command::Compile(cmd) => compile(cmd),
        Command::Wast(cmd) => wast(cmd),
        Command::Settings(cmd) => report(crate::settings::print(&cmd.codegen.config())),
        Command::Binfmt(cmd) => report(match cmd {
            BinfmtCommand::Install { persistent, name } => crate::binfmt::install(&name, persistent),
            BinfmtCommand::Uninstall { name } => crate::binfmt::uninstall(&name),
            BinfmtCommand::Status => crate::binfmt::status(),
        }),
        Command::Completions(cmd) => {
            clap_complete::generate(cmd.shell, &mut command(), "cwali", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man(cmd) => report(man(cmd.output_dir.as_deref())),
        Command::Serve(cmd) => report(serve(cmd)),
    }
}

/// An outcome as an exit code: failures print one `error:` line and exit with 1.
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", single_line(&format!("{err:#}")));
            ExitCode::FAILURE
        }
    }
}

/// `cwali man`: the page of cwali (on stdout), or pages of cwali and of every command.
fn man(output_dir: Option<&Path>) -> anyhow::Result<()> {
    use anyhow::Context;
    let cmd = command();
    let Some(dir) = output_dir else {
        return clap_mangen::Man::new(cmd).render(&mut std::io::stdout()).context("cannot write the manual page");
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let mut pages = Vec::new();
    collect_pages(cmd, &mut pages);
    for page in pages {
        let path = dir.join(format!("{}.1", page.get_name()));
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out).context("cannot render a manual page")?;
        std::fs::write(&path, out).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// `cmd` and its subcommands at every depth, each named by its path (`cwali-binfmt-install`),
/// the names the pages refer to each other by.
fn collect_pages(cmd: clap::Command, pages: &mut Vec<clap::Command>) {
    for sub in cmd.get_subcommands() {
        // clap names are `&'static str` (without its `string` feature); pages are made once.
        let name: &'static str = Box::leak(format!("{}-{}", cmd.get_name(), sub.get_name()).into_boxed_str());
        collect_pages(sub.clone().name(name).version(VERSION.as_str()), pages);
    }
    pages.push(cmd);
}

fn serve(cmd: ServeCommand) -> anyhow::Result<()> {
    let flags = crate::serve::config::Flags {
        listen: cmd.listen,
        workers: cmd.workers,
        isolation: cmd.isolation,
        timeout: cmd.timeout,
        max_memory: cmd.max_memory,
        max_procs: cmd.max_procs,
        max_concurrency: cmd.max_concurrency,
        queue: cmd.queue,
        config: cmd.config,
        routes: cmd.routes,
    };
    let config = crate::serve::config::ServeConfig::from_flags(flags)?;
    let name = |v: Option<clap::builder::PossibleValue>| v.map(|v| v.get_name().to_string()).unwrap_or_default();
    let mut template_args = vec![
        "--bounds-checks".to_string(),
        name(cmd.codegen.bounds_checks.to_possible_value()),
        "--opt-level".to_string(),
        name(cmd.codegen.opt_level.to_possible_value()),
    ];
    if cmd.no_cache {
        template_args.push("--no-cache".to_string());
    }
    let compile = crate::serve::http::Compile { config: cmd.codegen.config(), template_args, cache: !cmd.no_cache };
    crate::serve::http::serve(config, compile)
}

fn compile(cmd: CompileCommand) -> ExitCode {
    let output = cmd.output.unwrap_or_else(|| cmd.module.with_extension("cwasm"));
    let config = crate::progress::on_terminal(cmd.codegen.config(), &cmd.module);
    report(crate::run::compile_to_file(&cmd.module, &output, config))
}

fn run(cmd: RunCommand) -> ExitCode {
    if cmd.profile.is_some() {
        cwali_rt::profiling::enable_perfmap();
    }
    let mut module_and_args = cmd.module_and_args.into_iter();
    let module = PathBuf::from(module_and_args.next().expect("clap requires WASM"));
    let opts = RunOptions {
        config: crate::progress::on_terminal(cmd.codegen.config(), &module),
        module,
        args: module_and_args.collect(),
        invoke: cmd.invoke,
        cache: !cmd.no_cache,
        wali: crate::run::WaliOptions {
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
    match crate::run::run(&opts) {
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
            None => report(Err(err)),
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
        let report = crate::run_wast_file(file, &config);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        shorthand(list.iter().map(OsString::from).collect()).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn the_clap_definition_is_consistent() {
        command().debug_assert();
        let cmd = command();
        let mut names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
        names.push("help");
        assert_eq!(names, SUBCOMMANDS);
        assert!(command().get_subcommands().all(|s| s.get_all_aliases().next().is_none()), "aliases go in SUBCOMMANDS");
    }

    #[test]
    fn a_module_or_a_run_option_first_means_run() {
        assert_eq!(args(&["cwali", "app.wasm", "-h"]), ["cwali", "run", "app.wasm", "-h"]);
        assert_eq!(args(&["cwali", "/x/app", "a"]), ["cwali", "run", "/x/app", "a"]);
        assert_eq!(args(&["cwali", "--env", "A=1", "x.wat"]), ["cwali", "run", "--env", "A=1", "x.wat"]);
        assert_eq!(args(&["cwali", "--trace=x"]), ["cwali", "run", "--trace=x"]);
        assert_eq!(args(&["cwali", "-O0", "x.wat"]), ["cwali", "run", "-O0", "x.wat"]);
    }

    #[test]
    fn subcommands_help_and_typos_are_left_to_clap() {
        for list in [
            &["cwali", "run", "a.wasm"][..],
            &["cwali", "wast", "x.wasm"],
            &["cwali", "help", "run"],
            &["cwali", "--help"],
            &["cwali", "-h"],
            &["cwali", "-V"],
            &["cwali", "rnu"],
            &["cwali", "--bogus"],
            &["cwali"],
        ] {
            assert_eq!(args(list), list);
        }
    }

    #[test]
    fn the_version_names_cranelift_and_the_code_generator() {
        assert!(VERSION.contains(cranelift_native::VERSION), "{}", *VERSION);
        assert!(VERSION.contains(cwali_codegen::cache::GENERATOR.rsplit(' ').next().unwrap()), "{}", *VERSION);
    }
}
