//! Streaming MD5 of large files and `client.files_by_checksum`, the
//! lookup (of an MD5, or of a local file hashed first) that follows
//! `last_id` across pages.

mod common;

use std::io::Write;
use std::path::PathBuf;

use common::*;
use iconik_sync::checksum::{is_md5, md5_file, md5_reader};
use iconik_sync::{Bound, Error, Method};
use mockito::Matcher;
use serde_json::json;

/// 5 MiB + 123 bytes of `(i * 31 + 7) % 256`: more than 80 chunks of 64 KiB,
/// and a short last one.
const PATTERN_LEN: usize = 5 * 1024 * 1024 + 123;
/// `md5sum` of that pattern, computed independently (Python + coreutils).
const PATTERN_MD5: &str = "1e2187fb71a4677636f351b7bfe33f51";

/// A temporary file removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn with_pattern(tag: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!(
            "iconik-sync-checksum-{tag}-{}.bin",
            std::process::id()
        ));
        let mut f = std::fs::File::create(&path).unwrap();
        // written in odd-sized slices so nothing lines up with the 64 KiB chunks
        let data: Vec<u8> = (0..PATTERN_LEN)
            .map(|i| ((i * 31 + 7) % 256) as u8)
            .collect();
        for slice in data.chunks(10_007) {
            f.write_all(slice).unwrap();
        }
        f.sync_all().unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn md5_of_a_multi_mib_file_matches_md5sum() {
    let file = TempFile::with_pattern("md5");
    assert_eq!(
        std::fs::metadata(&file.0).unwrap().len(),
        PATTERN_LEN as u64
    );
    let md5 = md5_file(&file.0).unwrap();
    assert_eq!(md5, PATTERN_MD5);
    assert!(is_md5(&md5));
    assert_eq!(
        md5_reader(std::fs::File::open(&file.0).unwrap()).unwrap(),
        PATTERN_MD5
    );
}

#[test]
fn md5_of_a_missing_file_is_an_io_error_with_the_path() {
    let path = std::env::temp_dir().join("iconik-sync-no-such-file.mov");
    match md5_file(&path) {
        Err(Error::Io { context, source }) => {
            assert!(context.contains(&*path.to_string_lossy()), "{context}");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

fn page(ids: &[&str], next: Option<&str>) -> String {
    json!({
        "objects": ids.iter().map(|id| json!({
            "id": id, "directory_path": "media", "original_name": format!("{id}.mov"),
            "type": "FILE", "status": "CLOSED", "file_set_id": "fs1", "checksum": PATTERN_MD5, "asset_id": format!("asset-{id}")
        })).collect::<Vec<_>>(),
        "per_page": ids.len(),
        "next_url": next,
        "prev_url": null
    })
    .to_string()
}

/// Three pages, the cursor of each taken from `next_url`: the lookup must
/// send `last_id` and collect every match in order.
fn expect_three_pages(h: &mut Harness, md5: &str) -> Vec<mockito::Mock> {
    let path = format!("/v1/files/checksum/{md5}/");
    let first = h
        .expect(Method::Get, "files", &path)
        .match_query(Matcher::Missing)
        .with_body(page(
            &["f1", "f2"],
            Some(&format!(
                "/API/files/v1/files/checksum/{md5}/?per_page=2&last_id=f2"
            )),
        ))
        .create();
    let second = h
        .expect(Method::Get, "files", &path)
        .match_query(Matcher::UrlEncoded("last_id".into(), "f2".into()))
        .with_body(page(
            &["f3", "f4"],
            Some(&format!(
                "/API/files/v1/files/checksum/{md5}/?per_page=2&last_id=f4"
            )),
        ))
        .create();
    let third = h
        .expect(Method::Get, "files", &path)
        .match_query(Matcher::UrlEncoded("last_id".into(), "f4".into()))
        .with_body(page(&["f5"], None))
        .create();
    vec![first, second, third]
}

fn ids(files: &[iconik_sync::models::files::File]) -> Vec<&str> {
    files.iter().map(|f| f.id.as_deref().unwrap()).collect()
}

#[test]
fn lookup_by_md5_follows_last_id_across_pages() {
    let mut h = harness();
    let mocks = expect_three_pages(&mut h, PATTERN_MD5);
    let files = h.client.files_by_checksum(PATTERN_MD5).send().unwrap();
    assert_eq!(ids(&files), ["f1", "f2", "f3", "f4", "f5"]);
    assert_eq!(files[4].asset_id.as_deref(), Some("asset-f5"));
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn uppercase_md5_is_sent_lowercase() {
    let mut h = harness();
    let mocks = expect_three_pages(&mut h, PATTERN_MD5);
    let files = h
        .client
        .files_by_checksum(PATTERN_MD5.to_uppercase())
        .send()
        .unwrap();
    assert_eq!(files.len(), 5);
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn lookup_by_path_hashes_the_file_then_follows_last_id() {
    let file = TempFile::with_pattern("lookup");
    let mut h = harness();
    let mocks = expect_three_pages(&mut h, PATTERN_MD5);
    let files = h
        .client
        .files_by_checksum(file.0.to_string_lossy())
        .send()
        .unwrap();
    assert_eq!(ids(&files), ["f1", "f2", "f3", "f4", "f5"]);
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn more_files_than_max_items_is_an_error_not_a_truncation() {
    let mut h = harness();
    let mocks = expect_three_pages(&mut h, PATTERN_MD5);
    let err = h
        .client
        .files_by_checksum(PATTERN_MD5)
        .max_items(4)
        .send()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::BoundReached {
                bound: Bound::Items,
                limit: 4,
                ..
            }
        ),
        "{err:?}"
    );
    // the third page was read and refused: no fourth request
    for m in mocks {
        m.assert();
    }
    h.finish();
}

#[test]
fn no_match_is_an_empty_vec() {
    let mut h = harness();
    let m = h
        .expect(
            Method::Get,
            "files",
            "/v1/files/checksum/d41d8cd98f00b204e9800998ecf8427e/",
        )
        .with_body(r#"{"objects": [], "next_url": null}"#)
        .create();
    let files = h
        .client
        .files_by_checksum("d41d8cd98f00b204e9800998ecf8427e")
        .send()
        .unwrap();
    assert!(files.is_empty());
    m.assert();
    h.finish();
}

#[test]
fn a_missing_file_sends_nothing() {
    let h = harness();
    let path = std::env::temp_dir().join("iconik-sync-missing-clip.mov");
    match h.client.files_by_checksum(path.to_string_lossy()).send() {
        Err(Error::Io { context, .. }) => assert!(context.contains("iconik-sync-missing-clip.mov")),
        other => panic!("expected Error::Io, got {other:?}"),
    }
    h.finish();
}

#[test]
fn an_error_on_a_later_page_is_returned() {
    let mut h = harness();
    let path = format!("/v1/files/checksum/{PATTERN_MD5}/");
    let first = h
        .expect(Method::Get, "files", &path)
        .match_query(Matcher::Missing)
        .with_body(page(
            &["f1"],
            Some(&format!(
                "/API/files/v1/files/checksum/{PATTERN_MD5}/?last_id=f1"
            )),
        ))
        .create();
    let second = h
        .expect(Method::Get, "files", &path)
        .match_query(Matcher::UrlEncoded("last_id".into(), "f1".into()))
        .with_status(500)
        .with_body(r#"{"errors": ["boom"]}"#)
        .create();
    let err = h.client.files_by_checksum(PATTERN_MD5).send().unwrap_err();
    assert_eq!(err.status(), Some(500));
    first.assert();
    second.assert();
    h.finish();
}
