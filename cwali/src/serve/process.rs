//! Process isolation: per route, a *template process* (`cwali __serve-template`) holds the
//! compiled module and forks one child per request; the child runs the program with the whole
//! WALI host, as `cwali run` would, its stdin, stdout and stderr being pipes to the server.
//!
//! The server and a template talk over a `SOCK_SEQPACKET` socket pair (one message per
//! datagram): the server sends a request (argv, environment) with the three pipe ends attached
//! (`SCM_RIGHTS`); the template answers with the child's pid, and later with its wait status.
//! The template has one thread when it forks: one that had to compile the module (and so has
//! the compiler's worker threads) starts itself again, and loads the code from the cache. With
//! `--no-cache` the idle compiler threads remain (a fork only copies the calling thread, and the
//! template holds no lock they use). The child becomes the leader
//! of its own process group, so that a deadline or a client that went away kills it and
//! everything it forked.

use std::collections::HashMap;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use nix::sys::socket::{self, ControlMessage, ControlMessageOwned, MsgFlags};
use tokio::sync::oneshot;

use super::Outcome;

/// The largest message (a request's environment is bounded by the server's header limit).
const MAX_MESSAGE: usize = 256 << 10;

/// The fd the template finds its socket at.
const TEMPLATE_FD: RawFd = 3;

// Message tags.
const READY: u8 = 1;
const ERROR: u8 = 2;
const REQUEST: u8 = 3;
const SPAWNED: u8 = 4;
const SPAWN_FAILED: u8 = 5;
const EXITED: u8 = 6;

/// A message, little-endian fields after a tag byte.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn new(tag: u8) -> Writer {
        Writer(vec![tag])
    }
    fn u64(mut self, v: u64) -> Writer {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn str(mut self, s: &str) -> Writer {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn strs(mut self, list: &[String]) -> Writer {
        self.0.extend_from_slice(&(list.len() as u32).to_le_bytes());
        for s in list {
            self = self.str(s);
        }
        self
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        if self.0.len() < n {
            bail!("truncated message");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn str(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    fn strs(&mut self) -> Result<Vec<String>> {
        (0..self.u32()?).map(|_| self.str()).collect()
    }
}

fn send(sock: RawFd, msg: &[u8], fds: &[RawFd]) -> nix::Result<()> {
    let iov = [IoSlice::new(msg)];
    let cmsgs = [ControlMessage::ScmRights(fds)];
    let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &cmsgs };
    socket::sendmsg::<()>(sock, &iov, cmsgs, MsgFlags::MSG_NOSIGNAL, None).map(|_| ())
}

/// One message and the fds that came with it; `None` at end of file.
fn recv(sock: RawFd, buf: &mut [u8]) -> nix::Result<Option<(usize, Vec<OwnedFd>)>> {
    let mut cmsg = nix::cmsg_space!([RawFd; 3]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = loop {
        match socket::recvmsg::<()>(sock, &mut iov, Some(&mut cmsg), MsgFlags::MSG_CMSG_CLOEXEC) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => break other?,
        }
    };
    let mut fds = Vec::new();
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(raw) = c {
            // SAFETY: the kernel just installed these descriptors in this process for us.
            fds.extend(raw.into_iter().map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }));
        }
    }
    if msg.bytes == 0 && fds.is_empty() {
        return Ok(None);
    }
    Ok(Some((msg.bytes, fds)))
}

// ---------------------------------------------------------------------------------------------
// The template process.

