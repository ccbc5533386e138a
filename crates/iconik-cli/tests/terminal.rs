//! Nothing a server sends reaches a terminal as a control sequence:
//! errors, the body excerpt of an error, tables, JSON, progress lines.

mod common;

use common::{against, iconik, stderr, stdout, temp_dir};
use iconik_emulator::{Emulator, EmulatorConfig};

/// Controls a terminal would act on: title change (OSC ... BEL), clear
/// screen (CSI), C1 CSI, carriage return, DEL, a bidi override.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\r\u{7f}\u{202e}";

fn assert_clean(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || c == '\t' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{what}: {c:?} in {text:?}"
        );
    }
}

fn call(url: &str, args: &[&str]) -> std::process::Output {
    iconik()
        .args([
            "--base-url",
            url,
            "--app-id",
            "a",
            "--auth-token",
            "tok-12345",
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn errors_and_their_body_excerpt_show_controls_as_escapes() {
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_status(400)
        .with_body(serde_json::json!({"errors": [format!("bad {HOSTILE} request")]}).to_string())
        .create();
    // not JSON: the error shows an excerpt of the body
    server
        .mock("GET", "/API/assets/v1/assets/a2/")
        .with_status(502)
        .with_body(format!("<html>{HOSTILE}</html>"))
        .create();
    for (id, code) in [("a1", 1), ("a2", 1)] {
        let out = call(
            &server.url(),
            &["--retries", "0", "assets", "get-asset", id],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert_clean(id, &err);
        assert!(
            err.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{d}\\u{7f}\\u{202e}"),
            "{err}"
        );
    }
}

#[test]
fn json_ndjson_and_tables_carry_no_controls() {
    let mut server = mockito::Server::new();
    let body = serde_json::json!({"objects": [{"id": format!("id{HOSTILE}"), "title": HOSTILE}]});
    server
        .mock("GET", "/API/assets/v1/assets/")
        .with_body(body.to_string())
        .create();
    for format in ["json", "ndjson", "table"] {
        let out = call(&server.url(), &["assets", "get-assets", "-o", format]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert_clean(format, &text);
        if format != "table" {
            // the same value for a JSON reader
            let first = text.lines().next().unwrap();
            let v: serde_json::Value = serde_json::from_str(first).unwrap();
            let title = if format == "json" {
                &v["objects"][0]["title"]
            } else {
                &v["title"]
            };
            assert_eq!(title, HOSTILE, "{format}");
        }
    }
}

#[test]
fn progress_lines_and_summaries_carry_no_controls() {
    let emu = Emulator::start(EmulatorConfig::new()).expect("emulator");
    let dir = temp_dir();
    let file = dir.join("evil\u{1b}[2J\u{9b}31m.bin");
    std::fs::write(&file, vec![1u8; 100_000]).unwrap();
    let out = against(&emu).arg("upload").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_clean("progress", &stderr(&out));
    assert!(
        stderr(&out).contains("evil [2J 31m.bin: 100000/100000 bytes (100%)"),
        "{}",
        stderr(&out)
    );
    assert_clean("summary", &stdout(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}
