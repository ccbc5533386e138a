//! The transfer requests: [`Upload`], [`MediaUpload`], [`Download`] and
//! [`AbortUpload`], built by the clients' `upload`, `upload_proxy`,
//! `upload_keyframe`, `download` and `abort_upload`, and sent like any
//! request: `.send()` (a `Result` with the blocking client, a future of
//! one with the async client, the whole transfer on one worker).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::options::{DownloadOptions, UploadOptions, MAX_PARALLELISM};
use super::progress::Progress;
use super::state::UploadState;
use super::{download, flow, http, media, DownloadReport, MediaUploadReport, UploadReport};
use crate::cancel::{self, CancelToken};
use crate::client::Client;
use crate::error::Result;
use crate::executor::Executor;

/// An upload's state shared between the caller and the upload, so a
/// failed upload can be continued (see [`Upload::resume`]).
pub type SharedUploadState = Arc<Mutex<UploadState>>;

/// A local file going into iconik: asset, `ORIGINAL` format, file set,
/// file record on the storage, the bytes by the storage's method, the
/// file closed. Built by `client.upload(path)`; options are setters, then
/// [`send`](Self::send).
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// let client = iconik_sync::Client::from_env()?;
/// let report = client
///     .upload("clip.mov")
///     .title("Opening shot")
///     .part_size(32 * 1024 * 1024)
///     .parallelism(4)
///     .on_progress(|p| eprintln!("{} / {:?}", p.bytes_done, p.total))
///     .send()?;
/// println!("asset {} file {} md5 {}", report.asset_id, report.file_id, report.md5);
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until it is sent"]
#[derive(Debug, Clone)]
pub struct Upload<C = Client> {
    exec: C,
    opts: UploadOptions,
    state: Option<SharedUploadState>,
}

/// The setters every upload kind shares (file, proxy, keyframe).
macro_rules! shared_upload_setters {
    () => {
        /// The storage to put the file on. Default: the account's default
        /// `FILES` storage (for proxies and keyframes: iconik's choice).
        pub fn storage_id(mut self, storage_id: impl Into<String>) -> Self {
            self.opts.storage_id = Some(storage_id.into());
            self
        }

        /// Bytes per part (S3, Azure, B2) or per chunk (GCS, rounded down
        /// to a multiple of 256 KiB). Files up to this size go in one
        /// request. Default: 16 MiB; S3 and B2 need at least 5 MiB, and the
        /// size grows when a file would need more parts than the storage
        /// allows. Memory used: about `part_size × parallelism`.
        pub fn part_size(mut self, bytes: u64) -> Self {
            self.opts.part_size = bytes;
            self
        }

        /// Parts sent at once (S3, Azure, B2; GCS sends its chunks in
        /// order). Default: 4; between 1 and
        /// [`MAX_PARALLELISM`](super::MAX_PARALLELISM).
        pub fn parallelism(mut self, n: usize) -> Self {
            self.opts.parallelism = n.clamp(1, MAX_PARALLELISM);
            self
        }

        /// Called with the bytes stored so far, at most once per
        /// [`progress_interval`](Self::progress_interval) and once at the
        /// end, on the thread running the transfer.
        pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
            self.opts.on_progress(f);
            self
        }

        /// The minimum time between two progress calls. Default: 250 ms.
        pub fn progress_interval(mut self, interval: Duration) -> Self {
            self.opts.progress_interval = interval;
            self
        }
    };
}

impl<C: Executor> Upload<C> {
    /// The file at `path`, as a new asset titled by its file name, on the
    /// account's default files storage (what `client.upload(path)` returns).
    pub fn new(exec: C, path: impl Into<PathBuf>) -> Self {
        Upload {
            exec,
            opts: UploadOptions::new(path),
            state: None,
        }
    }

