//! `client.assets()`: the asset, segment, version, history and delete-queue
//! operations send the documented method, path, query and body, and decode
//! iconik's answer.

mod common;
use common::*;
use iconik_sync::models::assets as m;
use iconik_sync::page::Style;
use iconik_sync::{Error, Method, Paginator};
use mockito::Matcher;
use serde_json::json;

#[test]
fn get_asset_decodes_known_unknown_and_null_fields() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .with_body(fixture("assets_asset.json"))
        .create();
    let asset = h.client.assets().get_asset("a1").send().unwrap();
    assert_eq!(asset.title, "Sunset over the bay");
    assert_eq!(
        asset.type_.as_ref().map(|t| t.as_str()),
        Some("ASSET"),
        "the type is kept as sent"
    );
    assert_eq!(
        asset.analyze_status,
        Some(m::AssetEditAnalyzeStatus::Other("SOMETHING_NEW".into()))
    );
    assert_eq!(asset.category, None);
    assert_eq!(
        asset.versions.as_ref().unwrap()[0].transcribe_status,
        Some(m::AssetEditAnalyzeStatus::NA)
    );
    assert_eq!(
        asset.created_by_user_info.as_ref().unwrap().extra["shoe_size"],
        38
    );
    assert_eq!(asset.likes, Some(3));
    assert_eq!(asset.extra["brand_new_field"]["nested"][2], 3);
    mock.assert();
    h.finish();
}

/// iconik answers `AssetSchema | AssetPostSchema` for an asset; the
/// generator's override picks `AssetPostSchema` as "the superset", but
/// its `type` enum only knows `POST`: an ordinary asset (`ASSET`,
/// `SUBCLIP`, ...) can only be read (and created) as `Other("ASSET")`.
#[test]
#[ignore = "bug (overrides.toml response_union/body_union AssetPostSchema): the asset type enum only knows POST"]
fn an_ordinary_asset_type_is_a_known_variant() {
    let asset: m::AssetPost = serde_json::from_str(&fixture("assets_asset.json")).unwrap();
    let kind = format!("{:?}", asset.type_);
    assert!(!kind.contains("Other"), "type ASSET decoded as {kind}");
    let created = format!("{:?}", m::AssetPostCreate::new("x").type_("ASSET").type_);
    assert!(!created.contains("Other"), "type ASSET sent as {created}");
}

#[test]
fn asset_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("assets_asset.json")).unwrap();
    let asset: m::AssetPost = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&asset).unwrap();
    assert_eq!(back["brand_new_field"], raw["brand_new_field"]);
    assert_eq!(back["analyze_status"], "SOMETHING_NEW");
    assert_eq!(back["type"], "ASSET");
    assert_eq!(back["created_by_user_info"]["shoe_size"], 38);
    assert!(
        back.get("category").is_none(),
        "a null stays unset, not invented"
    );
}

#[test]
fn post_assets_sends_body_and_query_setters() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/assets/")
        .match_query(exact_query(&[
            ("apply_default_acls", "true"),
            ("assign_to_collection", "false"),
        ]))
        .match_body(json_body(
            json!({"title": "My clip", "external_id": "x-1", "type": "ASSET"}),
        ))
        .with_status(201)
        .with_body(fixture("assets_asset.json"))
        .create();
    let asset = h
        .client
        .assets()
        .post_assets(
            &m::AssetPostCreate::new("My clip")
                .external_id("x-1")
                .type_("ASSET"),
        )
        .apply_default_acls(true)
        .assign_to_collection(false)
        .send()
        .unwrap();
    assert_eq!(asset.http_status(), 201);
    assert_eq!(asset.id.as_deref(), Some("a1"));
    mock.assert();
    h.finish();
}

