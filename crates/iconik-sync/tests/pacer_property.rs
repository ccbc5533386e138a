//! Property test of the pacer's primitive: random schedules of 1 to 64
//! senders never exceed any window and reach at least 95% of the allowed
//! throughput. Control: a plain 50/s token bucket fails the same window
//! check.
//!
//! A discrete-event simulation on a fake clock: each sender asks for a
//! slot at its own (random) times; a refused sender comes back exactly when
//! the throttle says a slot frees. No threads, no sleeping, exact.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::Duration;

use iconik_sync::clock::{Clock, FakeClock};
use iconik_sync::{Rate, Throttle};

const MICRO: u64 = 1_000_000;

fn limits() -> Vec<Rate> {
    vec!["50/s".parse().unwrap(), "1000/20s".parse().unwrap()]
}

/// Most events in any half-open window `[t, t + len)`.
fn max_in_window(sends: &[u64], len: u64) -> usize {
    let mut best = 0;
    let mut start = 0;
    for end in 0..sends.len() {
        while sends[end] - sends[start] >= len {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

/// The least time `n` sends can take under `limits` (first at t=0).
fn minimum_span(n: u64, limits: &[Rate]) -> u64 {
    limits
        .iter()
        .map(|r| (n.div_ceil(u64::from(r.count)) - 1) * r.per.as_micros() as u64)
        .max()
        .unwrap_or(0)
}

/// Runs `senders` senders for `total` sends; returns send times in µs.
fn simulate(
    seed: u64,
    senders: usize,
    total: usize,
    mut admit: impl FnMut(u64) -> Result<(), u64>,
) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    // (time, arrival sequence, sender): ties are served in arrival order
    let mut queue = BinaryHeap::new();
    let mut seq = 0u64;
    for s in 0..senders {
        queue.push(Reverse((rng.u64(0..2_000), seq, s)));
        seq += 1;
    }
    let mut sends = Vec::with_capacity(total);
    while let Some(Reverse((t, _, s))) = queue.pop() {
        if sends.len() == total {
            break;
        }
        match admit(t) {
            Ok(()) => {
                sends.push(t);
                // think for 0-2 ms before asking again: demand far above 50/s
                queue.push(Reverse((t + rng.u64(0..2_000), seq, s)));
            }
            Err(at) => queue.push(Reverse((at.max(t), seq, s))),
        }
        seq += 1;
    }
    sends.sort_unstable();
    sends
}

fn throttle_admit<'a>(
    throttle: &'a Throttle,
    clock: &'a FakeClock,
) -> impl FnMut(u64) -> Result<(), u64> + 'a {
    move |t| {
        let now = clock.now().as_micros() as u64;
        if t > now {
            clock.advance(Duration::from_micros(t - now));
        }
        match throttle.try_acquire_or_wait() {
            Ok(guard) => {
                drop(guard); // released at once: a paced send
                Ok(())
            }
            Err(Some(wait)) => Err(t + wait.as_micros().max(1) as u64),
            Err(None) => Err(t + 1),
        }
    }
}

#[test]
fn random_schedules_never_exceed_a_window_and_use_the_allowance() {
    let mut rng = fastrand::Rng::with_seed(2026);
    let total = 2_500;
    let (mut worst_1s, mut worst_20s, mut worst_share) = (0, 0, f64::MAX);
    for round in 0..40 {
        let senders = if round == 0 { 1 } else { rng.usize(1..=64) };
        let clock = Arc::new(FakeClock::new());
        let throttle = Throttle::with_rates(&limits(), clock.clone());
        let sends = simulate(
            rng.u64(..),
            senders,
            total,
            throttle_admit(&throttle, &clock),
        );
        assert_eq!(sends.len(), total);
        let in_1s = max_in_window(&sends, MICRO);
        let in_20s = max_in_window(&sends, 20 * MICRO);
        assert!(
            in_1s <= 50,
            "{senders} senders: {in_1s} sends in one second"
        );
        assert!(in_20s <= 1000, "{senders} senders: {in_20s} sends in 20 s");
        let span = sends[total - 1] - sends[0];
        let share = minimum_span(total as u64, &limits()) as f64 / span as f64;
        assert!(
            share >= 0.95,
            "{senders} senders: {:.1}% of the allowance",
            share * 100.0
        );
        worst_1s = worst_1s.max(in_1s);
        worst_20s = worst_20s.max(in_20s);
        worst_share = worst_share.min(share);
    }
    eprintln!(
        "pacer over 40 schedules of 1-64 senders x {total} sends: most in any 1 s = {worst_1s}/50, \
         in any 20 s = {worst_20s}/1000, lowest throughput = {:.2}% of the allowance",
        worst_share * 100.0
    );
}

#[test]
fn control_a_plain_token_bucket_exceeds_the_window() {
    // 50 tokens, refilled at 50/s: the classic "50/s" bucket (GCRA)
    let (capacity, per_token) = (50.0f64, MICRO as f64 / 50.0);
    let mut tokens = capacity;
    let mut last = 0u64;
    let admit = |t: u64| {
        tokens = (tokens + (t - last) as f64 / per_token).min(capacity);
        last = t;
        if tokens >= 1.0 {
            tokens -= 1.0;
            Ok(())
        } else {
            Err(t + ((1.0 - tokens) * per_token).ceil() as u64)
        }
    };
    let sends = simulate(7, 16, 500, admit);
    let in_1s = max_in_window(&sends, MICRO);
    eprintln!("control: a 50/s token bucket let {in_1s} sends into one second");
    assert!(
        in_1s > 90,
        "the bucket should admit a burst plus a refill: {in_1s}"
    );
}

#[test]
fn window_counter_is_exact() {
    assert_eq!(max_in_window(&[0, 1, 2], 3), 3);
    assert_eq!(max_in_window(&[0, 1, 3], 3), 2);
    assert_eq!(minimum_span(50, &limits()), 0);
    assert_eq!(minimum_span(51, &limits()), MICRO);
    assert_eq!(minimum_span(2_500, &limits()), 49 * MICRO);
}
