//! Transfers and iconik's credentials: exact storage requests (mockito)
//! with no App-ID / Auth-Token / default headers, signed URLs kept out of
//! logs and errors for every storage method, and streamed bodies in the
//! raw builder.

mod transfer_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use iconik_sync::clock::FakeClock;
use iconik_sync::{Client, Method};
use mockito::Matcher;
use serde_json::json;
use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault, SIG, TOKEN};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if ["mockito", "hyper", "tokio", "h2"]
            .iter()
            .any(|t| record.target().starts_with(t))
        {
            return;
        }
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", record.target(), record.args()));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

fn mock_client(server: &mockito::Server) -> Client {
    Client::builder()
        .app_id("app")
        .auth_token(TOKEN)
        .base_url(server.url())
        .default_header("X-Custom-Default", "api-only")
        .clock(Arc::new(FakeClock::new()))
        .build()
        .unwrap()
}

/// The whole S3 single-PUT flow against per-request expectations.
#[test]
fn s3_single_flow_sends_exactly_these_requests() {
    let mut server = mockito::Server::new();
    let base = server.url();
    let bytes = data(70_000, 9);
    let md5 = md5_hex(&bytes);
    let path = temp_file("mock-s3", "shot.mov", &bytes);
    let api = |m: mockito::Mock| {
        m.match_header("app-id", "app")
            .match_header("auth-token", TOKEN)
            .match_header("x-custom-default", "api-only")
            .with_header("content-type", "application/json")
            .expect(1)
    };
    let mocks = vec![
        api(server.mock("GET", "/API/files/v1/storages/FILES/default/"))
            .with_body(r#"{"id": "st-1", "method": "S3"}"#)
            .create(),
        api(server.mock("POST", "/API/assets/v1/assets/"))
            .match_body(Matcher::Json(json!({"title": "shot.mov", "type": "ASSET"})))
            .with_body(r#"{"id": "as-1"}"#)
            .create(),
        api(server.mock("POST", "/API/files/v1/assets/as-1/formats/"))
            .match_body(Matcher::Json(
                json!({"name": "ORIGINAL", "storage_methods": ["S3"]}),
            ))
            .with_body(r#"{"id": "fo-1"}"#)
            .create(),
        api(server.mock("POST", "/API/files/v1/assets/as-1/file_sets/"))
            .match_body(Matcher::Json(
                json!({"format_id": "fo-1", "storage_id": "st-1",
                "base_dir": "/", "name": "shot.mov", "component_ids": []}),
            ))
            .with_body(r#"{"id": "fs-1"}"#)
            .create(),
        api(server.mock("POST", "/API/files/v1/assets/as-1/files/"))
            .match_body(Matcher::Json(json!({"original_name": "shot.mov",
                "directory_path": "", "size": 70000, "type": "FILE", "storage_id": "st-1",
                "file_set_id": "fs-1", "format_id": "fo-1"})))
            .with_body(
                json!({"id": "fi-1", "storage_method": "S3",
                    "upload_url": format!("{base}/bucket/shot.mov?X-Amz-Signature={SIG}"),
                    "upload_headers": {"x-amz-acl": "private"}})
                .to_string(),
            )
            .create(),
        server
            .mock("PUT", "/bucket/shot.mov")
            .match_query(Matcher::UrlEncoded("X-Amz-Signature".into(), SIG.into()))
            .match_header("app-id", Matcher::Missing)
            .match_header("auth-token", Matcher::Missing)
            .match_header("x-custom-default", Matcher::Missing)
            .match_header("x-amz-acl", "private")
            .match_header("content-length", "70000")
            .match_body(bytes.clone())
            .with_header("etag", &format!("\"{md5}\""))
            .expect(1)
            .create(),
        api(server.mock("PATCH", "/API/files/v1/assets/as-1/files/fi-1/"))
            .match_body(Matcher::Json(
                json!({"status": "CLOSED", "file_set_status": "ACTIVE",
                "format_status": "ACTIVE", "size": 70000, "checksum": md5}),
            ))
            .with_body(r#"{"id": "fi-1"}"#)
            .create(),
    ];
    let report = mock_client(&server).upload(&path).send().unwrap();
    for m in &mocks {
        m.assert();
    }
    assert_eq!(report.md5, md5);
    assert_eq!(report.file_id, "fi-1");
}

/// An ETag that is not the MD5 of what was sent is caught.
#[test]
fn a_storage_that_stored_other_bytes_is_an_error() {
    let mut server = mockito::Server::new();
    let base = server.url();
    let path = temp_file("mock-etag", "x.bin", b"hello");
    server
        .mock("GET", "/API/files/v1/storages/st-9/")
        .with_body(r#"{"id": "st-9", "method": "S3"}"#)
        .create();
    for (p, id) in [
        ("/API/assets/v1/assets/", "as"),
        ("/API/files/v1/assets/as/formats/", "fo"),
        ("/API/files/v1/assets/as/file_sets/", "fs"),
    ] {
        server
            .mock("POST", p)
            .with_body(json!({"id": id}).to_string())
            .create();
    }
    server
        .mock("POST", "/API/files/v1/assets/as/files/")
        .with_body(
            json!({"id": "fi", "upload_url": format!("{base}/b/x?X-Amz-Signature={SIG}")})
                .to_string(),
        )
        .create();
    server
        .mock("PUT", "/b/x")
        .match_query(Matcher::Any)
        .with_header("etag", "\"0123456789abcdef0123456789abcdef\"")
        .create();
    let close = server.mock("PATCH", Matcher::Any).expect(0).create();
    let err = mock_client(&server)
        .upload(&path)
        .storage_id("st-9")
        .send()
        .unwrap_err();
    assert!(matches!(err, iconik_sync::Error::Io { .. }), "{err:?}");
    close.assert();
}

/// Every storage method, with faults: no credentials on storage
/// requests, no signature or token in any log line or error.
#[test]
fn no_method_leaks_credentials_or_signatures() {
    let _ = log::set_logger(&LOGS);
    // Debug, not Trace: at Trace ureq itself prints every request's full
    // URL, query included (its own choice, documented in ureq); below
    // that it prints `/******` for the path and query
    log::set_max_level(log::LevelFilter::Debug);
    for method in ["S3", "GCS", "AZURE", "B2", "FILE"] {
        let fake = Fake::new(method);
        let bytes = data(300 * 1024, 7);
        let path = temp_file(&format!("leak-{method}"), "l.bin", &bytes);
        fake.fault(Fault {
            method: if method == "B2" { "POST" } else { "PUT" },
            path_has: "/storage/",
            query_has: None,
            nth: 1,
            action: Action::Status(500),
        });
        let client = fake.client();
        let report = client.upload(&path).send().unwrap();
        assert_eq!(fake.object(&report.file_id).unwrap(), bytes, "{method}");
        fake.assert_credentials_only_to_the_api();

        // a refusal that is never retried: the error shows no signature
        fake.fault(Fault {
            method: if method == "B2" { "POST" } else { "PUT" },
            path_has: "/storage/",
            query_has: None,
            nth: 1,
            action: Action::Status(403),
        });
        let err = client.upload(&path).send().unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains(SIG) && !text.contains(TOKEN),
            "{method}: {text}"
        );
    }
    let logs = LOGS.0.lock().unwrap();
    assert!(
        logs.iter().any(|l| l.contains("/storage/")),
        "storage requests are logged"
    );
    for line in logs.iter() {
        assert!(!line.contains(SIG), "signature in a log line: {line}");
        assert!(!line.contains(TOKEN), "token in a log line: {line}");
    }
}

/// Issue item 7: a file or a reader as the body, with a content type,
/// through the same transport (credentials included: it is the API).
#[test]
fn raw_builder_streams_files_and_readers() {
    let mut server = mockito::Server::new();
    let bytes = data(200_000, 3);
    let path = temp_file("raw-body", "body.bin", &bytes);
    let file_mock = server
        .mock("POST", "/API/files/v1/files/upload/")
        .match_header("content-type", "video/quicktime")
        .match_header("content-length", "200000")
        .match_header("auth-token", TOKEN)
        .match_body(bytes.clone())
        .with_body("{}")
        .expect(1)
        .create();
    let client = mock_client(&server);
    client
        .request(Method::Post, "files", "/v1/files/upload/")
        .body_file(&path, "video/quicktime")
        .send::<serde_json::Value>()
        .unwrap();
    file_mock.assert();

    let reader_mock = server
        .mock("PUT", "/API/files/v1/files/upload/")
        .match_header("content-type", "application/octet-stream")
        .match_body(b"streamed".to_vec())
        .with_body("{}")
        .expect(1)
        .create();
    client
        .request(Method::Put, "files", "/v1/files/upload/")
        .body_reader(
            std::io::Cursor::new(b"streamed".to_vec()),
            "application/octet-stream",
        )
        .send::<serde_json::Value>()
        .unwrap();
    reader_mock.assert();

    // a one-shot reader is not sent again after a 503
    let flaky = server
        .mock("PUT", "/API/files/v1/files/again/")
        .with_status(503)
        .expect(1)
        .create();
    let err = client
        .request(Method::Put, "files", "/v1/files/again/")
        .timeout(Duration::from_secs(5))
        .body_reader(std::io::Cursor::new(b"once".to_vec()), "text/plain")
        .send::<serde_json::Value>()
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    flaky.assert();

    // a missing file is an I/O error and nothing is sent
    let err = client
        .request(Method::Post, "files", "/v1/files/upload/")
        .body_file("/definitely/not/here.bin", "video/quicktime")
        .send::<serde_json::Value>()
        .unwrap_err();
    assert!(matches!(err, iconik_sync::Error::Io { .. }), "{err:?}");
}

/// Storage requests are not paced by (or counted against) iconik's rate
/// limit: with a limit of exactly the API calls an S3 multipart upload
/// makes, the upload never waits, however many parts go to the storage.
#[test]
fn storage_requests_leave_the_api_rate_limit_alone() {
    let fake = Fake::new("S3");
    let bytes = data(16 * 1024 * 1024, 8);
    let path = temp_file("pacing", "p.bin", &bytes);
    let clock = Arc::new(FakeClock::new());
    let client = fake.client_with(|b| {
        b.clock(clock.clone()).rate_limit(
            iconik_sync::RateLimitConfig::default().limits(vec!["8/60m".parse().unwrap()]),
        )
    });
    let report = client
        .upload(&path)
        .part_size(5 * 1024 * 1024)
        .send()
        .unwrap();
    assert_eq!(report.parts, 4);
    let api = fake.seen().iter().filter(|s| !s.is_storage()).count();
    let storage = fake.storage_requests().len();
    assert_eq!((api, storage), (8, 6), "8 API calls, 6 storage requests");
    assert!(clock.sleeps().is_empty(), "paced: {:?}", clock.sleeps());

    // the 9th API call in the hour waits: the limit is real
    client
        .request(Method::Get, "files", "/v1/storages/FILES/default/")
        .send::<serde_json::Value>()
        .unwrap();
    assert!(!clock.sleeps().is_empty());
}
