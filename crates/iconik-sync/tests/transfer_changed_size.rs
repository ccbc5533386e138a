//! A local file that shrinks or grows while it is uploaded fails at once
//! with the "changed size" error, for every storage method, in one
//! request or in parts; iconik's file record is never closed with it.
//! (A FILE upload used to spin at full CPU until the send timeout when
//! the file shrank: the body reader returned 0 before the declared length.)
//!
//! The file is changed by the fake storage when the storage request's
//! head arrives, before it reads the body.

mod transfer_support;

use std::time::{Duration, Instant};

use iconik_sync::Error;
use transfer_support::{data, temp_file, Action, Fake, Fault};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// Far above what failing at once takes, even on a loaded machine, and
/// far below the send timeout a spinning transport would wait for.
const AT_ONCE: Duration = Duration::from_secs(15);

struct Case {
    method: &'static str,
    size: u64,
    part_size: u64,
    /// The storage request whose arrival changes the file.
    on: (&'static str, &'static str, Option<&'static str>),
    tag: &'static str,
}

/// Runs `case` with the file shrinking to half, then growing by 1000
/// bytes; both must fail at once with the existing error.
fn fails_at_once(case: Case) {
    for (how, new_len) in [("shrinks", case.size / 2), ("grows", case.size + 1000)] {
        let fake = Fake::new(case.method);
        let tag = format!("{}-{how}", case.tag);
        let path = temp_file(&tag, "clip.bin", &data(case.size as usize, 3));
        fake.fault(Fault {
            method: case.on.0,
            path_has: case.on.1,
            query_has: case.on.2,
            nth: 1,
            action: Action::SetLen(path.clone(), new_len),
        });
        let client = fake.client_with(|b| b.timeout(Duration::from_secs(60)));
        let upload =
            |c: &iconik_sync::Client| c.upload(&path).part_size(case.part_size).parallelism(1);
        let started = Instant::now();
        let result = upload(&client).send();
        let took = started.elapsed();
        let e = result.expect_err("a file that changed size must fail the upload");
        assert!(
            matches!(&e, Error::Io { context, .. } if context.contains("changed size while it was uploaded")),
            "{} {how}: {e:?}",
            case.tag
        );
        assert!(took < AT_ONCE, "{} {how}: failed after {took:?}", case.tag);
        assert!(
            fake.state.lock().unwrap().closed.is_empty(),
            "{} {how}: iconik's record was closed",
            case.tag
        );
    }
}

#[test]
fn a_file_that_changes_size_during_a_file_storage_upload_fails_at_once_and_is_not_resent() {
    fails_at_once(Case {
        method: "FILE",
        // larger than the socket buffers: the client is mid-body when it changes
        size: 24 * MIB,
        part_size: 8 * MIB,
        on: ("PUT", "/storage/isg/", None),
        tag: "file-isg",
    });
}

#[test]
fn the_file_storage_put_is_sent_once_when_the_file_changed() {
    let fake = Fake::new("FILE");
    let path = temp_file("file-isg-once", "clip.bin", &data(24 * MIB as usize, 4));
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/isg/",
        query_has: None,
        nth: 1,
        action: Action::SetLen(path.clone(), MIB),
    });
    assert!(fake.client().upload(&path).send().is_err());
    let puts = (fake.state.lock().unwrap().heads.iter())
        .filter(|h| h.starts_with("PUT /storage/isg/"))
        .count();
    assert_eq!(puts, 1, "a local failure is not retried");
}

#[test]
fn a_file_that_changes_size_during_s3_uploads_fails_at_once() {
    fails_at_once(Case {
        method: "S3",
        size: 300 * KIB,
        part_size: 5 * MIB,
        on: ("PUT", "/storage/s3/", None),
        tag: "s3-single",
    });
    fails_at_once(Case {
        method: "S3",
        size: 11 * MIB,
        part_size: 5 * MIB,
        on: ("PUT", "/storage/s3/", Some("partNumber=1&")),
        tag: "s3-parts",
    });
}

#[test]
fn a_file_that_changes_size_during_a_gcs_upload_fails_at_once() {
    fails_at_once(Case {
        method: "GCS",
        size: 700 * KIB,
        part_size: 256 * KIB,
        on: ("PUT", "/storage/gcs-session/", None),
        tag: "gcs-chunks",
    });
    fails_at_once(Case {
        method: "GCS",
        size: 100 * KIB,
        part_size: 256 * KIB,
        on: ("PUT", "/storage/gcs-session/", None),
        tag: "gcs-one-chunk",
    });
}

#[test]
fn a_file_that_changes_size_during_azure_uploads_fails_at_once() {
    fails_at_once(Case {
        method: "AZURE",
        size: 100 * KIB,
        part_size: 256 * KIB,
        on: ("PUT", "/storage/azure/", None),
        tag: "az-blob",
    });
    fails_at_once(Case {
        method: "AZURE",
        size: 700 * KIB,
        part_size: 256 * KIB,
        on: ("PUT", "/storage/azure/", Some("comp=block&")),
        tag: "az-blocks",
    });
}

#[test]
fn a_file_that_changes_size_during_b2_uploads_fails_at_once() {
    fails_at_once(Case {
        method: "B2",
        size: 100 * KIB,
        part_size: 5 * MIB,
        on: ("POST", "/storage/b2/upload/", None),
        tag: "b2-single",
    });
    fails_at_once(Case {
        method: "B2",
        size: 11 * MIB,
        part_size: 5 * MIB,
        on: ("POST", "/storage/b2/part/", None),
        tag: "b2-large",
    });
}
