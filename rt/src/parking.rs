//! `memory.atomic.wait` / `memory.atomic.notify` across host threads.
//!
//! Waiters are keyed by host address (unique across memories) and kept in a fixed table of
//! buckets, each a mutex-protected FIFO queue. A waiter compares the value *under its bucket's
//! lock* before queueing, and a notifier takes the same lock, so a notify that follows the
//! store a waiter is waiting for can never slip between the waiter's check and its queueing.
//! Each waiter has its own condition variable: notify wakes exactly the waiters it dequeued.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// `wait` result: woken by `notify`.
pub const WAIT_OK: u32 = 0;
/// `wait` result: the value differed from the expected one.
pub const WAIT_NOT_EQUAL: u32 = 1;
/// `wait` result: the timeout expired.
pub const WAIT_TIMED_OUT: u32 = 2;

const BUCKET_BITS: u32 = 8;

struct Waiter {
    addr: usize,
    /// Set (under the bucket lock) by the notifier that dequeued this waiter.
    notified: AtomicBool,
    cond: Condvar,
}

type Bucket = Mutex<VecDeque<Arc<Waiter>>>;

static BUCKETS: [Bucket; 1 << BUCKET_BITS] = [const { Mutex::new(VecDeque::new()) }; 1 << BUCKET_BITS];

fn bucket(addr: usize) -> MutexGuard<'static, VecDeque<Arc<Waiter>>> {
    // Fibonacci hashing; the low bits are alignment and carry no information.
    let hash = ((addr >> 2) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BUCKET_BITS);
    BUCKETS[hash as usize].lock().unwrap_or_else(|e| e.into_inner())
}

/// `memory.atomic.wait32`: if `*addr != expected` return 1 ("not-equal"); else block until
/// notified (0) or until `timeout` passes (2). `None` waits forever.
///
/// # Safety
/// `addr` must be valid and 4-byte aligned for the duration of the call.
pub unsafe fn wait32(addr: *const u32, expected: u32, timeout: Option<Duration>) -> u32 {
    debug_assert!(addr.is_aligned());
    // SAFETY: caller guarantees a valid aligned address; other threads access it atomically.
    let cell = unsafe { AtomicU32::from_ptr(addr.cast_mut()) };
    wait(addr as usize, || cell.load(Ordering::SeqCst) == expected, timeout)
}

/// `memory.atomic.wait64`, as [`wait32`] for a 64-bit value.
///
/// # Safety
/// `addr` must be valid and 8-byte aligned for the duration of the call.
pub unsafe fn wait64(addr: *const u64, expected: u64, timeout: Option<Duration>) -> u32 {
    debug_assert!(addr.is_aligned());
    // SAFETY: as in wait32.
    let cell = unsafe { AtomicU64::from_ptr(addr.cast_mut()) };
    wait(addr as usize, || cell.load(Ordering::SeqCst) == expected, timeout)
}

fn wait(addr: usize, equal: impl Fn() -> bool, timeout: Option<Duration>) -> u32 {
    let mut queue = bucket(addr);
    if !equal() {
        return WAIT_NOT_EQUAL;
    }
    // A deadline too far away to represent is forever.
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    let me = Arc::new(Waiter { addr, notified: AtomicBool::new(false), cond: Condvar::new() });
    queue.push_back(me.clone());
    loop {
        queue = match deadline {
            None => me.cond.wait(queue).unwrap_or_else(|e| e.into_inner()),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    if let Some(pos) = queue.iter().position(|w| Arc::ptr_eq(w, &me)) {
                        queue.remove(pos);
                    }
                    return WAIT_TIMED_OUT;
                }
                me.cond.wait_timeout(queue, deadline - now).unwrap_or_else(|e| e.into_inner()).0
            }
        };
        // Re-checked on every wake-up: condition variables wake spuriously.
        if me.notified.load(Ordering::Relaxed) {
            return WAIT_OK;
        }
    }
}

/// `memory.atomic.notify`: wakes up to `count` waiters on `addr`, oldest first; returns how
/// many were woken.
pub fn notify(addr: usize, count: u32) -> u32 {
    if count == 0 {
        return 0;
    }
    let mut queue = bucket(addr);
    let mut woken = 0;
    queue.retain(|w| {
        if woken == count || w.addr != addr {
            return true;
        }
        w.notified.store(true, Ordering::Relaxed);
        w.cond.notify_one();
        woken += 1;
        false
    });
    woken
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn not_equal_returns_immediately() {
        let x = 5u32;
        assert_eq!(unsafe { wait32(&x, 6, None) }, WAIT_NOT_EQUAL);
        let y = 5u64;
        assert_eq!(unsafe { wait64(&y, 6, None) }, WAIT_NOT_EQUAL);
    }

    #[test]
    fn timeout_returns_timed_out() {
        let x = 5u32;
        assert_eq!(unsafe { wait32(&x, 5, Some(Duration::from_millis(10))) }, WAIT_TIMED_OUT);
        assert_eq!(unsafe { wait32(&x, 5, Some(Duration::ZERO)) }, WAIT_TIMED_OUT);
        let y = 5u64;
        assert_eq!(unsafe { wait64(&y, 5, Some(Duration::from_millis(10))) }, WAIT_TIMED_OUT);
        // The timed-out waiter left the queue.
        assert_eq!(notify(&x as *const u32 as usize, 1), 0);
    }

    #[test]
    fn notify_without_waiters() {
        let x = 0u32;
        assert_eq!(notify(&x as *const u32 as usize, 10), 0);
    }

    #[test]
    fn notify_wakes_exactly_n_of_m() {
        const M: usize = 6;
        let cell: &'static AtomicU32 = Box::leak(Box::new(AtomicU32::new(0)));
        let addr = cell.as_ptr() as usize;
        let returned = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..M)
            .map(|_| {
                let returned = returned.clone();
                std::thread::spawn(move || {
                    let r = unsafe { wait32(addr as *const u32, 0, None) };
                    returned.fetch_add(1, Ordering::SeqCst);
                    r
                })
            })
            .collect();

        // Wait until all M are queued: notifying one at a time is observable only then.
        let queued = || bucket(addr).iter().filter(|w| w.addr == addr).count();
        while queued() < M {
            std::thread::yield_now();
        }
        assert_eq!(notify(addr, 2), 2);
        while returned.load(Ordering::SeqCst) < 2 {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(returned.load(Ordering::SeqCst), 2);
        assert_eq!(queued(), M - 2);

        assert_eq!(notify(addr, u32::MAX), (M - 2) as u32);
        for t in threads {
            assert_eq!(t.join().unwrap(), WAIT_OK);
        }
        assert_eq!(notify(addr, 1), 0);
    }

    #[test]
    fn notify_is_fifo() {
        let cell: &'static AtomicU32 = Box::leak(Box::new(AtomicU32::new(0)));
        let addr = cell.as_ptr() as usize;
        let order = Arc::new(Mutex::new(Vec::new()));
        let queued = || bucket(addr).iter().filter(|w| w.addr == addr).count();
        let mut threads = Vec::new();
        for i in 0..3 {
            let order = order.clone();
            threads.push(std::thread::spawn(move || {
                assert_eq!(unsafe { wait32(addr as *const u32, 0, None) }, WAIT_OK);
                order.lock().unwrap().push(i);
            }));
            // Queue them in a known order.
            while queued() < i + 1 {
                std::thread::yield_now();
            }
        }
        for i in 0..3 {
            assert_eq!(notify(addr, 1), 1);
            while order.lock().unwrap().len() < i + 1 {
                std::thread::yield_now();
            }
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
        for t in threads {
            t.join().unwrap();
        }
    }
}
