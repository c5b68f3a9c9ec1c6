//! `cwali run`: load a module, instantiate it, call its entry point.
//!
//! A plain module (one that imports nothing from `wali`) must have no imports at all: cwali
//! provides no host functions besides WALI's. Its `_start` export is called, or the export named
//! by `--invoke`, whose parameters are parsed from the command line's arguments the way
//! `wasmtime run --invoke` parses them, and whose results [`format_val`] prints as Wasmtime does.
//!
//! A module that imports from `wali` is a WALI program and goes to the WALI host
//! (`cwali_wali_abi::host::run`), which ends the process with the program's exit status.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use cwali_frontend::{FuncType, ModuleInfo, ValType};
use cwali_rt::{Config, Engine, Extern, Instance, Module, Store, Trap, Val};

/// The import module name that marks a WALI program.
pub const WALI_IMPORT_MODULE: &str = "wali";

/// What `cwali run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// A `.wasm` binary or a `.wat` text module.
    pub module: PathBuf,
    /// With `invoke`: the function's arguments. Without: the program's arguments (`argv[1..]`).
    pub args: Vec<String>,
    /// Call this export instead of `_start`.
    pub invoke: Option<String>,
    /// How to compile the module.
    pub config: Config,
    /// Use the on-disk code cache.
    pub cache: bool,
    /// What only WALI programs use.
    pub wali: WaliOptions,
}

/// The code cache directory: `$CWALI_CACHE_DIR`, else `$XDG_CACHE_HOME/cwali`, else `~/.cache/cwali`.
pub fn cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("CWALI_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("cwali")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("cwali")))
}

/// An engine with the code cache, or (`cache` false) only with this user's key from the cache
/// directory, which authenticates code files from `cwali compile`.
pub(crate) fn engine(config: Config, cache: bool) -> Engine {
    let engine = Engine::new(config);
    match cache_dir() {
        Some(dir) if cache => engine.with_cache_dir(dir),
        Some(dir) => engine.with_key_dir(dir),
        None => engine,
    }
}

/// `cwali compile`: write `module` compiled for this host to `output`, authenticated with this
/// user's key (a code file runs as it is only for the user who made it; see `cwali_rt::Engine::precompile`).
pub fn compile_to_file(module: &Path, output: &Path, config: Config) -> Result<()> {
    let bytes = load_wasm_bytes(module)?;
    let info = cwali_frontend::parse(&bytes).with_context(|| format!("failed to compile `{}`", module.display()))?;
    let config = if is_wali_program(&info) { cwali_wali_abi::host::engine_config(config, false) } else { config };
    let engine = Engine::new(config);
    let engine = match cache_dir() {
        Some(dir) => engine.with_cache_dir(dir),
        None => engine,
    };
    let code = engine.precompile(&bytes).with_context(|| format!("failed to compile `{}`", module.display()))?;
    std::fs::write(output, code).with_context(|| format!("failed to write `{}`", output.display()))
}

/// Options that only WALI programs use (Wasmtime-like environment flags, tracing).
#[derive(Debug, Clone, Default)]
pub struct WaliOptions {
    /// `--env-file`: the initial environment, one `NAME=VAL` per line.
    pub env_file: Option<PathBuf>,
    /// `--env NAME=VAL` entries, applied last.
    pub env: Vec<String>,
    /// `--inherit-env`: pass cwali's own environment.
    pub inherit_env: bool,
    /// `--trace`: print every WALI call on stderr.
    pub trace: bool,
    /// `--dir`, `--dir-ro`, `--net`, `--no-exec-native`, `--rlimit`.
    pub confine: cwali_wali_abi::host::confine::Confinement,
}

/// Read a module file. A `.wasm` file or one that starts with the binary magic number is
/// returned as is (the frontend reports what is wrong with it); anything else is parsed as text.
pub fn load_wasm_bytes(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    if bytes.starts_with(b"\0asm") || cwali_rt::is_code(&bytes) || path.extension().is_some_and(|ext| ext == "wasm") {
        return Ok(bytes);
    }
    match wat::Parser::new().parse_bytes(Some(path), &bytes) {
        Ok(wasm) => Ok(wasm.into_owned()),
        Err(e) => bail!("failed to parse `{}` as WebAssembly text: {}", path.display(), one_line(&e.to_string())),
    }
}

