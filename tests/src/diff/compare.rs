//! The comparison itself: instantiate in both engines, call every exported function with the
//! same arguments, then compare every exported memory, global and table.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::generate::FUEL_RESET_EXPORT;
use super::rng::Rng;
use super::runner::{InstOutcome, Runner};
use super::shape::{ExportShape, Shape};
use super::value::{CallOutcome, TrapDesc, Value, gen_value, show_outcome, show_values};

/// Counters over what the modules did (to know what the corpus exercises).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub modules: u64,
    pub instantiated: u64,
    pub calls: u64,
    pub returns: u64,
    /// Trap outcome (as reported by the reference) → count; instantiation traps included.
    pub traps: BTreeMap<String, u64>,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.modules += other.modules;
        self.instantiated += other.instantiated;
        self.calls += other.calls;
        self.returns += other.returns;
        for (k, v) in &other.traps {
            *self.traps.entry(k.clone()).or_default() += v;
        }
    }

    fn count_trap(&mut self, t: &TrapDesc) {
        let key = match t {
            TrapDesc::Wasm(k) => format!("{k:?}"),
            TrapDesc::Other(_) => "Other".to_string(),
        };
        *self.traps.entry(key).or_default() += 1;
    }

    pub fn summary(&self) -> String {
        let traps: Vec<String> = self.traps.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(
            "modules {} instantiated {} calls {} returned {} traps {{{}}}",
            self.modules,
            self.instantiated,
            self.calls,
            self.returns,
            traps.join(" ")
        )
    }
}

/// A disagreement between the engines.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Short description used to group divergences of the same kind.
    pub class: String,
    /// What exactly differed.
    pub detail: String,
    /// The calls made before (and including) the divergent one, with their outcomes.
    pub history: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Verdict {
    /// Everything observable agreed.
    Agree,
    /// Only one engine ran out of stack (frame sizes differ): not a bug, but counted.
    StackDepth(String),
    /// The case could not be run (the generator produced something the harness does not
    /// handle, or the reference refused it).
    Skipped(String),
    Divergence(Divergence),
}

impl Verdict {
    pub fn tag(&self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::StackDepth(_) => "stack-depth",
            Verdict::Skipped(_) => "skipped",
            Verdict::Divergence(_) => "divergence",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CaseReport {
    pub verdict: Verdict,
    pub stats: Stats,
}

/// Most calls kept in a divergence's history.
const MAX_HISTORY: usize = 40;

/// Run `f` on `runner`, turning a panic into text.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        if let Some(s) = p.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = p.downcast_ref::<String>() {
            s.clone()
        } else {
            "non-string panic".to_string()
        }
    })
}

struct Case<'a> {
    reference: &'a mut dyn Runner,
    candidate: &'a mut dyn Runner,
    history: Vec<String>,
    stats: Stats,
}

