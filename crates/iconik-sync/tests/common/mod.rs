//! Shared set-up for the mockito tests: a server, a client pointed at it
//! with pacing and retries off, and a catch-all mock that fails the test on
//! any request nobody expected.
#![allow(dead_code)]

pub mod raw;

use iconik_sync::{Client, ClientBuilder, Method};
use mockito::{Matcher, Mock, ServerGuard};

pub const APP_ID: &str = "test-app-id";
pub const TOKEN: &str = "SENTINEL-TOKEN-7f3a9c";

pub struct Harness {
    pub server: ServerGuard,
    pub client: Client,
    catch_all: Vec<Mock>,
}

/// A server, a client with pacing and retries off, and the catch-all.
pub fn harness() -> Harness {
    harness_with(|b| b.disable_rate_limit_handling())
}

/// Like [`harness`], with the builder adjusted by `configure`.
pub fn harness_with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Harness {
    let mut server = mockito::Server::new();
    // Created first: a request matching nothing else lands here, and the
    // harness's `finish` fails the test.
    let catch_all = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
        .into_iter()
        .map(|method| {
            server
                .mock(method, Matcher::Any)
                .with_status(599)
                .with_body("unexpected request")
                .expect(0)
                .create()
        })
        .collect();
    let client = configure(
        Client::builder()
            .app_id(APP_ID)
            .auth_token(TOKEN)
            .base_url(server.url()),
    )
    .build()
    .expect("client builds");
    Harness {
        server,
        client,
        catch_all,
    }
}

impl Harness {
    /// Expects exactly one `method` request to `/API/{service}{path}` with
    /// the credential and Accept headers; add query/body matchers, a
    /// response, then `.create()`.
    pub fn expect(&mut self, method: Method, service: &str, path: &str) -> Mock {
        self.server
            .mock(method.as_str(), format!("/API/{service}{path}").as_str())
            .match_header("App-ID", APP_ID)
            .match_header("Auth-Token", TOKEN)
            .match_header("Accept", "application/json")
            .expect(1)
    }

    /// Fails the test if any request reached the catch-all.
    pub fn finish(self) {
        for mock in &self.catch_all {
            mock.assert();
        }
    }
}

/// JSON body matcher: the request body equals `value` exactly.
pub fn json_body(value: serde_json::Value) -> Matcher {
    Matcher::Json(value)
}

/// Reads `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The query holds exactly these pairs (any order) and nothing else; no
/// pairs means no query at all. Repeated keys are checked literally (their
/// values must need no encoding), as mockito's `UrlEncoded` keeps one value
/// per key.
pub fn exact_query(pairs: &[(&str, &str)]) -> Matcher {
    if pairs.is_empty() {
        return Matcher::Missing;
    }
    let mut all: Vec<Matcher> = pairs
        .iter()
        .map(|(k, v)| {
            if pairs.iter().filter(|(k2, _)| k2 == k).count() > 1 {
                assert!(v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                Matcher::Regex(format!("(^|&){k}={v}(&|$)"))
            } else {
                Matcher::UrlEncoded((*k).into(), (*v).into())
            }
        })
        .collect();
    all.push(Matcher::Regex(format!(
        "^[^&]+(&[^&]+){{{}}}$",
        pairs.len() - 1
    )));
    Matcher::AllOf(all)
}
