//! RedisLimiter against a real redis-server: exactness across limiters and
//! threads, isolation between credentials, Redis killed and restarted,
//! a slow Redis. Windows are scaled down so each test runs in seconds.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{most_in, RedisServer};
use iconik_redis::{RedisLimiter, RedisReservation};
use iconik_sync::rate_limit::{Reservation, SharedLimiter};
use iconik_sync::Rate;

fn rates() -> Vec<Rate> {
    vec![
        Rate::new(10, Duration::from_millis(200)).unwrap(),
        Rate::new(30, Duration::from_secs(1)).unwrap(),
    ]
}

fn limiter(server: &RedisServer) -> RedisLimiter {
    let limiter = RedisLimiter::connect(&server.url()).expect("limiter");
    assert!(
        !limiter.is_degraded(),
        "Redis is up: the limiter must use it"
    );
    limiter
}

/// Waits up to `within` for `cond`, polling.
fn eventually(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}

#[test]
fn the_merged_log_of_several_limiters_and_threads_never_exceeds_a_window() {
    let server = RedisServer::start();
    // four "processes" (each its own limiter and connection), three threads each
    let limiters: Vec<RedisLimiter> = (0..4).map(|_| limiter(&server)).collect();
    let key = limiters[0].key("app", "token");
    let total = 150;
    let claimed = AtomicUsize::new(0);
    let granted = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for l in &limiters {
            for _ in 0..3 {
                s.spawn(|| {
                    let mut rng = fastrand::Rng::new();
                    while claimed.fetch_add(1, Ordering::SeqCst) < total {
                        loop {
                            assert!(started.elapsed() < Duration::from_secs(30), "too slow");
                            match l.reserve_on_redis(&key, &rates()).expect("Redis is up") {
                                RedisReservation::Granted { at_micros } => {
                                    granted.lock().unwrap().push(at_micros);
                                    break;
                                }
                                RedisReservation::Wait(d) => {
                                    assert!(d > Duration::ZERO && d <= Duration::from_secs(1));
                                    std::thread::sleep(d + Duration::from_micros(rng.u64(0..1000)));
                                }
                            }
                        }
                    }
                });
            }
        }
    });
    let mut log = granted.into_inner().unwrap();
    log.sort_unstable();
    assert_eq!(log.len(), total);
    assert!(
        most_in(&log, 200_000) <= 10,
        "{} in 200 ms",
        most_in(&log, 200_000)
    );
    assert!(
        most_in(&log, 1_000_000) <= 30,
        "{} in 1 s",
        most_in(&log, 1_000_000)
    );
    // and as fast as the rules allow: bursts of 10 at 0, 0.2, 0.4 s in each
    // second, so the 150th grant at 4.4 s; allow for the wake-up latency of
    // a loaded 2-core machine (up to ~100 ms late for each of the 15
    // bursts): a log not used efficiently takes twice as long
    let span = log[total - 1] - log[0];
    assert!(span >= 4_400_000, "{span} µs");
    assert!(
        span < 7_000_000,
        "{span} µs: the log is not used efficiently"
    );
}

