//! Time, injectable: the pacer, retry backoff and cache expiry read it
//! through [`Clock`], so tests run on a [`FakeClock`] without sleeping.

use std::fmt;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A source of time and a way to wait.
///
/// `now` is monotonic, measured from an arbitrary origin fixed per clock.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Monotonic time since this clock's origin.
    fn now(&self) -> Duration;
    /// Wall-clock time (for HTTP dates such as `Retry-After`).
    fn wall(&self) -> SystemTime;
    /// Blocks the calling thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// The real clock: `Instant` and `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        origin().elapsed()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) {
        if !duration.is_zero() {
            std::thread::sleep(duration);
        }
    }
}

/// A clock that moves only when told to, for tests.
///
/// In the default *auto* mode, `sleep(d)` advances the clock by `d` at once
/// and records the sleep. In *manual* mode ([`FakeClock::manual`]),
/// `sleep` blocks until another thread calls [`FakeClock::advance`] past
/// the sleeper's deadline, so several threads can be driven exactly.
///
/// ```
/// use std::time::Duration;
/// use iconik_sync::clock::{Clock, FakeClock};
/// let clock = FakeClock::new();
/// clock.sleep(Duration::from_secs(2));
/// assert_eq!(clock.now(), Duration::from_secs(2));
/// assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
/// ```
pub struct FakeClock {
    state: Mutex<FakeState>,
    moved: Condvar,
    manual: bool,
    wall_origin: SystemTime,
}

#[derive(Default)]
struct FakeState {
    now: Duration,
    sleeps: Vec<Duration>,
    sleepers: usize,
}

impl fmt::Debug for FakeClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeClock")
            .field("now", &self.now())
            .field("manual", &self.manual)
            .finish()
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeClock {
    /// An auto-advancing fake clock at time zero (wall time: 2026-01-01).
    pub fn new() -> Self {
        FakeClock {
            state: Mutex::new(FakeState::default()),
            moved: Condvar::new(),
            manual: false,
            wall_origin: SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600),
        }
    }

    /// A fake clock whose sleeps block until [`advance`](Self::advance).
    pub fn manual() -> Self {
        FakeClock {
            manual: true,
            ..Self::new()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves time forward and wakes sleepers whose deadline has passed.
    pub fn advance(&self, by: Duration) {
        self.lock().now += by;
        self.moved.notify_all();
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// Sum of all sleeps requested so far.
    pub fn total_slept(&self) -> Duration {
        self.lock().sleeps.iter().sum()
    }

    /// How many threads are blocked in `sleep` right now (manual mode).
    pub fn sleepers(&self) -> usize {
        self.lock().sleepers
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.lock().now
    }
    fn wall(&self) -> SystemTime {
        self.wall_origin + self.now()
    }
    fn sleep(&self, duration: Duration) {
        let mut state = self.lock();
        state.sleeps.push(duration);
        if !self.manual {
            state.now += duration;
            drop(state);
            self.moved.notify_all();
            return;
        }
        let deadline = state.now + duration;
        state.sleepers += 1;
        while state.now < deadline {
            state = self
                .moved
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.sleepers -= 1;
    }
}
