//! [`RedisLimiter`]: the shared log in Redis, with local fallback.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use iconik_sync::rate_limit::{Reservation, SharedLimiter};
use iconik_sync::Rate;

use crate::fallback::Fallback;
use crate::key::credential_key;
use crate::script::{REPLAY, RESERVE};

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
const RECONNECT_FIRST: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(2);
/// Least time between two `WARN`s about Redis being unavailable.
const WARN_EVERY: Duration = Duration::from_secs(60);

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
    /// Redis did not answer (down, slow or refusing).
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

    /// Creates the limiter and tries to connect once. When Redis cannot be
    /// reached the limiter starts in local pacing and keeps trying in the
    /// background: only a malformed URL or setting is an error.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a URL that is not `redis://...`;
    /// [`Error::Config`] for a share outside `(0, 1]` or a zero timeout.
    pub fn connect(self) -> Result<RedisLimiter, Error> {
        if !(self.local_share > 0.0 && self.local_share <= 1.0) {
            return Err(Error::Config("local_share must be within (0, 1]".into()));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config("timeouts must be longer than zero".into()));
        }
        let client = redis::Client::open(self.url.as_str()).map_err(Error::InvalidUrl)?;
        let inner = Arc::new(Inner {
            client,
            script: redis::Script::new(RESERVE),
            replay: redis::Script::new(REPLAY),
            epoch: AtomicU64::new(0),
            switches: AtomicU64::new(0),
            conn: Mutex::new(None),
            healthy: AtomicBool::new(false),
            reconnecting: AtomicBool::new(false),
            last_warn: Mutex::new(None),
            fallback: Fallback::new(self.local_share),
            node: fastrand::u64(..),
            seq: AtomicU64::new(0),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            local_share: self.local_share,
            secret: self.secret,
        });
        match inner.open() {
            Ok(conn) => {
                *inner.lock_conn() = Some(conn);
                inner.healthy.store(true, Ordering::SeqCst);
            }
            Err(e) => inner.degrade(&e),
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

struct Inner {
    client: redis::Client,
    script: redis::Script,
    replay: redis::Script,
    /// Recoveries so far: local grants are replayed into Redis once each.
    epoch: AtomicU64,
    /// Switches from Redis to local pacing so far.
    switches: AtomicU64,
    conn: Mutex<Option<redis::Connection>>,
    /// Redis answered last time: reservations go to Redis.
    healthy: AtomicBool,
    /// A reconnecting thread is running.
    reconnecting: AtomicBool,
    last_warn: Mutex<Option<Instant>>,
    /// The fallback: this process's own log at `local_share` of each limit.
    fallback: Fallback,
    /// Makes grant members unique across processes.
    node: u64,
    seq: AtomicU64,
    timeout: Duration,
    connect_timeout: Duration,
    local_share: f64,
    secret: Vec<u8>,
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

    fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation {
        match self.inner.reserve_on_redis(key, rates) {
            Ok(RedisReservation::Granted { .. }) => Reservation::Granted,
            Ok(RedisReservation::Wait(wait)) => Reservation::Wait(wait),
            Err(_) => self.inner.fallback.reserve(key, rates),
        }
    }
}

impl Inner {
    fn lock_conn(&self) -> std::sync::MutexGuard<'_, Option<redis::Connection>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh connection with the timeouts set, proven by a `PING`.
    fn open(&self) -> Result<redis::Connection, redis::RedisError> {
        let mut conn = self
            .client
            .get_connection_with_timeout(self.connect_timeout)?;
        conn.set_read_timeout(Some(self.timeout))?;
        conn.set_write_timeout(Some(self.timeout))?;
        redis::cmd("PING").query::<String>(&mut conn)?;
        Ok(conn)
    }

    fn reserve_on_redis(
        self: &Arc<Self>,
        key: &str,
        rates: &[Rate],
    ) -> Result<RedisReservation, Error> {
        if !self.healthy.load(Ordering::SeqCst) {
            return Err(Error::Unavailable(None));
        }
        let member = format!(
            "{:016x}:{}",
            self.node,
            self.seq.fetch_add(1, Ordering::Relaxed)
        );
        let mut invocation = self.script.key(key);
        invocation.arg(member).arg(rates.len());
        for r in rates {
            let micros = u64::try_from(r.per.as_micros()).unwrap_or(u64::MAX).max(1);
            invocation.arg(r.count).arg(micros);
        }
        let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
        let epoch = self.epoch.load(Ordering::SeqCst);
        let replay = self.fallback.to_replay(key, epoch, longest);
        let answer: Result<Vec<i64>, redis::RedisError> = {
            let mut conn = self.lock_conn();
            match conn.as_mut() {
                Some(c) => {
                    let answer = match replay {
                        Some(ages) if !ages.is_empty() => {
                            self.replay_local(c, key, epoch, longest, &ages)
                        }
                        _ => Ok(()),
                    }
                    .and_then(|()| invocation.invoke(c));
                    if answer.is_err() {
                        // a timed-out connection may still get the late
                        // answer: never reuse it
                        *conn = None;
                    }
                    answer
                }
                None => return Err(Error::Unavailable(None)),
            }
        };
        match answer {
            Ok(v) => match v.as_slice() {
                [1, at] => Ok(RedisReservation::Granted {
                    at_micros: u64::try_from(*at).unwrap_or(0),
                }),
                [0, wait] => Ok(RedisReservation::Wait(Duration::from_micros(
                    u64::try_from(*wait).unwrap_or(0),
                ))),
                other => Err(Error::Protocol(format!("{other:?}"))),
            },
            Err(e) => {
                self.degrade(&e);
                Err(Error::Unavailable(Some(e)))
            }
        }
    }

    /// Adds this process's grants made while Redis was away to its log.
    fn replay_local(
        &self,
        conn: &mut redis::Connection,
        key: &str,
        epoch: u64,
        longest: Duration,
        ages: &[u64],
    ) -> Result<(), redis::RedisError> {
        let expiry_ms = u64::try_from(longest.as_millis()).unwrap_or(u64::MAX / 2) + 1000;
        let mut invocation = self.replay.key(key);
        invocation
            .arg(format!("{:016x}:r{epoch}", self.node))
            .arg(expiry_ms);
        for age in ages {
            invocation.arg(*age);
        }
        invocation.invoke::<i64>(conn).map(drop)
    }

    /// Switches to local pacing (logging once) and starts reconnecting.
    fn degrade(self: &Arc<Self>, error: &redis::RedisError) {
        let was_healthy = self.healthy.swap(false, Ordering::SeqCst);
        if was_healthy {
            self.fallback.switched();
            self.switches.fetch_add(1, Ordering::Relaxed);
        }
        if was_healthy || self.never_warned() {
            let mut last = self
                .last_warn
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
                *last = Some(Instant::now());
                log::warn!(
                    "Redis limiter unavailable ({}): pacing locally at {:.0}% of the limits until Redis answers",
                    error.kind_name(),
                    self.local_share * 100.0
                );
            } else {
                log::debug!("Redis limiter unavailable again: pacing locally");
            }
        }
        if !self.reconnecting.swap(true, Ordering::SeqCst) {
            let weak = Arc::downgrade(self);
            let spawned = std::thread::Builder::new()
                .name("iconik-redis-reconnect".into())
                .spawn(move || reconnect(&weak));
            if spawned.is_err() {
                // no thread now: the next failed reservation tries again
                self.reconnecting.store(false, Ordering::SeqCst);
            }
        }
    }

    fn never_warned(&self) -> bool {
        self.last_warn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }
}

/// The background reconnection: tries with backoff until Redis answers or
/// the limiter is gone.
fn reconnect(weak: &Weak<Inner>) {
    let mut pause = RECONNECT_FIRST;
    loop {
        std::thread::sleep(pause);
        let Some(inner) = weak.upgrade() else { return };
        match inner.open() {
            Ok(conn) => {
                *inner.lock_conn() = Some(conn);
                inner.epoch.fetch_add(1, Ordering::SeqCst);
                inner.reconnecting.store(false, Ordering::SeqCst);
                inner.healthy.store(true, Ordering::SeqCst);
                log::info!("Redis limiter: Redis answers again, back to the shared log");
                return;
            }
            Err(e) => {
                log::debug!("Redis limiter: reconnecting failed ({})", e.kind_name());
                pause = (pause * 2).min(RECONNECT_MAX);
            }
        }
    }
}

/// A short, secret-free description of a Redis error.
trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for redis::RedisError {
    fn kind_name(&self) -> String {
        if self.is_timeout() {
            "timed out".into()
        } else if self.is_connection_refusal() {
            "connection refused".into()
        } else if self.is_io_error() || self.is_connection_dropped() {
            "connection lost".into()
        } else {
            format!("{:?}", self.kind())
        }
    }
}
