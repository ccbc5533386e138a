//! `client.assets()`: every method sends the documented method, path,
//! query and body, and decodes iconik's answer.

mod common;
use common::*;
use iconik_sync::models::*;
use iconik_sync::{Error, Method};
use mockito::Matcher;
use serde_json::json;

#[test]
fn get_decodes_known_unknown_and_null_fields() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .with_body(fixture("assets_asset.json"))
        .create();
    let asset = h.client.assets().get("a1").unwrap();
    assert_eq!(asset.title.as_deref(), Some("Sunset over the bay"));
    assert_eq!(asset.r#type, Some(AssetType::Asset));
    assert_eq!(
        asset.analyze_status,
        Some(AnalyzeStatus::Other("SOMETHING_NEW".into()))
    );
    assert_eq!(asset.category, None);
    assert_eq!(
        asset.versions.as_ref().unwrap()[0].transcribe_status,
        Some(AnalyzeStatus::NotApplicable)
    );
    assert_eq!(
        asset.created_by_user_info.as_ref().unwrap().extra["shoe_size"],
        38
    );
    assert_eq!(asset.extra["likes"], 3);
    m.assert();
    h.finish();
}

#[test]
fn asset_round_trip_keeps_unknown_fields() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("assets_asset.json")).unwrap();
    let asset: Asset = serde_json::from_value(raw.clone()).unwrap();
    let back = serde_json::to_value(&asset).unwrap();
    assert_eq!(back["brand_new_field"], raw["brand_new_field"]);
    assert_eq!(back["analyze_status"], "SOMETHING_NEW");
    assert_eq!(back["created_by_user_info"]["shoe_size"], 38);
    assert!(
        back.get("category").is_none(),
        "a null stays unset, not invented"
    );
}

#[test]
fn create_sends_body_and_params() {
    let mut h = harness();
    let m = h
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
        .create(
            &AssetCreate::new("My clip")
                .external_id("x-1")
                .r#type(AssetType::Asset),
            &AssetCreateParams::default()
                .apply_default_acls(true)
                .assign_to_collection(false),
        )
        .unwrap();
    assert_eq!(asset.id.as_deref(), Some("a1"));
    m.assert();
    h.finish();
}

#[test]
fn partial_update_asset_patches_only_set_fields() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(json!({"title": "New", "x_custom": 1})))
        .with_body(fixture("assets_asset.json"))
        .create();
    h.client
        .assets()
        .partial_update_asset(
            "a1",
            &Asset::default().title("New").extra_field("x_custom", 1),
            &SubclipKeyframesParams::default(),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_asset_passes_generate_subclip_keyframes() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/")
        .match_query(exact_query(&[("generate_subclip_keyframes", "true")]))
        .match_body(json_body(json!({"status": "ACTIVE"})))
        .with_body("{}")
        .create();
    h.client
        .assets()
        .partial_update_asset(
            "a1",
            &Asset::default().status(AssetStatus::Active),
            &SubclipKeyframesParams::default().generate_subclip_keyframes(true),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_sends_delete_and_accepts_204() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    h.client.assets().delete("a1").unwrap();
    m.assert();
    h.finish();
}

#[test]
fn bad_id_is_refused_before_sending() {
    let h = harness();
    let err = h.client.assets().delete("..").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    h.finish();
}

#[test]
fn fetch_returns_one_page_with_list_fields() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[
            ("per_page", "2"),
            ("page", "1"),
            ("sort", "date_created"),
            ("types", "ASSET"),
            ("types", "SUBCLIP"),
        ]))
        .with_body(fixture("assets_page1.json"))
        .create();
    let page = h
        .client
        .assets()
        .fetch(
            &AssetListParams::default()
                .per_page(2u32)
                .page(1u32)
                .sort("date_created")
                .types(vec!["ASSET".to_string(), "SUBCLIP".to_string()]),
        )
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert_eq!(
        page.objects[1].status,
        Some(AssetStatus::Other("NEW_STATUS".into()))
    );
    assert_eq!(page.total, Some(3));
    assert_eq!(page.pages, Some(2));
    assert!(page.next_url.is_some());
    assert!(page.extra.contains_key("facets"));
    m.assert();
    h.finish();
}

