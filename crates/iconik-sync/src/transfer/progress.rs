//! Progress reports, called at a bounded frequency.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::clock::Clock;

/// Default minimum time between two progress calls.
pub const DEFAULT_PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// How far a transfer has got, handed to an `on_progress` callback.
///
/// ```
/// # use iconik_sync::transfer::Progress;
/// fn show(p: Progress) {
///     let pct = p.fraction().map(|f| f * 100.0).unwrap_or(0.0);
///     println!("{} bytes ({pct:.0}%) at {:.1} MB/s", p.bytes_done, p.bytes_per_second / 1e6);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes stored (upload) or written to disk (download) so far,
    /// including those a resumed transfer found already done.
    pub bytes_done: u64,
    /// The transfer's size, when known.
    pub total: Option<u64>,
    /// Average rate of this call's own transfer, in bytes per second.
    pub bytes_per_second: f64,
    /// Time since this call started.
    pub elapsed: Duration,
}

impl Progress {
    /// `bytes_done / total`, when the total is known and not zero.
    pub fn fraction(&self) -> Option<f64> {
        self.total
            .filter(|&t| t > 0)
            .map(|t| self.bytes_done as f64 / t as f64)
    }
}

/// A progress callback shared by the threads of one transfer.
pub(crate) type ProgressFn = Arc<Mutex<Box<dyn FnMut(Progress) + Send>>>;

/// Counts bytes and calls the callback at most once per interval, plus
/// at once when the count first reaches the total (what follows the last
/// byte, closing a file or checking a digest, can take a while and a
/// display should say so) and once at the end, from whichever thread
/// moved the count.
pub(crate) struct Reporter {
    callback: Option<ProgressFn>,
    clock: Arc<dyn Clock>,
    interval: Duration,
    started: Duration,
    total: Option<u64>,
    state: Mutex<ReporterState>,
}

struct ReporterState {
    done: u64,
    /// Bytes that were already done when this call started.
    baseline: u64,
    last_call: Option<Duration>,
    /// The count reaching the total was reported.
    reached_total: bool,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Reporter {
    pub(crate) fn new(
        callback: Option<ProgressFn>,
        clock: Arc<dyn Clock>,
        interval: Duration,
        total: Option<u64>,
    ) -> Self {
        let started = clock.now();
        Reporter {
            callback,
            clock,
            interval,
            started,
            total,
            state: Mutex::new(ReporterState {
                done: 0,
                baseline: 0,
                last_call: None,
                reached_total: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ReporterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records bytes found already done (a resumed transfer): counted as
    /// done but not toward the rate.
    pub(crate) fn already_done(&self, bytes: u64) {
        let mut state = self.lock();
        state.done += bytes;
        state.baseline += bytes;
    }

    /// Adds `bytes` done and reports if the interval has passed.
    pub(crate) fn add(&self, bytes: u64) {
        let mut state = self.lock();
        state.done += bytes;
        self.maybe_call(&mut state, false);
    }

    /// Moves the count back (bytes a storage did not keep, a download
    /// restarted from zero).
    pub(crate) fn set(&self, done: u64) {
        let mut state = self.lock();
        state.baseline = state.baseline.min(done);
        state.done = done;
        self.maybe_call(&mut state, false);
    }

    /// Reports the final figure, whatever the time since the last call.
    pub(crate) fn finish(&self) {
        let mut state = self.lock();
        self.maybe_call(&mut state, true);
    }

    fn maybe_call(&self, state: &mut ReporterState, force: bool) {
        let Some(callback) = &self.callback else {
            return;
        };
        let now = self.clock.now();
        let due = match state.last_call {
            None => true,
            Some(last) => now.saturating_sub(last) >= self.interval,
        };
        let at_total = self.total.is_some_and(|t| state.done >= t);
        let reaches_total = at_total && !state.reached_total;
        state.reached_total = at_total;
        if !(due || force || reaches_total) {
            return;
        }
        state.last_call = Some(now);
        let elapsed = now.saturating_sub(self.started);
        let own = state.done.saturating_sub(state.baseline);
        let secs = elapsed.as_secs_f64();
        let progress = Progress {
            bytes_done: state.done,
            total: self.total,
            bytes_per_second: if secs > 0.0 { own as f64 / secs } else { 0.0 },
            elapsed,
        };
        // called with the count locked, so calls never overlap or go back
        let mut f = callback.lock().unwrap_or_else(PoisonError::into_inner);
        f(progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;

    #[test]
    fn calls_are_bounded_by_the_interval_and_the_last_is_forced() {
        let clock = Arc::new(FakeClock::new());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let callback: ProgressFn = Arc::new(Mutex::new(Box::new(move |p: Progress| {
            sink.lock().unwrap().push(p)
        })));
        let r = Reporter::new(
            Some(callback),
            clock.clone(),
            Duration::from_millis(100),
            Some(1000),
        );
        r.already_done(100);
        for _ in 0..50 {
            r.add(10); // no time passes: only the first is reported
        }
        clock.advance(Duration::from_millis(100));
        r.add(10);
        clock.advance(Duration::from_millis(10));
        r.add(10);
        r.finish();
        let seen = seen.lock().unwrap();
        let done: Vec<u64> = seen.iter().map(|p| p.bytes_done).collect();
        assert_eq!(done, vec![110, 610, 620]);
        // 520 bytes of this call's own in 110 ms
        let rate = seen[2].bytes_per_second;
        assert!((rate - 520.0 / 0.110).abs() < 1.0, "{rate}");
        assert_eq!(seen[2].fraction(), Some(0.62));
    }

    #[test]
    fn reaching_the_total_is_reported_at_once() {
        let clock = Arc::new(FakeClock::new());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let callback: ProgressFn = Arc::new(Mutex::new(Box::new(move |p: Progress| {
            sink.lock().unwrap().push(p.bytes_done)
        })));
        let r = Reporter::new(
            Some(callback),
            clock.clone(),
            Duration::from_secs(1),
            Some(100),
        );
        r.add(50); // the first call
        r.add(50); // within the interval, but the last byte
        r.add(0); // still at the total: not again
        r.set(0); // a restart from zero
        r.add(100); // the total again
        r.finish();
        assert_eq!(*seen.lock().unwrap(), vec![50, 100, 100, 100]);
    }
}
