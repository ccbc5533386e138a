//! What a limiter and its clones share: the connection, the scripts, and
//! the switch between Redis and local pacing in both directions.
//!
//! "Healthy" means a script round-trip worked: the reserve script ran and
//! answered as it does. A `PING` proves little (a read-only replica after
//! failover, a full Redis, a server answering garbage all answer it), and
//! trusting one made a reachable-but-unusable Redis livelock the limiter:
//! each failure switched to local pacing, a `PING` switched back 100 ms
//! later, the next script failed, and the quiet window started again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use iconik_sync::Rate;

use crate::conn::{code, Conn, Failure, Reply};
use crate::fallback::Fallback;
use crate::limiter::{Error, RedisReservation};

/// The probe's limit: far above any real sender's.
const PROBE_COUNT: u32 = 1_000_000;
/// Least time between two `WARN`s about Redis being unavailable.
const WARN_EVERY: Duration = Duration::from_secs(60);
/// Redis healthy this long: the reconnection backoff starts afresh at the
/// next outage; a shorter spell (a flap) keeps doubling it.
const STABLE: Duration = Duration::from_secs(30);
/// Redis healthy for less than this before failing again: a flap, after
/// which local pacing resumes without a window of silence.
const FLAP: Duration = Duration::from_secs(1);

/// A script, by body and SHA-1 (`EVALSHA`, then `EVAL` once on `NOSCRIPT`).
pub(crate) struct Script {
    body: &'static str,
    sha: String,
}

impl Script {
    pub(crate) fn new(body: &'static str) -> Script {
        Script {
            body,
            sha: redis::Script::new(body).get_hash().to_owned(),
        }
    }
}

/// Why Redis could not be used, as the public error says it.
pub(crate) fn unavailable(failure: Failure) -> Error {
    let e = match failure {
        Failure::Io(e) => redis::RedisError::from(e),
        Failure::Protocol(p) => redis::RedisError::from((
            redis::ErrorKind::ParseError,
            "unusable answer from Redis",
            p,
        )),
    };
    Error::Unavailable(Some(e))
}

/// The reconnection pause, kept across outages.
struct Backoff {
    pause: Duration,
    /// When Redis last became healthy.
    healthy_since: Option<Instant>,
}

pub(crate) struct Inner {
    pub(crate) info: redis::ConnectionInfo,
    pub(crate) reserve: Script,
    pub(crate) replay: Script,
    /// Recoveries so far: local grants are replayed into Redis once each.
    pub(crate) epoch: AtomicU64,
    /// Switches from Redis to local pacing so far.
    pub(crate) switches: AtomicU64,
    conn: Mutex<Option<Conn>>,
    /// The last script round-trip worked: reservations go to Redis.
    pub(crate) healthy: AtomicBool,
    /// A reconnecting thread is running.
    reconnecting: AtomicBool,
    backoff: Mutex<Backoff>,
    last_warn: Mutex<Option<Instant>>,
    /// The fallback: this process's own log at `local_share` of each limit.
    pub(crate) fallback: Fallback,
    /// Makes grant members unique across processes.
    pub(crate) node: u64,
    seq: AtomicU64,
    pub(crate) timeout: Duration,
    connect_timeout: Duration,
    pub(crate) local_share: f64,
    pub(crate) secret: Vec<u8>,
    reconnect_first: Duration,
    reconnect_max: Duration,
    probe_key: String,
}

/// The settings an [`Inner`] is made from.
pub(crate) struct Settings {
    pub(crate) info: redis::ConnectionInfo,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) local_share: f64,
    pub(crate) secret: Vec<u8>,
    pub(crate) reconnect: (Duration, Duration),
    pub(crate) key_prefix: &'static str,
}

impl Inner {
    pub(crate) fn new(s: Settings) -> Inner {
        let node = fastrand::u64(..);
        Inner {
            info: s.info,
            reserve: Script::new(crate::script::RESERVE),
            replay: Script::new(crate::script::REPLAY),
            epoch: AtomicU64::new(0),
            switches: AtomicU64::new(0),
            conn: Mutex::new(None),
            healthy: AtomicBool::new(false),
            reconnecting: AtomicBool::new(false),
            backoff: Mutex::new(Backoff {
                pause: s.reconnect.0,
                healthy_since: None,
            }),
            last_warn: Mutex::new(None),
            fallback: Fallback::new(s.local_share),
            node,
            seq: AtomicU64::new(0),
            timeout: s.timeout,
            connect_timeout: s.connect_timeout,
            local_share: s.local_share,
            secret: s.secret,
            reconnect_first: s.reconnect.0,
            reconnect_max: s.reconnect.1,
            probe_key: format!("{}probe:{node:016x}", s.key_prefix),
        }
    }

