//! Instance-isolation sandboxes: many WALI programs in one process, one fresh instance per
//! request (`cwali serve --isolation instance`, the aWsm/Sledge model).
//!
//! Unlike [`crate::host`], which gives one program the whole process and the full Linux syscall
//! surface, a sandbox sees only what cannot reach outside its own linear memory: a virtual fd
//! table (0 = the request body, 1 = the response, 2 = the log), time, randomness, memory
//! management inside its own memory, futex on its own memory, and exit. Every other call gets
//! `-ENOSYS` (or `-EPERM` for a path), so a sandbox cannot touch the server or another sandbox.
//! No call is passed through to the kernel. docs/sandbox.md lists the exact allowed set.
//!
//! `exit`/`exit_group`, traps and a passed deadline end only the sandbox.
//!
//! How it works: [`SandboxModule::new`] links the module's imports once, to host functions of
//! this module. [`SandboxModule::run`] makes a store (isolated from the process-wide safepoint
//! hook, its memories capped at [`SandboxLimits::max_memory`]) and an instance from the module's
//! copy-on-write image, puts the request's state in a thread-local for the host functions, and
//! calls `_start` on the calling thread. A deadline is a watchdog thread interrupting the store
//! ([`cwali_rt::InterruptHandle`]); the sandbox's own blocking calls never sleep past it.

use std::io::Write;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use cwali_frontend::{FuncType, ImportKind, ValType as WasmType};
use cwali_rt::{Caller, Config, Engine, Extern, Func, Instance, InterruptHandle, Module, Store, Trap, TrapKind, Val};

use crate::host::{self, Guest, raw_i64};
use crate::syscalls::{Syscall, ValType};

/// Limits of one sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxLimits {
    /// Largest linear memory in bytes (memory.grow and mmap fail beyond it).
    pub max_memory: Option<u64>,
}

/// One request to a sandbox.
pub struct SandboxRequest<'a> {
    /// The guest's argv (`argv[0]` first).
    pub argv: Vec<String>,
    /// The guest's environment, `NAME=value` entries.
    pub env: Vec<String>,
    /// What the guest reads from fd 0.
    pub stdin: &'a [u8],
    /// Where the guest's writes to fd 1 go, as they happen. An error (the client went away) is
    /// `-EPIPE` for the guest.
    pub stdout: &'a mut dyn Write,
    /// Where the guest's writes to fd 2 go.
    pub stderr: &'a mut dyn Write,
    /// When the guest is interrupted at its next safepoint.
    pub deadline: Option<Instant>,
}

/// How a sandbox ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxOutcome {
    /// `exit`/`exit_group` or a return from `_start` (status 0).
    Exited(i32),
    /// A Wasm trap, an uncaught exception or a host error: its one-line message.
    Trapped(String),
    /// The deadline passed; the guest was stopped at a safepoint.
    TimedOut,
}

/// A WALI module ready to run in sandboxes: compiled once, instantiated per request. `Send` and
/// `Sync`: worker threads share one.
pub struct SandboxModule {
    engine: Engine,
    module: Module,
    limits: SandboxLimits,
    /// The module's imports, linked once: the host functions find the running sandbox's state
    /// through a thread-local.
    imports: Vec<Extern>,
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<SandboxModule>()
};

/// Where `__get_init_envfile` tells wali-musl to read the environment from: a virtual file, the
/// only path a sandbox can open.
pub const ENV_FILE_PATH: &str = "/sandbox/environ";

impl SandboxModule {
    /// The engine settings sandboxes need: safepoints (for deadlines) and the setjmp/longjmp
    /// intrinsics, but never an inline syscall (it would enter the kernel directly).
    pub fn engine_config(config: Config) -> Config {
        // `trace` mode of the full host is exactly that: every call goes through a host function.
        crate::host::engine_config(config, true)
    }

    /// Link `module` (compiled with [`Self::engine_config`]) for sandboxes.
    ///
    /// Fails when the engine's settings would run the module outside the sandbox's control:
    /// without safepoints (no deadline), or with an import compiled as an inline syscall.
    ///
    /// Sandboxes come and go one per request: the first one turns on the runtime's pool of
    /// memory reservations ([`cwali_rt::memory_pool`], 64 of them) unless the embedder chose.
    pub fn new(engine: &Engine, module: &Module, limits: SandboxLimits) -> Result<SandboxModule, String> {
        cwali_rt::memory_pool::enable_unless_set(64);
        let config = engine.config();
        if !config.safepoints {
            return Err("sandboxes need an engine with safepoints (SandboxModule::engine_config)".into());
        }
        let info = module.info();
        if let Some(resolver) = &config.intrinsics {
            for import in &info.imports {
                if let ImportKind::Func(t) = import.kind
                    && let Some(cwali_rt::Intrinsic::Syscall(_)) =
                        (resolver.0)(&import.module, &import.name, &info.types[t as usize])
                {
                    return Err(format!(
                        "`{}::{}` would be compiled as an inline syscall: use SandboxModule::engine_config",
                        import.module, import.name
                    ));
                }
            }
        }
        if !info.exports.iter().any(|e| e.name == "_start") {
            return Err("the module exports no `_start` function".into());
        }
        Ok(SandboxModule { engine: engine.clone(), module: module.clone(), limits, imports: link(module) })
    }

    /// Instantiate the module fresh and run `_start` on the calling thread.
    pub fn run(&self, request: SandboxRequest<'_>) -> SandboxOutcome {
        let SandboxRequest { argv, env, stdin, stdout, stderr, deadline } = request;
        let mut env_file = Vec::new();
        for entry in env.iter().filter(|e| !e.is_empty() && !e.contains('\n')) {
            env_file.extend_from_slice(entry.as_bytes());
            env_file.push(b'\n');
        }
        let mut state = RunState {
            argv,
            env_file,
            stdin,
            stdin_pos: 0,
            stdout,
            stderr,
            deadline,
            fds: vec![Some(Fd::Stdin), Some(Fd::Stdout), Some(Fd::Stderr)],
            region: None,
            sigmask: 0,
            sigactions: Vec::new(),
            exit_status: None,
        };
        let result = {
            let _current = Current::enter(&mut state);
            self.start(deadline)
        };
        let _ = state.stdout.flush();
        let _ = state.stderr.flush();
        match result {
            _ if state.exit_status.is_some() => SandboxOutcome::Exited(state.exit_status.unwrap_or(0)),
            Ok(()) => SandboxOutcome::Exited(0),
            Err(Ended::TimedOut) => SandboxOutcome::TimedOut,
            Err(Ended::Trapped(message)) => SandboxOutcome::Trapped(message),
        }
    }

