//! The four pagination styles end to end against mockito: page numbers
//! (`get_assets().items()`), `last_id` (a raw files list), `scroll_id`
//! (`get_collections()` in a scroll paginator) and `search_after`
//! (`post_search` in a search-after paginator: the cursor in the body). For each: three pages in order; an error
//! in the middle is yielded once and ends iteration without another
//! request; a repeated cursor (or repeated page) stops; an empty page
//! ends; and the paginator is never more than one page ahead.
//!
//! Every test ends with `h.finish()`: any request not mocked here (a page
//! too many) fails it.

mod common;
use common::*;
use iconik_sync::models::{assets, search};
use iconik_sync::page::Style;
use iconik_sync::{Error, Method, Paginator};
use mockito::Mock;
use serde_json::{json, Value};

fn ids<T>(items: Vec<T>, id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

fn server_error() -> String {
    json!({"errors": ["boom"]}).to_string()
}

// ---------------------------------------------------------------- page numbers

fn assets_page(h: &mut Harness, page: &str, body: Value) -> Mock {
    h.expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("per_page", "2"), ("page", page)]))
        .with_body(body.to_string())
        .create()
}

fn numbered(page: u32, pages: u32, objects: Value) -> Value {
    json!({"objects": objects, "page": page, "pages": pages, "per_page": 2,
           "next_url": if page < pages { json!(format!("/API/assets/v1/assets/?page={}", page + 1)) } else { Value::Null }})
}

type Asset = assets::AssetPostElastic;
type Collection = assets::Collection;
type SearchHit = search::SearchDocument;

fn assets_all(h: &Harness) -> Paginator<Asset> {
    h.client.assets().get_assets().per_page(2).items()
}

#[test]
fn page_number_three_pages() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(
            1,
            3,
            json!([{"id": "a1", "title": "a1"}, {"id": "a2", "title": "a2"}]),
        ),
    );
    let m2 = assets_page(
        &mut h,
        "2",
        numbered(
            2,
            3,
            json!([{"id": "a3", "title": "a3"}, {"id": "a4", "title": "a4"}]),
        ),
    );
    let m3 = assets_page(
        &mut h,
        "3",
        numbered(3, 3, json!([{"id": "a5", "title": "a5"}])),
    );
    let all: Vec<Asset> = assets_all(&h).map(|a| a.unwrap()).collect();
    assert_eq!(
        ids(all, |a| a.id.clone().unwrap()),
        ["a1", "a2", "a3", "a4", "a5"]
    );
    m1.assert();
    m2.assert();
    m3.assert();
    h.finish();
}

#[test]
fn page_number_error_in_the_middle_is_yielded_once_then_ends() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(1, 3, json!([{"id": "a1", "title": "a1"}])),
    );
    let m2 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .with_status(500)
        .with_body(server_error())
        .create();
    let mut it = assets_all(&h);
    assert_eq!(it.next().unwrap().unwrap().id.as_deref(), Some("a1"));
    let err = it.next().unwrap().unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 500), "{err:?}");
    assert!(it.next().is_none());
    assert!(it.next().is_none(), "still ended, and no page 3 requested");
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn page_number_server_repeating_the_same_page_stops() {
    // a server that ignores `page` answers page 1 again: stop, no page 3
    let mut h = harness();
    let same = json!([{"id": "a1", "title": "a1"}, {"id": "a2", "title": "a2"}]);
    let m1 = assets_page(&mut h, "1", numbered(1, 5, same.clone()));
    let m2 = assets_page(&mut h, "2", numbered(1, 5, same));
    let all: Vec<Asset> = assets_all(&h).map(|a| a.unwrap()).collect();
    assert_eq!(all.len(), 2);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn page_number_empty_page_ends() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(1, 3, json!([{"id": "a1", "title": "a1"}])),
    );
    let m2 = assets_page(&mut h, "2", numbered(2, 3, json!([])));
    let all: Vec<Asset> = assets_all(&h).map(|a| a.unwrap()).collect();
    assert_eq!(all.len(), 1);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn page_number_is_never_more_than_one_page_ahead() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(
            1,
            3,
            json!([{"id": "a1", "title": "a1"}, {"id": "a2", "title": "a2"}]),
        ),
    );
    let mut it = assets_all(&h);
    assert_eq!(it.next().unwrap().unwrap().id.as_deref(), Some("a1"));
    assert_eq!(it.next().unwrap().unwrap().id.as_deref(), Some("a2"));
    drop(it);
    m1.assert(); // exactly one request
    h.finish(); // and no page 2
}

