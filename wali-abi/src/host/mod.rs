//! The WALI host side: links a module's `wali` imports, sets up the process, runs `_start`, and
//! implements every call the table marks as needing more than a pass-through.
//!
//! - [`link`] resolves imports as §4 says: known syscalls with a matching signature get the
//!   table-driven implementation, unknown `SYS_*` returning i64 get `-ENOSYS`, anything else a
//!   stub that traps naming the import. Instantiation never fails on an unknown import.
//! - [`run`] executes a program: one Wasm thread per host thread, a process-wide mmap region inside
//!   linear memory, virtual signal delivery at safepoints, and the exit status rules of §11.4
//!   (a trap ends the process as the native program would: killed by the matching signal).

mod aux;
pub mod confine;
mod files;
mod guest;
mod memory;
mod process;
mod signals;
mod syscall;

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use cwali_frontend::{FuncType, ImportKind, ValType as WasmType};
use cwali_rt::{Caller, Engine, Extern, Func, Instance, Module, Store, Trap, Val};

use crate::syscalls::{self, ValType};

pub use guest::Guest;

/// How to run a WALI program.
#[derive(Debug, Clone, Default)]
pub struct WaliConfig {
    /// The guest's argv; `argv[0]` is the module path as given (§5.1).
    pub argv: Vec<String>,
    /// `--env-file`: the initial environment, one `NAME=value` per line.
    pub env_file: Option<PathBuf>,
    /// `--env NAME=value` entries, added after the file and the inherited environment.
    pub env: Vec<String>,
    /// Give the guest the runtime's own environment.
    pub inherit_env: bool,
    /// strace-like lines on stderr for every WALI call.
    pub trace: bool,
    /// `--dir`, `--net`, `--no-exec-native`, `--rlimit`: applied right before the program runs
    /// (its namespaces were entered earlier, see [`confine::Confinement::enter_namespaces`]).
    pub confine: confine::Confinement,
}

/// Process-wide state of the running program.
struct Process {
    argv: Vec<String>,
    env_file: Option<PathBuf>,
    trace: bool,
    module: Module,
    engine: Engine,
    /// Every instance (thread) links the same host functions.
    imports: Vec<Extern>,
}

static PROCESS: OnceLock<Process> = OnceLock::new();

fn process() -> &'static Process {
    PROCESS.get().expect("WALI process state is set before the guest runs")
}

/// Whether a module looks like a WALI program (imports from module `wali`).
pub fn is_wali_module(module: &Module) -> bool {
    module.info().imports.iter().any(|i| i.module == syscalls::IMPORT_MODULE)
}

pub(crate) fn wali_type(t: WasmType) -> Option<ValType> {
    match t {
        WasmType::I32 => Some(ValType::I32),
        WasmType::I64 => Some(ValType::I64),
        _ => None,
    }
}

pub(crate) fn raw_i64(v: &Val) -> i64 {
    match *v {
        Val::I32(x) => x as i64,
        Val::I64(x) => x,
        _ => 0,
    }
}

/// A stub that traps naming the import (unknown non-syscall imports, bad signatures).
pub(crate) fn trap_stub(ty: FuncType, module: &str, name: &str) -> Func {
    let message = format!("call to unresolved import `{module}::{name}`");
    Func::new_with_caller(ty, move |_, _| Err(Trap::host(message.clone())))
}

/// The tag provided for the tag import `module::name` of type `ty`: created once per process,
/// so that the main thread's instance and every thread's instance see the same tag.
fn imported_tag(module: &str, name: &str, ty: &FuncType) -> cwali_rt::Tag {
    static TAGS: std::sync::Mutex<Vec<(String, cwali_rt::Tag)>> = std::sync::Mutex::new(Vec::new());
    let key = format!("{module}::{name}");
    let mut tags = TAGS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, t)) = tags.iter().find(|(k, t)| *k == key && t.ty() == ty) {
        return t.clone();
    }
    let tag = cwali_rt::Tag::new(ty.clone());
    tags.push((key, tag.clone()));
    tag
}