/// A text-format error on one line: its message and its `file:line:col`, without the snippet.
fn one_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default().trim();
    match message.lines().find_map(|l| l.trim().strip_prefix("--> ")) {
        Some(location) => format!("{first} (at {location})"),
        None => first.to_string(),
    }
}

/// Run a module as `cwali run` does and return the results of the called function (empty for
/// `_start`). A Wasm trap is in the returned error's chain; find it with [`trap_in`].
pub fn run(opts: &RunOptions) -> Result<Vec<Val>> {
    let path = opts.module.display();
    // Confinement's namespaces first, while cwali has no other thread (see `confine`). A
    // confined guest may be able to write the code cache: its code is copied, never mapped, so a
    // later write cannot reach code that runs.
    let confine = &opts.wali.confine;
    let inherited = cwali_wali_abi::host::confine::state();
    if confine.is_active() || inherited.any() {
        confine.enter_namespaces().map_err(|e| anyhow!("{e}"))?;
        cwali_codegen::link::copy_cached_code();
    }
    // WALI programs get the WALI host's settings (intrinsics, safepoints), and the process its
    // signal mask before any compiler thread starts (the threads inherit it).
    let configure = |info: &ModuleInfo| match is_wali_program(info) {
        true => {
            cwali_wali_abi::host::prepare_process();
            cwali_wali_abi::host::engine_config(opts.config.clone(), opts.wali.trace)
        }
        false => opts.config.clone(),
    };
    // A module file seen before is loaded from the code cache by its record, without reading it.
    let read = || load_wasm_bytes(&opts.module);
    // A cwali exec'd by a guest with a confined file system cannot reach the code cache (and
    // must not: the guest could write to it).
    let cache = opts.cache && !inherited.fs;
    let (engine, module) = Module::from_file(&engine(opts.config.clone(), cache), &opts.module, read, configure)
        .with_context(|| format!("failed to load `{path}`"))?;
    if is_wali_program(module.info()) {
        run_wali(&engine, &module, opts);
    }
    if let Some(import) = module.info().imports.first() {
        bail!(
            "`{path}` imports `{}::{}`, but cwali provides imports only to WALI programs \
             (imports from module \"{WALI_IMPORT_MODULE}\")",
            import.module,
            import.name
        );
    }

    let mut store = Store::new(&engine);
    let instance =
        Instance::new(&mut store, &module, &[]).with_context(|| format!("failed to instantiate `{path}`"))?;
    let (name, args) = match &opts.invoke {
        Some(name) => (name.as_str(), Some(opts.args.as_slice())),
        None => {
            if !opts.args.is_empty() {
                tracing::debug!(args = ?opts.args, "plain module: program arguments are not passed anywhere");
            }
            ("_start", None)
        }
    };
    let func = match instance.export(name) {
        Some(Extern::Func(func)) => func,
        Some(_) => bail!("export `{name}` of `{path}` is not a function"),
        None if opts.invoke.is_none() => {
            bail!("`{path}` has no `_start` export; use `--invoke <NAME>` to call another export")
        }
        None => bail!("no function export named `{name}` found in `{path}`"),
    };
    let params = match args {
        Some(args) => parse_args(func.ty(), args, name)?,
        None if func.ty().params().is_empty() => Vec::new(),
        None => {
            bail!("`_start` of `{path}` takes parameters; call it with `--invoke _start <ARGS>...`")
        }
    };
    let results = func.call(&mut store, &params).with_context(|| format!("failed to invoke `{name}`"))?;
    Ok(results)
}

/// Whether the module imports anything from the WALI import module.
pub fn is_wali_program(info: &ModuleInfo) -> bool {
    info.imports.iter().any(|i| i.module == WALI_IMPORT_MODULE)
}

