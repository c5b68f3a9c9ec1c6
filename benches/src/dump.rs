//! `--dump KERNEL DIR`: writes a kernel's machine code from both engines, for comparing the
//! generated code of a slow kernel:
//!
//! - `DIR/KERNEL.cwali.f<index>.bin`: each defined function's raw x86-64 code from cwali
//!   (`objdump -D -b binary -m i386:x86-64 FILE`);
//! - `DIR/KERNEL.wasmtime.cwasm`: Wasmtime's precompiled ELF (`objdump -d FILE`).

use std::path::Path;

use anyhow::{Context, Result};

use crate::WasmtimeResult;
use crate::compute::KERNELS;

pub fn dump(kernel: &str, dir: &Path) -> Result<()> {
    let k = KERNELS.iter().find(|k| k.name == kernel).with_context(|| format!("no kernel {kernel}"))?;
    std::fs::create_dir_all(dir)?;
    let engine = cwali_rt::Engine::new(cwali_rt::Config::default());
    let module = cwali_rt::Module::new(&engine, k.wasm)?;
    for f in &module.code().funcs {
        // SAFETY: the module's code stays mapped while `module` lives.
        let bytes = unsafe { std::slice::from_raw_parts(f.ptr as *const u8, f.len) };
        let path = dir.join(format!("{kernel}.cwali.f{}.bin", f.func_index));
        std::fs::write(&path, bytes)?;
        println!("{} ({} bytes)", path.display(), f.len);
    }
    let engine = wasmtime::Engine::new(&wasmtime::Config::new()).wt()?;
    let elf = engine.precompile_module(k.wasm).wt()?;
    let path = dir.join(format!("{kernel}.wasmtime.cwasm"));
    std::fs::write(&path, elf)?;
    println!("{}", path.display());
    Ok(())
}
