//! Up, one file: the journal's verdict, the dedupe lookup, the intent,
//! the asset, the upload, the check that the file did not change while
//! it was read, the outcome.

use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};
use crate::transfer::{SharedUploadState, UploadState};

use super::error_text;
use super::journal::{Ended, Record};
use super::plan::{has_closed_of_size, md5_candidates, up_start, Dedupe, UpStart};
use super::remote::{self, Kind};
use super::report::{FailureKind, Outcome, SkipReason};
use super::up::{Ctx, Job};
use super::walk::mtime_ns;

/// Dedupe candidates looked at per file (each may cost a call or two).
const MAX_CANDIDATES: usize = 20;

/// Processes one file and reports its outcome.
pub(crate) fn run(ctx: &Ctx<'_>, job: &Job) {
    let path = job.file.rel.display.as_str();
    let size = job.file.size;
    if ctx.stopping() {
        return;
    }
    ctx.tracker.started(path, size);
    if job.file.rel.lossy {
        ctx.tracker.with_report(|r| {
            r.notice(
                path,
                format!(
                    "the name is not valid UTF-8: uploaded with the title {:?}",
                    job.file.rel.name
                ),
            )
        });
    }
    let outcome = match &job.folder.failed {
        Some((why, kind)) => Outcome::Failed {
            error: why.clone(),
            kind: *kind,
        },
        None => decide(ctx, job).unwrap_or_else(|e| {
            ctx.check_fatal(&e);
            let error = error_text(&e);
            if !ctx.opts.dry_run {
                let _ = ctx.record(&done(job, None, Ended::Failed, None, Some(error.clone())));
            }
            Outcome::Failed {
                error,
                kind: FailureKind::of(&e),
            }
        }),
    };
    ctx.tracker.finished(path, size, &outcome);
}

fn done(
    job: &Job,
    md5: Option<String>,
    ended: Ended,
    ids: Option<(&str, &str)>,
    note: Option<String>,
) -> Record {
    Record::Done {
        path: job.file.rel.key.clone(),
        size: job.file.size,
        mtime: job.file.mtime,
        md5,
        ended,
        asset_id: ids.map(|i| i.0.to_owned()),
        file_id: ids.map(|i| i.1.to_owned()).filter(|f| !f.is_empty()),
        note,
    }
}

fn decide(ctx: &Ctx<'_>, job: &Job) -> Result<Outcome> {
    let state = ctx.index.files.get(&job.file.rel.key);
    let collection = job.folder.collection.as_deref().unwrap_or("");
    match up_start(state, job.file.size, job.file.mtime, collection) {
        UpStart::Finished => Ok(Outcome::Skipped(SkipReason::Unchanged)),
        UpStart::Resume {
            external_id,
            asset_id,
            unchanged,
        } => resume(ctx, job, &external_id, asset_id, unchanged),
        UpStart::Fresh { md5 } => fresh(ctx, job, md5),
    }
}

/// A file with nothing pending: dedupe, then a new asset.
fn fresh(ctx: &Ctx<'_>, job: &Job, known_md5: Option<String>) -> Result<Outcome> {
    let mut md5 = known_md5;
    if ctx.opts.dedupe.needs_md5() && md5.is_none() {
        let sum = crate::checksum::md5_file(&job.file.path)?;
        if !ctx.opts.dry_run {
            ctx.record(&Record::Hashed {
                path: job.file.rel.key.clone(),
                size: job.file.size,
                mtime: job.file.mtime,
                md5: sum.clone(),
            })?;
        }
        md5 = Some(sum);
    }
    if let Some(reason) = duplicate(ctx, job, md5.as_deref())? {
        if !ctx.opts.dry_run {
            ctx.record(&done(
                job,
                md5,
                Ended::Present,
                None,
                Some(reason.describe()),
            ))?;
        }
        return Ok(Outcome::Skipped(reason));
    }
    if ctx.opts.dry_run {
        return Ok(Outcome::WouldTransfer);
    }
    upload_new(ctx, job, md5, true)
}

