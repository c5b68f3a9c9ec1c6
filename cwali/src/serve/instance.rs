//! Instance isolation: every request runs in a fresh in-process sandbox
//! (`cwali_wali_abi::sandbox`) on a pool of worker threads (not tokio's: a guest runs as long
//! as its deadline allows). The guest's stdout is a writer that sends each write as a chunk to
//! the response, so output streams as it is written.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use cwali_wali_abi::sandbox::{SandboxLimits, SandboxModule, SandboxOutcome, SandboxRequest};
use tokio::sync::{mpsc as tmpsc, oneshot};

use super::Outcome;

/// One request for a worker.
pub struct Job {
    /// The route's module.
    pub module: Arc<SandboxModule>,
    /// The guest's argv.
    pub argv: Vec<String>,
    /// The guest's environment.
    pub env: Vec<String>,
    /// The request body.
    pub stdin: Bytes,
    /// Output chunks go here.
    pub stdout: tmpsc::Sender<Bytes>,
    /// Each stderr line is logged with this request id.
    pub request_id: u64,
    /// When the guest is stopped.
    pub deadline: Instant,
    /// How it ended.
    pub outcome: oneshot::Sender<Outcome>,
    /// Dropped when the guest is done (the request's scheduler slot).
    pub hold: Box<dyn Send>,
}

/// The worker threads.
pub struct Pool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Pool {
    /// Start `workers` threads.
    pub fn new(workers: usize) -> Result<Pool> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("cwali-serve-worker-{i}"))
                .stack_size(16 << 20)
                .spawn(move || {
                    loop {
                        let job = match rx.lock().expect("not poisoned").recv() {
                            Ok(job) => job,
                            Err(_) => return,
                        };
                        run(job);
                    }
                })
                .context("cannot start a worker thread")?;
        }
        Ok(Pool { jobs: Mutex::new(tx) })
    }

    /// Queue a job (the scheduler already bounds how many run).
    pub fn submit(&self, job: Job) -> Result<()> {
        self.jobs.lock().expect("not poisoned").send(job).map_err(|_| anyhow!("the worker pool stopped"))
    }
}

/// Compile a route's module for sandboxes (through the code cache, as `cwali run` does).
pub fn load(
    path: &std::path::Path,
    config: cwali_rt::Config,
    cache: bool,
    max_memory: Option<u64>,
) -> Result<SandboxModule> {
    let configure = |_: &cwali_frontend::ModuleInfo| SandboxModule::engine_config(config.clone());
    let read = || crate::run::load_wasm_bytes(path);
    let engine = crate::run::engine(config.clone(), cache);
    let (engine, module) = cwali_rt::Module::from_file(&engine, path, read, configure)
        .with_context(|| format!("failed to load `{}`", path.display()))?;
    if !crate::run::is_wali_program(module.info()) {
        anyhow::bail!("`{}` is not a WALI program (it imports nothing from `wali`)", path.display());
    }
    SandboxModule::new(&engine, &module, SandboxLimits { max_memory })
        .map_err(|e| anyhow!("cannot prepare `{}` for sandboxes: {e}", path.display()))
}

/// The guest's stdout: each write is a chunk of the response; an error once the client is gone.
struct ChunkWriter(tmpsc::Sender<Bytes>);

impl std::io::Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.0.blocking_send(Bytes::copy_from_slice(buf)).map_err(|_| std::io::ErrorKind::BrokenPipe)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The guest's stderr: complete lines go to the log.
struct LogWriter {
    request_id: u64,
    line: Vec<u8>,
}

impl LogWriter {
    fn emit(&mut self, upto: usize) {
        let line: Vec<u8> = self.line.drain(..upto).collect();
        let text = String::from_utf8_lossy(&line);
        tracing::info!(target: "cwali::serve::stderr", request = self.request_id, "{}", text.trim_end());
    }
}

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        while let Some(nl) = self.line.iter().position(|&b| b == b'\n') {
            self.emit(nl + 1);
        }
        if self.line.len() > 4096 {
            self.emit(self.line.len());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            self.emit(self.line.len());
        }
    }
}

fn run(job: Job) {
    let mut stdout = ChunkWriter(job.stdout);
    let mut stderr = LogWriter { request_id: job.request_id, line: Vec::new() };
    let request = SandboxRequest {
        argv: job.argv,
        env: job.env,
        stdin: &job.stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        deadline: Some(job.deadline),
    };
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.module.run(request))) {
        Ok(SandboxOutcome::Exited(code)) => Outcome::Exited(code),
        Ok(SandboxOutcome::Trapped(message)) => Outcome::Trapped(message),
        Ok(SandboxOutcome::TimedOut) => Outcome::TimedOut,
        Err(_) => Outcome::Trapped("the sandbox panicked".into()),
    };
    // The outcome first: the response reads it when stdout ends.
    // The outcome and the slot first: the response reads the one and a client may send its next
    // request as soon as the output ends.
    let _ = job.outcome.send(outcome);
    drop(job.hold);
    drop(stdout);
}