    /// A fresh store and instance; `_start` under the deadline.
    fn start(&self, deadline: Option<Instant>) -> Result<(), Ended> {
        if deadline.is_some_and(|d| d <= Instant::now()) {
            return Err(Ended::TimedOut);
        }
        let mut store = Store::new(&self.engine);
        store.set_isolated(true);
        store.set_max_memory(self.limits.max_memory);
        // Watched from before instantiation: a module's own start function runs in it.
        let watch = deadline.map(|d| watchdog::watch(d, store.interrupt_handle()));
        let result = self.instantiate_and_start(&mut store);
        if let Some(id) = watch {
            watchdog::unwatch(id);
        }
        result
    }

    fn instantiate_and_start(&self, store: &mut Store) -> Result<(), Ended> {
        let instance = Instance::new(store, &self.module, &self.imports).map_err(|e| match e {
            cwali_rt::Error::Trap(trap) => Ended::from_trap(&trap),
            e => Ended::Trapped(e.to_string()),
        })?;
        let start = instance.get_func("_start").ok_or_else(|| Ended::Trapped("no `_start` function".into()))?;
        start.call(store, &[]).map(|_| ()).map_err(|trap| Ended::from_trap(&trap))
    }
}

enum Ended {
    TimedOut,
    Trapped(String),
}

impl Ended {
    fn from_trap(trap: &Trap) -> Ended {
        if trap.trap_kind() == Some(TrapKind::Interrupt) { Ended::TimedOut } else { Ended::Trapped(trap.to_string()) }
    }
}

/// The watchdog: one thread, started at the first deadline, interrupting the stores whose
/// deadline has passed.
mod watchdog {
    use super::*;

    struct Entry {
        at: Instant,
        id: u64,
        handle: InterruptHandle,
    }

    struct Pending {
        entries: Vec<Entry>,
        next_id: u64,
        /// Until when the watchdog sleeps (`None`: until woken). A new deadline wakes it only
        /// if it is earlier: with one timeout for all requests, never, which keeps a futex
        /// wake and a context switch off every request.
        sleeping_until: Option<Instant>,
    }

    static PENDING: Mutex<Pending> = Mutex::new(Pending { entries: Vec::new(), next_id: 0, sleeping_until: None });
    static WAKE: Condvar = Condvar::new();
    static STARTED: std::sync::Once = std::sync::Once::new();

    fn lock() -> std::sync::MutexGuard<'static, Pending> {
        PENDING.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Interrupt `handle`'s store at `at` unless [`unwatch`]ed first.
    pub(super) fn watch(at: Instant, handle: InterruptHandle) -> u64 {
        STARTED.call_once(|| {
            std::thread::Builder::new()
                .name("cwali-sandbox-watchdog".into())
                .spawn(run)
                .expect("starting the sandbox watchdog thread");
        });
        let mut pending = lock();
        let id = pending.next_id;
        pending.next_id += 1;
        pending.entries.push(Entry { at, id, handle });
        if pending.sleeping_until.is_none_or(|until| at < until) {
            WAKE.notify_one();
        }
        id
    }

    pub(super) fn unwatch(id: u64) {
        lock().entries.retain(|e| e.id != id);
    }

    fn run() {
        let mut pending = lock();
        loop {
            let now = Instant::now();
            pending.entries.retain(|e| {
                if e.at <= now {
                    e.handle.interrupt();
                }
                e.at > now
            });
            let earliest = pending.entries.iter().map(|e| e.at).min();
            pending.sleeping_until = earliest;
            pending = match earliest {
                None => WAKE.wait(pending).unwrap_or_else(|e| e.into_inner()),
                Some(at) => WAKE.wait_timeout(pending, at - now).unwrap_or_else(|e| e.into_inner()).0,
            };
        }
    }
}

/// An open file description of the sandbox's fd table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fd {
    Stdin,
    Stdout,
    Stderr,
    /// The environment file, read up to this position.
    EnvFile(usize),
}

/// The state of the sandbox running on this thread.
struct RunState<'a> {
    argv: Vec<String>,
    /// `NAME=value\n` lines: the contents of [`ENV_FILE_PATH`].
    env_file: Vec<u8>,
    stdin: &'a [u8],
    stdin_pos: usize,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    deadline: Option<Instant>,
    fds: Vec<Option<Fd>>,
    /// The mmap region, set up at the first mmap.
    region: Option<Region>,
    sigmask: u64,
    /// Installed `struct k_sigaction`s by signal number (none is ever delivered).
    sigactions: Vec<[u8; crate::layouts::GuestKSigaction::SIZE]>,
    exit_status: Option<i32>,
}

thread_local! {
    /// The `RunState` of the sandbox running on this thread (null: none).
    static CURRENT: std::cell::Cell<*mut ()> = const { std::cell::Cell::new(std::ptr::null_mut()) };
}

/// Makes a `RunState` the current one for its lifetime.
struct Current<'s> {
    previous: *mut (),
    _state: std::marker::PhantomData<&'s mut ()>,
}

