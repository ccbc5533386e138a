//! `client.metadata()`: values (through views and direct), views, fields,
//! and the optional "404 means no values yet" mapping.

mod common;

use std::collections::BTreeMap;

use common::*;
use iconik_sync::models::*;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::json;

const NO_VALUES: &str = r#"{"errors": ["Metadata values not found"]}"#;

// ---- the values model -----------------------------------------------------

#[test]
fn values_decode_with_typed_helpers_and_round_trip() {
    let raw: serde_json::Value = serde_json::from_str(&fixture("metadata_values.json")).unwrap();
    let m: Metadata = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(m.first_value("description"), Some(&json!("A red car")));
    assert_eq!(m.values("tags"), [&json!("car"), &json!("red")]);
    assert_eq!(m.first_value("rating"), Some(&json!(4)));
    assert_eq!(m.first_value("location").unwrap()["lat"], 59.3);
    assert!(m.values("notes").is_empty());
    assert!(m.values("empty").is_empty());
    assert!(m.values("no_such_field").is_empty());
    assert!(!m.is_empty());
    let values = m.metadata_values.as_ref().unwrap();
    assert_eq!(values["description"].mode, Some(MetadataMode::Overwrite));
    assert_eq!(
        values["rating"].mode,
        Some(MetadataMode::Other("merge_unique".into()))
    );
    let reviewed = &values["reviewed"].field_values.as_ref().unwrap()[0];
    assert_eq!(reviewed.extra["label"], "Yes");
    assert_eq!(m.extra["index_status"], "PENDING");
    assert_eq!(m.version_id, None);

    let back = serde_json::to_value(&m).unwrap();
    assert_eq!(
        back["metadata_values"]["reviewed"],
        raw["metadata_values"]["reviewed"]
    );
    assert_eq!(back["metadata_values"]["rating"]["mode"], "merge_unique");
    assert_eq!(back["index_status"], "PENDING");
}

#[test]
fn bodies_built_from_pairs() {
    let body = Metadata::from_fields([("a", vec![json!(1), json!(2)]), ("b", vec![json!("x")])]);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"metadata_values": {
            "a": {"field_values": [{"value": 1}, {"value": 2}]},
            "b": {"field_values": [{"value": "x"}]}
        }})
    );
    let cleared = Metadata::default().with_field("tags", Vec::<String>::new());
    assert_eq!(
        serde_json::to_value(&cleared).unwrap(),
        json!({"metadata_values": {"tags": {"field_values": []}}})
    );
    assert!(cleared.is_empty());
    assert!(Metadata::default().is_empty());
}

// ---- reads ----------------------------------------------------------------

#[test]
fn view_reads_hit_the_view_path_per_object_type() {
    let mut h = harness();
    let body = fixture("metadata_values.json");
    let mocks = [
        h.expect(Method::Get, "metadata", "/v1/assets/a1/views/v1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/collections/c1/views/v1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/segments/s1/views/v1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/playlists/p1/views/v1/")
            .with_body(&body)
            .create(),
    ];
    let api = h.client.metadata();
    let m = api.get_asset_metadata("a1", "v1").unwrap();
    assert_eq!(m.http_status(), 200);
    assert_eq!(m.first_value("description"), Some(&json!("A red car")));
    api.get_collection_metadata("c1", "v1").unwrap();
    api.get_segment_metadata("s1", "v1").unwrap();
    api.get_object_metadata("playlists", "p1", "v1").unwrap();
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn direct_reads_hit_the_object_path() {
    let mut h = harness();
    let body = fixture("metadata_values.json");
    let mocks = [
        h.expect(Method::Get, "metadata", "/v1/assets/a1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/collections/c1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/segments/s1/")
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/assets/a2/")
            .with_body(&body)
            .create(),
    ];
    let api = h.client.metadata();
    let m = api.get_asset_metadata_direct("a1").unwrap();
    assert_eq!(m.values("tags").len(), 2);
    api.get_collection_metadata_direct("c1").unwrap();
    api.get_segment_metadata_direct("s1").unwrap();
    api.get_object_metadata_direct("assets", "a2").unwrap();
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn view_404_is_an_error_by_default() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "metadata", "/v1/assets/a1/views/v1/")
        .with_status(404)
        .with_body(NO_VALUES)
        .create();
    let err = h
        .client
        .metadata()
        .get_asset_metadata("a1", "v1")
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    m.assert();
    h.finish();
}

