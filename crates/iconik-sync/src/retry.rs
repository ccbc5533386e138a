//! When to send a request again, and how long to wait first.
//!
//! [`decide`] is a pure function of the request's [`RetryClass`], what
//! happened, and the retries made so far; the table tests below pin it
//! down.
//!
//! A 429 is not a fault: iconik refused the request unprocessed and says
//! to wait. 429 retries therefore do not use up `max_retries`; they are
//! bounded by time instead (`max_rate_limit_wait`, the total a call may
//! spend waiting out 429s), so a busy shared quota delays a request but
//! does not lose it. A `Retry-After` of zero (or an HTTP date in the past)
//! waits the backoff instead, and no call makes more than
//! [`MAX_RATE_LIMITED_RETRIES`] 429 retries: a server answering 429
//! forever ends the call within `max_rate_limit_wait` of waiting and that
//! many retries, whatever it sends (even with a zero backoff configured).
//!
//! | outcome                         | idempotent (GET/HEAD/PUT/DELETE, retry-safe POST) | POST/PATCH |
//! |---------------------------------|---------------------|------------|
//! | 429                             | retry               | retry (iconik refused it unprocessed) |
//! | 502, 503, 504                   | retry               | never      |
//! | timeout / reset after sending   | retry               | never      |
//! | refused (never left)            | retry               | retry      |
//! | any other status                | never               | never      |
//!
//! A POST that only reads (iconik's searches) may be marked safe to retry
//! with [`RequestBuilder::retry_safe`](crate::RequestBuilder::retry_safe):
//! it is then classed [`RetryClass::Idempotent`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::operation::Method;
use crate::rate_limit::RateLimitConfig;
use crate::response::Headers;

/// The most 429 retries one call makes, whatever their waits add up to.
pub const MAX_RATE_LIMITED_RETRIES: u32 = 1000;

/// The longest `Retry-After` read from a header (one year); longer values
/// are clamped here, then capped by `max_retry_after` in [`decide`].
pub const MAX_RETRY_AFTER_HEADER: Duration = Duration::from_secs(365 * 86_400);

/// Whether a request may be sent again after it may have reached iconik.
///
/// ```
/// use iconik_sync::retry::RetryClass;
/// use iconik_sync::Method;
/// assert_eq!(RetryClass::from(Method::Get), RetryClass::Idempotent);
/// assert_eq!(RetryClass::from(Method::Post), RetryClass::NonIdempotent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryClass {
    /// Sending it twice has the effect of sending it once: GET, HEAD, PUT,
    /// DELETE, and reads sent as POST that are marked retry-safe.
    Idempotent,
    /// It may act twice if resent (POST, PATCH): resent only when it
    /// provably never left, or after a 429.
    NonIdempotent,
}

impl RetryClass {
    /// The class of an operation sent with `method`, `retry_safe` when it
    /// declared itself safe to resend although its method is not
    /// idempotent.
    pub fn of(method: Method, retry_safe: bool) -> Self {
        if retry_safe || method.is_idempotent() {
            RetryClass::Idempotent
        } else {
            RetryClass::NonIdempotent
        }
    }
}

impl From<Method> for RetryClass {
    fn from(method: Method) -> Self {
        RetryClass::of(method, false)
    }
}

/// What one attempt produced, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// iconik answered with `status`.
    Status {
        /// The HTTP status.
        status: u16,
        /// A valid `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// No answer: transport failure or timeout.
    Failed {
        /// False only when the request provably never left.
        may_have_reached_server: bool,
    },
}

/// The retries one call has made so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryState {
    /// Retries after 5xx answers and transport failures.
    pub retries: u32,
    /// Retries after 429 answers.
    pub rate_limited: u32,
    /// Time spent waiting out 429s.
    pub rate_limited_wait: Duration,
}

