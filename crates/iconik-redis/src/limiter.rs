//! [`RedisLimiter`]: the shared log in Redis, with local fallback.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iconik_sync::rate_limit::{Reservation, SharedLimiter};
use iconik_sync::Rate;

use crate::inner::{Inner, Settings};
use crate::key::credential_key;

/// Default timeout of each Redis command (250 ms): far above a healthy
/// Redis's answer time, even on a busy host, and short beside iconik's
/// 1 s window. Only the first call of an outage waits for it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// Default timeout of connecting to Redis (500 ms).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// Default share of the limits one process takes while Redis is
/// unavailable (0.25).
pub const DEFAULT_LOCAL_SHARE: f64 = 0.25;

/// The secret of the key hash unless [`RedisLimiterBuilder::key_secret`]
/// sets one.
const DEFAULT_SECRET: &[u8] = b"iconik-rs shared limiter v1";
const KEY_PREFIX: &str = "iconik:limit:";
/// Reconnection backoff: first and longest pause between attempts.
pub const DEFAULT_RECONNECT_FIRST: Duration = Duration::from_millis(100);
/// Longest pause between reconnection attempts (2 s).
pub const DEFAULT_RECONNECT_MAX: Duration = Duration::from_secs(2);
/// A call waits on Redis's "wait" answers at most this many of its longest
/// windows; then it is decided locally.
pub const MAX_WAIT_WINDOWS: u32 = 2;

/// Why the limiter could not be created or Redis could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL (`redis://host:port/db`).
    #[error("invalid Redis URL")]
    InvalidUrl(#[source] redis::RedisError),
    /// A setting is out of range.
    #[error("invalid limiter setting: {0}")]
    Config(String),
    /// Redis did not answer usably (down, slow, refusing the script,
    /// answering garbage, too much, or nothing in time).
    #[error("Redis is unavailable")]
    Unavailable(#[source] Option<redis::RedisError>),
    /// The script answered something it never answers.
    #[error("unexpected answer from the limiter script: {0}")]
    Protocol(String),
}

/// What Redis answered to one reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisReservation {
    /// Granted at this time on Redis's clock (µs since the Unix epoch).
    Granted {
        /// Redis's `TIME` when the slot was taken, in microseconds.
        at_micros: u64,
    },
    /// No slot: the first one frees after this long.
    Wait(Duration),
}

/// Configures a [`RedisLimiter`]; see the crate docs for what each setting
/// does when Redis is unavailable.
#[derive(Clone)]
#[must_use]
pub struct RedisLimiterBuilder {
    url: String,
    timeout: Duration,
    connect_timeout: Duration,
    local_share: f64,
    secret: Vec<u8>,
    reconnect: (Duration, Duration),
}

impl fmt::Debug for RedisLimiterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the URL may hold a password, the secret is one
        f.debug_struct("RedisLimiterBuilder")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("local_share", &self.local_share)
            .finish_non_exhaustive()
    }
}

impl RedisLimiterBuilder {
    /// Timeout of each Redis command (default [`DEFAULT_TIMEOUT`]). A
    /// command slower than this switches the limiter to local pacing.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout of connecting (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Share of each limit this process takes while Redis is unavailable,
    /// within `(0, 1]` (default [`DEFAULT_LOCAL_SHARE`]); about 1 / the
    /// number of processes sharing the credential. Each count is rounded
    /// down, to at least 1.
    pub fn local_share(mut self, share: f64) -> Self {
        self.local_share = share;
        self
    }

