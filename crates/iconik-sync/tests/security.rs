//! Credentials stay with the API: never across a redirect to another
//! origin, never in Debug/Display, never in logs: this crate's logs are
//! captured at TRACE, every other crate's at DEBUG. (ureq's own TRACE
//! output hex-dumps request heads, credentials included; the README's
//! logging section says to keep `ureq` and `ureq_proto` below TRACE, and
//! `tests/logging.rs` at the workspace root shows why.)

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::raw::{raw_server, Behaviour};
use common::*;
use iconik_sync::{Client, Method};
use mockito::Matcher;
use serde_json::Value;

/// Captures every log record of this crate at every level, and every
/// other crate's up to DEBUG (the level the docs say is safe for them).
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        // the test servers' own logs (mockito on hyper) are not the client's
        let target = record.target();
        if record.level() == log::Level::Trace && !target.starts_with("iconik_sync") {
            return;
        }
        if ["mockito", "hyper", "tokio", "h2"]
            .iter()
            .any(|t| target.starts_with(t))
        {
            return;
        }
        self.0.lock().unwrap().push(format!(
            "{} {} {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn credentials_never_follow_a_redirect_to_another_origin() {
    let mut api = harness();
    let mut other = mockito::Server::new();
    let landed = other
        .mock("GET", "/elsewhere/")
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .with_body(r#"{"title": "moved"}"#)
        .expect(1)
        .create();
    let leaked = other
        .mock("GET", "/elsewhere/")
        .match_header("Auth-Token", Matcher::Any)
        .expect(0)
        .create();
    api.expect(Method::Get, "assets", "/v1/assets/a/")
        .with_status(302)
        .with_header("Location", &format!("{}/elsewhere/", other.url()))
        .create();
    let asset = api.client.assets().get_asset("a").send().unwrap();
    assert_eq!(asset.title, "moved");
    landed.assert();
    leaked.assert();

    // a same-origin redirect keeps them
    api.expect(Method::Get, "assets", "/v1/assets/b/")
        .with_status(301)
        .with_header("Location", "/API/assets/v1/assets/c/")
        .create();
    api.expect(Method::Get, "assets", "/v1/assets/c/")
        .with_body(r#"{"title": "c"}"#)
        .create();
    assert_eq!(
        api.client.assets().get_asset("b").send().unwrap().title,
        "c"
    );

    // a POST is never redirected: the 3xx is an error
    api.expect(Method::Post, "assets", "/v1/assets/")
        .with_status(307)
        .with_header("Location", &format!("{}/elsewhere/", other.url()))
        .create();
    let err = api
        .client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(&serde_json::json!({"title": "t"}))
        .send::<Value>()
        .unwrap_err();
    assert_eq!(err.status(), Some(307));
    api.finish();
}

#[test]
fn the_token_appears_in_no_debug_display_error_or_log() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut h = harness_with(|b| {
        b.disable_rate_limit_handling()
            .default_header("X-Api-Key", TOKEN)
    });
    let mut seen: Vec<String> = Vec::new();
    let mut record = |s: String| seen.push(s);

    // the builder and the client
    let builder = Client::builder().app_id(APP_ID).auth_token(TOKEN);
    record(format!("{builder:?}"));
    record(format!("{:?}", h.client));
    record(format!("{:#?}", h.client.clone()));

    // a success, then every error kind from a real exchange
    h.expect(Method::Get, "assets", "/v1/assets/ok/")
        .with_body(r#"{"title": "fine"}"#)
        .create();
    let ok = h.client.assets().get_asset("ok").send().unwrap();
    record(format!("{ok:?}"));
    // a server echoing the token back in an error body
    h.expect(Method::Get, "assets", "/v1/assets/echo/")
        .with_status(403)
        .with_body(format!(r#"{{"errors": ["bad token {TOKEN}"]}}"#))
        .create();
    h.expect(Method::Get, "assets", "/v1/assets/bad-json/")
        .with_body(format!("not json {TOKEN}"))
        .create();
    let mut errors = vec![
        h.client.assets().get_asset("echo").send().unwrap_err(),
        h.client.assets().get_asset("bad-json").send().unwrap_err(),
        h.client.assets().get_asset("..").send().unwrap_err(),
    ];
    let op = h
        .client
        .request(Method::Get, "assets", "/v1/assets/{id}/")
        .header("X-Secret", TOKEN);
    record(format!("{op:?}"));

    let hang = raw_server(Behaviour::Hang);
    let truncate = raw_server(Behaviour::Truncate);
    for (url, timeout) in [(&hang.url, 200), (&truncate.url, 2000)] {
        let c = Client::builder()
            .app_id(APP_ID)
            .auth_token(TOKEN)
            .base_url(url.as_str())
            .timeout(Duration::from_millis(timeout))
            .disable_rate_limit_handling()
            .build()
            .unwrap();
        errors.push(c.assets().get_asset("x").send().unwrap_err());
    }
    errors.push(
        Client::builder()
            .app_id(APP_ID)
            .auth_token(TOKEN)
            .base_url("ftp://x")
            .build()
            .unwrap_err(),
    );
    for e in &errors {
        record(format!("{e}"));
        record(format!("{e:?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            record(format!("{s} / {s:?}"));
            source = s.source();
        }
    }
    h.finish();

    let logs = LOGS.0.lock().unwrap().clone();
    assert!(
        logs.iter()
            .any(|l| l.contains("DEBUG") && l.contains("get_asset GET /v1/assets/ok/ -> 200")),
        "one DEBUG line per attempt expected; got {logs:#?}"
    );
    for text in seen.iter().chain(logs.iter()) {
        assert!(!text.contains(TOKEN), "token leaked in: {text}");
        assert!(!text.contains(APP_ID), "app id leaked in: {text}");
    }
    assert!(seen.iter().any(|s| s.contains("[redacted]")));
}

#[test]
fn credentials_go_only_where_the_operation_takes_them() {
    use iconik_sync::Auth;
    let mut server = mockito::Server::new();
    let none = server
        .mock("POST", "/API/auth/v1/auth/simple/login/")
        .match_header("App-ID", Matcher::Missing)
        .match_header("Auth-Token", Matcher::Missing)
        .with_body("{}")
        .expect(1)
        .create();
    let app_only = server
        .mock("POST", "/API/auth/v1/auth/simple/login/app/")
        .match_header("App-ID", "app")
        .match_header("Auth-Token", Matcher::Missing)
        .with_body("{}")
        .expect(1)
        .create();
    let both = server
        .mock("GET", "/API/assets/v1/assets/")
        .match_header("App-ID", "app")
        .match_header("Auth-Token", "token")
        .with_body("{}")
        .expect(1)
        .create();
    let client = Client::builder()
        .app_id("app")
        .auth_token("token")
        .base_url(server.url())
        .build()
        .unwrap();
    let send = |method, path: &'static str, auth| {
        client
            .request(
                method,
                if path.contains("login") {
                    "auth"
                } else {
                    "assets"
                },
                path,
            )
            .auth(auth)
            .send::<Value>()
            .unwrap();
    };
    send(Method::Post, "/v1/auth/simple/login/", Auth::None);
    send(Method::Post, "/v1/auth/simple/login/app/", Auth::AppId);
    send(Method::Get, "/v1/assets/", Auth::AppIdAndToken);
    none.assert();
    app_only.assert();
    both.assert();
}