/// Creates the asset (after recording the intent) and uploads into it;
/// `retry` allows one more attempt when the file changes meanwhile.
fn upload_new(ctx: &Ctx<'_>, job: &Job, md5: Option<String>, retry: bool) -> Result<Outcome> {
    // an unreadable file fails before it leaves an empty asset behind
    std::fs::File::open(&job.file.path).map_err(|source| Error::Io {
        context: format!("opening {} to upload it", job.file.path.display()),
        source,
    })?;
    let collection = job.folder.collection.clone().unwrap_or_default();
    let external_id = format!(
        "iconik-sync:{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    );
    ctx.record(&Record::Intent {
        path: job.file.rel.key.clone(),
        size: job.file.size,
        mtime: job.file.mtime,
        external_id: external_id.clone(),
        collection: collection.clone(),
    })?;
    let asset = remote::create_asset(ctx.client, &job.file.rel.name, &external_id, &collection)?;
    ctx.record(&Record::Asset {
        path: job.file.rel.key.clone(),
        asset_id: asset.clone(),
    })?;
    upload_into(ctx, job, &asset, UploadState::default(), md5, retry)
}

/// Uploads the file into `asset`, continuing from `state`; checks that
/// the file did not change while it was read.
fn upload_into(
    ctx: &Ctx<'_>,
    job: &Job,
    asset: &str,
    mut state: UploadState,
    md5: Option<String>,
    retry: bool,
) -> Result<Outcome> {
    if let Some((id, method)) = ctx
        .storage
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    {
        if ctx.opts.storage_id.as_ref().is_none_or(|s| *s == id) && state.storage_id.is_none() {
            state.storage_id = Some(id);
            state.storage_method = Some(method);
        }
    }
    let path = job.file.rel.display.clone();
    let size = job.file.size;
    let mut upload = ctx
        .client
        .upload(&job.file.path)
        .asset_id(asset)
        .parallelism(ctx.opts.parts);
    if let Some(part) = ctx.opts.part_size {
        upload = upload.part_size(part);
    }
    if let Some(storage) = &ctx.opts.storage_id {
        upload = upload.storage_id(storage);
    }
    // the callback must be 'static: it reports through a shared handle
    let progress = ctx.tracker.handle();
    upload = upload.on_progress(move |p| progress.progress(&path, p.bytes_done, size));
    let shared: SharedUploadState = Arc::new(Mutex::new(state));
    let result = upload.resume(&shared).send();
    if result.is_err() {
        // release the storage session; the asset stays for the next run
        let _ = ctx.client.abort_upload(&shared).send();
    }
    let state = shared
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let changed = changed_since_walk(job);
    let report = match result {
        Ok(report) => report,
        Err(e) if changed => return changed_meanwhile(ctx, job, asset, retry, Some(e)),
        Err(e) => return Err(e),
    };
    if changed
        || md5
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(&report.md5))
    {
        return changed_meanwhile(ctx, job, asset, retry, None);
    }
    if let (Some(id), Some(method)) = (state.storage_id.clone(), state.storage_method) {
        let mut known = ctx.storage.lock().unwrap_or_else(PoisonError::into_inner);
        known.get_or_insert((id, method));
    }
    ctx.record(&done(
        job,
        Some(report.md5.clone()),
        Ended::Transferred,
        Some((asset, &report.file_id)),
        None,
    ))?;
    Ok(Outcome::Transferred {
        asset_id: asset.to_owned(),
        file_id: report.file_id,
        md5: report.md5,
    })
}

/// Whether the file's size or modification time differ from the walk's.
fn changed_since_walk(job: &Job) -> bool {
    match std::fs::metadata(&job.file.path) {
        Ok(m) => m.len() != job.file.size || mtime_ns(&m) != job.file.mtime,
        Err(_) => true,
    }
}

/// The file changed while it was uploaded: the asset holding a mix of old
/// and new bytes is deleted, and the file is uploaded once more (as it is
/// now); a second change fails it.
fn changed_meanwhile(
    ctx: &Ctx<'_>,
    job: &Job,
    asset: &str,
    retry: bool,
    error: Option<Error>,
) -> Result<Outcome> {
    remote::delete_asset(ctx.client, asset)?;
    ctx.record(&Record::Discarded {
        path: job.file.rel.key.clone(),
        asset_id: asset.to_owned(),
    })?;
    let path = job.file.rel.display.as_str();
    let cause = error
        .map(|e| format!(" ({})", error_text(&e)))
        .unwrap_or_default();
    if !retry {
        return Err(local(format!(
            "changed again while it was uploaded{cause}: not uploaded (asset {asset} deleted)"
        )));
    }
    ctx.tracker.with_report(|r| {
        r.notice(
            path,
            format!("changed while it was uploaded{cause}: asset {asset} deleted, sent again"),
        )
    });
    let meta = std::fs::metadata(&job.file.path).map_err(|source| Error::Io {
        context: format!("reading {}", job.file.path.display()),
        source,
    })?;
    let again = Job {
        file: super::walk::LocalFile {
            size: meta.len(),
            mtime: mtime_ns(&meta),
            ..job.file.clone()
        },
        folder: Arc::clone(&job.folder),
    };
    upload_new(ctx, &again, None, false)
}