/// `cwali __serve-template`: load `module`, say whether it worked, then fork one child per
/// request until the server closes the socket. Never returns.
pub fn template_main(module: PathBuf, config: cwali_rt::Config, cache: bool, max_memory: Option<u64>) -> ! {
    // SAFETY: the server put the socket at this fd (Command::pre_exec) and nothing else owns it.
    let sock = unsafe { OwnedFd::from_raw_fd(TEMPLATE_FD) };
    let fd = sock.as_raw_fd();
    let (engine, module) = match load(&module, config, cache) {
        Ok(loaded) => loaded,
        Err(e) => {
            let _ = send(fd, &Writer::new(ERROR).str(&format!("{e:#}")).0, &[]);
            std::process::exit(1)
        }
    };
    if cache && threads() > 1 && std::env::var_os(REEXEC).is_none() {
        reexec();
    }
    if send(fd, &Writer::new(READY).0, &[]).is_err() {
        std::process::exit(1)
    }
    let baseline = data_size();
    // SIGCHLD through a signalfd: `prepare_process` blocked it on this thread, the only one
    // that matters after a fork.
    let mut mask = nix::sys::signal::SigSet::empty();
    mask.add(nix::sys::signal::Signal::SIGCHLD);
    let _ = mask.thread_block();
    let sigfd = nix::sys::signalfd::SignalFd::with_flags(
        &mask,
        nix::sys::signalfd::SfdFlags::SFD_NONBLOCK | nix::sys::signalfd::SfdFlags::SFD_CLOEXEC,
    )
    .unwrap_or_else(|e| {
        eprintln!("error: cwali serve template: signalfd: {e}");
        std::process::exit(1)
    });
    let mut children: Vec<i32> = Vec::new();
    let mut buf = vec![0u8; MAX_MESSAGE];
    loop {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(sock.as_fd(), PollFlags::POLLIN), PollFd::new(sigfd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(_) => break,
        }
        let sock_ready = fds[0].revents().is_some_and(|r| !r.is_empty());
        let child_ready = fds[1].revents().is_some_and(|r| !r.is_empty());
        if child_ready {
            while let Ok(Some(_)) = sigfd.read_signal() {}
            reap(fd, &mut children);
        }
        if sock_ready {
            match recv(fd, &mut buf) {
                Ok(Some((n, passed))) => {
                    if let Err(e) = spawn(fd, &buf[..n], passed, &engine, &module, max_memory, baseline, &mut children)
                    {
                        eprintln!("error: cwali serve template: {e:#}");
                    }
                }
                // The server is gone: so are its requests.
                Ok(None) | Err(_) => break,
            }
        }
    }
    for pid in children {
        // SAFETY: plain syscall; the children lead their own process groups.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    std::process::exit(0)
}

/// Set in a template that started itself again (see [`reexec`]).
const REEXEC: &str = "CWALI_SERVE_TEMPLATE_REEXEC";

/// Threads of this process.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let n = status.lines().find_map(|l| l.strip_prefix("Threads:")).map(str::trim);
    n.and_then(|n| n.parse().ok()).unwrap_or(1)
}

/// The module was compiled here, so the compiler's worker threads exist. Forking is safer in a
/// process with one thread: start this program again, which now finds the code in the cache and
/// starts no compiler thread. The socket stays open across exec (it is not close-on-exec).
fn reexec() {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else { return };
    // `prepare_process` blocked the signals; the new image must record the mask the server
    // gave this process (empty: std's spawn clears it), which it hands to the guests.
    // SAFETY: plain signal-mask call on this thread.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
    }
    let err = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env(REEXEC, "1").exec();
    tracing::debug!("template: cannot start itself again: {err}");
    cwali_wali_abi::host::prepare_process();
}

fn load(path: &std::path::Path, config: cwali_rt::Config, cache: bool) -> Result<(cwali_rt::Engine, cwali_rt::Module)> {
    let configure = |info: &cwali_frontend::ModuleInfo| {
        cwali_wali_abi::host::prepare_process();
        if crate::run::is_wali_program(info) {
            cwali_wali_abi::host::engine_config(config.clone(), false)
        } else {
            config.clone()
        }
    };
    let read = || crate::run::load_wasm_bytes(path);
    let engine = crate::run::engine(config.clone(), cache);
    let (engine, module) = cwali_rt::Module::from_file(&engine, path, read, configure)
        .with_context(|| format!("failed to load `{}`", path.display()))?;
    if !crate::run::is_wali_program(module.info()) {
        bail!("`{}` is not a WALI program (it imports nothing from `wali`)", path.display());
    }
    Ok((engine, module))
}

/// Reap every child that ended and tell the server its wait status.
fn reap(sock: RawFd, children: &mut Vec<i32>) {
    loop {
        let mut status = 0;
        // SAFETY: plain syscall into a local.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
        children.retain(|&c| c != pid);
        let _ = send(sock, &Writer::new(EXITED).u64(pid as u64).u64(status as u32 as u64).0, &[]);
    }
}

/// Private writable memory of this process now (`VmData`), in bytes.
fn data_size() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find_map(|l| l.strip_prefix("VmData:")).and_then(|v| v.split_whitespace().next());
    kib.and_then(|k| k.parse::<u64>().ok()).unwrap_or(0) * 1024
}

/// Room for the runtime's own allocations and the guest's thread stacks beside its memory.
const DATA_SLACK: u64 = 64 << 20;

