//! `perf` support: with the perf map enabled, every compiled function is listed in
//! `/tmp/perf-<pid>.map` (`START SIZE NAME`, hex), which `perf report` reads to name JIT code.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// Write the perf map from now on (for modules compiled after this call).
pub fn enable_perfmap() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub(crate) fn perfmap_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Add functions `(start, size, name)` to the map.
pub(crate) fn record(functions: impl Iterator<Item = (usize, usize, String)>) {
    let mut file = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if file.is_none() {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
            Ok(f) => *file = Some(f),
            Err(e) => {
                tracing::warn!("cannot write the perf map {path}: {e}");
                return;
            }
        }
    }
    let f = file.as_mut().unwrap();
    let mut text = String::new();
    for (start, size, name) in functions {
        text.push_str(&format!("{start:x} {size:x} {name}\n"));
    }
    if let Err(e) = f.write_all(text.as_bytes()) {
        tracing::warn!("cannot write the perf map: {e}");
    }
}
