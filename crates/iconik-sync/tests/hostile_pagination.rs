//! Issue 10, items 4, 5, 6 and 9, against a scripted hostile server on
//! loopback: every pagination style stops when a page makes no progress,
//! every walk that collects is bounded and ends with a typed error, pages
//! hold a bounded number of objects, and an item that does not decode is
//! reported with its index, the real status and attempts, and an excerpt.

mod hostile_server;

use std::sync::Arc;
use std::time::Instant;

use hostile_server::*;
use iconik_sync::clock::FakeClock;
use iconik_sync::models::assets::AssetPostElastic as Asset;
use iconik_sync::page::{Style, DEFAULT_MAX_COLLECTED_ITEMS};
use iconik_sync::{Bound, Error, Method, Paginator, RateLimitConfig};
use serde_json::{json, Value};

fn assets(client: &iconik_sync::Client) -> Paginator<Asset> {
    client.assets().get_assets().per_page(2).items()
}

fn ids(items: &[Asset]) -> Vec<String> {
    items.iter().filter_map(|a| a.id.clone()).collect()
}

#[test]
fn page_number_server_stuck_on_page_one_with_new_objects_stops_after_two_requests() {
    let server = serve(|i, _| {
        json(&json!({"page": 1, "pages": 3, "objects": [{"id": format!("new-{i}"), "title": "t"}]}))
    });
    let started = Instant::now();
    let all: Vec<Asset> = assets(&client(&server.url)).map(Result::unwrap).collect();
    eprintln!(
        "stuck on page 1: {} requests in {:?}",
        server.count(),
        started.elapsed()
    );
    assert_eq!(
        ids(&all),
        ["new-0"],
        "the page that claims to be page 1 again is not yielded"
    );
    assert_eq!(server.count(), 2);
    assert_eq!(server.request(1).query("page").as_deref(), Some("2"));
}

#[test]
fn page_number_at_u32_max_ends_instead_of_overflowing() {
    let server = serve(|_, _| {
        json(
            &json!({"page": u32::MAX, "objects": [{"id": "last", "title": "t"}], "next_url": "/more"}),
        )
    });
    let all: Vec<Asset> = assets(&client(&server.url)).map(Result::unwrap).collect();
    assert_eq!(ids(&all), ["last"]);
    assert_eq!(server.count(), 1);
}

/// A `last_id` list of files that hands out a new cursor with every page,
/// forever.
fn endless_cursors(per_page: usize) -> Hostile {
    serve(move |i, _| {
        let objects: Vec<Value> = (0..per_page)
            .map(|k| {
                json!({"id": format!("f-{i}-{k}"), "directory_path": "d",
                       "file_set_id": "fs", "original_name": "o", "type": "FILE"})
            })
            .collect();
        json(&json!({"objects": objects, "next_url": format!("/x/?last_id=cursor-{i}")}))
    })
}

#[test]
fn endless_new_cursors_are_bounded_by_max_pages_with_a_typed_error() {
    let server = endless_cursors(1);
    let client = client(&server.url);
    let request = client.request(Method::Get, "files", "/v1/files/");
    let mut walk = Paginator::<Value>::new(request, Style::LastId).max_pages(50);
    let items: Vec<Value> = walk.by_ref().take(50).map(Result::unwrap).collect();
    assert_eq!(items.len(), 50);
    match walk.next() {
        Some(Err(Error::BoundReached {
            bound: Bound::Pages,
            limit: 50,
            ..
        })) => {}
        other => panic!("{other:?}"),
    }
    assert!(walk.next().is_none());
    assert_eq!(server.count(), 50, "the bound stops before sending page 51");
    assert_eq!(
        server.request(49).query("last_id").as_deref(),
        Some("cursor-48")
    );
}

#[test]
fn checksum_lookup_against_endless_new_cursors_ends_with_a_bound_error() {
    let server = endless_cursors(1000);
    let client = client(&server.url);
    let started = Instant::now();
    let before = rss();
    let err = client
        .files_by_checksum("d41d8cd98f00b204e9800998ecf8427e")
        .send()
        .unwrap_err();
    eprintln!(
        "checksum lookup, endless cursors: {err} after {} requests in {:?}, RSS {:+} MiB",
        server.count(),
        started.elapsed(),
        (rss() as i64 - before as i64) / (1 << 20)
    );
    match err {
        Error::BoundReached {
            bound: Bound::Items,
            limit,
            ..
        } => assert_eq!(limit, DEFAULT_MAX_COLLECTED_ITEMS as u64),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count(), DEFAULT_MAX_COLLECTED_ITEMS / 1000 + 1);
}

