//! Issue 10, item 7: a hostile server echoing the token back (in a
//! header, in a value serde quotes, in a redirect's path) never gets it
//! into our errors or our log lines; a redirect echoing it is not followed
//! (issue 22, item 7). What no library can stop, ureq printing what it
//! received at TRACE, is shown to come only from ureq's own targets.

mod hostile_server;

use std::sync::Mutex;

use hostile_server::*;
use iconik_sync::{Error, Method};

/// Every record, at every level: (target, text).
struct Capture(Mutex<Vec<(String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0
            .lock()
            .unwrap()
            .push((record.target().to_owned(), record.args().to_string()));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn api_error_headers_echoing_the_token_are_redacted() {
    let echo = format!("you sent {TOKEN}");
    let server = serve(move |_, _| {
        Reply::Bytes(http(
            400,
            &[
                ("Content-Type", "application/json"),
                ("X-Echo", &echo),
                ("Set-Cookie", "session=s3cr3t"),
                ("Auth-Token", "anything"),
            ],
            br#"{"errors":["bad"]}"#,
        ))
    });
    let err = client(&server.url)
        .assets()
        .get_asset("a")
        .send()
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    for text in [format!("{err:?}"), format!("{err}"), format!("{api:#?}")] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    assert_eq!(api.headers.get("x-echo"), Some("[redacted]"));
    assert_eq!(api.headers.get("set-cookie"), Some("[redacted]"));
    assert_eq!(api.headers.get("auth-token"), Some("[redacted]"));
    assert_eq!(api.headers.get("content-type"), Some("application/json"));
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Flagged {
    flag: bool,
}

#[test]
fn a_decode_error_quoting_the_token_is_redacted() {
    let body = format!(r#"{{"flag": "{TOKEN}"}}"#);
    let server = serve(move |_, _| Reply::Bytes(http(200, &[], body.as_bytes())));
    let err = client(&server.url)
        .request(Method::Get, "assets", "/v1/assets/")
        .send::<Flagged>()
        .unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert!(
        e.message.contains("invalid type: string \"[redacted]\""),
        "{}",
        e.message
    );
    assert!(e.body_excerpt.contains("[redacted]"));
    for text in [format!("{err:?}"), format!("{err}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }
}

/// A redirect whose Location echoes the token is not followed: the 3xx
/// comes back as an error, with the token out of it.
fn refuse_a_redirect_holding_the_token() {
    let server = serve(|i, _| match i {
        0 => Reply::Bytes(http(
            302,
            &[(
                "Location",
                &format!("/API/assets/v1/assets/{TOKEN}/?sig={TOKEN}"),
            )],
            b"",
        )),
        _ => Reply::Bytes(http(200, &[], br#"{"id":"a","title":"t"}"#)),
    });
    let err = client(&server.url)
        .assets()
        .get_asset("a")
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(302));
    for text in [format!("{err:?}"), format!("{err}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    assert_eq!(server.count(), 1, "the redirect was not followed");
}

fn take_logs() -> Vec<(String, String)> {
    std::mem::take(&mut *LOGS.0.lock().unwrap())
}

#[test]
fn a_redirect_holding_the_token_is_not_followed_and_only_ureq_at_trace_shows_it() {
    log::set_logger(&LOGS).unwrap();

    // up to DEBUG, nobody's log line holds the token
    log::set_max_level(log::LevelFilter::Debug);
    refuse_a_redirect_holding_the_token();
    let logs = take_logs();
    assert!(
        logs.iter()
            .any(|(t, l)| t.starts_with("iconik_sync") && l.contains("-> 302")),
        "{logs:#?}"
    );
    for (target, line) in &logs {
        assert!(!line.contains(TOKEN), "{target}: {line}");
    }

    // at TRACE, ureq prints the Location in full: only its targets, which
    // the crate docs tell users to keep below TRACE, ever hold it
    log::set_max_level(log::LevelFilter::Trace);
    refuse_a_redirect_holding_the_token();
    log::set_max_level(log::LevelFilter::Debug);
    let logs = take_logs();
    for (target, line) in &logs {
        let ureq = target.starts_with("ureq::") || target.starts_with("ureq_proto::");
        assert!(ureq || !line.contains(TOKEN), "{target}: {line}");
    }
    assert!(
        logs.iter()
            .any(|(t, l)| t.starts_with("ureq") && l.contains(TOKEN)),
        "the documented TRACE caveat no longer holds"
    );
}
