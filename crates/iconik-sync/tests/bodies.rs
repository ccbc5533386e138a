//! Non-JSON bodies on the wire, typed arguments of generated methods, and
//! reads sent as POST that are retried like GETs.

mod common;

use std::sync::Arc;

use common::*;
use iconik_sync::clock::FakeClock;
use iconik_sync::models::{assets, search, users};
use iconik_sync::{Error, Method, RateLimitConfig};
use mockito::Matcher;

#[test]
fn image_bodies_are_sent_as_bytes_with_their_content_type() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "users", "/v1/groups/g1/logo/")
        .match_header("content-type", "image/png")
        .match_body(Matcher::Exact("\u{1}PNG".into()))
        .with_status(200)
        .with_body("{}")
        .create();
    h.client
        .users()
        .post_group_logo("g1", "image/png", b"\x01PNG".to_vec())
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn form_bodies_are_urlencoded() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "auth", "/v1/oauth/token/")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::Exact("grant_type=code&code=a+b%26c%3D".into()))
        .with_body(r#"{"access_token": "x"}"#)
        .create();
    h.client
        .auth()
        .post_oauth_token(
            &[("grant_type", "code"), ("code", "a b&c=")],
            &Default::default(),
        )
        .unwrap();
    m.assert();
    h.finish();
}

#[test]
fn query_setters_take_concrete_types_and_send_the_spec_names() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("include_users".into(), "true".into()),
            Matcher::UrlEncoded("include_collections".into(), "false".into()),
        ]))
        .with_body(r#"{"title": "Clip", "brand_new": 1}"#)
        .create();
    let params = assets::GetAssetParams::default()
        .include_users(true)
        .include_collections(false);
    let asset = h.client.assets().get_asset("a1", &params).unwrap();
    assert_eq!(asset.title, "Clip");
    assert_eq!(asset.extra["brand_new"], 1, "unknown fields are kept");
    m.assert();
    h.finish();
}

#[test]
fn request_bodies_send_exactly_the_fields_set() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "users", "/v1/groups/")
        .match_body(Matcher::Json(serde_json::json!({"name": "Editors"})))
        .with_status(201)
        .with_body(r#"{"id": "g1", "name": "Editors"}"#)
        .create();
    let group = h
        .client
        .users()
        .post_groups(&users::Group::new("Editors"))
        .unwrap();
    assert_eq!(group.name, "Editors");
    m.assert();
    h.finish();
}

fn retrying() -> (Harness, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::new());
    let c = clock.clone();
    let h = harness_with(move |b| {
        b.clock(c).rate_limit(
            RateLimitConfig::default()
                .jitter(false)
                .limits(vec![])
                .enable_proactive_throttling(false)
                .max_retries(2),
        )
    });
    (h, clock)
}

#[test]
fn a_search_sent_as_post_is_retried_after_503() {
    let (mut h, _clock) = retrying();
    let unavailable = h
        .expect(Method::Post, "search", "/v1/search/")
        .with_status(503)
        .create();
    let ok = h
        .expect(Method::Post, "search", "/v1/search/")
        .with_body(r#"{"objects": []}"#)
        .create();
    let r = h
        .client
        .search()
        .post_search(
            &search::SearchCriteriaSchema::default(),
            &Default::default(),
        )
        .unwrap();
    assert_eq!(r.attempts(), 2);
    unavailable.assert();
    ok.assert();
    h.finish();
}

#[test]
fn a_create_sent_as_post_is_not_resent_after_503() {
    let (mut h, _clock) = retrying();
    let unavailable = h
        .expect(Method::Post, "assets", "/v1/assets/")
        .with_status(503)
        .create();
    let err = h
        .client
        .assets()
        .post_assets(&assets::AssetPostCreate::new("Clip"), &Default::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::Api(ref e) if e.status == 503),
        "{err:?}"
    );
    unavailable.assert();
    h.finish();
}
