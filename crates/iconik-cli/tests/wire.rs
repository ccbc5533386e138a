//! The exact request the binary puts on the wire (mockito), and
//! configuration resolution end to end.

mod common;

use common::{iconik, stderr, stdout, temp_dir};
use iconik_emulator::{Emulator, EmulatorConfig};
use mockito::Matcher;
use serde_json::Value;

#[test]
fn fields_query_and_credentials_reach_the_wire_exactly() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("POST", "/API/assets/v1/assets/")
        .match_query(Matcher::UrlEncoded(
            "apply_default_acls".into(),
            "true".into(),
        ))
        .match_header("App-ID", "app-1")
        .match_header("Auth-Token", "tok-secret-1")
        .match_body(Matcher::Json(serde_json::json!({
            "title": "A b",
            "code": "007",
            "count": 3,
            "flags": {"hidden": true},
            "tags": ["x", "y"],
        })))
        .with_status(201)
        .with_body(r#"{"id": "new"}"#)
        .expect(1)
        .create();
    let out = iconik()
        .args(["--base-url", &server.url(), "--app-id", "app-1"])
        .args(["--auth-token", "tok-secret-1", "assets", "post-assets"])
        .args(["--body", r#"{"title": "overwritten"}"#])
        .args(["-f", "title=A b", "-f", "code=007", "-F", "count=3"])
        .args(["-F", "flags.hidden=true", "-F", r#"tags=["x","y"]"#])
        .args(["-q", "apply_default_acls=true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"id\":\"new\"}\n");
    mock.assert();
}

#[test]
fn fields_on_a_get_become_query_pairs_and_path_params_are_encoded() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a%2Fb%20c/")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("include_users".into(), "true".into()),
            Matcher::UrlEncoded("x".into(), "1".into()),
        ]))
        .with_body("{}")
        .expect(1)
        .create();
    let out = iconik()
        .args([
            "--base-url",
            &server.url(),
            "--app-id",
            "a",
            "--auth-token",
            "tok1",
        ])
        .args(["assets", "get-asset", "a/b c", "-F", "include_users=true"])
        .args(["-q", "x=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // x is not declared for get_asset: a warning, not a failure
    assert!(stderr(&out).contains("\"x\" is not a declared query parameter"));
    mock.assert();
}

#[test]
fn an_empty_answer_prints_nothing() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("DELETE", "/API/assets/v1/assets/abc/")
        .with_status(204)
        .expect(1)
        .create();
    let out = iconik()
        .args([
            "--base-url",
            &server.url(),
            "--app-id",
            "a",
            "--auth-token",
            "tok1",
        ])
        .args(["assets", "delete-asset", "abc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    mock.assert();
}

#[test]
fn profiles_from_the_config_file_drive_real_calls() {
    let emu =
        Emulator::start(EmulatorConfig::new().credentials("prof-app", "prof-token-9")).unwrap();
    let dir = temp_dir();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.emu]\nbase_url = \"{}\"\napp_id = \"prof-app\"\nauth_token = \"prof-token-9\"\n\n\
             [profiles.broken]\nbase_url = \"{}\"\napp_id = \"prof-app\"\nauth_token = \"nope-token\"\n",
            emu.base_url(),
            emu.base_url()
        ),
    )
    .unwrap();

    let out = iconik()
        .env("ICONIK_CONFIG", &path)
        .args(["--profile", "emu", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // ICONIK_PROFILE chooses too, and an explicit profile beats the env token
    let out = iconik()
        .env("ICONIK_CONFIG", &path)
        .env("ICONIK_PROFILE", "broken")
        .env("ICONIK_AUTH_TOKEN", "prof-token-9")
        .args(["assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // `iconik config` reports sources and redacts the token
    let out = iconik()
        .env("ICONIK_CONFIG", &path)
        .env("ICONIK_APP_ID", "from-env")
        .args(["--profile", "emu", "config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("prof-token-9"), "{text}");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["profile"]["name"], "emu");
    assert_eq!(report["app_id"]["value"], "prof-app");
    assert_eq!(report["app_id"]["source"], "profile \"emu\"");
    assert_eq!(report["auth_token"]["value"], "[redacted]");
    assert_eq!(report["config_file_found"], true);
    assert_eq!(report["profiles"], serde_json::json!(["broken", "emu"]));

    // an unknown profile is a configuration error
    let out = iconik()
        .env("ICONIK_CONFIG", &path)
        .args(["--profile", "prod", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"prod\" is not defined"));
    assert_eq!(emu.stats().unauthorized, 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn missing_credentials_exit_4() {
    let out = iconik().args(["assets", "get-assets"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("ICONIK_APP_ID"), "{}", stderr(&out));
}

#[test]
fn declared_parameters_are_checked_before_sending_and_headers_reach_the_wire() {
    let mut server = mockito::Server::new();
    let path = "/API/files/v1/assets/a1/files/f1/multipart_url/";
    let mock = server
        .mock("GET", path)
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("upload_id".into(), "u1".into()),
            Matcher::UrlEncoded("max_part_number".into(), "3".into()),
        ]))
        .match_header("X-Trace", "abc")
        .with_body(r#"{"objects": []}"#)
        .expect(1)
        .create();
    let call = |extra: &[&str]| {
        iconik()
            .args(["--base-url", &server.url(), "--app-id", "a"])
            .args(["--auth-token", "tok-12345"])
            .args(["files", "get-asset-file-multipart-url", "a1", "f1"])
            .args(extra)
            .output()
            .unwrap()
    };
    // a required query parameter missing, an integer that is not one, a
    // boolean that is not one, a header without a colon: nothing is sent
    for (extra, says) in [
        (
            &["-q", "max_part_number=3"][..],
            "needs upload_id (string): -q upload_id=VALUE",
        ),
        (
            &["-q", "upload_id=u1", "-q", "max_part_number=three"],
            "max_part_number of get_asset_file_multipart_url is integer, got \"three\"",
        ),
        (
            &["-q", "upload_id=u1", "-q", "temporary=yes"],
            "temporary of get_asset_file_multipart_url is boolean: true or false",
        ),
        (
            &["-q", "upload_id=u1", "-H", "X-Trace"],
            "-H expects NAME:VALUE",
        ),
    ] {
        let out = call(extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{extra:?}: {}", stderr(&out));
    }
    let out = call(&[
        "-q",
        "upload_id=u1",
        "-q",
        "max_part_number=3",
        "-H",
        "X-Trace: abc",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    mock.assert();
}

#[test]
fn no_rate_limit_sends_once_where_the_library_would_retry() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/")
        .with_status(503)
        .with_body(r#"{"errors": ["down for maintenance"]}"#)
        .expect(1)
        .create();
    let out = iconik()
        .args([
            "--base-url",
            &server.url(),
            "--app-id",
            "a",
            "--auth-token",
            "tok1",
        ])
        .args(["--no-rate-limit", "assets", "get-assets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "iconik: error: get_assets: HTTP 503: down for maintenance\n"
    );
    mock.assert();
}