#[test]
fn collect_bounded_errors_only_when_the_list_is_longer_than_the_bound() {
    let script = |i: usize, _: &Request| {
        let page = i + 1;
        json(&json!({"page": page, "pages": 3,
                     "objects": [{"id": format!("a{page}1"), "title": "t"}, {"id": format!("a{page}2"), "title": "t"}]}))
    };
    let server = serve(script);
    let all = assets(&client(&server.url)).collect_bounded(6).unwrap();
    assert_eq!(all.len(), 6);
    let server = serve(script);
    match assets(&client(&server.url)).collect_bounded(5) {
        Err(Error::BoundReached {
            bound: Bound::Items,
            limit: 5,
            ..
        }) => {}
        other => panic!("{:?}", other.map(|v| v.len())),
    }
    assert_eq!(server.count(), 3);
}

#[test]
fn a_page_over_max_page_objects_is_refused() {
    let server = serve(|_, _| {
        json(
            &json!({"objects": [{"title": "t"}, {"title": "t"}, {"title": "t"}, {"title": "t"}], "page": 1, "pages": 1}),
        )
    });
    let mut walk = assets(&client(&server.url)).max_page_objects(3);
    match walk.next() {
        Some(Err(Error::BoundReached {
            bound: Bound::PageObjects,
            limit: 3,
            ..
        })) => {}
        other => panic!("{:?}", other.map(|r| r.map(|a| a.id))),
    }
    assert!(walk.next().is_none());
    let server = serve(|_, _| {
        json(
            &json!({"objects": [{"title": "t"}, {"title": "t"}, {"title": "t"}], "page": 1, "pages": 1}),
        )
    });
    assert_eq!(
        assets(&client(&server.url))
            .max_page_objects(3)
            .map(Result::unwrap)
            .count(),
        3
    );
}

#[test]
fn a_scroll_server_alternating_two_pages_stops_when_one_repeats() {
    let server = serve(|i, _| {
        let id = if i % 2 == 0 { "even" } else { "odd" };
        json(&json!({"objects": [{"id": id, "title": "t"}], "scroll_id": "same"}))
    });
    let request = client(&server.url)
        .assets()
        .get_assets()
        .into_request()
        .into_builder();
    let all: Vec<Asset> = Paginator::new(request, Style::Scroll)
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids(&all), ["even", "odd"]);
    assert_eq!(server.count(), 3);
}

#[test]
fn an_undecodable_item_reports_its_index_status_attempts_and_excerpt() {
    let server = serve(|i, _| {
        match i {
        0 => Reply::Bytes(http(503, &[], b"{}")),
        _ => Reply::Bytes(http(
            203,
            &[],
            json!({"page": 1, "pages": 1, "objects": [
                {"id": "a", "title": "t"}, {"id": "b", "title": "t"}, {"id": ["not", "a", "string", TOKEN], "title": "t"}
            ]})
            .to_string()
            .as_bytes(),
        )),
    }
    });
    let client = builder(&server.url)
        .clock(Arc::new(FakeClock::new()))
        .rate_limit(
            RateLimitConfig::default()
                .jitter(false)
                .limits(vec![])
                .enable_proactive_throttling(false),
        )
        .build()
        .unwrap();
    let mut walk = assets(&client);
    let Some(Err(Error::Decode(e))) = walk.next() else {
        panic!("expected a decode error");
    };
    assert_eq!(e.status, 203);
    assert_eq!(e.attempts, 2);
    assert!(e.message.starts_with("objects[2]: "), "{}", e.message);
    assert!(
        e.body_excerpt.starts_with(r#"{"id":["not","a","string","#),
        "{}",
        e.body_excerpt
    );
    assert!(!format!("{e:?}").contains(TOKEN), "{e:?}");
    assert!(walk.next().is_none());
    assert_eq!(server.count(), 2);
}
