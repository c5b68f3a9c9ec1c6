//! The runtime functions generated code calls (`cwali_codegen::Builtin`), in table order.
//!
//! Each gets the caller's VMContext; failures are reported as a status the caller traps on, so
//! no builtin ever unwinds through generated code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cwali_codegen::Builtin;

use crate::instance::InstanceData;
use crate::parking;

type Vmctx = *mut u8;

/// Status codes (`Builtin::trap` says which trap a non-zero status means).
const OK: i32 = 0;
const FAIL: i32 = 1;

fn instance<'a>(vmctx: Vmctx) -> &'a InstanceData {
    // SAFETY: generated code passes its own live VMContext.
    unsafe { InstanceData::from_vmctx(vmctx) }
}

fn status(ok: bool) -> i32 {
    if ok { OK } else { FAIL }
}

// Addresses, lengths and counts of memories and tables come as u64 (see `Builtin`): a 32-bit
// memory's or table's zero-extended, a 64-bit one's as the guest gave them.

/// `[start, start+len)` inside `0..size`?
fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

extern "C" fn memory_grow(vmctx: Vmctx, mem: u32, delta: u64) -> i64 {
    match instance(vmctx).memory(mem).grow(delta) {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn memory_copy(vmctx: Vmctx, dst_mem: u32, src_mem: u32, dst: u64, src: u64, len: u64) -> i32 {
    let inst = instance(vmctx);
    let d = inst.memory(dst_mem).checked_ptr(dst, len);
    let s = inst.memory(src_mem).checked_ptr(src, len);
    match (d, s) {
        // SAFETY: both ranges checked; `copy` handles overlap.
        (Some(d), Some(s)) => unsafe {
            std::ptr::copy(s, d, len as usize);
            OK
        },
        _ => FAIL,
    }
}

extern "C" fn memory_init(vmctx: Vmctx, mem: u32, seg: u32, dst: u64, src: u32, len: u32) -> i32 {
    let inst = instance(vmctx);
    let info = inst.module.info();
    let segment = &info.data[seg as usize];
    let bytes: &[u8] =
        if inst.dropped_data[seg as usize].load(Ordering::Relaxed) { &[] } else { info.data_bytes(segment) };
    if !in_bounds(src as u64, len as u64, bytes.len() as u64) {
        return FAIL;
    }
    match inst.memory(mem).checked_ptr(dst, len as u64) {
        // SAFETY: checked range inside the memory; the segment is not in it.
        Some(p) => unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr().add(src as usize), p, len as usize);
            OK
        },
        None => FAIL,
    }
}

extern "C" fn data_drop(vmctx: Vmctx, seg: u32) {
    instance(vmctx).dropped_data[seg as usize].store(true, Ordering::Relaxed);
}

extern "C" fn table_grow(vmctx: Vmctx, table: u32, init: u64, delta: u64) -> i64 {
    match instance(vmctx).tables[table as usize].grow(delta, init as usize) {
        Some(old) => old as i64,
        None => -1,
    }
}

extern "C" fn table_fill(vmctx: Vmctx, table: u32, dst: u64, value: u64, len: u64) -> i32 {
    status(instance(vmctx).tables[table as usize].fill(dst, value as usize, len))
}

extern "C" fn table_copy(vmctx: Vmctx, dst_table: u32, src_table: u32, dst: u64, src: u64, len: u64) -> i32 {
    let inst = instance(vmctx);
    let (d, s) = (&inst.tables[dst_table as usize], &inst.tables[src_table as usize]);
    if std::ptr::eq(d.as_ref(), s.as_ref()) {
        return status(d.copy_within(dst, src, len));
    }
    // One table locked at a time; the source's words come out initialised (never 0).
    if !in_bounds(dst, len, d.size()) {
        return FAIL;
    }
    match s.read_words(src, len) {
        Some(words) => status(d.write_words(dst, &words)),
        None => FAIL,
    }
}

