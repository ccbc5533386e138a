//! The one request path: what goes on the wire, and every error kind
//! produced from a real exchange.

mod common;

use std::time::Duration;

use common::raw::{raw_server, Behaviour};
use common::*;
use iconik_sync::{Client, Error, Method};
use mockito::Matcher;
use serde_json::{json, Value};

#[test]
fn sends_exact_method_path_and_headers() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a1/")
        .match_header("User-Agent", Matcher::Regex("^iconik-rs/".into()))
        .match_header("Content-Type", Matcher::Missing)
        .with_header("RateLimit-Remaining", "998")
        .with_body(r#"{"id": "a1", "title": "Clip"}"#)
        .create();
    let asset = h.client.assets().get_asset("a1").send().unwrap();
    assert_eq!(asset.title, "Clip");
    assert_eq!(asset.http_status(), 200);
    assert_eq!(asset.attempts, 1);
    assert!(!asset.from_cache);
    assert_eq!(asset.headers().get("ratelimit-remaining"), Some("998"));
    assert_eq!(asset.headers().get("RATELIMIT-REMAINING"), Some("998"));
    assert!(asset.received_at <= std::time::SystemTime::now());
    assert!(asset.elapsed < Duration::from_secs(5));
    m.assert();
    h.finish();
}

#[test]
fn query_and_json_body_are_encoded() {
    let mut h = harness();
    let m = h
        .expect(Method::Post, "assets", "/v1/assets/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("q".into(), "a b&c=d/é?".into()),
            Matcher::UrlEncoded("flag".into(), "true".into()),
        ]))
        .match_header("Content-Type", "application/json")
        .match_body(json_body(
            json!({"title": "ünïcode \"quoted\"", "n": [1, 2]}),
        ))
        .with_status(201)
        .with_body(r#"{"id": "new"}"#)
        .create();
    let created: Value = h
        .client
        .request(Method::Post, "assets", "/v1/assets/")
        .query("q", "a b&c=d/é?")
        .query("flag", true)
        .json(&json!({"title": "ünïcode \"quoted\"", "n": [1, 2]}))
        .send::<Value>()
        .unwrap()
        .into_data();
    assert_eq!(created["id"], "new");
    m.assert();
    h.finish();
}

#[test]
fn default_header_query_and_per_request_timeout() {
    let mut h = harness_with(|b| {
        b.disable_rate_limit_handling()
            .default_header("X-Trace", "abc")
            .default_query("lang", "en")
    });
    let m = h
        .expect(Method::Get, "collections", "/v1/collections/c1/")
        .match_header("X-Trace", "abc")
        .match_header("X-Extra", "1")
        .match_query(Matcher::UrlEncoded("lang".into(), "en".into()))
        .with_body("{}")
        .create();
    let r: Value = h
        .client
        .request(Method::Get, "collections", "/v1/collections/{id}/")
        .path_param("c1")
        .header("X-Extra", "1")
        .timeout(Duration::from_secs(3))
        .send::<Value>()
        .unwrap()
        .into_data();
    assert_eq!(r, json!({}));
    m.assert();
    h.finish();
}