/// What one host gives for `wali` imports; [`link_imports`] decides which applies (§4).
pub(crate) struct ImportProvider<'a> {
    /// A table syscall whose import has the table's signature.
    pub syscall: &'a dyn Fn(FuncType, &'static syscalls::Syscall) -> Func,
    /// An auxiliary import (argv, environment, ...), if this host provides it with that type.
    pub aux: &'a dyn Fn(&str, &FuncType) -> Option<Func>,
    /// A `SYS_*` import the table does not know, returning i64: it answers -ENOSYS.
    pub unknown_syscall: &'a dyn Fn(FuncType, &str) -> Func,
    /// A tag import.
    pub tag: &'a dyn Fn(&str, &str, &FuncType) -> cwali_rt::Tag,
}

/// Host functions for every function import of `module` and tags for its tag imports, in
/// import order, resolved as §4 says: known syscalls with a matching signature get the host's
/// implementation, unknown `SYS_*` returning i64 get -ENOSYS, anything else (a known syscall
/// with another signature included) a stub that traps naming the import when called.
pub(crate) fn link_imports(module: &Module, host: &ImportProvider<'_>) -> Vec<Extern> {
    let info = module.info();
    let mut out = Vec::new();
    for import in &info.imports {
        let ty_index = match import.kind {
            ImportKind::Func(ty_index) => ty_index,
            ImportKind::Tag(ty_index) => {
                out.push(Extern::Tag((host.tag)(&import.module, &import.name, &info.types[ty_index as usize])));
                continue;
            }
            // WALI binaries import only functions and tags; anything else cannot be provided.
            _ => continue,
        };
        let ty = info.types[ty_index as usize].clone();
        let params: Option<Vec<ValType>> = ty.params().iter().map(|t| wali_type(*t)).collect();
        let results: Option<Vec<ValType>> = ty.results().iter().map(|t| wali_type(*t)).collect();
        let func = match (import.module.as_str(), params, results) {
            (syscalls::IMPORT_MODULE, Some(p), Some(r)) => {
                let known = syscalls::by_import_name(&import.name);
                if let Some(sc) = known.filter(|s| s.accepts_signature(&p, &r)) {
                    (host.syscall)(ty, sc)
                } else if let Some(f) = (host.aux)(&import.name, &ty) {
                    f
                } else if import.name.starts_with(syscalls::SYSCALL_PREFIX) && known.is_none() && r == [ValType::I64] {
                    (host.unknown_syscall)(ty, &import.name)
                } else {
                    trap_stub(ty, &import.module, &import.name)
                }
            }
            _ => trap_stub(ty, &import.module, &import.name),
        };
        out.push(Extern::Func(func));
    }
    out
}

/// The full host's functions and tags for `module`'s imports, in import order.
pub fn link(module: &Module) -> Vec<Extern> {
    let unknown_syscall = |ty: FuncType, name: &str| {
        let name = name.to_string();
        Func::new_with_caller(ty, move |_, _| {
            trace_line(&name, "", -(libc::ENOSYS as i64));
            Ok(vec![Val::I64(-(libc::ENOSYS as i64))])
        })
    };
    // An exception tag the program does not define (e.g. `__cpp_exception` left undefined at
    // link time): one tag of that type, the same for every thread.
    link_imports(
        module,
        &ImportProvider {
            syscall: &syscall_func,
            aux: &aux::func,
            unknown_syscall: &unknown_syscall,
            tag: &imported_tag,
        },
    )
}

/// The host function of one table syscall.
fn syscall_func(ty: FuncType, sc: &'static syscalls::Syscall) -> Func {
    let void = ty.results().is_empty();
    Func::new_with_caller(ty, move |vmctx, args| {
        // SAFETY: generated code passes the calling instance's VMContext.
        let caller = unsafe { Caller::from_vmctx(vmctx) }.ok_or_else(|| Trap::host("WALI call without caller"))?;
        let g = Guest::new(caller).ok_or_else(|| Trap::host("WALI program without a memory"))?;
        let raw: Vec<i64> = args.iter().map(raw_i64).collect();
        let wide = syscall::widen(sc, &raw);
        let r = match syscall::dispatch(&g, sc, &wide) {
            Ok(v) => v,
            Err(e) => e,
        };
        if process().trace {
            trace_line(sc.import, &describe_args(&g, sc, &wide), r);
        }
        if signals::any_pending() {
            signals::deliver_pending(caller);
        }
        Ok(if void { vec![] } else { vec![Val::I64(r)] })
    })
}