extern "C" fn table_init(vmctx: Vmctx, table: u32, seg: u32, dst: u64, src: u32, len: u32) -> i32 {
    let inst = instance(vmctx);
    let items: &[usize] =
        if inst.dropped_elements[seg as usize].load(Ordering::Relaxed) { &[] } else { &inst.elements[seg as usize] };
    if !in_bounds(src as u64, len as u64, items.len() as u64) {
        return FAIL;
    }
    status(inst.tables[table as usize].write_words(dst, &items[src as usize..(src + len) as usize]))
}

/// Called through `cwali_table_lazy_init_stub`; generated code reloads the element.
pub(crate) extern "C" fn table_lazy_init(vmctx: Vmctx, table_index: u64) {
    let (table, index) = (table_index >> 32, table_index as u32);
    instance(vmctx).tables[table as usize].init_element(index as u64);
}

extern "C" fn elem_drop(vmctx: Vmctx, seg: u32) {
    instance(vmctx).dropped_elements[seg as usize].store(true, Ordering::Relaxed);
}

fn timeout(ns: i64) -> Option<Duration> {
    (ns >= 0).then(|| Duration::from_nanos(ns as u64))
}

extern "C" fn atomic_wait32(vmctx: Vmctx, mem: u32, addr: u64, expected: u32, timeout_ns: i64) -> i32 {
    let m = instance(vmctx).memory(mem);
    if !m.is_shared() {
        return -1;
    }
    // SAFETY: generated code checked bounds and alignment.
    let p = unsafe { m.base().add(addr as usize) } as *const u32;
    // SAFETY: `p` is an aligned word of a live shared memory.
    unsafe { parking::wait32(p, expected, timeout(timeout_ns)) as i32 }
}

extern "C" fn atomic_wait64(vmctx: Vmctx, mem: u32, addr: u64, expected: u64, timeout_ns: i64) -> i32 {
    let m = instance(vmctx).memory(mem);
    if !m.is_shared() {
        return -1;
    }
    // SAFETY: generated code checked bounds and alignment.
    let p = unsafe { m.base().add(addr as usize) } as *const u64;
    // SAFETY: `p` is an aligned word of a live shared memory.
    unsafe { parking::wait64(p, expected, timeout(timeout_ns)) as i32 }
}

extern "C" fn atomic_notify(vmctx: Vmctx, mem: u32, addr: u64, count: u32) -> i32 {
    let m = instance(vmctx).memory(mem);
    if !m.is_shared() {
        return 0;
    }
    parking::notify(m.base() as usize + addr as usize, count) as i32
}

pub(crate) extern "C" fn safepoint(vmctx: Vmctx) {
    // SAFETY: the polling code passes its live VMContext, whose LIMITS slot points at its
    // store's limits, alive while the store's code runs.
    let limits =
        unsafe { *(vmctx.add(cwali_codegen::VMOffsets::LIMITS as usize) as *const *const crate::vm::VMRuntimeLimits) };
    // SAFETY: as above.
    run_safepoint(unsafe { &*limits }, vmctx);
}

/// A safepoint was reached (through the pending flag or a poll page's fault): clear the
/// request and call the hook.
pub(crate) fn run_safepoint(limits: &crate::vm::VMRuntimeLimits, vmctx: Vmctx) {
    limits.signal_pending.store(0, Ordering::Relaxed);
    // An interrupted store ends here, whatever the hook would do; an isolated one never runs
    // the process-wide hook (it belongs to another kind of guest, e.g. WALI's signal delivery).
    let state = limits.interrupt.load(Ordering::Acquire);
    if state != 0 {
        // SAFETY: the store keeps its interrupt state alive while its code runs.
        let state = unsafe { &*(state as *const crate::interrupt::InterruptState) };
        if state.interrupted() {
            // SAFETY: a safepoint runs inside a call from Wasm, with nothing to drop here.
            unsafe { crate::signals::raise_trap(cwali_codegen::TrapKind::Interrupt) }
        }
        if state.isolated() {
            return;
        }
    }
    // Guest signal delivery (WALI) hooks in here.
    let hook = SAFEPOINT_HOOK.load(Ordering::Acquire);
    if hook != 0 {
        // SAFETY: only `set_safepoint_hook` stores here, and it stores a `fn(*mut u8)`.
        let hook: fn(Vmctx) = unsafe { std::mem::transmute(hook) };
        hook(vmctx);
    }
}

