//! Proxies and keyframes on the same machinery as files.

mod transfer_support;

use iconik_sync::transfer::StorageMethod;
use transfer_support::{data, md5_hex, temp_file, Action, Fake, Fault};

const MIB: usize = 1024 * 1024;

#[test]
fn an_s3_proxy_goes_multipart_through_the_proxy_endpoints() {
    let fake = Fake::new("S3");
    let bytes = data(11 * MIB, 1);
    let path = temp_file("proxy-s3", "proxy.mp4", &bytes);
    fake.fault(Fault {
        method: "PUT",
        path_has: "/storage/s3/",
        query_has: Some("partNumber=2&"),
        nth: 1,
        action: Action::Status(500),
    });
    let report = fake
        .client()
        .upload_proxy("asset-9", &path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap();
    assert_eq!(report.storage_method, StorageMethod::S3);
    assert_eq!(report.md5, md5_hex(&bytes));
    assert_eq!((report.parts, report.retries), (3, 1));
    assert_eq!(report.storage_id.as_deref(), Some("s3-proxies"));
    assert_eq!(fake.object(&report.id).unwrap(), bytes);
    assert_eq!(fake.closed(&report.id).unwrap().0, bytes.len() as u64);
    let api: Vec<String> = fake
        .seen()
        .into_iter()
        .filter(|s| !s.is_storage())
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    let id = &report.id;
    assert_eq!(
        api,
        vec![
            "POST /API/files/v1/assets/asset-9/proxies/".to_owned(),
            format!("GET /API/files/v1/assets/asset-9/proxies/{id}/multipart_url/part/"),
            format!("GET /API/files/v1/assets/asset-9/proxies/{id}/multipart_url/"),
            format!("PATCH /API/files/v1/assets/asset-9/proxies/{id}/"),
        ]
    );
    fake.assert_credentials_only_to_the_api();
}

#[test]
fn a_gcs_poster_keyframe_round_trips() {
    let fake = Fake::new("GCS");
    let bytes = data(600 * 1024, 2);
    let path = temp_file("kf-gcs", "poster.jpg", &bytes);
    let report = fake
        .client()
        .upload_keyframe("asset-3", "POSTER", &path)
        .part_size(256 * 1024)
        .send()
        .unwrap();
    assert_eq!(report.storage_method, StorageMethod::Gcs);
    assert_eq!(fake.object(&report.id).unwrap(), bytes);
    assert_eq!(fake.closed(&report.id).unwrap().1, md5_hex(&bytes));
    let create = fake
        .seen()
        .into_iter()
        .find(|s| s.method == "POST" && s.path.ends_with("/keyframes/"))
        .unwrap();
    assert_eq!(create.path, "/API/files/v1/assets/asset-3/keyframes/");
    fake.assert_credentials_only_to_the_api();
}

#[test]
fn what_iconik_has_only_for_files_is_refused_before_sending() {
    // an S3 keyframe above the part size: no keyframe multipart endpoints
    let fake = Fake::new("S3");
    let path = temp_file("kf-big", "map.jpg", &data(6 * MIB, 3));
    let err = fake
        .client()
        .upload_keyframe("a", "KEYFRAME", &path)
        .part_size(5 * MIB as u64)
        .send()
        .unwrap_err();
    assert!(
        matches!(err, iconik_sync::Error::InvalidArgument(_)),
        "{err:?}"
    );
    assert!(fake.storage_requests().is_empty());

    // a FILE proxy: the gateway handler exists for files only
    let fake = Fake::new("FILE");
    let path = temp_file("proxy-file", "p.mp4", b"bytes");
    let err = fake.client().upload_proxy("a", &path).send().unwrap_err();
    assert!(
        matches!(err, iconik_sync::Error::InvalidArgument(_)),
        "{err:?}"
    );
    assert!(fake.storage_requests().is_empty());
}

#[test]
fn a_storage_without_an_upload_method_is_refused_before_sending_bytes() {
    // what pythonik's get_upload_id_for_proxy refused for an FTP storage:
    // here the whole upload stops before any byte reaches a storage
    for upload in ["proxy", "keyframe"] {
        let fake = Fake::new("FTP");
        let path = temp_file(&format!("ftp-{upload}"), "p.mp4", b"bytes");
        let client = fake.client();
        let sent = match upload {
            "proxy" => client.upload_proxy("a", &path).send(),
            _ => client.upload_keyframe("a", "POSTER", &path).send(),
        };
        let err = sent.unwrap_err();
        assert!(
            matches!(err, iconik_sync::Error::InvalidArgument(_)),
            "{upload}: {err:?}"
        );
        assert!(fake.storage_requests().is_empty(), "{upload}");
    }
}
