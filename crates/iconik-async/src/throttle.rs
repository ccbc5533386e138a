//! [`AsyncThrottle`]: the await-able twin of [`iconik_sync::Throttle`].

use std::time::Duration;

use iconik_sync::{Rate, Throttle, ThrottleGuard};

/// How often a waiter looks again while every slot is held by a guard.
const HELD_POLL: Duration = Duration::from_millis(5);

/// A rate limiter for async code: `acquire().await` waits with tokio's
/// timer, never blocking a runtime thread. Waiters are served in arrival
/// order (a fair tokio mutex in front of the sync primitive).
///
/// ```no_run
/// # async fn demo() {
/// let throttle = iconik_async::AsyncThrottle::new("5/s".parse().unwrap());
/// for _ in 0..10 {
///     let _slot = throttle.acquire().await;
///     // at most 5 of these per second
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct AsyncThrottle {
    inner: Throttle,
    queue: tokio::sync::Mutex<()>,
}

impl AsyncThrottle {
    /// A throttle for one rate.
    pub fn new(rate: Rate) -> Self {
        AsyncThrottle::from_sync(Throttle::new(rate))
    }

    /// Wraps a sync throttle; both share the same slots.
    pub fn from_sync(inner: Throttle) -> Self {
        AsyncThrottle {
            inner,
            queue: tokio::sync::Mutex::new(()),
        }
    }

    /// Waits for a slot, in arrival order; the guard releases it on drop.
    pub async fn acquire(&self) -> ThrottleGuard {
        let _turn = self.queue.lock().await;
        loop {
            match self.inner.try_acquire_or_wait() {
                Ok(guard) => return guard,
                Err(Some(wait)) => tokio::time::sleep(wait).await,
                Err(None) => tokio::time::sleep(HELD_POLL).await,
            }
        }
    }

    /// A slot now, or `None`.
    pub fn try_acquire(&self) -> Option<ThrottleGuard> {
        self.inner.try_acquire()
    }

    /// True when `acquire` would wait now.
    pub fn locked(&self) -> bool {
        self.inner.locked()
    }
}
