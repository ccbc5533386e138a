//! [`SharedLimiter`]: where the pacer's sliding log lives when several
//! clients (threads, processes, machines) share one credential.
//!
//! iconik counts requests per App-ID + Auth-Token, whoever sends them. One
//! client paces itself exactly; clients that are distinct objects, in other
//! processes or on other machines, each see only their own sends. A
//! `SharedLimiter` keeps one log for all of them: before each send the
//! pacer asks it to reserve a slot under every rate, and waits as long as
//! it says when there is none.
//!
//! * By default a client keeps its log in its own pacer: the in-process
//!   exact sliding log, shared by every clone of the client.
//! * [`LocalLimiter`] is that same log as a value, to share one limit
//!   between distinct clients in one process.
//! * `iconik_redis::RedisLimiter` (the `iconik-redis` crate) keeps it in
//!   Redis, for processes on many machines.
//!
//! ```no_run
//! use iconik_sync::{rate_limit::LocalLimiter, Client};
//! # fn main() -> iconik_sync::Result<()> {
//! let limiter = LocalLimiter::new();
//! // two clients with the same credentials, one limit between them
//! let a = Client::builder().app_id("app").auth_token("token")
//!     .shared_limiter(limiter.clone()).build()?;
//! let b = Client::builder().app_id("app").auth_token("token")
//!     .shared_limiter(limiter).build()?;
//! # let _ = (a, b); Ok(()) }
//! ```

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::RateLimiter;
use crate::clock::{Clock, SystemClock};
use crate::throttle::{Rate, Throttle};

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// A slot was taken for this send: send now.
    Granted,
    /// No slot now; ask again after this long (the pacer adds a little
    /// random jitter so that waiting processes do not all ask at once).
    Wait(Duration),
}

/// The shared state of the pacer: a log of sends per credential that many
/// clients consult and update.
///
/// An implementation must be exact: after it grants a send for `key`, no
/// window `rate.per` (as given in that call) holds more than `rate.count`
/// grants for `key`. The pacer asks only for its own credential, one
/// send at a time per client (in arrival order among the client's
/// threads), and keeps its own log too, so a limiter that is unreachable
/// can never make a single client exceed the limits.
///
/// `reserve` must not block for long and must not fail: when its backing
/// store is unavailable it decides locally (see `iconik-redis` for one
/// way). The pacer caps any single wait at the longest window.
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::rate_limit::{LocalLimiter, Reservation, SharedLimiter};
/// use iconik_sync::Rate;
/// let limiter = LocalLimiter::new();
/// let key = limiter.key("app-id", "auth-token");
/// assert!(!key.contains("auth-token"));
/// let rates = [Rate::new(1, Duration::from_secs(60)).unwrap()];
/// assert_eq!(limiter.reserve(&key, &rates), Reservation::Granted);
/// assert!(matches!(limiter.reserve(&key, &rates), Reservation::Wait(_)));
/// ```
pub trait SharedLimiter: Send + Sync {
    /// The key one credential's sends are counted under. Called once when
    /// a client is built. It must not contain or reveal the token: derive
    /// it with a one-way (preferably keyed) hash of both parts.
    fn key(&self, app_id: &str, auth_token: &str) -> String;

    /// Reserves one send now for `key` under every one of `rates`, or says
    /// how long to wait before asking again.
    fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation;

    /// True while this limiter counts every sender of the credential (a
    /// fleet's shared log that is up). The pacer then turns proactive
    /// throttling off: iconik's `RateLimit-Remaining` would only show the
    /// fleet's own sends, which the log already paces exactly, and holding
    /// back for them as if they were strangers' would waste the quota.
    /// Default: false (others may send outside this limiter).
    fn counts_every_sender(&self) -> bool {
        false
    }
}

