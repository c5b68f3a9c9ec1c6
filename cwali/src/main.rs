//! The `cwali` binary: logging set-up, then the command line of the `cwali` library
//! (`cwali::cli`: argument parsing, dispatch and exit codes).
//!
//! Exit codes follow Wasmtime 48's CLI (`src/commands/run.rs`): 0 on success; a Wasm trap prints
//! the trap and exits with 128 + SIGABRT (134) on Unix, 3 on Windows, as if the program had
//! aborted; every other error (unreadable file, invalid module, missing export, ...) prints one
//! `error:` line and exits with 1. `cwali wast` exits with 1 if any directive failed. Usage
//! errors exit with clap's code 2.

use std::process::ExitCode;

fn main() -> ExitCode {
    init_logging();
    cwali::cli::main()
}

/// `CWALI_LOG` (an env-filter spec) logs through tracing-subscriber; without it only warnings
/// and errors are printed, by [`Warnings`] (`cwali serve`: info and above, its access log).
fn init_logging() {
    // `cwali serve` logs its requests at level info.
    let serve = std::env::args_os().nth(1).is_some_and(|a| a == "serve");
    let filter = tracing_subscriber::EnvFilter::try_from_env("CWALI_LOG").ok();
    let filter = if serve { filter.or_else(|| tracing_subscriber::EnvFilter::try_new("info").ok()) } else { filter };
    match filter {
        Some(filter) => {
            use std::io::IsTerminal;
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal())
                .init()
        }
        None => tracing::subscriber::set_global_default(Warnings).expect("no subscriber yet"),
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
