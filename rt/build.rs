//! Compiles the setjmp/longjmp entry helpers (`src/entry.c`): Rust cannot express `setjmp`.

fn main() {
    println!("cargo:rerun-if-changed=src/entry.c");
    cc::Build::new().file("src/entry.c").warnings(true).compile("cwali_entry");
}
