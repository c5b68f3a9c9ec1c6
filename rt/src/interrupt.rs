//! Per-store interrupts: another thread (a watchdog enforcing a deadline) stops the Wasm code of
//! one store at its next safepoint with `TrapKind::Interrupt`.
//!
//! A store owns an [`InterruptState`], shared with every [`InterruptHandle`] made from it; the
//! store's `VMRuntimeLimits::interrupt` points at it so the safepoint can look. A handle can
//! outlive its store: the state then forgets the limits, and a request racing with the store's
//! drop reaches at most the limits' memory, which stays valid (poll pages are never unmapped,
//! boxed limits are co-owned by the state) — costing another store one spurious safepoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::vm::VMRuntimeLimits;

pub(crate) struct InterruptState {
    interrupted: AtomicBool,
    isolated: AtomicBool,
    /// The store's limits; 0 once the store is gone.
    limits: AtomicUsize,
    /// Boxed limits, kept alive as long as a handle may reach them.
    _boxed: Option<Arc<VMRuntimeLimits>>,
}

impl InterruptState {
    pub(crate) fn new(limits: usize, boxed: Option<Arc<VMRuntimeLimits>>) -> InterruptState {
        InterruptState {
            interrupted: AtomicBool::new(false),
            isolated: AtomicBool::new(false),
            limits: AtomicUsize::new(limits),
            _boxed: boxed,
        }
    }

    pub(crate) fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Acquire)
    }

    pub(crate) fn clear(&self) {
        self.interrupted.store(false, Ordering::Release);
    }

    pub(crate) fn isolated(&self) -> bool {
        self.isolated.load(Ordering::Relaxed)
    }

    pub(crate) fn set_isolated(&self, isolated: bool) {
        self.isolated.store(isolated, Ordering::Relaxed);
    }

    pub(crate) fn forget_limits(&self) {
        self.limits.store(0, Ordering::Release);
    }
}

/// Interrupts one store's Wasm code at its next safepoint (`Store::interrupt_handle`). Needs an
/// engine with safepoints on; without them the code runs on until it calls the host.
#[derive(Clone)]
pub struct InterruptHandle {
    pub(crate) state: Arc<InterruptState>,
}

impl InterruptHandle {
    /// Make the store's next safepoint (or the current one's poll) trap with
    /// `TrapKind::Interrupt`, and every one after it until `Store::clear_interrupt`.
    /// Async-signal-safe: atomics and one `mprotect`.
    pub fn interrupt(&self) {
        self.state.interrupted.store(true, Ordering::Release);
        let p = self.state.limits.load(Ordering::Acquire);
        if p != 0 {
            // SAFETY: valid memory for the life of the process (poll pages) or of the state
            // (boxed limits); see the module doc.
            let limits = unsafe { &*(p as *const VMRuntimeLimits) };
            limits.signal_pending.store(1, Ordering::Release);
            crate::poll_page::request(limits);
        }
    }

    /// Whether [`interrupt`](Self::interrupt) was called (since the last clear).
    pub fn is_interrupted(&self) -> bool {
        self.state.interrupted()
    }
}