impl<'s> Current<'s> {
    fn enter(state: &'s mut RunState<'_>) -> Current<'s> {
        let previous = CURRENT.with(|c| c.replace(state as *mut RunState<'_> as *mut ()));
        Current { previous, _state: std::marker::PhantomData }
    }
}

impl Drop for Current<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

/// Run `f` with this thread's sandbox state (None outside `run`).
fn with_state<R>(f: impl for<'x> FnOnce(&mut RunState<'x>) -> R) -> Option<R> {
    let p = CURRENT.with(|c| c.get());
    if p.is_null() {
        return None;
    }
    // SAFETY: `run` set it to its own `RunState`, which lives until it resets the pointer; host
    // functions run on `run`'s thread, nested inside it, and none calls back into Wasm, so this
    // is the only reference to the state while `f` runs.
    Some(f(unsafe { &mut *(p as *mut RunState<'_>) }))
}

/// Why a host call ends the sandbox instead of returning.
enum Stop {
    Exit(i32),
    Deadline,
}

type SysResult = Result<i64, i64>;

fn neg(errno: i32) -> i64 {
    -(errno as i64)
}

const EFAULT: i64 = -(libc::EFAULT as i64);
const EINVAL: i64 = -(libc::EINVAL as i64);
const EBADF: i64 = -(libc::EBADF as i64);
const ENOSYS: i64 = -(libc::ENOSYS as i64);
const ENOMEM: i64 = -(libc::ENOMEM as i64);
const EPERM: i64 = -(libc::EPERM as i64);

/// Marker message of the trap that unwinds a sandbox that called `exit` (its status is in
/// the run state).
const EXIT_MARKER: &str = "sandbox exit";

/// Host functions for the module's imports, in import order (the full host's resolution rule,
/// with the sandbox's implementations; tags are the sandbox module's own).
fn link(module: &Module) -> Vec<Extern> {
    let unknown_syscall = |ty: FuncType, _: &str| Func::new_with_caller(ty, |_, _| Ok(vec![Val::I64(ENOSYS)]));
    let tag = |_: &str, _: &str, ty: &FuncType| cwali_rt::Tag::new(ty.clone());
    host::link_imports(
        module,
        &host::ImportProvider { syscall: &syscall_func, aux: &aux_func, unknown_syscall: &unknown_syscall, tag: &tag },
    )
}

/// The calling instance's memory.
fn guest<'a>(vmctx: *mut u8) -> Result<Guest<'a>, Trap> {
    // SAFETY: generated code passes the calling instance's VMContext.
    unsafe { Caller::from_vmctx(vmctx) }.and_then(Guest::new).ok_or_else(|| Trap::host("WALI call without memory"))
}

/// The host function of one table syscall.
fn syscall_func(ty: FuncType, sc: &'static Syscall) -> Func {
    let void = ty.results().is_empty();
    Func::new_with_caller(ty, move |vmctx, args| {
        let g = guest(vmctx)?;
        let wide: Vec<u64> = sc
            .args
            .iter()
            .zip(args)
            .map(|(a, v)| match a.ty {
                ValType::I64 => raw_i64(v) as u64,
                ValType::I32 => a.widen_i32(raw_i64(v) as i32),
            })
            .collect();
        let r = with_state(|st| match dispatch(&g, st, sc.name, &wide) {
            Ok(Ok(v) | Err(v)) => Ok(v),
            Err(Stop::Exit(status)) => {
                st.exit_status = Some(status);
                Err(Trap::host(EXIT_MARKER))
            }
            Err(Stop::Deadline) => Err(Trap::new(TrapKind::Interrupt)),
        })
        .unwrap_or(Ok(ENOSYS))?;
        Ok(if void { vec![] } else { vec![Val::I64(r)] })
    })
}

fn i32_arg(args: &[Val], i: usize) -> i32 {
    match args.get(i) {
        Some(Val::I32(v)) => *v,
        _ => 0,
    }
}

type HostBody = Box<dyn Fn(*mut u8, &[Val]) -> Result<Vec<Val>, Trap> + Send + Sync>;

/// The host function for auxiliary import `name`, if sandboxes provide it with that type.
fn aux_func(name: &str, ty: &FuncType) -> Option<Func> {
    use WasmType::I32;
    let ret = |v: i32| -> Result<Vec<Val>, Trap> { Ok(vec![Val::I32(v)]) };
    let f: HostBody = match (name, ty.params(), ty.results()) {
        // Each sandbox starts once: its first `__init` (0: not done before).
        ("__init" | "__deinit", [], [I32]) => Box::new(move |_, _| ret(0)),
        ("__proc_exit", [I32], []) => Box::new(|_, a| {
            // wali-musl's own failure codes (above 255) stay visible.
            with_state(|st| st.exit_status = Some(i32_arg(a, 0)));
            Err(Trap::host(EXIT_MARKER))
        }),
        ("__cl_get_argc", [], [I32]) => Box::new(move |_, _| ret(with_state(|st| st.argv.len() as i32).unwrap_or(0))),
        ("__cl_get_argv_len", [I32], [I32]) => Box::new(move |_, a| {
            let i = i32_arg(a, 0) as usize;
            ret(with_state(|st| st.argv.get(i).map_or(0, |s| s.len() as i32)).unwrap_or(0))
        }),
        ("__cl_copy_argv", [I32, I32], [I32]) => Box::new(move |vmctx, a| {
            let g = guest(vmctx)?;
            let i = i32_arg(a, 1) as usize;
            let r = with_state(|st| match st.argv.get(i) {
                Some(arg) => {
                    let mut bytes = arg.as_bytes().to_vec();
                    bytes.push(0);
                    g.write(i32_arg(a, 0) as u32, &bytes).map_or_else(|e| e as i32, |()| 0)
                }
                None => EFAULT as i32,
            });
            ret(r.unwrap_or(EFAULT as i32))
        }),
        ("__get_init_envfile", [I32, I32], [I32]) => Box::new(move |vmctx, a| {
            let g = guest(vmctx)?;
            // No environment: no file to read (wali-musl then starts with an empty one).
            if !with_state(|st| !st.env_file.is_empty()).unwrap_or(false) {
                return ret(0);
            }
            let mut bytes = ENV_FILE_PATH.as_bytes().to_vec();
            bytes.push(0);
            if bytes.len() > i32_arg(a, 1) as u32 as usize {
                return ret(0);
            }
            match g.write(i32_arg(a, 0) as u32, &bytes) {
                Ok(()) => ret(1),
                Err(e) => ret(e as i32),
            }
        }),
        // A sandbox is single-threaded and cannot fork.
        ("__wasm_thread_spawn", [I32, I32], [I32]) => Box::new(move |_, _| ret(-1)),
        ("vfork", [], [I32]) | ("__set_thread_area", [I32], [I32]) => Box::new(move |_, _| ret(ENOSYS as i32)),
        ("__clone", [I32, I32, I32, I32, I32], [I32]) => Box::new(move |_, _| ret(ENOSYS as i32)),
        ("__restore" | "__restore_rt", [], []) => Box::new(|_, _| Ok(vec![])),
        ("fegetround", [], [I32]) => Box::new(move |_, _| ret(0)),
        ("fesetround", [I32], [I32]) => Box::new(move |_, a| ret(if i32_arg(a, 0) == 0 { 0 } else { -1 })),
        (
            "feclearexcept" | "feraiseexcept" | "fetestexcept" | "fegetenv" | "feholdexcept" | "fesetenv"
            | "feupdateenv" | "fesetexceptflag",
            _,
            [I32],
        ) if ty.params().iter().all(|t| *t == I32) && !ty.params().is_empty() => Box::new(move |_, _| ret(0)),
        ("fegetexceptflag", [I32, I32], [I32]) => Box::new(move |vmctx, a| {
            let _ = guest(vmctx)?.write(i32_arg(a, 0) as u32, &0u16.to_le_bytes());
            ret(0)
        }),
        _ => return None,
    };
    Some(Func::new_with_caller(ty.clone(), f))
}

/// One syscall of a sandbox: `Ok(value or -errno)`, or the sandbox ends.
fn dispatch(g: &Guest<'_>, st: &mut RunState<'_>, name: &str, a: &[u64]) -> Result<SysResult, Stop> {
    let fd = a.first().map_or(-1, |&v| v as i32);
    let p = |i: usize| a[i] as u32;
    Ok(match name {
        "read" => read(g, st, fd, &[(p(1), p(2))]),
        "readv" => iovecs(g, p(1), a[2] as i32).and_then(|v| read(g, st, fd, &v)),
        "write" => write(g, st, fd, &[(p(1), p(2))]),
        "writev" => iovecs(g, p(1), a[2] as i32).and_then(|v| write(g, st, fd, &v)),
        "pread64" | "pwrite64" | "lseek" => match st.fd(fd) {
            Err(e) => Err(e),
            Ok(Fd::EnvFile(pos)) if name == "lseek" => seek(st, fd, pos, a[1] as i64, a[2] as i32),
            Ok(_) => Err(neg(libc::ESPIPE)),
        },
        "close" => st.fd(fd).map(|_| {
            st.fds[fd as usize] = None;
            0
        }),
        "fstat" => st.fd(fd).and_then(|f| write_stat(g, st, f, p(1))),
        "newfstatat" => {
            const AT_EMPTY_PATH: i32 = 0x1000;
            let path = g.string_bytes(p(1));
            match path {
                Ok(path) if path.is_empty() && a[3] as i32 & AT_EMPTY_PATH != 0 => {
                    st.fd(fd).and_then(|f| write_stat(g, st, f, p(2)))
                }
                Ok(path) if path == ENV_FILE_PATH.as_bytes() && st.has_env_file() => {
                    write_stat(g, st, Fd::EnvFile(0), p(2))
                }
                Ok(_) => Err(EPERM),
                Err(e) => Err(e),
            }
        }
        "stat" | "lstat" => match g.string_bytes(p(0)) {
            Ok(path) if path == ENV_FILE_PATH.as_bytes() && st.has_env_file() => {
                write_stat(g, st, Fd::EnvFile(0), p(1))
            }
            Ok(_) => Err(EPERM),
            Err(e) => Err(e),
        },
        "access" => access(g, st, p(0), a[1] as i32),
        "faccessat" | "faccessat2" => access(g, st, p(1), a[2] as i32),
        "open" => open(g, st, p(0), a[1] as i32),
        "openat" => open(g, st, p(1), a[2] as i32),
        // Pipes and the file are not terminals (musl asks TIOCGWINSZ to pick line buffering).
        "ioctl" => st.fd(fd).and(Err(neg(libc::ENOTTY))),
        "fcntl" => fcntl(st, fd, a[1] as i32),
        "poll" => return poll(g, st, p(0), a[1], timeout_ms(a[2] as i32)),
        "ppoll" => {
            let timeout = if p(2) == 0 {
                Ok(None)
            } else {
                read_timespec(g, p(2)).map(|(s, ns)| Some(Duration::new(s as u64, ns as u32)))
            };
            match timeout {
                Ok(t) => return poll(g, st, p(0), a[1], t),
                Err(e) => Err(e),
            }
        }
        "clock_gettime" => clock(a[0] as i32, libc::clock_gettime).and_then(|ts| write_timespec(g, p(1), ts)),
        "clock_getres" => match clock(a[0] as i32, libc::clock_getres) {
            Ok(ts) if p(1) != 0 => write_timespec(g, p(1), ts),
            r => r.map(|_| 0),
        },
        "gettimeofday" => gettimeofday(g, p(0), p(1)),
        "nanosleep" => match read_timespec(g, p(0)) {
            Ok((s, ns)) => return sleep(st, Some(Instant::now() + Duration::new(s as u64, ns as u32))).map(Ok),
            Err(e) => Err(e),
        },
        "clock_nanosleep" => return clock_nanosleep(g, st, a[0] as i32, a[1] as i32, p(2)),
        "sched_yield" => {
            std::thread::yield_now();
            Ok(0)
        }
        "getrandom" => getrandom(g, p(0), p(1), a[2] as u32),
        "brk" => Ok(0),
        "mmap" => mmap(g, st, a),
        "munmap" => munmap(g, st, a[0] & 0xFFFF_FFFF, a[1] & 0xFFFF_FFFF),
        "mremap" => mremap(g, st, a),
        "mprotect" => memory_range(g, a[0], a[1])
            .and_then(|()| if a[2] as i32 & libc::PROT_EXEC != 0 { Err(neg(libc::EACCES)) } else { Ok(0) }),
        "madvise" => madvise(g, a[0], a[1], a[2] as i32),
        "futex" => return futex(g, st, a),
        "getpid" | "gettid" | "set_tid_address" => Ok(SANDBOX_PID),
        "getppid" => Ok(0),
        "rt_sigprocmask" => sigprocmask(g, st, a[0] as i32, p(1), p(2), a[3]),
        "rt_sigaction" => sigaction(g, st, a[0] as i32, p(1), p(2), a[3]),
        "uname" => uname(g, p(0)),
        "exit" | "exit_group" => return Err(Stop::Exit(a[0] as i32 & 0xff)),
        _ => Err(ENOSYS),
    })
}

/// What `getpid`, `gettid` and `set_tid_address` answer: the sandbox is process 1 of its own
/// world (and its parent, `getppid`, is 0, as for init in a pid namespace).
const SANDBOX_PID: i64 = 1;

impl RunState<'_> {
    fn fd(&self, fd: i32) -> Result<Fd, i64> {
        usize::try_from(fd).ok().and_then(|i| self.fds.get(i).copied().flatten()).ok_or(EBADF)
    }

    fn has_env_file(&self) -> bool {
        !self.env_file.is_empty()
    }
}

/// A guest iovec array: (base, len) pairs.
fn iovecs(g: &Guest<'_>, addr: u32, count: i32) -> Result<Vec<(u32, u32)>, i64> {
    if !(0..=1024).contains(&count) {
        return Err(EINVAL);
    }
    let mut raw = vec![0u8; count as usize * 8];
    g.read(addr, &mut raw)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| {
            let w = |i: usize| u32::from_le_bytes(c[i..i + 4].try_into().expect("4 bytes"));
            (w(0), w(4))
        })
        .collect())
}

fn read(g: &Guest<'_>, st: &mut RunState<'_>, fd: i32, bufs: &[(u32, u32)]) -> SysResult {
    let f = st.fd(fd)?;
    for &(addr, len) in bufs {
        g.range(addr, len as u64)?;
    }
    let (data, pos) = match f {
        Fd::Stdin => (st.stdin, st.stdin_pos),
        Fd::EnvFile(pos) => (&st.env_file[..], pos),
        Fd::Stdout | Fd::Stderr => return Err(EBADF),
    };
    let mut at = pos.min(data.len());
    for &(addr, len) in bufs {
        let n = (len as usize).min(data.len() - at);
        g.write(addr, &data[at..at + n])?;
        at += n;
    }
    match f {
        Fd::Stdin => st.stdin_pos = at,
        _ => st.fds[fd as usize] = Some(Fd::EnvFile(at)),
    }
    Ok((at - pos.min(data.len())) as i64)
}

fn write(g: &Guest<'_>, st: &mut RunState<'_>, fd: i32, bufs: &[(u32, u32)]) -> SysResult {
    let out: &mut dyn Write = match st.fd(fd)? {
        Fd::Stdout => &mut *st.stdout,
        Fd::Stderr => &mut *st.stderr,
        Fd::Stdin | Fd::EnvFile(_) => return Err(EBADF),
    };
    // Every buffer is checked first, so a bad pointer writes nothing; then the bytes go out in
    // chunks (a huge write costs the host no more than a chunk of memory).
    for &(addr, len) in bufs {
        g.range(addr, len as u64)?;
    }
    let total: u64 = bufs.iter().map(|&(_, len)| len as u64).sum();
    let mut chunk = vec![0u8; total.min(64 << 10) as usize];
    let mut written = 0u64;
    for &(addr, len) in bufs {
        let mut done = 0u32;
        while done < len {
            let n = (len - done).min(chunk.len() as u32);
            g.read(addr + done, &mut chunk[..n as usize])?;
            if out.write_all(&chunk[..n as usize]).is_err() {
                return if written > 0 { Ok(written as i64) } else { Err(neg(libc::EPIPE)) };
            }
            done += n;
            written += n as u64;
        }
    }
    Ok(written as i64)
}

fn seek(st: &mut RunState<'_>, fd: i32, pos: usize, offset: i64, whence: i32) -> SysResult {
    let base = match whence {
        libc::SEEK_SET => 0,
        libc::SEEK_CUR => pos as i64,
        libc::SEEK_END => st.env_file.len() as i64,
        _ => return Err(EINVAL),
    };
    let to = base.checked_add(offset).filter(|&p| p >= 0).ok_or(EINVAL)?;
    st.fds[fd as usize] = Some(Fd::EnvFile(to as usize));
    Ok(to)
}

/// A guest `struct stat` for an fd: the std streams are pipes, the environment a read-only file.
fn write_stat(g: &Guest<'_>, st: &RunState<'_>, f: Fd, addr: u32) -> SysResult {
    use crate::layouts::guest_stat as s;
    let mut b = [0u8; s::SIZE];
    let (mode, size, ino) = match f {
        Fd::Stdin => (libc::S_IFIFO | 0o600, 0, 1),
        Fd::Stdout => (libc::S_IFIFO | 0o600, 0, 2),
        Fd::Stderr => (libc::S_IFIFO | 0o600, 0, 3),
        Fd::EnvFile(_) => (libc::S_IFREG | 0o400, st.env_file.len() as i64, 4),
    };
    b[s::INO..s::INO + 8].copy_from_slice(&(ino as u64).to_le_bytes());
    b[s::NLINK..s::NLINK + 8].copy_from_slice(&1u64.to_le_bytes());
    b[s::MODE..s::MODE + 4].copy_from_slice(&mode.to_le_bytes());
    b[s::SIZE_..s::SIZE_ + 8].copy_from_slice(&size.to_le_bytes());
    b[s::BLKSIZE..s::BLKSIZE + 8].copy_from_slice(&4096i64.to_le_bytes());
    b[s::BLOCKS..s::BLOCKS + 8].copy_from_slice(&((size + 511) / 512).to_le_bytes());
    g.write(addr, &b).map(|()| 0)
}

/// `access`/`faccessat`: only the environment file exists, read-only.
fn access(g: &Guest<'_>, st: &RunState<'_>, path: u32, mode: i32) -> SysResult {
    let path = g.string_bytes(path)?;
    if path != ENV_FILE_PATH.as_bytes() || !st.has_env_file() {
        return Err(EPERM);
    }
    if mode & !(libc::R_OK | libc::W_OK | libc::X_OK) != 0 {
        return Err(EINVAL);
    }
    if mode & (libc::W_OK | libc::X_OK) != 0 { Err(neg(libc::EACCES)) } else { Ok(0) }
}

/// `open`/`openat`: the environment file, read-only, at the lowest free fd; no other path.
fn open(g: &Guest<'_>, st: &mut RunState<'_>, path: u32, flags: i32) -> SysResult {
    let path = g.string_bytes(path)?;
    if path != ENV_FILE_PATH.as_bytes() || !st.has_env_file() {
        return Err(EPERM);
    }
    if flags & libc::O_ACCMODE != libc::O_RDONLY || flags & (libc::O_CREAT | libc::O_TRUNC) != 0 {
        return Err(neg(libc::EACCES));
    }
    let fd = match st.fds.iter().position(Option::is_none) {
        Some(i) => i,
        None if st.fds.len() < 64 => {
            st.fds.push(None);
            st.fds.len() - 1
        }
        None => return Err(neg(libc::EMFILE)),
    };
    st.fds[fd] = Some(Fd::EnvFile(0));
    Ok(fd as i64)
}

fn fcntl(st: &RunState<'_>, fd: i32, cmd: i32) -> SysResult {
    let f = st.fd(fd)?;
    match cmd {
        libc::F_GETFD | libc::F_SETFD | libc::F_SETFL => Ok(0),
        libc::F_GETFL => Ok(match f {
            Fd::Stdout | Fd::Stderr => libc::O_WRONLY as i64,
            Fd::Stdin | Fd::EnvFile(_) => libc::O_RDONLY as i64,
        }),
        _ => Err(EINVAL),
    }
}

/// A poll timeout in milliseconds (negative: none).
fn timeout_ms(ms: i32) -> Option<Duration> {
    (ms >= 0).then(|| Duration::from_millis(ms as u64))
}

/// `poll`/`ppoll`: fd 0 and the environment file are readable (fd 0 hangs up at the end of
/// the body), fds 1 and 2 writable, so only a call with nothing to watch waits: until its
/// timeout, or the deadline.
fn poll(g: &Guest<'_>, st: &RunState<'_>, addr: u32, nfds: u64, timeout: Option<Duration>) -> Result<SysResult, Stop> {
    const POLLIN: i16 = 0x1;
    const POLLOUT: i16 = 0x4;
    const POLLHUP: i16 = 0x10;
    const POLLNVAL: i16 = 0x20;
    if nfds > 1024 {
        return Ok(Err(EINVAL));
    }
    let mut raw = vec![0u8; nfds as usize * 8];
    if let Err(e) = g.read(addr, &mut raw) {
        return Ok(Err(e));
    }
    let mut ready = 0;
    for pfd in raw.chunks_exact_mut(8) {
        let fd = i32::from_le_bytes(pfd[0..4].try_into().expect("4 bytes"));
        let events = i16::from_le_bytes(pfd[4..6].try_into().expect("2 bytes"));
        let revents = if fd < 0 {
            0
        } else {
            match st.fd(fd) {
                Err(_) => POLLNVAL,
                Ok(Fd::Stdin) if st.stdin_pos >= st.stdin.len() => POLLHUP,
                Ok(Fd::Stdin | Fd::EnvFile(_)) => events & POLLIN,
                Ok(Fd::Stdout | Fd::Stderr) => events & POLLOUT,
            }
        };
        pfd[6..8].copy_from_slice(&revents.to_le_bytes());
        ready += (revents != 0) as i64;
    }
    if let Err(e) = g.write(addr, &raw) {
        return Ok(Err(e));
    }
    if ready > 0 || timeout == Some(Duration::ZERO) {
        return Ok(Ok(ready));
    }
    sleep(st, timeout.map(|t| Instant::now() + t)).map(Ok)
}

/// Sleep until `until` (None: for ever), but never past the deadline, which ends the sandbox.
/// Without a deadline, a wait for ever returns `-EINTR` at once: nothing could end it.
fn sleep(st: &RunState<'_>, until: Option<Instant>) -> Result<i64, Stop> {
    let end = match (until, st.deadline) {
        (Some(u), Some(d)) => u.min(d),
        (Some(u), None) => u,
        (None, Some(d)) => d,
        (None, None) => return Ok(neg(libc::EINTR)),
    };
    let now = Instant::now();
    if end > now {
        std::thread::sleep(end - now);
    }
    if st.deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(Stop::Deadline);
    }
    Ok(0)
}

