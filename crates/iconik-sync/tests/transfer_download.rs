//! Downloads: streamed to a temporary file, resumed with Range after a
//! cut, checked against iconik's size and MD5, renamed at the end.

mod transfer_support;

use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault};

const KIB: usize = 1024;

fn uploaded(fake: &Fake, tag: &str, bytes: &[u8]) -> (String, String, std::path::PathBuf) {
    let path = temp_file(tag, "src.bin", bytes);
    let report = fake.client().upload(&path).send().unwrap();
    (
        report.asset_id,
        report.file_id,
        path.with_file_name("dest.bin"),
    )
}

fn downloads(fake: &Fake) -> Vec<transfer_support::Seen> {
    fake.storage_requests()
        .into_iter()
        .filter(|s| s.path.starts_with("/storage/objects/"))
        .collect()
}

#[test]
fn a_cut_body_resumes_with_range_and_verifies() {
    let fake = Fake::new("S3");
    let bytes = data(900 * KIB + 3, 1);
    let (asset, file, dest) = uploaded(&fake, "dl-cut", &bytes);
    fake.fault(Fault {
        method: "GET",
        path_has: "/storage/objects/",
        query_has: None,
        nth: 1,
        action: Action::Cut(300 * KIB),
    });
    fake.fault(Fault {
        method: "GET",
        path_has: "/storage/objects/",
        query_has: None,
        nth: 2,
        action: Action::Status(503),
    });
    let download = fake.client().download(&asset, &file, &dest);
    let report = download.clone().send().unwrap();
    assert_eq!(report.resumes, 2);
    assert!(report.checksum_verified);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(report.size, bytes.len() as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    assert!(
        !download.temp_path().exists(),
        "temporary file renamed away"
    );
    let gets = downloads(&fake);
    assert_eq!(gets.len(), 3);
    assert_eq!(gets[0].header("range"), None);
    assert_eq!(gets[1].header("range"), Some("bytes=307200-"));
    assert_eq!(gets[2].header("range"), Some("bytes=307200-"));
    fake.assert_credentials_only_to_the_api();
}

#[test]
fn a_temporary_file_left_behind_is_continued() {
    let fake = Fake::new("S3");
    let bytes = data(500 * KIB, 2);
    let (asset, file, dest) = uploaded(&fake, "dl-left", &bytes);
    let download = fake.client().download(&asset, &file, &dest);
    std::fs::write(download.temp_path(), &bytes[..123_456]).unwrap();
    let report = download.clone().send().unwrap();
    assert_eq!(report.resumes, 1);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    assert_eq!(downloads(&fake)[0].header("range"), Some("bytes=123456-"));
}

#[test]
fn a_checksum_mismatch_is_an_error_and_leaves_nothing() {
    let fake = Fake::new("S3");
    let bytes = data(100 * KIB, 3);
    let (asset, file, dest) = uploaded(&fake, "dl-bad", &bytes);
    // the storage now holds other bytes of the same size
    fake.state
        .lock()
        .unwrap()
        .objects
        .insert(file.clone(), data(100 * KIB, 4));
    let download = fake.client().download(&asset, &file, &dest);
    let err = download.clone().send().unwrap_err();
    match &err {
        iconik_sync::Error::Io { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::InvalidData)
        }
        other => panic!("expected an Io error, got {other:?}"),
    }
    assert!(!dest.exists());
    assert!(!download.temp_path().exists());
}

#[test]
fn a_storage_refusal_names_no_signature() {
    let fake = Fake::new("S3");
    let bytes = data(10 * KIB, 5);
    let (asset, file, dest) = uploaded(&fake, "dl-403", &bytes);
    fake.fault(Fault {
        method: "GET",
        path_has: "/storage/objects/",
        query_has: None,
        nth: 1,
        action: Action::Status(403),
    });
    let err = fake
        .client()
        .download(&asset, &file, &dest)
        .send()
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    let text = format!("{err} {err:?}");
    assert!(!text.contains(transfer_support::SIG), "{text}");
    assert!(text.contains("/storage/objects/"), "{text}");
    assert_eq!(downloads(&fake).len(), 1, "403 is not retried");
}

#[test]
fn progress_reports_are_bounded_in_number() {
    let fake = Fake::new("S3");
    let bytes = data(2 * 1024 * KIB, 6);
    let (asset, file, dest) = uploaded(&fake, "dl-progress", &bytes);
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = calls.clone();
    fake.client()
        .download(&asset, &file, &dest)
        .on_progress(move |p| sink.lock().unwrap().push(p.bytes_done))
        .send()
        .unwrap();
    // 8 chunks of 256 KiB read, but the clock never moved: the first, the
    // moment the last byte arrived (before the MD5 check), and the end
    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert_eq!(calls[1], bytes.len() as u64);
    assert_eq!(*calls.last().unwrap(), bytes.len() as u64);
}
