//! `client.metadata()`: values (through views and direct), views, fields,
//! and the optional "404 means no values yet" mapping
//! (`ClientBuilder::metadata_view_404_as_empty`).

mod common;

use common::*;
use iconik_sync::models::metadata as m;
use iconik_sync::Method;
use mockito::Matcher;
use serde_json::{json, Map, Value};

const NO_VALUES: &str = r#"{"errors": ["Metadata values not found"]}"#;

// ---- the values model -----------------------------------------------------

#[test]
fn values_decode_and_round_trip() {
    let raw: Value = serde_json::from_str(&fixture("metadata_values.json")).unwrap();
    let v: m::MetadataValues = serde_json::from_value(raw.clone()).unwrap();
    let fields = &v.metadata_values;
    assert_eq!(
        fields["description"]["field_values"][0]["value"],
        "A red car"
    );
    assert_eq!(fields["tags"]["field_values"][1]["value"], "red");
    assert_eq!(fields["location"]["field_values"][0]["value"]["lat"], 59.3);
    assert!(fields["empty"]["field_values"].is_null());
    // each field's values as iconik sent them, modes unknown to the spec included
    assert_eq!(fields["rating"]["mode"], "merge_unique");
    assert_eq!(fields["description"]["mode"], "overwrite");
    assert_eq!(fields["reviewed"]["field_values"][0]["label"], "Yes");
    // the helpers beside the generated model
    assert_eq!(v.first_value("description"), Some("A red car"));
    assert_eq!(v.field_values("tags"), [&json!("car"), &json!("red")]);
    assert_eq!(v.field_values("rating"), [&json!(4)]);
    assert_eq!(v.first_value("rating"), None, "not a string");
    assert_eq!(v.field_values("location")[0]["lat"], 59.3);
    assert!(v.field_values("notes").is_empty());
    assert!(v.field_values("empty").is_empty());
    assert!(v.field_values("no_such_field").is_empty());
    assert_eq!(v.extra["index_status"], "PENDING");
    assert_eq!(v.version_id, None);

    let back = serde_json::to_value(&v).unwrap();
    assert_eq!(
        back["metadata_values"]["reviewed"],
        raw["metadata_values"]["reviewed"]
    );
    assert_eq!(back["metadata_values"]["rating"]["mode"], "merge_unique");
    assert_eq!(back["index_status"], "PENDING");
}

#[test]
fn a_values_body_sends_exactly_what_was_set() {
    let body = m::MetadataValues::of_field("a", [1, 2])
        .with_field("b", ["x"])
        .with_field("tags", Vec::<String>::new());
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"metadata_values": {
            "a": {"field_values": [{"value": 1}, {"value": 2}]},
            "b": {"field_values": [{"value": "x"}]},
            "tags": {"field_values": []}
        }})
    );
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
    let v = api
        .get_object_metadata("assets", "a1", "v1")
        .send()
        .unwrap();
    assert_eq!(v.http_status(), 200);
    assert_eq!(
        v.metadata_values["description"]["field_values"][0]["value"],
        "A red car"
    );
    for (object_type, id) in [
        ("collections", "c1"),
        ("segments", "s1"),
        ("playlists", "p1"),
    ] {
        api.get_object_metadata(object_type, id, "v1")
            .send()
            .unwrap();
    }
    for mock in mocks {
        mock.assert();
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
            .match_query(exact_query(&[(
                "include_values_for_deleted_fields",
                "true",
            )]))
            .with_body(&body)
            .create(),
        h.expect(Method::Get, "metadata", "/v1/segments/s1/")
            .with_body(&body)
            .create(),
    ];
    let api = h.client.metadata();
    let v = api
        .get_object_metadata_direct("assets", "a1")
        .send()
        .unwrap();
    assert_eq!(
        v["metadata_values"]["tags"]["field_values"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    api.get_object_metadata_direct("collections", "c1")
        .include_values_for_deleted_fields(true)
        .send()
        .unwrap();
    api.get_object_metadata_direct("segments", "s1")
        .send()
        .unwrap();
    for mock in mocks {
        mock.assert();
    }
    h.finish();
}

#[test]
fn view_404_is_an_error_by_default() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "metadata", "/v1/assets/a1/views/v1/")
        .with_status(404)
        .with_body(NO_VALUES)
        .create();
    let err = h
        .client
        .metadata()
        .get_object_metadata("assets", "a1", "v1")
        .send()
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    mock.assert();
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
    let v = api
        .get_object_metadata("assets", "a1", "v1")
        .send()
        .unwrap();
    assert_eq!(v.http_status(), 404, "the 404 stays visible");
    assert_eq!(v.headers().get("x-request-id"), Some("req-1"));
    assert!(v.metadata_values.is_empty());
    assert_eq!(v.object_id, None);
    for (object_type, id) in [("collections", "c1"), ("segments", "s1")] {
        let r = api
            .get_object_metadata(object_type, id, "v1")
            .send()
            .unwrap();
        assert_eq!(r.http_status(), 404);
        assert!(r.metadata_values.is_empty());
    }
    let direct = api
        .get_object_metadata_direct("assets", "a1")
        .send()
        .unwrap();
    assert_eq!(direct.http_status(), 404);
    assert!(direct.is_empty());
    for mock in reads {
        mock.assert();
    }
    h.finish();
}