#[test]
fn page_number_starts_at_the_given_page() {
    let mut h = harness();
    let m3 = assets_page(
        &mut h,
        "3",
        numbered(3, 3, json!([{"id": "a5", "title": "a5"}])),
    );
    let n = h
        .client
        .assets()
        .get_assets()
        .per_page(2)
        .page(3)
        .items()
        .map(Result::unwrap)
        .count();
    assert_eq!(n, 1);
    m3.assert();
    h.finish();
}

#[test]
fn page_number_undecodable_item_is_an_error_then_ends() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(1, 3, json!([{"id": "a1", "title": 42}])),
    );
    let mut it = assets_all(&h);
    assert!(matches!(it.next(), Some(Err(Error::Decode(_)))));
    assert!(it.next().is_none());
    m1.assert();
    h.finish();
}

// -------------------------------------------------------------------- last_id

const FILES: &str = "/v1/assets/{asset_id}/files/";

fn files_all(h: &Harness) -> Paginator<Value> {
    Paginator::new(
        h.client
            .request(Method::Get, "files", FILES)
            .path_param("a")
            .query("per_page", 2),
        Style::LastId,
    )
}

fn files_page(h: &mut Harness, last_id: Option<&str>, body: Value) -> Mock {
    let q = match last_id {
        Some(l) => exact_query(&[("per_page", "2"), ("last_id", l)]),
        None => exact_query(&[("per_page", "2")]),
    };
    h.expect(Method::Get, "files", "/v1/assets/a/files/")
        .match_query(q)
        .with_body(body.to_string())
        .create()
}

fn item_ids(items: Vec<Value>) -> Vec<String> {
    ids(items, |v| v["id"].as_str().unwrap().to_owned())
}

#[test]
fn last_id_three_pages_from_next_url_or_last_object() {
    let mut h = harness();
    // page 1: the cursor is next_url's last_id (percent-encoded there)
    let m1 = files_page(
        &mut h,
        None,
        json!({"objects": [{"id": "f1"}, {"id": "f2"}],
               "next_url": "/API/files/v1/assets/a/files/?per_page=2&last_id=f%2F2"}),
    );
    // page 2: next_url without last_id: the cursor is the last object's id
    let m2 = files_page(
        &mut h,
        Some("f/2"),
        json!({"objects": [{"id": "f3"}, {"id": "f4"}], "next_url": "/API/files/v1/assets/a/files/?per_page=2"}),
    );
    let m3 = files_page(
        &mut h,
        Some("f4"),
        json!({"objects": [{"id": "f5"}], "next_url": null}),
    );
    let all: Vec<Value> = files_all(&h).map(|f| f.unwrap()).collect();
    assert_eq!(item_ids(all), ["f1", "f2", "f3", "f4", "f5"]);
    m1.assert();
    m2.assert();
    m3.assert();
    h.finish();
}

