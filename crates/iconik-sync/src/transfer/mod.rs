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
//! - **Cleaned up or resumable.** [`Client::upload`] aborts the storage
//!   session of a failed upload (S3 abort, B2 cancel, GCS cancel).
//!   [`Client::upload_resumable`] instead keeps everything in an
//!   [`UploadState`] (serialisable) to continue from the parts already
//!   stored.
//! - **Credentials stay with iconik.** Storage URLs are requests of their
//!   own kind in the transport: they never carry iconik's App-ID,
//!   Auth-Token or default headers, are not paced by iconik's rate
//!   limiter, and are logged and reported without their query (a signed
//!   URL's signature).
//! - **Progress** is reported at most once per interval
//!   ([`Upload::progress_interval`]) and once at the end.
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
mod s3;
mod state;
mod stream;

pub use options::{
    Download, DownloadReport, MediaUploadReport, StorageMethod, Upload, UploadReport,
    DEFAULT_PARALLELISM, DEFAULT_PART_SIZE, MAX_PARALLELISM, MAX_PART_SIZE, MIN_PART_SIZE,
};
pub use progress::{Progress, DEFAULT_PROGRESS_INTERVAL};
pub use state::UploadState;

use crate::client::Client;
use crate::error::Result;

impl Client {
    /// Uploads a local file into iconik: creates the asset (or uses
    /// [`Upload::asset_id`]), its `ORIGINAL` format, a file set and the
    /// file record on the storage, sends the bytes by the storage's method
    /// and closes the file. When it fails after the storage session was
    /// opened, the session is aborted (S3 multipart abort, B2 cancel, GCS
    /// cancel); the iconik records it created stay.
    ///
    /// ```no_run
    /// use iconik_sync::transfer::Upload;
    /// # fn main() -> iconik_sync::Result<()> {
    /// let client = iconik_sync::Client::from_env()?;
    /// let report = client.upload(&Upload::new("clip.mov").title("Clip"))?;
    /// println!("{} -> asset {} ({} bytes, md5 {}, {} part(s), {} retries)",
    ///          report.storage_method, report.asset_id, report.size,
    ///          report.md5, report.parts, report.retries);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) when the file cannot be read (or
    /// changed while uploading, or the storage stored other bytes than
    /// were sent); [`Error::InvalidArgument`](crate::Error::InvalidArgument)
    /// for a storage with no upload method; any error of the iconik calls
    /// or storage requests, after their retries.
    pub fn upload(&self, upload: &Upload) -> Result<UploadReport> {
        let mut state = UploadState::default();
        flow::run(self, upload, &mut state).inspect_err(|_| {
            // cleanup runs even when the caller went away (a dropped async
            // future cancels this thread's calls): it only releases
            let fresh = crate::cancel::CancelToken::new();
            let cleanup = crate::cancel::scope(&fresh, || flow::abort(self, &mut state));
            if let Err(cleanup) = cleanup {
                log::warn!(
                    "upload failed, and releasing its storage session failed too: {cleanup}"
                );
            }
        })
    }

