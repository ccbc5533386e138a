//! [`Throttle`]: a rate limiter for your own code, and the primitive the
//! client's pacer is built from.
//!
//! A throttle keeps an exact sliding log of slot times for each [`Rate`].
//! A new slot is granted only when, for every rate `n/w`, fewer than `n`
//! slots fall in the last `w` (held slots count as "now" until released).
//! That is the whole proof that no window is ever exceeded: among any
//! `n + 1` consecutive grants, the last comes at least `w` after the first.
//! Waiting threads are served strictly in arrival order (a ticket queue).

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::clock::{Clock, SystemClock};

/// A rate: `count` events per `per`, written `"{n}/{unit}"` or
/// `"{n}/{m}{unit}"` with units `s`, `m`, `h`, `d` or `second`, `minute`,
/// `hour`, `day` (plurals accepted).
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::Rate;
/// let r: Rate = "12/37m".parse().unwrap();
/// assert_eq!((r.count, r.per), (12, Duration::from_secs(37 * 60)));
/// assert!("0/s".parse::<Rate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Events allowed per window.
    pub count: u32,
    /// The window's length.
    pub per: Duration,
}

impl Rate {
    /// A rate from its parts.
    ///
    /// # Errors
    /// [`RateParseError`] when `count` is zero or `per` is zero.
    pub fn new(count: u32, per: Duration) -> Result<Rate, RateParseError> {
        if count == 0 {
            return Err(RateParseError("the count must be at least 1".into()));
        }
        if per.is_zero() {
            return Err(RateParseError("the period must be longer than zero".into()));
        }
        Ok(Rate { count, per })
    }

    /// Parses `"50/s"`, `"1000/20s"`, `"1/second"`, `"8/3d"`, ...
    ///
    /// # Errors
    /// [`RateParseError`] saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Rate, RateParseError> {
        let err = |why: String| Err(RateParseError(format!("invalid rate {text:?}: {why}")));
        let Some((count, period)) = text.trim().split_once('/') else {
            return err("expected \"{count}/{period}\", e.g. \"50/s\" or \"1000/20s\"".into());
        };
        let count: u32 = match count.trim().parse() {
            Ok(c) if c > 0 => c,
            Ok(_) => return err("the count must be at least 1".into()),
            Err(_) => return err(format!("the count {count:?} is not a whole number")),
        };
        let period = period.trim();
        let digits = period.bytes().take_while(u8::is_ascii_digit).count();
        let (multiplier, unit) = period.split_at(digits);
        let multiplier: u64 = if multiplier.is_empty() {
            1
        } else {
            match multiplier.parse() {
                Ok(m) if m > 0 => m,
                _ => {
                    return err(format!(
                        "the period multiplier {multiplier:?} must be at least 1"
                    ))
                }
            }
        };
        let unit_secs: u64 = match unit.trim() {
            "s" | "sec" | "second" | "seconds" => 1,
            "m" | "min" | "minute" | "minutes" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "" => return err("missing unit (s, m, h, d, second, minute, hour, day)".into()),
            other => {
                return err(format!(
                    "unknown unit {other:?} (use s, m, h, d, second, minute, hour, day)"
                ))
            }
        };
        let Some(secs) = multiplier.checked_mul(unit_secs) else {
            return err("the period is too long".into());
        };
        Rate::new(count, Duration::from_secs(secs))
    }
}

impl FromStr for Rate {
    type Err = RateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rate::parse(s)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.per.as_secs();
        if self.per.subsec_nanos() != 0 {
            write!(f, "{}/{}ms", self.count, self.per.as_millis())
        } else if secs == 1 {
            write!(f, "{}/s", self.count)
        } else {
            write!(f, "{}/{}s", self.count, secs)
        }
    }
}

/// Why a rate string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RateParseError(String);

/// The exact sliding log for one rate: the last `count` grants, as
/// release times (ascending) plus the ids of grants still held.
///
/// Every time recorded is "now" when it is recorded and time never goes
/// back, so appending keeps `released` sorted: the oldest is at the front
/// and every operation is O(1) (O(held) to find a held id).
#[derive(Debug, Clone)]
pub(crate) struct SlidingLog {
    rate: Rate,
    released: VecDeque<Duration>,
    held: Vec<u64>,
}