/// Run a WALI program; the process ends with the program's exit status.
fn run_wali(engine: &Engine, module: &Module, opts: &RunOptions) -> ! {
    // argv[0] is the module path exactly as given (WALI-ABI §5.1).
    let mut argv = vec![opts.module.to_string_lossy().into_owned()];
    argv.extend(opts.args.iter().cloned());
    let config = cwali_wali_abi::host::WaliConfig {
        argv,
        env_file: opts.wali.env_file.clone(),
        env: opts.wali.env.clone(),
        inherit_env: opts.wali.inherit_env,
        trace: opts.wali.trace,
        confine: opts.wali.confine.clone(),
    };
    cwali_wali_abi::host::run(engine, module, config)
}

/// Parse command-line arguments as the parameters of `ty`: integers in decimal or `0x` hex,
/// floats as Rust parses them (`1.5`, `-inf`, `NaN`, `1e3`).
pub fn parse_args(ty: &FuncType, args: &[String], name: &str) -> Result<Vec<Val>> {
    let params = ty.params();
    if args.len() < params.len() {
        bail!("not enough arguments for `{name}`: it takes {}, got {}", params.len(), args.len());
    }
    if args.len() > params.len() {
        bail!("too many arguments for `{name}`: it takes {}, got {}", params.len(), args.len());
    }
    params
        .iter()
        .zip(args)
        .map(|(ty, arg)| parse_arg(*ty, arg).with_context(|| format!("invalid {ty} argument `{arg}` for `{name}`")))
        .collect()
}

/// `0x`-prefixed hex digits, optionally negated: `(negative, digits)`.
fn hex(s: &str) -> Option<(bool, &str)> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).map(|digits| (neg, digits))
}

fn parse_arg(ty: ValType, arg: &str) -> Result<Val> {
    Ok(match ty {
        ValType::I32 => Val::I32(match hex(arg) {
            Some((neg, digits)) => {
                let v = u32::from_str_radix(digits, 16)? as i32;
                if neg { v.wrapping_neg() } else { v }
            }
            None => arg.parse::<i32>().or_else(|_| arg.parse::<u32>().map(|v| v as i32))?,
        }),
        ValType::I64 => Val::I64(match hex(arg) {
            Some((neg, digits)) => {
                let v = u64::from_str_radix(digits, 16)? as i64;
                if neg { v.wrapping_neg() } else { v }
            }
            None => arg.parse::<i64>().or_else(|_| arg.parse::<u64>().map(|v| v as i64))?,
        }),
        ValType::F32 => Val::F32(arg.parse::<f32>()?.to_bits()),
        ValType::F64 => Val::F64(arg.parse::<f64>()?.to_bits()),
        ValType::V128 => Val::V128(parse_v128(arg)?),
        other => {
            return Err(anyhow!("arguments of type {other} cannot be given on the command line"));
        }
    })
}

/// A `v128` argument: one 128-bit integer, decimal or `0x` hex (lane 0 in the low bits), as
/// `wasmtime run --invoke` takes it (and prints it: decimal).
fn parse_v128(arg: &str) -> Result<u128> {
    let v = match hex(arg) {
        Some((false, digits)) => u128::from_str_radix(digits, 16)?,
        Some((true, _)) => bail!("a v128 cannot be negative"),
        None => arg.parse::<u128>()?,
    };
    Ok(v)
}

/// A result as `wasmtime run --invoke` prints it: integers in decimal, floats with Rust's
/// `Display`, references as `<funcref>` / `<null funcref>` and so on.
pub fn format_val(val: &Val) -> String {
    match *val {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(bits).to_string(),
        Val::F64(bits) => f64::from_bits(bits).to_string(),
        Val::V128(v) => v.to_string(),
        Val::FuncRef(0) => "<null funcref>".to_string(),
        Val::FuncRef(_) => "<funcref>".to_string(),
        Val::ExternRef(0) => "<null externref>".to_string(),
        Val::ExternRef(_) => "<externref>".to_string(),
    }
}

/// The Wasm trap in an error's cause chain, if the error is one.
pub fn trap_in(err: &anyhow::Error) -> Option<&Trap> {
    err.chain().find_map(|cause| {
        if let Some(trap) = cause.downcast_ref::<Trap>() {
            return Some(trap);
        }
        match cause.downcast_ref::<cwali_rt::Error>() {
            Some(cwali_rt::Error::Trap(trap)) => Some(trap),
            _ => None,
        }
    })
}