    fn lock_conn(&self) -> MutexGuard<'_, Option<Conn>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_backoff(&self) -> MutexGuard<'_, Backoff> {
        self.backoff.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connects and proves the connection usable with a script round-trip
    /// (see [`Inner::probe`]); marks Redis healthy when it is (a new
    /// recovery when `recovering`: local grants are handed over once).
    pub(crate) fn connect(self: &Arc<Self>, recovering: bool) -> Result<(), Error> {
        let mut conn =
            Conn::open(&self.info, self.connect_timeout, self.timeout).map_err(unavailable)?;
        self.probe(&mut conn)?;
        *self.lock_conn() = Some(conn);
        self.lock_backoff().healthy_since = Some(Instant::now());
        if recovering {
            self.epoch.fetch_add(1, Ordering::SeqCst);
            // before healthy: a failure right after starts a new thread
            self.reconnecting.store(false, Ordering::SeqCst);
        }
        self.healthy.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Runs the reserve script on this process's own probe key, with a
    /// limit no real sender reaches: a Redis that works grants it. An
    /// error, a refusal to write (READONLY, OOM), an answer of another
    /// shape or a "wait" all say Redis cannot be used. The key expires
    /// within two seconds.
    fn probe(&self, conn: &mut Conn) -> Result<(), Error> {
        let rates = [Rate {
            count: PROBE_COUNT,
            per: Duration::from_secs(1),
        }];
        match self.run_reserve(conn, &self.probe_key, "probe", &rates)? {
            RedisReservation::Granted { .. } => Ok(()),
            RedisReservation::Wait(_) => Err(Error::Protocol(
                "the probe was told to wait: Redis's answers cannot be trusted".into(),
            )),
        }
    }

    /// Runs `script` by its SHA-1, and once by its body when Redis does
    /// not have it (after `SCRIPT FLUSH` or a restart): at most two
    /// round-trips, never a loop.
    fn eval(
        &self,
        conn: &mut Conn,
        script: &Script,
        key: &str,
        args: &[Vec<u8>],
    ) -> Result<Reply, Error> {
        let call = |conn: &mut Conn, verb: &[u8], first: &[u8]| {
            let mut all: Vec<&[u8]> = vec![verb, first, b"1", key.as_bytes()];
            all.extend(args.iter().map(Vec::as_slice));
            conn.call(&all).map_err(unavailable)
        };
        match call(conn, b"EVALSHA", script.sha.as_bytes())? {
            Reply::Error(e) if code(&e) == "NOSCRIPT" => {
                call(conn, b"EVAL", script.body.as_bytes())
            }
            other => Ok(other),
        }
    }

    /// One reserve script round-trip on `conn`, its answer checked.
    fn run_reserve(
        &self,
        conn: &mut Conn,
        key: &str,
        member: &str,
        rates: &[Rate],
    ) -> Result<RedisReservation, Error> {
        let mut args = vec![
            member.as_bytes().to_vec(),
            rates.len().to_string().into_bytes(),
        ];
        for r in rates {
            let micros = u64::try_from(r.per.as_micros()).unwrap_or(u64::MAX).max(1);
            args.push(r.count.to_string().into_bytes());
            args.push(micros.to_string().into_bytes());
        }
        let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
        match self.eval(conn, &self.reserve, key, &args)? {
            Reply::Array(Some(items)) => match items.as_slice() {
                [Reply::Int(1), Reply::Int(at)] if *at > 0 => Ok(RedisReservation::Granted {
                    at_micros: u64::try_from(*at).unwrap_or(0),
                }),
                // the script never asks to wait past the longest window
                // (plus a second for Redis's clock being stepped)
                [Reply::Int(0), Reply::Int(wait)]
                    if *wait > 0
                        && Duration::from_micros(u64::try_from(*wait).unwrap_or(u64::MAX))
                            <= longest + Duration::from_secs(1) =>
                {
                    Ok(RedisReservation::Wait(Duration::from_micros(*wait as u64)))
                }
                other => Err(Error::Protocol(format!("the script answered {other:?}"))),
            },
            Reply::Error(e) => Err(Error::Unavailable(Some(redis::RedisError::from((
                redis::ErrorKind::ExtensionError,
                "Redis refused the script",
                code(&e),
            ))))),
            other => Err(Error::Protocol(format!("the script answered {other:?}"))),
        }
    }

    /// One reservation on Redis (after handing over the local grants of
    /// the last outage); any failure switches to local pacing.
    pub(crate) fn reserve_on_redis(
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
        let longest = rates.iter().map(|r| r.per).max().unwrap_or_default();
        let epoch = self.epoch.load(Ordering::SeqCst);
        let replay = self.fallback.to_replay(key, epoch, longest);
        let answer = {
            let mut guard = self.lock_conn();
            let Some(conn) = guard.as_mut() else {
                return Err(Error::Unavailable(None));
            };
            let answer = match replay {
                Some(ages) if !ages.is_empty() => {
                    self.replay_local(conn, key, epoch, longest, &ages)
                }
                _ => Ok(()),
            }
            .and_then(|()| self.run_reserve(conn, key, &member, rates));
            if answer.is_err() {
                // a timed-out connection may still get the late answer:
                // never reuse it
                *guard = None;
            }
            answer
        };
        if let Err(e) = &answer {
            self.degrade(e);
        }
        answer
    }

    /// Adds this process's grants made while Redis was away to its log.
    fn replay_local(
        &self,
        conn: &mut Conn,
        key: &str,
        epoch: u64,
        longest: Duration,
        ages: &[u64],
    ) -> Result<(), Error> {
        let expiry_ms = u64::try_from(longest.as_millis()).unwrap_or(u64::MAX / 2) + 1000;
        let mut args = vec![
            format!("{:016x}:r{epoch}", self.node).into_bytes(),
            expiry_ms.to_string().into_bytes(),
        ];
        args.extend(ages.iter().map(|a| a.to_string().into_bytes()));
        match self.eval(conn, &self.replay, key, &args)? {
            Reply::Int(_) => Ok(()),
            other => Err(Error::Protocol(format!("the replay answered {other:?}"))),
        }
    }

    /// A call has waited on Redis's "wait" answers as long as it may:
    /// asks the probe whether Redis can be trusted, and switches to local
    /// pacing when it cannot (a Redis answering "wait" to everything).
    pub(crate) fn check_after_long_wait(self: &Arc<Self>) {
        let verdict = {
            let mut guard = self.lock_conn();
            let Some(conn) = guard.as_mut() else { return };
            let verdict = self.probe(conn);
            if verdict.is_err() {
                *guard = None;
            }
            verdict
        };
        match verdict {
            Ok(()) => log::debug!(
                "Redis limiter: a call waited past its bound on a busy fleet; decided locally"
            ),
            Err(e) => self.degrade(&e),
        }
    }

    /// Switches to local pacing (logging once) and starts reconnecting.
    pub(crate) fn degrade(self: &Arc<Self>, error: &Error) {
        let was_healthy = self.healthy.swap(false, Ordering::SeqCst);
        if was_healthy {
            let first = self.switches.fetch_add(1, Ordering::Relaxed) == 0;
            let mut backoff = self.lock_backoff();
            let spell = backoff.healthy_since.map(|t| t.elapsed());
            // one window of silence when leaving a Redis that was in use,
            // not at every flap: a Redis that recovers and fails again
            // faster than a window would otherwise silence every send
            if first || spell.is_none_or(|d| d >= FLAP) {
                self.fallback.switched();
            }
            let stable = spell.is_some_and(|d| d >= STABLE);
            // a flap keeps the backoff growing; a stable spell resets it
            backoff.pause = if stable {
                self.reconnect_first
            } else {
                (backoff.pause * 2).min(self.reconnect_max)
            };
        }
        if was_healthy || self.never_warned() {
            let mut last = self
                .last_warn
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_none_or(|t| t.elapsed() >= WARN_EVERY) {
                *last = Some(Instant::now());
                log::warn!(
                    "Redis limiter unavailable ({}): pacing locally at {:.0}% of the limits until a script runs on Redis again",
                    describe(error),
                    self.local_share * 100.0
                );
            } else {
                log::debug!(
                    "Redis limiter unavailable again ({}): pacing locally",
                    describe(error)
                );
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

/// The background reconnection: connects and probes with backoff until a
/// script runs, or the limiter is gone. The pause is the one kept across
/// outages, doubled after each failed attempt.
fn reconnect(weak: &Weak<Inner>) {
    loop {
        let pause = match weak.upgrade() {
            Some(inner) => inner.lock_backoff().pause,
            None => return,
        };
        std::thread::sleep(pause);
        let Some(inner) = weak.upgrade() else { return };
        match inner.connect(true) {
            Ok(()) => {
                log::info!("Redis limiter: a script ran on Redis again, back to the shared log");
                return;
            }
            Err(e) => {
                log::debug!("Redis limiter: reconnecting failed ({})", describe(&e));
                let mut backoff = inner.lock_backoff();
                backoff.pause = (backoff.pause * 2).min(inner.reconnect_max);
            }
        }
    }
}

/// A short, secret-free description of why Redis could not be used.
pub(crate) fn describe(e: &Error) -> String {
    match e {
        Error::Unavailable(Some(e)) if e.is_timeout() => "timed out".into(),
        Error::Unavailable(Some(e)) if e.is_connection_refusal() => "connection refused".into(),
        Error::Unavailable(Some(e)) if e.is_io_error() || e.is_connection_dropped() => {
            "connection lost".into()
        }
        Error::Unavailable(Some(e)) => match e.detail() {
            Some(detail) if e.kind() == redis::ErrorKind::ExtensionError => {
                format!("Redis answered {detail}")
            }
            _ => format!("{:?}", e.kind()),
        },
        Error::Unavailable(None) => "unavailable".into(),
        Error::Protocol(_) => "an answer the script never gives".into(),
        other => other.to_string(),
    }
}
