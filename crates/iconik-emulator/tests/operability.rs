//! `--record`: every request lands in the NDJSON file, credentials and
//! secret body fields (passwords, tokens, secrets, keys) redacted.

mod common;

use common::Client;
use iconik_emulator::*;
use serde_json::{json, Value};

#[test]
fn record_writes_every_request_as_ndjson() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("emulator-record.ndjson");
    let _ = std::fs::remove_file(&path);
    {
        let emu = Emulator::start(
            EmulatorConfig::new()
                .no_rate_limit()
                .auth_token("s3cret-token")
                .record(&path),
        )
        .unwrap();
        let c = Client::new(&emu);
        assert_eq!(
            c.post("/API/assets/v1/assets/", &json!({"title": "t"}))
                .status,
            201
        );
        assert_eq!(c.get("/API/assets/v1/assets/?per_page=2").status, 200);
        assert_eq!(c.get("/API/assets/v1/nowhere/").status, 404);
        // a login's password, a storage's keys, a token in the query
        c.post(
            "/API/auth/v1/auth/simple/login/",
            &json!({"email": "e@x.io", "password": "hunter2-PASSWORD", "app_id": "a"}),
        );
        c.post(
            "/API/files/v1/storages/",
            &json!({"name": "s", "method": "S3", "purpose": "FILES",
                "settings": {"bucket": "b", "access_key": "AKIA-ACCESS", "secret_key": "SECRET-KEY-VALUE"}}),
        );
        c.get("/API/assets/v1/assets/?per_page=1&token=QUERY-TOKEN");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    for secret in [
        "s3cret-token",
        "hunter2-PASSWORD",
        "AKIA-ACCESS",
        "SECRET-KEY-VALUE",
        "QUERY-TOKEN",
    ] {
        assert!(!text.contains(secret), "{secret} recorded: {text}");
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[3]["body"]["password"], "<redacted>");
    assert_eq!(lines[3]["body"]["email"], "e@x.io");
    assert_eq!(lines[4]["body"]["settings"]["secret_key"], "<redacted>");
    assert_eq!(lines[4]["body"]["settings"]["bucket"], "b");
    assert_eq!(lines[5]["query"], "per_page=1&token=<redacted>");
    assert_eq!(lines[0]["method"], "POST");
    assert_eq!(lines[0]["path"], "/API/assets/v1/assets/");
    assert_eq!(lines[0]["status"], 201);
    assert_eq!(lines[0]["op"], "post_assets");
    assert_eq!(lines[0]["body"], json!({"title": "t"}));
    assert_eq!(lines[0]["headers"]["auth-token"], "<redacted>");
    assert_eq!(lines[1]["query"], "per_page=2");
    assert!(lines[1]["ms"].is_number());
    assert_eq!(lines[2]["status"], 404);
    assert_eq!(lines[2]["op"], "-");
}

#[test]
fn the_binary_logs_one_line_per_request() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_iconik-emulator"))
        .args([
            "--log-requests",
            "--no-rate-limit",
            "--auth-token",
            "tok-secret",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    out.read_line(&mut url).unwrap();
    let base = url.trim().to_string();
    let c = Client {
        base,
        app_id: "demo".into(),
        token: "tok-secret".into(),
    };
    assert_eq!(c.get("/API/assets/v1/assets/?per_page=1").status, 200);
    assert_eq!(c.get("/API/assets/v1/nowhere/").status, 404);
    child.kill().unwrap();
    child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("GET /API/assets/v1/assets/ 200 "),
        "{err}"
    );
    assert!(lines[0].ends_with("ms get_assets"), "{err}");
    assert!(
        lines[1].starts_with("GET /API/assets/v1/nowhere/ 404 "),
        "{err}"
    );
    assert!(
        !err.contains("per_page") && !err.contains("tok-secret"),
        "{err}"
    );
}
