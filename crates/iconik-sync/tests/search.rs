//! `client.search()`: the body and query sent, hits decoded, and the
//! three ways to walk every hit.

mod common;
use common::*;
use iconik_sync::models::*;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::json;

fn body() -> SearchBody {
    SearchBody::default()
        .doc_types(vec!["assets".to_string(), "collections".to_string()])
        .query("sunset")
        .filter(
            SearchFilter::new("AND")
                .terms(vec![
                    SearchTerm::new("status").value("ACTIVE"),
                    SearchTerm::new("date_created").range(SearchRange::default().min("2024-01-01")),
                ])
                .filters(vec![SearchFilter::new("OR").terms(vec![SearchTerm::new(
                    "type",
                )
                .value_in(vec!["ASSET".to_string(), "SUBCLIP".to_string()])])]),
        )
        .facets(vec!["object_type".to_string()])
        .sort(vec![SearchSort::new("date_created").order("asc")])
        .include_fields(vec!["id".to_string(), "title".to_string()])
}

fn body_json() -> serde_json::Value {
    json!({
        "doc_types": ["assets", "collections"],
        "query": "sunset",
        "filter": {
            "operator": "AND",
            "terms": [
                {"name": "status", "value": "ACTIVE"},
                {"name": "date_created", "range": {"min": "2024-01-01"}}
            ],
            "filters": [{"operator": "OR", "terms": [{"name": "type", "value_in": ["ASSET", "SUBCLIP"]}]}]
        },
        "facets": ["object_type"],
        "sort": [{"name": "date_created", "order": "asc"}],
        "include_fields": ["id", "title"]
    })
}

#[test]
fn search_posts_body_and_params_and_decodes_hits() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("generate_signed_url", "false"),
        ]))
        .match_body(json_body(body_json()))
        .with_body(fixture("search_page1.json"))
        .create();
    let page = h
        .client
        .search()
        .search(
            &body(),
            &SearchParams::default()
                .per_page(2u32)
                .generate_signed_url(false),
        )
        .unwrap();
    assert_eq!(page.total, Some(3));
    assert_eq!(page.objects[0].object_type.as_deref(), Some("assets"));
    assert_eq!(page.objects[0].r#type.as_deref(), Some("ASSET"));
    assert_eq!(page.objects[0].extra["files"][0]["id"], "f1");
    assert_eq!(page.objects[1].description, None);
    assert_eq!(
        page.objects[1].metadata.as_ref().unwrap()["region"][0],
        "EU"
    );
    assert_eq!(
        page.extra["facets"]["object_type"]["buckets"][0]["doc_count"],
        2
    );
    m.assert();
    h.finish();
}

#[test]
fn search_hit_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("search_page2.json")).unwrap();
    let hit: SearchHit = serde_json::from_value(raw["objects"][0].clone()).unwrap();
    assert_eq!(hit.extra["segment_type"], "COMMENT");
    assert_eq!(serde_json::to_value(&hit).unwrap(), raw["objects"][0]);
}

#[test]
fn search_all_walks_page_numbers_with_the_same_body() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "1")]))
        .match_body(json_body(body_json()))
        .with_body(fixture("search_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .match_body(json_body(body_json()))
        .with_body(fixture("search_page2.json"))
        .create();
    let ids: Vec<String> = h
        .client
        .search()
        .search_all(&body(), &SearchParams::default().per_page(2u32))
        .map(|hit| hit.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1", "c1", "s1"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn search_all_scroll_sends_scroll_id_in_the_query() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("scroll", "true")]))
        .match_body(json_body(json!({"query": "x"})))
        .with_body(r#"{"objects": [{"object_type": "assets", "id": "a1", "title": "A"}], "scroll_id": "SC1"}"#)
        .create();
    let p2 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(exact_query(&[("scroll", "true"), ("scroll_id", "SC1")]))
        .match_body(json_body(json!({"query": "x"})))
        .with_body(r#"{"objects": [], "scroll_id": "SC1"}"#)
        .create();
    let n = h
        .client
        .search()
        .search_all_scroll(&SearchBody::default().query("x"), &SearchParams::default())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, 1);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn search_all_after_puts_the_cursor_in_the_body() {
    let mut h = harness();
    let base = json!({"query": "x", "sort": [{"name": "date_created"}]});
    let mut second = base.clone();
    second["search_after"] = json!(["2024-03-01T00:00:02", "c1"]);
    let p1 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(Matcher::Missing)
        .match_body(json_body(base))
        .with_body(fixture("search_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Post, "search", "/v1/search/")
        .match_query(Matcher::Missing)
        .match_body(json_body(second))
        .with_body(r#"{"objects": []}"#)
        .create();
    let ids: Vec<String> = h
        .client
        .search()
        .search_all_after(
            &SearchBody::default()
                .query("x")
                .sort(vec![SearchSort::new("date_created")]),
            &SearchParams::default(),
        )
        .map(|hit| hit.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1", "c1"]);
    p1.assert();
    p2.assert();
    h.finish();
}