static SAFEPOINT_HOOK: AtomicUsize = AtomicUsize::new(0);

/// Install the function safepoints call (with the VMContext of the code that polled).
pub fn set_safepoint_hook(hook: fn(*mut u8)) {
    SAFEPOINT_HOOK.store(hook as usize, Ordering::Release);
}

const MAX_STORES: usize = 4096;
static STORE_LIMITS: [AtomicUsize; MAX_STORES] = [const { AtomicUsize::new(0) }; MAX_STORES];

/// Remember a store's limits so `request_safepoints` can reach its thread.
pub(crate) fn register_limits(limits: usize) {
    if !STORE_LIMITS.iter().any(|s| s.compare_exchange(0, limits, Ordering::AcqRel, Ordering::Relaxed).is_ok()) {
        tracing::warn!("more than {MAX_STORES} live stores: signals may be delivered late");
    }
}

pub(crate) fn unregister_limits(limits: usize) {
    let _ = STORE_LIMITS.iter().any(|s| s.compare_exchange(limits, 0, Ordering::AcqRel, Ordering::Relaxed).is_ok());
}

/// Make every thread's next safepoint call the hook. Async-signal-safe (atomics only).
pub fn request_safepoints() {
    for slot in &STORE_LIMITS {
        let p = slot.load(Ordering::Acquire);
        if p != 0 {
            // SAFETY: registered limits stay mapped (poll pages are pooled, never unmapped).
            let limits = unsafe { &*(p as *const crate::vm::VMRuntimeLimits) };
            limits.signal_pending.store(1, Ordering::Release);
            crate::poll_page::request(limits);
        }
    }
}

/// The builtin table, in `Builtin::ALL` order.
pub(crate) fn table() -> *const usize {
    static TABLE: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            Builtin::ALL
                .iter()
                .map(|b| match b {
                    Builtin::MemoryGrow => memory_grow as *const () as usize,
                    Builtin::MemoryCopy => memory_copy as *const () as usize,
                    Builtin::MemoryInit => memory_init as *const () as usize,
                    Builtin::DataDrop => data_drop as *const () as usize,
                    Builtin::TableGrow => table_grow as *const () as usize,
                    Builtin::TableFill => table_fill as *const () as usize,
                    Builtin::TableCopy => table_copy as *const () as usize,
                    Builtin::TableInit => table_init as *const () as usize,
                    Builtin::TableLazyInit => crate::preserve_all::cwali_table_lazy_init_stub as *const () as usize,
                    Builtin::ElemDrop => elem_drop as *const () as usize,
                    Builtin::AtomicWait32 => atomic_wait32 as *const () as usize,
                    Builtin::AtomicWait64 => atomic_wait64 as *const () as usize,
                    Builtin::AtomicNotify => atomic_notify as *const () as usize,
                    Builtin::Safepoint => crate::preserve_all::cwali_safepoint_stub as *const () as usize,
                    Builtin::SetJmp => crate::setjmp::cwali_setjmp_stub as *const () as usize,
                    Builtin::LongJmp => crate::setjmp::longjmp as *const () as usize,
                    Builtin::Syscall => crate::syscall_stub::cwali_syscall6 as *const () as usize,
                    Builtin::Memmove => libc::memmove as *const () as usize,
                    Builtin::Memset => libc::memset as *const () as usize,
                    Builtin::ExnAlloc => crate::exceptions::exn_alloc as *const () as usize,
                    Builtin::Throw => crate::exceptions::cwali_throw_stub as *const () as usize,
                    Builtin::ExnRelease => crate::exceptions::exn_release as *const () as usize,
                })
                .collect()
        })
        .as_ptr()
}