impl SlidingLog {
    pub(crate) fn new(rate: Rate) -> Self {
        SlidingLog {
            rate,
            released: VecDeque::with_capacity(rate.count.min(4096) as usize),
            held: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.released.len() + self.held.len()
    }

    /// `Ok(())` when a slot is free at `now`; `Err(Some(t))` when one frees
    /// at `t`; `Err(None)` when every slot is held.
    fn check(&self, now: Duration, extra: Duration) -> Result<(), Option<Duration>> {
        if self.len() < self.rate.count as usize {
            return Ok(());
        }
        let per = self.rate.per + extra;
        match self.released.front() {
            Some(&t) if t + per <= now => Ok(()),
            Some(&t) => Err(Some(t + per)),
            None => Err(None),
        }
    }

    /// Takes a slot at `now` (the caller checked `check(now)` first).
    fn grant(&mut self, id: u64, now: Duration, held: bool) {
        if self.len() >= self.rate.count as usize {
            self.released.pop_front();
        }
        if held {
            self.held.push(id);
        } else {
            self.released.push_back(now);
        }
    }

    fn release(&mut self, id: u64, now: Duration) {
        if let Some(i) = self.held.iter().position(|&h| h == id) {
            self.held.swap_remove(i);
            self.released.push_back(now);
        }
    }

    /// Grants that still count in the window at `now`.
    fn recent(&self, now: Duration) -> u32 {
        let expired = self.released.partition_point(|&t| t + self.rate.per <= now);
        (self.len() - expired) as u32
    }
}

/// Shared state of a throttle: the logs, the ticket queue and an optional
/// minimum gap between grants (the pacer's proactive delay).
struct State {
    logs: Vec<SlidingLog>,
    next_ticket: u64,
    serving: u64,
    last_grant: Option<Duration>,
    min_gap: Duration,
    /// Added to every window (the pacer's adaptive jitter margin).
    extra_window: Duration,
}

impl State {
    fn check(&self, now: Duration) -> Result<(), Option<Duration>> {
        let mut until: Option<Duration> = None;
        for log in &self.logs {
            match log.check(now, self.extra_window) {
                Ok(()) => {}
                Err(None) => return Err(None),
                Err(Some(t)) => until = Some(until.map_or(t, |u| u.max(t))),
            }
        }
        if let (Some(last), false) = (self.last_grant, self.min_gap.is_zero()) {
            let t = last + self.min_gap;
            if t > now {
                until = Some(until.map_or(t, |u| u.max(t)));
            }
        }
        until.map_or(Ok(()), |t| Err(Some(t)))
    }

    fn grant(&mut self, id: u64, now: Duration, held: bool) {
        for log in &mut self.logs {
            log.grant(id, now, held);
        }
        self.last_grant = Some(now);
    }
}

/// Asks a shared limiter for a slot under these rates: `None` when
/// granted, else how long to sleep before asking again.
pub(crate) type AskShared<'a> = dyn FnMut(&[Rate]) -> Option<Duration> + 'a;

pub(crate) struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    clock: Arc<dyn Clock>,
    ids: AtomicU64,
}

/// A blocking rate limiter over one or more [`Rate`]s, FIFO for waiters.
///
/// Cheap to clone; clones share the same slots.
///
/// ```
/// use iconik_sync::Throttle;
/// let throttle = Throttle::new("2/s".parse().unwrap());
/// {
///     let _a = throttle.acquire();
///     let _b = throttle.acquire();
///     assert!(throttle.locked());          // both slots are taken
///     assert!(throttle.try_acquire().is_none());
/// } // guards dropped: the slots count from now and free after 1 s
/// ```
#[derive(Clone)]
pub struct Throttle {
    shared: Arc<Shared>,
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rates: Vec<Rate> = self.lock().logs.iter().map(|l| l.rate).collect();
        f.debug_struct("Throttle").field("rates", &rates).finish()
    }
}

/// A granted slot; dropping it releases the slot, which then counts from
/// the release time.
#[must_use = "the slot is released when the guard is dropped"]
pub struct ThrottleGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl fmt::Debug for ThrottleGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThrottleGuard")
            .field("id", &self.id)
            .finish()
    }
}

impl Drop for ThrottleGuard {
    fn drop(&mut self) {
        let now = self.shared.clock.now();
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for log in &mut state.logs {
            log.release(self.id, now);
        }
        drop(state);
        self.shared.changed.notify_all();
    }
}

impl Throttle {
    /// A throttle for one rate, on the system clock.
    pub fn new(rate: Rate) -> Throttle {
        Throttle::with_rates(&[rate], Arc::new(SystemClock))
    }