#[test]
fn a_setter_called_twice_sends_one_value_the_last() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_query(exact_query(&[("include_users", "false")]))
        .with_body(fixture("assets_asset.json"))
        .create();
    h.client
        .assets()
        .get_asset("a1")
        .include_users(true)
        .include_users(false)
        .send()
        .unwrap();
    let listed = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("per_page", "2"), ("sort", "title")]))
        .with_body(fixture("assets_page2.json"))
        .create();
    h.client
        .assets()
        .get_assets()
        .per_page(100)
        .sort("date_created")
        .per_page(2)
        .sort("title")
        .send()
        .unwrap();
    mock.assert();
    listed.assert();
    h.finish();
}

#[test]
fn patch_asset_sends_the_fields_set() {
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"title": "New", "x_custom": 1})))
        .with_body(fixture("assets_asset.json"))
        .create();
    let mut body = m::AssetPost::new("New");
    body.extra.insert("x_custom".into(), json!(1));
    h.client.assets().patch_asset("a1", &body).send().unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn patch_asset_passes_generate_subclip_keyframes() {
    // the body type makes `title` required: a patch sends it
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/")
        .match_query(exact_query(&[("generate_subclip_keyframes", "true")]))
        .match_body(json_body(json!({"title": "Clip", "status": "ACTIVE"})))
        .with_body(r#"{"title": "Clip"}"#)
        .create();
    h.client
        .assets()
        .patch_asset("a1", &m::AssetPost::new("Clip").status("ACTIVE"))
        .generate_subclip_keyframes(true)
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_sends_delete_and_accepts_204() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    let r = h.client.assets().delete_asset("a1").send().unwrap();
    assert_eq!(r.http_status(), 204);
    mock.assert();
    h.finish();
}

#[test]
fn an_operation_answering_nothing_accepts_a_200_with_a_json_body() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/")
        .with_status(200)
        .with_body(r#"{"status": "queued", "job_id": "j1"}"#)
        .create();
    let r = h.client.assets().delete_asset("a1").send().unwrap();
    assert_eq!(r.http_status(), 200);
    let () = r.into_data();
    mock.assert();
    h.finish();
}

#[test]
fn a_delete_typed_with_a_schema_accepts_an_empty_204_as_none() {
    let mut h = harness();
    let empty = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/history/h1/")
        .with_status(204)
        .create();
    let full = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/history/h2/")
        .with_status(201)
        .with_body(fixture("assets_history.json"))
        .create();
    let r = h
        .client
        .assets()
        .delete_asset_history_by_history_entity("a1", "h1")
        .send()
        .unwrap();
    assert_eq!(r.http_status(), 204);
    assert!(r.data.is_none());
    let r = h
        .client
        .assets()
        .delete_asset_history_by_history_entity("a1", "h2")
        .send()
        .unwrap();
    assert_eq!(r.data.as_ref().and_then(|e| e.id.as_deref()), Some("h1"));
    empty.assert();
    full.assert();
    h.finish();
}

#[test]
fn bad_id_is_refused_before_sending() {
    let h = harness();
    let err = h.client.assets().delete_asset("..").send().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    h.finish();
}

#[test]
fn get_assets_returns_one_page_with_list_fields() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("page", "1"),
            ("sort", "date_created"),
            ("types", "ASSET,SUBCLIP"),
        ]))
        .with_body(fixture("assets_page1.json"))
        .create();
    let page = h
        .client
        .assets()
        .get_assets()
        .per_page(2)
        .page(1)
        .sort("date_created")
        .types("ASSET,SUBCLIP")
        .send()
        .unwrap();
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(
        objects[1].status,
        Some(m::FormatStatus::Other("NEW_STATUS".into()))
    );
    assert_eq!(page.total, Some(3));
    assert_eq!(page.pages, Some(2));
    assert!(page.next_url.is_some());
    assert!(page.extra.contains_key("facets"));
    mock.assert();
    h.finish();
}