fn read_timespec(g: &Guest<'_>, addr: u32) -> Result<(i64, i64), i64> {
    let mut b = [0u8; 16];
    g.read(addr, &mut b)?;
    let sec = i64::from_le_bytes(b[0..8].try_into().expect("8 bytes"));
    // The guest's tv_nsec is a 32-bit long followed by padding.
    let nsec = i32::from_le_bytes(b[8..12].try_into().expect("4 bytes")) as i64;
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(EINVAL);
    }
    Ok((sec, nsec))
}

fn write_timespec(g: &Guest<'_>, addr: u32, (sec, nsec): (i64, i64)) -> SysResult {
    let mut b = [0u8; 16];
    b[0..8].copy_from_slice(&sec.to_le_bytes());
    b[8..16].copy_from_slice(&nsec.to_le_bytes());
    g.write(addr, &b).map(|()| 0)
}

/// The clocks a sandbox may read. The CPU-time clocks are the calling thread's: the sandbox's
/// own time (the thread runs nothing else meanwhile).
fn clock(
    id: i32,
    f: unsafe extern "C" fn(libc::clockid_t, *mut libc::timespec) -> libc::c_int,
) -> Result<(i64, i64), i64> {
    let host = match id {
        libc::CLOCK_REALTIME
        | libc::CLOCK_MONOTONIC
        | libc::CLOCK_MONOTONIC_RAW
        | libc::CLOCK_REALTIME_COARSE
        | libc::CLOCK_MONOTONIC_COARSE
        | libc::CLOCK_BOOTTIME => id,
        libc::CLOCK_PROCESS_CPUTIME_ID | libc::CLOCK_THREAD_CPUTIME_ID => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(EINVAL),
    };
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a clock id from the list above and a local to write to.
    if unsafe { f(host, &mut ts) } != 0 {
        return Err(EINVAL);
    }
    Ok((ts.tv_sec, ts.tv_nsec))
}

