//! Property test: arbitrary bytes to every header parser (`Retry-After`,
//! `RateLimit-*`, `Content-Length`, `Location`) and arbitrary bodies to
//! every decoder never panic.
//!
//! Inputs are random bytes, and valid samples mutated (bytes flipped,
//! inserted, deleted, spans duplicated, numbers swapped for extreme ones)
//! so the parsers are driven past their first check. Each case derives
//! from its own seed, printed on failure.
//!
//! CI runs `ICONIK_FUZZ_CASES` cases (default 20,000); run a million with
//! `ICONIK_FUZZ_CASES=1000000 cargo test --release -p iconik-sync --lib fuzz`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use ureq::http::Uri;

use crate::clock::FakeClock;
use crate::error::{excerpt, parse_iconik_errors, redact_headers, DecodeContext};
#[cfg(feature = "assets")]
use crate::models::assets::AssetPost as Asset;
#[cfg(feature = "files")]
use crate::models::files::File;
use crate::page::{query_value, Page};
use crate::rate_limit::{RateLimitConfig, RateLimiter};
use crate::response::Headers;
use crate::retry::{self, Outcome, RetryClass, RetryState};
use crate::transport::{declared_length, decode_json, loggable_url, resolve_location};
use crate::Method;

const HEADER_SAMPLES: &[&str] = &[
    "0",
    "120",
    "18446744073709551615",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Nov 300000000000 08:49:37 GMT",
    "https://app.iconik.io/API/assets/v1/assets/?page=2",
    "/API/files/v1/files/?last_id=a%2Fb&per_page=2",
    "//evil.example/x",
    "http://[::1]:8080/x?y=z#f",
    "4294967295",
    "-1",
    " 12 ",
];

const BODY_SAMPLES: &[&str] = &[
    r#"{"objects":[{"id":"a","title":"t","sort":[1,"x"]},{"id":"b"}],"page":1,"pages":3,"per_page":2,"total":6,"next_url":"/x/?last_id=b","scroll_id":"s","facets":{"k":[1,2]}}"#,
    r#"{"errors":["Asset not found"]}"#,
    r#"{"errors":{"title":["required"],"x":"bad"}}"#,
    r#"{"id":"6f1f5b9e","title":"clip","status":"ACTIVE","date_created":"2026-01-01T00:00:00Z","versions":[{"id":"v"}],"extra":{"n":1.5e300}}"#,
    r#"{"id":"f","checksum":"d41d8cd98f00b204e9800998ecf8427e","size":9223372036854775807,"file_set_id":null}"#,
    r#"[{"a":[[[[[[[[[[]]]]]]]]]]}]"#,
    "",
    "null",
];

const EXTREMES: &[&str] = &[
    "0",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "1e309",
    "4294967296",
    "null",
    "\"\"",
    "[]",
    "{}",
    "\"\\ud800\"",
    "\u{0}",
];