impl RetryState {
    /// Records a retry decided by [`decide`].
    pub fn record(&mut self, reason: RetryReason, wait: Duration) {
        match reason {
            RetryReason::RateLimited => {
                self.rate_limited = self.rate_limited.saturating_add(1);
                self.rate_limited_wait = self.rate_limited_wait.saturating_add(wait);
            }
            RetryReason::Unavailable => self.retries = self.retries.saturating_add(1),
        }
    }
}

/// Why an attempt is retried: decides the retry budget's cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// HTTP 429: rate limited (free: it is not a server fault).
    RateLimited,
    /// 502, 503, 504 or a transport failure.
    Unavailable,
}

/// The pure retry decision: `Some((reason, wait))` to retry after `wait`,
/// `None` to stop. `class` is the request's [`RetryClass`] (a [`Method`]
/// converts into its default class); `state` counts the retries made so
/// far; `random` is a uniform sample in `[0, 1)` for jitter.
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::retry::{decide, Outcome, RetryClass, RetryState};
/// use iconik_sync::{Method, RateLimitConfig};
/// let config = RateLimitConfig::default().jitter(false);
/// let unavailable = Outcome::Status { status: 503, retry_after: None };
/// let none = RetryState::default();
/// assert!(decide(&config, Method::Post, &unavailable, &none, 0.0).is_none());
/// // a search is a read sent as POST: marked retry-safe, it is retried
/// let search = RetryClass::of(Method::Post, true);
/// assert!(decide(&config, search, &unavailable, &none, 0.0).is_some());
/// ```
pub fn decide(
    config: &RateLimitConfig,
    class: impl Into<RetryClass>,
    outcome: &Outcome,
    state: &RetryState,
    random: f64,
) -> Option<(RetryReason, Duration)> {
    let idempotent = class.into() == RetryClass::Idempotent;
    // a zero (or past) Retry-After still waits the backoff: retrying at
    // once would never move the call toward its bound
    let server_wait = |ra: Option<Duration>, nth: u32| match ra {
        Some(ra) if !ra.is_zero() => ra.min(config.max_retry_after),
        _ => backoff(config, nth, random),
    };
    match *outcome {
        Outcome::Status {
            status: 429,
            retry_after,
        } => {
            if config.max_rate_limit_wait.is_zero()
                || state.rate_limited >= MAX_RATE_LIMITED_RETRIES
            {
                return None;
            }
            let wait = server_wait(retry_after, state.rate_limited.saturating_add(1));
            let total = state.rate_limited_wait.saturating_add(wait);
            (total <= config.max_rate_limit_wait).then_some((RetryReason::RateLimited, wait))
        }
        _ if state.retries >= config.max_retries => None,
        Outcome::Status {
            status: 502..=504,
            retry_after,
        } if idempotent => Some((
            RetryReason::Unavailable,
            server_wait(retry_after, state.retries + 1),
        )),
        Outcome::Status { .. } => None,
        Outcome::Failed {
            may_have_reached_server,
        } => (idempotent || !may_have_reached_server).then(|| {
            (
                RetryReason::Unavailable,
                backoff(config, state.retries.saturating_add(1), random),
            )
        }),
    }
}

/// Exponential backoff for the retry after `attempt`:
/// `initial * factor^(attempt-1)`, capped at `max_backoff`; with jitter, a
/// uniform value in `[d/2, d]` ("equal jitter": spread out, never zero).
pub fn backoff(config: &RateLimitConfig, attempt: u32, random: f64) -> Duration {
    let exp = config
        .backoff_factor
        .max(1.0)
        .powi(attempt.saturating_sub(1).min(64) as i32);
    let secs = (config.initial_backoff.as_secs_f64() * exp).min(config.max_backoff.as_secs_f64());
    let secs = if config.jitter {
        secs * (0.5 + 0.5 * random.clamp(0.0, 1.0))
    } else {
        secs
    };
    Duration::try_from_secs_f64(secs).unwrap_or(config.max_backoff)
}

