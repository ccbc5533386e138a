//! Transfers on the async client: the same request values as the sync
//! client's, run on a worker (`.send().await`), with progress callbacks and
//! a resumable state shared with the caller.

use std::sync::{Arc, Mutex};

use iconik_async::Client;
use iconik_sync::clock::FakeClock;
use iconik_sync::transfer::UploadState;
use mockito::{Matcher, Server};
use serde_json::json;

const TOKEN: &str = "async-token";

fn client(server: &Server) -> Client {
    let sync = iconik_sync::Client::builder()
        .app_id("app")
        .auth_token(TOKEN)
        .base_url(server.url())
        .clock(Arc::new(FakeClock::new()))
        .build()
        .unwrap();
    Client::from_sync(sync, 2)
}

/// Mocks the iconik records of an S3 upload whose PUT goes to `/bucket/x`.
fn records(server: &mut Server) {
    let base = server.url();
    server
        .mock("GET", "/API/files/v1/storages/FILES/default/")
        .with_body(r#"{"id": "st", "method": "S3"}"#)
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
            json!({"id": "fi", "storage_method": "S3",
                   "upload_url": format!("{base}/bucket/x?X-Amz-Signature=sig")})
            .to_string(),
        )
        .create();
}

fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("async-transfer");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_and_download_on_a_worker() {
    let mut server = Server::new_async().await;
    records(&mut server);
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
    // S3 answers a PUT with the object's ETag, its MD5: the upload checks it
    let md5 = iconik_sync::checksum::md5_reader(&bytes[..]).unwrap();
    let put = server
        .mock("PUT", "/bucket/x")
        .match_query(Matcher::Any)
        .match_header("auth-token", Matcher::Missing)
        .match_body(bytes.clone())
        .with_header("etag", &format!("\"{md5}\""))
        .expect(1)
        .create();
    let close = server
        .mock("PATCH", "/API/files/v1/assets/as/files/fi/")
        .match_header("auth-token", TOKEN)
        .with_body("{}")
        .expect(1)
        .create();
    let path = temp("up.bin", &bytes);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client(&server);
    let report = client
        .upload(&path)
        .on_progress(move |p| sink.lock().unwrap().push(p.bytes_done))
        .send()
        .await
        .unwrap();
    put.assert();
    close.assert();
    assert_eq!(report.size, 50_000);
    assert_eq!(seen.lock().unwrap().last(), Some(&50_000));

    // download: record with the upload's checksum, then the bytes
    server
        .mock("GET", "/API/files/v1/assets/as/files/fi/")
        .with_body(json!({"id": "fi", "size": 50_000, "checksum": report.md5}).to_string())
        .create();
    server
        .mock("GET", "/API/files/v1/assets/as/files/fi/download_url/")
        .with_body(
            json!({"url": format!("{}/bucket/x?X-Amz-Signature=sig", server.url())}).to_string(),
        )
        .create();
    server
        .mock("GET", "/bucket/x")
        .match_query(Matcher::Any)
        .match_header("auth-token", Matcher::Missing)
        .with_body(bytes.clone())
        .create();
    let dest = path.with_file_name("down.bin");
    let back = client.download("as", "fi", &dest).send().await.unwrap();
    assert!(back.checksum_verified);
    assert_eq!(back.md5, report.md5);
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_resumable_upload_hands_its_state_back() {
    let mut server = Server::new_async().await;
    records(&mut server);
    server
        .mock("PUT", "/bucket/x")
        .match_query(Matcher::Any)
        .with_status(403)
        .expect(1)
        .create();
    let path = temp("fail.bin", b"some bytes");
    let state = Arc::new(Mutex::new(UploadState::default()));
    let err = client(&server)
        .upload(&path)
        .resume(&state)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    let state = state.lock().unwrap();
    assert_eq!(state.asset_id(), Some("as"));
    assert_eq!(state.file_id(), Some("fi"));
    assert!(!state.is_transferred());
}