impl<L: SharedLimiter + ?Sized> SharedLimiter for Arc<L> {
    fn key(&self, app_id: &str, auth_token: &str) -> String {
        (**self).key(app_id, auth_token)
    }
    fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation {
        (**self).reserve(key, rates)
    }
    fn counts_every_sender(&self) -> bool {
        (**self).counts_every_sender()
    }
}

/// Most jitter added to a shared limiter's wait, in microseconds.
const SHARED_JITTER_US: u64 = 2_000;
/// Shortest wait before asking a shared limiter again.
const SHARED_MIN_WAIT: Duration = Duration::from_micros(100);

impl RateLimiter {
    /// Counts this client's sends in `limiter` too, under `key`.
    pub(crate) fn with_shared(mut self, limiter: Arc<dyn SharedLimiter>, key: String) -> Self {
        self.shared = Some((limiter, key));
        self
    }

    /// One reservation in the shared limiter: `None` when granted, else the
    /// wait (capped at the longest window) plus up to 2 ms of jitter, so
    /// that waiting processes ask again spread out, roughly in the order
    /// they began waiting.
    pub(super) fn shared_wait(
        &self,
        limiter: &dyn SharedLimiter,
        key: &str,
        rates: &[Rate],
    ) -> Option<Duration> {
        if rates.is_empty() {
            // no client-side limits (proactive throttling only): nothing to share
            return None;
        }
        match limiter.reserve(key, rates) {
            Reservation::Granted => None,
            Reservation::Wait(wait) => {
                let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
                let jitter = Duration::from_micros(self.lock().rng.u64(0..=SHARED_JITTER_US));
                Some(wait.min(longest).max(SHARED_MIN_WAIT) + jitter)
            }
        }
    }

    /// True when the shared limiter counts the whole fleet: proactive
    /// throttling stands down (and lets go of any gap it had set).
    pub(super) fn fleet_counted(&self, pacer: &Throttle) -> bool {
        let counted = self
            .shared
            .as_ref()
            .is_some_and(|(limiter, _)| limiter.counts_every_sender());
        if counted && !pacer.min_gap().is_zero() {
            self.lock().share = None;
            pacer.set_min_gap(Duration::ZERO);
        }
        counted
    }
}

/// The exact sliding log, in this process: the last grants per key.
///
/// A grant is allowed when, for every rate `n/w`, the `n`-th most recent
/// grant is at least `w` old: then no window of length `w` ever holds more
/// than `n` grants. Keys are hashed with a per-limiter random key, so the
/// token is never kept.
///
/// Cheap to clone; clones share the log.
///
/// ```
/// use iconik_sync::rate_limit::LocalLimiter;
/// let limiter = LocalLimiter::new();
/// let same = limiter.clone(); // one log
/// # let _ = same;
/// ```
#[derive(Clone)]
pub struct LocalLimiter {
    inner: Arc<LocalInner>,
}

struct LocalInner {
    clock: Arc<dyn Clock>,
    hasher: RandomState,
    logs: Mutex<HashMap<String, VecDeque<Duration>>>,
}

impl fmt::Debug for LocalLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.lock().len();
        f.debug_struct("LocalLimiter")
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

impl Default for LocalLimiter {
    fn default() -> Self {
        LocalLimiter::new()
    }
}

impl LocalLimiter {
    /// An empty log on the system clock.
    pub fn new() -> LocalLimiter {
        LocalLimiter::with_clock(Arc::new(SystemClock))
    }