#[test]
fn items_walks_pages_lazily() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "1")]))
        .with_body(fixture("assets_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .with_body(fixture("assets_page2.json"))
        .create();
    let it = h.client.assets().get_assets().per_page(2).items();
    let titles: Vec<String> = it.map(|a| a.unwrap().title).collect();
    assert_eq!(titles, ["One", "Two", "Three"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn items_sends_nothing_until_iterated() {
    let h = harness();
    let it = h.client.assets().get_assets().items();
    drop(it);
    h.finish();
}

#[test]
fn a_scroll_walk_follows_scroll_id() {
    // `.items()` walks page numbers; a scroll walk is the same request
    // handed to a paginator of the scroll style
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("scroll", "true")]))
        .with_body(r#"{"objects": [{"id": "a1", "title": "A"}], "scroll_id": "S1"}"#)
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("scroll", "true"), ("scroll_id", "S1")]))
        .with_body(r#"{"objects": [], "scroll_id": "S1"}"#)
        .create();
    let request = h.client.assets().get_assets().into_request().into_builder();
    let ids: Vec<String> = Paginator::<m::AssetPostElastic>::new(request, Style::Scroll)
        .map(|a| a.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn post_delete_queue_bulk_posts_the_ids() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .match_query(Matcher::Missing)
        .match_body(json_body(
            json!({"object_ids": ["a1", "a2"], "object_type": "assets"}),
        ))
        .with_status(202)
        .create();
    let body = m::BulkDelete::new(vec!["a1".to_string(), "a2".to_string()], "assets");
    let answer = h
        .client
        .assets()
        .post_delete_queue_bulk(&body)
        .send()
        .unwrap();
    assert_eq!(answer.http_status(), 202);
    assert!(answer.data.is_null());
    mock.assert();
    h.finish();
}

#[test]
fn a_permanent_bulk_delete_is_the_bulk_delete_then_the_purge_of_its_queue() {
    // what pythonik's bulk_delete(permanently_delete=True) did in one call
    let mut h = harness();
    let bulk = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .match_body(json_body(
            json!({"object_ids": ["c1"], "object_type": "collections", "content_only": false}),
        ))
        .with_status(202)
        .with_body(r#"{"job_id": "j1"}"#)
        .create();
    let collections = h
        .expect(
            Method::Post,
            "assets",
            "/v1/delete_queue/collections/purge/",
        )
        .match_body(json_body(json!({"ids": ["c1"]})))
        .with_status(204)
        .create();
    let assets = h
        .expect(Method::Post, "assets", "/v1/delete_queue/assets/purge/")
        .match_body(json_body(json!({"ids": ["a1"]})))
        .with_status(204)
        .create();
    let api = h.client.assets();
    let body = m::BulkDelete::new(vec!["c1".to_string()], "collections").content_only(false);
    let answer = api.post_delete_queue_bulk(&body).send().unwrap();
    assert_eq!(answer.data["job_id"], "j1");
    api.post_delete_queue_collections_purge(&m::DeleteQueue::new(vec!["c1".to_string()]))
        .send()
        .unwrap();
    api.post_delete_queue_assets_purge(&m::DeleteQueue::new(vec!["a1".to_string()]))
        .send()
        .unwrap();
    bulk.assert();
    collections.assert();
    assets.assert();
    h.finish();
}

#[test]
fn post_delete_queue_purge_all_purges_the_whole_queue() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/delete_queue/purge/all/")
        .match_query(Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
        .with_status(204)
        .create();
    h.client
        .assets()
        .post_delete_queue_purge_all()
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn post_asset_segments_posts_the_body() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/assets/a1/segments/")
        .match_body(json_body(json!({
            "segment_type": "COMMENT", "segment_text": "Nice shot", "time_start_milliseconds": 1000
        })))
        .with_status(201)
        .with_body(fixture("assets_segment.json"))
        .create();
    let seg = h
        .client
        .assets()
        .post_asset_segments(
            "a1",
            &m::SegmentSchema::new("COMMENT")
                .segment_text("Nice shot")
                .time_start_milliseconds(1000),
        )
        .send()
        .unwrap();
    assert_eq!(seg.segment_type, m::SegmentSegmentType::Comment);
    assert_eq!(seg.status, Some(m::SegmentStatus::Active));
    assert!(seg.drawing.is_none());
    assert_eq!(seg.extra["reactions"]["thumbs_up"], 2);
    mock.assert();
    h.finish();
}

#[test]
fn put_asset_segment_puts_with_its_setter() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(exact_query(&[("generate_subclip_keyframes", "false")]))
        .match_body(json_body(
            json!({"segment_type": "MARKER", "segment_color": "red"}),
        ))
        .with_body(fixture("assets_segment.json"))
        .create();
    h.client
        .assets()
        .put_asset_segment(
            "a1",
            "s1",
            &m::EditSegment::new("MARKER").segment_color("red"),
        )
        .generate_subclip_keyframes(false)
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn patch_asset_segment_patches() {
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(
            json!({"segment_type": "COMMENT", "segment_text": "Edited"}),
        ))
        .with_body(fixture("assets_segment.json"))
        .create();
    h.client
        .assets()
        .patch_asset_segment(
            "a1",
            "s1",
            &m::EditSegment::new("COMMENT").segment_text("Edited"),
        )
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn get_asset_segments_filters_with_setters() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/segments/")
        .match_query(exact_query(&[
            ("segment_type", "COMMENT"),
            ("time_start_milliseconds__gte", "500"),
            ("include_users", "true"),
            ("per_page", "10"),
        ]))
        .with_body(fixture("assets_segments_page.json"))
        .create();
    let page = h
        .client
        .assets()
        .get_asset_segments("a1")
        .segment_type("COMMENT")
        .time_start_milliseconds_gte(500)
        .include_users(true)
        .per_page(10)
        .send()
        .unwrap();
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(
        objects[1].segment_type,
        m::SegmentSegmentType::Other("HOLOGRAM".into())
    );
    assert_eq!(objects[1].attachments.as_ref().unwrap().len(), 1);
    mock.assert();
    h.finish();
}

#[test]
fn get_asset_segments_items_iterates() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/segments/")
        .match_query(exact_query(&[("page", "1")]))
        .with_body(fixture("assets_segments_page.json"))
        .create();
    let n = h
        .client
        .assets()
        .get_asset_segments("a1")
        .items()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, 2);
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_segment_sends_soft_delete() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(exact_query(&[("soft_delete", "false")]))
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_asset_segment("a1", "s1")
        .soft_delete(false)
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_segments_bulk_sends_body_and_setters() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/segments/bulk/")
        .match_query(exact_query(&[
            ("immediately", "true"),
            ("ignore_reindexing", "false"),
        ]))
        .match_body(json_body(
            json!({"segment_ids": ["s1", "s2"], "version_id": "v1"}),
        ))
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_asset_segments_bulk(
            "a1",
            &m::DeleteSegments::new()
                .segment_ids(vec!["s1".to_string(), "s2".to_string()])
                .version_id("v1"),
        )
        .immediately(true)
        .ignore_reindexing(false)
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn post_asset_versions_returns_the_versions() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/assets/a1/versions/")
        .match_body(json_body(
            json!({"copy_metadata": true, "include_segment_types": ["COMMENT", "MARKER"]}),
        ))
        .with_body(fixture("assets_versions.json"))
        .create();
    let v = h
        .client
        .assets()
        .post_asset_versions(
            "a1",
            &m::CreateAssetVersion::new()
                .copy_metadata(true)
                .include_segment_types(vec![
                    m::SegmentSegmentType::from("COMMENT"),
                    m::SegmentSegmentType::from("MARKER"),
                ]),
        )
        .send()
        .unwrap();
    assert_eq!(v.asset_id, "a1");
    let versions = v.versions.as_ref().unwrap();
    assert_eq!(versions[0].version_number, Some(2));
    assert_eq!(
        versions[1].archive_status.as_ref().map(|s| s.as_str()),
        Some("GLACIER")
    );
    assert_eq!(v.extra["operation"], "promoted");
    mock.assert();
    h.finish();
}