#[test]
fn clients_and_threads_on_the_trait_path_agree_with_redis() {
    // the SharedLimiter path (what the pacer calls) grants exactly the
    // same: count grants per 200 ms on Redis's log afterwards
    let server = RedisServer::start();
    let a = limiter(&server);
    let b = limiter(&server);
    let key = a.key("app", "token");
    assert_eq!(
        key,
        b.key("app", "token"),
        "every process names the log alike"
    );
    let one = [Rate::new(5, Duration::from_secs(60)).unwrap()];
    let mut grants = 0;
    for l in [&a, &b, &a, &b, &a, &b, &a, &b] {
        if l.reserve(&key, &one) == Reservation::Granted {
            grants += 1;
        }
    }
    assert_eq!(grants, 5);
    match a.reserve(&key, &one) {
        Reservation::Wait(d) => {
            assert!(d > Duration::from_secs(59) && d <= Duration::from_secs(60))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn credentials_are_isolated_and_redis_never_sees_the_token() {
    let server = RedisServer::start();
    let l = limiter(&server);
    let token_a = "secret-token-aaaa";
    let token_b = "secret-token-bbbb";
    let a = l.key("app", token_a);
    let b = l.key("app", token_b);
    assert_ne!(a, b);
    let r = [Rate::new(5, Duration::from_secs(2)).unwrap()];
    for _ in 0..5 {
        assert_eq!(l.reserve(&a, &r), Reservation::Granted);
    }
    assert!(matches!(l.reserve(&a, &r), Reservation::Wait(_)));
    // the other credential's log is untouched
    for _ in 0..5 {
        assert_eq!(l.reserve(&b, &r), Reservation::Granted);
    }
    assert!(matches!(l.reserve(&b, &r), Reservation::Wait(_)));
    // what Redis holds: two keys with an expiry, nothing of the token
    // (and the limiter's own probe key, which expires within 2 s)
    let mut c = server.connection().unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut c).unwrap();
    let (probes, mut keys): (Vec<String>, Vec<String>) = keys
        .drain(..)
        .partition(|k| k.starts_with("iconik:limit:probe:"));
    for k in &probes {
        let ttl: i64 = redis::cmd("PTTL").arg(k).query(&mut c).unwrap();
        assert!(ttl > 0 && ttl <= 2_000, "{k}: {ttl}");
    }
    keys.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(keys, expected);
    for k in &keys {
        assert!(!k.contains("secret") && !k.contains("app"), "{k}");
        let members: Vec<String> = redis::cmd("ZRANGE")
            .arg(k)
            .arg(0)
            .arg(-1)
            .query(&mut c)
            .unwrap();
        assert_eq!(members.len(), 5);
        assert!(members.iter().all(|m| !m.contains("secret")));
        let ttl: i64 = redis::cmd("PTTL").arg(k).query(&mut c).unwrap();
        assert!(ttl > 0 && ttl <= 3_000, "{ttl}");
    }
    // another secret names other logs
    let other = RedisLimiter::builder(server.url())
        .key_secret("fleet-2")
        .connect()
        .unwrap();
    assert_ne!(other.key("app", token_a), a);
}

#[test]
fn redis_killed_mid_run_falls_back_locally_and_returns_after_restart() {
    let mut server = RedisServer::start();
    let l = RedisLimiter::builder(server.url())
        .local_share(0.5)
        .timeout(Duration::from_millis(100))
        .connect()
        .unwrap();
    let key = l.key("app", "token");
    let r = [
        Rate::new(10, Duration::from_millis(500)).unwrap(),
        Rate::new(20, Duration::from_secs(5)).unwrap(),
    ];
    let granted_now = |l: &RedisLimiter| {
        (0..30)
            .filter(|_| l.reserve(&key, &r) == Reservation::Granted)
            .count()
    };
    assert_eq!(granted_now(&l), 10, "on Redis: the whole limit");
    server.kill();
    // the first call after the kill notices at once and switches: nothing
    // for one short window (the fleet may have just filled it)
    let t = Instant::now();
    match l.reserve(&key, &r) {
        Reservation::Wait(d) => assert!(d <= Duration::from_millis(500), "{d:?}"),
        other => panic!("{other:?}"),
    }
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert!(l.is_degraded());
    assert!(l.reserve_on_redis(&key, &r).is_err());
    std::thread::sleep(Duration::from_millis(600));
    // then local pacing at half the limits; no call hangs or fails
    let t = Instant::now();
    assert_eq!(granted_now(&l), 5, "local pacing at a share of 0.5");
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    match l.reserve(&key, &r) {
        Reservation::Wait(d) => assert!(d <= Duration::from_millis(500), "{d:?}"),
        other => panic!("{other:?}"),
    }
    server.restart();
    assert!(
        eventually(Duration::from_secs(5), || !l.is_degraded()),
        "back on Redis after the restart"
    );
    std::thread::sleep(Duration::from_millis(600));
    // the shared log again (empty after the restart), told first about the
    // 5 local grants, which still count in the 5 s window
    assert_eq!(granted_now(&l), 10, "the 500 ms window on Redis");
    let mut c = server.connection().unwrap();
    let n: usize = redis::cmd("ZCARD").arg(&key).query(&mut c).unwrap();
    assert_eq!(n, 15, "10 on Redis + 5 replayed");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(granted_now(&l), 5, "20 per 5 s, 15 of them used");
}

#[test]
fn a_slow_redis_is_bypassed_within_the_timeout_and_used_again_after() {
    let server = RedisServer::start();
    let l = RedisLimiter::builder(server.url())
        .timeout(Duration::from_millis(100))
        .connect()
        .unwrap();
    let key = l.key("app", "token");
    let r = [Rate::new(100, Duration::from_secs(1)).unwrap()];
    assert_eq!(l.reserve(&key, &r), Reservation::Granted);
    // block the whole server for 1.5 s from another connection
    let url = server.url();
    let sleeper = std::thread::spawn(move || {
        let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
        redis::cmd("DEBUG")
            .arg("SLEEP")
            .arg("1.5")
            .query::<String>(&mut c)
    });
    // until Redis is asleep (a PING goes unanswered), however late the
    // sleeper thread runs on a loaded machine
    assert!(
        eventually(Duration::from_secs(5), || {
            use std::io::{Read, Write};
            let mut c = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            c.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            c.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
            c.read(&mut [0u8; 16]).is_err()
        }),
        "DEBUG SLEEP never started"
    );
    let t = Instant::now();
    // answered locally after the timeout: a short window of silence first
    match l.reserve(&key, &r) {
        Reservation::Wait(d) => assert!(d <= Duration::from_secs(1), "{d:?}"),
        other => panic!("{other:?}"),
    }
    // within the 100 ms timeout, not the 1.5 s Redis sleeps (a loaded
    // machine may add hundreds of ms)
    let first = t.elapsed();
    assert!(
        first < Duration::from_millis(1000),
        "waited {first:?} on a slow Redis"
    );
    assert!(l.is_degraded());
    // later calls do not wait on Redis at all (each would wait 100 ms)
    let t = Instant::now();
    for _ in 0..10 {
        let _ = l.reserve(&key, &r);
    }
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    sleeper.join().unwrap().expect("DEBUG SLEEP");
    assert!(
        eventually(Duration::from_secs(5), || !l.is_degraded()),
        "back on Redis once it answers"
    );
    assert!(matches!(
        l.reserve_on_redis(&key, &r),
        Ok(RedisReservation::Granted { .. })
    ));
}

#[test]
fn an_unreachable_redis_at_start_is_not_an_error() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.kill();
    let l = RedisLimiter::connect(&url).expect("a down Redis is not a config error");
    assert!(l.is_degraded());
    let key = l.key("app", "token");
    let r = [Rate::new(8, Duration::from_secs(1)).unwrap()];
    // default share 0.25: 2 of 8 (at once: it never was on Redis)
    let n = (0..8)
        .filter(|_| l.reserve(&key, &r) == Reservation::Granted)
        .count();
    assert_eq!(n, 2);
    server.restart();
    assert!(eventually(Duration::from_secs(5), || !l.is_degraded()));
    assert!(RedisLimiter::connect("not a url").is_err());
    assert!(RedisLimiter::builder(url.as_str())
        .local_share(0.0)
        .connect()
        .is_err());
}
