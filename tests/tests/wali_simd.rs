//! SIMD guests: C kernels built with `-msimd128 -O2` (auto-vectorised loops and
//! `wasm_simd128.h` intrinsics) against the same source built natively, where each intrinsic
//! is written out as scalar C. Same output, same exit status, in both bounds-check modes.

mod common;

use common::{Run, assert_same};

const KERNELS: &[&str] = &[
    "auto_i32_madd",
    "auto_f32_matmul",
    "swizzle",
    "shuffle",
    "narrow_s",
    "q15mulr",
    "dot",
    "bitmask",
    "min_max",
    "pmin_pmax",
    "trunc_sat",
    "extmul_shift",
    "lanes",
];

fn check(opts: &[&str]) {
    let run = Run { cwali_opts: opts.iter().map(|s| s.to_string()).collect(), ..Run::args(&[]) };
    let out = assert_same("simd_kernels", &run);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for kernel in KERNELS {
        assert!(text.contains(&format!("{kernel}=")), "{kernel} missing from:\n{text}");
    }
}

#[test]
fn simd_kernels_match_native() {
    check(&[]);
}

#[test]
fn simd_kernels_match_native_with_explicit_bounds_checks() {
    check(&["--bounds-checks", "explicit"]);
}

/// The module really is SIMD code: a check that the guest was built with `-msimd128`.
#[test]
fn simd_kernels_guest_uses_v128() {
    let bytes = std::fs::read(common::wasm("simd_kernels")).unwrap();
    let mut simd_ops = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                let op = ops.read().unwrap();
                if format!("{op:?}").contains("x16") || format!("{op:?}").starts_with("V128") {
                    simd_ops += 1;
                }
            }
        }
    }
    assert!(simd_ops > 100, "only {simd_ops} SIMD operators");
}
