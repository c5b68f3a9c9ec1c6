//! [`WaliCommand`]: run a WALI program from Rust as a child process, with its stdio captured or
//! inherited, like `std::process::Command`.
//!
//! A WALI program is a Linux process: it may fork, exec, install signal handlers and call
//! `exit`, all of which act on the process it runs in. So that the embedding program survives
//! it, the program runs in a child forked from the caller, with the module already compiled
//! (nothing is compiled or read again in the child). `cwali::wali::run` is the other way: the
//! program takes over the calling process.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Output};

use cwali_rt::{Engine, Module};
use cwali_wali_abi::host::WaliConfig;

/// What a standard stream of the program is connected to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WaliStdio {
    /// The caller's own stream (the default for [`WaliCommand::status`]).
    #[default]
    Inherit,
    /// Captured: for stdin, the bytes given; for stdout and stderr, returned by
    /// [`WaliCommand::output`].
    Piped,
    /// `/dev/null`.
    Null,
}

/// A WALI program to run as a child process.
///
/// ```no_run
/// use cwali::{Config, Engine, Module, wali};
///
/// # fn main() -> anyhow::Result<()> {
/// let engine = Engine::new(wali::engine_config(Config::default(), false));
/// let module = Module::new(&engine, &std::fs::read("app.wasm")?)?;
/// let out = wali::WaliCommand::new(&engine, &module, "app.wasm")
///     .arg("--verbose")
///     .env("LANG", "C")
///     .stdin_bytes(b"input".to_vec())
///     .output()?;
/// println!("exit {:?}, {} bytes of output", out.status.code(), out.stdout.len());
/// # Ok(())
/// # }
/// ```
pub struct WaliCommand {
    engine: Engine,
    module: Module,
    config: WaliConfig,
    stdin: Option<Vec<u8>>,
    stdin_mode: WaliStdio,
    stdout: WaliStdio,
    stderr: WaliStdio,
}

impl WaliCommand {
    /// The program `module` (compiled with [`crate::wali::engine_config`]), with `argv0` as
    /// `argv[0]`, no other arguments and an empty environment.
    pub fn new(engine: &Engine, module: &Module, argv0: impl Into<String>) -> WaliCommand {
        WaliCommand {
            engine: engine.clone(),
            module: module.clone(),
            config: WaliConfig { argv: vec![argv0.into()], ..Default::default() },
            stdin: None,
            stdin_mode: WaliStdio::Inherit,
            stdout: WaliStdio::Inherit,
            stderr: WaliStdio::Inherit,
        }
    }

