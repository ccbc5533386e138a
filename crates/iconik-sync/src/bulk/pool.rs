//! A fixed set of worker threads fed by one producer through a bounded
//! queue: the sync's parallelism for files, with memory bounded by the
//! queue, not by the tree.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Mutex, PoisonError};

use crate::cancel;

/// Runs `produce` on this thread, handing each job it sends to one of
/// `workers` threads running `work`; returns when every job is done.
/// The workers run under this thread's cancellation token. Returns false
/// when a job panicked (the others still ran).
pub(crate) fn run<J: Send>(
    workers: usize,
    produce: impl FnOnce(&mut dyn FnMut(J)),
    work: impl Fn(J) + Sync,
) -> bool {
    let workers = workers.max(1);
    let token = cancel::current();
    let (tx, rx) = sync_channel::<J>(workers * 2);
    let rx = Mutex::new(rx);
    let panicked = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (rx, work, token, panicked) = (&rx, &work, token.clone(), &panicked);
            scope.spawn(move || {
                let body = || loop {
                    let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { break };
                    if catch_unwind(AssertUnwindSafe(|| work(job))).is_err() {
                        panicked.store(true, Ordering::SeqCst);
                    }
                };
                match &token {
                    Some(t) => cancel::scope(t, body),
                    None => body(),
                }
            });
        }
        produce(&mut |job| {
            // fails only when every worker is gone, which cannot happen
            // before the sender is dropped
            let _ = tx.send(job);
        });
        drop(tx);
    });
    !panicked.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_job_runs_once_on_at_most_n_threads() {
        let done = AtomicUsize::new(0);
        let busy = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let ok = run(
            3,
            |send| {
                for i in 0..50u64 {
                    send(i);
                }
            },
            |i| {
                let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(i % 3));
                busy.fetch_sub(1, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert!(ok);
        assert_eq!(done.load(Ordering::SeqCst), 50);
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn a_panicking_job_is_reported_and_the_rest_run() {
        let done = AtomicUsize::new(0);
        let ok = run(
            2,
            |send| (0..10).for_each(&mut *send),
            |i: i32| {
                if i == 3 {
                    panic!("boom");
                }
                done.fetch_add(1, Ordering::SeqCst);
            },
        );
        assert!(!ok);
        assert_eq!(done.load(Ordering::SeqCst), 9);
    }
}
