//! Process-wide canonical ids for function types, so `call_indirect` can compare signatures
//! of functions from different modules with one integer compare.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cwali_frontend::FuncType;

fn registry() -> &'static Mutex<HashMap<FuncType, u32>> {
    static REGISTRY: OnceLock<Mutex<HashMap<FuncType, u32>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The canonical id of `ty` (structurally equal types share it). Ids start at 1.
pub fn intern(ty: &FuncType) -> u32 {
    let mut map = registry().lock().unwrap();
    let next = map.len() as u32 + 1;
    *map.entry(ty.clone()).or_insert(next)
}
