//! A Redis that is reachable but unusable, in the ways a real Redis cannot
//! be made to behave (a scripted RESP server): for each, sends keep
//! completing at the local share, with one `WARN` and one switch (no
//! livelock: a `PING` that works no longer brings the limiter back), and
//! the limiter returns to Redis once a script runs there again.
//!
//! Bounds are generous (seconds where the work takes tens of ms) so they
//! hold on a loaded 2-core machine.

mod common;

use std::time::{Duration, Instant};

use common::fake_resp::{FakeResp, Mode};
use common::logs::warns_here;
use common::{eventually, one_send, peak_rss};
use iconik_redis::{RedisLimiter, RedisReservation};
use iconik_sync::rate_limit::SharedLimiter;
use iconik_sync::Rate;

const WINDOW: Duration = Duration::from_millis(300);
/// No send may take longer (the slowest: a few command timeouts, one
/// window of silence, waits at the local share).
const SEND_BOUND: Duration = Duration::from_secs(10);

fn rates() -> Vec<Rate> {
    vec![Rate::new(10, WINDOW).unwrap()]
}

fn limiter(fake: &FakeResp) -> RedisLimiter {
    RedisLimiter::builder(fake.url())
        .timeout(Duration::from_millis(300))
        .connect_timeout(Duration::from_secs(2))
        .local_share(0.5)
        .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(200))
        .connect()
        .unwrap()
}

/// The scenario every failure mode must pass; returns how long the 12
/// sends took once Redis went bad.
fn survives(mode: Mode) -> Duration {
    let fake = FakeResp::start(Mode::Healthy);
    let l = limiter(&fake);
    assert!(!l.is_degraded(), "a script ran: healthy");
    let key = l.key("app", "token");
    let r = rates();
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));

    fake.set(mode.clone());
    let warns = warns_here();
    let started = Instant::now();
    for _ in 0..12 {
        one_send(&l, &key, &r, SEND_BOUND);
    }
    let took = started.elapsed();
    // local pacing: one window of silence, then 5 per window
    assert!(
        took >= 2 * WINDOW,
        "{mode:?}: 12 sends in {took:?}: not paced locally"
    );
    assert!(took < SEND_BOUND, "{mode:?}: {took:?}");
    assert!(l.is_degraded(), "{mode:?}");
    assert_eq!(l.fallbacks(), 1, "{mode:?}: switched back and forth");
    assert_eq!(warns_here() - warns, 1, "{mode:?}: one WARN");

    // a while longer on the bad Redis: still local, no flapping
    std::thread::sleep(Duration::from_millis(500));
    one_send(&l, &key, &r, SEND_BOUND);
    assert_eq!(l.fallbacks(), 1, "{mode:?}: a probe let it back");

    fake.set(Mode::Healthy);
    assert!(
        eventually(Duration::from_secs(5), || !l.is_degraded()),
        "{mode:?}: back on Redis once a script runs"
    );
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));
    took
}

#[test]
fn an_error_reply_to_the_script_keeps_calls_local_until_a_script_runs() {
    survives(Mode::Error("ERR something broke"));
}

#[test]
fn a_readonly_replica_keeps_calls_local_until_a_script_runs() {
    survives(Mode::Error(
        "READONLY You can't write against a read only replica.",
    ));
}

#[test]
fn an_out_of_memory_redis_keeps_calls_local_until_a_script_runs() {
    survives(Mode::Error(
        "OOM command not allowed when used memory > 'maxmemory'.",
    ));
}

#[test]
fn noscript_after_eval_too_is_not_a_loop() {
    let fake = FakeResp::start(Mode::Healthy);
    let l = limiter(&fake);
    let before = fake.scripts.load(std::sync::atomic::Ordering::SeqCst);
    fake.set(Mode::Error("NOSCRIPT No matching script. Please use EVAL."));
    let key = l.key("app", "token");
    assert!(l.reserve_on_redis(&key, &rates()).is_err());
    let sent = fake.scripts.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert_eq!(sent, 2, "EVALSHA, then EVAL once");
    drop(l);
    survives(Mode::Error("NOSCRIPT No matching script. Please use EVAL."));
}

#[test]
fn garbage_keeps_calls_local_until_a_script_runs() {
    survives(Mode::Garbage);
}

#[test]
fn an_answer_of_the_wrong_type_or_shape_keeps_calls_local() {
    survives(Mode::Wrong("+OK\r\n"));
    survives(Mode::Wrong(":1\r\n"));
    survives(Mode::Wrong("*3\r\n:1\r\n:2\r\n:3\r\n"));
    survives(Mode::Wrong("*2\r\n$1\r\n1\r\n$2\r\n42\r\n"));
}

#[test]
fn a_partial_answer_keeps_calls_local() {
    survives(Mode::Partial { close: false });
    survives(Mode::Partial { close: true });
}

#[test]
fn a_slow_or_trickling_answer_is_cut_at_the_timeout() {
    survives(Mode::Slow(Duration::from_secs(2)));
    // one byte per 100 ms never trips a per-read timeout: the deadline is
    // per command
    survives(Mode::Trickle);
}

#[test]
fn a_silent_redis_that_still_answers_ping_keeps_calls_local() {
    survives(Mode::Silent);
}

#[test]
fn a_huge_answer_is_refused_before_it_is_read() {
    let before = peak_rss();
    let started = Instant::now();
    survives(Mode::Huge { array: false });
    survives(Mode::Huge { array: true });
    let grew = peak_rss().saturating_sub(before);
    assert!(
        grew < 64 * 1024 * 1024,
        "peak memory grew by {} MiB",
        grew >> 20
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_redis_that_always_says_wait_bounds_each_call() {
    // each send waits at most two windows on Redis's word, then the
    // probe is told to wait too: local pacing
    survives(Mode::Wait(50_000));
}

#[test]
fn a_wait_longer_than_the_window_is_refused() {
    survives(Mode::Wait(3_600_000_000));
}

#[test]
fn reconnection_backoff_persists_across_flaps() {
    // the probe passes, every real reservation fails: each recovery is
    // followed by a failure; the pause between them must keep growing
    let fake = FakeResp::start(Mode::Healthy);
    let l = limiter(&fake);
    let key = l.key("app", "token");
    let r = rates();
    fake.set(Mode::FlapProbeOk);
    let warns = warns_here();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        one_send(&l, &key, &r, SEND_BOUND);
        std::thread::sleep(Duration::from_millis(5));
    }
    let times = fake.connections.lock().unwrap().clone();
    // 20 ms doubling to 200 ms: about 10 reconnections in 2 s; a backoff
    // that started afresh at every flap would make about 100
    assert!(
        times.len() <= 16,
        "{} connections in 2 s of flapping",
        times.len()
    );
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.last()
            .is_some_and(|g| *g >= Duration::from_millis(100)),
        "the pause did not grow: {gaps:?}"
    );
    assert!(l.fallbacks() >= 2, "it did flap");
    assert_eq!(warns_here() - warns, 1, "one WARN for the whole episode");
}
