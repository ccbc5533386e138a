//! `client.collections()`: every method sends the documented method, path
//! (under the `assets` service), query and body, and decodes the answer.

mod common;
use common::*;
use iconik_sync::models::*;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::json;

#[test]
fn get_decodes_a_collection() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/collections/c1/")
        .match_query(Matcher::Missing)
        .with_body(fixture("collections_collection.json"))
        .create();
    let c = h.client.collections().get("c1").unwrap();
    assert_eq!(c.title.as_deref(), Some("Dailies"));
    assert_eq!(c.data.status, Some(CollectionStatus::Active));
    assert_eq!(
        c.custom_order_status,
        Some(CustomOrderStatus::Other("REORDERING".into()))
    );
    assert_eq!(c.parent_id, None);
    assert_eq!(c.keyframes.as_ref().unwrap()[0]["id"], "k1");
    assert_eq!(c.extra["color"], "teal");
    m.assert();
    h.finish();
}

#[test]
fn collection_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value =
        serde_json::from_str(&fixture("collections_collection.json")).unwrap();
    let c: Collection = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&c).unwrap();
    assert_eq!(back["color"], "teal");
    assert_eq!(back["custom_order_status"], "REORDERING");
    assert_eq!(back["metadata"], raw["metadata"]);
    assert!(back.get("parent_id").is_none());
}

#[test]
fn get_info_sends_params_and_decodes() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/collections/c1/content/info/")
        .match_query(exact_query(&[
            ("include_subcollections", "true"),
            ("by_storage_id", "true"),
        ]))
        .with_body(fixture("collections_info.json"))
        .create();
    let info = h
        .client
        .collections()
        .get_info(
            "c1",
            &CollectionInfoParams::default()
                .include_subcollections(true)
                .by_storage_id(true),
        )
        .unwrap();
    assert_eq!(info.assets_count, Some(12));
    assert_eq!(info.total_proxy_size, None);
    let storage = &info.storage_info.as_ref().unwrap()[0];
    assert_eq!(storage.file_count, Some(10));
    assert_eq!(storage.extra["tier"], "hot");
    assert_eq!(info.extra["generated_at"], "2024-03-01T00:00:00");
    m.assert();
    h.finish();
}

#[test]
fn get_contents_returns_mixed_objects() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/collections/c1/contents/")
        .match_query(exact_query(&[
            ("per_page", "100"),
            ("object_types", "assets"),
            ("object_types", "collections"),
        ]))
        .with_body(fixture("collections_contents.json"))
        .create();
    let page = h
        .client
        .collections()
        .get_contents(
            "c1",
            &CollectionContentsParams::default()
                .per_page(100u32)
                .object_types(vec!["assets".to_string(), "collections".to_string()]),
        )
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert_eq!(page.objects[0].object_type.as_deref(), Some("assets"));
    assert_eq!(page.objects[0].r#type.as_deref(), Some("ASSET"));
    assert_eq!(page.objects[1].object_type.as_deref(), Some("collections"));
    assert_eq!(page.objects[1].description, None);
    assert_eq!(page.objects[1].extra["is_root"], false);
    m.assert();
    h.finish();
}

#[test]
fn list_all_contents_iterates() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/collections/c1/contents/")
        .match_query(exact_query(&[("page", "1")]))
        .with_body(fixture("collections_contents.json"))
        .create();
    let ids: Vec<String> = h
        .client
        .collections()
        .list_all_contents("c1", &CollectionContentsParams::default())
        .map(|i| i.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1", "c9"]);
    m.assert();
    h.finish();
}

#[test]
fn create_posts_body_and_acl_params() {
    let mut h = harness();
    let m = h
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
        .collections()
        .create(
            &CollectionCreate::new("Dailies")
                .parent_id("p1")
                .status(CollectionStatus::Active),
            &CollectionCreateParams::default().apply_default_acls(true),
        )
        .unwrap();
    assert_eq!(c.id.as_deref(), Some("c1"));
    m.assert();
    h.finish();
}

#[test]
fn update_puts() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "assets", "/v1/collections/c1/")
        .match_query(exact_query(&[("change_parent_mode", "MOVE")]))
        .match_body(json_body(json!({"title": "Dailies (graded)"})))
        .with_body(fixture("collections_collection.json"))
        .create();
    h.client
        .collections()
        .update(
            "c1",
            &CollectionCreate::new("Dailies (graded)"),
            &CollectionUpdateParams::default().change_parent_mode("MOVE"),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_patches_only_set_fields() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "assets", "/v1/collections/c1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"title": "Renamed"})))
        .with_body(fixture("collections_collection.json"))
        .create();
    h.client
        .collections()
        .partial_update(
            "c1",
            &Collection::default().title("Renamed"),
            &CollectionUpdateParams::default(),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_accepts_202() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/collections/c1/")
        .with_status(202)
        .with_body(r#"{"job_id": "j1"}"#)
        .create();
    let r = h.client.collections().delete("c1").unwrap();
    assert_eq!(r.http_status(), 202);
    assert_eq!(r.data["job_id"], "j1");
    m.assert();
    h.finish();
}

#[test]
fn add_content_posts_the_object() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "assets", "/v1/collections/c1/contents/")
        .match_body(json_body(
            json!({"object_id": "a1", "object_type": "assets"}),
        ))
        .with_status(201)
        .create();
    h.client
        .collections()
        .add_content("c1", &CollectionContent::new("a1", "assets"))
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn remove_content_deletes_by_type_and_id() {
    let mut h = harness();
    let m = h
        .expect(
            Method::Delete,
            "assets",
            "/v1/collections/c1/contents/assets/a1/",
        )
        .with_status(204)
        .create();
    h.client
        .collections()
        .remove_content("c1", "assets", "a1")
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn fetch_returns_one_page() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("is_root", "true"), ("per_page", "2")]))
        .with_body(fixture("collections_page1.json"))
        .create();
    let page = h
        .client
        .collections()
        .fetch(&CollectionListParams::default().is_root(true).per_page(2u32))
        .unwrap();
    assert_eq!(page.objects[1].status, Some(CollectionStatus::Hidden));
    assert_eq!(page.total, Some(3));
    m.assert();
    h.finish();
}

#[test]
fn list_all_walks_pages() {
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
    let all: Vec<Collection> = h
        .client
        .collections()
        .list_all(&CollectionListParams::default().per_page(2u32))
        .map(|c| c.unwrap())
        .collect();
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[2].status,
        Some(CollectionStatus::Other("ARCHIVED_FOREVER".into()))
    );
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn list_all_scroll_follows_scroll_id() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("scroll", "true")]))
        .with_body(r#"{"objects": [{"id": "c1"}], "scroll_id": "S1"}"#)
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/collections/")
        .match_query(exact_query(&[("scroll", "true"), ("scroll_id", "S1")]))
        .with_body(r#"{"objects": [{"id": "c2"}], "scroll_id": null}"#)
        .create();
    let ids: Vec<String> = h
        .client
        .collections()
        .list_all_scroll(&CollectionListParams::default())
        .map(|c| c.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    p1.assert();
    p2.assert();
    h.finish();
}