#[test]
fn only_404_of_values_is_mapped_when_enabled() {
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
    let v = api
        .get_object_metadata("assets", "a1", "v1")
        .send()
        .unwrap();
    assert_eq!(v.http_status(), 200);
    assert_eq!(
        v.metadata_values["tags"]["field_values"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let err = api
        .get_object_metadata("assets", "a2", "v1")
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    // views themselves are not values: a missing view stays an error
    let err = api.get_view_metadata("v9").send().unwrap_err();
    assert!(err.is_not_found());
    ok.assert();
    forbidden.assert();
    gone_view.assert();
    h.finish();
}

// ---- writes ---------------------------------------------------------------

#[test]
fn put_object_metadata_puts_to_the_objects_view() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "metadata", "/v1/assets/a1/views/v1/")
        .match_query(exact_query(&[("ignore_unchanged", "true")]))
        .match_body(json_body(json!({"metadata_values": {
            "description": {"field_values": [{"value": "A blue car"}]}
        }})))
        .with_body(fixture("metadata_values.json"))
        .create();
    let body = m::MetadataValues::of_field("description", ["A blue car"]);
    let written = h
        .client
        .metadata()
        .put_object_metadata("assets", "a1", "v1", &body)
        .ignore_unchanged(true)
        .send()
        .unwrap();
    assert_eq!(written.object_id.as_deref(), Some("a1"));
    mock.assert();
    h.finish();
}

#[test]
fn put_object_metadata_direct() {
    let mut h = harness();
    let mock = h
        .expect(Method::Put, "metadata", "/v1/collections/c1/")
        .match_body(json_body(json!({"metadata_values": {"rating": {"field_values": [{"value": 5}], "mode": "append"}}})))
        .with_body(fixture("metadata_values.json"))
        .create();
    let mut fields = Map::new();
    fields.insert(
        "rating".into(),
        json!({"field_values": [{"value": 5}], "mode": "append"}),
    );
    h.client
        .metadata()
        .put_object_metadata_direct("collections", "c1", &m::MetadataValues::new(fields))
        .send()
        .unwrap();
    mock.assert();
    h.finish();
}

#[test]
fn put_asset_object_view_metadata_for_objects_and_segments() {
    let mut h = harness();
    let body = m::MetadataValues::of_field("speaker", ["Ada"]);
    let expected = json!({"metadata_values": {"speaker": {"field_values": [{"value": "Ada"}]}}});
    let mocks = [
        h.expect(
            Method::Put,
            "metadata",
            "/v1/assets/a1/segments/s1/views/v1/",
        )
        .match_body(json_body(expected.clone()))
        .with_body(fixture("metadata_values.json"))
        .create(),
        h.expect(
            Method::Put,
            "metadata",
            "/v1/assets/a1/segments/s2/views/v1/",
        )
        .match_body(json_body(expected))
        .with_body(fixture("metadata_values.json"))
        .create(),
    ];
    for segment in ["s1", "s2"] {
        h.client
            .metadata()
            .put_asset_object_view_metadata("a1", "segments", segment, "v1", &body)
            .send()
            .unwrap();
    }
    for mock in mocks {
        mock.assert();
    }
    h.finish();
}

// ---- views ----------------------------------------------------------------

