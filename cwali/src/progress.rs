//! The progress line that `cwali run` and `cwali compile` keep on stderr while a large module
//! compiles (files of several MB take seconds). Only on a terminal, and only once compiling has
//! taken [`QUIET_FOR`]: small modules, cache hits and redirected stderr see nothing. The line is
//! erased when the last function is done, before the program writes anything.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cwali_codegen::Progress;
use cwali_rt::Config;

/// How long compiling goes on before the line appears.
pub const QUIET_FOR: Duration = Duration::from_millis(300);

/// How often the line is redrawn at most.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// `config` with a progress line for compiling `module` if stderr is a terminal.
pub fn on_terminal(config: Config, module: &Path) -> Config {
    if !std::io::stderr().is_terminal() {
        return config;
    }
    with_line(config, module, Box::new(std::io::stderr()), QUIET_FOR)
}

/// `config` with a progress line written to `out` once compiling has taken `quiet_for`.
pub fn with_line(config: Config, module: &Path, out: Box<dyn Write + Send>, quiet_for: Duration) -> Config {
    let label = module.file_name().unwrap_or(module.as_os_str()).to_string_lossy().into_owned();
    let line =
        Arc::new(Line { label, quiet_for, start: Instant::now(), state: Mutex::new(State { out, drawn: None }) });
    Config { progress: Some(Progress(Arc::new(move |done, total| line.update(done, total)))), ..config }
}

struct Line {
    label: String,
    quiet_for: Duration,
    start: Instant,
    state: Mutex<State>,
}

struct State {
    out: Box<dyn Write + Send>,
    /// When the line was last drawn (`None`: never, or erased).
    drawn: Option<Instant>,
}

impl Line {
    fn update(&self, done: usize, total: usize) {
        let finished = done >= total;
        // Compiling threads do not queue up behind a redraw; the final call does wait for it.
        let mut state = match (finished, self.state.try_lock()) {
            (_, Ok(state)) => state,
            (true, Err(_)) => self.state.lock().unwrap_or_else(|e| e.into_inner()),
            (false, Err(_)) => return,
        };
        let now = Instant::now();
        if finished {
            if state.drawn.take().is_some() {
                let _ = write!(state.out, "\r\x1b[2K");
                let _ = state.out.flush();
            }
            return;
        }
        let due = state.drawn.is_none_or(|at| now.duration_since(at) >= REDRAW_EVERY);
        if now.duration_since(self.start) < self.quiet_for || !due {
            return;
        }
        let percent = done * 100 / total.max(1);
        let _ = write!(state.out, "\r\x1b[2Kcwali: compiling {}: {done}/{total} functions ({percent}%)", self.label);
        let _ = state.out.flush();
        state.drawn = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn call(config: &Config, done: usize, total: usize) {
        (config.progress.as_ref().unwrap().0)(done, total)
    }

    #[test]
    fn the_line_appears_after_the_quiet_time_and_is_erased_at_the_end() {
        let out = Shared::default();
        let config = with_line(Config::default(), Path::new("dir/big.wasm"), Box::new(out.clone()), Duration::ZERO);
        call(&config, 1, 4);
        call(&config, 2, 4); // within REDRAW_EVERY of the first: not drawn
        call(&config, 4, 4);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "\r\x1b[2Kcwali: compiling big.wasm: 1/4 functions (25%)\r\x1b[2K");
    }

    #[test]
    fn a_quick_compile_prints_nothing() {
        let out = Shared::default();
        let config =
            with_line(Config::default(), Path::new("a.wasm"), Box::new(out.clone()), Duration::from_secs(3600));
        for done in 1..=100 {
            call(&config, done, 100);
        }
        assert!(out.0.lock().unwrap().is_empty());
    }
}
