//! What the README's "Logging" section says, checked: the targets and
//! levels the client logs at, that DEBUG never shows the token or a signed
//! query, that TRACE on ureq's own targets does (the caveat), and that the
//! filter the README recommends keeps them out even with TRACE elsewhere.
//!
//! One test: the logger and its level are global to this binary.

use std::sync::{Mutex, RwLock};

use iconik_sync::{Client, Method};
use log::{Level, LevelFilter, Log, Metadata, Record};

const TOKEN: &str = "tok3nSECRET42xyz";
const SIGNATURE: &str = "s1gnatureSECRET";

#[derive(Debug, Clone)]
struct Line {
    target: String,
    level: Level,
    text: String,
}

/// Records every line its filter lets through.
struct Capture {
    filter: RwLock<Option<env_logger::Logger>>,
    lines: Mutex<Vec<Line>>,
}

impl Log for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        match &*self.filter.read().unwrap() {
            Some(f) => f.enabled(metadata),
            None => true,
        }
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            self.lines.lock().unwrap().push(Line {
                target: record.target().to_owned(),
                level: record.level(),
                text: record.args().to_string(),
            });
        }
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture {
    filter: RwLock::new(None),
    lines: Mutex::new(Vec::new()),
};

/// One GET carrying the token in a header and a "signature" in the query.
fn one_call(client: &Client) -> Vec<Line> {
    CAPTURE.lines.lock().unwrap().clear();
    client
        .request(Method::Get, "assets", "/v1/assets/{asset_id}/")
        .path_param("a1")
        .query("signature", SIGNATURE)
        .send::<serde_json::Value>()
        .unwrap();
    std::mem::take(&mut *CAPTURE.lines.lock().unwrap())
}

/// Secrets in the client's lines (the test server, mockito, logs what it
/// receives: its lines are not the client's).
fn leaks(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .filter(|l| !l.target.starts_with("mockito"))
        .filter(|l| l.text.contains(TOKEN) || l.text.contains(SIGNATURE))
        .cloned()
        .collect()
}

/// ureq-proto's hex dump rows end with 16 printable characters: joined,
/// they spell the bytes that went over the wire.
fn hex_dump_text(lines: &[Line]) -> String {
    lines
        .iter()
        .filter(|l| l.target == "ureq_proto::util" && l.level == Level::Trace)
        .map(|l| {
            let chars: Vec<char> = l.text.chars().collect();
            chars[chars.len().saturating_sub(16)..]
                .iter()
                .collect::<String>()
        })
        .collect()
}

#[test]
fn log_targets_levels_and_the_trace_caveat() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .match_query(mockito::Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body(r#"{"id": "a1"}"#)
        .expect(3)
        .create();
    let client = Client::builder()
        .app_id("app")
        .auth_token(TOKEN)
        .base_url(server.url())
        .build()
        .unwrap();
    log::set_logger(&CAPTURE).unwrap();

    // DEBUG everywhere: one line per exchange from the transport; ureq's
    // own DEBUG lines hide headers and the path; nothing secret anywhere
    log::set_max_level(LevelFilter::Debug);
    let lines = one_call(&client);
    let exchange = lines
        .iter()
        .find(|l| l.target == "iconik_sync::transport")
        .expect("a transport line");
    assert_eq!(exchange.level, Level::Debug);
    assert!(
        exchange.text.contains("GET") && exchange.text.contains("-> 200"),
        "{exchange:?}"
    );
    assert!(lines.iter().any(|l| l.target.starts_with("ureq")));
    assert!(lines.iter().all(|l| l.level <= Level::Debug));
    assert!(lines
        .iter()
        .all(|l| !l.target.starts_with("iconik") || l.level == Level::Debug));
    assert!(leaks(&lines).is_empty(), "{:?}", leaks(&lines));

    // TRACE everywhere: ureq-proto hex-dumps the request head, token
    // included, and ureq's request line shows the full query
    log::set_max_level(LevelFilter::Trace);
    let lines = one_call(&client);
    let dumped = hex_dump_text(&lines);
    assert!(
        dumped.contains(&format!("auth-token:.{TOKEN}")) && dumped.contains(SIGNATURE),
        "expected the head in ureq_proto::util's dump: {dumped}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.target == "ureq::run" && l.text.contains(SIGNATURE)),
        "expected ureq::run to show the query at TRACE"
    );

    // the README's advice: TRACE elsewhere, ureq and ureq_proto at DEBUG
    *CAPTURE.filter.write().unwrap() = Some(
        env_logger::Builder::new()
            .parse_filters("trace,ureq=debug,ureq_proto=debug")
            .build(),
    );
    let lines = one_call(&client);
    assert!(lines.iter().any(|l| l.target == "iconik_sync::transport"));
    assert!(hex_dump_text(&lines).is_empty());
    assert!(leaks(&lines).is_empty(), "{:?}", leaks(&lines));
    mock.assert();
}
