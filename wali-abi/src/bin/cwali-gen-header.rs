//! Writes the generated WALI guest header.
//!
//! `cwali-gen-header [PATH]` writes to PATH (default `tests/guests/include/wali.h`, relative to the
//! current directory, i.e. run it from the workspace root); `-` writes to stdout.

use std::process::ExitCode;

use cwali_wali_abi::guest_header::{HEADER_PATH, guest_header};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| HEADER_PATH.to_string());
    if args.next().is_some() || path == "-h" || path == "--help" {
        eprintln!("usage: cwali-gen-header [PATH | -]   (default {HEADER_PATH})");
        return ExitCode::from(2);
    }
    let text = guest_header();
    if path == "-" {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let path = std::path::Path::new(&path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("cwali-gen-header: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    match std::fs::write(path, text) {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cwali-gen-header: {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