/// Reads `Retry-After`: whole non-negative seconds, or an HTTP date (wait =
/// date - now, zero if past). Negative, fractional or garbage values are
/// ignored (`None`). Never panics: values beyond
/// [`MAX_RETRY_AFTER_HEADER`] (digits without end, dates in the year
/// 300000000000) are clamped to it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use iconik_sync::{retry::retry_after, Headers};
/// let h = |v: &str| Headers::from_pairs([("Retry-After", v)]);
/// let now = SystemTime::now();
/// assert_eq!(retry_after(&h("2"), now), Some(Duration::from_secs(2)));
/// assert_eq!(retry_after(&h("soon"), now), None);
/// ```
pub fn retry_after(headers: &Headers, now: SystemTime) -> Option<Duration> {
    let value = headers.get("retry-after")?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // too many digits for a u64 is still "a very long time"
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER_HEADER));
    }
    let date = parse_http_date(value)?;
    Some(
        date.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER_HEADER),
    )
}

/// The latest year [`parse_http_date`] accepts: IMF-fixdate years have
/// four digits.
const MAX_HTTP_DATE_YEAR: i64 = 9999;

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form
/// HTTP/1.1 senders must use. Years outside 1970..=9999 and impossible
/// fields are `None`; it never panics.
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let rest = text.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let m: u64 = hms.next()?.parse().ok()?;
    let s: u64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || s > 60
        || !(1970..=MAX_HTTP_DATE_YEAR).contains(&year)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = u64::try_from(days)
        .ok()?
        .checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + s)?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Formats an IMF-fixdate (used by tests and the emulator-facing helpers).
