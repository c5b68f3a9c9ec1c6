//! The auxiliary (non-syscall) imports of §5: startup, argv, environment, threads, setjmp and
//! the wali-musl extras the reference does not provide.

use std::sync::atomic::{AtomicBool, Ordering};

use cwali_frontend::{FuncType, ValType as W};
use cwali_rt::{Caller, Func, Trap, Val};

use super::guest::{EFAULT, Guest};
use super::{process, signals};

static INIT_DONE: AtomicBool = AtomicBool::new(false);
static DEINIT_DONE: AtomicBool = AtomicBool::new(false);

fn i32_arg(args: &[Val], i: usize) -> i32 {
    match args.get(i) {
        Some(Val::I32(v)) => *v,
        _ => 0,
    }
}

fn guest<'a>(vmctx: *mut u8) -> Result<Guest<'a>, Trap> {
    // SAFETY: generated code passes the calling instance's VMContext.
    unsafe { Caller::from_vmctx(vmctx) }.and_then(Guest::new).ok_or_else(|| Trap::host("WALI call without memory"))
}

fn ret(v: i32) -> Result<Vec<Val>, Trap> {
    Ok(vec![Val::I32(v)])
}

/// A host function body: the caller's VMContext and the arguments in.
type HostFn = Box<dyn Fn(*mut u8, &[Val]) -> Result<Vec<Val>, Trap> + Send + Sync>;

