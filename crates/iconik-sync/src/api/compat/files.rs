//! `files()` conveniences: checksum lookups and upload sessions on storages.

use std::path::Path;

use crate::transport::{send_to_storage, Exchange};

#[allow(unused_imports)]
use crate::prelude::*;

/// `get_files_by_checksum`: an MD5 as given, anything else as a path.
pub(crate) fn checksum_lookup(op: RequestBuilder, checksum: &str) -> Result<Vec<File>> {
    if crate::checksum::is_md5(checksum) {
        collect_matches(op, checksum.to_ascii_lowercase())
    } else {
        checksum_lookup_of_file(op, Path::new(checksum))
    }
}

/// `get_files_by_checksum_of_file`: hash the file, then look it up.
pub(crate) fn checksum_lookup_of_file(op: RequestBuilder, path: &Path) -> Result<Vec<File>> {
    let md5 = crate::checksum::md5_file(path)?;
    collect_matches(op, md5)
}

pub(crate) fn collect_matches(op: RequestBuilder, md5: String) -> Result<Vec<File>> {
    // bounded: a server handing out new cursors forever cannot exhaust memory
    Paginator::<File>::new(op.path_param(md5), Style::LastId)
        .collect_bounded(crate::page::DEFAULT_MAX_COLLECTED_ITEMS)
}

pub(crate) fn proxy_upload_session(op: RequestBuilder) -> Result<UploadSession> {
    let client = op.client().clone();
    let name = op.operation().name().to_owned();
    let proxy = op.send::<Proxy>()?.into_data();
    start_upload(
        &client,
        &name,
        proxy.storage_method.as_deref(),
        proxy.upload_url.as_deref(),
        proxy.multipart_upload_url.as_deref(),
    )
}

pub(crate) fn keyframe_upload_session(op: RequestBuilder) -> Result<UploadSession> {
    let client = op.client().clone();
    let name = op.operation().name().to_owned();
    let keyframe = op.send::<Keyframe>()?.into_data();
    // not in iconik's keyframe schema, but sent for S3 storages
    let multipart = keyframe
        .extra
        .get("multipart_upload_url")
        .and_then(serde_json::Value::as_str);
    start_upload(
        &client,
        &name,
        keyframe.storage_method.as_deref(),
        keyframe.upload_url.as_deref(),
        multipart,
    )
}

/// Opens the upload session on the storage (S3 multipart or GCS resumable).
pub(crate) fn start_upload(
    client: &Client,
    name: &str,
    storage_method: Option<&str>,
    upload_url: Option<&str>,
    multipart_upload_url: Option<&str>,
) -> Result<UploadSession> {
    let method = StorageMethod::from(storage_method.unwrap_or(""));
    let missing = |field: &str| {
        Error::InvalidArgument(format!(
            "{name}: the {method} object has no {field} to start an upload"
        ))
    };
    match method {
        StorageMethod::S3 => {
            let url = multipart_upload_url.ok_or_else(|| missing("multipart_upload_url"))?;
            let answer = send_to_storage(client, name, Method::Post, url, &[])?;
            let upload_id =
                s3_upload_id(&answer.body).ok_or_else(|| no_upload_id(name, &answer))?;
            Ok(UploadSession {
                upload_id,
                location: None,
                storage_method: method,
            })
        }
        StorageMethod::Gcs => {
            let url = upload_url.ok_or_else(|| missing("upload_url"))?;
            let answer = send_to_storage(
                client,
                name,
                Method::Post,
                url,
                &[("X-Goog-Resumable", "start")],
            )?;
            let location = answer.headers.get("location").map(str::to_owned);
            let upload_id = answer
                .headers
                .get("x-guploader-uploadid")
                .map(str::to_owned)
                .or_else(|| {
                    location.as_deref().and_then(|l| {
                        crate::page::query_value(l, "upload_id").filter(|v| !v.is_empty())
                    })
                })
                .ok_or_else(|| no_upload_id(name, &answer))?;
            Ok(UploadSession {
                upload_id,
                location,
                storage_method: method,
            })
        }
        other => Err(Error::InvalidArgument(format!(
            "{name}: cannot start an upload on a {} storage (S3 and GCS are supported)",
            if other.as_str().is_empty() {
                "storage without a method"
            } else {
                other.as_str()
            }
        ))),
    }
}

pub(crate) fn no_upload_id(name: &str, answer: &Exchange) -> Error {
    Error::Decode(Box::new(crate::DecodeError {
        operation: name.to_owned(),
        status: answer.status,
        body_excerpt: crate::error::excerpt(&answer.body, ""),
        message: "the storage's answer carries no upload id".into(),
        attempts: 1,
    }))
}

/// S3 answers `<UploadId>...</UploadId>` in XML; some S3-compatible
/// storages (and emulators) answer JSON `{"UploadId": "..."}`.
pub(crate) fn s3_upload_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<UploadId>") {
        let rest = &text[start + "<UploadId>".len()..];
        let end = rest.find("</UploadId>")?;
        let id = rest[..end].trim();
        return (!id.is_empty()).then(|| id.to_owned());
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    json.get("UploadId")
        .or_else(|| json.get("upload_id"))
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_upload_ids() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"#;
        assert_eq!(s3_upload_id(xml).as_deref(), Some("VXBsb2FkIElE"));
        assert_eq!(
            s3_upload_id(br#"{"UploadId": "abc"}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(s3_upload_id(b"<UploadId></UploadId>"), None);
        assert_eq!(s3_upload_id(b"nothing"), None);
    }
}