fn realtime() -> (i64, i64) {
    clock(libc::CLOCK_REALTIME, libc::clock_gettime).unwrap_or((0, 0))
}

fn gettimeofday(g: &Guest<'_>, tv: u32, tz: u32) -> SysResult {
    if tv != 0 {
        let (sec, nsec) = realtime();
        write_timespec(g, tv, (sec, nsec / 1000))?;
    }
    if tz != 0 {
        g.write(tz, &[0; 8])?;
    }
    Ok(0)
}

fn clock_nanosleep(g: &Guest<'_>, st: &RunState<'_>, id: i32, flags: i32, req: u32) -> Result<SysResult, Stop> {
    const TIMER_ABSTIME: i32 = 1;
    if !matches!(id, libc::CLOCK_REALTIME | libc::CLOCK_MONOTONIC | libc::CLOCK_BOOTTIME) {
        return Ok(Err(EINVAL));
    }
    let (sec, nsec) = match read_timespec(g, req) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let mut wait = Duration::new(sec as u64, nsec as u32);
    if flags & TIMER_ABSTIME != 0 {
        let (now_s, now_ns) = clock(id, libc::clock_gettime).unwrap_or((0, 0));
        wait = wait.saturating_sub(Duration::new(now_s as u64, now_ns as u32));
    }
    sleep(st, Some(Instant::now() + wait)).map(Ok)
}