fn describe_args(g: &Guest<'_>, sc: &syscalls::Syscall, args: &[u64]) -> String {
    sc.args
        .iter()
        .zip(args)
        .map(|(a, &v)| match a.kind {
            syscalls::ArgKind::Str if v as u32 != 0 => match g.string(v as u32) {
                Ok(s) => format!("{s:?}"),
                Err(_) => format!("{:#x}", v as u32),
            },
            k if k.is_pointer() => format!("{:#x}", v as u32),
            _ if a.ty == ValType::I32 && a.kind.sign_extends() => format!("{}", v as i64),
            _ => format!("{v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn trace_line(name: &str, args: &str, r: i64) {
    if PROCESS.get().is_some_and(|p| p.trace) {
        let result = if (-4095..0).contains(&r) { format!("-1 {}", errno_name(-r as i32)) } else { r.to_string() };
        // Never panic on a closed stderr: tracing must not change what the program does.
        let _ = writeln!(std::io::stderr(), "[{}] {name}({args}) = {result}", std::process::id());
    }
}

/// Trace an auxiliary call before it runs (its arguments as plain integers).
fn trace_call(name: &str, args: &[Val]) {
    let args: Vec<String> = args.iter().map(|a| raw_i64(a).to_string()).collect();
    let _ = writeln!(std::io::stderr(), "[{}] {name}({}) ...", std::process::id(), args.join(", "));
}

fn trace_result(name: &str, results: &[Val]) {
    let r = results.first().map_or("()".to_string(), |v| raw_i64(v).to_string());
    let _ = writeln!(std::io::stderr(), "[{}] {name} = {r}", std::process::id());
}

fn errno_name(e: i32) -> String {
    let name = match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::EBADF => "EBADF",
        libc::ECHILD => "ECHILD",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EEXIST => "EEXIST",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::EMFILE => "EMFILE",
        libc::ENOTTY => "ENOTTY",
        libc::ENOSPC => "ENOSPC",
        libc::ESPIPE => "ESPIPE",
        libc::EPIPE => "EPIPE",
        libc::ERANGE => "ERANGE",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EINPROGRESS => "EINPROGRESS",
        _ => return format!("E{e}"),
    };
    format!("{name} ({})", std::io::Error::from_raw_os_error(e))
}

/// Native stack of a Wasm thread beyond what Wasm code may use: the runtime's frames and the host
/// functions that run below the deepest Wasm frame.
const HOST_STACK: usize = 8 << 20;

/// Run a WALI program to completion. Never returns: the process ends with the program's status.
pub fn run(engine: &Engine, module: &Module, config: WaliConfig) -> ! {
    // Confinement: the handoff directory (with a confined file system, the only place where
    // environment files can go) first, then the rules, on the thread that will run `_start`.
    let handoff = config.confine.create_handoff().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let env_file = prepare_env_file(&config, handoff.as_deref());
    if let Err(e) = config.confine.apply(handoff.as_deref()) {
        eprintln!("error: {e}");
        if let Some(dir) = &handoff {
            let _ = std::fs::remove_dir_all(dir);
        }
        std::process::exit(1)
    }
    let imports = link(module);
    let process = Process {
        argv: config.argv,
        env_file,
        trace: config.trace,
        module: module.clone(),
        engine: engine.clone(),
        imports,
    };
    if PROCESS.set(process).is_err() {
        panic!("run() is called once per process");
    }
    cwali_rt::set_safepoint_hook(signals::safepoint);
    cwali_rt::signals::set_sent_signal_hook(signals::sent_reserved_signal);
    prepare_process();
    // The main Wasm thread is the process's main thread, as in the native program: its tid is
    // the pid, and signals sent to the pid reach it.
    cwali_rt::set_max_wasm_stack(wasm_stack());
    main_thread();
    // The main Wasm thread ended with SYS_exit while others run: they end the process. This
    // thread must not take their signals any more.
    block_all_signals();
    loop {
        std::thread::park();
    }
}

/// Wasm stack on the process's main thread: its stack limit minus room for the runtime and
/// the host functions that run below the deepest Wasm frame.
fn wasm_stack() -> usize {
    static SIZE: OnceLock<usize> = OnceLock::new();
    *SIZE.get_or_init(main_thread_wasm_stack)
}

/// What is left of the process stack below here (its size limit minus what the runtime has
/// used above this frame), minus room for the host functions that run below the deepest Wasm
/// frame: a quarter of the stack, between 128 KiB and 2 MiB. A stack-limit check then always
/// fires before the real end of the stack, however small `ulimit -s` is (a guest can lower it and
/// re-exec itself).
fn main_thread_wasm_stack() -> usize {
    let mut lim: libc::rlimit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain syscall into a local.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } == 0;
    let limit = if ok && lim.rlim_cur != libc::RLIM_INFINITY { lim.rlim_cur as usize } else { 66 << 20 };
    let reserve = (limit / 4).clamp(128 << 10, 2 << 20);
    let left = limit.saturating_sub(stack_used_above_here() + reserve);
    left.clamp(16 << 10, 64 << 20)
}

/// Bytes of the process stack in use above this frame.
fn stack_used_above_here() -> usize {
    let here = 0u8;
    let sp = &raw const here as usize;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            static __libc_stack_end: *mut std::ffi::c_void;
        }
        // SAFETY: set by the dynamic loader before any of our code runs.
        let top = unsafe { __libc_stack_end } as usize;
        if top > sp && top - sp < 64 << 20 {
            return top - sp;
        }
    }
    // Without the loader's record: what cwali's start-up and `main` use, generously.
    let _ = sp;
    256 << 10
}

