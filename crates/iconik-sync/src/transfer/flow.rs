//! iconik's upload flow: asset -> format -> file set -> file -> transfer
//! -> close, each record kept in the [`UploadState`] as it is created so
//! an interrupted upload continues where it stopped.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::Method;

use super::http::{Ctx, Object};
use super::parts::fit_part_size;
use super::progress::Reporter;
use super::state::UploadState;
use super::{azure, b2, file, gcs, s3, StorageMethod, UploadOptions, UploadReport};
use super::{MAX_PART_SIZE, MIN_PART_SIZE};

#[derive(Deserialize)]
struct Storage {
    id: String,
    method: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Serialize)]
struct NewAsset<'a> {
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct NewFormat {
    name: &'static str,
    storage_methods: [&'static str; 1],
}

#[derive(Serialize)]
struct NewFileSet<'a> {
    format_id: &'a str,
    storage_id: &'a str,
    base_dir: &'a str,
    name: &'a str,
    component_ids: [&'a str; 0],
}

#[derive(Serialize)]
struct NewFile<'a> {
    original_name: &'a str,
    directory_path: &'a str,
    size: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    storage_id: &'a str,
    file_set_id: &'a str,
    format_id: &'a str,
}

#[derive(Deserialize)]
struct CreatedFile {
    id: String,
    storage_method: Option<String>,
    upload_url: Option<String>,
    upload_headers: Option<BTreeMap<String, serde_json::Value>>,
    multipart_upload_url: Option<String>,
    version_id: Option<String>,
}

#[derive(Serialize)]
struct Close<'a> {
    status: &'static str,
    file_set_status: &'static str,
    format_status: &'static str,
    size: u64,
    checksum: &'a str,
}

#[derive(Serialize)]
struct CollectionContent<'a> {
    object_id: &'a str,
    object_type: &'static str,
}

