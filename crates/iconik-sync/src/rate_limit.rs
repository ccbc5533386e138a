//! Rate limiting: client-side pacing, proactive throttling from iconik's
//! `RateLimit-*` headers, and the retry policy with its budget.
//!
//! Three layers, shared by every clone of a client:
//!
//! 1. **Pacing.** Before each send, wait (in arrival order) for a slot under
//!    every configured [`Rate`]: an exact sliding log ([`Throttle`]), so no
//!    window ever holds more sends than its limit.
//! 2. **Proactive throttling.** `RateLimit-Remaining` is iconik's count for
//!    the credentials, whoever uses them. When the share used passes
//!    `proactive_throttling_threshold` and other users of the same
//!    credentials account for part of it (iconik's count less our own
//!    counted sends), this client takes the share they leave and spreads
//!    its sends evenly over the window at that rate (never more than
//!    `max_proactive_delay` apart). Like congestion control it backs off
//!    fast (to a lower share at once; by a factor on a 429) and climbs back
//!    slowly (halfway, once per window), so clients sharing credentials do
//!    not burst in step.
//! 3. **Retry.** See [`crate::retry`]; a token bucket (the retry budget)
//!    stops retry storms against a failing server.
//!
//! The pacer's log is the client's own unless the client was given a
//! [`SharedLimiter`] (`ClientBuilder::shared_limiter`): then each send also
//! reserves its slot there, so every client of the credential, in any
//! process on any machine, counts against one log. See [`SharedLimiter`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

mod shared;
pub use shared::{LocalLimiter, Reservation, SharedLimiter};

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::response::Headers;
use crate::retry::{self, Outcome, RetryReason, RetryState};
use crate::throttle::{Rate, Throttle};

/// Rate-limit and retry settings: every knob aiopythonik has, plus the
/// client-side limits. Public fields, `Default`, chainable setters.
///
/// The default is safe against iconik: it paces at iconik's published
/// limits (50/s and 1000/20 s) and retries 429s, 502-504s and transport
/// failures as [`crate::retry`] describes.
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::RateLimitConfig;
/// let config = RateLimitConfig::default()
///     .max_retries(8)
///     .initial_backoff(Duration::from_millis(500))
///     .limits(vec!["40/s".parse().unwrap()]);
/// assert_eq!(config.max_retries, 8);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// Retries after the first attempt (default 6). 0 disables retrying.
    pub max_retries: u32,
    /// First backoff wait (default 1 s).
    pub initial_backoff: Duration,
    /// Largest backoff wait (default 30 s).
    pub max_backoff: Duration,
    /// Growth of the wait per retry (default 2.0).
    pub backoff_factor: f64,
    /// Randomise waits to `[d/2, d]` so clients do not retry in lockstep
    /// (default true).
    pub jitter: bool,
    /// Slow down from `RateLimit-Remaining` before iconik answers 429
    /// (default true).
    pub enable_proactive_throttling: bool,
    /// Share of the quota used before proactive slowing starts (default 0.8).
    pub proactive_throttling_threshold: f64,
    /// Longest gap proactive throttling puts between two sends (default 5 s).
    pub max_proactive_delay: Duration,
    /// Client-side limits (default iconik's `50/s` and `1000/20s`).
    pub limits: Vec<Rate>,
    /// Added to every pacing window (default 25 ms). The pacer counts a
    /// request when it is sent, iconik when it arrives; if an early
    /// request travels slower than a later one, iconik can see one more in
    /// its window than was sent in ours. The margin absorbs that jitter at
    /// a cost of `margin / window` of throughput (2.5% for a 1 s window).
    /// It adapts: each 429 widens it by 25 ms (up to 250 ms), each success
    /// narrows it by 0.1 ms, never below this value.
    pub window_margin: Duration,
    /// Cap on a server's `Retry-After` (default 60 s).
    pub max_retry_after: Duration,
    /// Total time one call may spend waiting out 429s (default 300 s).
    /// 429 retries do not count against `max_retries`: a 429 means "wait",
    /// not "failed", so a busy shared quota delays a call but does not lose
    /// it. Zero turns 429 retries off.
    pub max_rate_limit_wait: Duration,
    /// Size of the retry budget in tokens (default 500; `None` for no
    /// budget). A retry after a 5xx or transport failure costs 5 tokens, one
    /// after a timeout 10; each success returns 1. 429 retries are free.
    pub retry_budget: Option<u32>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            max_retries: 6,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            backoff_factor: 2.0,
            jitter: true,
            enable_proactive_throttling: true,
            proactive_throttling_threshold: 0.8,
            max_proactive_delay: Duration::from_secs(5),
            limits: iconik_limits(),
            window_margin: Duration::from_millis(25),
            max_retry_after: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(300),
            retry_budget: Some(500),
        }
    }
}

