//! Collections live on `client.assets()` (iconik serves them from the
//! `assets` service): every operation sends the documented method, path,
//! query and body, and decodes the answer.

mod common;
use common::*;
use iconik_sync::models::assets as m;
use iconik_sync::page::Style;
use iconik_sync::{Method, Paginator};
use mockito::Matcher;
use serde_json::json;

#[test]
fn get_collection_decodes_a_collection() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/collections/c1/")
        .match_query(Matcher::Missing)
        .with_body(fixture("collections_collection.json"))
        .create();
    let c = h.client.assets().get_collection("c1").send().unwrap();
    assert_eq!(c.title, "Dailies");
    assert_eq!(c.status, Some(m::CollectionStatus::Active));
    assert_eq!(
        c.custom_order_status,
        Some(m::CollectionCustomOrderStatus::Other("REORDERING".into()))
    );
    assert_eq!(c.parent_id, None);
    assert_eq!(c.keyframes.as_ref().unwrap()[0]["id"], "k1");
    assert_eq!(c.extra["color"], "teal");
    mock.assert();
    h.finish();
}

#[test]
fn collection_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value =
        serde_json::from_str(&fixture("collections_collection.json")).unwrap();
    let c: m::Collection = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["color"], "teal");
    assert_eq!(back["custom_order_status"], "REORDERING");
    assert_eq!(back["metadata"], raw["metadata"]);
    assert!(back.get("parent_id").is_none());
}

#[test]
fn get_collection_content_info_sends_setters_and_decodes() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/collections/c1/content/info/")
        .match_query(exact_query(&[
            ("include_subcollections", "true"),
            ("by_storage_id", "true"),
        ]))
        .with_body(fixture("collections_info.json"))
        .create();
    let info = h
        .client
        .assets()
        .get_collection_content_info("c1")
        .include_subcollections(true)
        .by_storage_id(true)
        .send()
        .unwrap();
    assert_eq!(info.assets_count, Some(12));
    assert_eq!(info.total_proxy_size, None);
    let storage = &info.storage_info.as_ref().unwrap()[0];
    assert_eq!(storage.file_count, Some(10));
    assert_eq!(storage.extra["tier"], "hot");
    assert_eq!(info.extra["generated_at"], "2024-03-01T00:00:00");
    mock.assert();
    h.finish();
}

#[test]
fn get_collection_contents_returns_mixed_objects() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/collections/c1/contents/")
        .match_query(exact_query(&[
            ("per_page", "100"),
            ("object_types", "assets,collections"),
        ]))
        .with_body(fixture("collections_contents.json"))
        .create();
    let page = h
        .client
        .assets()
        .get_collection_contents("c1")
        .per_page(100)
        .object_types("assets,collections")
        .send()
        .unwrap();
    // told apart by their object_type
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(objects.len(), 2);
    let m::FavoritesObject::Assets(asset) = &objects[0] else {
        panic!("{:?}", objects[0])
    };
    assert_eq!(asset.title, "Clip");
    assert_eq!(asset.type_, Some(m::AssetEditType::Asset));
    let m::FavoritesObject::Collections(collection) = &objects[1] else {
        panic!("{:?}", objects[1])
    };
    assert_eq!(collection.title, "Sub");
    assert_eq!(collection.is_root, Some(false));
    assert!(collection.extra["description"].is_null());
    mock.assert();
    h.finish();
}

#[test]
fn get_collection_contents_items_iterates() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/collections/c1/contents/")
        .match_query(exact_query(&[("page", "1")]))
        .with_body(fixture("collections_contents.json"))
        .create();
    let ids: Vec<String> = h
        .client
        .assets()
        .get_collection_contents("c1")
        .items()
        .map(|i| match i.unwrap() {
            m::FavoritesObject::Assets(a) => a.id.unwrap(),
            m::FavoritesObject::Collections(c) => c.id.unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["a1", "c9"]);
    mock.assert();
    h.finish();
}