impl Case<'_> {
    fn diverge(&mut self, class: String, detail: String) -> Verdict {
        let mut history = std::mem::take(&mut self.history);
        if history.len() > MAX_HISTORY {
            let dropped = history.len() - MAX_HISTORY;
            history.drain(..dropped);
            history.insert(0, format!("... {dropped} earlier calls"));
        }
        Verdict::Divergence(Divergence { class, detail, history })
    }

    /// Run `f` against the candidate; a panic is a divergence.
    fn candidate<R>(&mut self, what: &str, f: impl FnOnce(&mut dyn Runner) -> R) -> Result<R, Verdict> {
        let name = self.candidate.name();
        let cand = &mut *self.candidate;
        guarded(|| f(cand)).map_err(|p| self.diverge(format!("{name} panicked"), format!("{what}: {p}")))
    }

    fn reference<R>(&mut self, what: &str, f: impl FnOnce(&mut dyn Runner) -> R) -> Result<R, Verdict> {
        let name = self.reference.name();
        let refr = &mut *self.reference;
        guarded(|| f(refr)).map_err(|p| Verdict::Skipped(format!("{name} panicked in {what}: {p}")))
    }

    fn run(&mut self, wasm: &[u8], shape: &Shape, arg_seed: u64) -> Result<Verdict, Verdict> {
        let (rn, cn) = (self.reference.name(), self.candidate.name());
        // Classes name the engines without their configuration (`cwali`, not
        // `cwali[guard,speed]`), so that one bug seen under several configurations is one class.
        let (rc, cc) = (engine_name(&rn), engine_name(&cn));
        self.stats.modules += 1;
        let r = self.reference("instantiate", |e| e.instantiate(wasm))?;
        let c = self.candidate("instantiate", |e| e.instantiate(wasm))?;
        match (&r, &c) {
            (InstOutcome::CompileError(m), _) => return Ok(Verdict::Skipped(format!("{rn} refused the module: {m}"))),
            (_, InstOutcome::CompileError(m)) if m.contains("unsupported feature") => {
                return Ok(Verdict::Skipped(format!("{cn}: {m}")));
            }
            (_, InstOutcome::CompileError(m)) => {
                let class = format!("compile: {cc} refuses a module {rc} accepts: {}", gist(m));
                return Err(self.diverge(class, format!("{rn}: {r}\n{cn}: {c}")));
            }
            (InstOutcome::Ok, InstOutcome::Ok) => {}
            (InstOutcome::Trap(a), InstOutcome::Trap(b)) if a == b => {
                self.stats.count_trap(a);
                return Ok(Verdict::Agree);
            }
            (InstOutcome::Trap(t), _) | (_, InstOutcome::Trap(t)) if t.is_stack_overflow() => {
                return Ok(Verdict::StackDepth(format!("start function: {rn} {r}, {cn} {c}")));
            }
            (InstOutcome::Error(_), InstOutcome::Error(_)) => return Ok(Verdict::Agree),
            _ => {
                let mut class =
                    format!("instantiation: {rc} {} / {cc} {}", outcome_class_inst(&r), outcome_class_inst(&c));
                if let InstOutcome::CompileError(m) | InstOutcome::Error(m) = &c {
                    class += &format!(": {}", gist(m));
                }
                return Err(self.diverge(class, format!("{rn}: {r}\n{cn}: {c}")));
            }
        }
        self.stats.instantiated += 1;

        let mut next_externref = 0;
        // Two rounds, so that functions also run on state left by the others.
        let refuel = shape.exports.iter().any(|e| e.name == FUEL_RESET_EXPORT);
        let funcs = shape.exports.iter().enumerate().filter_map(|(i, e)| match &e.shape {
            ExportShape::Func { params, .. } if e.name != FUEL_RESET_EXPORT => Some((i, &e.name, params)),
            _ => None,
        });
        let calls: Vec<_> = funcs.clone().map(|f| (0, f)).chain(funcs.map(|f| (1, f))).collect();
        for (round, (index, name, params)) in calls {
            let stream = (index as u64 + 1) * 2 + round;
            let mut rng = Rng::new(arg_seed ^ stream.wrapping_mul(0x2545_f491_4f6c_dd1d));
            let args: Vec<Value> = params.iter().map(|t| gen_value(&mut rng, *t, &mut next_externref)).collect();
            if refuel {
                let r = self.reference("refuel", |e| e.call(FUEL_RESET_EXPORT, &[]))?;
                let c = self.candidate("refuel", |e| e.call(FUEL_RESET_EXPORT, &[]))?;
                if r != c {
                    let detail = format!("refuel: {rn} {}, {cn} {}", show_outcome(&r), show_outcome(&c));
                    return Err(self.diverge("refuel call".to_string(), detail));
                }
            }
            let r = self.reference("call", |e| e.call(name, &args))?;
            let c = self.candidate(&format!("call {name:?}"), |e| e.call(name, &args))?;
            self.stats.calls += 1;
            match &r {
                Ok(_) => self.stats.returns += 1,
                Err(t) => self.stats.count_trap(t),
            }
            self.history.push(format!("{name:?}{} -> {rn}: {}", show_values(&args), show_outcome(&r)));
            if r == c {
                match r {
                    // After an overflow the engines have done different amounts of work
                    // (fuel, memory writes): the rest is not comparable.
                    Err(t) if t.is_stack_overflow() => return Ok(Verdict::Agree),
                    _ => continue,
                }
            }
            let overflow = |o: &CallOutcome| matches!(o, Err(t) if t.is_stack_overflow());
            if overflow(&r) || overflow(&c) {
                return Ok(Verdict::StackDepth(format!(
                    "call {name:?}: {rn} {}, {cn} {}",
                    show_outcome(&r),
                    show_outcome(&c)
                )));
            }
            let class = format!("call: {rc} {} / {cc} {}", outcome_class(&r), outcome_class(&c));
            let detail = format!(
                "call {name:?} with {}\n  {rn}: {}\n  {cn}: {}",
                show_values(&args),
                show_outcome(&r),
                show_outcome(&c)
            );
            return Err(self.diverge(class, detail));
        }

        for export in &shape.exports {
            let name = &export.name;
            match export.shape {
                ExportShape::Func { .. } => {}
                ExportShape::Memory => {
                    let r = self.reference("memory", |e| e.memory(name))?;
                    let c = self.candidate(&format!("memory {name:?}"), |e| e.memory(name))?;
                    if r != c {
                        let (class, detail) = memory_difference(name, &r, &c, &rn, &cn);
                        return Err(self.diverge(class, detail));
                    }
                }
                ExportShape::Global => {
                    let r = self.reference("global", |e| e.global(name))?;
                    let c = self.candidate(&format!("global {name:?}"), |e| e.global(name))?;
                    if r != c {
                        return Err(self.diverge(
                            "final global value".to_string(),
                            format!("global {name:?}: {rn} {r}, {cn} {c}"),
                        ));
                    }
                }
                ExportShape::Table => {
                    let r = self.reference("table", |e| e.table(name))?;
                    let c = self.candidate(&format!("table {name:?}"), |e| e.table(name))?;
                    if r.len() != c.len() {
                        return Err(self.diverge(
                            "final table size".to_string(),
                            format!("table {name:?}: {rn} {} elements, {cn} {}", r.len(), c.len()),
                        ));
                    }
                    if let Some(i) = (0..r.len()).find(|&i| r[i] != c[i]) {
                        return Err(self.diverge(
                            "final table contents".to_string(),
                            format!("table {name:?}[{i}]: {rn} {}, {cn} {}", r[i], c[i]),
                        ));
                    }
                }
            }
        }
        Ok(Verdict::Agree)
    }
}

