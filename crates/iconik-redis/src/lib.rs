//! One rate limiter for a fleet: iconik's per-credential limits shared by
//! every process on every machine, kept in Redis.
//!
//! iconik allows 50 requests/s and 1000 per 20 s per App-ID + Auth-Token,
//! however many processes use them. Each `iconik-sync` client paces itself
//! exactly; [`RedisLimiter`] makes all of them pace against one log:
//!
//! ```no_run
//! use iconik_redis::RedisLimiter;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = iconik_sync::Client::builder()
//!     .app_id("my-app-id")
//!     .auth_token("my-auth-token")
//!     .shared_limiter(RedisLimiter::connect("redis://127.0.0.1:6379/")?)
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! The async client takes the same limiter
//! (`iconik_async::Client::builder().shared_limiter(..)`).
//!
//! # Design
//!
//! * **An exact sliding log per credential**: a sorted set of grant times.
//!   Before each send the client's pacer runs one Lua script that checks
//!   every window (50/1 s and 1000/20 s by default, plus the pacer's
//!   margin) and, when all allow it, records the grant. Redis runs scripts
//!   one at a time, so no two clients take the last slot, and the script
//!   reads Redis's clock (`TIME`), so machines with skewed clocks agree.
//! * **Waiters** are told when the first slot frees and ask again then,
//!   plus up to 2 ms of random jitter, which spreads the processes out in
//!   roughly the order they began waiting. Within one process the pacer
//!   already serves threads in arrival order and only the first asks Redis.
//! * **Keys** are `iconik:limit:` followed by HMAC-SHA-256 of App-ID and
//!   Auth-Token (under a secret you can set with
//!   [`RedisLimiterBuilder::key_secret`]): the token never reaches Redis. A
//!   key expires one second after its longest window.
//!
//! # Degradation: Redis slow, down, or unusable
//!
//! A call never blocks on Redis for long and never fails because of it,
//! whatever Redis does:
//!
//! * **Healthy means a script ran.** Redis is used while the reserve
//!   script runs and answers as it does. Any other outcome switches the
//!   limiter to **local pacing at a share of the limits**
//!   ([`RedisLimiterBuilder::local_share`], default 0.25: set it to about
//!   1 / the number of processes sharing the credential), logs one
//!   `WARN`, and starts one background thread that reconnects: an error
//!   reply (`-READONLY` from a replica after failover, `-OOM` from a full
//!   Redis, `NOSCRIPT` twice), garbage, an answer of another type or
//!   shape, a connection closed mid-answer, no whole answer within the
//!   timeout (default 250 ms per command; connecting 500 ms), an answer
//!   over [`MAX_REPLY_BYTES`] (refused before it is read), or a "wait"
//!   longer than the window.
//! * **Back only when a script runs again.** The background thread
//!   connects and runs the script on a probe key of its own; only a grant
//!   returns the limiter to the shared log (logged at `INFO`). A `PING`
//!   proves nothing: a read-only replica or a full Redis answer it. Between
//!   attempts it pauses 100 ms doubling to 2 s
//!   ([`RedisLimiterBuilder::reconnect_backoff`]); the pause is kept across
//!   outages, so a Redis that fails again soon after each recovery is
//!   tried less and less often, and 30 s of health start it afresh.
//! * **Bounded.** One call spends on Redis at most three command
//!   timeouts (handing over the local grants, the script, and the script
//!   again by its body after `NOSCRIPT`), and waits on Redis's "wait"
//!   answers at most [`MAX_WAIT_WINDOWS`] of its longest window (40 s at
//!   iconik's limits): then it is decided locally, and if Redis tells the
//!   probe key to wait too, the limiter switches to local pacing.
//! * Switching to local pacing, a process first sends nothing for one
//!   shortest window (1 s at iconik's limits): the fleet may have filled
//!   it on Redis just before. Not again when Redis fails within a second
//!   of recovering (a flap): that would silence every send. The longer window is not known locally:
//!   the client's proactive throttling, driven by iconik's
//!   `RateLimit-Remaining`, and 429 retries cover it.
//! * Returning to Redis, the limiter first adds the grants it made locally
//!   within the longest window to Redis's log (at their age on Redis's
//!   clock), so the shared log counts them.
//! * Each client also keeps its own exact log, so one process never
//!   exceeds the limits by itself, whatever happens to Redis.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod conn;
mod fallback;
mod inner;
mod key;
mod limiter;
mod script;

pub use conn::MAX_REPLY_BYTES;
pub use limiter::{
    Error, RedisLimiter, RedisLimiterBuilder, RedisReservation, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_LOCAL_SHARE, DEFAULT_RECONNECT_FIRST, DEFAULT_RECONNECT_MAX, DEFAULT_TIMEOUT,
    MAX_WAIT_WINDOWS,
};