#[test]
fn view_404_becomes_empty_values_when_enabled() {
    let mut h = harness_with(|b| {
        b.disable_rate_limit_handling()
            .metadata_view_404_as_empty(true)
    });
    let reads = [
        h.expect(Method::Get, "metadata", "/v1/assets/a1/views/v1/")
            .with_status(404)
            .with_header("X-Request-Id", "req-1")
            .with_body(NO_VALUES)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/collections/c1/views/v1/")
            .with_status(404)
            .with_body(NO_VALUES)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/segments/s1/views/v1/")
            .with_status(404)
            .with_body(NO_VALUES)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/assets/a1/")
            .with_status(404)
            .with_body(NO_VALUES)
            .create(),
    ];
    let api = h.client.metadata();
    let m = api.get_asset_metadata("a1", "v1").unwrap();
    assert_eq!(m.http_status(), 404, "the 404 stays visible");
    assert_eq!(m.headers().get("x-request-id"), Some("req-1"));
    assert_eq!(m.metadata_values, Some(BTreeMap::new()));
    assert!(m.is_empty());
    assert_eq!(m.first_value("description"), None);
    for r in [
        api.get_collection_metadata("c1", "v1"),
        api.get_segment_metadata("s1", "v1"),
        api.get_asset_metadata_direct("a1"),
    ] {
        let r = r.unwrap();
        assert_eq!(r.http_status(), 404);
        assert!(r.is_empty());
    }
    for m in reads {
        m.assert();
    }
    h.finish();
}

#[test]
fn only_404_is_mapped_and_values_still_read_when_enabled() {
    let mut h = harness_with(|b| {
        b.disable_rate_limit_handling()
            .metadata_view_404_as_empty(true)
    });
    let ok = h
        .expect(Method::Get, "metadata", "/v1/assets/a1/views/v1/")
        .with_body(fixture("metadata_values.json"))
        .create();
    let forbidden = h
        .expect(Method::Get, "metadata", "/v1/assets/a2/views/v1/")
        .with_status(403)
        .with_body(r#"{"errors": ["Forbidden"]}"#)
        .create();
    let gone_view = h
        .expect(Method::Get, "metadata", "/v1/views/v9/")
        .with_status(404)
        .with_body(r#"{"errors": ["View not found"]}"#)
        .create();
    let api = h.client.metadata();
    let m = api.get_asset_metadata("a1", "v1").unwrap();
    assert_eq!(m.http_status(), 200);
    assert_eq!(m.values("tags").len(), 2);
    let err = api.get_asset_metadata("a2", "v1").unwrap_err();
    assert_eq!(err.status(), Some(403));
    // views themselves are not values: a missing view stays an error
    let err = api.get_view("v9").unwrap_err();
    assert!(err.is_not_found());
    ok.assert();
    forbidden.assert();
    gone_view.assert();
    h.finish();
}

// ---- writes ---------------------------------------------------------------

#[test]
fn update_asset_metadata_puts_to_the_asset_view() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "metadata", "/v1/assets/a1/views/v1/")
        .match_body(json_body(json!({"metadata_values": {
            "description": {"field_values": [{"value": "A blue car"}]}
        }})))
        .with_body(fixture("metadata_values.json"))
        .create();
    let body = Metadata::default().with_field("description", ["A blue car"]);
    let written = h
        .client
        .metadata()
        .update_asset_metadata("a1", "v1", &body)
        .unwrap();
    assert_eq!(written.object_id.as_deref(), Some("a1"));
    m.assert();
    h.finish();
}

