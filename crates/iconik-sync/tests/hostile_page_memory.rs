//! Issue 10, item 5: memory amplification. A 3 MB page holding one million
//! `{}` used to decode into 2.6 GB (a JSON tree, then `Vec<Asset>`, then a
//! copy). Now each page is decoded once and a page with more objects than
//! the paginator's bound is refused: memory stays within a small multiple
//! of the bytes received. The smallest object that decodes as an asset
//! carries its required title (`{"title":""}`, 13 MB for the million).
//! Alone in its binary so no other test moves the peak-RSS mark.

mod hostile_server;

use std::sync::Arc;
use std::time::Instant;

use hostile_server::*;
use iconik_sync::models::assets::AssetPostElastic as Asset;
use iconik_sync::page::DEFAULT_MAX_PAGE_OBJECTS;
use iconik_sync::{Bound, Error};

const MIB: u64 = 1024 * 1024;

#[test]
fn a_page_of_a_million_minimal_objects_is_refused_within_a_small_multiple_of_its_bytes() {
    const OBJECT: &str = r#"{"title":""}"#;
    let mut body = String::with_capacity(1_000_000 * (OBJECT.len() + 1) + 100);
    body.push_str(r#"{"page":1,"pages":2,"objects":["#);
    for i in 0..1_000_000 {
        if i > 0 {
            body.push(',');
        }
        body.push_str(OBJECT);
    }
    body.push_str("]}");
    let received = body.len() as u64;
    let answer = Arc::new(http(
        200,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    ));
    drop(body);
    let server = serve(move |_, _| Reply::Shared(answer.clone()));
    let client = client(&server.url);

    let base = reset_peak_rss();
    let started = Instant::now();
    let mut walk = client.assets().get_assets().per_page(100).items();
    let first = walk.next();
    let elapsed = started.elapsed();
    let grew = peak_rss().saturating_sub(base);

    let Some(Err(err)) = first else {
        panic!(
            "expected an error, got {:?}",
            first.map(|r| r.map(|a: Asset| a.id))
        );
    };
    eprintln!(
        "million-object page: {received} B received: {err} in {elapsed:?}, \
         peak RSS +{} MiB over {} MiB (size_of::<Asset>() = {} B)",
        grew / MIB,
        base / MIB,
        std::mem::size_of::<Asset>()
    );
    assert!(
        matches!(
            err,
            Error::BoundReached { bound: Bound::PageObjects, limit, .. }
                if limit == DEFAULT_MAX_PAGE_OBJECTS as u64
        ),
        "{err:?}"
    );
    assert!(walk.next().is_none(), "the walk ends after its error");
    assert_eq!(server.count(), 1);
    // the body once, the bounded number of decoded objects, slack
    let objects = (DEFAULT_MAX_PAGE_OBJECTS * std::mem::size_of::<Asset>()) as u64;
    assert!(
        grew <= 2 * received + objects + 16 * MIB,
        "peak RSS grew {} MiB for a {} MiB page",
        grew / MIB,
        received / MIB
    );
}