#[test]
fn post_asset_versions_from_an_asset_posts_to_the_source_path() {
    let mut h = harness();
    let mock = h
        .expect(
            Method::Post,
            "assets",
            "/v1/assets/a1/versions/from/assets/a9/",
        )
        .match_body(json_body(json!({"copy_previous_version_segments": true})))
        .with_status(202)
        .create();
    let answer = h
        .client
        .assets()
        .post_asset_versions_from_assets_by_source_asset(
            "a1",
            "a9",
            &m::CreateAssetVersionFromAsset::new().copy_previous_version_segments(true),
        )
        .send()
        .unwrap();
    assert_eq!(answer.http_status(), 202);
    mock.assert();
    h.finish();
}

#[test]
fn put_asset_version_puts() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "assets", "/v1/assets/a1/versions/v2/")
        .match_body(json_body(json!({"is_online": false})))
        .with_body(fixture("assets_version.json"))
        .create();
    let v = h
        .client
        .assets()
        .put_asset_version("a1", "v2", &m::AssetVersion::new().is_online(false))
        .send()
        .unwrap();
    assert_eq!(v.is_online, Some(false));
    assert_eq!(
        v.transcribed_languages.as_deref(),
        Some(&["en".to_string()][..])
    );
    mock.assert();
    h.finish();
}

