//! What the README's "Logging" section says about ureq at DEBUG, checked
//! against a server that echoes the token into a redirect's `Location`:
//!
//! - the client does not follow such a redirect (the token would travel in
//!   a URL), so no request line anywhere carries it;
//! - with the filters the README names (`RUST_LOG=debug`, or TRACE
//!   elsewhere with `ureq=debug,ureq_proto=debug`), no line shows it;
//! - ureq hides paths, queries and `Location` at DEBUG only while TRACE is
//!   off for its own targets: a filter that turns TRACE on for one of them
//!   (`ureq::run=debug` with `trace` elsewhere) makes ureq's DEBUG lines show
//!   the `Location` in full. The README says so; this shows it.
//!
//! One test: the logger and its level are global to this binary.

use std::sync::{Mutex, RwLock};

use iconik_sync::{Client, Method};
use log::{LevelFilter, Log, Metadata, Record};

const TOKEN: &str = "tok3nECHOED42xyz";

#[derive(Debug, Clone)]
struct Line {
    target: String,
    text: String,
}

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

/// The client's lines and ureq's that show the token (mockito's own lines,
/// the test server's, are not the client's).
fn leaks(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .filter(|l| !l.target.starts_with("mockito") && !l.target.starts_with("hyper"))
        .filter(|l| l.text.contains(TOKEN))
        .cloned()
        .collect()
}

#[test]
fn a_token_echoed_in_a_redirect_is_not_followed_nor_logged_at_the_levels_the_readme_names() {
    let mut server = mockito::Server::new();
    let redirect = server
        .mock("GET", "/API/assets/v1/assets/a1/")
        .with_status(302)
        .with_header(
            "Location",
            &format!("/API/assets/v1/assets/a2/?token={TOKEN}"),
        )
        .expect_at_least(1)
        .create();
    let followed = server
        .mock("GET", "/API/assets/v1/assets/a2/")
        .match_query(mockito::Matcher::Any)
        .expect(0)
        .create();
    let client = Client::builder()
        .app_id("app")
        .auth_token(TOKEN)
        .base_url(server.url())
        .build()
        .unwrap();
    log::set_logger(&CAPTURE).unwrap();

    let call = |filter: &str, max: LevelFilter| {
        *CAPTURE.filter.write().unwrap() =
            Some(env_logger::Builder::new().parse_filters(filter).build());
        log::set_max_level(max);
        CAPTURE.lines.lock().unwrap().clear();
        let e = client
            .request(Method::Get, "assets", "/v1/assets/{asset_id}/")
            .path_param("a1")
            .send::<serde_json::Value>()
            .unwrap_err();
        // returned as it is, the token out of the error
        assert_eq!(e.status(), Some(302));
        assert!(!format!("{e} {e:?}").contains(TOKEN), "{e:?}");
        std::mem::take(&mut *CAPTURE.lines.lock().unwrap())
    };

    // RUST_LOG=debug, and the README's advice: nothing shows the token
    for filter in ["debug", "trace,ureq=debug,ureq_proto=debug"] {
        let lines = call(filter, LevelFilter::Trace);
        assert!(
            lines.iter().any(|l| l.target.starts_with("ureq")),
            "{filter}: ureq logged nothing"
        );
        assert!(leaks(&lines).is_empty(), "{filter}: {:?}", leaks(&lines));
    }

    // TRACE on for ureq's other modules: ureq's own DEBUG line shows the
    // Location in full (the caveat the README names); never the client's
    let lines = call("trace,ureq::run=debug,ureq_proto=debug", LevelFilter::Trace);
    let shown = leaks(&lines);
    assert!(
        shown.iter().any(|l| l.target == "ureq::run"),
        "expected ureq::run to show the Location at DEBUG with TRACE on for ureq::util: {lines:?}"
    );
    assert!(
        shown.iter().all(|l| l.target.starts_with("ureq")),
        "{shown:?}"
    );

    redirect.assert();
    followed.assert();
}