    /// Add an argument.
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.config.argv.push(arg.into());
        self
    }

    /// Add arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.config.argv.extend(args.into_iter().map(Into::into));
        self
    }

    /// Set an environment variable.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.config.env.push(format!("{name}={value}"));
        self
    }

    /// Start from the caller's environment (variables set with [`Self::env`] still apply last).
    pub fn inherit_env(&mut self, inherit: bool) -> &mut Self {
        self.config.inherit_env = inherit;
        self
    }

    /// Confinement (`--dir`, `--net`, ...), as `cwali run` applies it.
    pub fn confine(&mut self, confine: cwali_wali_abi::host::confine::Confinement) -> &mut Self {
        self.config.confine = confine;
        self
    }

    /// Feed `bytes` to the program's stdin, then end of file.
    pub fn stdin_bytes(&mut self, bytes: Vec<u8>) -> &mut Self {
        self.stdin = Some(bytes);
        self.stdin_mode = WaliStdio::Piped;
        self
    }

    /// Connect stdin (`Piped` without [`Self::stdin_bytes`] is an empty stdin).
    pub fn stdin(&mut self, mode: WaliStdio) -> &mut Self {
        self.stdin_mode = mode;
        self
    }

    /// Connect stdout.
    pub fn stdout(&mut self, mode: WaliStdio) -> &mut Self {
        self.stdout = mode;
        self
    }

    /// Connect stderr.
    pub fn stderr(&mut self, mode: WaliStdio) -> &mut Self {
        self.stderr = mode;
        self
    }

    /// Run the program to its end with stdout and stderr captured (unless set otherwise) and
    /// return its exit status and output. A program killed by a signal (a trap ends a WALI
    /// program as the native one would end: by SIGSEGV, SIGILL, ...) has
    /// `status.signal()` set.
    pub fn output(&mut self) -> std::io::Result<Output> {
        let capture = |m: &WaliStdio| if *m == WaliStdio::Inherit { WaliStdio::Piped } else { m.clone() };
        let (stdout, stderr) = (capture(&self.stdout), capture(&self.stderr));
        self.spawn_and_wait(stdout, stderr)
    }

    /// Run the program to its end and return its exit status; its streams are as set
    /// (inherited by default).
    pub fn status(&mut self) -> std::io::Result<ExitStatus> {
        let (stdout, stderr) = (self.stdout.clone(), self.stderr.clone());
        Ok(self.spawn_and_wait(stdout, stderr)?.status)
    }

    fn spawn_and_wait(&mut self, stdout: WaliStdio, stderr: WaliStdio) -> std::io::Result<Output> {
        let stdin = Stream::new(&self.stdin_mode, true)?;
        let out = Stream::new(&stdout, false)?;
        let err = Stream::new(&stderr, false)?;
        // SAFETY: the child only rewires its descriptors and runs the program (already
        // compiled) through the WALI host, which never returns: it exits with the program's
        // status. It allocates, which is sound after fork with glibc (its fork handler resets
        // the allocator's locks); the caller's other threads do not exist in the child.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if pid == 0 {
            child(&self.engine, &self.module, self.config.clone(), [&stdin, &out, &err]);
        }
        // The parent keeps its ends only: with the child's write ends open here, reading the
        // program's output would never reach end of file.
        let (stdin_w, out_r, err_r) = (stdin.parent, out.parent, err.parent);
        drop((stdin.child, out.child, err.child));
        let feeder = match (stdin_w, self.stdin.clone()) {
            (Some(fd), bytes) => {
                let bytes = bytes.unwrap_or_default();
                Some(std::thread::spawn(move || {
                    // The program may exit without reading everything: EPIPE is fine.
                    let _ = std::fs::File::from(fd).write_all(&bytes);
                }))
            }
            (None, _) => None,
        };
        let err_reader = err_r.map(|fd| std::thread::spawn(move || read_all(fd)));
        let stdout_bytes = match out_r {
            Some(fd) => read_all(fd)?,
            None => Vec::new(),
        };
        let stderr_bytes = match err_reader {
            Some(t) => t.join().map_err(|_| std::io::Error::other("stderr reader panicked"))??,
            None => Vec::new(),
        };
        let status = wait(pid)?;
        if let Some(t) = feeder {
            let _ = t.join();
        }
        Ok(Output { status, stdout: stdout_bytes, stderr: stderr_bytes })
    }
}

/// One standard stream: the child's end (to become fd 0, 1 or 2) and the parent's end of a pipe.
struct Stream {
    /// `None`: inherit the caller's descriptor.
    child: Option<OwnedFd>,
    parent: Option<OwnedFd>,
}

impl Stream {
    fn new(mode: &WaliStdio, input: bool) -> std::io::Result<Stream> {
        Ok(match mode {
            WaliStdio::Inherit => Stream { child: None, parent: None },
            WaliStdio::Null => {
                let f = std::fs::OpenOptions::new().read(input).write(!input).open("/dev/null")?;
                Stream { child: Some(f.into()), parent: None }
            }
            WaliStdio::Piped => {
                let (r, w) = pipe()?;
                match input {
                    true => Stream { child: Some(r), parent: Some(w) },
                    false => Stream { child: Some(w), parent: Some(r) },
                }
            }
        })
    }
}

/// In the forked child: streams onto 0, 1 and 2, then the program. Never returns.
fn child(engine: &Engine, module: &Module, config: WaliConfig, streams: [&Stream; 3]) -> ! {
    // The parent's ends must not stay open here: stdin would never reach end of file.
    for stream in streams {
        if let Some(fd) = &stream.parent {
            // SAFETY: closes this child's copy; the OwnedFd is never used or dropped here
            // (the child leaves through `_exit`).
            unsafe { libc::close(fd.as_raw_fd()) };
        }
    }
    for (target, stream) in streams.iter().enumerate() {
        if let Some(fd) = &stream.child {
            // dup2 clears close-on-exec on the copy; every other pipe end is close-on-exec.
            // SAFETY: plain descriptor operation on descriptors this child owns.
            if unsafe { libc::dup2(fd.as_raw_fd(), target as RawFd) } < 0 {
                // SAFETY: leaving the child at once, without running the parent's destructors.
                unsafe { libc::_exit(127) };
            }
        }
    }
    // A panic must not unwind into the caller's code in the child.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        cwali_wali_abi::host::run(engine, module, config);
    }));
    let _ = result;
    // SAFETY: as above.
    unsafe { libc::_exit(127) }
}

/// A close-on-exec pipe: (read end, write end).
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the local array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors are new and owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn read_all(fd: OwnedFd) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::fs::File::from(fd).read_to_end(&mut buf)?;
    Ok(buf)
}

fn wait(pid: libc::pid_t) -> std::io::Result<ExitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child into a local.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return Ok(ExitStatus::from_raw(status));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}