    /// The secret of the keyed hash that names each credential's log in
    /// Redis (every process of a fleet must use the same one). Default: a
    /// fixed string; set your own so that someone who can read Redis cannot
    /// test a guessed token against a key.
    pub fn key_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.secret = secret.into();
        self
    }

    /// Pauses between reconnection attempts while Redis is unavailable:
    /// `first`, doubling after each failed attempt up to `max` (default
    /// [`DEFAULT_RECONNECT_FIRST`], [`DEFAULT_RECONNECT_MAX`]). The pause
    /// is kept across outages: a Redis that keeps failing soon after each
    /// recovery (a flap) is tried less and less often; 30 s of health
    /// start it afresh.
    pub fn reconnect_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.reconnect = (first, max);
        self
    }

    /// Creates the limiter and tries to connect once. When Redis cannot be
    /// reached, or cannot run the script, the limiter starts in local
    /// pacing and keeps trying in the background: only a malformed URL or
    /// setting is an error.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a URL that is not `redis://...`;
    /// [`Error::Config`] for a share outside `(0, 1]`, a zero timeout or
    /// a reconnection backoff whose `first` is zero or above `max`.
    pub fn connect(self) -> Result<RedisLimiter, Error> {
        if !(self.local_share > 0.0 && self.local_share <= 1.0) {
            return Err(Error::Config("local_share must be within (0, 1]".into()));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be longer than zero".into()));
        }
        let (first, max) = self.reconnect;
        if first.is_zero() || first > max {
            return Err(Error::Config(
                "the reconnection backoff must start above zero, at most at its maximum".into(),
            ));
        }
        let info = redis::Client::open(self.url.as_str())
            .map_err(Error::InvalidUrl)?
            .get_connection_info()
            .clone();
        let inner = Arc::new(Inner::new(Settings {
            info,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            local_share: self.local_share,
            secret: self.secret,
            reconnect: self.reconnect,
            key_prefix: KEY_PREFIX,
        }));
        if let Err(e) = inner.connect(false) {
            inner.degrade(&e);
        }
        Ok(RedisLimiter { inner })
    }
}

/// A [`SharedLimiter`] on Redis: one exact sliding log per credential for
/// every process that uses it, with local pacing while Redis is
/// unavailable. See the crate docs.
///
/// Cheap to clone; clones share the connection.
///
/// ```no_run
/// use std::time::Duration;
/// use iconik_redis::RedisLimiter;
/// # fn main() -> Result<(), iconik_redis::Error> {
/// let limiter = RedisLimiter::builder("redis://10.0.0.5:6379/")
///     .local_share(1.0 / 8.0) // eight workers share the credential
///     .timeout(Duration::from_millis(50))
///     .connect()?;
/// # let _ = limiter; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("degraded", &self.is_degraded())
            .field("local_share", &self.inner.local_share)
            .finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// A limiter with default settings on the Redis at `url`
    /// (`redis://[:password@]host[:port][/db]`).
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a malformed URL. An unreachable Redis is
    /// not an error: see [`RedisLimiterBuilder::connect`].
    ///
    /// ```no_run
    /// # fn main() -> Result<(), iconik_redis::Error> {
    /// let limiter = iconik_redis::RedisLimiter::connect("redis://127.0.0.1:6379/")?;
    /// if limiter.is_degraded() {
    ///     eprintln!("Redis is not answering yet: pacing locally for now");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn connect(url: &str) -> Result<RedisLimiter, Error> {
        RedisLimiter::builder(url).connect()
    }

    /// A builder for the Redis at `url`.
    pub fn builder(url: impl Into<String>) -> RedisLimiterBuilder {
        RedisLimiterBuilder {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            local_share: DEFAULT_LOCAL_SHARE,
            secret: DEFAULT_SECRET.to_vec(),
            reconnect: (DEFAULT_RECONNECT_FIRST, DEFAULT_RECONNECT_MAX),
        }
    }

    /// True while Redis is unavailable and reservations are made locally.
    pub fn is_degraded(&self) -> bool {
        !self.inner.healthy.load(Ordering::SeqCst)
    }

    /// How many times this limiter (and its clones) switched from Redis to
    /// local pacing: for monitoring, and to tell a spurious timeout from
    /// an exceeded window.
    pub fn fallbacks(&self) -> u64 {
        self.inner.switches.load(Ordering::Relaxed)
    }

    /// One reservation on Redis, with no local fallback: what
    /// [`SharedLimiter::reserve`] does while Redis answers. A failure
    /// switches the limiter to local pacing, as `reserve` would.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when Redis does not answer in time or the
    /// limiter is reconnecting; [`Error::Protocol`] for an answer the script
    /// never gives.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use iconik_redis::{RedisLimiter, RedisReservation};
    /// use iconik_sync::{rate_limit::SharedLimiter, Rate};
    /// # fn main() -> Result<(), iconik_redis::Error> {
    /// let limiter = RedisLimiter::connect("redis://127.0.0.1:6379/")?;
    /// let key = limiter.key("my-app-id", "my-auth-token");
    /// let rates = [Rate::new(50, Duration::from_secs(1)).unwrap()];
    /// match limiter.reserve_on_redis(&key, &rates)? {
    ///     RedisReservation::Granted { at_micros } => println!("granted at {at_micros} µs"),
    ///     RedisReservation::Wait(wait) => println!("next slot in {wait:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn reserve_on_redis(&self, key: &str, rates: &[Rate]) -> Result<RedisReservation, Error> {
        self.inner.reserve_on_redis(key, rates)
    }
}