    /// A throttle enforcing every rate at once, on `clock`.
    pub fn with_rates(rates: &[Rate], clock: Arc<dyn Clock>) -> Throttle {
        Throttle {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    logs: rates.iter().copied().map(SlidingLog::new).collect(),
                    next_ticket: 0,
                    serving: 0,
                    last_grant: None,
                    min_gap: Duration::ZERO,
                    extra_window: Duration::ZERO,
                }),
                changed: Condvar::new(),
                clock,
                ids: AtomicU64::new(0),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits (blocking) for a slot, in arrival order, and holds it until
    /// the guard is dropped.
    pub fn acquire(&self) -> ThrottleGuard {
        let id = self.wait_turn(true, None);
        ThrottleGuard {
            shared: self.shared.clone(),
            id,
        }
    }

    /// Waits for a slot and releases it at once: one paced event.
    pub fn tick(&self) {
        self.wait_turn(false, None);
    }

    /// [`tick`](Self::tick) that also asks `shared` for the slot once this
    /// throttle's own limits allow it (the pacer with a
    /// [`SharedLimiter`](crate::rate_limit::SharedLimiter)). `shared` gets
    /// the rates with the extra window added and answers `None` (granted)
    /// or how long to sleep before asking again. Only the head of the queue
    /// asks, without holding the lock, so arrival order is kept.
    pub(crate) fn tick_with(&self, shared: &mut AskShared<'_>) {
        self.wait_turn(false, Some(shared));
    }

    /// A slot now, or `None` if one is not free (or others are waiting).
    pub fn try_acquire(&self) -> Option<ThrottleGuard> {
        self.try_grant(true).ok().map(|id| ThrottleGuard {
            shared: self.shared.clone(),
            id,
        })
    }

    /// Takes a slot now, or says when to try again: `Err(Some(wait))` when
    /// a slot frees after `wait`, `Err(None)` when every slot is held or
    /// others are queued. Never blocks; the async twin builds on this.
    pub fn try_acquire_or_wait(&self) -> Result<ThrottleGuard, Option<Duration>> {
        self.try_grant(true).map(|id| ThrottleGuard {
            shared: self.shared.clone(),
            id,
        })
    }

    /// True when `acquire` would block now.
    pub fn locked(&self) -> bool {
        let now = self.shared.clock.now();
        let state = self.lock();
        state.next_ticket != state.serving || state.check(now).is_err()
    }

    /// The rates enforced.
    pub fn rates(&self) -> Vec<Rate> {
        self.lock().logs.iter().map(|l| l.rate).collect()
    }

    /// Grants of rate `index` that still count in its window now.
    pub(crate) fn recent(&self, index: usize) -> u32 {
        let now = self.shared.clock.now();
        self.lock().logs.get(index).map_or(0, |log| log.recent(now))
    }

    pub(crate) fn set_min_gap(&self, gap: Duration) {
        self.lock().min_gap = gap;
        self.shared.changed.notify_all();
    }

    pub(crate) fn set_extra_window(&self, extra: Duration) {
        self.lock().extra_window = extra;
        self.shared.changed.notify_all();
    }

    pub(crate) fn extra_window(&self) -> Duration {
        self.lock().extra_window
    }

    pub(crate) fn min_gap(&self) -> Duration {
        self.lock().min_gap
    }

    fn try_grant(&self, held: bool) -> Result<u64, Option<Duration>> {
        let now = self.shared.clock.now();
        let mut state = self.lock();
        if state.next_ticket != state.serving {
            return Err(None);
        }
        match state.check(now) {
            Ok(()) => {
                let id = self.shared.ids.fetch_add(1, Ordering::Relaxed);
                state.grant(id, now, held);
                Ok(id)
            }
            Err(Some(t)) => Err(Some(t.saturating_sub(now))),
            Err(None) => Err(None),
        }
    }