/// The host function for auxiliary import `name`, if we provide it with that type.
pub fn func(name: &str, ty: &FuncType) -> Option<Func> {
    let sig = (ty.params(), ty.results());
    let f: HostFn = match (name, sig) {
        ("__init", ([], [W::I32])) => Box::new(|_, _| ret(INIT_DONE.swap(true, Ordering::SeqCst) as i32)),
        ("__deinit", ([], [W::I32])) => Box::new(|_, _| ret(DEINIT_DONE.swap(true, Ordering::SeqCst) as i32)),
        ("__proc_exit", ([W::I32], [])) => Box::new(|_, a| process::exit_process(i32_arg(a, 0))),
        ("__cl_get_argc", ([], [W::I32])) => Box::new(|_, _| ret(super::process().argv.len() as i32)),
        ("__cl_get_argv_len", ([W::I32], [W::I32])) => {
            Box::new(|_, a| ret(super::process().argv.get(i32_arg(a, 0) as usize).map_or(0, |s| s.len() as i32)))
        }
        ("__cl_copy_argv", ([W::I32, W::I32], [W::I32])) => Box::new(|vmctx, a| {
            let Some(arg) = super::process().argv.get(i32_arg(a, 1) as usize) else { return ret(EFAULT as i32) };
            let mut bytes = arg.as_bytes().to_vec();
            bytes.push(0);
            match guest(vmctx)?.write(i32_arg(a, 0) as u32, &bytes) {
                Ok(()) => ret(0),
                Err(e) => ret(e as i32),
            }
        }),
        ("__get_init_envfile", ([W::I32, W::I32], [W::I32])) => Box::new(|vmctx, a| {
            // Written by the execve that started us (ours in the private directory, or the
            // reference runtime's `/tmp/wali_env.<pid>`), used once: a later program with the
            // same pid must not inherit it. Only a file of ours nobody else could write counts.
            let pid = std::process::id();
            let handed = [process::exec_env_file(pid).ok(), Some(format!("/tmp/wali_env.{pid}").into())]
                .into_iter()
                .flatten()
                .find(|p| process::is_private_file(p));
            let path = if let Some(own) = handed {
                process::remove_at_exit(own.clone());
                Some(own)
            } else {
                super::process().env_file.clone()
            };
            let Some(path) = path else { return ret(0) };
            let mut bytes = path.to_string_lossy().into_owned().into_bytes();
            bytes.push(0);
            if bytes.len() > i32_arg(a, 1) as u32 as usize {
                bytes = vec![0];
            }
            match guest(vmctx)?.write(i32_arg(a, 0) as u32, &bytes) {
                Ok(()) => ret(1),
                Err(e) => ret(e as i32),
            }
        }),
        ("__wasm_thread_spawn", ([W::I32, W::I32], [W::I32])) => Box::new(|vmctx, a| {
            // SAFETY: host functions are called with the calling instance's live VMContext.
            let caller = unsafe { Caller::from_vmctx(vmctx) }.ok_or_else(|| Trap::host("no caller"))?;
            ret(super::spawn_thread(caller, i32_arg(a, 0) as u32, i32_arg(a, 1) as u32))
        }),
        // setjmp family: see the crate doc on what is and is not supported.
        ("setjmp" | "_setjmp", ([W::I32], [W::I32])) | ("sigsetjmp", ([W::I32, W::I32], [W::I32])) => {
            Box::new(|_, _| ret(0))
        }
        ("longjmp" | "_longjmp", ([W::I32, W::I32], [])) => Box::new(|_, _| {
            eprintln!("cwali: longjmp is not supported yet; the program ends with status 255");
            process::exit_process(255)
        }),
        ("__restore" | "__restore_rt", ([], [])) => Box::new(|_, _| Ok(vec![])),
        ("vfork", ([], [W::I32])) => Box::new(|_, _| ret(process::fork().unwrap_or_else(|e| e) as i32)),
        ("__clone", ([W::I32, W::I32, W::I32, W::I32, W::I32], [W::I32])) => Box::new(|vmctx, a| {
            // posix_spawn's child: fork, run table0[fn](arg) in the child and exit with its result.
            let pid = match process::fork() {
                Ok(pid) => pid,
                Err(e) => return ret(e as i32),
            };
            if pid != 0 {
                return ret(pid as i32);
            }
            // SAFETY: host functions are called with the calling instance's live VMContext.
            let caller = unsafe { Caller::from_vmctx(vmctx) }.ok_or_else(|| Trap::host("no caller"))?;
            let status = match caller.table_func(0, i32_arg(a, 0) as u32) {
                Some((f, _)) => match caller.call(&f, &[Val::I32(i32_arg(a, 3))]) {
                    Ok(r) => match r.first() {
                        Some(Val::I32(s)) => *s,
                        _ => 0,
                    },
                    Err(trap) if trap.message() == process::THREAD_EXIT => 0,
                    Err(_) => 127,
                },
                None => 127,
            };
            process::exit_process(status)
        }),
        ("__set_thread_area", ([W::I32], [W::I32])) => Box::new(|_, _| ret(-(libc::ENOSYS))),
        ("fegetround", ([], [W::I32])) => Box::new(|_, _| ret(0)),
        ("fesetround", ([W::I32], [W::I32])) => Box::new(|_, a| ret(if i32_arg(a, 0) == 0 { 0 } else { -1 })),
        (
            "feclearexcept" | "feraiseexcept" | "fetestexcept" | "fegetenv" | "feholdexcept" | "fesetenv"
            | "feupdateenv",
            ([W::I32], [W::I32]),
        ) => Box::new(|_, _| ret(0)),
        ("fegetexceptflag", ([W::I32, W::I32], [W::I32])) => Box::new(|vmctx, a| {
            let _ = guest(vmctx)?.write(i32_arg(a, 0) as u32, &0u16.to_le_bytes());
            ret(0)
        }),
        ("fesetexceptflag", ([W::I32, W::I32], [W::I32])) => Box::new(|_, _| ret(0)),
        _ => return None,
    };
    let name = name.to_string();
    let after = move |vmctx: *mut u8, args: &[Val]| {
        if super::process().trace {
            // Calls that never return (exit) must show up before they happen.
            super::trace_call(&name, args);
        }
        let r = f(vmctx, args);
        if super::process().trace
            && let Ok(v) = &r
        {
            super::trace_result(&name, v);
        }
        if signals::any_pending()
            // SAFETY: host functions are called with the calling instance's live VMContext.
            && let Some(caller) = unsafe { Caller::from_vmctx(vmctx) }
        {
            signals::deliver_pending(caller);
        }
        r
    };
    Some(Func::new_with_caller(ty.clone(), after))
}
