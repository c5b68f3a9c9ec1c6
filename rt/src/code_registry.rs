//! The process-wide map from machine-code addresses to compiled functions and their trap sites.
//!
//! The signal handler must find out, for a faulting PC, whether it is a recorded trap site —
//! without allocating or locking, on any thread, while other threads register and drop modules.
//! So readers never lock:
//!
//! - One registration (a module's block of code: its functions and one sorted table of trap
//!   sites) is an immutable `SigRanges` on the heap.
//! - The set of registrations is an immutable *snapshot* (sorted by start address, one small
//!   entry per registration) behind a global `AtomicPtr`. Writers build a new snapshot under a
//!   `Mutex` and swap it in.
//! - Lock-free readers announce themselves in a global reader count for the duration of a lookup.
//!   A writer frees replaced snapshots and unregistered ranges only when it has swapped first and
//!   then seen no reader (both `SeqCst`), so no reader can still hold them; otherwise they wait
//!   on a retired list for the next write that sees no reader.
//!
//! Frame lookups for backtraces ([`lookup_frame`]) are not signal-safe: they take the writers'
//! lock, which also owns the per-function module handles.

use std::any::Any;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use cwali_codegen::{ExnCallSite, ExnHandler, TrapKind};

/// One compiled function's code range.
#[derive(Clone, Copy)]
pub struct CodeRange {
    pub start: usize,
    pub end: usize,
    pub func_index: u32,
}

impl std::fmt::Debug for CodeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRange")
            .field("start", &format_args!("{:#x}", self.start))
            .field("end", &format_args!("{:#x}", self.end))
            .field("func_index", &self.func_index)
            .finish()
    }
}

/// Keeps a registration alive; dropping it unregisters the ranges.
#[must_use = "dropping the handle unregisters the code immediately"]
#[derive(Debug)]
pub struct RegistrationHandle {
    id: Option<u64>,
}

impl Drop for RegistrationHandle {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            unregister(id);
        }
    }
}

/// Registers the functions of one block of code starting at `base`, its trap sites (offsets
/// from `base` → kind), its exception call sites (code offsets from `base`, see
/// [`find_handler`]) and the module handle [`lookup_frame`] returns for them. The ranges must
/// not overlap one another (different registrations may interleave). The code must stay mapped
/// while the handle lives.
pub fn register(
    base: usize,
    mut ranges: Vec<CodeRange>,
    mut traps: Vec<(u32, TrapKind)>,
    mut exn_sites: Vec<ExnCallSite>,
    module: Arc<dyn Any + Send + Sync>,
) -> RegistrationHandle {
    ranges.retain(|r| r.end > r.start);
    if ranges.is_empty() {
        return RegistrationHandle { id: None };
    }
    // Code laid out by `cwali_codegen::link` comes sorted: these are linear checks then.
    if !ranges.is_sorted_by_key(|r| r.start) {
        ranges.sort_unstable_by_key(|r| r.start);
    }
    for pair in ranges.windows(2) {
        assert!(pair[0].end <= pair[1].start, "overlapping code ranges: {:?} and {:?}", pair[0], pair[1]);
    }
    if !traps.is_sorted_by_key(|t| t.0) {
        traps.sort_unstable_by_key(|t| t.0);
    }
    if !exn_sites.is_sorted_by_key(|s| s.ret) {
        exn_sites.sort_by_key(|s| s.ret);
    }

    let sig = Box::new(SigRanges {
        start: ranges[0].start,
        end: ranges.last().unwrap().end,
        base,
        funcs: ranges.iter().map(|r| (r.start, r.end)).collect(),
        traps: traps.into_boxed_slice(),
        exn_sites: exn_sites.into_boxed_slice(),
    });
    let frames = ranges.iter().map(|r| r.func_index).collect();

    let mut state = lock_state();
    let id = state.next_id;
    state.next_id += 1;
    state.live.push(Registration { id, sig: Box::into_raw(sig), frames, module });
    state.publish();
    tracing::trace!(id, "registered code");
    RegistrationHandle { id: Some(id) }
}

fn unregister(id: u64) {
    let mut state = lock_state();
    let Some(pos) = state.live.iter().position(|r| r.id == id) else {
        return;
    };
    let reg = state.live.swap_remove(pos);
    // The module handle is not visible to signal handlers; drop it now.
    drop(reg.module);
    state.retired_ranges.push(reg.sig);
    state.publish();
    tracing::trace!(id, "unregistered code");
}