#[test]
fn list_all_walks_pages_lazily() {
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
    let it = h
        .client
        .assets()
        .list_all(&AssetListParams::default().per_page(2u32));
    let titles: Vec<String> = it.map(|a| a.unwrap().title.unwrap()).collect();
    assert_eq!(titles, ["One", "Two", "Three"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn list_all_sends_nothing_until_iterated() {
    let h = harness();
    let it = h.client.assets().list_all(&AssetListParams::default());
    drop(it);
    h.finish();
}

#[test]
fn list_all_scroll_follows_scroll_id() {
    let mut h = harness();
    let p1 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("scroll", "true")]))
        .with_body(r#"{"objects": [{"id": "a1"}], "scroll_id": "S1"}"#)
        .create();
    let p2 = h
        .expect(Method::Get, "assets", "/v1/assets/")
        .match_query(exact_query(&[("scroll", "true"), ("scroll_id", "S1")]))
        .with_body(r#"{"objects": [], "scroll_id": "S1"}"#)
        .create();
    let ids: Vec<String> = h
        .client
        .assets()
        .list_all_scroll(&AssetListParams::default())
        .map(|a| a.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["a1"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn bulk_delete_posts_to_the_delete_queue() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .match_query(Matcher::Missing)
        .match_body(json_body(
            json!({"object_ids": ["a1", "a2"], "object_type": "assets"}),
        ))
        .with_status(202)
        .create();
    let body = BulkDelete::new(
        vec!["a1".to_string(), "a2".to_string()],
        BulkDeleteObjectType::Assets,
    );
    let answer = h.client.assets().bulk_delete(&body, &false).unwrap();
    assert!(answer.data.is_null());
    m.assert();
    h.finish();
}

#[test]
fn bulk_delete_permanently_purges_the_same_ids() {
    let mut h = harness();
    let bulk = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .match_body(json_body(
            json!({"object_ids": ["c1"], "object_type": "collections", "content_only": false}),
        ))
        .with_status(202)
        .with_body(r#"{"job_id": "j1"}"#)
        .create();
    let purge = h
        .expect(
            Method::Post,
            "assets",
            "/v1/delete_queue/collections/purge/",
        )
        .match_body(json_body(json!({"ids": ["c1"]})))
        .with_status(204)
        .create();
    let body = BulkDelete::new(vec!["c1".to_string()], BulkDeleteObjectType::Collections)
        .content_only(false);
    let answer = h.client.assets().bulk_delete(&body, &true).unwrap();
    assert_eq!(
        answer.data["job_id"], "j1",
        "the bulk delete's answer is returned"
    );
    bulk.assert();
    purge.assert();
    h.finish();
}

#[test]
fn bulk_delete_purge_of_assets_uses_the_assets_queue() {
    let mut h = harness();
    let bulk = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .with_status(202)
        .create();
    let purge = h
        .expect(Method::Post, "assets", "/v1/delete_queue/assets/purge/")
        .match_body(json_body(json!({"ids": ["a1"]})))
        .with_status(204)
        .create();
    let body = BulkDelete::new(vec!["a1".to_string()], BulkDeleteObjectType::Assets);
    h.client.assets().bulk_delete(&body, &true).unwrap();
    bulk.assert();
    purge.assert();
    h.finish();
}

#[test]
fn bulk_delete_failure_skips_the_purge() {
    let mut h = harness();
    let bulk = h
        .expect(Method::Post, "assets", "/v1/delete_queue/bulk/")
        .with_status(403)
        .with_body(r#"{"errors": ["no"]}"#)
        .create();
    let body = BulkDelete::new(vec!["a1".to_string()], BulkDeleteObjectType::Assets);
    let err = h.client.assets().bulk_delete(&body, &true).unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    bulk.assert();
    h.finish();
}

#[test]
fn bulk_delete_cannot_purge_saved_searches_and_sends_nothing() {
    let h = harness();
    let body = BulkDelete::new(vec!["s1".to_string()], BulkDeleteObjectType::SavedSearches);
    let err = h.client.assets().bulk_delete(&body, &true).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    h.finish();
}

#[test]
fn permanently_delete_purges_the_whole_queue() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "assets", "/v1/delete_queue/purge/all/")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    h.client.assets().permanently_delete().unwrap();
    m.assert();
    h.finish();
}

#[test]
fn create_segment_posts_the_body() {
    let mut h = harness();
    let m = h
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
        .create_segment(
            "a1",
            &SegmentBody::new(SegmentType::Comment)
                .segment_text("Nice shot")
                .time_start_milliseconds(1000),
        )
        .unwrap();
    assert_eq!(seg.segment_type, Some(SegmentType::Comment));
    assert_eq!(seg.data.status, Some(SegmentStatus::Active));
    assert_eq!(seg.drawing, None);
    assert_eq!(seg.extra["reactions"]["thumbs_up"], 2);
    m.assert();
    h.finish();
}

#[test]
fn update_segment_puts_with_params() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(exact_query(&[("generate_subclip_keyframes", "false")]))
        .match_body(json_body(
            json!({"segment_type": "MARKER", "segment_color": "red"}),
        ))
        .with_body(fixture("assets_segment.json"))
        .create();
    h.client
        .assets()
        .update_segment(
            "a1",
            "s1",
            &SegmentBody::new(SegmentType::Marker).segment_color("red"),
            &SubclipKeyframesParams::default().generate_subclip_keyframes(false),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn partial_update_segment_patches() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(Matcher::Missing)
        .match_body(json_body(
            json!({"segment_type": "COMMENT", "segment_text": "Edited"}),
        ))
        .with_body(fixture("assets_segment.json"))
        .create();
    h.client
        .assets()
        .partial_update_segment(
            "a1",
            "s1",
            &SegmentBody::new("COMMENT").segment_text("Edited"),
            &SubclipKeyframesParams::default(),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn get_segments_filters_with_params() {
    let mut h = harness();
    let m = h
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
        .get_segments(
            "a1",
            &SegmentListParams::default()
                .segment_type(SegmentType::Comment)
                .time_start_milliseconds_gte(500)
                .include_users(true)
                .per_page(10u32),
        )
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert_eq!(
        page.objects[1].segment_type,
        Some(SegmentType::Other("HOLOGRAM".into()))
    );
    assert_eq!(page.objects[1].attachments.as_ref().unwrap().len(), 1);
    m.assert();
    h.finish();
}

#[test]
fn list_all_segments_iterates() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a1/segments/")
        .match_query(exact_query(&[("page", "1")]))
        .with_body(fixture("assets_segments_page.json"))
        .create();
    let n = h
        .client
        .assets()
        .list_all_segments("a1", &SegmentListParams::default())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, 2);
    m.assert();
    h.finish();
}

#[test]
fn delete_segment_sends_soft_delete() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/segments/s1/")
        .match_query(exact_query(&[("soft_delete", "false")]))
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_segment(
            "a1",
            "s1",
            &DeleteSegmentParams::default().soft_delete(false),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn bulk_delete_segments_sends_body_and_params() {
    let mut h = harness();
    let m = h
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
        .bulk_delete_segments(
            "a1",
            &BulkDeleteSegments::default()
                .segment_ids(vec!["s1".to_string(), "s2".to_string()])
                .version_id("v1"),
            &BulkDeleteSegmentsParams::default()
                .immediately(true)
                .ignore_reindexing(false),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn create_version_returns_the_versions() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "assets", "/v1/assets/a1/versions/")
        .match_body(json_body(
            json!({"copy_metadata": true, "include_segment_types": ["COMMENT", "MARKER"]}),
        ))
        .with_body(fixture("assets_versions.json"))
        .create();
    let v = h
        .client
        .assets()
        .create_version(
            "a1",
            &AssetVersionCreate::default()
                .copy_metadata(true)
                .include_segment_types(vec![SegmentType::Comment, SegmentType::Marker]),
        )
        .unwrap();
    assert_eq!(v.asset_id.as_deref(), Some("a1"));
    let versions = v.versions.as_ref().unwrap();
    assert_eq!(versions[0].version_number, Some(2));
    assert_eq!(
        versions[1].archive_status,
        Some(ArchiveStatus::Other("GLACIER".into()))
    );
    assert_eq!(v.extra["operation"], "promoted");
    m.assert();
    h.finish();
}

#[test]
fn create_version_from_asset_posts_to_the_source_path() {
    let mut h = harness();
    let m = h
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
        .create_version_from_asset(
            "a1",
            "a9",
            &AssetVersionFromAsset::default().copy_previous_version_segments(true),
        )
        .unwrap();
    assert_eq!(answer.http_status(), 202);
    m.assert();
    h.finish();
}

#[test]
fn update_version_puts() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "assets", "/v1/assets/a1/versions/v2/")
        .match_body(json_body(json!({"is_online": false})))
        .with_body(fixture("assets_version.json"))
        .create();
    let v = h
        .client
        .assets()
        .update_version("a1", "v2", &AssetVersion::default().is_online(false))
        .unwrap();
    assert_eq!(v.is_online, Some(false));
    assert_eq!(
        v.transcribed_languages.as_deref(),
        Some(&["en".to_string()][..])
    );
    m.assert();
    h.finish();
}

#[test]
fn partial_update_version_patches() {
    let mut h = harness();
    let m = h
        .expect(Method::Patch, "assets", "/v1/assets/a1/versions/v2/")
        .match_body(json_body(json!({"status": "ACTIVE"})))
        .with_body(fixture("assets_version.json"))
        .create();
    h.client
        .assets()
        .partial_update_version(
            "a1",
            "v2",
            &AssetVersion::default().status(AssetStatus::Active),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn promote_version_puts_without_body() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "assets", "/v1/assets/a1/versions/v2/promote/")
        .match_query(Matcher::Missing)
        .match_body(Matcher::Exact(String::new()))
        .with_body(fixture("assets_versions.json"))
        .create();
    let v = h.client.assets().promote_version("a1", "v2").unwrap();
    assert_eq!(v.versions.as_ref().unwrap().len(), 2);
    m.assert();
    h.finish();
}

#[test]
fn delete_version_sends_hard_delete() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/v1/")
        .match_query(exact_query(&[("hard_delete", "true")]))
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_version(
            "a1",
            "v1",
            &DeleteVersionParams::default().hard_delete(true),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_version_without_params_sends_no_query() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/v1/")
        .match_query(Matcher::Missing)
        .with_status(204)
        .create();
    h.client
        .assets()
        .delete_version("a1", "v1", &DeleteVersionParams::default())
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn delete_old_versions_deletes() {
    let mut h = harness();
    let m = h
        .expect(Method::Delete, "assets", "/v1/assets/a1/versions/old/")
        .with_status(204)
        .create();
    h.client.assets().delete_old_versions("a1").unwrap();
    m.assert();
    h.finish();
}

#[test]
fn fetch_asset_history_entities_sends_filter() {
    let mut h = harness();
    let m = h
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
        .fetch_asset_history_entities(
            "a1",
            &FilteredListParams::default()
                .per_page(2u32)
                .filter("operation_type:CUSTOM"),
        )
        .unwrap();
    assert_eq!(
        page.objects[0].operation_type,
        Some(HistoryOperationType::Custom)
    );
    assert_eq!(
        page.objects[1].operation_type,
        Some(HistoryOperationType::Other("TIME_TRAVEL".into()))
    );
    m.assert();
    h.finish();
}

#[test]
fn list_asset_history_entities_walks_pages() {
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
        .list_asset_history_entities("a1", &FilteredListParams::default().per_page(2u32))
        .map(|e| e.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["h1", "h2", "h3"]);
    p1.assert();
    p2.assert();
    h.finish();
}

#[test]
fn create_history_entity_posts() {
    let mut h = harness();
    let m = h
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
        .create_history_entity(
            "a1",
            &AssetHistoryCreate::new(HistoryOperationType::Custom)
                .operation_description("QC passed"),
        )
        .unwrap();
    assert_eq!(e.id.as_deref(), Some("h1"));
    assert_eq!(e.job_id, None);
    assert_eq!(e.extra["source"], "integration");
    m.assert();
    h.finish();
}
