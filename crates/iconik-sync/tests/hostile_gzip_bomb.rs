//! Issue 10, item 1: a decompression bomb. A ~10 MB gzip body that inflates
//! to 10 GiB must stop at the body cap *after* inflation (ureq >= 3.5.2),
//! with the process's memory near the cap. Alone in its binary so no other
//! test moves the peak-RSS mark.

mod hostile_server;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hostile_server::*;
use iconik_sync::{Error, Method, DEFAULT_MAX_RESPONSE_BYTES};

const MIB: u64 = 1024 * 1024;

/// `members` gzip members of 1 MiB of zeros each, concatenated: a valid
/// gzip stream (RFC 1952 allows several members) of `members` MiB.
fn gzip_bomb(members: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![0u8; MIB as usize]).unwrap();
    let member = gz.finish().unwrap();
    member.repeat(members)
}

#[test]
fn gzip_bomb_is_capped_after_inflation_and_memory_stays_near_the_cap() {
    let bomb = gzip_bomb(10 * 1024); // inflates to 10 GiB
    let compressed = bomb.len() as u64;
    assert!(
        compressed < DEFAULT_MAX_RESPONSE_BYTES,
        "the cap must not catch it on the wire"
    );
    let answer = Arc::new(http(
        200,
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        &bomb,
    ));
    drop(bomb);
    let server = serve(move |_, _| Reply::Shared(answer.clone()));
    let client = builder(&server.url)
        .disable_rate_limit_handling()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let base = reset_peak_rss();
    let started = Instant::now();
    let err = client
        .request(Method::Get, "assets", "/v1/assets/")
        .send::<serde_json::Value>()
        .unwrap_err();
    let elapsed = started.elapsed();
    let grew = peak_rss().saturating_sub(base);

    eprintln!(
        "gzip bomb: {compressed} B compressed, 10 GiB inflated: {err} in {elapsed:?}, \
         peak RSS +{} MiB over {} MiB (cap {} MiB)",
        grew / MIB,
        base / MIB,
        DEFAULT_MAX_RESPONSE_BYTES / MIB
    );
    assert!(
        matches!(err, Error::BodyTooLarge { limit, .. } if limit == DEFAULT_MAX_RESPONSE_BYTES),
        "{err:?}"
    );
    assert_eq!(server.count(), 1, "a capped body is not retried");
    // the cap, plus what the read buffer's growth and the decoder touch
    assert!(
        grew <= DEFAULT_MAX_RESPONSE_BYTES * 3 / 2 + 16 * MIB,
        "peak RSS grew {} MiB for a {} MiB cap",
        grew / MIB,
        DEFAULT_MAX_RESPONSE_BYTES / MIB
    );
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}