/// Async-signal-safe: no allocation, no locks. `Some(kind)` if `pc` is exactly a recorded trap site.
pub fn lookup_trap(pc: usize) -> Option<TrapKind> {
    with_snapshot(None, |snapshot| {
        let (ranges, _) = snapshot.find(pc)?;
        let offset = u32::try_from(pc.checked_sub(ranges.base)?).ok()?;
        let i = ranges.traps.binary_search_by_key(&offset, |t| t.0).ok()?;
        Some(ranges.traps[i].1)
    })
}

/// The handler for an exception passing the Wasm frame at `fp` whose call returns to `pc`:
/// `(handler address, stack pointer of the frame)`. `matches(vmctx, tag)` says whether the
/// exception is of tag `tag` of the instance of `vmctx` (the VMContext the call site saved).
/// No allocation, no locks.
pub fn find_handler(pc: usize, fp: usize, matches: &dyn Fn(usize, u32) -> bool) -> Option<(usize, usize)> {
    with_snapshot(None, |snapshot| {
        let (ranges, _) = snapshot.find(pc.wrapping_sub(1))?;
        let ret = u32::try_from(pc.checked_sub(ranges.base)?).ok()?;
        let i = ranges.exn_sites.binary_search_by_key(&ret, |s| s.ret).ok()?;
        let site = &ranges.exn_sites[i];
        let sp = fp - site.frame_offset as usize;
        let mut vmctx = 0;
        for h in &site.handlers {
            match *h {
                // SAFETY: the slot the call site stored its VMContext in, in a live frame.
                ExnHandler::Context(offset) => vmctx = unsafe { *((sp + offset as usize) as *const usize) },
                ExnHandler::Tag { tag, target } if vmctx != 0 && matches(vmctx, tag) => {
                    return Some((ranges.base + target as usize, sp));
                }
                ExnHandler::Tag { .. } => {}
                ExnHandler::All(target) => return Some((ranges.base + target as usize, sp)),
            }
        }
        None
    })
}

/// Whether `pc` lies in any registered code (async-signal-safe). For a return address pass
/// `ra - 1`: a call that ends a function returns to the first byte after it.
pub fn is_wasm_pc(pc: usize) -> bool {
    with_snapshot(false, |snapshot| snapshot.find(pc).is_some())
}

/// Not signal-safe (locks, clones): the function index and module handle of the code at `pc`.
/// `pc` must point into an instruction: pass the faulting PC as is, a return address minus 1.
pub fn lookup_frame(pc: usize) -> Option<(u32, Arc<dyn Any + Send + Sync>)> {
    let state = lock_state();
    state.live.iter().find_map(|reg| {
        // SAFETY: live ranges are valid until retired, which takes the lock we hold.
        let i = unsafe { &*reg.sig }.find(pc)?;
        Some((reg.frames[i], reg.module.clone()))
    })
}

/// What the signal handler and the exception unwinder may look at of one registration:
/// functions (start, end) sorted by start, trap sites and exception call sites as offsets from
/// `base`, sorted.
struct SigRanges {
    start: usize,
    end: usize,
    base: usize,
    funcs: Box<[(usize, usize)]>,
    traps: Box<[(u32, TrapKind)]>,
    exn_sites: Box<[ExnCallSite]>,
}

impl SigRanges {
    /// The index of the function containing `pc`.
    fn find(&self, pc: usize) -> Option<usize> {
        if pc < self.start || pc >= self.end {
            return None;
        }
        let i = self.funcs.partition_point(|f| f.0 <= pc).checked_sub(1)?;
        (pc < self.funcs[i].1).then_some(i)
    }
}

/// One registration as the snapshot lists it.
struct SnapshotEntry {
    start: usize,
    /// The largest `end` of this and all earlier entries: lets a lookup stop scanning backwards
    /// as soon as no earlier registration can reach `pc`, even when registrations interleave.
    max_end: usize,
    ranges: *const SigRanges,
}

/// An immutable, sorted list of registrations.
struct Snapshot {
    entries: Box<[SnapshotEntry]>,
}