    /// An empty log on `clock` (tests use a fake one).
    pub fn with_clock(clock: Arc<dyn Clock>) -> LocalLimiter {
        LocalLimiter {
            inner: Arc::new(LocalInner {
                clock,
                hasher: RandomState::new(),
                logs: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Duration>>> {
        self.inner
            .logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// When the next grant is allowed for a log of grant times (oldest first)
/// under `rates`, or `None` when it is allowed now. Shared by
/// [`LocalLimiter`] and its tests.
pub(crate) fn next_allowed(
    log: &VecDeque<Duration>,
    rates: &[Rate],
    now: Duration,
) -> Option<Duration> {
    let mut until: Option<Duration> = None;
    for rate in rates {
        let n = rate.count as usize;
        if n == 0 || log.len() < n {
            continue;
        }
        let free_at = log[log.len() - n] + rate.per;
        if free_at > now {
            until = Some(until.map_or(free_at, |u| u.max(free_at)));
        }
    }
    until
}

impl SharedLimiter for LocalLimiter {
    fn key(&self, app_id: &str, auth_token: &str) -> String {
        let hash = self.inner.hasher.hash_one((app_id, auth_token));
        format!("{hash:016x}")
    }

    fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation {
        let now = self.inner.clock.now();
        let keep = rates.iter().map(|r| r.count as usize).max().unwrap_or(0);
        let mut logs = self.lock();
        let log = logs.entry(key.to_owned()).or_default();
        if let Some(at) = next_allowed(log, rates, now) {
            return Reservation::Wait(at - now);
        }
        log.push_back(now);
        while log.len() > keep {
            log.pop_front();
        }
        Reservation::Granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;

    fn rates(list: &[&str]) -> Vec<Rate> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    #[test]
    fn grants_exactly_up_to_each_window_and_says_when() {
        let clock = Arc::new(FakeClock::new());
        let limiter = LocalLimiter::with_clock(clock.clone());
        let key = limiter.key("app", "token");
        let r = rates(&["3/s", "5/10s"]);
        let mut granted = Vec::new();
        for _ in 0..200 {
            match limiter.reserve(&key, &r) {
                Reservation::Granted => granted.push(clock.now()),
                Reservation::Wait(d) => {
                    assert!(d > Duration::ZERO);
                    clock.advance(d);
                }
            }
            if granted.len() == 11 {
                break;
            }
        }
        let s = |ms: u64| Duration::from_millis(ms);
        // 3 at 0, 2 at 1 s (5 in 10 s), then 3 at 10 s, 2 at 11 s, 1 at 20 s
        assert_eq!(
            granted,
            vec![
                s(0),
                s(0),
                s(0),
                s(1000),
                s(1000),
                s(10_000),
                s(10_000),
                s(10_000),
                s(11_000),
                s(11_000),
                s(20_000)
            ]
        );
    }

    #[test]
    fn credentials_are_isolated_and_the_key_hides_the_token() {
        let clock = Arc::new(FakeClock::new());
        let limiter = LocalLimiter::with_clock(clock);
        let a = limiter.key("app", "secret-token-a");
        let b = limiter.key("app", "secret-token-b");
        assert_ne!(a, b);
        assert_eq!(a, limiter.key("app", "secret-token-a"));
        assert!(!a.contains("secret") && !format!("{limiter:?}").contains("secret"));
        let r = rates(&["1/s"]);
        assert_eq!(limiter.reserve(&a, &r), Reservation::Granted);
        assert_eq!(limiter.reserve(&b, &r), Reservation::Granted);
        assert_eq!(
            limiter.reserve(&a, &r),
            Reservation::Wait(Duration::from_secs(1))
        );
    }

    /// Most sends in any window `[t, t + len)` of a sorted log.
    fn most_in(sends: &[Duration], len: Duration) -> usize {
        let mut start = 0;
        (0..sends.len())
            .map(|end| {
                while sends[end] - sends[start] >= len {
                    start += 1;
                }
                end - start + 1
            })
            .max()
            .unwrap_or(0)
    }

    /// Two clients' pacers on one fake clock, taking turns; each send time.
    fn two_pacers_on(clock: Arc<FakeClock>, shared: bool) -> Vec<Duration> {
        use crate::rate_limit::{RateLimitConfig, RateLimiter};
        let config = RateLimitConfig::default().limits(rates(&["10/s", "30/5s"]));
        let log = LocalLimiter::with_clock(clock.clone());
        let pacers: Vec<RateLimiter> = (0..2)
            .map(|_| {
                let pacer = RateLimiter::new(config.clone(), clock.clone());
                let key = log.key("app", "token");
                match shared {
                    true => pacer.with_shared(Arc::new(log.clone()), key),
                    false => pacer,
                }
            })
            .collect();
        let mut sends = Vec::new();
        for i in 0..120 {
            pacers[i % 2].before_send();
            sends.push(clock.now());
        }
        sends
    }

    #[test]
    fn merged_log_of_two_clients_never_exceeds_a_window() {
        let sends = two_pacers_on(Arc::new(FakeClock::new()), true);
        assert!(most_in(&sends, Duration::from_secs(1)) <= 10);
        assert!(most_in(&sends, Duration::from_secs(5)) <= 30);
        // as fast as both rules allow: bursts of 10 at 0, 1 and 2 s in each
        // 5 s, so the 120th send at 3 x 5 + 2 = 17 s, plus the 25 ms margin
        // per window (5 of them) and a little jitter
        let span = sends[119] - sends[0];
        assert!(span >= Duration::from_millis(17_125), "{span:?}");
        assert!(span < Duration::from_millis(17_200), "{span:?}");
        // control: without the shared log each client keeps only its own
        let alone = two_pacers_on(Arc::new(FakeClock::new()), false);
        assert_eq!(most_in(&alone, Duration::from_secs(1)), 20);
    }

    /// Always says "wait an hour".
    struct Stuck;
    impl SharedLimiter for Stuck {
        fn key(&self, _: &str, _: &str) -> String {
            "stuck".into()
        }
        fn reserve(&self, _: &str, _: &[Rate]) -> Reservation {
            Reservation::Wait(Duration::from_secs(3600))
        }
    }

    /// Grants everything and counts the whole fleet.
    struct Fleet;
    impl SharedLimiter for Fleet {
        fn key(&self, _: &str, _: &str) -> String {
            "fleet".into()
        }
        fn reserve(&self, _: &str, _: &[Rate]) -> Reservation {
            Reservation::Granted
        }
        fn counts_every_sender(&self) -> bool {
            true
        }
    }

    #[test]
    fn proactive_throttling_stands_down_only_for_a_limiter_counting_the_fleet() {
        use crate::rate_limit::{RateLimitConfig, RateLimiter};
        use crate::response::Headers;
        let clock = Arc::new(FakeClock::new());
        let low = Headers::from_pairs([("RateLimit-Remaining", "100")]);
        let gap_with = |limiter: Arc<dyn SharedLimiter>| {
            let pacer = RateLimiter::new(RateLimitConfig::default(), clock.clone())
                .with_shared(limiter, "k".into());
            pacer.after_response(200, &low);
            pacer.pacer.as_ref().unwrap().min_gap()
        };
        // 900 of 1000 used by "others": a local log cannot tell, it holds back
        let local = Arc::new(LocalLimiter::with_clock(clock.clone()));
        assert!(gap_with(local) > Duration::ZERO);
        // the fleet's own log knows those were the fleet's: no gap
        assert_eq!(gap_with(Arc::new(Fleet)), Duration::ZERO);
    }

    #[test]
    fn a_wait_is_capped_at_the_longest_window_plus_jitter() {
        use crate::rate_limit::{RateLimitConfig, RateLimiter};
        let clock = Arc::new(FakeClock::new());
        let config = RateLimitConfig::default().limits(rates(&["10/s", "30/5s"]));
        let pacer = RateLimiter::new(config, clock.clone());
        let wait = pacer.shared_wait(&Stuck, "stuck", &rates(&["10/s", "30/5s"]));
        let wait = wait.expect("not granted");
        assert!(wait >= Duration::from_secs(5), "{wait:?}");
        assert!(wait <= Duration::from_millis(5_002), "{wait:?}");
    }
}