#[test]
fn put_metadata_direct() {
    let mut h = harness();
    let m = h
        .expect(Method::Put, "metadata", "/v1/collections/c1/")
        .match_body(json_body(json!({"metadata_values": {"rating": {"field_values": [{"value": 5}], "mode": "append"}}})))
        .with_body(fixture("metadata_values.json"))
        .create();
    let mut values = BTreeMap::new();
    values.insert(
        "rating".to_string(),
        FieldValues::of([5]).mode(MetadataMode::Append),
    );
    let body = Metadata::default().metadata_values(values);
    h.client
        .metadata()
        .put_metadata_direct("collections", "c1", &body)
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn put_object_and_segment_view_metadata() {
    let mut h = harness();
    let body = Metadata::default().with_field("speaker", ["Ada"]);
    let expected = json!({"metadata_values": {"speaker": {"field_values": [{"value": "Ada"}]}}});
    let object = h
        .expect(
            Method::Put,
            "metadata",
            "/v1/assets/a1/segments/s1/views/v1/",
        )
        .match_body(json_body(expected.clone()))
        .with_body(fixture("metadata_values.json"))
        .create();
    let segment = h
        .expect(
            Method::Put,
            "metadata",
            "/v1/assets/a1/segments/s2/views/v1/",
        )
        .match_body(json_body(expected))
        .with_body(fixture("metadata_values.json"))
        .create();
    h.client
        .metadata()
        .put_object_view_metadata("a1", "segments", "s1", "v1", &body)
        .unwrap();
    h.client
        .metadata()
        .put_segment_view_metadata("a1", "s2", "v1", &body)
        .unwrap();
    object.assert();
    segment.assert();
    h.finish();
}

// ---- views ----------------------------------------------------------------

#[test]
fn get_views_and_view() {
    let mut h = harness();
    let list = h
        .expect(Method::Get, "metadata", "/v1/views/")
        .with_body(fixture("metadata_views.json"))
        .create();
    let one = h
        .expect(Method::Get, "metadata", "/v1/views/v1/")
        .with_body(fixture("metadata_view.json"))
        .create();
    let views = h.client.metadata().get_views().unwrap();
    assert_eq!(views.objects.len(), 2);
    assert_eq!(views.objects[1].extra["is_system"], false);
    let view = h.client.metadata().get_view("v1").unwrap();
    let fields = view.view_fields.as_ref().unwrap();
    assert_eq!(
        fields[1].options.as_ref().unwrap()[1].label.as_deref(),
        Some("Great")
    );
    assert_eq!(fields[1].hide_if_not_set, Some(true));
    assert_eq!(view.extra["write_access_for_everyone"], true);
    list.assert();
    one.assert();
    h.finish();
}

#[test]
fn create_update_replace_delete_view() {
    let mut h = harness();
    let create = h
        .expect(Method::Post, "metadata", "/v1/views/")
        .match_body(json_body(json!({
            "name": "Review",
            "view_fields": [{"name": "description"}, {"name": "rating", "required": true}],
            "write_access_for_everyone": false
        })))
        .with_status(201)
        .with_body(fixture("metadata_view.json"))
        .create();
    let update = h
        .expect(Method::Patch, "metadata", "/v1/views/v1/")
        .match_body(json_body(json!({"description": "For reviewers"})))
        .with_body(fixture("metadata_view.json"))
        .create();
    let replace = h
        .expect(Method::Put, "metadata", "/v1/views/v1/")
        .match_body(json_body(
            json!({"name": "Review 2", "view_fields": [{"name": "rating"}]}),
        ))
        .with_body(fixture("metadata_view.json"))
        .create();
    let delete = h
        .expect(Method::Delete, "metadata", "/v1/views/v1/")
        .with_status(204)
        .create();
    let api = h.client.metadata();
    let body = MetadataViewCreate::new(
        "Review",
        vec![
            ViewField::new("description"),
            ViewField::new("rating").required(true),
        ],
    )
    .write_access_for_everyone(false);
    let view = api.create_view(&body).unwrap();
    assert_eq!(view.id.as_deref(), Some("v1"));
    api.update_view("v1", &MetadataView::default().description("For reviewers"))
        .unwrap();
    api.replace_view(
        "v1",
        &MetadataViewCreate::new("Review 2", vec![ViewField::new("rating")]),
    )
    .unwrap();
    assert_eq!(api.delete_view("v1").unwrap().http_status(), 204);
    create.assert();
    update.assert();
    replace.assert();
    delete.assert();
    h.finish();
}

// ---- fields ---------------------------------------------------------------

#[test]
fn list_fields_pages_by_name() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "metadata", "/v1/fields/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "2".into()),
            Matcher::UrlEncoded("last_field_name".into(), "date".into()),
            Matcher::UrlEncoded("filter".into(), "description,rating".into()),
        ]))
        .with_body(fixture("metadata_fields.json"))
        .create();
    let params = FieldListParams::default()
        .per_page(2u32)
        .last_field_name("date")
        .filter("description,rating");
    let page = h.client.metadata().list_fields(&params).unwrap();
    assert_eq!(page.objects[1].name.as_deref(), Some("rating"));
    assert!(page
        .next_url
        .as_deref()
        .unwrap()
        .contains("last_field_name=rating"));
    m.assert();
    h.finish();
}