    fn wait_turn(&self, held: bool, mut remote: Option<&mut AskShared<'_>>) -> u64 {
        let shared = &*self.shared;
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        loop {
            if state.serving == ticket {
                let mut now = shared.clock.now();
                match state.check(now) {
                    Ok(()) => {
                        if let Some(ask) = remote.as_mut() {
                            let extra = state.extra_window;
                            let rates: Vec<Rate> = (state.logs.iter())
                                .map(|l| Rate {
                                    count: l.rate.count,
                                    per: l.rate.per + extra,
                                })
                                .collect();
                            // the shared store may be across the network:
                            // never hold the lock while asking it
                            drop(state);
                            let wait = ask(&rates);
                            if let Some(wait) = wait {
                                shared.clock.sleep(wait);
                            }
                            state = self.lock();
                            if wait.is_some() {
                                continue;
                            }
                            now = shared.clock.now();
                        }
                        let id = shared.ids.fetch_add(1, Ordering::Relaxed);
                        state.grant(id, now, held);
                        state.serving += 1;
                        drop(state);
                        shared.changed.notify_all();
                        return id;
                    }
                    Err(Some(t)) => {
                        // Sleep without the lock; only the head of the
                        // queue sleeps on the clock, the rest wait their turn.
                        drop(state);
                        shared.clock.sleep(t.saturating_sub(now));
                        state = self.lock();
                    }
                    Err(None) => {
                        state = shared
                            .changed
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                }
            } else {
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;

    #[test]
    fn parses_every_documented_form() {
        let cases: &[(&str, u32, u64)] = &[
            ("4/s", 4, 1),
            ("5/m", 5, 60),
            ("1/second", 1, 1),
            ("1/3s", 1, 3),
            ("12/37m", 12, 37 * 60),
            ("8/3d", 8, 3 * 86_400),
            ("50/s", 50, 1),
            ("1000/20s", 1000, 20),
            ("2/h", 2, 3600),
            ("3/minute", 3, 60),
            ("3/hour", 3, 3600),
            ("3/day", 3, 86_400),
            (" 7 / 2minutes ", 7, 120),
        ];
        for &(text, count, secs) in cases {
            let r = Rate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (r.count, r.per),
                (count, Duration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_rates_say_why() {
        for (text, why) in [
            ("", "expected"),
            ("50", "expected"),
            ("x/s", "not a whole number"),
            ("-1/s", "not a whole number"),
            ("0/s", "at least 1"),
            ("5/", "missing unit"),
            ("5/0s", "multiplier"),
            ("5/3", "missing unit"),
            ("5/fortnight", "unknown unit"),
            ("5/s/s", "unknown unit"),
            ("1/99999999999999999999d", "multiplier"),
        ] {
            let e = Rate::parse(text).expect_err(text).to_string();
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    fn fake(rates: &[&str]) -> (Throttle, Arc<FakeClock>) {
        let clock = Arc::new(FakeClock::new());
        let rates: Vec<Rate> = rates.iter().map(|r| r.parse().unwrap()).collect();
        (Throttle::with_rates(&rates, clock.clone()), clock)
    }

    #[test]
    fn guard_release_counts_from_release() {
        let (t, clock) = fake(&["1/s"]);
        let g = t.acquire();
        assert!(t.locked());
        clock.advance(Duration::from_secs(5));
        // still held: the window has passed but the slot is not released
        assert!(t.try_acquire().is_none());
        assert_eq!(t.try_acquire_or_wait().err(), Some(None));
        drop(g);
        assert!(t.locked());
        assert_eq!(
            t.try_acquire_or_wait().err(),
            Some(Some(Duration::from_secs(1)))
        );
        clock.advance(Duration::from_millis(999));
        assert!(t.try_acquire().is_none());
        clock.advance(Duration::from_millis(1));
        assert!(t.try_acquire().is_some());
    }

    #[test]
    fn acquire_sleeps_exactly_until_the_window_frees() {
        let (t, clock) = fake(&["3/s"]);
        for _ in 0..7 {
            t.tick();
        }
        // 3 at t=0, 3 at t=1, 1 at t=2
        assert_eq!(clock.now(), Duration::from_secs(2));
    }

    #[test]
    fn waiters_are_served_in_arrival_order() {
        let clock = Arc::new(FakeClock::manual());
        let t = Throttle::with_rates(&["1/s".parse().unwrap()], clock.clone());
        t.tick(); // the slot of the first second is used
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for i in 0..5 {
            let (t2, order) = (t.clone(), order.clone());
            handles.push(std::thread::spawn(move || {
                t2.tick();
                order.lock().unwrap().push(i);
            }));
            // wait until thread i has taken its ticket before starting i+1
            let expected = 2 + i as u64;
            while t.lock().next_ticket < expected {
                std::thread::yield_now();
            }
        }
        for k in 0..5 {
            // let the k-th head fall asleep on the clock, then move time
            while clock.sleeps().len() <= k || clock.sleepers() == 0 {
                std::thread::yield_now();
            }
            clock.advance(Duration::from_secs(1));
            // the woken thread records itself before time moves again
            while order.lock().unwrap().len() <= k {
                std::thread::yield_now();
            }
        }
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }
}