#[test]
fn get_views_and_a_view() {
    let mut h = harness();
    let list = h
        .expect(Method::Get, "metadata", "/v1/views/")
        .with_body(fixture("metadata_views.json"))
        .create();
    let one = h
        .expect(Method::Get, "metadata", "/v1/views/v1/")
        .with_body(fixture("metadata_view.json"))
        .create();
    let views = h.client.metadata().get_views_metadata().send().unwrap();
    let objects = views.objects.as_ref().unwrap();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1].extra["is_system"], false);
    let view = h.client.metadata().get_view_metadata("v1").send().unwrap();
    let fields = &view.view_fields;
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
fn create_update_replace_delete_a_view() {
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
    // the body type makes name and view_fields required: a patch sends them
    let update = h
        .expect(Method::Patch, "metadata", "/v1/views/v1/")
        .match_body(json_body(json!({
            "name": "Review", "view_fields": [{"name": "rating"}], "description": "For reviewers"
        })))
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
    let body = m::MetadataViewCreate::new(
        "Review",
        vec![
            m::MetadataViewField::new("description"),
            m::MetadataViewField::new("rating").required(true),
        ],
    )
    .write_access_for_everyone(false);
    let view = api.post_views_metadata(&body).send().unwrap();
    assert_eq!(view.id.as_deref(), Some("v1"));
    api.patch_view_metadata(
        "v1",
        &m::MetadataViewInput::new("Review", vec![m::MetadataViewField::new("rating")])
            .description("For reviewers"),
    )
    .send()
    .unwrap();
    api.put_view_metadata(
        "v1",
        &m::MetadataViewInput::new("Review 2", vec![m::MetadataViewField::new("rating")]),
    )
    .send()
    .unwrap();
    assert_eq!(
        api.delete_view_metadata("v1").send().unwrap().http_status(),
        204
    );
    create.assert();
    update.assert();
    replace.assert();
    delete.assert();
    h.finish();
}

// ---- fields ---------------------------------------------------------------

#[test]
fn get_fields_metadata_pages_by_name() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "metadata", "/v1/fields/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("per_page".into(), "2".into()),
            Matcher::UrlEncoded("last_field_name".into(), "date".into()),
            Matcher::UrlEncoded("filter".into(), "description,rating".into()),
        ]))
        .with_body(fixture("metadata_fields.json"))
        .create();
    let page = h
        .client
        .metadata()
        .get_fields_metadata()
        .per_page(2)
        .last_field_name("date")
        .filter("description,rating")
        .send()
        .unwrap();
    assert_eq!(page.objects.as_ref().unwrap()[1].name, "rating");
    assert!(page
        .next_url
        .as_deref()
        .unwrap()
        .contains("last_field_name=rating"));
    mock.assert();
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
    // the body type makes field_type, label and name required
    let patch = h
        .expect(Method::Patch, "metadata", "/v1/fields/rating/")
        .match_body(json_body(json!({
            "field_type": "drop_down", "label": "Stars", "name": "rating", "sortable": false
        })))
        .with_body(fixture("metadata_field.json"))
        .create();
    let delete = h
        .expect(Method::Delete, "metadata", "/v1/fields/rating/")
        .with_status(204)
        .create();
    let api = h.client.metadata();

    let field = api
        .get_fields_metadata_by_field_name("rating")
        .send()
        .unwrap();
    assert_eq!(field.field_type, "drop_down");
    assert_eq!(field.label, "Rating");
    assert_eq!(field.max_value, Some(5.0));
    assert_eq!(field.min_value, None);
    assert_eq!(field.extra["translations"]["sv"], "Betyg");
    let back = serde_json::to_value(&field.data).unwrap();
    assert_eq!(back["translations"]["sv"], "Betyg");

    let body = m::MetadataFieldCreate::new("drop_down", "Rating", "rating")
        .options(vec![m::DestinationItem::new().label("Good").value("4")])
        .use_as_facet(true);
    api.post_fields_metadata(&body).send().unwrap();
    api.put_fields_metadata_by_field_name(
        "rating",
        &m::MetadataField::new("drop_down", "Stars", "rating"),
    )
    .send()
    .unwrap();
    api.patch_fields_metadata_by_field_name(
        "rating",
        &m::MetadataField::new("drop_down", "Stars", "rating").sortable(false),
    )
    .send()
    .unwrap();
    api.delete_fields_metadata_by_field_name("rating")
        .send()
        .unwrap();
    for mock in [get, create, update, patch, delete] {
        mock.assert();
    }
    h.finish();
}