#[test]
fn field_crud() {
    let mut h = harness();
    let get = h
        .expect(Method::Get, "metadata", "/v1/fields/rating/")
        .with_body(fixture("metadata_field.json"))
        .create();
    let create = h
        .expect(Method::Post, "metadata", "/v1/fields/")
        .match_body(json_body(json!({
            "field_type": "drop_down", "label": "Rating", "name": "rating",
            "options": [{"label": "Good", "value": "4"}], "use_as_facet": true
        })))
        .with_status(201)
        .with_body(fixture("metadata_field.json"))
        .create();
    let update = h
        .expect(Method::Put, "metadata", "/v1/fields/rating/")
        .match_body(json_body(
            json!({"field_type": "drop_down", "label": "Stars", "name": "rating"}),
        ))
        .with_body(fixture("metadata_field.json"))
        .create();
    let patch = h
        .expect(Method::Patch, "metadata", "/v1/fields/rating/")
        .match_body(json_body(json!({"sortable": false})))
        .with_body(fixture("metadata_field.json"))
        .create();
    let delete = h
        .expect(Method::Delete, "metadata", "/v1/fields/rating/")
        .with_status(204)
        .create();
    let api = h.client.metadata();

    let field = api.get_field("rating").unwrap();
    assert_eq!(field.field_type.as_deref(), Some("drop_down"));
    assert_eq!(field.max_value, Some(5.0));
    assert_eq!(field.min_value, None);
    assert_eq!(field.extra["translations"]["sv"], "Betyg");
    let back = serde_json::to_value(&field.data).unwrap();
    assert_eq!(back["translations"]["sv"], "Betyg");

    let body = MetadataFieldCreate::new("drop_down", "Rating", "rating")
        .options(vec![FieldOption::default().label("Good").value("4")])
        .use_as_facet(true);
    api.create_field(&body).unwrap();
    api.update_field(
        "rating",
        &MetadataFieldCreate::new("drop_down", "Stars", "rating"),
    )
    .unwrap();
    api.partial_update_field("rating", &MetadataField::default().sortable(false))
        .unwrap();
    api.delete_field("rating").unwrap();
    for m in [get, create, update, patch, delete] {
        m.assert();
    }
    h.finish();
}