fn block_all_signals() {
    // SAFETY: plain signal-mask calls on the current thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in signals::RESERVED {
            libc::sigdelset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// The signal mask the program inherited, set in every Wasm thread.
static GUEST_MASK: OnceLock<usize> = OnceLock::new();

/// Call before compiling a WALI program (the compiler's thread pool inherits the mask).
///
/// Process-directed signals go to any thread that does not block them, the thread-group leader
/// first. Only Wasm threads may take them, so that a guest handler runs right after the call
/// that was interrupted, as in the native program: every runtime thread (this one, the
/// compiler's workers) blocks all but the fault signals, and Wasm threads start with the mask the
/// program inherited. SIGPIPE goes back to its default action (Rust's start-up ignores it; a
/// native program writing to a closed pipe is killed by it).
pub fn prepare_process() {
    if GUEST_MASK.get().is_some() {
        return;
    }
    // SAFETY: plain signal-mask calls on the current thread.
    unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_SETMASK, std::ptr::null(), &mut old);
        let _ = GUEST_MASK.set(Box::into_raw(Box::new(old)) as usize);
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    block_all_signals();
}

/// Give the current (Wasm) thread the program's own signal mask.
fn use_guest_mask() {
    if let Some(&mask) = GUEST_MASK.get() {
        // SAFETY: the mask was stored by prepare_process and is never freed.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, mask as *const libc::sigset_t, std::ptr::null_mut()) };
    }
}

fn main_thread() {
    use_guest_mask();
    let p = process();
    let mut store = Store::new(&p.engine);
    let instance = match Instance::new(&mut store, &p.module, &p.imports) {
        Ok(i) => i,
        Err(cwali_rt::Error::Trap(trap)) => die_of_trap(None, &trap),
        Err(e) => {
            eprintln!("error: {e}");
            process::exit_process(1)
        }
    };
    let Some(start) = instance.get_func("_start") else {
        eprintln!("error: the WALI program exports no `_start` function");
        process::exit_process(1)
    };
    match start.call(&mut store, &[]) {
        Ok(_) => process::exit_process(0),
        Err(trap) => thread_ended(Some(&instance), &trap),
    }
}

/// A Wasm thread's call returned with a trap: a thread exit, or a real trap.
fn thread_ended(instance: Option<&Instance>, trap: &Trap) {
    if trap.message() == process::THREAD_EXIT {
        if process::LIVE_THREADS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            process::exit_process(process::thread_exit_status());
        }
        return;
    }
    die_of_trap(instance, trap)
}

