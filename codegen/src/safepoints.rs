//! Where function-entry safepoint polls are needed.
//!
//! Loop headers always poll. A function's entry only has to poll when execution could otherwise
//! run for long without reaching a poll, which takes one of:
//!
//! - recursion: the function is on a cycle of the call graph (direct calls, plus indirect and
//!   imported calls, which may reach every function whose address escapes: table elements,
//!   `ref.func`, exports);
//! - fan-out: the function has two or more call sites, so a loop-free call tree could still
//!   grow exponentially with its depth.
//!
//! Everything else (leaves, and functions with a single call site outside a loop) finishes in
//! time bounded by the code on the call stack, so its entry poll is dropped. So is the poll of
//! a function whose every call site is inside a loop: each call then comes after a loop-header
//! poll of the same activation. That removes the poll from the small helpers hot loops call and
//! from recursive functions whose recursion clang turned partly into a loop, the poll's main
//! cost on call-heavy code.

use cwali_frontend::ModuleInfo;
use wasmparser::Operator;

use crate::CompileError;
use crate::func_translator::malformed;

/// Per defined function: whether its entry polls.
pub(crate) fn entry_polls(module: &ModuleInfo) -> Result<Vec<bool>, CompileError> {
    let n = module.num_defined_funcs() as usize;
    let imported = module.num_imported_funcs;
    // Node `n` stands for "any function whose address escapes".
    let escape = n;
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
    let mut call_sites = vec![0u32; n];
    let mut escaping = vec![false; n];
    let mark = |f: u32, escaping: &mut Vec<bool>| {
        if f >= imported {
            escaping[(f - imported) as usize] = true;
        }
    };
    let mut call_outside_loop = vec![false; n];
    for (i, calls) in call_sites.iter_mut().enumerate() {
        let mut ops = module.body(imported + i as u32).get_operators_reader().map_err(malformed)?;
        // Enclosing constructs, `true` for loops.
        let mut frames: Vec<bool> = Vec::new();
        let mut loops = 0usize;
        while !ops.eof() {
            let op = ops.read().map_err(malformed)?;
            match op {
                Operator::Loop { .. } => {
                    frames.push(true);
                    loops += 1;
                }
                Operator::Block { .. } | Operator::If { .. } | Operator::TryTable { .. } => frames.push(false),
                Operator::End => loops -= usize::from(frames.pop() == Some(true)),
                _ => {}
            }
            let target = match op {
                Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                    if function_index >= imported { Some((function_index - imported) as usize) } else { Some(escape) }
                }
                Operator::CallIndirect { .. }
                | Operator::ReturnCallIndirect { .. }
                | Operator::CallRef { .. }
                | Operator::ReturnCallRef { .. } => Some(escape),
                Operator::RefFunc { function_index } => {
                    mark(function_index, &mut escaping);
                    None
                }
                _ => None,
            };
            if let Some(t) = target {
                *calls += 1;
                edges[i].push(t);
                call_outside_loop[i] |= loops == 0;
            }
        }
    }
    let const_exprs = module
        .elements
        .iter()
        .flat_map(|e| e.items.iter())
        .chain(module.globals.iter().filter_map(|g| g.init.as_ref()))
        .chain(module.tables.iter().filter_map(|t| t.init.as_ref()));
    for e in const_exprs {
        for op in &e.ops {
            if let cwali_frontend::ConstOp::RefFunc(f) = op {
                mark(*f, &mut escaping);
            }
        }
    }
    for export in &module.exports {
        if let cwali_frontend::ExportKind::Func(f) = export.kind {
            mark(f, &mut escaping);
        }
    }
    edges[escape] = (0..n).filter(|&f| escaping[f]).collect();

    let cyclic = on_cycles(&edges);
    Ok((0..n).map(|f| (cyclic[f] || call_sites[f] >= 2) && call_outside_loop[f]).collect())
}

/// Which nodes lie on a cycle (a strongly connected component of two or more nodes, or a
/// self-loop). Tarjan's algorithm, iterative so deep call graphs cannot overflow the stack.
fn on_cycles(edges: &[Vec<usize>]) -> Vec<bool> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut index, mut low) = (vec![UNSEEN; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut cyclic = vec![false; n];
    let mut next = 0;
    // (node, position in its edge list)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&(v, pos)) = work.last() {
            if pos == 0 && index[v] == UNSEEN {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(pos) {
                work.last_mut().expect("v is on top").1 += 1;
                if w == v {
                    cyclic[v] = true;
                }
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                if members.len() > 1 {
                    for w in members {
                        cyclic[w] = true;
                    }
                }
            }
        }
    }
    cyclic
}

#[cfg(test)]
mod tests {
    use super::{entry_polls, on_cycles};

    fn polls(wat: &str) -> Vec<bool> {
        let module = cwali_frontend::parse(&wat::parse_str(wat).unwrap()).unwrap();
        entry_polls(&module).unwrap()
    }

    #[test]
    fn which_entries_poll() {
        let p = polls(
            r#"(module
                (type $t (func (param i32) (result i32)))
                (import "env" "f" (func $imp (param i32) (result i32)))
                (table 1 funcref) (elem (i32.const 0) $escapes)
                (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
                (func $one_call (param i32) (result i32) (call $leaf (local.get 0)))
                (func $fan_out (param i32) (result i32) (i32.add (call $leaf (local.get 0)) (call $leaf (local.get 0))))
                (func $self (param i32) (result i32) (call $self (local.get 0)))
                (func $tail_spin (return_call $tail_spin))
                (func $mutual_a (param i32) (result i32) (call $mutual_b (local.get 0)))
                (func $mutual_b (param i32) (result i32) (call $mutual_a (local.get 0)))
                (func $self_in_loop (param i32) (result i32)
                    (loop $l (br_if $l (call $self_in_loop (local.get 0)))) (i32.const 0))
                (func $escapes (param i32) (result i32) (call $indirect (local.get 0)))
                (func $indirect (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0)))
                (func $calls_import (param i32) (result i32) (call $imp (local.get 0)))
            )"#,
        );
        let expect = [
            ("leaf", false),
            ("one_call", false),
            ("fan_out", true),
            ("self", true),
            ("tail_spin", true),
            ("mutual_a", true),
            ("mutual_b", true),
            ("self_in_loop", false),
            // escapes -> indirect -> (table) -> escapes
            ("escapes", true),
            ("indirect", true),
            // An import may call back into any escaping function, but this one does not escape.
            ("calls_import", false),
        ];
        let got: Vec<_> = expect.iter().map(|(name, _)| *name).zip(p.iter().copied()).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn cycles_self_loops_and_dags() {
        // 0 -> 1 -> 2 -> 0 (cycle), 3 -> 3 (self), 4 -> 5 -> 6 (chain), 6 -> 1 (into the cycle).
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![5], vec![6], vec![1]];
        assert_eq!(on_cycles(&edges), [true, true, true, true, false, false, false]);
    }

    #[test]
    fn deep_chain_does_not_recurse() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        assert!(on_cycles(&edges).iter().all(|&c| c));
    }
}