#[allow(clippy::too_many_arguments)]
fn spawn(
    sock: RawFd,
    msg: &[u8],
    passed: Vec<OwnedFd>,
    engine: &cwali_rt::Engine,
    module: &cwali_rt::Module,
    max_memory: Option<u64>,
    baseline: u64,
    children: &mut Vec<i32>,
) -> Result<()> {
    let mut r = Reader(msg);
    if r.take(1)? != [REQUEST] {
        bail!("unexpected message");
    }
    let id = r.u64()?;
    let argv = r.strs()?;
    let env = r.strs()?;
    let [stdin, stdout, stderr]: [OwnedFd; 3] = passed.try_into().map_err(|_| anyhow!("request without 3 fds"))?;
    // SAFETY: this process has one thread that runs code (the compiler's workers are idle), so
    // the child may allocate; it only sets itself up and runs the program, which never returns.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            child(stdin, stdout, stderr, max_memory.map(|m| baseline + m + DATA_SLACK));
            let config = cwali_wali_abi::host::WaliConfig { argv, env, inherit_env: false, ..Default::default() };
            cwali_wali_abi::host::run(engine, module, config)
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            let pid = child.as_raw();
            // Also here, so the group exists before the server may signal it.
            let _ = nix::unistd::setpgid(child, child);
            children.push(pid);
            send(sock, &Writer::new(SPAWNED).u64(id).u64(pid as u64).0, &[])?;
        }
        Err(e) => send(sock, &Writer::new(SPAWN_FAILED).u64(id).str(&format!("fork: {e}")).0, &[])?,
    }
    Ok(())
}

/// In the child: its own process group, the pipes as 0, 1 and 2, no other descriptor, limits.
fn child(stdin: OwnedFd, stdout: OwnedFd, stderr: OwnedFd, data_limit: Option<u64>) {
    let _ = nix::unistd::setpgid(nix::unistd::Pid::from_raw(0), nix::unistd::Pid::from_raw(0));
    let ok = nix::unistd::dup2_stdin(&stdin).is_ok()
        && nix::unistd::dup2_stdout(&stdout).is_ok()
        && nix::unistd::dup2_stderr(&stderr).is_ok();
    if !ok {
        std::process::exit(127);
    }
    drop((stdin, stdout, stderr));
    // SAFETY: closes descriptors nothing in this process uses any more (the socket, the
    // signalfd, the server's log); the Rust objects that owned them are never used again.
    unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
    if let Some(limit) = data_limit {
        // Guard regions are reserved without access and do not count; memory the guest grows
        // into does.
        let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_DATA, limit, limit);
    }
}

// ---------------------------------------------------------------------------------------------
// The server's side.

/// How the server starts templates.
#[derive(Clone)]
pub struct TemplateSpec {
    /// The module.
    pub module: PathBuf,
    /// `__serve-template` options besides the module (codegen, cache, memory).
    pub args: Vec<String>,
}

/// A running template and the requests it has in flight.
struct Conn {
    sock: OwnedFd,
    /// Requests sent, waiting for their pid; children waiting for their status.
    pending: Mutex<Pending>,
    child: Mutex<std::process::Child>,
}

/// Where a request learns its child's pid (or why there is none), and later how the child ended.
type Waiters = (oneshot::Sender<Result<i32, String>>, oneshot::Sender<Outcome>);

#[derive(Default)]
struct Pending {
    dead: bool,
    next_id: u64,
    spawning: HashMap<u64, Waiters>,
    running: HashMap<i32, oneshot::Sender<Outcome>>,
}

/// The template of one route, restarted when it dies.
pub struct Template {
    spec: TemplateSpec,
    conn: tokio::sync::Mutex<Option<Arc<Conn>>>,
}

/// The pipes of a started child, the server's ends.
pub struct Child {
    /// The child's pid, also its process group.
    pub pid: i32,
    /// Write the request body here.
    pub stdin: OwnedFd,
    /// The program's output.
    pub stdout: OwnedFd,
    /// The program's log.
    pub stderr: OwnedFd,
    /// Its end.
    pub outcome: oneshot::Receiver<Outcome>,
}

impl Template {
    /// Start the template; fails (with the template's message) if it cannot load the module.
    pub fn start(spec: TemplateSpec) -> Result<Template> {
        let conn = Conn::start(&spec)?;
        Ok(Template { spec, conn: tokio::sync::Mutex::new(Some(conn)) })
    }

