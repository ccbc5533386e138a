//! Issue 10, items 2, 3 and 10, against a scripted hostile server on
//! loopback, on a fake clock (no sleeping): every call ends within its
//! documented bound, no header panics, a read sent as POST is retried only
//! when it declared itself safe, and no other POST is ever sent twice.

mod hostile_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostile_server::*;
use iconik_sync::clock::FakeClock;
use iconik_sync::retry::MAX_RATE_LIMITED_RETRIES;
use iconik_sync::{Client, Error, Method, RateLimitConfig};
use serde_json::{json, Value};

/// Retries on (no jitter, no pacing) on a fake clock.
fn retrying(url: &str, config: RateLimitConfig) -> (Client, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::new());
    let client = builder(url)
        .clock(clock.clone())
        .rate_limit(
            config
                .jitter(false)
                .limits(vec![])
                .enable_proactive_throttling(false),
        )
        .build()
        .unwrap();
    (client, clock)
}

fn rate_limited(retry_after: &str) -> Reply {
    Reply::Bytes(http(
        429,
        &[("Retry-After", retry_after)],
        br#"{"errors":["slow down"]}"#,
    ))
}

#[test]
fn rate_limited_forever_with_retry_after_zero_or_past_ends_within_max_rate_limit_wait() {
    for value in ["0", "Sun, 06 Nov 1994 08:49:37 GMT"] {
        let v = value.to_owned();
        let server = serve(move |_, _| rate_limited(&v));
        let limit = Duration::from_secs(60);
        let (client, clock) = retrying(
            &server.url,
            RateLimitConfig::default().max_rate_limit_wait(limit),
        );
        let started = Instant::now();
        let err = client.assets().get_asset("a").send().unwrap_err();
        eprintln!(
            "429 + Retry-After {value:?} forever: {err} after {} requests, {:?} waited (fake), {:?} wall",
            server.count(),
            clock.total_slept(),
            started.elapsed()
        );
        assert!(err.is_rate_limited(), "{value}: {err:?}");
        // waits follow the backoff (1, 2, 4, 8, 16 s); the next (30 s)
        // would pass the 60 s bound, so the call ends
        assert_eq!(clock.total_slept(), Duration::from_secs(31), "{value}");
        assert_eq!(server.count(), 6, "{value}");
        assert_eq!(err.attempts(), 6, "{value}");
    }
}

#[test]
fn rate_limited_forever_with_zero_waits_everywhere_ends_after_the_retry_cap() {
    let server = serve(|_, _| rate_limited("0"));
    let (client, clock) = retrying(
        &server.url,
        RateLimitConfig::default()
            .initial_backoff(Duration::ZERO)
            .max_backoff(Duration::ZERO),
    );
    let started = Instant::now();
    let err = client.assets().get_asset("a").send().unwrap_err();
    eprintln!(
        "429 + zero waits forever: {err} after {} requests in {:?} wall",
        server.count(),
        started.elapsed()
    );
    assert!(err.is_rate_limited());
    assert_eq!(server.count() as u32, MAX_RATE_LIMITED_RETRIES + 1);
    assert_eq!(clock.total_slept(), Duration::ZERO);
}

const FAR_FUTURE: &str = "Sun, 06 Nov 300000000000 08:49:37 GMT";

#[test]
fn a_retry_after_date_in_the_year_300000000000_never_panics() {
    // on a 200 with rate-limit handling off
    let server = serve(|_, _| {
        Reply::Bytes(http(
            200,
            &[("Retry-After", FAR_FUTURE)],
            br#"{"id":"a","title":"t"}"#,
        ))
    });
    let asset = client(&server.url).assets().get_asset("a").send().unwrap();
    assert_eq!(asset.data().id.as_deref(), Some("a"));

    // on 429 and 503 with handling on: read as no Retry-After, backed off
    for status in [429, 503] {
        let server = serve(move |i, _| match i {
            0 => Reply::Bytes(http(status, &[("Retry-After", FAR_FUTURE)], b"{}")),
            _ => Reply::Bytes(http(200, &[], br#"{"id":"a","title":"t"}"#)),
        });
        let (client, clock) = retrying(&server.url, RateLimitConfig::default());
        let asset = client.assets().get_asset("a").send().unwrap();
        assert_eq!(asset.attempts(), 2, "{status}");
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)], "{status}");
    }

    // every bound of the year, and absurd RateLimit-* values, on a 200
    // with proactive throttling on
    let server = serve(|_, _| {
        Reply::Bytes(http(
            200,
            &[
                ("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"),
                ("Retry-After", "99999999999999999999999999"),
                ("RateLimit-Remaining", "0"),
                ("RateLimit-Limit", "4294967295"),
                ("RateLimit-Reset", "4294967295"),
            ],
            br#"{"id":"a","title":"t"}"#,
        ))
    });
    let clock = Arc::new(FakeClock::new());
    let client = builder(&server.url).clock(clock).build().unwrap();
    for _ in 0..3 {
        assert!(client.assets().get_asset("a").send().is_ok());
    }
}

fn search(client: &Client, retry_safe: bool) -> iconik_sync::Result<Value> {
    let request = client
        .request(Method::Post, "search", "/v1/search/")
        .json(&json!({"query": "title:clip"}));
    let request = if retry_safe {
        request.retry_safe()
    } else {
        request
    };
    request.send::<Value>().map(|r| r.into_data())
}

#[test]
fn a_search_marked_retry_safe_is_retried_on_503_and_reset_an_unmarked_post_never() {
    for failure in ["503", "reset"] {
        let script = move |i: usize, _: &Request| match (i, failure) {
            (0, "503") => Reply::Bytes(http(503, &[], b"{}")),
            (0, _) => Reply::Close,
            _ => json(&json!({"objects": [], "page": 1})),
        };
        // marked: a read, sent again, succeeds
        let server = serve(script);
        let (client, _) = retrying(&server.url, RateLimitConfig::default());
        assert!(search(&client, true).is_ok(), "{failure}");
        assert_eq!(server.count(), 2, "{failure}");
        let (a, b) = (server.request(0), server.request(1));
        assert_eq!(
            (a.method.as_str(), a.body.clone()),
            ("POST", b.body),
            "{failure}: the same request"
        );

        // unmarked: it may have acted, never sent twice
        let server = serve(script);
        let (client, _) = retrying(&server.url, RateLimitConfig::default());
        let err = search(&client, false).unwrap_err();
        assert!(err.may_have_reached_server(), "{failure}: {err:?}");
        assert_eq!(server.count(), 1, "{failure}: duplicate POST");
        assert!(
            matches!(err, Error::Api(_) | Error::Transport { .. }),
            "{err:?}"
        );
    }
}