#[test]
fn post_collections_posts_body_and_acl_setter() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/collections/")
        .match_query(exact_query(&[("apply_default_acls", "true")]))
        .match_body(json_body(
            json!({"title": "Dailies", "parent_id": "p1", "status": "ACTIVE"}),
        ))
        .with_status(201)
        .with_body(fixture("collections_collection.json"))
        .create();
    let c = h
        .client
        .assets()
        .post_collections(
            &m::CollectionInput::new("Dailies")
                .parent_id("p1")
                .status("ACTIVE"),
        )
        .apply_default_acls(true)
        .send()
        .unwrap();
    assert_eq!(c.id.as_deref(), Some("c1"));
    mock.assert();
    h.finish();
}

#[test]
fn put_collection_puts() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "assets", "/v1/collections/c1/")
        .match_query(exact_query(&[("change_parent_mode", "MOVE")]))
        .match_body(json_body(json!({"title": "Dailies (graded)"})))
        .with_body(fixture("collections_collection.json"))
        .create();
    h.client
        .assets()
        .put_collection("c1", &m::CollectionInput::new("Dailies (graded)"))
        .change_parent_mode("MOVE")
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn patch_collection_patches_the_fields_set() {
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "assets", "/v1/collections/c1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"title": "Renamed"})))
        .with_body(fixture("collections_collection.json"))
        .create();
    h.client
        .assets()
        .patch_collection("c1", &m::CollectionInput::new("Renamed"))
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_collection_accepts_202() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/collections/c1/")
        .with_status(202)
        .with_body(r#"{"job_id": "j1"}"#)
        .create();
    let r = h.client.assets().delete_collection("c1").send().unwrap();
    assert_eq!(r.http_status(), 202);
    assert_eq!(r.data["job_id"], "j1");
    mock.assert();
    h.finish();
}

#[test]
fn post_collection_contents_posts_the_object() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/collections/c1/contents/")
        .match_body(json_body(
            json!({"object_id": "a1", "object_type": "assets"}),
        ))
        .with_status(201)
        .create();
    h.client
        .assets()
        .post_collection_contents("c1", &m::CollectionContent::new("a1", "assets"))
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_collection_contents_object_deletes_by_type_and_id() {
    let mut h = harness();
    let mock = h
        .expect(
            Method::Delete,
            "assets",
            "/v1/collections/c1/contents/assets/a1/",
        )
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_collection_contents_object("c1", "assets", "a1")
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn get_collections_returns_one_page() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("is_root", "true"), ("per_page", "2")]))
        .with_body(fixture("collections_page1.json"))
        .create();
    let page = h
        .client
        .assets()
        .get_collections()
        .is_root("true") // the spec types it as a string
        .per_page(2)
        .send()
        .unwrap();
    assert_eq!(
        page.objects.as_ref().unwrap()[1].status,
        Some(m::CollectionStatus::Hidden)
    );
    assert_eq!(page.total, Some(3));
    mock.assert();
    h.finish();
}

#[test]
fn get_collections_items_walks_pages() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "1")]))
        .with_body(fixture("collections_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .with_body(fixture("collections_page2.json"))
        .create();
    let all: Vec<m::Collection> = h
        .client
        .assets()
        .get_collections()
        .per_page(2)
        .items()
        .map(|c| c.unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[2].status,
        Some(m::CollectionStatus::Other("ARCHIVED_FOREVER".into()))
    );
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn a_scroll_walk_follows_scroll_id() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("scroll", "true")]))
        .with_body(r#"{"objects": [{"id": "c1", "title": "A"}], "scroll_id": "S1"}"#)
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("scroll", "true"), ("scroll_id", "S1")]))
        .with_body(r#"{"objects": [{"id": "c2", "title": "B"}], "scroll_id": null}"#)
        .create();
    let request = h
        .client
        .assets()
        .get_collections()
        .into_request()
        .into_builder();
    let ids: Vec<String> = Paginator::<m::Collection>::new(request, Style::Scroll)
        .map(|c| c.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    p1.assert();
    p2.assert();
    h.finish();
}