impl Snapshot {
    /// The registration and function index containing `pc`.
    fn find(&self, pc: usize) -> Option<(&SigRanges, usize)> {
        let mut i = self.entries.partition_point(|e| e.start <= pc);
        while i > 0 {
            i -= 1;
            let entry = &self.entries[i];
            if entry.max_end <= pc {
                return None;
            }
            // SAFETY: ranges referenced by a snapshot outlive every reader of it (module doc).
            let ranges = unsafe { &*entry.ranges };
            if let Some(func) = ranges.find(pc) {
                return Some((ranges, func));
            }
        }
        None
    }
}

static SNAPSHOT: AtomicPtr<Snapshot> = AtomicPtr::new(std::ptr::null_mut());
/// Lock-free readers currently inside `with_snapshot`.
static READERS: AtomicUsize = AtomicUsize::new(0);
static STATE: Mutex<State> =
    Mutex::new(State { next_id: 0, live: Vec::new(), retired_snapshots: Vec::new(), retired_ranges: Vec::new() });

/// Runs `f` on the current snapshot (`default` before anything was ever registered).
fn with_snapshot<R>(default: R, f: impl FnOnce(&Snapshot) -> R) -> R {
    READERS.fetch_add(1, Ordering::SeqCst);
    let ptr = SNAPSHOT.load(Ordering::SeqCst);
    // SAFETY: while READERS counts us, a writer frees nothing we could have loaded.
    let result = if ptr.is_null() { default } else { f(unsafe { &*ptr }) };
    READERS.fetch_sub(1, Ordering::SeqCst);
    result
}

struct Registration {
    id: u64,
    sig: *mut SigRanges,
    /// The function index of each of `sig`'s functions.
    frames: Box<[u32]>,
    module: Arc<dyn Any + Send + Sync>,
}

struct State {
    next_id: u64,
    live: Vec<Registration>,
    retired_snapshots: Vec<*mut Snapshot>,
    retired_ranges: Vec<*mut SigRanges>,
}

// SAFETY: the raw pointers are owned heap blocks, only touched under the mutex (or read-only
// by lock-free readers, as the module doc explains).
unsafe impl Send for State {}