#[test]
fn last_id_error_in_the_middle_is_yielded_once_then_ends() {
    let mut h = harness();
    let m1 = files_page(
        &mut h,
        None,
        json!({"objects": [{"id": "f1"}], "next_url": "/API/files/v1/assets/a/files/?last_id=f1"}),
    );
    let m2 = h
        .expect(Method::Get, "files", "/v1/assets/a/files/")
        .match_query(exact_query(&[("per_page", "2"), ("last_id", "f1")]))
        .with_status(503)
        .with_body(server_error())
        .create();
    let mut it = files_all(&h);
    assert!(it.next().unwrap().is_ok());
    assert!(it.next().unwrap().is_err());
    assert!(it.next().is_none());
    assert!(it.next().is_none());
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn last_id_repeated_cursor_stops() {
    let mut h = harness();
    let m1 = files_page(
        &mut h,
        None,
        json!({"objects": [{"id": "f1"}], "next_url": "/API/files/v1/assets/a/files/?last_id=X"}),
    );
    // different items, but the same cursor again: stop before a third request
    let m2 = files_page(
        &mut h,
        Some("X"),
        json!({"objects": [{"id": "f2"}], "next_url": "/API/files/v1/assets/a/files/?last_id=X"}),
    );
    let all: Vec<Value> = files_all(&h).map(|f| f.unwrap()).collect();
    assert_eq!(item_ids(all), ["f1", "f2"]);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn last_id_empty_page_ends() {
    let mut h = harness();
    let m1 = files_page(
        &mut h,
        None,
        json!({"objects": [{"id": "f1"}], "next_url": "/API/files/v1/assets/a/files/?last_id=f1"}),
    );
    let m2 = files_page(
        &mut h,
        Some("f1"),
        json!({"objects": [], "next_url": "/API/files/v1/assets/a/files/?last_id=f9"}),
    );
    assert_eq!(files_all(&h).map(Result::unwrap).count(), 1);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn last_id_is_never_more_than_one_page_ahead() {
    let mut h = harness();
    let m1 = files_page(
        &mut h,
        None,
        json!({"objects": [{"id": "f1"}, {"id": "f2"}], "next_url": "/API/files/v1/assets/a/files/?last_id=f2"}),
    );
    let mut it = files_all(&h);
    assert_eq!(it.next().unwrap().unwrap()["id"], "f1");
    drop(it);
    m1.assert();
    h.finish();
}

// ------------------------------------------------------------------ scroll_id

fn collections_scroll(h: &Harness) -> Paginator<Collection> {
    let request = h
        .client
        .assets()
        .get_collections()
        .per_page(2)
        .into_request()
        .into_builder();
    Paginator::new(request, Style::Scroll)
}

fn scroll_page(h: &mut Harness, scroll_id: Option<&str>, body: Value) -> Mock {
    let q = match scroll_id {
        Some(s) => exact_query(&[("per_page", "2"), ("scroll", "true"), ("scroll_id", s)]),
        None => exact_query(&[("per_page", "2"), ("scroll", "true")]),
    };
    h.expect(Method::Get, "assets", "/v1/collections/")
        .match_query(q)
        .with_body(body.to_string())
        .create()
}

#[test]
fn scroll_three_pages() {
    let mut h = harness();
    let m1 = scroll_page(
        &mut h,
        None,
        json!({"objects": [{"id": "c1", "title": "c1"}, {"id": "c2", "title": "c2"}], "scroll_id": "S1"}),
    );
    let m2 = scroll_page(
        &mut h,
        Some("S1"),
        json!({"objects": [{"id": "c3", "title": "c3"}, {"id": "c4", "title": "c4"}], "scroll_id": "S2"}),
    );
    let m3 = scroll_page(
        &mut h,
        Some("S2"),
        json!({"objects": [{"id": "c5", "title": "c5"}], "scroll_id": null}),
    );
    let all: Vec<Collection> = collections_scroll(&h).map(|c| c.unwrap()).collect();
    assert_eq!(
        ids(all, |c| c.id.clone().unwrap()),
        ["c1", "c2", "c3", "c4", "c5"]
    );
    m1.assert();
    m2.assert();
    m3.assert();
    h.finish();
}

#[test]
fn scroll_id_may_stay_the_same_between_pages() {
    // iconik may keep one scroll id for the whole walk: not a repeat
    let mut h = harness();
    let m1 = scroll_page(
        &mut h,
        None,
        json!({"objects": [{"id": "c1", "title": "c1"}], "scroll_id": "S"}),
    );
    let m2 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("scroll", "true"),
            ("scroll_id", "S"),
        ]))
        .with_body(json!({"objects": [{"id": "c2", "title": "c2"}], "scroll_id": "S"}).to_string())
        .create();
    let m3 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("scroll", "true"),
            ("scroll_id", "S"),
        ]))
        .with_body(json!({"objects": [], "scroll_id": "S"}).to_string())
        .create();
    // mockito serves the first matching mock until its expectation is met
    let all: Vec<Collection> = collections_scroll(&h).map(|c| c.unwrap()).collect();
    assert_eq!(ids(all, |c| c.id.clone().unwrap()), ["c1", "c2"]);
    m1.assert();
    m2.assert();
    m3.assert();
    h.finish();
}

