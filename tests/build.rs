//! `cfg(tests_as_root)` when the tests are built by root: the tests that register a binfmt_misc
//! handler (`tests/cli_binfmt.rs`) need root and are `#[ignore]`d otherwise.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(tests_as_root)");
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    // `Uid:	real	effective	saved	fs`
    let euid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().nth(1));
    if euid == Some("0") {
        println!("cargo::rustc-cfg=tests_as_root");
    }
}