impl SharedLimiter for RedisLimiter {
    fn key(&self, app_id: &str, auth_token: &str) -> String {
        credential_key(KEY_PREFIX, &self.inner.secret, app_id, auth_token)
    }

    /// While Redis answers, the log holds every process's sends:
    /// proactive throttling stands down; while degraded it works again.
    fn counts_every_sender(&self) -> bool {
        !self.is_degraded()
    }

    /// A reservation on Redis, or locally while Redis cannot be used.
    /// One call (the pacer asking again after each wait, on one thread)
    /// waits on Redis's "wait" answers at most [`MAX_WAIT_WINDOWS`] of its
    /// longest window: then it is decided locally, and if Redis tells
    /// even a fresh probe key to wait, the limiter switches to local
    /// pacing.
    fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation {
        let inner = &self.inner;
        let call = CallId::of(inner, key);
        match inner.reserve_on_redis(key, rates) {
            Ok(RedisReservation::Granted { .. }) => {
                WAITING.set(None);
                Reservation::Granted
            }
            Ok(RedisReservation::Wait(wait)) => {
                let now = Instant::now();
                let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
                let since = match WAITING.get() {
                    // asked again in time after the last wait: the same call
                    Some(w) if w.call == call && now <= w.ask_by => w.since,
                    _ => now,
                };
                if now.saturating_duration_since(since) + wait > longest * MAX_WAIT_WINDOWS {
                    WAITING.set(None);
                    inner.check_after_long_wait();
                    return inner.fallback.reserve(key, rates);
                }
                WAITING.set(Some(Waiting {
                    call,
                    since,
                    ask_by: now + wait + longest + ASK_AGAIN_SLACK,
                }));
                Reservation::Wait(wait)
            }
            Err(_) => {
                WAITING.set(None);
                inner.fallback.reserve(key, rates)
            }
        }
    }
}

/// Slack for a waiting call to ask again (the pacer sleeps the wait plus
/// up to a window and 2 ms of jitter; a loaded machine wakes it late).
const ASK_AGAIN_SLACK: Duration = Duration::from_secs(1);

/// Which limiter and key a waiting call is for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct CallId {
    limiter: usize,
    key: u64,
}

impl CallId {
    fn of(inner: &Arc<Inner>, key: &str) -> CallId {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        CallId {
            limiter: Arc::as_ptr(inner) as usize,
            key: h.finish(),
        }
    }
}

/// The call this thread is waiting on Redis for, since when.
#[derive(Clone, Copy)]
struct Waiting {
    call: CallId,
    since: Instant,
    ask_by: Instant,
}

thread_local! {
    static WAITING: Cell<Option<Waiting>> = const { Cell::new(None) };
}