#[test]
fn scroll_error_in_the_middle_is_yielded_once_then_ends() {
    let mut h = harness();
    let m1 = scroll_page(
        &mut h,
        None,
        json!({"objects": [{"id": "c1", "title": "c1"}], "scroll_id": "S1"}),
    );
    let m2 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("scroll", "true"),
            ("scroll_id", "S1"),
        ]))
        .with_status(404)
        .with_body(json!({"errors": ["scroll expired"]}).to_string())
        .create();
    let mut it = collections_scroll(&h);
    assert!(it.next().unwrap().is_ok());
    let err = it.next().unwrap().unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 404), "{err:?}");
    assert!(it.next().is_none());
    assert!(it.next().is_none());
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn scroll_repeated_page_stops() {
    // same scroll id and the very same items: the server is not moving on
    let mut h = harness();
    let items = json!([{"id": "c1", "title": "c1"}, {"id": "c2", "title": "c2"}]);
    let m1 = scroll_page(&mut h, None, json!({"objects": items, "scroll_id": "S"}));
    let m2 = scroll_page(
        &mut h,
        Some("S"),
        json!({"objects": items, "scroll_id": "S"}),
    );
    let all: Vec<Collection> = collections_scroll(&h).map(|c| c.unwrap()).collect();
    assert_eq!(all.len(), 2);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn scroll_empty_page_ends() {
    let mut h = harness();
    let m1 = scroll_page(
        &mut h,
        None,
        json!({"objects": [{"id": "c1", "title": "c1"}], "scroll_id": "S1"}),
    );
    let m2 = scroll_page(
        &mut h,
        Some("S1"),
        json!({"objects": [], "scroll_id": "S2"}),
    );
    assert_eq!(collections_scroll(&h).map(Result::unwrap).count(), 1);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn scroll_is_never_more_than_one_page_ahead() {
    let mut h = harness();
    let m1 = scroll_page(
        &mut h,
        None,
        json!({"objects": [{"id": "c1", "title": "c1"}, {"id": "c2", "title": "c2"}], "scroll_id": "S1"}),
    );
    let mut it = collections_scroll(&h);
    assert_eq!(it.next().unwrap().unwrap().id.as_deref(), Some("c1"));
    drop(it);
    m1.assert();
    h.finish();
}

// --------------------------------------------------------------- search_after

fn search_body() -> search::SearchCriteriaSchema {
    search::SearchCriteriaSchema::new()
        .query("x")
        .sort(vec![search::SortField::new("date_created")])
}

fn search_after_all(h: &Harness) -> Paginator<SearchHit> {
    let request = h
        .client
        .search()
        .post_search(&search_body())
        .per_page(2)
        .into_request()
        .into_builder();
    Paginator::new(request, Style::SearchAfter)
}

fn search_page(h: &mut Harness, after: Option<Value>, answer: Value) -> Mock {
    let mut expected = json!({"query": "x", "sort": [{"name": "date_created"}]});
    if let Some(a) = after {
        expected["search_after"] = a;
    }
    h.expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("per_page", "2")]))
        .match_body(json_body(expected))
        .with_body(answer.to_string())
        .create()
}

fn hit(id: &str, sort: Value) -> Value {
    json!({"object_type": "assets", "id": id, "title": id, "sort": sort})
}