pub fn format_http_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (y, mo, d) = civil_from_days(days);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(mo - 1) as usize];
    let rem = secs % 86_400;
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> RateLimitConfig {
        RateLimitConfig::default().max_retries(3).jitter(false)
    }

    const GET: Method = Method::Get;
    const POST: Method = Method::Post;

    fn status(s: u16) -> Outcome {
        Outcome::Status {
            status: s,
            retry_after: None,
        }
    }
    const TIMEOUT_AFTER_SEND: Outcome = Outcome::Failed {
        may_have_reached_server: true,
    };
    const REFUSED: Outcome = Outcome::Failed {
        may_have_reached_server: false,
    };

    /// The state before attempt `attempt + 1`, as if every earlier attempt
    /// had failed the same way.
    fn after(attempt: u32) -> RetryState {
        RetryState {
            retries: attempt - 1,
            rate_limited: attempt - 1,
            rate_limited_wait: Duration::from_secs(u64::from(attempt - 1)),
        }
    }

    #[test]
    fn decision_table() {
        use Method::*;
        let methods = [Get, Head, Put, Delete, Post, Patch];
        let outcomes: &[(&str, Outcome)] = &[
            ("429", status(429)),
            ("500", status(500)),
            ("502", status(502)),
            ("503", status(503)),
            ("504", status(504)),
            ("404", status(404)),
            ("400", status(400)),
            ("200", status(200)),
            ("timeout/reset after send", TIMEOUT_AFTER_SEND),
            ("refused", REFUSED),
        ];
        for m in methods {
            for (name, outcome) in outcomes {
                for attempt in 1..=4 {
                    let got = decide(&cfg(), m, outcome, &after(attempt), 0.5).map(|(r, _)| r);
                    let retryable = match *name {
                        "429" => Some(RetryReason::RateLimited),
                        "502" | "503" | "504" | "timeout/reset after send" if m.is_idempotent() => {
                            Some(RetryReason::Unavailable)
                        }
                        "refused" => Some(RetryReason::Unavailable),
                        _ => None,
                    };
                    // max_retries (3) bounds faults; 429s are bounded by time
                    let expected = match retryable {
                        Some(RetryReason::RateLimited) => retryable,
                        _ if attempt <= 3 => retryable,
                        _ => None,
                    };
                    assert_eq!(got, expected, "{m} {name} attempt {attempt}");
                }
            }
        }
    }

    #[test]
    fn post_is_never_resent_after_it_may_have_arrived() {
        for o in [status(502), status(503), status(504), TIMEOUT_AFTER_SEND] {
            assert_eq!(decide(&cfg(), POST, &o, &after(1), 0.0), None);
            assert_eq!(decide(&cfg(), Method::Patch, &o, &after(1), 0.0), None);
        }
        assert!(decide(&cfg(), POST, &REFUSED, &after(1), 0.0).is_some());
    }

    #[test]
    fn rate_limited_retries_are_bounded_by_time_not_count() {
        let c = cfg(); // max_retries 3, max_rate_limit_wait 300 s
        let o = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
        };
        let waited = |secs: u64| RetryState {
            rate_limited: 50,
            rate_limited_wait: Duration::from_secs(secs),
            ..RetryState::default()
        };
        assert!(decide(&c, GET, &o, &waited(298), 0.0).is_some());
        assert_eq!(decide(&c, GET, &o, &waited(299), 0.0), None);
        // 5xx retries are counted separately
        let mut state = waited(10);
        state.retries = 3;
        assert!(decide(&c, GET, &o, &state, 0.0).is_some());
        assert_eq!(decide(&c, GET, &status(503), &state, 0.0), None);
        // turned off
        let off = RateLimitConfig::disabled();
        let zero = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::ZERO),
        };
        assert_eq!(decide(&off, GET, &zero, &RetryState::default(), 0.0), None);
    }

    #[test]
    fn backoff_exact_without_jitter() {
        let c = cfg().max_retries(10);
        let waits: Vec<u64> = (1..=7)
            .map(|a| backoff(&c, a, 0.9).as_millis() as u64)
            .collect();
        assert_eq!(waits, vec![1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        let total: Duration = (1..=3)
            .map(|a| decide(&c, GET, &status(503), &after(a), 0.3).unwrap().1)
            .sum();
        assert_eq!(total, Duration::from_secs(7));
    }

    #[test]
    fn backoff_within_bounds_with_jitter() {
        let c = RateLimitConfig::default().max_retries(10);
        let mut rng = fastrand::Rng::with_seed(7);
        for attempt in 1..=8 {
            let full = backoff(&c.clone().jitter(false), attempt, 0.0);
            for _ in 0..200 {
                let d = backoff(&c, attempt, rng.f64());
                assert!(
                    d >= full / 2 && d <= full,
                    "attempt {attempt}: {d:?} vs {full:?}"
                );
            }
        }
    }

    #[test]
    fn retry_after_values() {
        let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let h = |v: &str| Headers::from_pairs([("Retry-After", v)]);
        assert_eq!(retry_after(&h("2"), now), Some(Duration::from_secs(2)));
        let ahead = format_http_date(now + Duration::from_secs(3));
        assert_eq!(retry_after(&h(&ahead), now), Some(Duration::from_secs(3)));
        let past = format_http_date(now - Duration::from_secs(30));
        assert_eq!(retry_after(&h(&past), now), Some(Duration::ZERO));
        for garbage in [
            "-1",
            "1.0",
            "abc",
            "",
            "2 s",
            "Sun, 06 Nov 1994 08:49:37 PST",
        ] {
            assert_eq!(retry_after(&h(garbage), now), None, "{garbage:?}");
        }
        assert_eq!(retry_after(&Headers::default(), now), None);
        // 86400 is read, then capped by the decision
        assert_eq!(
            retry_after(&h("86400"), now),
            Some(Duration::from_secs(86_400))
        );
        let o = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(86_400)),
        };
        let c = cfg();
        assert_eq!(
            decide(&c, GET, &o, &after(1), 0.0).unwrap().1,
            c.max_retry_after
        );
        let o = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            decide(&c, POST, &o, &after(1), 0.0).unwrap().1,
            Duration::from_secs(2)
        );
    }

    #[test]
    fn http_dates_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        for secs in [0u64, 951_782_400, 1_767_225_600, 4_102_444_800] {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(parse_http_date(&format_http_date(t)), Some(t));
        }
    }

    #[test]
    fn a_zero_or_past_retry_after_waits_the_backoff_and_the_call_ends() {
        let c = cfg();
        let zero = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::ZERO),
        };
        // walk the decision as the transport does: it must stop
        let mut state = RetryState::default();
        let mut waits = Vec::new();
        while let Some((reason, wait)) = decide(&c, GET, &zero, &state, 0.0) {
            state.record(reason, wait);
            waits.push(wait.as_secs());
            assert!(waits.len() <= 1000, "never ends");
        }
        assert_eq!(&waits[..6], &[1, 2, 4, 8, 16, 30], "backoff, not zero");
        assert!(state.rate_limited_wait <= c.max_rate_limit_wait);
        assert_eq!(waits.iter().sum::<u64>(), state.rate_limited_wait.as_secs());
        // with a zero backoff configured, the retry count still bounds it
        let c = cfg()
            .initial_backoff(Duration::ZERO)
            .max_backoff(Duration::ZERO);
        let mut state = RetryState::default();
        let mut n = 0;
        while let Some((reason, wait)) = decide(&c, GET, &zero, &state, 0.0) {
            state.record(reason, wait);
            n += 1;
            assert!(n <= MAX_RATE_LIMITED_RETRIES, "never ends");
        }
        assert_eq!(n, MAX_RATE_LIMITED_RETRIES);
    }

    #[test]
    fn a_post_marked_retry_safe_is_retried_like_a_get() {
        let search = RetryClass::of(POST, true);
        for o in [status(502), status(503), status(504), TIMEOUT_AFTER_SEND] {
            assert_eq!(
                decide(&cfg(), search, &o, &after(1), 0.0),
                decide(&cfg(), GET, &o, &after(1), 0.0),
                "{o:?}"
            );
            assert_eq!(
                decide(&cfg(), RetryClass::of(POST, false), &o, &after(1), 0.0),
                None
            );
        }
        assert_eq!(
            RetryClass::of(Method::Patch, false),
            RetryClass::NonIdempotent
        );
        assert_eq!(
            RetryClass::of(Method::Delete, false),
            RetryClass::Idempotent
        );
    }

    #[test]
    fn far_future_and_huge_retry_after_values_are_clamped_not_panics() {
        let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        let h = |v: &str| Headers::from_pairs([("Retry-After", v)]);
        for v in [
            "Sun, 06 Nov 300000000000 08:49:37 GMT",
            "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
            "Sun, 06 Nov -9223372036854775808 08:49:37 GMT",
        ] {
            assert_eq!(retry_after(&h(v), now), None, "{v}");
        }
        assert_eq!(
            retry_after(&h("Fri, 31 Dec 9999 23:59:59 GMT"), now),
            Some(MAX_RETRY_AFTER_HEADER)
        );
        assert_eq!(
            retry_after(&h("99999999999999999999999999999"), now),
            Some(MAX_RETRY_AFTER_HEADER)
        );
        assert_eq!(
            retry_after(&h("18446744073709551615"), now),
            Some(MAX_RETRY_AFTER_HEADER)
        );
        // and the decision caps it at max_retry_after
        let o = Outcome::Status {
            status: 429,
            retry_after: Some(MAX_RETRY_AFTER_HEADER),
        };
        assert_eq!(
            decide(&cfg(), GET, &o, &after(1), 0.0).unwrap().1,
            cfg().max_retry_after
        );
        // a huge state saturates instead of overflowing
        let full = RetryState {
            retries: u32::MAX,
            rate_limited: u32::MAX - 1,
            rate_limited_wait: Duration::MAX,
        };
        assert_eq!(decide(&cfg(), GET, &o, &full, 0.0), None);
        let mut s = full;
        s.record(RetryReason::RateLimited, Duration::MAX);
        s.record(RetryReason::Unavailable, Duration::MAX);
        assert_eq!(s.retries, u32::MAX);
    }
}