fn engine_name(label: &str) -> &str {
    label.split('[').next().unwrap_or(label)
}

fn outcome_class(o: &CallOutcome) -> String {
    match o {
        Ok(_) => "returned".to_string(),
        Err(TrapDesc::Wasm(k)) => format!("trap {k:?}"),
        Err(TrapDesc::Other(_)) => "error".to_string(),
    }
}

/// An error message with its numbers (function and type indices, offsets) blanked and cut
/// short, so that the same failure on different modules falls in one class.
fn gist(message: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for ch in message.chars().take(120) {
        if ch.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(ch);
        }
    }
    out
}

fn outcome_class_inst(o: &InstOutcome) -> String {
    match o {
        InstOutcome::Ok => "ok".to_string(),
        InstOutcome::CompileError(_) => "compile error".to_string(),
        InstOutcome::Trap(TrapDesc::Wasm(k)) => format!("trap {k:?}"),
        InstOutcome::Trap(TrapDesc::Other(_)) | InstOutcome::Error(_) => "error".to_string(),
    }
}

fn memory_difference(name: &str, r: &[u8], c: &[u8], rn: &str, cn: &str) -> (String, String) {
    if r.len() != c.len() {
        return (
            "final memory size".to_string(),
            format!("memory {name:?}: {rn} {} bytes, {cn} {} bytes", r.len(), c.len()),
        );
    }
    let first = (0..r.len()).find(|&i| r[i] != c[i]).unwrap_or(0);
    let last = (0..r.len()).rev().find(|&i| r[i] != c[i]).unwrap_or(0);
    let count = (first..=last).filter(|&i| r[i] != c[i]).count();
    let window = |m: &[u8]| {
        let lo = first.saturating_sub(8);
        let hi = (first + 24).min(m.len());
        m[lo..hi].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    };
    (
        "final memory contents".to_string(),
        format!(
            "memory {name:?}: {count} bytes differ in {first:#x}..={last:#x}\n  {rn} from {:#x}: {}\n  {cn} from {:#x}: {}",
            first.saturating_sub(8),
            window(r),
            first.saturating_sub(8),
            window(c)
        ),
    )
}

/// Compare `reference` and `candidate` on `wasm`; `arg_seed` picks the call arguments.
///
/// Every exported function is called twice, in export order: once each, then once each again.
pub fn compare_module(
    wasm: &[u8],
    arg_seed: u64,
    reference: &mut dyn Runner,
    candidate: &mut dyn Runner,
) -> CaseReport {
    let shape = match Shape::parse(wasm) {
        Ok(s) => s,
        Err(e) => return CaseReport { verdict: Verdict::Skipped(format!("{e:#}")), stats: Stats::default() },
    };
    let mut case = Case { reference, candidate, history: Vec::new(), stats: Stats::default() };
    let verdict = match case.run(wasm, &shape, arg_seed) {
        Ok(v) | Err(v) => v,
    };
    case.reference.reset();
    // A panicking candidate may leave its state half-dropped; dropping it must not take the
    // harness down.
    let _ = guarded(|| case.candidate.reset());
    CaseReport { verdict, stats: case.stats }
}