/// The size and file name of a local file to upload.
///
/// # Errors
/// [`Error::Io`] when it cannot be read; [`Error::InvalidArgument`] when it
/// is not a regular file or has no name.
pub(crate) fn local_file(path: &std::path::Path) -> Result<(u64, String)> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        context: format!("reading {} to upload it", path.display()),
        source,
    })?;
    if !meta.is_file() {
        return Err(Error::invalid(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::invalid(format!("{} has no file name", path.display())))?;
    Ok((meta.len(), name))
}

/// Runs (or continues) the upload, recording progress in `state`.
pub(crate) fn run(
    client: &Client,
    upload: &UploadOptions,
    state: &mut UploadState,
) -> Result<UploadReport> {
    let clock = Arc::clone(&client.inner.clock);
    let started = clock.now();
    let path = &upload.path;
    let (size, name) = local_file(path)?;
    if !state.is_empty() && state.size != size {
        return Err(Error::invalid(format!(
            "{} is {size} bytes but the upload being resumed was for {} bytes",
            path.display(),
            state.size
        )));
    }
    state.size = size;

    if state.storage_method.is_none() {
        let storage = match &upload.storage_id {
            Some(id) => client
                .request(Method::Get, "files", "/v1/storages/{storage_id}/")
                .name("get_storage")
                .path_param(id),
            None => client
                .request(Method::Get, "files", "/v1/storages/{purpose}/default/")
                .name("get_storages_default_by_purpose")
                .path_param("FILES"),
        }
        .send::<Storage>()?
        .into_data();
        let method = storage.method.as_deref().unwrap_or("");
        let method = StorageMethod::parse(method).ok_or_else(|| {
            Error::invalid(format!(
                "storage {} uses method {method:?}, which has no upload",
                storage.id
            ))
        })?;
        state.storage_id = Some(storage.id);
        state.storage_method = Some(method);
    }
    let storage_id = state.storage_id.clone().unwrap_or_default();
    let mut method = state.storage_method.unwrap_or(StorageMethod::S3);

    if state.asset_id.is_none() {
        state.asset_id = Some(match &upload.asset_id {
            Some(id) => id.clone(),
            None => {
                let title = upload.title.as_deref().unwrap_or(&name);
                client
                    .request(Method::Post, "assets", "/v1/assets/")
                    .name("post_assets")
                    .json(&NewAsset {
                        title,
                        kind: "ASSET",
                    })
                    .send::<Created>()?
                    .into_data()
                    .id
            }
        });
    }
    let asset_id = state.asset_id.clone().unwrap_or_default();
    if state.format_id.is_none() {
        let format = client
            .request(Method::Post, "files", "/v1/assets/{asset_id}/formats/")
            .name("post_asset_formats")
            .path_param(&asset_id)
            .json(&NewFormat {
                name: "ORIGINAL",
                storage_methods: [method.as_str()],
            })
            .send::<Created>()?;
        state.format_id = Some(format.into_data().id);
    }
    let format_id = state.format_id.clone().unwrap_or_default();
    if state.file_set_id.is_none() {
        let set = client
            .request(Method::Post, "files", "/v1/assets/{asset_id}/file_sets/")
            .name("post_asset_file_sets")
            .path_param(&asset_id)
            .json(&NewFileSet {
                format_id: &format_id,
                storage_id: &storage_id,
                base_dir: "/",
                name: &name,
                component_ids: [],
            })
            .send::<Created>()?;
        state.file_set_id = Some(set.into_data().id);
    }
    let file_set_id = state.file_set_id.clone().unwrap_or_default();
    if state.file_id.is_none() {
        let created = client
            .request(Method::Post, "files", "/v1/assets/{asset_id}/files/")
            .name("post_asset_files")
            .path_param(&asset_id)
            .json(&NewFile {
                original_name: &name,
                directory_path: "",
                size,
                kind: "FILE",
                storage_id: &storage_id,
                file_set_id: &file_set_id,
                format_id: &format_id,
            })
            .send::<CreatedFile>()?
            .into_data();
        if let Some(m) = created
            .storage_method
            .as_deref()
            .and_then(StorageMethod::parse)
        {
            method = m;
            state.storage_method = Some(m);
        }
        state.upload_url = created.upload_url;
        state.multipart_upload_url = created.multipart_upload_url;
        state.upload_headers = header_map(created.upload_headers);
        state.version_id = created.version_id;
        state.file_id = Some(created.id);
    }
    let file_id = state.file_id.clone().unwrap_or_default();
    // found out before the bytes go, not after
    if upload.transcode && state.version_id.is_none() {
        return Err(Error::invalid(
            "transcode(true): iconik gave the file no version_id to transcode",
        ));
    }

    if state.part_size == 0 {
        state.part_size = part_size_for(method, size, upload.part_size);
    }
    let reporter = Arc::new(Reporter::new(
        upload.progress.clone(),
        clock.clone(),
        upload.progress_interval,
        Some(size),
    ));
    let ctx = Ctx {
        client,
        upload,
        size,
        part_size: state.part_size,
        reporter,
        retries: AtomicU32::new(0),
        parts: AtomicU32::new(0),
        asset_id: asset_id.clone(),
        file_id: file_id.clone(),
        object: Object::File,
        upload_headers: state.upload_headers.clone(),
    };
    transfer(&ctx, state, method)?;
    let md5 = state.md5.clone().unwrap_or_default();

    client
        .request(
            Method::Patch,
            "files",
            "/v1/assets/{asset_id}/files/{file_id}/",
        )
        .name("patch_asset_file")
        .path_param(&asset_id)
        .path_param(&file_id)
        .json(&Close {
            status: "CLOSED",
            file_set_status: "ACTIVE",
            format_status: "ACTIVE",
            size,
            checksum: &md5,
        })
        .send::<serde_json::Value>()?;
    ctx.reporter.finish();

    if let Some(collection) = &upload.collection_id {
        client
            .request(
                Method::Post,
                "assets",
                "/v1/collections/{collection_id}/contents/",
            )
            .name("post_collection_contents")
            .path_param(collection)
            .json(&CollectionContent {
                object_id: &asset_id,
                object_type: "assets",
            })
            .send::<serde_json::Value>()?;
    }
    if upload.keyframes {
        ctx.api(
            Method::Post,
            "post_asset_file_keyframes",
            "/v1/assets/{asset_id}/files/{file_id}/keyframes/",
        )
        .json(&serde_json::json!({}))
        .send::<serde_json::Value>()?;
    }
    if upload.transcode {
        let version = state.version_id.clone().unwrap_or_default();
        client
            .request(
                Method::Post,
                "files",
                "/v1/assets/{asset_id}/versions/{version_id}/transcode/",
            )
            .name("post_asset_version_transcode")
            .path_param(&asset_id)
            .path_param(version)
            .json(&serde_json::json!({}))
            .send::<serde_json::Value>()?;
    }

    Ok(UploadReport {
        asset_id,
        file_id,
        format_id,
        file_set_id,
        storage_id,
        size,
        md5,
        storage_method: method,
        parts: ctx.parts.load(Ordering::Relaxed).max(1),
        retries: ctx.retries.load(Ordering::Relaxed),
        elapsed: clock.now().saturating_sub(started),
    })
}

/// iconik's `upload_headers` object as header name -> value.
pub(crate) fn header_map(
    headers: Option<BTreeMap<String, serde_json::Value>>,
) -> BTreeMap<String, String> {
    headers
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

/// The part size for `method`: within the storage's limits on part size
/// and count.
pub(crate) fn part_size_for(method: StorageMethod, size: u64, requested: u64) -> u64 {
    match method {
        StorageMethod::S3 => {
            fit_part_size(size, requested, MIN_PART_SIZE, MAX_PART_SIZE, s3::MAX_PARTS)
        }
        StorageMethod::B2 => {
            fit_part_size(size, requested, MIN_PART_SIZE, MAX_PART_SIZE, b2::MAX_PARTS)
        }
        StorageMethod::Azure => {
            fit_part_size(size, requested, 1, azure::MAX_BLOCK, azure::MAX_BLOCKS)
        }
        StorageMethod::Gcs => gcs::chunk_size(requested),
        StorageMethod::File => requested.max(1),
    }
}

/// Sends the bytes by `method` unless `state` says they are all stored;
/// records the MD5 in `state`.
pub(crate) fn transfer(
    ctx: &Ctx<'_>,
    state: &mut UploadState,
    method: StorageMethod,
) -> Result<()> {
    if state.transferred {
        ctx.reporter.already_done(ctx.size);
        return Ok(());
    }
    let md5 = match method {
        StorageMethod::S3 => s3::upload(ctx, state),
        StorageMethod::Gcs => gcs::upload(ctx, state),
        StorageMethod::Azure => azure::upload(ctx, state),
        StorageMethod::B2 => b2::upload(ctx, state),
        StorageMethod::File => file::upload(ctx, state),
    }?;
    // every read checked the size; this catches a change after the last
    // read (a single request's bytes are all read before they go), before
    // iconik's record is closed with an MD5 the file no longer has
    let now = std::fs::metadata(&ctx.upload.path)
        .map_err(|source| Error::Io {
            context: format!("reading {} to upload it", ctx.upload.path.display()),
            source,
        })?
        .len();
    if now != ctx.size {
        return Err(super::stream::changed_size(
            &ctx.upload.path.display().to_string(),
            now,
            ctx.size,
        ));
    }
    state.md5 = Some(md5);
    state.transferred = true;
    state.session = None;
    state.parts.clear();
    Ok(())
}

/// Releases what the upload in `state` holds on its storage.
pub(crate) fn abort(client: &Client, state: &mut UploadState) -> Result<()> {
    if state.session.is_none() {
        return Ok(());
    }
    let (Some(asset_id), Some(file_id)) = (state.asset_id.clone(), state.file_id.clone()) else {
        return Ok(());
    };
    let upload = UploadOptions::new("");
    let ctx = Ctx {
        client,
        upload: &upload,
        size: state.size,
        part_size: state.part_size,
        reporter: Arc::new(Reporter::new(
            None,
            Arc::clone(&client.inner.clock),
            upload.progress_interval,
            None,
        )),
        retries: AtomicU32::new(0),
        parts: AtomicU32::new(0),
        asset_id,
        file_id,
        object: Object::File,
        upload_headers: state.upload_headers.clone(),
    };
    abort_session(&ctx, state)
}

/// Releases the storage session in `state` (S3 abort, GCS cancel, B2
/// cancel) through `ctx`'s endpoints.
pub(crate) fn abort_session(ctx: &Ctx<'_>, state: &mut UploadState) -> Result<()> {
    match state.storage_method {
        Some(StorageMethod::S3) => s3::abort(ctx, state),
        Some(StorageMethod::Gcs) => gcs::cancel(ctx, state),
        Some(StorageMethod::B2) => b2::cancel(ctx, state),
        // uncommitted Azure blocks expire on their own; FILE has no session
        _ => {
            state.session = None;
            state.parts.clear();
            Ok(())
        }
    }
}