    /// Uploads like [`upload`](Self::upload), recording where it stands in
    /// `state`; on failure nothing is aborted, and calling again with the
    /// same `state` (possibly deserialised in another process) continues
    /// from the records and parts already stored. A fresh
    /// `UploadState::default()` starts a new upload. Release an upload
    /// you give up on with [`abort_upload`](Self::abort_upload).
    ///
    /// ```no_run
    /// use iconik_sync::transfer::{Upload, UploadState};
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let upload = Upload::new("big.mxf");
    /// let mut state = UploadState::default();
    /// let report = loop {
    ///     match client.upload_resumable(&upload, &mut state) {
    ///         Ok(report) => break report,
    ///         Err(e) if e.is_retryable() => continue,
    ///         Err(e) => {
    ///             client.abort_upload(&mut state)?;
    ///             return Err(e);
    ///         }
    ///     }
    /// };
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`upload`](Self::upload); also
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the
    /// file's size differs from the one `state` was started with.
    pub fn upload_resumable(
        &self,
        upload: &Upload,
        state: &mut UploadState,
    ) -> Result<UploadReport> {
        flow::run(self, upload, state)
    }

    /// Releases the storage session of an unfinished upload (S3 multipart
    /// abort, B2 cancel, GCS cancel) and forgets its parts. Does nothing
    /// when `state` has no open session.
    ///
    /// ```no_run
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let mut state: iconik_sync::transfer::UploadState =
    ///     serde_json::from_slice(&std::fs::read("clip.upload.json").unwrap()).unwrap();
    /// client.abort_upload(&mut state)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Any error of the iconik call or storage request that releases it.
    pub fn abort_upload(&self, state: &mut UploadState) -> Result<()> {
        flow::abort(self, state)
    }

    /// Uploads a proxy of asset `asset_id` from `upload`'s file: creates the
    /// proxy (`POST …/proxies/`, on [`Upload::storage_id`] or iconik's
    /// choice), sends the bytes by the storage method iconik names (S3
    /// multipart through the proxy's multipart endpoints above the part
    /// size), and closes it (`status: CLOSED`). Uses the upload's path,
    /// storage, part size, parallelism and progress; a failed transfer's
    /// storage session is released.
    ///
    /// ```no_run
    /// use iconik_sync::transfer::Upload;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let proxy = client.upload_proxy("asset-id", &Upload::new("clip_proxy.mp4"))?;
    /// println!("proxy {} ({} bytes)", proxy.id, proxy.size);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`upload`](Self::upload); also
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a B2
    /// proxy larger than the part size or a FILE storage (iconik's large
    /// B2 and gateway endpoints exist for files only).
    pub fn upload_proxy(&self, asset_id: &str, upload: &Upload) -> Result<MediaUploadReport> {
        media::run(self, asset_id, http::Object::Proxy, None, upload)
    }

    /// Uploads a keyframe of asset `asset_id` from `upload`'s file, of
    /// iconik's `keyframe_type` (`KEYFRAME`, `KEYFRAME_MAP` or `POSTER`):
    /// creates it (`POST …/keyframes/`), sends the bytes by the storage's
    /// method and closes it. iconik has no multipart endpoints for
    /// keyframes: on S3 and B2 a keyframe goes in one request, at most the
    /// part size.
    ///
    /// ```no_run
    /// use iconik_sync::transfer::Upload;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let poster = client.upload_keyframe("asset-id", "POSTER", &Upload::new("poster.jpg"))?;
    /// println!("keyframe {}", poster.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`upload_proxy`](Self::upload_proxy); also
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an S3
    /// or B2 keyframe larger than the part size.
    pub fn upload_keyframe(
        &self,
        asset_id: &str,
        keyframe_type: &str,
        upload: &Upload,
    ) -> Result<MediaUploadReport> {
        media::run(
            self,
            asset_id,
            http::Object::Keyframe,
            Some(keyframe_type),
            upload,
        )
    }

    /// Downloads a file of an asset to disk: streams its signed URL to a
    /// temporary file beside the destination ([`Download::temp_path`]),
    /// continues with `Range` after a fault (and from a temporary file an
    /// earlier call left), checks the size and MD5 iconik has for the
    /// file, then renames it into place.
    ///
    /// ```no_run
    /// use iconik_sync::transfer::Download;
    /// # fn main() -> iconik_sync::Result<()> {
    /// # let client = iconik_sync::Client::from_env()?;
    /// let report = client.download(
    ///     &Download::new("asset-id", "file-id", "clip.mov")
    ///         .on_progress(|p| eprintln!("{} bytes", p.bytes_done)),
    /// )?;
    /// assert!(report.checksum_verified);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Any error of the iconik calls; [`Error::Io`](crate::Error::Io) for
    /// disk failures and for a file whose size or MD5 does not match
    /// iconik's (the temporary file is removed); the storage's error once
    /// its retries are spent.
    pub fn download(&self, download: &Download) -> Result<DownloadReport> {
        download::run(self, download)
    }
}
