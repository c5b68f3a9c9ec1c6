//! `cwali settings`: the Cranelift settings and host CPU features that compiled code uses, as
//! `wasmtime settings` prints them. WALI programs are compiled with safe points on (see
//! `cwali_wali_abi::host::engine_config`), which changes a setting or two; those lines name
//! both values.

use std::fmt::Write;

use anyhow::Result;
use cranelift_codegen::settings::Value;
use cwali_rt::Config;

/// The report for `config` (the options given to `cwali settings`).
pub fn report(config: &Config) -> Result<String> {
    let plain = cwali_codegen::host_isa(config)?;
    let wali = cwali_codegen::host_isa(&cwali_wali_abi::host::engine_config(config.clone(), false))?;
    let mut out = String::new();
    writeln!(out, "Cranelift {} for {} ({} back end)", cranelift_native::VERSION, plain.triple(), plain.name())?;
    writeln!(out, "Code generator: {}", cwali_codegen::cache::GENERATOR)?;
    writeln!(
        out,
        "cwali: bounds checks {}, safe points in WALI programs only, {} compilation",
        format!("{:?}", config.bounds_checks).to_lowercase(),
        if config.parallel { "parallel" } else { "serial" }
    )?;
    writeln!(out, "\nCranelift settings:")?;
    let wali_flags: Vec<Value> = wali.flags().iter().collect();
    for value in plain.flags().iter() {
        let shown = value.value_string();
        match wali_flags.iter().find(|w| w.name == value.name).map(|w| w.value_string()) {
            Some(in_wali) if in_wali != shown => {
                writeln!(out, "  {} = {shown} (WALI programs: {in_wali})", value.name)?;
            }
            _ => writeln!(out, "  {} = {shown}", value.name)?,
        }
    }
    let features = plain.isa_flags();
    writeln!(out, "\nHost CPU features ({}):", plain.triple().architecture)?;
    let (on, off): (Vec<&Value>, Vec<&Value>) =
        features.iter().filter(|v| v.as_bool().is_some()).partition(|v| v.as_bool() == Some(true));
    let names = |list: &[&Value]| list.iter().map(|v| v.name).collect::<Vec<_>>().join(" ");
    writeln!(out, "  enabled:  {}", names(&on))?;
    writeln!(out, "  disabled: {}", names(&off))?;
    for value in features.iter().filter(|v| v.as_bool().is_none()) {
        writeln!(out, "  {} = {}", value.name, value.value_string())?;
    }
    Ok(out)
}

/// Print [`report`] on stdout.
pub fn print(config: &Config) -> Result<()> {
    print!("{}", report(config)?);
    Ok(())
}