fn cases() -> u64 {
    std::env::var("ICONIK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

/// Random bytes, or a sample mutated a few times.
fn input(rng: &mut fastrand::Rng, samples: &[&str]) -> Vec<u8> {
    if rng.u8(..4) == 0 {
        let len = rng.usize(..64);
        return (0..len).map(|_| rng.u8(..)).collect();
    }
    let mut bytes = samples[rng.usize(..samples.len())].as_bytes().to_vec();
    for _ in 0..rng.usize(1..6) {
        let at = rng.usize(..=bytes.len());
        match rng.u8(..6) {
            0 if !bytes.is_empty() => {
                let i = rng.usize(..bytes.len());
                bytes[i] = rng.u8(..);
            }
            1 => bytes.insert(at, rng.u8(..)),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 => {
                let end = rng.usize(at..=bytes.len());
                let span = bytes[at..end].to_vec();
                let reps = rng.usize(1..4);
                for _ in 0..reps {
                    bytes.splice(at..at, span.iter().copied());
                }
            }
            4 => {
                let e = EXTREMES[rng.usize(..EXTREMES.len())].as_bytes();
                bytes.splice(at..at, e.iter().copied());
            }
            _ => {
                // swap a run of digits for a huge number
                if let Some(start) = bytes.iter().position(u8::is_ascii_digit) {
                    let end = bytes[start..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(bytes.len(), |n| start + n);
                    let digits = "9".repeat(rng.usize(1..40));
                    bytes.splice(start..end, digits.bytes());
                }
            }
        }
    }
    bytes
}

fn header_case(rng: &mut fastrand::Rng, limiter: &RateLimiter, config: &RateLimitConfig) {
    let value = String::from_utf8_lossy(&input(rng, HEADER_SAMPLES)).into_owned();
    let now = UNIX_EPOCH + Duration::from_secs(rng.u64(..u64::from(u32::MAX) * 64));
    let name = [
        "Retry-After",
        "RateLimit-Remaining",
        "RateLimit-Limit",
        "RateLimit-Reset",
        "Content-Length",
        "Location",
    ][rng.usize(..6)];
    let headers = Headers::from_pairs([
        (name, value.as_str()),
        ("RateLimit-Remaining", value.as_str()),
        ("Retry-After", value.as_str()),
    ]);

    // Retry-After, and the decision that consumes it
    let _ = retry::parse_http_date(&value);
    let retry_after = retry::retry_after(&headers, now);
    let retry_after_at_end = retry::retry_after(&headers, SystemTime::UNIX_EPOCH);
    for status in [429, 503, 200] {
        let outcome = Outcome::Status {
            status,
            retry_after: retry_after.or(retry_after_at_end),
        };
        let state = RetryState {
            retries: rng.u32(..),
            rate_limited: rng.u32(..),
            rate_limited_wait: Duration::from_nanos(rng.u64(..)),
        };
        let class = RetryClass::of(Method::Post, rng.bool());
        if let Some((reason, wait)) = retry::decide(config, class, &outcome, &state, rng.f64()) {
            let mut s = state;
            s.record(reason, wait);
        }
    }

    // RateLimit-*: proactive throttling reads them after every answer
    limiter.after_response(if rng.bool() { 200 } else { 429 }, &headers);

    // Content-Length
    let _ = declared_length(&headers);

    // Location, and what is done with the target
    let current = Uri::from_static("http://127.0.0.1:8080/API/assets/v1/assets/a/");
    if let Some(next) = resolve_location(&current, &value) {
        let _ = loggable_url(&next, "tok");
        let _ = crate::client::Origin::of(&next);
    }
    let _ = query_value(&value, "last_id");
    let _ = redact_headers(headers, &value);
}

fn body_case(rng: &mut fastrand::Rng) {
    let body = input(rng, BODY_SAMPLES);
    let ctx = DecodeContext {
        operation: "fuzz",
        status: 200,
        attempts: 1,
        secret: "tok",
    };
    #[cfg(feature = "assets")]
    {
        let _ = decode_json::<Asset>(&body, &ctx);
        let _ = decode_json::<Page<Asset>>(&body, &ctx);
        let _ = crate::page::decode::decode_page::<Asset>(&body, &ctx, 1 + rng.usize(..4));
    }
    #[cfg(feature = "files")]
    let _ = decode_json::<File>(&body, &ctx);
    let _ = decode_json::<Value>(&body, &ctx);
    let _ = decode_json::<Page<Value>>(&body, &ctx);
    let _ = crate::page::decode::decode_page::<Value>(&body, &ctx, 10_000);
    let _ = parse_iconik_errors(&body, "tok");
    let _ = excerpt(&body, "\u{fffd}");
}

/// The run itself: the helpers above are its cases.
#[cfg(test)]
mod run {
    use super::*;

    #[test]
    fn header_parsers_and_decoders_never_panic_on_arbitrary_bytes() {
        let n = cases();
        let base = std::env::var("ICONIK_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x1c0_71c);
        let config = RateLimitConfig::default();
        let clock = Arc::new(FakeClock::new());
        let limiter = RateLimiter::new(config.clone(), clock.clone());
        let started = std::time::Instant::now();
        for i in 0..n {
            let seed = base ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            // the limiter forgets refusals older than its longest window
            clock.advance(Duration::from_secs(1));
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let mut rng = fastrand::Rng::with_seed(seed);
                header_case(&mut rng, &limiter, &config);
                body_case(&mut rng);
            }));
            assert!(outcome.is_ok(), "case {i} (seed {seed}) panicked");
        }
        eprintln!(
            "fuzz: {n} cases (each: one header value to every header parser, one body to every decoder), 0 panics, {:?}",
            started.elapsed()
        );
    }
}
