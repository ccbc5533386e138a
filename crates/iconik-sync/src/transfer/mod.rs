//! Uploads and downloads of media files, end to end, on every storage
//! method iconik hands out.
//!
//! [`Client::upload`] runs iconik's flow — asset, format (`ORIGINAL`),
//! file set, file record on the chosen storage, the transfer by that
//! storage's method, and closing the file — and [`Client::download`]
//! brings a file back to disk.
//!
//! | storage | how the bytes go |
//! |---------|------------------|
//! | S3      | one `PUT` up to the part size; above it a multipart upload (parts of 5 MiB–5 GiB, at most 10,000) through iconik's multipart URL endpoints |
//! | GCS     | a resumable session: chunks (multiples of 256 KiB) with `Content-Range`, continued from the server's `Range` |
//! | AZURE   | a block blob: one `PUT`, or `Put Block` per part and `Put Block List` |
//! | B2      | one upload, or a large file through iconik's start / finish / cancel |
//! | FILE    | one `PUT` to the URL of iconik's storage gateway handler, streamed from disk |
//!
//! # Design
//!
//! - **Streamed from disk, bounded memory.** The file is read once, in
//!   order, into at most `parallelism` buffers of `part_size` bytes; the
//!   whole file's MD5 is computed in the same pass. FILE uploads stream
//!   without any part buffer.
//! - **Each part retried on its own.** A part is an idempotent request
//!   whose bytes stay in their buffer until stored, so the transport
//!   sends it again after a 5xx or a broken connection. GCS chunks are
//!   continued from what the session says it kept.
//! - **Cleaned up or resumable.** An upload aborts the storage session
//!   when it fails (S3 abort, B2 cancel, GCS cancel). With
//!   [`Upload::resume`] it instead keeps everything in an [`UploadState`]
//!   (serialisable) to continue from the parts already stored.
//! - **Credentials stay with iconik.** Storage URLs are requests of their
//!   own kind in the transport: they never carry iconik's App-ID,
//!   Auth-Token or default headers, are not paced by iconik's rate
//!   limiter, and are logged and reported without their query (a signed
//!   URL's signature).
//! - **Progress** is reported at most once per interval
//!   ([`Upload::progress_interval`]) and once at the end.
//! - **Both clients.** The requests are generic over the
//!   [`Executor`](crate::Executor): `client.upload(path).send()` returns a
//!   `Result` with the blocking client and a future with `iconik_async`
//!   (the whole transfer on one worker, its parts on that worker's threads).
//!
//! Memory: about `part_size × parallelism` for S3, Azure and B2; one
//! chunk for GCS; none for FILE; three 256 KiB buffers for downloads.
//!
//! Proxies and keyframes use the same machinery
//! ([`Client::upload_proxy`], [`Client::upload_keyframe`]).

mod azure;
mod b2;
mod download;
mod file;
mod flow;
mod gcs;
mod http;
mod media;
mod options;
mod parts;
mod progress;
mod request;
mod s3;
mod state;
mod stream;

pub use options::{
    DownloadReport, MediaUploadReport, StorageMethod, UploadReport, DEFAULT_PARALLELISM,
    DEFAULT_PART_SIZE, MAX_PARALLELISM, MAX_PART_SIZE, MIN_PART_SIZE,
};
pub use progress::{Progress, DEFAULT_PROGRESS_INTERVAL};
pub use request::{AbortUpload, Download, MediaUpload, SharedUploadState, Upload};
pub use state::UploadState;

pub(crate) use options::{DownloadOptions, UploadOptions, PART_SUFFIX};

use std::path::PathBuf;

use crate::client::Client;

impl Client {
    /// Uploads the local file at `path` into iconik: see [`Upload`] (the
    /// options are its setters; `.send()` runs it).
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::from_env()?;
    /// let report = client.upload("clip.mov").title("Clip").send()?;
    /// println!("{} -> asset {} ({} bytes, md5 {}, {} part(s), {} retries)",
    ///          report.storage_method, report.asset_id, report.size,
    ///          report.md5, report.parts, report.retries);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, path: impl Into<PathBuf>) -> Upload {
        Upload::new(self.clone(), path)
    }

    /// Uploads a proxy of asset `asset_id` from the file at `path`: see
    /// [`MediaUpload`].
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let proxy = client.upload_proxy("asset-id", "clip_proxy.mp4").send()?;
    /// println!("proxy {}", proxy.id);
    /// # Ok(()) }
    /// ```
    pub fn upload_proxy(
        &self,
        asset_id: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> MediaUpload {
        MediaUpload::proxy(self.clone(), asset_id, path)
    }

    /// Uploads a keyframe (`KEYFRAME`, `KEYFRAME_MAP` or `POSTER`) of
    /// asset `asset_id` from the file at `path`: see [`MediaUpload`].
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let poster = client.upload_keyframe("asset-id", "POSTER", "poster.jpg").send()?;
    /// println!("keyframe {}", poster.id);
    /// # Ok(()) }
    /// ```
    pub fn upload_keyframe(
        &self,
        asset_id: impl Into<String>,
        keyframe_type: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> MediaUpload {
        MediaUpload::keyframe(self.clone(), asset_id, keyframe_type, path)
    }

    /// Downloads file `file_id` of asset `asset_id` to `dest`, verified:
    /// see [`Download`].
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let report = client.download("asset-id", "file-id", "clip.mov").send()?;
    /// println!("{} bytes, md5 {}", report.size, report.md5);
    /// # Ok(()) }
    /// ```
    pub fn download(
        &self,
        asset_id: impl Into<String>,
        file_id: impl Into<String>,
        dest: impl Into<PathBuf>,
    ) -> Download {
        Download::new(self.clone(), asset_id, file_id, dest)
    }

    /// Releases the storage session of an unfinished resumable upload:
    /// see [`AbortUpload`] and [`Upload::resume`].
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// use std::sync::{Arc, Mutex};
    /// let saved: iconik_sync::transfer::UploadState =
    ///     serde_json::from_slice(&std::fs::read("clip.upload.json")?)?;
    /// client.abort_upload(&Arc::new(Mutex::new(saved))).send()?;
    /// # Ok(()) }
    /// ```
    pub fn abort_upload(&self, state: &SharedUploadState) -> AbortUpload {
        AbortUpload::new(self.clone(), state)
    }
}