fn getrandom(g: &Guest<'_>, addr: u32, len: u32, flags: u32) -> SysResult {
    const GRND_ALL: u32 = 0x1 | 0x2 | 0x4;
    if flags & !GRND_ALL != 0 {
        return Err(EINVAL);
    }
    g.range(addr, len as u64)?;
    let mut buf = [0u8; 4096];
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(buf.len() as u32) as usize;
        // SAFETY: fills a local buffer of at least `n` bytes.
        let r = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), n, 0) };
        if r <= 0 {
            return if done > 0 { Ok(done as i64) } else { Err(neg(libc::EAGAIN)) };
        }
        g.write(addr + done, &buf[..r as usize])?;
        done += r as u32;
    }
    Ok(len as i64)
}

/// `futex` on the sandbox's own memory. A sandbox is single-threaded, so nothing can wake a
/// waiter: a wait whose value matches returns `-EAGAIN` at once when it has no timeout (it would
/// never end), and with a timeout sleeps until it (`-ETIMEDOUT`) or the deadline. Wakes wake
/// no one (0).
fn futex(g: &Guest<'_>, st: &RunState<'_>, a: &[u64]) -> Result<SysResult, Stop> {
    const FUTEX_WAIT: i32 = 0;
    const FUTEX_WAKE: i32 = 1;
    const FUTEX_REQUEUE: i32 = 3;
    const FUTEX_CMP_REQUEUE: i32 = 4;
    const FUTEX_WAKE_OP: i32 = 5;
    const FUTEX_WAIT_BITSET: i32 = 9;
    const FUTEX_WAKE_BITSET: i32 = 10;
    const FUTEX_CLOCK_REALTIME: i32 = 256;
    let (uaddr, op, val, timeout) = (a[0] as u32, a[1] as i32, a[2] as u32, a[3] as u32);
    if !uaddr.is_multiple_of(4) {
        return Ok(Err(EINVAL));
    }
    let current = match g.read_u32(uaddr) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    match op & 127 {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            if current != val {
                return Ok(Err(neg(libc::EAGAIN)));
            }
            if timeout == 0 {
                return Ok(Err(neg(libc::EAGAIN)));
            }
            let (sec, nsec) = match read_timespec(g, timeout) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            let mut wait = Duration::new(sec as u64, nsec as u32);
            // FUTEX_WAIT's timeout is relative; WAIT_BITSET's absolute on its clock.
            if op & 127 == FUTEX_WAIT_BITSET {
                let id = if op & FUTEX_CLOCK_REALTIME != 0 { libc::CLOCK_REALTIME } else { libc::CLOCK_MONOTONIC };
                let (now_s, now_ns) = clock(id, libc::clock_gettime).unwrap_or((0, 0));
                wait = wait.saturating_sub(Duration::new(now_s as u64, now_ns as u32));
            }
            sleep(st, Some(Instant::now() + wait))?;
            Ok(Err(neg(libc::ETIMEDOUT)))
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET | FUTEX_REQUEUE | FUTEX_WAKE_OP => Ok(Ok(0)),
        FUTEX_CMP_REQUEUE if a[5] as u32 != current => Ok(Err(neg(libc::EAGAIN))),
        FUTEX_CMP_REQUEUE => Ok(Ok(0)),
        _ => Ok(Err(ENOSYS)),
    }
}

