//! Benchmark 8 (`--only apps`): real applications — Lua 5.4, SQLite, zstd, zlib, built from their
//! crates.io sources by `tests/apps/build.sh` — run as a user runs them, four ways:
//!
//! - native, musl: the same clang (`zig cc -target x86_64-linux-musl`, static), the fair baseline;
//! - native, glibc: gcc, the usual native build;
//! - cwali: `cwali run APP.wasm ARGS` (the committed `tests/apps/wasm/APP.wasm`);
//! - Wasmtime 48 running the same `.wasm` in this process through [`shim`], a minimal WALI
//!   written here: the dozen calls these programs make (write/writev/read/open/close/lseek,
//!   anonymous mmap, clock_gettime, exit...), everything else `-ENOSYS`.
//!
//! Every run's stdout must equal the native musl build's. The native builds and cwali are timed
//! as whole processes (fork to wait, so their start-up is included: about 1 ms for cwali with its
//! code cache, less natively); Wasmtime's time is instantiation plus `_start` on a module
//! compiled beforehand, so it carries no process start-up and no compilation.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::process::cwali_bin;
use crate::stats::{Table, fmt_num, fmt_ratio, geomean, loadavg, median, ms, paired_ratio};
use crate::{Opts, WasmtimeResult};

/// One measured program run.
struct Workload {
    app: &'static str,
    name: &'static str,
    what: &'static str,
    args: fn(quick: bool) -> Vec<String>,
}

fn apps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").join("tests/apps")
}

fn lua(script: &str, n: &str) -> Vec<String> {
    vec![apps_dir().join("bench").join(script).display().to_string(), n.to_string()]
}

const CTE: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < N) \
                   SELECT count(*), sum(x % 7), max(x) FROM c;";
/// `temp_store = MEMORY`: the sort of CREATE INDEX spills to no temporary file, which the shim
/// could not serve (no fstat/pread); all contenders run the same SQL.
const BULK: &str = "PRAGMA temp_store = MEMORY; CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, s TEXT); BEGIN; \
    WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < N) \
    INSERT INTO t(k, s) SELECT (x * 7919) % 100003, printf('row-%08d', x) FROM c; COMMIT; \
    CREATE INDEX t_k ON t(k); \
    SELECT count(*), sum(k) FROM t WHERE k BETWEEN 1000 AND 50000; SELECT count(DISTINCT k) FROM t; \
    SELECT s FROM t WHERE k = 4242 ORDER BY id LIMIT 1; \
    SELECT k, count(*) FROM t GROUP BY k ORDER BY 2 DESC, 1 LIMIT 3;";

fn sql(template: &str, n: &str) -> Vec<String> {
    vec![":memory:".to_string(), template.replace(" N)", &format!(" {n})"))]
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const WORKLOADS: &[Workload] = &[
    Workload {
        app: "lua",
        name: "lua binary-trees",
        what: "allocate and walk trees, depth 13",
        args: |q| lua("binary_trees.lua", if q { "11" } else { "13" }),
    },
    Workload {
        app: "lua",
        name: "lua numeric",
        what: "Collatz walks + Leibniz series",
        args: |q| lua("numeric.lua", if q { "300000" } else { "1500000" }),
    },
    Workload {
        app: "lua",
        name: "lua strings",
        what: "format/concat/gsub/gmatch",
        args: |q| lua("strings.lua", if q { "30000" } else { "100000" }),
    },
    Workload {
        app: "lua",
        name: "lua sort",
        what: "table.sort of numbers/strings/records",
        args: |q| lua("sort.lua", if q { "15000" } else { "50000" }),
    },
    Workload {
        app: "sqlite",
        name: "sqlite recursive CTE",
        what: "count/sum over a 1.5M-row recursive CTE",
        args: |q| sql(CTE, if q { "300000" } else { "1500000" }),
    },
    Workload {
        app: "sqlite",
        name: "sqlite insert+index",
        what: "200k inserts, index, range/distinct/group queries",
        args: |q| sql(BULK, if q { "40000" } else { "200000" }),
    },
    Workload {
        app: "zstd",
        name: "zstd level 3",
        what: "compress+decompress 4 MB corpus x3",
        args: |q| strings(&["bench", "3", if q { "1000000" } else { "4000000" }, "3"]),
    },
    Workload {
        app: "zstd",
        name: "zstd level 19",
        what: "compress+decompress 500 KB corpus",
        args: |q| strings(&["bench", "19", if q { "150000" } else { "500000" }, "1"]),
    },
    Workload {
        app: "zlib",
        name: "zlib level 6",
        what: "deflate+inflate 3 MB corpus x2",
        args: |q| strings(&["bench", "6", if q { "600000" } else { "3000000" }, "2"]),
    },
];

/// The native builds of `tests/apps/build.sh`: `$APPS_NATIVE` or `target/apps-native`.
fn native_dir() -> PathBuf {
    match std::env::var_os("APPS_NATIVE") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").join("target/apps-native"),
    }
}