#[test]
fn search_after_three_pages_from_answer_field_or_last_hit_sort() {
    let mut h = harness();
    // page 1 names the cursor in `search_after`
    let m1 = search_page(
        &mut h,
        None,
        json!({"objects": [hit("h1", json!([1, "h1"])), hit("h2", json!([2, "h2"]))],
               "search_after": [2, "h2"]}),
    );
    // page 2 does not: the last hit's `sort` is the cursor
    let m2 = search_page(
        &mut h,
        Some(json!([2, "h2"])),
        json!({"objects": [hit("h3", json!([3, "h3"])), hit("h4", json!([4, "h4"]))]}),
    );
    let m3 = search_page(
        &mut h,
        Some(json!([4, "h4"])),
        json!({"objects": [json!({"id": "h5", "object_type": "assets", "title": "h5"})]}),
    );
    let all: Vec<SearchHit> = search_after_all(&h).map(|x| x.unwrap()).collect();
    assert_eq!(
        ids(all, |x| x.id.clone().unwrap()),
        ["h1", "h2", "h3", "h4", "h5"]
    );
    m1.assert();
    m2.assert();
    m3.assert();
    h.finish();
}

#[test]
fn search_after_error_in_the_middle_is_yielded_once_then_ends() {
    let mut h = harness();
    let m1 = search_page(&mut h, None, json!({"objects": [hit("h1", json!([1]))]}));
    let m2 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("per_page", "2")]))
        .match_body(json_body(
            json!({"query": "x", "sort": [{"name": "date_created"}], "search_after": [1]}),
        ))
        .with_status(400)
        .with_body(json!({"errors": {"search_after": "bad"}}).to_string())
        .create();
    let mut it = search_after_all(&h);
    assert!(it.next().unwrap().is_ok());
    let err = it.next().unwrap().unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 400), "{err:?}");
    assert!(it.next().is_none());
    assert!(it.next().is_none());
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn search_after_repeated_cursor_stops() {
    let mut h = harness();
    let m1 = search_page(
        &mut h,
        None,
        json!({"objects": [hit("h1", json!([1]))], "search_after": [1]}),
    );
    // new hits, but the cursor does not move: no third request
    let m2 = search_page(
        &mut h,
        Some(json!([1])),
        json!({"objects": [hit("h2", json!([1]))], "search_after": [1]}),
    );
    let all: Vec<SearchHit> = search_after_all(&h).map(|x| x.unwrap()).collect();
    assert_eq!(all.len(), 2);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn search_after_empty_page_ends() {
    let mut h = harness();
    let m1 = search_page(&mut h, None, json!({"objects": [hit("h1", json!([1]))]}));
    let m2 = search_page(
        &mut h,
        Some(json!([1])),
        json!({"objects": [], "search_after": [9]}),
    );
    assert_eq!(search_after_all(&h).map(Result::unwrap).count(), 1);
    m1.assert();
    m2.assert();
    h.finish();
}

#[test]
fn search_after_is_never_more_than_one_page_ahead() {
    let mut h = harness();
    let m1 = search_page(
        &mut h,
        None,
        json!({"objects": [hit("h1", json!([1])), hit("h2", json!([2]))]}),
    );
    let mut it = search_after_all(&h);
    assert_eq!(it.next().unwrap().unwrap().id.as_deref(), Some("h1"));
    drop(it);
    m1.assert();
    h.finish();
}

#[test]
fn search_after_without_a_cursor_ends() {
    // no `search_after` in the answer and no `sort` on the hits: one page
    let mut h = harness();
    let m1 = search_page(
        &mut h,
        None,
        json!({"objects": [{"id": "h1", "object_type": "assets", "title": "h1"}]}),
    );
    assert_eq!(search_after_all(&h).map(Result::unwrap).count(), 1);
    m1.assert();
    h.finish();
}

#[test]
fn pages_iterates_whole_pages() {
    let mut h = harness();
    let m1 = assets_page(
        &mut h,
        "1",
        numbered(
            1,
            2,
            json!([{"id": "a1", "title": "a1"}, {"id": "a2", "title": "a2"}]),
        ),
    );
    let m2 = assets_page(
        &mut h,
        "2",
        numbered(2, 2, json!([{"id": "a3", "title": "a3"}])),
    );
    let sizes: Vec<usize> = assets_all(&h)
        .pages()
        .map(|p| p.unwrap().objects.len())
        .collect();
    assert_eq!(sizes, [2, 1]);
    m1.assert();
    m2.assert();
    h.finish();
}
