//! Retries, pacing, proactive throttling and the cache, through the real
//! client against real sockets, on a fake clock (no sleeping).

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::raw::{raw_server, Behaviour};
use common::*;
use iconik_sync::clock::{Clock, FakeClock};
use iconik_sync::{CacheConfig, Client, Error, Method, RateLimitConfig};
use serde_json::{json, Value};

/// Retries on, no jitter, no pacing, on a fake clock.
fn retrying(max_retries: u32) -> (Harness, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let h = harness_with(move |b| {
        b.clock(c).rate_limit(
            RateLimitConfig::default()
                .jitter(false)
                .limits(vec![])
                .enable_proactive_throttling(false)
                .max_retries(max_retries),
        )
    });
    (h, clock)
}

fn secs(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|&s| Duration::from_secs(s)).collect()
}

#[test]
fn rate_limited_with_retry_after_then_ok_takes_two_attempts() {
    let (mut h, clock) = retrying(3);
    let limited = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(429)
        .with_header("Retry-After", "2")
        .with_body(r#"{"errors": ["Rate limit exceeded"]}"#)
        .create();
    let ok = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .create();
    let r = h.client.assets().get_asset("a").send().unwrap();
    assert_eq!(r.attempts, 2);
    assert_eq!(clock.sleeps(), secs(&[2]), "waited exactly Retry-After");
    limited.assert();
    ok.assert();
    h.finish();
}

#[test]
fn rate_limited_without_retry_after_backs_off() {
    let (mut h, clock) = retrying(3);
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(429)
        .create();
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .create();
    assert_eq!(h.client.assets().get_asset("a").send().unwrap().attempts, 2);
    assert_eq!(clock.sleeps(), secs(&[1]), "initial_backoff");
    h.finish();
}

#[test]
fn get_on_503_503_200_succeeds_in_three_attempts() {
    let (mut h, clock) = retrying(3);
    let unavailable = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(503)
        .expect(2)
        .create();
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .create();
    assert_eq!(h.client.assets().get_asset("a").send().unwrap().attempts, 3);
    assert_eq!(clock.sleeps(), secs(&[1, 2]), "exponential, factor 2");
    unavailable.assert();
    h.finish();
}

#[test]
fn post_on_503_fails_after_one_attempt() {
    let (mut h, clock) = retrying(3);
    let m = h
        .expect(Method::Post, "assets", "/v1/assets/")
        .with_status(503)
        .create();
    let err = h
        .client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&json!({"title": "t"}))
        .send::<Value>()
        .unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(503), 1));
    assert!(clock.sleeps().is_empty());
    m.assert();
    h.finish();
}

#[test]
fn post_on_429_is_resent_because_iconik_refused_it_unprocessed() {
    let (mut h, _) = retrying(3);
    h.expect(Method::Post, "assets", "/v1/assets/")
        .with_status(429)
        .with_header("Retry-After", "1")
        .create();
    h.expect(Method::Post, "assets", "/v1/assets/")
        .with_status(201)
        .with_body(r#"{"title": "t"}"#)
        .create();
    let r = h
        .client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&json!({"title": "t"}))
        .send::<Value>()
        .unwrap();
    assert_eq!((r.http_status(), r.attempts), (201, 2));
    h.finish();
}

#[test]
fn retries_stop_at_max_retries_and_count_attempts() {
    let (mut h, clock) = retrying(2);
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(502)
        .expect(3)
        .create();
    let err = h.client.assets().get_asset("a").send().unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(502), 3));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(clock.sleeps(), secs(&[1, 2]));
    m.assert();
    h.finish();
}

fn client_for(url: &str, clock: Arc<FakeClock>, max_retries: u32) -> Client {
    Client::builder()
        .app_id(APP_ID)
        .auth_token(TOKEN)
        .base_url(url)
        .clock(clock)
        .timeout(Duration::from_millis(300))
        .rate_limit(
            RateLimitConfig::default()
                .jitter(false)
                .limits(vec![])
                .max_retries(max_retries),
        )
        .build()
        .unwrap()
}

#[test]
fn post_failing_after_it_was_sent_is_never_resent() {
    for behaviour in [
        Behaviour::CloseAfterRead,
        Behaviour::Truncate,
        Behaviour::Hang,
    ] {
        let server = raw_server(behaviour);
        let client = client_for(&server.url, Arc::new(FakeClock::new()), 5);
        let err = client
            .request(Method::Post, "assets", "/v1/assets/")
            .json(&json!({"title": "once"}))
            .send::<Value>()
            .unwrap_err();
        assert!(err.may_have_reached_server(), "{behaviour:?}: {err:?}");
        assert_eq!(err.attempts(), 1, "{behaviour:?}");
        assert_eq!(
            server.requests.load(Ordering::SeqCst),
            1,
            "{behaviour:?}: duplicate POST"
        );
    }
}

