//! Process-wide canonical ids for function types, so `call_indirect` can compare signatures
//! of functions from different modules with one integer compare.
//!
//! With typed function references a type can name another type (`(ref $t)`) by its index in
//! the module, which means nothing outside that module. Types are canonicalised as Wasm 3.0
//! says, a recursion group at a time: the key of a group lists its types with every index
//! replaced, by the canonical id of the named type when that type is in an earlier group, and by
//! its position in the group when it is in the same group. Two types are then equal exactly
//! when they have the same position in equal groups. A type's finality is part of its key.
//! (Declared subtypes are refused by the frontend, so equality is all `call_indirect` needs.)

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cwali_frontend::{FuncType, ValType};

/// What a concrete reference type points at, in a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Canonical(u32),
    /// Position in the same recursion group.
    InGroup(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    /// A value type without a type index.
    Plain(ValType),
    Concrete {
        nullable: bool,
        target: Target,
    },
}

/// A recursion group's types (final, params, results), and one position in it.
type Key = (Vec<(bool, Vec<Slot>, Vec<Slot>)>, u32);

fn registry() -> &'static Mutex<HashMap<Key, u32>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, u32>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

fn intern_key(key: Key) -> u32 {
    let mut map = registry().lock().unwrap();
    let next = map.len() as u32 + 1;
    *map.entry(key).or_insert(next)
}

/// `ty` with its type indices resolved, for a group starting at module type `start` whose
/// earlier types have the ids `earlier`.
fn slots(ty: &FuncType, is_final: bool, start: u32, earlier: &[u32]) -> (bool, Vec<Slot>, Vec<Slot>) {
    let slot = |v: &ValType| {
        let ValType::Ref(r) = v else { return Slot::Plain(*v) };
        let Some(index) = r.type_index() else { return Slot::Plain(*v) };
        let target = match (index.as_module_index(), index.as_rec_group_index()) {
            (Some(i), _) if i < start => Target::Canonical(earlier[i as usize]),
            (Some(i), _) => Target::InGroup(i - start),
            (None, Some(i)) => Target::InGroup(i),
            (None, None) => unreachable!("a type index is module- or group-relative"),
        };
        Slot::Concrete { nullable: r.is_nullable(), target }
    };
    (is_final, ty.params().iter().map(slot).collect(), ty.results().iter().map(slot).collect())
}

/// The canonical id of each type of a module, given the first type of each one's recursion
/// group (`ModuleInfo::rec_groups`) and whether each is final. Ids start at 1.
pub fn intern_module(types: &[FuncType], rec_groups: &[u32], final_types: &[bool]) -> Vec<u32> {
    let mut ids: Vec<u32> = Vec::with_capacity(types.len());
    let mut start = 0;
    while start < types.len() {
        let end = (start..types.len()).find(|&i| rec_groups[i] as usize != start).unwrap_or(types.len());
        let group: Vec<_> = (start..end).map(|i| slots(&types[i], final_types[i], start as u32, &ids)).collect();
        for position in 0..(end - start) as u32 {
            ids.push(intern_key((group.clone(), position)));
        }
        start = end;
    }
    ids
}

/// The canonical id of a type made by the host, a group of its own.
pub fn intern(ty: &FuncType) -> u32 {
    intern_key((vec![slots(ty, true, 0, &[])], 0))
}