/// Runs a process to the end; (wall ms, stdout).
fn run_process(program: &Path, pre: &[&str], args: &[String]) -> Result<(f64, Vec<u8>)> {
    let start = Instant::now();
    let out = Command::new(program).args(pre).args(args).stdin(Stdio::null()).stderr(Stdio::piped()).output()?;
    let t = ms(start.elapsed());
    if !out.status.success() {
        bail!("{} {pre:?} failed ({}): {}", program.display(), out.status, String::from_utf8_lossy(&out.stderr));
    }
    Ok((t, out.stdout))
}

pub fn apps(opts: &Opts) -> Result<()> {
    let reps = if opts.quick { 3 } else { 7 };
    let native = native_dir();
    for flavour in ["musl", "gcc"] {
        for app in ["lua", "sqlite", "zstd", "zlib"] {
            if !native.join(flavour).join(app).is_file() {
                bail!(
                    "{} missing: build the native apps with `tests/apps/build.sh --native-only`",
                    native.join(flavour).join(app).display()
                );
            }
        }
    }
    let cwali = cwali_bin()?;
    let engine = shim::engine()?;
    let load_before = loadavg();
    let mut table = Table::new(
        "Applications: native (musl, same clang) vs native (glibc, gcc) vs cwali vs Wasmtime, same .wasm",
        &[
            "workload",
            "musl ms",
            "gcc ms",
            "cwali ms",
            "wasmtime ms",
            "cwali/musl",
            "cwali/gcc",
            "cwali/wasmtime",
            "wasmtime/musl",
        ],
    );
    let (mut vs_musl, mut vs_gcc, mut vs_wt, mut wt_musl) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut modules = std::collections::HashMap::new();
    for w in WORKLOADS {
        let args = (w.args)(opts.quick);
        let wasm = apps_dir().join("wasm").join(format!("{}.wasm", w.app));
        if !modules.contains_key(w.app) {
            let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
            let module = wasmtime::Module::new(&engine, &bytes).wt().with_context(|| format!("wasmtime: {}", w.app))?;
            modules.insert(w.app, module);
        }
        let module = &modules[w.app];
        let wasm_s = wasm.display().to_string();
        let musl = native.join("musl").join(w.app);
        let gcc = native.join("gcc").join(w.app);
        // Contenders: 0 musl, 1 gcc, 2 cwali, 3 wasmtime. A first run of each checks the output
        // (and fills cwali's code cache).
        let run = |c: usize| -> Result<(f64, Vec<u8>)> {
            match c {
                0 => run_process(&musl, &[], &args),
                1 => run_process(&gcc, &[], &args),
                2 => run_process(&cwali, &["run", &wasm_s], &args),
                _ => shim::run(&engine, module, w.app, &args),
            }
        };
        let expected = run(0)?.1;
        for c in 1..4 {
            let out = run(c)?.1;
            if out != expected {
                bail!(
                    "{}: contender {c} printed {:?}, native musl {:?}",
                    w.name,
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&expected)
                );
            }
        }
        let mut times = vec![Vec::new(); 4];
        for rep in 0..reps {
            for i in 0..4 {
                let c = (i + rep) % 4;
                let (t, out) = run(c)?;
                if out != expected {
                    bail!("{}: contender {c} printed something else in repetition {rep}", w.name);
                }
                times[c].push(t);
            }
        }
        let r = |a: usize, b: usize| paired_ratio(&times[a], &times[b]);
        vs_musl.push(r(2, 0));
        vs_gcc.push(r(2, 1));
        vs_wt.push(r(2, 3));
        wt_musl.push(r(3, 0));
        table.row(vec![
            format!("{} ({})", w.name, w.what),
            fmt_num(median(&times[0])),
            fmt_num(median(&times[1])),
            fmt_num(median(&times[2])),
            fmt_num(median(&times[3])),
            fmt_ratio(r(2, 0)),
            fmt_ratio(r(2, 1)),
            fmt_ratio(r(2, 3)),
            fmt_ratio(r(3, 0)),
        ]);
    }
    table.row(vec![
        "**geomean**".to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("**{}**", fmt_ratio(geomean(&vs_musl))),
        format!("**{}**", fmt_ratio(geomean(&vs_gcc))),
        format!("**{}**", fmt_ratio(geomean(&vs_wt))),
        format!("**{}**", fmt_ratio(geomean(&wt_musl))),
    ]);
    table.note(format!(
        "Median of {reps} interleaved repetitions (rotating who goes first); ratios are medians of \
         per-repetition ratios. musl/gcc/cwali are whole processes (start-up included; cwali with its \
         code cache); Wasmtime is instantiate + `_start` of a precompiled module in this process, \
         through the bench's minimal WALI shim. Every run's stdout equals the native musl build's. \
         Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}

/// A minimal WALI host for Wasmtime: just what the app benchmarks' programs call. Guest memory
/// is the module's own exported shared memory; anonymous mmap reuses unmapped ranges first-fit or
/// grows it, brk never moves (musl's malloc then uses mmap), stdout/stderr are captured.
mod shim {
    use anyhow::{Result, bail};
    use wasmtime::{Caller, Engine, Extern, Linker, Module, Store, Val, ValType};

    use crate::WasmtimeResult;

    /// `exit`, `exit_group` or `__proc_exit`: unwinds the guest with its status.
    #[derive(Debug)]
    struct Exit(i32);
    impl std::fmt::Display for Exit {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "exit({})", self.0)
        }
    }
    impl std::error::Error for Exit {}

    pub fn engine() -> Result<Engine> {
        let mut config = wasmtime::Config::new();
        config.wasm_threads(true).shared_memory(true);
        Engine::new(&config).wt()
    }

    struct Host {
        argv: Vec<Vec<u8>>,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
        /// Unmapped ranges (guest offset, length), 64 KiB aligned, reused first-fit by mmap.
        free: Vec<(u64, u64)>,
    }

    const ENOSYS: i64 = -(libc::ENOSYS as i64);
    const EFAULT: i64 = -(libc::EFAULT as i64);
    const ENOMEM: i64 = -(libc::ENOMEM as i64);
    const ENOTTY: i64 = -(libc::ENOTTY as i64);

    /// The guest's memory as a raw byte range, for one host call.
    struct Mem {
        base: *mut u8,
        len: usize,
        shared: wasmtime::SharedMemory,
    }

    impl Mem {
        fn of(caller: &mut Caller<'_, Host>) -> Option<Mem> {
            let Some(Extern::SharedMemory(shared)) = caller.get_export("memory") else { return None };
            let data = shared.data();
            Some(Mem { base: data.as_ptr() as *mut u8, len: data.len(), shared })
        }

        /// `[ptr, ptr + len)` as a slice, if it lies inside memory.
        fn slice(&mut self, ptr: i64, len: i64) -> Option<&mut [u8]> {
            let (p, n) = (usize::try_from(ptr as u32).ok()?, usize::try_from(len).ok()?);
            if p.checked_add(n)? > self.len {
                return None;
            }
            // SAFETY: in bounds of the guest memory, which outlives this host call; the guest is
            // single-threaded and suspended in this call, so nothing else touches these bytes.
            Some(unsafe { std::slice::from_raw_parts_mut(self.base.add(p), n) })
        }

        fn cstr(&mut self, ptr: i64) -> Option<std::ffi::CString> {
            let rest_len = (self.len - (ptr as u32 as usize).min(self.len)) as i64;
            let rest = self.slice(ptr, rest_len)?;
            let end = rest.iter().position(|&b| b == 0)?;
            std::ffi::CString::new(&rest[..end]).ok()
        }
    }

    fn errno_or(r: i64) -> i64 {
        if r < 0 { -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64) } else { r }
    }

    /// The (pointer, length) buffers of read/write (`a[1]`, `a[2]`) or readv/writev (an iovec
    /// array of `a[2]` entries at `a[1]`); None if the array is outside memory.
    fn buffers(mem: &mut Mem, vector: bool, a: &[i64]) -> Option<Vec<(i64, i64)>> {
        if !vector {
            return Some(vec![(a[1], a[2])]);
        }
        let word = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap()) as i64;
        Some(mem.slice(a[1], a[2] * 8)?.chunks(8).map(|c| (word(&c[..4]), word(&c[4..]))).collect())
    }

    /// One WALI syscall (`SYS_name`) with its arguments widened to i64.
    fn syscall(caller: &mut Caller<'_, Host>, name: &str, a: &[i64]) -> wasmtime::Result<i64> {
        let Some(mut mem) = Mem::of(caller) else { return Ok(EFAULT) };
        let fd = |i: usize| a[i] as i32;
        Ok(match name {
            "write" | "writev" => {
                let Some(bufs) = buffers(&mut mem, name == "writev", a) else { return Ok(EFAULT) };
                let mut total = 0;
                for (p, n) in bufs {
                    let Some(bytes) = mem.slice(p, n) else { return Ok(EFAULT) };
                    if fd(0) == 1 || fd(0) == 2 {
                        let host = caller.data_mut();
                        if fd(0) == 1 { &mut host.stdout } else { &mut host.stderr }.extend_from_slice(bytes);
                        total += n;
                    } else {
                        // SAFETY: bytes is a valid buffer of its length.
                        let r = errno_or(unsafe { libc::write(fd(0), bytes.as_ptr().cast(), bytes.len()) } as i64);
                        if r < 0 {
                            return Ok(r);
                        }
                        total += r;
                    }
                }
                total
            }
            "read" | "readv" => {
                let Some(bufs) = buffers(&mut mem, name == "readv", a) else { return Ok(EFAULT) };
                let mut total = 0;
                for (p, n) in bufs {
                    let Some(bytes) = mem.slice(p, n) else { return Ok(EFAULT) };
                    if fd(0) == 0 {
                        break; // no stdin
                    }
                    // SAFETY: bytes is a valid, writable buffer of its length.
                    let r = errno_or(unsafe { libc::read(fd(0), bytes.as_mut_ptr().cast(), bytes.len()) } as i64);
                    if r < 0 {
                        return Ok(r);
                    }
                    total += r;
                    if r < n {
                        break;
                    }
                }
                total
            }
            "open" => {
                let Some(path) = mem.cstr(a[0]) else { return Ok(EFAULT) };
                // SAFETY: a NUL-terminated path; flags and mode are Linux x86_64 values in WALI.
                errno_or(unsafe { libc::open(path.as_ptr(), a[1] as i32, a[2] as libc::c_uint) } as i64)
            }
            "close" if fd(0) > 2 => {
                // SAFETY: closing a descriptor the guest opened.
                errno_or(unsafe { libc::close(fd(0)) } as i64)
            }
            "close" => 0,
            "lseek" => {
                // SAFETY: plain syscall on integers.
                errno_or(unsafe { libc::lseek(fd(0), a[1], a[2] as i32) })
            }
            "fcntl" => {
                // SAFETY: the integer-argument commands musl uses (F_GETFD/F_SETFD/F_GETFL...).
                errno_or(unsafe { libc::fcntl(fd(0), a[1] as i32, a[2] as libc::c_long) } as i64)
            }
            "ioctl" => ENOTTY,
            "clock_gettime" | "gettimeofday" => {
                let clock = if name == "gettimeofday" { libc::CLOCK_REALTIME } else { a[0] as i32 };
                let out = if name == "gettimeofday" { a[0] } else { a[1] };
                let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
                // SAFETY: ts is a valid timespec.
                if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
                    return Ok(errno_or(-1));
                }
                let Some(dst) = mem.slice(out, 16) else { return Ok(EFAULT) };
                let frac = if name == "gettimeofday" { ts.tv_nsec / 1000 } else { ts.tv_nsec };
                dst[..8].copy_from_slice(&ts.tv_sec.to_le_bytes());
                dst[8..].copy_from_slice(&frac.to_le_bytes());
                0
            }
            "mmap" => {
                let (len, flags, fd_) = (a[1], a[3] as i32, a[4] as i32);
                if flags & libc::MAP_ANONYMOUS == 0 || flags & libc::MAP_FIXED != 0 || fd_ != -1 || len <= 0 {
                    return Ok(ENOSYS);
                }
                let n = (len as u64).div_ceil(65536) * 65536;
                let free = &mut caller.data_mut().free;
                if let Some(i) = free.iter().position(|&(_, l)| l >= n) {
                    let (at, l) = free[i];
                    if l == n {
                        free.remove(i);
                    } else {
                        free[i] = (at + n, l - n);
                    }
                    // Anonymous mappings start zeroed.
                    mem.slice(at as i64, n as i64).expect("a freed range is inside memory").fill(0);
                    return Ok(at as i64);
                }
                match mem.shared.grow(n / 65536) {
                    Ok(old) => (old * 65536) as i64,
                    Err(_) => ENOMEM,
                }
            }
            "munmap" => {
                // Whole 64 KiB units only (mmap hands out nothing smaller); the rest is leaked.
                let (at, n) = (a[0] as u64, (a[1] as u64).div_ceil(65536) * 65536);
                if at % 65536 == 0 && at + n <= mem.len as u64 {
                    caller.data_mut().free.push((at, n));
                }
                0
            }
            "mprotect" | "rt_sigaction" | "rt_sigprocmask" | "futex" | "set_robust_list" => 0,
            "brk" => mem.len as i64,
            "mremap" => ENOMEM,
            "set_tid_address" | "gettid" | "getpid" => 1,
            "exit" | "exit_group" => return Err(wasmtime::Error::new(Exit(a[0] as i32))),
            _ => ENOSYS,
        })
    }

    /// The auxiliary imports: start-up, argv, exit and setjmp (whose second return, longjmp, the
    /// shim cannot do; the benchmark programs never raise errors, so it never happens).
    fn aux(caller: &mut Caller<'_, Host>, name: &str, a: &[i64]) -> wasmtime::Result<i64> {
        Ok(match name {
            "__init" | "__deinit" | "__get_init_envfile" | "setjmp" | "_setjmp" | "sigsetjmp" => 0,
            "__proc_exit" => return Err(wasmtime::Error::new(Exit(a[0] as i32))),
            "__cl_get_argc" => caller.data().argv.len() as i64,
            "__cl_get_argv_len" => caller.data().argv.get(a[0] as usize).map_or(0, |s| s.len() as i64),
            "__cl_copy_argv" => {
                let Some(arg) = caller.data().argv.get(a[1] as usize).cloned() else { return Ok(-1) };
                let Some(mut mem) = Mem::of(caller) else { return Ok(-1) };
                let Some(dst) = mem.slice(a[0], arg.len() as i64 + 1) else { return Ok(-1) };
                dst[..arg.len()].copy_from_slice(&arg);
                dst[arg.len()] = 0;
                0
            }
            "longjmp" | "_longjmp" => wasmtime::bail!("longjmp is not supported by the bench's WALI shim"),
            _ => ENOSYS,
        })
    }

    /// Instantiates `module` with `argv` = [app, args...] and runs `_start`: (ms, stdout).
    pub fn run(engine: &Engine, module: &Module, app: &str, args: &[String]) -> Result<(f64, Vec<u8>)> {
        let start = std::time::Instant::now();
        let argv = std::iter::once(format!("{app}.wasm")).chain(args.iter().cloned()).map(String::into_bytes).collect();
        let mut store = Store::new(engine, Host { argv, stdout: Vec::new(), stderr: Vec::new(), free: Vec::new() });
        let mut linker = Linker::new(engine);
        for import in module.imports() {
            let Some(ty) = import.ty().func().cloned() else { continue };
            let name = import.name().to_string();
            let result_ty = ty.results().next();
            linker
                .func_new(import.module(), import.name(), ty, move |mut caller, params, results| {
                    let a: Vec<i64> = params
                        .iter()
                        .map(|v| match v {
                            Val::I32(x) => *x as i64,
                            Val::I64(x) => *x,
                            _ => 0,
                        })
                        .collect();
                    let r = match name.strip_prefix("SYS_") {
                        Some(sys) => syscall(&mut caller, sys, &a)?,
                        None => aux(&mut caller, &name, &a)?,
                    };
                    match (&result_ty, results.first_mut()) {
                        (Some(ValType::I64), Some(slot)) => *slot = Val::I64(r),
                        (Some(ValType::I32), Some(slot)) => *slot = Val::I32(r as i32),
                        _ => {}
                    }
                    Ok(())
                })
                .wt()?;
        }
        let instance = linker.instantiate(&mut store, module).wt()?;
        let entry = instance.get_typed_func::<(), ()>(&mut store, "_start").wt()?;
        let status = match entry.call(&mut store, ()) {
            Ok(()) => 0,
            Err(e) => match e.downcast_ref::<Exit>() {
                Some(Exit(code)) => *code,
                None => bail!("wasmtime: {app}: {e:?}"),
            },
        };
        let t = crate::stats::ms(start.elapsed());
        if status != 0 {
            bail!("wasmtime: {app} exited with {status}: {}", String::from_utf8_lossy(&store.data().stderr));
        }
        Ok((t, std::mem::take(&mut store.data_mut().stdout)))
    }
}