    async fn conn(&self) -> Result<Arc<Conn>> {
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref().filter(|c| !c.pending.lock().expect("not poisoned").dead) {
            return Ok(c.clone());
        }
        if let Some(old) = guard.take() {
            let _ = old.child.lock().expect("not poisoned").wait();
            tracing::warn!(module = %self.spec.module.display(), "template process died; restarting it");
        }
        let spec = self.spec.clone();
        let conn = tokio::task::spawn_blocking(move || Conn::start(&spec)).await??;
        *guard = Some(conn.clone());
        Ok(conn)
    }

    /// Fork a child for one request.
    pub async fn spawn(&self, argv: &[String], env: &[String]) -> Result<Child> {
        let conn = self.conn().await?;
        let flags = nix::fcntl::OFlag::O_CLOEXEC;
        let (in_r, in_w) = nix::unistd::pipe2(flags)?;
        let (out_r, out_w) = nix::unistd::pipe2(flags)?;
        let (err_r, err_w) = nix::unistd::pipe2(flags)?;
        let (pid_tx, pid_rx) = oneshot::channel();
        let (exit_tx, exit_rx) = oneshot::channel();
        let id = {
            let mut p = conn.pending.lock().expect("not poisoned");
            if p.dead {
                bail!("the template process died");
            }
            p.next_id += 1;
            let id = p.next_id;
            p.spawning.insert(id, (pid_tx, exit_tx));
            id
        };
        let msg = Writer::new(REQUEST).u64(id).strs(argv).strs(env).0;
        if msg.len() > MAX_MESSAGE {
            conn.pending.lock().expect("not poisoned").spawning.remove(&id);
            bail!("request environment too large");
        }
        let sent = send(conn.sock.as_raw_fd(), &msg, &[in_r.as_raw_fd(), out_w.as_raw_fd(), err_w.as_raw_fd()]);
        if let Err(e) = sent {
            conn.pending.lock().expect("not poisoned").spawning.remove(&id);
            bail!("cannot reach the template process: {e}");
        }
        drop((in_r, out_w, err_w));
        let pid = pid_rx.await.map_err(|_| anyhow!("the template process died"))?.map_err(|e| anyhow!(e))?;
        Ok(Child { pid, stdin: in_w, stdout: out_r, stderr: err_r, outcome: exit_rx })
    }
}

impl Conn {
    fn start(spec: &TemplateSpec) -> Result<Arc<Conn>> {
        use std::os::unix::process::CommandExt;
        let (ours, theirs) = socket::socketpair(
            socket::AddressFamily::Unix,
            socket::SockType::SeqPacket,
            None,
            socket::SockFlag::SOCK_CLOEXEC,
        )?;
        let exe = std::env::current_exe().context("cannot find cwali's own executable")?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("__serve-template").args(&spec.args).arg("--").arg(&spec.module);
        cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
        let theirs_raw = theirs.as_raw_fd();
        // SAFETY: dup2 is async-signal-safe; it puts the socket at the fd the template expects
        // (and clears close-on-exec there).
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(theirs_raw, TEMPLATE_FD) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        };
        let child = cmd.spawn().context("cannot start a template process")?;
        drop(theirs);
        // The first message says whether the module loaded.
        let mut buf = vec![0u8; MAX_MESSAGE];
        let first = recv(ours.as_raw_fd(), &mut buf)?;
        let conn = Arc::new(Conn { sock: ours, pending: Mutex::default(), child: Mutex::new(child) });
        match first {
            Some((n, _)) if buf[..n] == [READY] => {}
            Some((n, _)) if buf.first() == Some(&ERROR) => {
                let _ = conn.child.lock().expect("not poisoned").wait();
                bail!("{}", Reader(&buf[1..n]).str().unwrap_or_default());
            }
            _ => {
                let _ = conn.child.lock().expect("not poisoned").wait();
                bail!("the template process for `{}` died while loading it", spec.module.display());
            }
        }
        let reader = conn.clone();
        std::thread::Builder::new()
            .name("cwali-serve-template".into())
            .spawn(move || reader.read_loop(buf))
            .context("cannot start a thread")?;
        Ok(conn)
    }

    /// Dispatch the template's messages until it goes away.
    fn read_loop(&self, mut buf: Vec<u8>) {
        while let Ok(Some((n, _))) = recv(self.sock.as_raw_fd(), &mut buf) {
            let mut r = Reader(&buf[..n]);
            let Ok(tag) = r.take(1).map(|t| t[0]) else { continue };
            let mut p = self.pending.lock().expect("not poisoned");
            match tag {
                SPAWNED => {
                    let (Ok(id), Ok(pid)) = (r.u64(), r.u64()) else { continue };
                    if let Some((pid_tx, exit_tx)) = p.spawning.remove(&id) {
                        p.running.insert(pid as i32, exit_tx);
                        if pid_tx.send(Ok(pid as i32)).is_err() {
                            // The request went away meanwhile.
                            // SAFETY: plain syscall on the group of the child just made.
                            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
                        }
                    }
                }
                SPAWN_FAILED => {
                    let (Ok(id), Ok(e)) = (r.u64(), r.str()) else { continue };
                    if let Some((pid_tx, _)) = p.spawning.remove(&id) {
                        let _ = pid_tx.send(Err(e));
                    }
                }
                EXITED => {
                    let (Ok(pid), Ok(status)) = (r.u64(), r.u64()) else { continue };
                    if let Some(tx) = p.running.remove(&(pid as i32)) {
                        let _ = tx.send(outcome_of(status as i32));
                    }
                }
                _ => {}
            }
        }
        let mut p = self.pending.lock().expect("not poisoned");
        p.dead = true;
        p.spawning.clear();
        for (_, tx) in p.running.drain() {
            let _ = tx.send(Outcome::Failed("the template process died".into()));
        }
    }
}