/// A file an earlier run announced an asset for: find that asset and
/// finish it (or start afresh when it never came to be).
fn resume(
    ctx: &Ctx<'_>,
    job: &Job,
    external_id: &str,
    asset_id: Option<String>,
    unchanged: bool,
) -> Result<Outcome> {
    let collection = job.folder.collection.clone().unwrap_or_default();
    let asset = match asset_id {
        Some(id) => Some(id),
        None => find_by_external_id(ctx, &collection, external_id)?,
    };
    let Some(asset) = asset else {
        return fresh(ctx, job, None);
    };
    if ctx.opts.dry_run {
        ctx.tracker.with_report(|r| {
            r.notice(
                &job.file.rel.display,
                format!("would finish the upload into asset {asset} an earlier run started"),
            )
        });
        return Ok(Outcome::WouldTransfer);
    }
    let files = remote::asset_files(ctx.client, &asset)?;
    if has_closed_of_size(&files, job.file.size) {
        if unchanged {
            // the earlier run uploaded it and died before recording that
            let file = files
                .iter()
                .find(|f| f.is_closed() && f.size == Some(job.file.size));
            let md5 = file.and_then(|f| f.checksum.clone()).unwrap_or_default();
            let file_id = file.map(|f| f.id.clone()).unwrap_or_default();
            ctx.record(&done(
                job,
                Some(md5.clone()),
                Ended::Transferred,
                Some((&asset, &file_id)),
                Some("finished by an earlier run".into()),
            ))?;
            ctx.tracker.with_report(|r| {
                r.notice(
                    &job.file.rel.display,
                    format!("uploaded by an earlier run into asset {asset}; not sent again"),
                )
            });
            return Ok(Outcome::Transferred {
                asset_id: asset,
                file_id,
                md5,
            });
        }
        // that asset holds the file as it was; this is new content
        return fresh(ctx, job, None);
    }
    let mut state = continue_state(ctx, &asset, &files)?;
    state.size = job.file.size;
    upload_into(ctx, job, &asset, state, None, true)
}

/// An asset tagged `external_id` in `collection`, if any.
fn find_by_external_id(
    ctx: &Ctx<'_>,
    collection: &str,
    external_id: &str,
) -> Result<Option<String>> {
    for item in remote::contents(ctx.client, collection, Some("assets"), Some(external_id)) {
        let item = item?;
        if item.kind() == Kind::Asset && item.external_id.as_deref() == Some(external_id) {
            return Ok(item.id);
        }
    }
    Ok(None)
}

/// The upload state to continue into `asset`: its `ORIGINAL` format and
/// that format's file set when an earlier run created them; file records
/// an earlier run left open (their bytes never finished) are deleted.
fn continue_state(
    ctx: &Ctx<'_>,
    asset: &str,
    files: &[super::plan::RemoteFile],
) -> Result<UploadState> {
    let mut state = UploadState {
        asset_id: Some(asset.to_owned()),
        ..UploadState::default()
    };
    for f in files.iter().filter(|f| !f.is_closed()) {
        remote::delete_file(ctx.client, asset, &f.id)?;
    }
    let formats = remote::asset_formats(ctx.client, asset)?;
    let original = formats
        .iter()
        .find(|f| f.name == "ORIGINAL" && remote::is_active(f.status.as_deref()));
    if let Some(format_id) = original.and_then(|f| f.id.clone()) {
        let sets = remote::asset_file_sets(ctx.client, asset)?;
        state.file_set_id = sets
            .iter()
            .find(|s| s.format_id == format_id && remote::is_active(s.status.as_deref()))
            .and_then(|s| s.id.clone());
        state.format_id = Some(format_id);
    }
    Ok(state)
}

/// The dedupe verdict: the asset iconik already has the file in, if any.
fn duplicate(ctx: &Ctx<'_>, job: &Job, md5: Option<&str>) -> Result<Option<SkipReason>> {
    match ctx.opts.dedupe {
        Dedupe::None => Ok(None),
        Dedupe::NameAndSize => {
            let titled = job.folder.assets_titled(ctx.client, &job.file.rel.name)?;
            for asset in titled.into_iter().take(MAX_CANDIDATES) {
                let files = remote::asset_files(ctx.client, &asset)?;
                if has_closed_of_size(&files, job.file.size) {
                    return Ok(Some(SkipReason::SameNameAndSize { asset_id: asset }));
                }
            }
            Ok(None)
        }
        Dedupe::Md5Anywhere | Dedupe::Md5InTree => {
            let Some(md5) = md5 else { return Ok(None) };
            let matches = remote::files_by_checksum(ctx.client, md5)?;
            for asset_id in md5_candidates(&matches, MAX_CANDIDATES) {
                let asset = match remote::asset(ctx.client, &asset_id) {
                    Ok(a) => a,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e),
                };
                if !remote::is_active(asset.status.as_deref()) {
                    continue;
                }
                let counts = ctx.opts.dedupe == Dedupe::Md5Anywhere
                    || in_tree(ctx, asset.in_collections.as_deref().unwrap_or(&[]))?;
                if counts {
                    return Ok(Some(SkipReason::SameMd5 { asset_id }));
                }
            }
            Ok(None)
        }
    }
}

/// Whether one of `collections` is the target collection or below it.
fn in_tree(ctx: &Ctx<'_>, collections: &[String]) -> Result<bool> {
    for c in collections.iter().take(MAX_CANDIDATES) {
        if ctx
            .inside
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(c)
        {
            return Ok(true);
        }
        if ctx
            .outside
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(c)
        {
            continue;
        }
        let inside = match remote::collection(ctx.client, c) {
            Ok(coll) => coll.parents.as_deref().unwrap_or(&[]).contains(&ctx.root),
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(e),
        };
        let set = if inside { &ctx.inside } else { &ctx.outside };
        set.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(c.clone());
        if inside {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A local problem as an error.
pub(crate) fn local(message: String) -> Error {
    Error::Io {
        source: std::io::Error::other(message.clone()),
        context: message,
    }
}