    /// The new asset's title. Default: the file name.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.opts.title = Some(title.into());
        self
    }

    /// Adds the file to this existing asset instead of creating one.
    pub fn asset_id(mut self, asset_id: impl Into<String>) -> Self {
        self.opts.asset_id = Some(asset_id.into());
        self
    }

    /// Adds the asset to this collection once the file is closed.
    pub fn collection_id(mut self, collection_id: impl Into<String>) -> Self {
        self.opts.collection_id = Some(collection_id.into());
        self
    }

    /// Asks iconik to generate keyframes from the file once it is closed.
    pub fn keyframes(mut self, enabled: bool) -> Self {
        self.opts.keyframes = enabled;
        self
    }

    /// Asks iconik to transcode (proxies) the file's version once it is
    /// closed.
    pub fn transcode(mut self, enabled: bool) -> Self {
        self.opts.transcode = enabled;
        self
    }

    shared_upload_setters!();

    /// Records where the upload stands in `state` as it goes, and
    /// continues from it: from the iconik records and storage parts it
    /// names (a fresh `UploadState::default()` starts a new upload). A
    /// failed upload is then left resumable instead of aborted: send again
    /// with the same state (possibly deserialised in another process), or
    /// release it with `client.abort_upload(&state)`.
    ///
    /// ```no_run
    /// use std::sync::{Arc, Mutex};
    /// use iconik_sync::transfer::UploadState;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let state = Arc::new(Mutex::new(UploadState::default()));
    /// let report = loop {
    ///     match client.upload("big.mxf").resume(&state).send() {
    ///         Ok(report) => break report,
    ///         Err(e) if e.is_retryable() => continue,
    ///         Err(e) => {
    ///             client.abort_upload(&state).send()?;
    ///             return Err(e);
    ///         }
    ///     }
    /// };
    /// # Ok(()) }
    /// ```
    pub fn resume(mut self, state: &SharedUploadState) -> Self {
        self.state = Some(Arc::clone(state));
        self
    }

    /// Runs the upload. Without [`resume`](Self::resume), a failure after
    /// the storage session was opened aborts that session (S3 multipart
    /// abort, B2 cancel, GCS cancel); the iconik records created stay.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) when the file cannot be read, changed
    /// while uploading, or the storage stored other bytes than were sent;
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a
    /// storage with no upload method, or a resumed state whose file size
    /// differs; any error of the iconik calls or storage requests, after
    /// their retries.
    pub fn send(self) -> C::Output<UploadReport> {
        let Upload { exec, opts, state } = self;
        exec.run(move |client| match state {
            Some(shared) => {
                let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
                flow::run(client, &opts, &mut state)
            }
            None => upload_or_abort(client, &opts),
        })
    }
}

/// A fresh upload; on failure its storage session is released.
fn upload_or_abort(client: &Client, opts: &UploadOptions) -> Result<UploadReport> {
    let mut state = UploadState::default();
    flow::run(client, opts, &mut state).inspect_err(|_| {
        // cleanup runs even when the caller went away (a dropped async
        // future cancels this thread's calls): it only releases
        let fresh = CancelToken::new();
        let cleanup = cancel::scope(&fresh, || flow::abort(client, &mut state));
        if let Err(cleanup) = cleanup {
            log::warn!("upload failed, and releasing its storage session failed too: {cleanup}");
        }
    })
}

/// A proxy or keyframe of an asset from a local file: created, the bytes
/// sent by the storage's method, closed. Built by
/// `client.upload_proxy(asset_id, path)` and
/// `client.upload_keyframe(asset_id, keyframe_type, path)`.
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let proxy = client.upload_proxy("asset-id", "clip_proxy.mp4").send()?;
/// println!("proxy {} ({} bytes)", proxy.id, proxy.size);
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until it is sent"]
#[derive(Debug, Clone)]
pub struct MediaUpload<C = Client> {
    exec: C,
    opts: UploadOptions,
    asset_id: String,
    object: http::Object,
    keyframe_type: Option<String>,
}

impl<C: Executor> MediaUpload<C> {
    /// A proxy of asset `asset_id` from the file at `path`.
    pub fn proxy(exec: C, asset_id: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        MediaUpload {
            exec,
            opts: UploadOptions::new(path),
            asset_id: asset_id.into(),
            object: http::Object::Proxy,
            keyframe_type: None,
        }
    }