fn sigprocmask(g: &Guest<'_>, st: &mut RunState<'_>, how: i32, set: u32, old: u32, size: u64) -> SysResult {
    if size != 8 {
        return Err(EINVAL);
    }
    let before = st.sigmask;
    if set != 0 {
        let new = g.read_u64(set)?;
        st.sigmask = match how {
            libc::SIG_BLOCK => before | new,
            libc::SIG_UNBLOCK => before & !new,
            libc::SIG_SETMASK => new,
            _ => return Err(EINVAL),
        };
    }
    if old != 0
        && let Err(e) = g.write(old, &before.to_le_bytes())
    {
        st.sigmask = before;
        return Err(e);
    }
    Ok(0)
}

/// Recorded and reported back, never delivered: a sandbox gets no signals.
fn sigaction(g: &Guest<'_>, st: &mut RunState<'_>, sig: i32, act: u32, old: u32, size: u64) -> SysResult {
    const SIZE: usize = crate::layouts::GuestKSigaction::SIZE;
    if size != 8 || !(1..=64).contains(&sig) {
        return Err(EINVAL);
    }
    if act != 0 && (sig == libc::SIGKILL || sig == libc::SIGSTOP) {
        return Err(EINVAL);
    }
    let mut new = [0u8; SIZE];
    if act != 0 {
        g.read(act, &mut new)?;
    }
    if st.sigactions.is_empty() {
        st.sigactions = vec![[0; SIZE]; 65];
    }
    if old != 0 {
        g.write(old, &st.sigactions[sig as usize])?;
    }
    if act != 0 {
        st.sigactions[sig as usize] = new;
    }
    Ok(0)
}

fn uname(g: &Guest<'_>, addr: u32) -> SysResult {
    const FIELD: usize = 65;
    let fields = ["Linux", "sandbox", "6.0.0-cwali", "#1 cwali instance sandbox", "x86_64", "(none)"];
    let mut b = [0u8; FIELD * 6];
    for (i, f) in fields.iter().enumerate() {
        b[i * FIELD..i * FIELD + f.len()].copy_from_slice(f.as_bytes());
    }
    g.write(addr, &b).map(|()| 0)
}

// --- memory management inside the sandbox's linear memory -------------------------------------

const PAGE: u64 = 4096;
const WASM_PAGE: u64 = 65536;

fn align(x: u64) -> u64 {
    x.div_ceil(PAGE) * PAGE
}

/// The mmap region: above the memory's size at the first mmap, first-fit from a free list with
/// a bump end; memory grows (within the sandbox's cap) to cover it. Nothing here changes page
/// protections: freed pages stay accessible and are zeroed when handed out again.
struct Region {
    start: u64,
    /// Nothing at or above it is mapped by the guest.
    next: u64,
    /// Freed ranges (start, len): page aligned, disjoint, not touching each other or `next`.
    free: Vec<(u64, u64)>,
}

impl Region {
    fn allocate(&mut self, g: &Guest<'_>, n: u64) -> Result<u64, i64> {
        if let Some(i) = self.free.iter().position(|&(_, len)| len >= n) {
            let (start, len) = self.free[i];
            if len == n {
                self.free.remove(i);
            } else {
                self.free[i] = (start + n, len - n);
            }
            zero(g, start, n)?;
            return Ok(start);
        }
        let start = self.next;
        cover(g, start + n)?;
        zero(g, start, n)?;
        self.next = start + n;
        Ok(start)
    }