#[test]
fn patch_asset_version_patches() {
    let mut h = harness();
    let mock = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/versions/v2/")
        .match_body(json_body(json!({"status": "ACTIVE"})))
        .with_body(fixture("assets_version.json"))
        .create();
    h.client
        .assets()
        .patch_asset_version("a1", "v2", &m::AssetVersion::new().status("ACTIVE"))
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn put_asset_version_promote_puts_without_body() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "assets", "/v1/assets/a1/versions/v2/promote/")
        .match_query(Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
        .with_body(fixture("assets_versions.json"))
        .create();
    let v = h
        .client
        .assets()
        .put_asset_version_promote("a1", "v2")
        .send()
        .unwrap();
    assert_eq!(v.versions.as_ref().unwrap().len(), 2);
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_version_sends_hard_delete() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/v1/")
        .match_query(exact_query(&[("hard_delete", "true")]))
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_asset_version("a1", "v1")
        .hard_delete(true)
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_version_without_setters_sends_no_query() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/v1/")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_asset_version("a1", "v1")
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn delete_asset_versions_old_deletes() {
    let mut h = harness();
    let mock = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/old/")
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_asset_versions_old("a1")
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn get_asset_history_sends_filter() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/history/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("filter", "operation_type:CUSTOM"),
        ]))
        .with_body(fixture("assets_history_page1.json"))
        .create();
    let page = h
        .client
        .assets()
        .get_asset_history("a1")
        .per_page(2)
        .filter("operation_type:CUSTOM")
        .send()
        .unwrap();
    let objects = page.objects.as_ref().unwrap();
    assert_eq!(
        objects[0].operation_type,
        m::AssetHistoryOperationType::Custom
    );
    assert_eq!(
        objects[1].operation_type,
        m::AssetHistoryOperationType::Other("TIME_TRAVEL".into())
    );
    mock.assert();
    h.finish();
}

#[test]
fn get_asset_history_items_walks_pages() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/assets/a1/history/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "1")]))
        .with_body(fixture("assets_history_page1.json"))
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/assets/a1/history/")
        .match_query(exact_query(&[("per_page", "2"), ("page", "2")]))
        .with_body(fixture("assets_history_page2.json"))
        .create();
    let ids: Vec<String> = h
        .client
        .assets()
        .get_asset_history("a1")
        .per_page(2)
        .items()
        .map(|e| e.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["h1", "h2", "h3"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn post_asset_history_posts() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "assets", "/v1/assets/a1/history/")
        .match_body(json_body(
            json!({"operation_type": "CUSTOM", "operation_description": "QC passed"}),
        ))
        .with_status(201)
        .with_body(fixture("assets_history.json"))
        .create();
    let e = h
        .client
        .assets()
        .post_asset_history(
            "a1",
            &m::AssetHistory::new("CUSTOM").operation_description("QC passed"),
        )
        .send()
        .unwrap();
    assert_eq!(e.id.as_deref(), Some("h1"));
    assert_eq!(e.job_id, None);
    assert_eq!(e.extra["source"], "integration");
    mock.assert();
    h.finish();
}
