//! `client.search()`: the body and query sent, hits decoded, and the
//! three ways to walk every hit (page numbers through `.items()`; scroll
//! and `search_after` by handing the same request to a paginator).

mod common;
use common::*;
use iconik_sync::models::search as m;
use iconik_sync::page::Style;
use iconik_sync::{Method, Paginator};
use mockito::Matcher;
use serde_json::json;

fn body() -> m::SearchCriteriaSchema {
    m::SearchCriteriaSchema::new()
        .doc_types(vec![
            m::SearchSuggestDocTypesType0Item::Assets,
            m::SearchSuggestDocTypesType0Item::Collections,
        ])
        .query("sunset")
        .filter(
            m::CriteriaFilter::new("AND")
                .terms(vec![
                    m::SearchTerm::new("status").value("ACTIVE"),
                    m::SearchTerm::new("date_created")
                        .range(m::RangeFilter::new().min("2024-01-01")),
                ])
                .filters(vec![m::CriteriaFilter::new("OR").terms(vec![
                    m::SearchTerm::new("type")
                        .value_in(vec!["ASSET".to_string(), "SUBCLIP".to_string()]),
                ])]),
        )
        .facets(vec!["object_type".to_string()])
        .sort(vec![m::SortField::new("date_created").order("asc")])
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
fn post_search_posts_body_and_setters_and_decodes_hits() {
    let mut h = harness();
    let mock = h
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
        .post_search(&body())
        .per_page(2)
        .generate_signed_url(false)
        .send()
        .unwrap();
    assert_eq!(page.total, Some(3));
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(objects[0].object_type, "assets");
    assert_eq!(objects[0].extra["type"], "ASSET");
    assert_eq!(objects[0].extra["files"][0]["id"], "f1");
    assert_eq!(objects[1].description, None);
    assert_eq!(objects[1].metadata.as_ref().unwrap()["region"][0], "EU");
    assert_eq!(
        page.facets.as_ref().unwrap()["object_type"]["buckets"][0]["doc_count"],
        2
    );
    mock.assert();
    h.finish();
}

#[test]
fn a_search_hit_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("search_page2.json")).unwrap();
    let hit: m::SearchDocument = serde_json::from_value(raw["objects"][0].clone()).unwrap();
    assert_eq!(hit.extra["segment_type"], "COMMENT");
    assert_eq!(hit.extra["sort"][1], "s1");
    assert_eq!(hit.id.as_deref(), Some("s1"));
}

#[test]
fn post_search_items_walk_page_numbers_with_the_same_body() {
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
        .post_search(&body())
        .per_page(2)
        .items()
        .map(|hit| hit.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1", "c1", "s1"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn a_scroll_walk_sends_scroll_id_in_the_query() {
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
    let request = h
        .client
        .search()
        .post_search(&m::SearchCriteriaSchema::new().query("x"))
        .into_request()
        .into_builder();
    let n = Paginator::<m::SearchDocument>::new(request, Style::Scroll)
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, 1);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn a_search_after_walk_puts_the_cursor_in_the_body() {
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
    let request = h
        .client
        .search()
        .post_search(
            &m::SearchCriteriaSchema::new()
                .query("x")
                .sort(vec![m::SortField::new("date_created")]),
        )
        .into_request()
        .into_builder();
    let ids: Vec<String> = Paginator::<m::SearchDocument>::new(request, Style::SearchAfter)
        .map(|hit| hit.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1", "c1"]);
    p1.assert();
    p2.assert();
    h.finish();
}