    /// Give [start, start + n) back; only the part inside the region counts.
    fn release(&mut self, start: u64, n: u64) {
        let (mut s, mut e) = (start.max(self.start), (start + n).min(self.next));
        if s >= e {
            return;
        }
        let mut i = 0;
        while i < self.free.len() {
            let (fs, fl) = self.free[i];
            if fs <= e && s <= fs + fl {
                s = s.min(fs);
                e = e.max(fs + fl);
                self.free.swap_remove(i);
            } else {
                i += 1;
            }
        }
        if e == self.next {
            self.next = s;
        } else {
            self.free.push((s, e - s));
        }
    }

    /// Whether all of [s, e) is mapped by the guest.
    fn all_mapped(&self, s: u64, e: u64) -> bool {
        s >= self.start && e <= self.next && !self.free.iter().any(|&(fs, fl)| fs < e && s < fs + fl)
    }
}

/// Grow memory to cover guest offsets below `end` (the store's cap makes this fail).
fn cover(g: &Guest<'_>, end: u64) -> Result<(), i64> {
    let have = g.mem.byte_len() as u64;
    if end > have {
        g.mem.grow((end - have).div_ceil(WASM_PAGE)).ok_or(ENOMEM)?;
    }
    Ok(())
}

/// Zero the part of [start, start + n) that memory had before (grown pages are zero already).
fn zero(g: &Guest<'_>, start: u64, n: u64) -> Result<(), i64> {
    static ZEROS: [u8; 65536] = [0; 65536];
    let end = (start + n).min(g.mem.byte_len() as u64);
    let mut at = start;
    while at < end {
        let len = (end - at).min(ZEROS.len() as u64);
        g.write(at as u32, &ZEROS[..len as usize])?;
        at += len;
    }
    Ok(())
}

fn region<'r>(g: &Guest<'_>, st: &'r mut RunState<'_>) -> &'r mut Region {
    st.region.get_or_insert_with(|| {
        let start = align(g.mem.byte_len() as u64);
        Region { start, next: start, free: Vec::new() }
    })
}

/// `mmap`: anonymous memory, or a copy of the environment file. No `MAP_FIXED` (-EINVAL).
fn mmap(g: &Guest<'_>, st: &mut RunState<'_>, a: &[u64]) -> SysResult {
    let (len, prot, flags, fd, off) = (a[1] & 0xFFFF_FFFF, a[2] as i32, a[3] as i32, a[4] as i32, a[5]);
    if len == 0 || !off.is_multiple_of(PAGE) {
        return Err(EINVAL);
    }
    if prot & libc::PROT_EXEC != 0 {
        return Err(neg(libc::EACCES));
    }
    if flags & (libc::MAP_FIXED | libc::MAP_FIXED_NOREPLACE | libc::MAP_GROWSDOWN) != 0 {
        return Err(EINVAL);
    }
    let contents = if flags & libc::MAP_ANONYMOUS != 0 {
        None
    } else {
        match st.fd(fd)? {
            Fd::EnvFile(_) => Some(()),
            _ => return Err(neg(libc::ENODEV)),
        }
    };
    let n = align(len);
    let start = region(g, st).allocate(g, n)?;
    if contents.is_some() {
        let from = (off as usize).min(st.env_file.len());
        let bytes = &st.env_file[from..(from + len as usize).min(st.env_file.len())];
        g.write(start as u32, bytes)?;
    }
    Ok(start as i64)
}

fn munmap(g: &Guest<'_>, st: &mut RunState<'_>, addr: u64, len: u64) -> SysResult {
    if !addr.is_multiple_of(PAGE) || len == 0 {
        return Err(EINVAL);
    }
    let n = align(len);
    g.range(addr as u32, n).map_err(|_| EINVAL)?;
    region(g, st).release(addr, n);
    Ok(0)
}

fn mremap(g: &Guest<'_>, st: &mut RunState<'_>, a: &[u64]) -> SysResult {
    let (old, old_size, new_size, flags) = (a[0] & 0xFFFF_FFFF, a[1] & 0xFFFF_FFFF, a[2] & 0xFFFF_FFFF, a[3] as i32);
    if !old.is_multiple_of(PAGE) || new_size == 0 || flags & !libc::MREMAP_MAYMOVE != 0 {
        return Err(EINVAL);
    }
    let (old_n, new_n) = (align(old_size), align(new_size));
    let r = region(g, st);
    if !r.all_mapped(old, old + old_n) {
        return Err(EFAULT);
    }
    if new_n <= old_n {
        r.release(old + new_n, old_n - new_n);
        return Ok(old as i64);
    }
    // At the bump end: grow in place.
    if old + old_n == r.next {
        cover(g, old + new_n)?;
        zero(g, old + old_n, new_n - old_n)?;
        r.next = old + new_n;
        return Ok(old as i64);
    }
    if flags & libc::MREMAP_MAYMOVE == 0 {
        return Err(ENOMEM);
    }
    let new = r.allocate(g, new_n)?;
    let (src, dst) = (g.range(old as u32, old_size)?, g.range(new as u32, old_size)?);
    // SAFETY: two disjoint checked ranges of the sandbox's memory (the new one was free).
    unsafe { cwali_rt::guest_access::copy(dst, src, old_size as usize) }.map_err(|_| EFAULT)?;
    r.release(old, old_n);
    Ok(new as i64)
}

/// A page-aligned range inside memory (`-ENOMEM` outside, as for unmapped addresses).
fn memory_range(g: &Guest<'_>, addr: u64, len: u64) -> Result<(), i64> {
    let addr = addr & 0xFFFF_FFFF;
    if !addr.is_multiple_of(PAGE) {
        return Err(EINVAL);
    }
    g.range(addr as u32, align(len & 0xFFFF_FFFF)).map(|_| ()).map_err(|_| ENOMEM)
}

/// `madvise`: `MADV_DONTNEED` zeroes the range (what the guest then reads from anonymous
/// memory); other advice is accepted and ignored.
fn madvise(g: &Guest<'_>, addr: u64, len: u64, advice: i32) -> SysResult {
    memory_range(g, addr, len)?;
    if advice == libc::MADV_DONTNEED {
        zero(g, addr & 0xFFFF_FFFF, len & 0xFFFF_FFFF)?;
    }
    Ok(0)
}
