//! Proxies and keyframes: the same transfers as files, on the object
//! iconik creates for them (`/proxies/`, `/keyframes/`), closed with a
//! status `PATCH`. S3 proxies larger than the part size use iconik's proxy
//! multipart endpoints; S3 and B2 keyframes go in one request; B2 large
//! files and iconik's FILE gateway exist for files only.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::Method;

use super::flow::{abort_session, header_map, part_size_for, transfer};
use super::http::{Ctx, Object};
use super::progress::Reporter;
use super::state::UploadState;
use super::{MediaUploadReport, StorageMethod, UploadOptions};

#[derive(Serialize)]
struct NewObject<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    filename: &'a str,
    name: &'a str,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    storage_id: Option<&'a str>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    storage_id: Option<String>,
    storage_method: Option<String>,
    upload_url: Option<String>,
    upload_headers: Option<BTreeMap<String, serde_json::Value>>,
    multipart_upload_url: Option<String>,
}

#[derive(Serialize)]
struct Close<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    status: &'static str,
    size: u64,
}

/// Creates the proxy or keyframe on `asset_id`, sends its bytes and
/// closes it; a failed transfer's storage session is released.
pub(crate) fn run(
    client: &Client,
    asset_id: &str,
    object: Object,
    keyframe_type: Option<&str>,
    upload: &UploadOptions,
) -> Result<MediaUploadReport> {
    let clock = Arc::clone(&client.inner.clock);
    let started = clock.now();
    let path = &upload.path;
    let (size, name) = super::flow::local_file(path)?;
    let (template, op_name) = match object {
        Object::Proxy => ("/v1/assets/{asset_id}/proxies/", "post_asset_proxies"),
        _ => ("/v1/assets/{asset_id}/keyframes/", "post_asset_keyframes"),
    };
    let created = client
        .request(Method::Post, "files", template)
        .name(op_name)
        .path_param(asset_id)
        .json(&NewObject {
            kind: keyframe_type,
            filename: &name,
            name: &name,
            size,
            storage_id: upload.storage_id.as_deref(),
        })
        .send::<Created>()?
        .into_data();
    let method = created.storage_method.as_deref().unwrap_or("");
    let method = StorageMethod::parse(method).ok_or_else(|| {
        Error::invalid(format!(
            "iconik's {} {} names storage method {method:?}, which has no upload",
            object.singular(),
            created.id
        ))
    })?;
    let mut state = UploadState {
        asset_id: Some(asset_id.to_owned()),
        file_id: Some(created.id.clone()),
        storage_id: created.storage_id.clone(),
        storage_method: Some(method),
        size,
        part_size: part_size_for(method, size, upload.part_size),
        upload_url: created.upload_url,
        upload_headers: header_map(created.upload_headers),
        multipart_upload_url: created.multipart_upload_url,
        ..UploadState::default()
    };
    let ctx = Ctx {
        client,
        upload,
        size,
        part_size: state.part_size,
        reporter: Arc::new(Reporter::new(
            upload.progress.clone(),
            clock.clone(),
            upload.progress_interval,
            Some(size),
        )),
        retries: AtomicU32::new(0),
        parts: AtomicU32::new(0),
        asset_id: asset_id.to_owned(),
        file_id: created.id.clone(),
        object,
        upload_headers: state.upload_headers.clone(),
    };
    if let Err(e) = transfer(&ctx, &mut state, method) {
        let fresh = crate::cancel::CancelToken::new();
        if let Err(cleanup) = crate::cancel::scope(&fresh, || abort_session(&ctx, &mut state)) {
            log::warn!("upload failed, and releasing its storage session failed too: {cleanup}");
        }
        return Err(e);
    }
    let (template, op_name) = match object {
        Object::Proxy => (
            "/v1/assets/{asset_id}/proxies/{proxy_id}/",
            "patch_asset_proxy",
        ),
        _ => (
            "/v1/assets/{asset_id}/keyframes/{keyframe_id}/",
            "patch_asset_keyframe",
        ),
    };
    client
        .request(Method::Patch, "files", template)
        .name(op_name)
        .path_param(asset_id)
        .path_param(&created.id)
        .json(&Close {
            kind: keyframe_type,
            status: "CLOSED",
            size,
        })
        .send::<serde_json::Value>()?;
    ctx.reporter.finish();
    Ok(MediaUploadReport {
        asset_id: asset_id.to_owned(),
        id: created.id,
        storage_id: created.storage_id,
        size,
        md5: state.md5.unwrap_or_default(),
        storage_method: method,
        parts: ctx.parts.load(Ordering::Relaxed).max(1),
        retries: ctx.retries.load(Ordering::Relaxed),
        elapsed: clock.now().saturating_sub(started),
    })
}