/// A wait status as an outcome.
fn outcome_of(status: i32) -> Outcome {
    if libc::WIFEXITED(status) {
        Outcome::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Outcome::Signaled(libc::WTERMSIG(status))
    } else {
        Outcome::Failed(format!("wait status {status:#x}"))
    }
}

/// Kill a child's process group (`SIGKILL`).
pub fn kill_group(pid: i32) {
    // SAFETY: plain syscall; `pid` leads its own group (set in the child and the template).
    unsafe { libc::kill(-pid, libc::SIGKILL) };
}

// ---------------------------------------------------------------------------------------------
// The process cap.

/// Process groups of running requests, each with its cap on processes and the flag set when the
/// cap was exceeded (and the group killed).
type Watched = HashMap<i32, (usize, Arc<std::sync::atomic::AtomicBool>)>;

static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);

/// How often the process groups are counted.
const WATCH_PERIOD: std::time::Duration = std::time::Duration::from_millis(25);

/// Cap the number of processes in the group `pgid` at `limit`: a thread counts the processes
/// of every watched group (in /proc) every few milliseconds and kills a group over its cap
/// (a fork bomb; `RLIMIT_NPROC` would count all of the user's processes, and not bind root).
/// The returned flag tells whether it did.
pub fn watch(pgid: i32, limit: usize) -> Arc<std::sync::atomic::AtomicBool> {
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut watched = WATCHED.lock().expect("not poisoned");
    if watched.is_none() {
        let _ = std::thread::Builder::new().name("cwali-serve-procs".into()).spawn(count_loop);
    }
    watched.get_or_insert_with(HashMap::new).insert(pgid, (limit, flag.clone()));
    flag
}

/// Stop watching `pgid` (its request is over).
pub fn unwatch(pgid: i32) {
    if let Some(w) = WATCHED.lock().expect("not poisoned").as_mut() {
        w.remove(&pgid);
    }
}

fn count_loop() {
    let mut counts: HashMap<i32, usize> = HashMap::new();
    loop {
        std::thread::sleep(WATCH_PERIOD);
        if WATCHED.lock().expect("not poisoned").as_ref().is_none_or(HashMap::is_empty) {
            continue;
        }
        counts.clear();
        let Ok(dir) = std::fs::read_dir("/proc") else { continue };
        for entry in dir.flatten() {
            let name = entry.file_name();
            if !name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
                continue;
            }
            let mut path = entry.path();
            path.push("stat");
            let Ok(stat) = std::fs::read_to_string(&path) else { continue };
            // `pid (comm) state ppid pgrp ...`: comm may hold anything but ends at the last `)`.
            let pgrp = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(2)?.parse::<i32>().ok());
            if let Some(pgrp) = pgrp {
                *counts.entry(pgrp).or_default() += 1;
            }
        }
        let watched = WATCHED.lock().expect("not poisoned");
        for (pgid, (limit, flag)) in watched.iter().flatten() {
            if counts.get(pgid).is_some_and(|&n| n > *limit) {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                kill_group(*pgid);
            }
        }
    }
}
