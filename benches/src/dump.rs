//! `--dump KERNEL DIR`: writes a kernel's machine code from both engines, for comparing the
//! generated code of a slow kernel:
//!
//! - `DIR/KERNEL.cwali.f<index>.bin`: each defined function's raw x86-64 code from cwali
//!   (`objdump -D -b binary -m i386:x86-64 FILE`), and `KERNEL.cwali-safepoints.f<index>.bin`
//!   the same with `Config.safepoints`;
//! - `DIR/KERNEL.wasmtime.cwasm`: Wasmtime's precompiled ELF (`objdump -d FILE`).
//! - `DIR/wasmtime-clif/`: Wasmtime's optimized CLIF of each function (run with
//!   `CWALI_EMIT_CLIF=DIR` to get cwali's next to it).
//!
//! `--dump-wali FILE.wasm DIR` writes the code of a WALI program as `cwali run` compiles it
//! (safe points, inline syscalls) to `DIR/<stem>.wali.f<index>.bin`, and Wasmtime's code of the
//! same module next to it (`DIR/<stem>.wasmtime.cwasm`, its CLIF in `DIR/wasmtime-clif/`).

use std::path::Path;

use anyhow::{Context, Result};

use crate::WasmtimeResult;
use crate::compute::KERNELS;

pub fn dump(kernel: &str, dir: &Path) -> Result<()> {
    let k = KERNELS.iter().find(|k| k.name == kernel).with_context(|| format!("no kernel {kernel}"))?;
    std::fs::create_dir_all(dir)?;
    for (suffix, safepoints) in [("cwali-safepoints", true), ("cwali", false)] {
        let engine = cwali_rt::Engine::new(cwali_rt::Config { safepoints, ..Default::default() });
        let module = cwali_rt::Module::new(&engine, k.wasm)?;
        for f in &module.code().funcs {
            // SAFETY: the module's code stays mapped while `module` lives.
            let bytes = unsafe { std::slice::from_raw_parts(f.ptr as *const u8, f.len) };
            let path = dir.join(format!("{kernel}.{suffix}.f{}.bin", f.func_index));
            std::fs::write(&path, bytes)?;
            println!("{} ({} bytes)", path.display(), f.len);
        }
    }
    let clif = dir.join("wasmtime-clif");
    std::fs::create_dir_all(&clif)?;
    let engine = wasmtime::Engine::new(wasmtime::Config::new().emit_clif(&clif)).wt()?;
    let elf = engine.precompile_module(k.wasm).wt()?;
    let path = dir.join(format!("{kernel}.wasmtime.cwasm"));
    std::fs::write(&path, elf)?;
    println!("{}", path.display());
    Ok(())
}

pub fn dump_wali(wasm: &Path, dir: &Path) -> Result<()> {
    let bytes = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let stem = wasm.file_stem().and_then(|s| s.to_str()).unwrap_or("module").to_string();
    std::fs::create_dir_all(dir)?;
    let config = cwali_wali_abi::host::engine_config(cwali_rt::Config::default(), false);
    let engine = cwali_rt::Engine::new(config);
    let module = cwali_rt::Module::new(&engine, &bytes)?;
    for f in &module.code().funcs {
        // SAFETY: the module's code stays mapped while `module` lives.
        let code = unsafe { std::slice::from_raw_parts(f.ptr as *const u8, f.len) };
        let path = dir.join(format!("{stem}.wali.f{}.bin", f.func_index));
        std::fs::write(&path, code)?;
        println!("{} ({} bytes, {})", path.display(), f.len, module.info().func_name(f.func_index));
    }
    let clif = dir.join("wasmtime-clif");
    std::fs::create_dir_all(&clif)?;
    let engine = wasmtime::Engine::new(wasmtime::Config::new().emit_clif(&clif)).wt()?;
    let path = dir.join(format!("{stem}.wasmtime.cwasm"));
    std::fs::write(&path, engine.precompile_module(&bytes).wt()?)?;
    println!("{}", path.display());
    Ok(())
}