#[test]
fn two_clients_on_two_base_urls_never_cross_talk() {
    let mut a = harness();
    let mut b = harness();
    let ma = a
        .expect(Method::Get, "assets", "/v1/assets/x/")
        .with_body(r#"{"title": "from A"}"#)
        .expect(2)
        .create();
    let mb = b
        .expect(Method::Get, "assets", "/v1/assets/x/")
        .with_body(r#"{"title": "from B"}"#)
        .expect(2)
        .create();
    for _ in 0..2 {
        assert_eq!(
            a.client.assets().get_asset("x").send().unwrap().title,
            "from A"
        );
        assert_eq!(
            b.client.assets().get_asset("x").send().unwrap().title,
            "from B"
        );
    }
    // a clone shares A's settings; B is untouched by it
    let a2 = a.client.clone();
    assert_eq!(a2.base_url(), a.client.base_url());
    assert_ne!(a2.base_url(), b.client.base_url());
    ma.assert();
    mb.assert();
    a.finish();
    b.finish();
}

#[test]
fn not_found_with_an_iconik_error_body() {
    let mut h = harness();
    h.expect(Method::Get, "assets", "/v1/assets/nope/")
        .with_status(404)
        .with_header("Retry-After", "7")
        .with_body(r#"{"errors": ["Asset not found"]}"#)
        .create();
    let err = h.client.assets().get_asset("nope").send().unwrap_err();
    assert!(err.is_not_found());
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.operation, "get_asset");
    assert_eq!(api.method, "GET");
    assert_eq!(api.path, "/v1/assets/nope/");
    assert_eq!(api.errors, vec!["Asset not found"]);
    assert!(api.body_excerpt.contains("Asset not found"));
    assert_eq!(err.to_string(), "get_asset: HTTP 404: Asset not found");
    h.finish();
}

#[test]
fn field_errors_are_parsed() {
    let mut h = harness();
    h.expect(Method::Post, "assets", "/v1/assets/")
        .with_status(400)
        .with_body(r#"{"errors": {"title": ["Missing data for required field."]}}"#)
        .create();
    let err = h
        .client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&json!({}))
        .send::<Value>()
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(
        api.field_errors,
        vec![(
            "title".to_string(),
            "Missing data for required field.".to_string()
        )]
    );
    h.finish();
}

#[test]
fn server_error_is_an_error_never_a_value() {
    let mut h = harness();
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(500)
        .with_body("<html>oops</html>")
        .create();
    let err = h.client.assets().get_asset("a").send().unwrap_err();
    assert_eq!(err.status(), Some(500));
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(api.errors.is_empty());
    assert_eq!(api.body_excerpt, "<html>oops</html>");
    h.finish();
}

#[test]
fn invalid_json_is_a_decode_error() {
    let mut h = harness();
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(r#"{"title": 12"#)
        .create();
    let err = h.client.assets().get_asset("a").send().unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((d.operation.as_str(), d.status), ("get_asset", 200));
    assert!(d.body_excerpt.starts_with(r#"{"title": 12"#));
    assert!(!d.message.is_empty());
    // a type mismatch too
    h.expect(Method::Get, "assets", "/v1/assets/b/")
        .with_body(r#"{"title": 12}"#)
        .create();
    assert!(matches!(
        h.client.assets().get_asset("b").send(),
        Err(Error::Decode(_))
    ));
    h.finish();
}

#[test]
fn empty_2xx_body_decodes_as_unit() {
    let mut h = harness();
    h.expect(Method::Delete, "assets", "/v1/assets/a/")
        .with_status(204)
        .create();
    let r = h
        .client
        .request(Method::Delete, "assets", "/v1/assets/{id}/")
        .path_param("a")
        .send::<()>()
        .unwrap();
    assert_eq!(r.http_status(), 204);
    h.finish();
}

#[test]
fn truncated_body_is_a_transport_error_that_reached_the_server() {
    let server = raw_server(Behaviour::Truncate);
    let client = plain_client(&server.url);
    let err = client.assets().get_asset("a").send().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_server: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[test]
fn body_over_the_cap_is_refused_without_reading_it() {
    // declared length over the cap
    let mut h = harness_with(|b| b.disable_rate_limit_handling().max_response_bytes(1024));
    h.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_body(format!(r#"{{"title": "{}"}}"#, "x".repeat(4096)))
        .create();
    let err = h.client.assets().get_asset("a").send().unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    h.finish();
    // no declared length: stopped while streaming
    let server = raw_server(Behaviour::ChunkedBytes(256 * 1024));
    let client = Client::builder()
        .app_id(APP_ID)
        .auth_token(TOKEN)
        .base_url(&server.url)
        .disable_rate_limit_handling()
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let err = client
        .request(Method::Get, "assets", "/v1/assets/")
        .send::<Value>()
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    // and under the cap it is read
    let server = raw_server(Behaviour::ChunkedBytes(1000));
    let r = plain_client(&server.url)
        .request(Method::Get, "assets", "/v1/assets/")
        .send::<String>()
        .unwrap();
    assert_eq!(r.len(), 998);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = raw_server(Behaviour::Hang);
    let client = Client::builder()
        .app_id(APP_ID)
        .auth_token(TOKEN)
        .base_url(&server.url)
        .disable_rate_limit_handling()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.assets().get_asset("a").send().unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.may_have_reached_server());
    assert!(started.elapsed() < Duration::from_secs(5));
    // a per-request override applies too
    let err = plain_client(&server.url)
        .request(Method::Get, "assets", "/v1/assets/")
        .timeout(Duration::from_millis(200))
        .send::<Value>()
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[test]
fn connection_refused_never_reached_the_server() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = plain_client(&format!("http://127.0.0.1:{port}"));
    let err = client.assets().get_asset("a").send().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_server: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bad_path_parameters_are_refused_before_sending() {
    let h = harness();
    for bad in [
        "", ".", "..", "%2e", "%2E%2e", "%252e", "a\rb", "a\nb", "a\0b", "%0d%0a", "%00",
    ] {
        let err = h.client.assets().get_asset(bad).send().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err:?}");
        assert_eq!(err.attempts(), 0);
        assert!(!err.may_have_reached_server());
    }
    // zero requests reached the server
    h.finish();
}

#[test]
fn path_parameters_are_one_encoded_segment() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "assets", "/v1/assets/a%2Fb%3Fc/")
        .with_body(r#"{"title": "t"}"#)
        .create();
    h.client.assets().get_asset("a/b?c").send().unwrap();
    m.assert();
    h.finish();
}

#[test]
fn raw_escape_hatch_reaches_any_operation() {
    let mut h = harness();
    let m = h
        .expect(Method::Get, "acls", "/v1/acl/assets/a1/")
        .match_query(Matcher::UrlEncoded("per_page".into(), "5".into()))
        .with_body(r#"{"objects": [{"x": 1}]}"#)
        .create();
    let r = h
        .client
        .request(Method::Get, "acls", "/v1/acl/{object_type}/{object_key}/")
        .path_param("assets")
        .path_param("a1")
        .query("per_page", 5)
        .name("get_acl")
        .send::<iconik_sync::Page<Value>>()
        .unwrap();
    assert_eq!(r.objects[0]["x"], 1);
    m.assert();
    // templates must look like iconik's
    for template in ["v1/assets/", "/v1/assets", ""] {
        let err = h
            .client
            .request(Method::Get, "assets", template)
            .send::<Value>()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{template:?}");
    }
    let err = h
        .client
        .request(Method::Get, "../x", "/v1/a/")
        .send::<Value>()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    h.finish();
}

#[test]
fn build_validates_configuration() {
    let base = || Client::builder().app_id("a").auth_token("t");
    assert!(base().build().is_ok());
    assert!(Client::builder().auth_token("t").build().is_err());
    assert!(Client::builder().app_id("a").build().is_err());
    assert!(base().app_id("").build().is_err());
    assert!(base().auth_token("a\r\nX: y").build().is_err());
    for url in [
        "ftp://x.io",
        "https://x.io/?a=1",
        "https://x.io/#f",
        "http://example.com",
        "not a url",
    ] {
        let err = base().base_url(url).build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}");
    }
    assert!(base()
        .base_url("http://example.com")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    assert!(base().base_url("http://127.0.0.1:9").build().is_ok());
    assert!(base().base_url("http://localhost:9/").build().is_ok());
    let c = Client::new("a", "t").unwrap();
    assert_eq!(c.base_url(), "https://app.iconik.io");
}

#[test]
fn from_env_reads_and_names_missing_variables() {
    // the only test in this binary touching these variables
    std::env::remove_var("ICONIK_APP_ID");
    std::env::remove_var("ICONIK_AUTH_TOKEN");
    std::env::remove_var("ICONIK_BASE_URL");
    let e = Client::from_env().unwrap_err().to_string();
    assert!(e.contains("ICONIK_APP_ID"), "{e}");
    std::env::set_var("ICONIK_APP_ID", "app");
    let e = Client::from_env().unwrap_err().to_string();
    assert!(e.contains("ICONIK_AUTH_TOKEN"), "{e}");
    std::env::set_var("ICONIK_AUTH_TOKEN", "tok");
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "https://app.iconik.io"
    );
    std::env::set_var("ICONIK_BASE_URL", "http://127.0.0.1:1234");
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "http://127.0.0.1:1234"
    );
    for v in ["ICONIK_APP_ID", "ICONIK_AUTH_TOKEN", "ICONIK_BASE_URL"] {
        std::env::remove_var(v);
    }
}

fn plain_client(url: &str) -> Client {
    Client::builder()
        .app_id(APP_ID)
        .auth_token(TOKEN)
        .base_url(url)
        .disable_rate_limit_handling()
        .build()
        .unwrap()
}
