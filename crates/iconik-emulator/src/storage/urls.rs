//! The storage URLs the files service hands out, one scheme per storage
//! method, all on the emulator's own host under `/storage/{method}/...`.
//! Signed URLs carry a signature in their query that the fake checks.

use super::md5_hex;
use crate::util::percent_encode;
use serde_json::{json, Value};

/// The path segment of a storage method (`S3` -> `s3`); methods without a
/// fake of their own (FTP, SFTP, CUSTOM, ...) take a plain PUT like FILE.
pub(crate) fn segment(method: &str) -> &'static str {
    match method.to_ascii_uppercase().as_str() {
        "S3" => "s3",
        "GCS" => "gcs",
        "AZURE" => "azure",
        "B2" => "b2",
        _ => "file",
    }
}

/// The fake signature of an object key (what a presigned URL carries).
pub(crate) fn signature(key: &str) -> String {
    md5_hex(format!("iconik-emulator-signature:{key}").as_bytes())
}

/// The B2 upload authorization token of an object key.
pub(crate) fn b2_token(key: &str) -> String {
    format!("4_emulator{}", &signature(&format!("b2:{key}"))[..24])
}

/// `{method}/{kind}/{id}`.
pub(crate) fn key(method: &str, kind: &str, id: &str) -> String {
    format!("{}/{kind}/{id}", segment(method))
}

fn object_url(base: &str, key: &str) -> String {
    let path: Vec<String> = key.split('/').map(percent_encode).collect();
    format!("{base}/storage/{}", path.join("/"))
}

/// The signed query of a key for its method.
fn signed_query(key: &str) -> String {
    let sig = signature(key);
    match key.split('/').next().unwrap_or("") {
        "s3" => {
            format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature={sig}")
        }
        "gcs" => format!("X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature={sig}"),
        "azure" => format!("sv=2023-11-03&sr=b&sp=rcw&sig={sig}"),
        _ => format!("token={sig}"),
    }
}

/// A signed URL of `key` (downloads, single uploads).
pub(crate) fn signed_url(base: &str, key: &str) -> String {
    format!("{}?{}", object_url(base, key), signed_query(key))
}

/// The upload fields of a file, proxy or keyframe record.
pub(crate) struct UploadFields {
    pub(crate) upload_url: String,
    pub(crate) multipart_upload_url: Option<String>,
    pub(crate) upload_headers: Value,
    pub(crate) url: String,
}

/// Where and how to upload object `kind/id` to a storage of `method`.
pub(crate) fn upload_fields(
    base: &str,
    method: &str,
    kind: &str,
    id: &str,
    name: &str,
) -> UploadFields {
    let key = key(method, kind, id);
    let signed = signed_url(base, &key);
    let (upload_url, multipart_upload_url, upload_headers) = match segment(method) {
        "s3" => (
            signed.clone(),
            Some(format!("{}?uploads", object_url(base, &key))),
            json!({"Content-Type": "application/octet-stream"}),
        ),
        "gcs" => (format!("{signed}&uploadType=resumable"), None, json!({})),
        "azure" => (signed.clone(), None, json!({"x-ms-blob-type": "BlockBlob"})),
        "b2" => (
            object_url(base, &key),
            None,
            json!({
                "Authorization": b2_token(&key),
                "X-Bz-File-Name": if name.is_empty() { id } else { name },
                "Content-Type": "b2/x-auto",
            }),
        ),
        _ => (signed.clone(), None, json!({})),
    };
    UploadFields {
        upload_url,
        multipart_upload_url,
        upload_headers,
        url: signed,
    }
}

/// S3: the URL of part `n` of multipart upload `upload_id`.
pub(crate) fn s3_part_url(base: &str, key: &str, upload_id: &str, n: u32) -> String {
    format!(
        "{}?partNumber={n}&uploadId={}&{}",
        object_url(base, key),
        percent_encode(upload_id),
        signed_query(key)
    )
}

/// S3: the complete / abort / list-parts URL of multipart upload `upload_id`.
pub(crate) fn s3_upload_url(base: &str, key: &str, upload_id: &str) -> String {
    format!(
        "{}?uploadId={}&{}",
        object_url(base, key),
        percent_encode(upload_id),
        signed_query(key)
    )
}

/// GCS: the resumable session URL.
pub(crate) fn gcs_session_url(base: &str, key: &str, session: &str) -> String {
    format!(
        "{}?upload_id={}",
        object_url(base, key),
        percent_encode(session)
    )
}

/// B2: the part upload URL of large file `upload_file_id`.
pub(crate) fn b2_part_url(base: &str, upload_file_id: &str) -> String {
    format!("{base}/storage/b2-parts/{}", percent_encode(upload_file_id))
}
