//! Local pacing while Redis is unavailable, and the hand-over in both
//! directions.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use iconik_sync::rate_limit::Reservation;
use iconik_sync::Rate;

/// This process's log at a share of each limit, per key.
pub(crate) struct Fallback {
    share: f64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    logs: HashMap<String, KeyLog>,
    /// When the limiter last switched from Redis to local pacing.
    switched_at: Option<Instant>,
}

#[derive(Default)]
struct KeyLog {
    /// Local grants, oldest first.
    grants: VecDeque<Instant>,
    /// The recovery whose hand-over (replay into Redis) is done.
    replayed: u64,
}

impl Fallback {
    pub(crate) fn new(share: f64) -> Fallback {
        Fallback {
            share,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a switch from Redis to local pacing.
    pub(crate) fn switched(&self) {
        self.lock().switched_at = Some(Instant::now());
    }

    /// A local reservation: `share` of each count (rounded down, but at
    /// least one) in the same windows. For one shortest window after a
    /// switch from Redis nothing is granted: the fleet may have filled that
    /// window on Redis just before, and every process is switching at
    /// about the same time.
    pub(crate) fn reserve(&self, key: &str, rates: &[Rate]) -> Reservation {
        let now = Instant::now();
        let mut state = self.lock();
        if let (Some(at), Some(shortest)) = (state.switched_at, rates.iter().map(|r| r.per).min()) {
            let drained = at + shortest;
            if drained > now {
                return Reservation::Wait(drained - now);
            }
        }
        let log = &mut state.logs.entry(key.to_owned()).or_default().grants;
        let mut until: Option<Instant> = None;
        let mut keep = 0;
        for r in rates {
            let n = ((f64::from(r.count) * self.share).floor() as usize).max(1);
            keep = keep.max(n);
            if log.len() >= n {
                let free_at = log[log.len() - n] + r.per;
                if free_at > now {
                    until = Some(until.map_or(free_at, |u| u.max(free_at)));
                }
            }
        }
        if let Some(t) = until {
            return Reservation::Wait(t - now);
        }
        log.push_back(now);
        while log.len() > keep {
            log.pop_front();
        }
        Reservation::Granted
    }

    /// The ages of this key's local grants within `longest`, once per
    /// recovery (`epoch`), to be added to Redis's log so that the shared
    /// log knows what was sent while it was away. `None` when already done.
    pub(crate) fn to_replay(&self, key: &str, epoch: u64, longest: Duration) -> Option<Vec<u64>> {
        let now = Instant::now();
        let mut state = self.lock();
        let log = state.logs.get_mut(key)?;
        if log.replayed >= epoch {
            return None;
        }
        log.replayed = epoch;
        let ages = (log.grants.iter())
            .map(|&t| now.duration_since(t))
            .filter(|&age| age < longest)
            .map(|age| u64::try_from(age.as_micros()).unwrap_or(u64::MAX))
            .collect();
        Some(ages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_a_share_and_hands_over_once_per_recovery() {
        let f = Fallback::new(0.5);
        let r = [Rate::new(4, Duration::from_secs(60)).unwrap()];
        let granted = (0..5)
            .filter(|_| f.reserve("k", &r) == Reservation::Granted)
            .count();
        assert_eq!(granted, 2);
        assert_eq!(f.to_replay("k", 0, Duration::from_secs(60)), None);
        assert_eq!(
            f.to_replay("k", 1, Duration::from_secs(60))
                .map(|a| a.len()),
            Some(2)
        );
        assert_eq!(f.to_replay("k", 1, Duration::from_secs(60)), None, "once");
        assert_eq!(f.to_replay("other", 1, Duration::from_secs(60)), None);
        // after a switch from Redis, one shortest window of silence
        f.switched();
        assert!(
            matches!(f.reserve("new", &r), Reservation::Wait(d) if d > Duration::from_secs(59))
        );
    }
}
