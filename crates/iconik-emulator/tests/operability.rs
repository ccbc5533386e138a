//! `--record`: every request lands in the NDJSON file, credentials redacted.

mod common;

use common::Client;
use iconik_emulator::*;
use serde_json::{json, Value};

#[test]
fn record_writes_every_request_as_ndjson() {
    let path = std::env::temp_dir().join(format!(
        "iconik-emulator-record-{}.ndjson",
        std::process::id()
    ));
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
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(!text.contains("s3cret-token"), "{text}");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
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
