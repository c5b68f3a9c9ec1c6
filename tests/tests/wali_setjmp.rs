//! setjmp/longjmp with real semantics: the jumps land, values survive, signal handlers can jump.

mod common;

use common::{Run, assert_same};

#[test]
fn setjmp_longjmp_match_native() {
    let out = assert_same("jmp_basic", &Run::args(&[]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("protected_call -> 302 depth 30"), "{text}");
    assert!(text.contains("jumped out of handler with 5"), "{text}");
}