#[test]
fn the_same_failures_are_retried_for_get() {
    for behaviour in [
        Behaviour::CloseAfterRead,
        Behaviour::Truncate,
        Behaviour::Hang,
    ] {
        let server = raw_server(behaviour);
        let client = client_for(&server.url, Arc::new(FakeClock::new()), 2);
        let err = client.assets().get_asset("a").send().unwrap_err();
        assert_eq!(err.attempts(), 3, "{behaviour:?}: {err:?}");
        assert_eq!(server.requests.load(Ordering::SeqCst), 3, "{behaviour:?}");
    }
}

#[test]
fn post_that_never_left_is_retried() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = Arc::new(FakeClock::new());
    let client = client_for(&format!("http://127.0.0.1:{port}"), clock.clone(), 3);
    let err = client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&json!({}))
        .send::<Value>()
        .unwrap_err();
    assert!(!err.may_have_reached_server(), "{err:?}");
    assert_eq!(err.attempts(), 4);
    assert_eq!(clock.sleeps(), secs(&[1, 2, 4]));
}

#[test]
fn disabled_handling_sends_once() {
    let mut h = harness();
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(429)
        .create();
    let err = h.client.assets().get_asset("a").send().unwrap_err();
    assert!(err.is_rate_limited());
    assert_eq!(err.attempts(), 1);
    h.finish();
}

#[test]
fn pacing_spreads_sends_over_the_window() {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let mut h = harness_with(move |b| {
        b.clock(c).rate_limit(
            RateLimitConfig::default()
                .limits(vec!["5/s".parse().unwrap()])
                .enable_proactive_throttling(false),
        )
    });
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .expect(12)
        .create();
    for _ in 0..12 {
        h.client.assets().get_asset("a").send().unwrap();
    }
    // 5 at t=0, 5 after one window (1 s + the 25 ms margin), 2 after two
    assert_eq!(clock.now(), Duration::from_millis(2050));
    m.assert();
    h.finish();
}

#[test]
fn proactive_throttling_spaces_sends_when_others_use_the_budget() {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let mut h = harness_with(move |b| {
        b.clock(c).rate_limit(
            RateLimitConfig::default()
                .limits(vec!["1000/20s".parse().unwrap()])
                .jitter(false),
        )
    });
    // iconik keeps saying 100 of 1000 are left, though this client sends
    // only a few: others hold ~900
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_header("RateLimit-Remaining", "100")
        .with_header("RateLimit-Limit", "1000")
        .with_body(r#"{"title": "t"}"#)
        .expect(40)
        .create();
    for _ in 0..40 {
        h.client.assets().get_asset("a").send().unwrap();
    }
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 39, "every send after the first waits");
    // others hold 899 of 1000: our share drops at once to 100 per 20 s,
    // one send per 200 ms; it would climb back only after a whole window
    assert_eq!(sleeps, vec![Duration::from_millis(200); 39]);
    h.finish();
}

#[test]
fn cache_hits_expires_and_is_invalidated_by_writes() {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let mut h = harness_with(move |b| {
        b.disable_rate_limit_handling().clock(c).cache(CacheConfig {
            ttl: Duration::from_secs(30),
            max_entries: 10,
        })
    });
    let get = h
        .expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .expect(3)
        .create();
    h.expect(Method::Patch, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .create();
    let first = h.client.assets().get_asset("a").send().unwrap();
    let second = h.client.assets().get_asset("a").send().unwrap();
    assert!(!first.from_cache && second.from_cache);
    assert_eq!(second.attempts, 0);
    assert_eq!(second.title, "t");
    // a write to the asset drops it
    h.client
        .request(Method::Patch, "assets", "/v1/assets/{id}/")
        .path_param("a")
        .json(&json!({"title": "u"}))
        .send::<Value>()
        .unwrap();
    assert!(!h.client.assets().get_asset("a").send().unwrap().from_cache);
    // and it expires
    clock.advance(Duration::from_secs(31));
    assert!(!h.client.assets().get_asset("a").send().unwrap().from_cache);
    let stats = h.client.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.invalidations), (1, 3, 1));
    get.assert();
    h.finish();
}

#[test]
fn clones_share_the_pacer() {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let mut h = harness_with(move |b| {
        b.clock(c).rate_limit(
            RateLimitConfig::default()
                .limits(vec!["2/s".parse().unwrap()])
                .window_margin(Duration::ZERO)
                .enable_proactive_throttling(false),
        )
    });
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": "t"}"#)
        .expect(4)
        .create();
    let clone = h.client.clone();
    h.client.assets().get_asset("a").send().unwrap();
    clone.assets().get_asset("a").send().unwrap();
    h.client.assets().get_asset("a").send().unwrap();
    clone.assets().get_asset("a").send().unwrap();
    assert_eq!(clock.now(), Duration::from_secs(1));
    h.finish();
}

#[test]
fn an_error_never_looks_like_success() {
    let (mut h, _) = retrying(0);
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(503)
        .with_body(r#"{"title": "looks fine"}"#)
        .create();
    assert!(matches!(
        h.client.assets().get_asset("a").send(),
        Err(Error::Api(_))
    ));
    h.finish();
}