/// A trap ends the process as the native program would have ended: the guest's handler for the
/// matching signal runs first if it has one; then the process is killed by that signal.
fn die_of_trap(instance: Option<&Instance>, trap: &Trap) -> ! {
    // An uncaught C++ exception ends a native program in std::terminate, which aborts.
    let sig = if trap.as_exception().is_some() { libc::SIGABRT } else { signals::signal_for_trap(trap.trap_kind()) };
    if let Some(instance) = instance
        && signals::has_handler(sig)
        && let Err(inner) = signals::run_handler(instance.caller(), sig, None)
        && inner.message() == process::THREAD_EXIT
    {
        process::exit_process(0);
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {trap}");
    for frame in &trap.backtrace {
        let _ = writeln!(err, "    at {} (wasm function {})", frame.func_name, frame.func_index);
    }
    drop(err);
    signals::die_by_signal(sig)
}

/// Start a Wasm thread: a new instance sharing the caller's memory runs `table0[func](tid, arg)`.
fn spawn_thread(caller: Caller<'_>, func: u32, arg: u32) -> i32 {
    let Some(memory) = caller.memory_arc(0) else { return -1 };
    match caller.table_func(0, func) {
        Some((_, ty)) if ty.params() == [WasmType::I32, WasmType::I32] && ty.results().is_empty() => {}
        _ => return -1,
    }
    let (tx, rx) = std::sync::mpsc::channel::<i32>();
    process::LIVE_THREADS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    // As much Wasm stack as the main thread has, plus room for the runtime and host functions.
    let spawned = std::thread::Builder::new().stack_size(wasm_stack() + HOST_STACK).spawn(move || {
        let p = process();
        let mut store = Store::new(&p.engine);
        let instance = match Instance::new_sharing_memories(&mut store, &p.module, &p.imports, &[memory]) {
            Ok(i) => i,
            Err(_) => {
                let _ = tx.send(-1);
                process::LIVE_THREADS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                return;
            }
        };
        // SAFETY: plain syscall.
        let tid = unsafe { libc::gettid() };
        let _ = tx.send(tid);
        let Some((entry, _)) = instance.caller().table_func(0, func) else { return };
        let result = instance.caller().call(&entry, &[Val::I32(tid), Val::I32(arg as i32)]);
        syscall::clear_child_tid(&instance);
        match result {
            // Returning from the entry ends the thread like SYS_exit(0): the last one ends the
            // process (status 0, as a native last thread's pthread_exit).
            Ok(_) => {
                if process::LIVE_THREADS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                    process::exit_process(0);
                }
            }
            Err(trap) => thread_ended(Some(&instance), &trap),
        }
        drop(store);
    });
    if spawned.is_err() {
        process::LIVE_THREADS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        return -1;
    }
    rx.recv().unwrap_or(-1)
}

/// The environment file the guest should read, when the runtime composes one itself. With a
/// confined file system it goes to the handoff directory (the guest could not read it anywhere
/// else), and a cwali exec'd by a confined guest finds its environment there.
fn prepare_env_file(config: &WaliConfig, handoff: Option<&std::path::Path>) -> Option<PathBuf> {
    if let Some(file) = confine::handoff_env_file(std::process::id()).filter(|_| handoff.is_none())
        && config.env_file.is_none()
        && confine::is_private_file(&file)
    {
        process::remove_at_exit(file.clone());
        return Some(file);
    }
    if config.env.is_empty() && !config.inherit_env && (handoff.is_none() || config.env_file.is_none()) {
        return config.env_file.clone();
    }
    let mut lines: Vec<String> = Vec::new();
    if let Some(path) = &config.env_file
        && let Ok(text) = std::fs::read_to_string(path)
    {
        lines.extend(text.lines().map(String::from));
    }
    if config.inherit_env {
        use std::os::unix::ffi::OsStrExt;
        // Not `env::vars`: it panics on a variable that is not UTF-8.
        for (k, v) in std::env::vars_os() {
            lines.push(format!("{}={}", String::from_utf8_lossy(k.as_bytes()), String::from_utf8_lossy(v.as_bytes())));
        }
    }
    lines.extend(config.env.iter().cloned());
    // Empty lines make the guest's startup fail (§3.1); values with newlines cannot be written.
    lines.retain(|l| !l.is_empty() && !l.contains('\n'));
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    // A private file: in a shared temp directory a planted symlink would redirect the write.
    // Under confinement the run's hand-over directory is the one the program can reach.
    let dir = match handoff {
        Some(dir) => dir.to_path_buf(),
        None => process::private_dir().ok()?,
    };
    let path = dir.join(format!("run-env.{}", std::process::id()));
    if let Err(e) = process::write_private_file(&path, text.as_bytes()) {
        eprintln!("error: cannot write the program's environment to {}: {e}", path.display());
        process::exit_process(1);
    }
    process::remove_at_exit(path.clone());
    Some(path)
}

