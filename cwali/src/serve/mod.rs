//! `cwali serve`: WALI programs as CGI (RFC 3875) programs behind one HTTP/1.1 server, a fresh
//! sandbox per request.
//!
//! - [`config`]: flags, routes and the TOML file.
//! - [`cgi`]: the CGI environment of a request and the parser of a program's header section.
//! - [`http`]: the hyper server: routing, scheduling, deadlines, streaming, the access log,
//!   graceful shutdown.
//! - [`process`]: process isolation (the default): a template process per route forks a child
//!   per request.
//! - [`instance`]: instance isolation: an in-process sandbox per request on worker threads.
//!
//! docs/serve.md is the user's documentation.

pub mod cgi;
pub mod config;
pub mod http;
pub mod instance;
pub mod process;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// How a request's program ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It exited with this status.
    Exited(i32),
    /// A signal ended it (process isolation; a trap ends the process with one).
    Signaled(i32),
    /// A trap or a host error ended it (instance isolation).
    Trapped(String),
    /// The deadline passed.
    TimedOut,
    /// It could not run (or its end is unknown).
    Failed(String),
}

/// At most `max` requests run at once; up to `queue` more wait, in one queue per route served
/// round-robin so that a busy route cannot starve the others.
pub struct Scheduler {
    max: usize,
    queue: usize,
    state: Mutex<SchedState>,
}

struct SchedState {
    running: usize,
    queued: usize,
    next_waiter: u64,
    queues: Vec<VecDeque<(u64, oneshot::Sender<()>)>>,
    next_route: usize,
}

/// A running request's slot; the next waiter gets it when it is dropped.
pub struct Permit(Arc<Scheduler>);

impl Scheduler {
    /// A scheduler for `routes` routes.
    pub fn new(max: usize, queue: usize, routes: usize) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            max,
            queue,
            state: Mutex::new(SchedState {
                running: 0,
                queued: 0,
                next_waiter: 0,
                queues: (0..routes).map(|_| VecDeque::new()).collect(),
                next_route: 0,
            }),
        })
    }

    /// A slot for a request to `route`, after waiting if need be; `None` if the queue is full.
    pub async fn acquire(self: &Arc<Self>, route: usize) -> Option<Permit> {
        let (id, rx) = {
            let mut s = self.state.lock().expect("not poisoned");
            if s.running < self.max && s.queued == 0 {
                s.running += 1;
                return Some(Permit(self.clone()));
            }
            if s.queued >= self.queue {
                return None;
            }
            let (tx, rx) = oneshot::channel();
            s.next_waiter += 1;
            let id = s.next_waiter;
            s.queues[route].push_back((id, tx));
            s.queued += 1;
            (id, rx)
        };
        // If this future is dropped (the client went away), leave the queue, or pass on a slot
        // that was handed over meanwhile.
        struct Waiting<'a>(&'a Arc<Scheduler>, usize, u64, Option<oneshot::Receiver<()>>);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                let Some(mut rx) = self.3.take() else { return };
                if rx.try_recv().is_ok() {
                    drop(Permit(self.0.clone()));
                    return;
                }
                let mut s = self.0.state.lock().expect("not poisoned");
                let before = s.queues[self.1].len();
                s.queues[self.1].retain(|(id, _)| *id != self.2);
                if s.queues[self.1].len() < before {
                    s.queued -= 1;
                }
            }
        }
        let mut waiting = Waiting(self, route, id, Some(rx));
        let result = waiting.3.as_mut().expect("set").await;
        waiting.3 = None;
        result.ok().map(|()| Permit(self.clone()))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.0.state.lock().expect("not poisoned");
        let routes = s.queues.len();
        for i in 0..routes {
            let route = (s.next_route + i) % routes;
            while let Some((_, tx)) = s.queues[route].pop_front() {
                s.queued -= 1;
                if tx.send(()).is_ok() {
                    // The slot goes to that waiter; `running` stays the same.
                    s.next_route = (route + 1) % routes;
                    return;
                }
            }
        }
        s.running -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_go_round_robin_and_a_full_queue_refuses() {
        let sched = Scheduler::new(1, 3, 2);
        let first = sched.acquire(0).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for route in [0, 0, 1] {
            let (sched, order) = (sched.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let permit = sched.acquire(route).await.unwrap();
                order.lock().unwrap().push(route);
                tokio::task::yield_now().await;
                drop(permit);
            }));
            tokio::task::yield_now().await;
        }
        while sched.state.lock().unwrap().queued < 3 {
            tokio::task::yield_now().await;
        }
        assert!(sched.acquire(1).await.is_none(), "the queue is full");
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 0]);
        assert_eq!(sched.state.lock().unwrap().running, 0);
    }
}