    /// A keyframe of asset `asset_id`, of iconik's `keyframe_type`
    /// (`KEYFRAME`, `KEYFRAME_MAP` or `POSTER`), from the file at `path`.
    pub fn keyframe(
        exec: C,
        asset_id: impl Into<String>,
        keyframe_type: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Self {
        MediaUpload {
            exec,
            opts: UploadOptions::new(path),
            asset_id: asset_id.into(),
            object: http::Object::Keyframe,
            keyframe_type: Some(keyframe_type.into()),
        }
    }

    shared_upload_setters!();

    /// Runs the upload; a failed transfer's storage session is released.
    /// iconik has no multipart endpoints for keyframes: on S3 and B2 a
    /// keyframe goes in one request, at most the part size.
    ///
    /// # Errors
    /// As [`Upload::send`]; also
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a B2
    /// proxy larger than the part size, an S3 or B2 keyframe larger than
    /// the part size, or a FILE storage (iconik's large B2 and gateway
    /// endpoints exist for files only).
    pub fn send(self) -> C::Output<MediaUploadReport> {
        let MediaUpload {
            exec,
            opts,
            asset_id,
            object,
            keyframe_type,
        } = self;
        exec.run(move |client| {
            media::run(client, &asset_id, object, keyframe_type.as_deref(), &opts)
        })
    }
}

/// A file of an asset brought back to disk: streamed to a temporary file
/// beside the destination (`.<name>.iconik-part`), continued with `Range`
/// after a fault (and from a temporary file an earlier call left), checked
/// against the size and MD5 iconik has for the file, then renamed into
/// place. Built by `client.download(asset_id, file_id, dest)`.
///
/// ```no_run
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let report = client
///     .download("asset-id", "file-id", "clip.mov")
///     .on_progress(|p| eprintln!("{} bytes", p.bytes_done))
///     .send()?;
/// assert!(report.checksum_verified);
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until it is sent"]
#[derive(Debug, Clone)]
pub struct Download<C = Client> {
    exec: C,
    opts: DownloadOptions,
}

impl<C: Executor> Download<C> {
    /// File `file_id` of asset `asset_id` to `dest` (replaced if it exists,
    /// only once the whole file arrived and checked out).
    pub fn new(
        exec: C,
        asset_id: impl Into<String>,
        file_id: impl Into<String>,
        dest: impl Into<PathBuf>,
    ) -> Self {
        Download {
            exec,
            opts: DownloadOptions::new(asset_id.into(), file_id.into(), dest.into()),
        }
    }

    /// Called with the bytes written so far, at most once per
    /// [`progress_interval`](Self::progress_interval) and once at the end.
    pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
        self.opts.progress = Some(Arc::new(Mutex::new(Box::new(f))));
        self
    }

    /// The minimum time between two progress calls. Default: 250 ms.
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.opts.progress_interval = interval;
        self
    }

    /// The temporary file the bytes are written to before the rename.
    pub fn temp_path(&self) -> PathBuf {
        self.opts.temp_path()
    }

    /// Runs the download.
    ///
    /// # Errors
    /// Any error of the iconik calls; [`Error::Io`](crate::Error::Io) for
    /// disk failures and for a file whose size or MD5 does not match
    /// iconik's (the temporary file is removed); the storage's error once
    /// its retries are spent.
    pub fn send(self) -> C::Output<DownloadReport> {
        let Download { exec, opts } = self;
        exec.run(move |client| download::run(client, &opts))
    }
}

/// Releases the storage session of an unfinished resumable upload (S3
/// multipart abort, B2 cancel, GCS cancel) and forgets its parts. Built by
/// `client.abort_upload(&state)`; does nothing when the state has no open
/// session.
#[must_use = "an abort does nothing until it is sent"]
#[derive(Debug, Clone)]
pub struct AbortUpload<C = Client> {
    exec: C,
    state: SharedUploadState,
}

impl<C: Executor> AbortUpload<C> {
    /// Releases the session `state` holds.
    pub fn new(exec: C, state: &SharedUploadState) -> Self {
        AbortUpload {
            exec,
            state: Arc::clone(state),
        }
    }

    /// Sends the release.
    ///
    /// # Errors
    /// Any error of the iconik call or storage request that releases it.
    pub fn send(self) -> C::Output<()> {
        let AbortUpload { exec, state } = self;
        exec.run(move |client| {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            flow::abort(client, &mut state)
        })
    }
}