/// iconik's published limits per App-ID + Auth-Token: 50/s and 1000/20 s.
pub fn iconik_limits() -> Vec<Rate> {
    vec![
        Rate {
            count: 50,
            per: Duration::from_secs(1),
        },
        Rate {
            count: 1000,
            per: Duration::from_secs(20),
        },
    ]
}

macro_rules! setters {
    ($( $(#[$m:meta])* $field:ident : $ty:ty ),* $(,)?) => {
        impl RateLimitConfig {
            $(
                $(#[$m])*
                pub fn $field(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// Sets [`max_retries`](Self::max_retries).
    max_retries: u32,
    /// Sets [`initial_backoff`](Self::initial_backoff).
    initial_backoff: Duration,
    /// Sets [`max_backoff`](Self::max_backoff).
    max_backoff: Duration,
    /// Sets [`backoff_factor`](Self::backoff_factor).
    backoff_factor: f64,
    /// Sets [`jitter`](Self::jitter).
    jitter: bool,
    /// Sets [`enable_proactive_throttling`](Self::enable_proactive_throttling).
    enable_proactive_throttling: bool,
    /// Sets [`proactive_throttling_threshold`](Self::proactive_throttling_threshold).
    proactive_throttling_threshold: f64,
    /// Sets [`max_proactive_delay`](Self::max_proactive_delay).
    max_proactive_delay: Duration,
    /// Sets [`limits`](Self::limits).
    limits: Vec<Rate>,
    /// Sets [`window_margin`](Self::window_margin).
    window_margin: Duration,
    /// Sets [`max_retry_after`](Self::max_retry_after).
    max_retry_after: Duration,
    /// Sets [`max_rate_limit_wait`](Self::max_rate_limit_wait).
    max_rate_limit_wait: Duration,
    /// Sets [`retry_budget`](Self::retry_budget).
    retry_budget: Option<u32>,
}

impl RateLimitConfig {
    /// No pacing, no proactive delay, no retries: each call is sent once.
    pub fn disabled() -> Self {
        RateLimitConfig {
            max_retries: 0,
            max_rate_limit_wait: Duration::ZERO,
            enable_proactive_throttling: false,
            limits: Vec::new(),
            retry_budget: None,
            ..Self::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |why: &str| Err(Error::Config(format!("rate limit: {why}")));
        if !(self.backoff_factor.is_finite() && self.backoff_factor >= 1.0) {
            return bad("backoff_factor must be a finite number >= 1.0");
        }
        if !(0.0..=1.0).contains(&self.proactive_throttling_threshold) {
            return bad("proactive_throttling_threshold must be within 0.0..=1.0");
        }
        if self.initial_backoff > self.max_backoff {
            return bad("initial_backoff must not exceed max_backoff");
        }
        Ok(())
    }
}

/// What proactive throttling looks at after each answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetReading {
    /// `RateLimit-Remaining`.
    pub remaining: u32,
    /// The quota the remaining count belongs to (`RateLimit-Limit`, else the
    /// largest configured limit).
    pub limit: u32,
    /// Time over which the remaining budget must last: `RateLimit-Reset`
    /// when sent, else the window of that quota.
    pub window: Duration,
    /// How many of the used requests in that window were this client's.
    pub own_recent: u32,
}

/// The gap proactive throttling puts between this client's sends, for one
/// budget reading.
///
/// Zero while the used share is under the threshold, or while this client
/// alone accounts for the use (its own pacer already keeps it under the
/// limit). Otherwise others are using the same credentials: this client's
/// share of the window is what they leave, `limit - others - 1`, and its
/// sends are spread evenly over the window at that rate,
/// `gap = window / share`, never more than `max_proactive_delay`. Several
/// clients doing the same converge on the limit together without
/// exhausting it; as the others' use falls the share grows and the gap
/// shrinks back to zero.
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::{rate_limit::{proactive_delay, BudgetReading}, RateLimitConfig};
/// let c = RateLimitConfig::default();
/// let reading = |remaining, own_recent| BudgetReading {
///     remaining, limit: 1000, window: Duration::from_secs(20), own_recent };
/// assert_eq!(proactive_delay(&c, reading(500, 0)), Duration::ZERO);   // 50% used
/// assert_eq!(proactive_delay(&c, reading(100, 900)), Duration::ZERO); // all ours
/// // 900 used, 599 by others: a share of 400 per 20 s, one send per 50 ms
/// assert_eq!(proactive_delay(&c, reading(100, 301)), Duration::from_millis(50));
/// ```
pub fn proactive_delay(config: &RateLimitConfig, reading: BudgetReading) -> Duration {
    match proactive_share(config, reading) {
        Some(share) => gap_for(config, reading.window, share),
        None => Duration::ZERO,
    }
}

/// This client's share of the window for a reading, `None` when it need
/// not hold back (see [`proactive_delay`]).
fn proactive_share(config: &RateLimitConfig, reading: BudgetReading) -> Option<f64> {
    if !config.enable_proactive_throttling || reading.limit == 0 {
        return None;
    }
    let limit = f64::from(reading.limit);
    let used = limit - f64::from(reading.remaining.min(reading.limit));
    // others' use of the same credentials: what the server counted beyond
    // our own sends, with 2% of the quota tolerated for timing skew
    let others = used - f64::from(reading.own_recent);
    if used / limit < config.proactive_throttling_threshold || others <= limit * 0.02 {
        return None;
    }
    Some((limit - others - 1.0).max(1.0))
}

/// The gap that spreads `share` sends evenly over `window`, capped.
fn gap_for(config: &RateLimitConfig, window: Duration, share: f64) -> Duration {
    Duration::try_from_secs_f64(window.as_secs_f64() / share.max(1.0))
        .unwrap_or(config.max_proactive_delay)
        .min(config.max_proactive_delay)
}

/// How far the share moves up toward a higher reading, once per window.
/// Every client recomputes its share from the others' use, which reacts to
/// its own with a lag of one window: moved all the way, and more often than
/// once a window, the shares of N clients swing around the fair split
/// instead of settling on it. Half the way, once per window, they settle.
const SHARE_SMOOTHING: f64 = 0.5;

/// What a 429 leaves of the share, at once (at most once per tenth of a
/// window, so a burst of refusals counts once). Refusals mean the clients
/// together overshot: backing off fast and climbing back slowly keeps them
/// from bursting in step after a shared `Retry-After`.
const SHARE_BACKOFF: f64 = 0.85;

/// Where the share moves after a reading, or `None` to leave it: down at
/// once (to a lower target, or by [`SHARE_BACKOFF`] on a 429, counted once
/// per tenth of a window), up halfway toward a higher target once per
/// window. `current` is `None` while the client takes the whole limit.
fn next_share(
    current: Option<f64>,
    full: f64,
    target: Option<f64>,
    refused: bool,
    since_moved: Option<Duration>,
    window: Duration,
) -> Option<f64> {
    let now_share = current.unwrap_or(full);
    let share = if refused {
        let calm = since_moved.is_none_or(|d| d >= window / 10);
        calm.then(|| target.unwrap_or(now_share).min(now_share) * SHARE_BACKOFF)?
    } else {
        match target {
            Some(t) if t < now_share => t,
            t if current.is_some() && since_moved.is_none_or(|d| d >= window) => {
                now_share + SHARE_SMOOTHING * (t.unwrap_or(full) - now_share)
            }
            _ => return None,
        }
    };
    Some(share.max(1.0))
}

/// The per-client limiter: pacer, proactive gap and retry budget.
pub(crate) struct RateLimiter {
    config: RateLimitConfig,
    pacer: Option<Throttle>,
    /// A log shared with other clients, and this client's key in it.
    shared: Option<(Arc<dyn SharedLimiter>, String)>,
    clock: Arc<dyn Clock>,
    state: Mutex<LimiterState>,
}

struct LimiterState {
    budget: f64,
    rng: fastrand::Rng,
    highest_remaining: u32,
    /// When our recent 429s came back: sends iconik did not count.
    refused: std::collections::VecDeque<Duration>,
    /// The smoothed share of the window this client takes (`None`: no
    /// reading has asked it to hold back yet).
    share: Option<f64>,
    /// When the share last moved: it moves at most once per window.
    share_moved: Option<Duration>,
}

/// How much a 429 widens the pacing margin, and a success narrows it.
const MARGIN_WIDEN: Duration = Duration::from_millis(25);
const MARGIN_NARROW: Duration = Duration::from_micros(100);
/// The widest the adaptive margin gets.
const MARGIN_MAX: Duration = Duration::from_millis(250);

const RETRY_COST: f64 = 5.0;
const TIMEOUT_RETRY_COST: f64 = 10.0;
const SUCCESS_REFUND: f64 = 1.0;

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig, clock: Arc<dyn Clock>) -> Self {
        let pacer = (!config.limits.is_empty() || config.enable_proactive_throttling).then(|| {
            let throttle = Throttle::with_rates(&config.limits, clock.clone());
            throttle.set_extra_window(config.window_margin);
            throttle
        });
        let budget = config.retry_budget.map_or(f64::INFINITY, f64::from);
        RateLimiter {
            pacer,
            shared: None,
            clock,
            state: Mutex::new(LimiterState {
                budget,
                rng: fastrand::Rng::new(),
                highest_remaining: 0,
                refused: std::collections::VecDeque::new(),
                share: None,
                share_moved: None,
            }),
            config,
        }
    }

    pub(crate) fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Blocks until this send is allowed by every limit and the proactive
    /// gap, and by the shared limiter when there is one.
    pub(crate) fn before_send(&self) {
        match (&self.pacer, &self.shared) {
            (Some(pacer), Some((limiter, key))) => {
                pacer.tick_with(&mut |rates| self.shared_wait(&**limiter, key, rates));
            }
            (Some(pacer), None) => pacer.tick(),
            (None, _) => {}
        }
    }

    /// Reads iconik's budget headers and adjusts the proactive gap.
    pub(crate) fn after_response(&self, status: u16, headers: &Headers) {
        let Some(pacer) = &self.pacer else { return };
        if !self.config.enable_proactive_throttling || self.fleet_counted(pacer) {
            return;
        }
        let now = self.clock.now();
        let longest = self.config.limits.iter().map(|r| r.per).max();
        let number = |name: &str| headers.get(name).and_then(|v| v.trim().parse::<u32>().ok());
        let (highest, refused_log) = {
            let mut state = self.lock();
            if status == 429 {
                state.refused.push_back(now);
            }
            let keep = longest.unwrap_or(Duration::from_secs(1));
            while state.refused.front().is_some_and(|&t| t + keep <= now) {
                state.refused.pop_front();
            }
            if let Some(remaining) = number("ratelimit-remaining") {
                state.highest_remaining = state.highest_remaining.max(remaining);
            }
            (state.highest_remaining, state.refused.clone())
        };
        let Some(remaining) = number("ratelimit-remaining") else {
            return;
        };
        let configured_max = self.config.limits.iter().max_by_key(|r| r.count);
        let limit = number("ratelimit-limit")
            .or(configured_max.map(|r| r.count))
            .unwrap_or(highest);
        if limit == 0 {
            return;
        }
        let matching = self.config.limits.iter().position(|r| r.count == limit);
        let window = number("ratelimit-reset")
            .map(|s| Duration::from_secs(u64::from(s)))
            .or(matching.map(|i| self.config.limits[i].per))
            .or(configured_max.map(|r| r.per))
            .unwrap_or(Duration::from_secs(1));
        // our sends that iconik counted: those in the window, less the
        // ones it refused (a 429 is not counted against the quota)
        let own_recent = match matching {
            Some(i) => {
                let per = self.config.limits[i].per;
                let refused = refused_log.iter().filter(|&&t| t + per > now).count() as u32;
                pacer.recent(i).saturating_sub(refused)
            }
            // no pacing window to compare with: others cannot be told apart
            None => 0,
        };
        let reading = BudgetReading {
            remaining,
            limit,
            window,
            own_recent,
        };
        // move the smoothed share toward this reading's (the whole limit
        // when it need not hold back); no gap once it is back near the limit
        let target = proactive_share(&self.config, reading);
        let gap = {
            let mut state = self.lock();
            let since = state.share_moved.map(|t| now.saturating_sub(t));
            let full = f64::from(limit);
            if let Some(share) = next_share(state.share, full, target, status == 429, since, window)
            {
                state.share = (share < full - 0.5).then_some(share);
                state.share_moved = Some(now);
            }
            state
                .share
                .map_or(Duration::ZERO, |s| gap_for(&self.config, window, s))
        };
        if gap != pacer.min_gap() {
            log::debug!("proactive throttling: {remaining}/{limit} left, gap now {gap:?}");
            pacer.set_min_gap(gap);
        }
    }

    /// Moves the pacer's jitter margin, within `[window_margin, MARGIN_MAX]`.
    fn adapt_margin(&self, step: impl FnOnce(Duration) -> Duration) {
        if let Some(pacer) = &self.pacer {
            let base = self.config.window_margin;
            let now = pacer.extra_window();
            let next = step(now).clamp(base, MARGIN_MAX.max(base));
            if next != now {
                pacer.set_extra_window(next);
            }
        }
    }

    /// The pacer's current jitter margin.
    #[cfg(test)]
    fn margin(&self) -> Duration {
        self.pacer
            .as_ref()
            .map_or(Duration::ZERO, Throttle::extra_window)
    }

    /// The retry decision for one attempt, charging the retry budget and
    /// recording the retry in `retries`.
    pub(crate) fn decide(
        &self,
        class: impl Into<retry::RetryClass>,
        outcome: &Outcome,
        retries: &mut RetryState,
    ) -> Option<Duration> {
        let mut state = self.lock();
        let random = state.rng.f64();
        if let Outcome::Status {
            status: 200..=299, ..
        } = outcome
        {
            if let Some(cap) = self.config.retry_budget {
                state.budget = (state.budget + SUCCESS_REFUND).min(f64::from(cap));
            }
            self.adapt_margin(|m| m.saturating_sub(MARGIN_NARROW));
            return None;
        }
        if let Outcome::Status { status: 429, .. } = outcome {
            self.adapt_margin(|m| m + MARGIN_WIDEN);
        }
        let (reason, wait) = retry::decide(&self.config, class, outcome, retries, random)?;
        let cost = match (reason, outcome) {
            (RetryReason::RateLimited, _) => 0.0,
            (_, Outcome::Failed { .. }) => TIMEOUT_RETRY_COST,
            _ => RETRY_COST,
        };
        if state.budget < cost {
            log::debug!("retry budget exhausted: not retrying");
            return None;
        }
        state.budget -= cost;
        retries.record(reason, wait);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::operation::Method;

    fn reading(remaining: u32, own_recent: u32) -> BudgetReading {
        BudgetReading {
            remaining,
            limit: 1000,
            window: Duration::from_secs(20),
            own_recent,
        }
    }

    #[test]
    fn proactive_delay_as_a_function_of_remaining() {
        let c = RateLimitConfig::default();
        let gap = |share: f64| Duration::from_secs_f64(20.0 / share);
        // below the threshold: no delay, whoever used it
        for r in [1000, 600, 201] {
            assert_eq!(proactive_delay(&c, reading(r, 0)), Duration::ZERO, "{r}");
        }
        // used by this client alone: its pacer already guards the limit
        assert_eq!(proactive_delay(&c, reading(10, 990)), Duration::ZERO);
        // shared: the gap grows smoothly and monotonically as the budget falls
        let mut last = Duration::ZERO;
        for r in (0..=200).rev() {
            let d = proactive_delay(&c, reading(r, 0));
            assert!(d >= last, "not monotonic at {r}: {d:?} < {last:?}");
            assert!(d <= c.max_proactive_delay);
            last = d;
        }
        // exact points: window / (limit - others - 1)
        assert_eq!(proactive_delay(&c, reading(200, 0)), gap(199.0));
        assert_eq!(proactive_delay(&c, reading(100, 0)), gap(99.0));
        assert_eq!(proactive_delay(&c, reading(100, 450)), gap(549.0));
        assert_eq!(proactive_delay(&c, reading(0, 0)), c.max_proactive_delay);
        // three clients sharing evenly at the limit: each gets a third
        assert_eq!(proactive_delay(&c, reading(0, 333)), gap(332.0));
        // recovers
        assert_eq!(proactive_delay(&c, reading(900, 0)), Duration::ZERO);
        // off switch
        let off = c.clone().enable_proactive_throttling(false);
        assert_eq!(proactive_delay(&off, reading(0, 0)), Duration::ZERO);
    }

    #[test]
    fn headers_drive_the_pacer_gap_and_garbage_is_ignored() {
        let clock = Arc::new(FakeClock::new());
        let limiter = RateLimiter::new(RateLimitConfig::default(), clock.clone());
        let h = |pairs: &[(&str, &str)]| Headers::from_pairs(pairs.iter().copied());
        let gap = |l: &RateLimiter| l.pacer.as_ref().unwrap().min_gap();
        let window = || clock.advance(Duration::from_secs(20));
        // 900 of 1000 used by others: down to a share of 99 per 20 s at once
        let share_99 = Duration::from_secs_f64(20.0 / 99.0);
        limiter.after_response(200, &h(&[("RateLimit-Remaining", "100")]));
        assert_eq!(gap(&limiter), share_99);
        // malformed or absent headers change nothing
        for junk in ["", "-5", "lots", "1e3"] {
            limiter.after_response(200, &h(&[("RateLimit-Remaining", junk)]));
            assert_eq!(gap(&limiter), share_99, "{junk:?}");
        }
        limiter.after_response(200, &h(&[]));
        assert_eq!(gap(&limiter), share_99);
        // recovery: halfway back up, at most once per window
        let plenty = h(&[("RateLimit-Remaining", "990")]);
        window();
        limiter.after_response(200, &plenty);
        assert_eq!(gap(&limiter), Duration::from_secs_f64(20.0 / 549.5));
        limiter.after_response(200, &plenty);
        assert_eq!(
            gap(&limiter),
            Duration::from_secs_f64(20.0 / 549.5),
            "same window"
        );
        for _ in 0..12 {
            window();
            limiter.after_response(200, &plenty);
        }
        assert_eq!(gap(&limiter), Duration::ZERO, "back to the whole limit");
        // Limit and Reset headers are used when present: 45 of 50 used by
        // others within the 1 s reset, a share of 4
        let tight = h(&[
            ("RateLimit-Remaining", "5"),
            ("RateLimit-Limit", "50"),
            ("RateLimit-Reset", "1"),
        ]);
        limiter.after_response(200, &tight);
        assert_eq!(gap(&limiter), Duration::from_millis(250));
        // a 429 backs off from there at once, counted once per burst
        clock.advance(Duration::from_millis(100));
        limiter.after_response(429, &tight);
        let backed_off = Duration::from_secs_f64(1.0 / (4.0 * SHARE_BACKOFF));
        assert_eq!(gap(&limiter), backed_off);
        limiter.after_response(429, &tight);
        assert_eq!(gap(&limiter), backed_off, "the same burst");
    }

    #[test]
    fn refused_sends_do_not_count_as_ours() {
        let clock = Arc::new(FakeClock::new());
        let config = RateLimitConfig::default().limits(vec!["50/s".parse().unwrap()]);
        let limiter = RateLimiter::new(config, clock.clone());
        for _ in 0..20 {
            limiter.before_send();
        }
        let full = Headers::from_pairs([("RateLimit-Remaining", "0"), ("RateLimit-Limit", "50")]);
        // 10 of our 20 sends were refused: iconik counted 10 of ours, so
        // others used 40 of 50 and our share settles at 50 - 40 - 1 = 9
        for _ in 0..10 {
            limiter.after_response(429, &full);
        }
        // the sends stay in the window: move the share with readings only
        for _ in 0..30 {
            clock.advance(Duration::from_millis(20));
            limiter.lock().share_moved = None;
            limiter.after_response(200, &full);
        }
        let gap = limiter.pacer.as_ref().unwrap().min_gap().as_secs_f64();
        assert!((gap * 9.0 - 1.0).abs() < 0.01, "{gap}");
    }

    #[test]
    fn shares_of_three_clients_settle_on_the_limit() {
        // three clients, each reading the last window's use once per window
        // and moving its share by the limiter's rule: starting from the
        // whole limit each, they fall into a bounded back-off/climb cycle
        // that keeps the quota nearly full with little overshoot
        let c = RateLimitConfig::default();
        let (limit, window) = (50u32, Duration::from_secs(1));
        let full = f64::from(limit);
        let mut shares: [Option<f64>; 3] = [None; 3];
        let mut totals = Vec::new();
        for _ in 0..100 {
            let rates: Vec<f64> = shares.iter().map(|s| s.unwrap_or(full)).collect();
            let demand: f64 = rates.iter().sum();
            let admitted = (full / demand).min(1.0);
            let used = (demand * admitted).round().min(full) as u32;
            let refused = demand > full;
            for (share, rate) in shares.iter_mut().zip(&rates) {
                let reading = BudgetReading {
                    remaining: limit - used,
                    limit,
                    window,
                    own_recent: (rate * admitted).round() as u32,
                };
                let target = proactive_share(&c, reading);
                if let Some(next) = next_share(*share, full, target, refused, Some(window), window)
                {
                    *share = (next < full - 0.5).then_some(next);
                }
            }
            totals.push(demand);
        }
        let tail = &totals[totals.len() - 30..];
        let used = tail.iter().map(|d| d.min(full)).sum::<f64>() / tail.len() as f64;
        let worst = tail.iter().fold(0.0f64, |m, &d| m.max(d));
        assert!(used >= 0.88 * full, "only {used} of {full} used: {tail:?}");
        assert!(worst <= 1.1 * full, "overshoot to {worst}: {tail:?}");
    }

    #[test]
    fn a_429_widens_the_margin_and_successes_narrow_it_back() {
        let limiter = RateLimiter::new(RateLimitConfig::default(), Arc::new(FakeClock::new()));
        let limited = Outcome::Status {
            status: 429,
            retry_after: None,
        };
        let ok = Outcome::Status {
            status: 200,
            retry_after: None,
        };
        assert_eq!(limiter.margin(), Duration::from_millis(25));
        limiter.decide(Method::Get, &limited, &mut RetryState::default());
        limiter.decide(Method::Get, &limited, &mut RetryState::default());
        assert_eq!(limiter.margin(), Duration::from_millis(75));
        for _ in 0..20 {
            limiter.decide(Method::Get, &limited, &mut RetryState::default());
        }
        assert_eq!(limiter.margin(), MARGIN_MAX);
        for _ in 0..100 {
            limiter.decide(Method::Get, &ok, &mut RetryState::default());
        }
        assert_eq!(limiter.margin(), Duration::from_millis(240));
        for _ in 0..10_000 {
            limiter.decide(Method::Get, &ok, &mut RetryState::default());
        }
        assert_eq!(
            limiter.margin(),
            Duration::from_millis(25),
            "never below the base"
        );
    }

    #[test]
    fn retry_budget_stops_storms_and_refills() {
        let clock = Arc::new(FakeClock::new());
        let config = RateLimitConfig::default()
            .retry_budget(Some(20))
            .max_retries(100);
        let limiter = RateLimiter::new(config, clock);
        let unavailable = Outcome::Status {
            status: 503,
            retry_after: None,
        };
        let ok = Outcome::Status {
            status: 200,
            retry_after: None,
        };
        let rate_limited = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(1)),
        };
        let granted = (1..=10)
            .filter(|&a| {
                let mut state = RetryState {
                    retries: a - 1,
                    ..RetryState::default()
                };
                limiter
                    .decide(Method::Get, &unavailable, &mut state)
                    .is_some()
            })
            .count();
        assert_eq!(granted, 4, "20 tokens at 5 per retry");
        // 429 retries are free even with an empty budget
        assert!(limiter
            .decide(Method::Get, &rate_limited, &mut RetryState::default())
            .is_some());
        for _ in 0..5 {
            limiter.decide(Method::Get, &ok, &mut RetryState::default());
        }
        assert!(limiter
            .decide(Method::Get, &unavailable, &mut RetryState::default())
            .is_some());
    }
}