/// The compilation settings of a WALI program: safepoints for signal delivery and, unless every
/// call is traced, pass-through syscalls compiled inline.
pub fn engine_config(base: cwali_rt::Config, trace: bool) -> cwali_rt::Config {
    let resolve = move |module: &str, name: &str, ty: &FuncType| {
        intrinsic_jump(module, name, ty)
            .or_else(|| if trace { None } else { inline_syscall(module, name, ty).map(cwali_rt::Intrinsic::Syscall) })
    };
    cwali_rt::Config {
        safepoints: true,
        intrinsics: Some(cwali_rt::SyscallResolver(std::sync::Arc::new(resolve))),
        ..base
    }
}

/// setjmp/longjmp imports are compiled by codegen (see rt's `setjmp` module): they need the
/// caller's native frame, which no host function can reach.
fn intrinsic_jump(module: &str, name: &str, ty: &FuncType) -> Option<cwali_rt::Intrinsic> {
    use WasmType::I32;
    if module != syscalls::IMPORT_MODULE {
        return None;
    }
    match (name, ty.params(), ty.results()) {
        ("setjmp" | "_setjmp", [I32], [I32]) => Some(cwali_rt::Intrinsic::SetJmp { savesigs: false }),
        ("sigsetjmp", [I32, I32], [I32]) => Some(cwali_rt::Intrinsic::SetJmp { savesigs: true }),
        ("longjmp" | "_longjmp", [I32, I32], []) => Some(cwali_rt::Intrinsic::LongJmp),
        _ => None,
    }
}

/// The inline form of an import, if it is a pass-through syscall whose every argument codegen
/// can translate by itself (no strings, no conversions).
pub fn inline_syscall(module: &str, name: &str, ty: &FuncType) -> Option<cwali_rt::InlineSyscall> {
    use crate::syscalls::{ArgKind as K, Count, Len};
    use cwali_rt::{InlineArg, InlineLen};
    if module != syscalls::IMPORT_MODULE {
        return None;
    }
    let arch = crate::Arch::HOST?;
    let params: Vec<ValType> = ty.params().iter().map(|t| wali_type(*t)).collect::<Option<_>>()?;
    let results: Vec<ValType> = ty.results().iter().map(|t| wali_type(*t)).collect::<Option<_>>()?;
    let sc = syscalls::by_import_name(name)?;
    if !sc.accepts_signature(&params, &results) || !sc.is_pass_through(arch) {
        return None;
    }
    let nr = match (arch, sc.aarch64) {
        (crate::Arch::X86_64, _) => sc.nr_x86_64,
        (crate::Arch::Aarch64, crate::syscalls::Aarch64::Same) => sc.nr_aarch64?,
        _ => return None,
    };
    let len = |l: Len| match l {
        Len::Bytes(n) => Some(InlineLen::Bytes(n)),
        Len::Arg(i) => Some(InlineLen::Arg { arg: i, size: 1 }),
        Len::Of(layout) => Some(InlineLen::Bytes(layout.size())),
        Len::ArrayOf(layout, i) => Some(InlineLen::Arg { arg: i, size: layout.size() }),
        Len::Elems { count_arg, size } => Some(InlineLen::Arg { arg: count_arg, size }),
        Len::ArgPtr(_) => None,
    };
    let args = sc
        .args
        .iter()
        .map(|a| match a.kind {
            K::Scalar { .. } | K::Fd => Some(InlineArg::Scalar { signed: a.kind.sign_extends() }),
            K::OpenFlags if arch == crate::Arch::X86_64 => Some(InlineArg::Scalar { signed: true }),
            K::PtrIn(l) | K::PtrOut(l) | K::PtrInOut(l) => Some(InlineArg::Ptr { len: len(l)?, nullable: true }),
            K::MemRange(l) => Some(InlineArg::Ptr { len: len(l)?, nullable: false }),
            K::Struct(s) if s.aarch64_only && arch == crate::Arch::X86_64 => {
                let len = match s.count {
                    Count::One => InlineLen::Bytes(s.layout.size()),
                    Count::Arg(i) => InlineLen::Arg { arg: i, size: s.layout.size() },
                };
                Some(InlineArg::Ptr { len, nullable: true })
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(cwali_rt::InlineSyscall { nr, args })
}
