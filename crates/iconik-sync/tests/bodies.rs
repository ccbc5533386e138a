//! Non-JSON bodies on the wire, typed arguments of generated methods, the
//! credentials each operation sends, and reads sent as POST that are
//! retried like GETs.

mod common;

use std::sync::Arc;

use common::*;
use iconik_sync::clock::FakeClock;
use iconik_sync::models::{assets, auth, search, users};
use iconik_sync::{Auth, Error, Method, RateLimitConfig};
use mockito::Matcher;

#[test]
fn image_bodies_are_sent_as_bytes_with_their_content_type() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "users", "/v1/groups/g1/logo/")
        .match_header("content-type", "image/png")
        .match_body(Matcher::Exact("\u{1}PNG".into()))
        .with_status(200)
        .with_body(r#"{"logo": "https://cdn/logo.png"}"#)
        .create();
    let r = h
        .client
        .users()
        .post_group_logo("g1", "image/png", b"\x01PNG".to_vec())
        .send()
        .unwrap();
    assert_eq!(r.logo.as_deref(), Some("https://cdn/logo.png"));
    mock.assert();
    h.finish();
}

#[test]
fn a_typed_form_body_is_urlencoded_with_its_grant_type() {
    let mut h = harness();
    // the token endpoint takes no credentials of ours: a raw mock, not
    // `expect` (which requires them)
    let mock = h
        .server
        .mock("POST", "/API/auth/v1/oauth/token/")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .match_query(exact_query(&[("expires_in", "60")]))
        .match_body(Matcher::Exact(
            "code=a+b%26c%3D&grant_type=authorization_code".into(),
        ))
        .with_body(r#"{"token": "x"}"#)
        .expect(1)
        .create();
    let token = h
        .client
        .auth()
        .post_oauth_token(
            &auth::PostOauthTokenBody::new(auth::PostOauthTokenBodyGrantType::AuthorizationCode)
                .code("a b&c="),
        )
        .expires_in(60)
        .send()
        .unwrap();
    assert_eq!(token.token, "x");
    mock.assert();
    h.finish();
}

#[test]
fn a_login_sends_no_credentials() {
    let mut h = harness();
    let login = h
        .server
        .mock("POST", "/API/auth/v1/auth/simple/login/")
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            serde_json::json!({"email": "ada@example.com", "password": "pw"}),
        ))
        .with_status(201)
        .with_body(r#"{"token": "new-token", "user_id": "u1"}"#)
        .expect(1)
        .create();
    let request = h
        .client
        .auth()
        .post_auth_simple_login(&auth::SimpleLogin::new("ada@example.com", "pw"));
    assert_eq!(request.operation().auth(), Auth::None);
    let token = request.send().unwrap();
    assert_eq!(token.token.as_deref(), Some("new-token"));
    login.assert();
    h.finish();
}

#[test]
fn query_setters_take_concrete_types_and_send_the_spec_names() {
    let mut h = harness();
    let mock = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_query(exact_query(&[
            ("include_users", "true"),
            ("include_collections", "false"),
        ]))
        .with_body(r#"{"title": "Clip", "brand_new": 1}"#)
        .create();
    let asset = h
        .client
        .assets()
        .get_asset("a1")
        .include_users(true)
        .include_collections(false)
        .send()
        .unwrap();
    assert_eq!(asset.title, "Clip");
    assert_eq!(asset.extra["brand_new"], 1, "unknown fields are kept");
    mock.assert();
    h.finish();
}

#[test]
fn request_bodies_send_exactly_the_fields_set() {
    let mut h = harness();
    let mock = h
        .expect(Method::Post, "users", "/v1/groups/")
        .match_body(Matcher::Json(serde_json::json!({"name": "Editors"})))
        .with_status(201)
        .with_body(r#"{"id": "g1", "name": "Editors"}"#)
        .create();
    let group = h
        .client
        .users()
        .post_groups(&users::Group::new("Editors"))
        .send()
        .unwrap();
    assert_eq!(group.name, "Editors");
    mock.assert();
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
        .post_search(&search::SearchCriteriaSchema::new())
        .send()
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
        .post_assets(&assets::AssetPostCreate::new("Clip"))
        .send()
        .unwrap_err();
    assert!(
        matches!(err, Error::Api(ref e) if e.status == 503),
        "{err:?}"
    );
    unavailable.assert();
    h.finish();
}