fn lock_state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    /// Swaps in a snapshot of `live`, then frees whatever no reader can still see.
    fn publish(&mut self) {
        let mut entries: Vec<SnapshotEntry> = self
            .live
            .iter()
            .map(|r| SnapshotEntry {
                // SAFETY: live ranges are valid until retired.
                start: unsafe { (*r.sig).start },
                // SAFETY: as above.
                max_end: unsafe { (*r.sig).end },
                ranges: r.sig,
            })
            .collect();
        entries.sort_unstable_by_key(|e| e.start);
        let mut max_end = 0;
        for e in &mut entries {
            max_end = max_end.max(e.max_end);
            e.max_end = max_end;
        }
        let new = Box::into_raw(Box::new(Snapshot { entries: entries.into_boxed_slice() }));
        let old = SNAPSHOT.swap(new, Ordering::SeqCst);
        if !old.is_null() {
            self.retired_snapshots.push(old);
        }
        // A reader that starts after this load sees `new` (SeqCst: its increment follows our
        // swap), so with no reader counted, nothing retired is reachable any more.
        if READERS.load(Ordering::SeqCst) == 0 {
            for s in self.retired_snapshots.drain(..) {
                // SAFETY: created by Box::into_raw above, unreachable now.
                drop(unsafe { Box::from_raw(s) });
            }
            for r in self.retired_ranges.drain(..) {
                // SAFETY: created by Box::into_raw in `register`, unreachable now.
                drop(unsafe { Box::from_raw(r) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: usize, end: usize, func_index: u32) -> CodeRange {
        CodeRange { start, end, func_index }
    }

    fn module(name: &str) -> Arc<dyn Any + Send + Sync> {
        Arc::new(name.to_string())
    }

    // Fake addresses far from anything mapped, distinct per test (tests run in parallel and
    // share the global registry).
    const A: usize = 0x7100_0000_0000;

    #[test]
    fn register_lookup_unregister() {
        let traps = vec![
            (0x110, TrapKind::MemoryOutOfBounds),
            (0x104, TrapKind::Unreachable),
            (0x3f, TrapKind::IntegerDivisionByZero),
        ];
        let handle =
            register(A, vec![range(A + 0x100, A + 0x180, 7), range(A, A + 0x40, 3)], traps, vec![], module("m"));
        assert_eq!(lookup_trap(A + 0x104), Some(TrapKind::Unreachable));
        assert_eq!(lookup_trap(A + 0x110), Some(TrapKind::MemoryOutOfBounds));
        assert_eq!(lookup_trap(A + 0x3f), Some(TrapKind::IntegerDivisionByZero));
        assert_eq!(lookup_trap(A + 0x105), None);
        assert_eq!(lookup_trap(A + 0x40), None);
        assert!(is_wasm_pc(A));
        assert!(is_wasm_pc(A + 0x17f));
        assert!(!is_wasm_pc(A + 0x40));
        assert!(!is_wasm_pc(A + 0x180));
        assert!(!is_wasm_pc(A - 1));

        let (func, m) = lookup_frame(A + 0x120).unwrap();
        assert_eq!(func, 7);
        assert_eq!(m.downcast_ref::<String>().unwrap(), "m");
        assert_eq!(lookup_frame(A + 0x3f).unwrap().0, 3);
        assert!(lookup_frame(A + 0x80).is_none());

        drop(handle);
        assert_eq!(lookup_trap(A + 0x104), None);
        assert!(!is_wasm_pc(A));
        assert!(lookup_frame(A + 0x120).is_none());
    }

    #[test]
    fn interleaved_registrations() {
        const B: usize = A + 0x10_0000;
        let outer = register(
            B,
            vec![range(B, B + 0x10, 0), range(B + 0x100, B + 0x110, 1)],
            vec![(0, TrapKind::Unreachable), (0x100, TrapKind::StackOverflow)],
            vec![],
            module("outer"),
        );
        let inner = register(
            B + 0x20,
            vec![range(B + 0x20, B + 0x30, 0)],
            vec![(0, TrapKind::BadSignature)],
            vec![],
            module("inner"),
        );
        assert_eq!(lookup_trap(B), Some(TrapKind::Unreachable));
        assert_eq!(lookup_trap(B + 0x20), Some(TrapKind::BadSignature));
        assert_eq!(lookup_trap(B + 0x100), Some(TrapKind::StackOverflow));
        assert!(!is_wasm_pc(B + 0x40));
        assert_eq!(lookup_frame(B + 0x24).unwrap().1.downcast_ref::<String>().unwrap(), "inner");
        drop(outer);
        assert_eq!(lookup_trap(B + 0x20), Some(TrapKind::BadSignature));
        assert_eq!(lookup_trap(B + 0x100), None);
        drop(inner);
        assert!(!is_wasm_pc(B + 0x20));
    }

    #[test]
    fn exception_handlers_are_found_by_return_address_in_the_block() {
        const D: usize = A + 0x30_0000;
        let site = |ret, handlers| ExnCallSite { ret, frame_offset: 0x20, handlers };
        let sites = vec![
            site(0x150, vec![ExnHandler::Tag { tag: 0, target: 0x170 }, ExnHandler::All(0x160)]),
            site(0x18, vec![ExnHandler::All(0x30)]),
        ];
        let handle =
            register(D, vec![range(D, D + 0x40, 0), range(D + 0x100, D + 0x180, 1)], vec![], sites, module("m"));
        let never = |_: usize, _: u32| panic!("no VMContext was saved");
        // A return address in the second function, as an offset in the block.
        assert_eq!(find_handler(D + 0x150, 0x7000, &never), Some((D + 0x160, 0x7000 - 0x20)));
        assert_eq!(find_handler(D + 0x18, 0x7000, &never), Some((D + 0x30, 0x7000 - 0x20)));
        assert_eq!(find_handler(D + 0x14, 0x7000, &never), None, "not a covered call");
        assert_eq!(find_handler(D + 0x60, 0x7000, &never), None, "outside every function");
        drop(handle);
        assert_eq!(find_handler(D + 0x150, 0x7000, &never), None);
    }

    #[test]
    fn module_handles_are_released_on_unregister() {
        const C: usize = A + 0x20_0000;
        let module: Arc<dyn Any + Send + Sync> = Arc::new(1u32);
        let handle = register(C, vec![range(C, C + 8, 0)], vec![], vec![], module.clone());
        assert_eq!(Arc::strong_count(&module), 2);
        drop(handle);
        assert_eq!(Arc::strong_count(&module), 1);
    }

    #[test]
    fn empty_registration() {
        let handle = register(A, Vec::new(), Vec::new(), Vec::new(), module("empty"));
        drop(handle);
    }
}
