//! What to transfer and how (the options the requests fill in), and the
//! reports.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::progress::{Progress, ProgressFn, DEFAULT_PROGRESS_INTERVAL};

/// Default part (and chunk) size: 16 MiB.
pub const DEFAULT_PART_SIZE: u64 = 16 * 1024 * 1024;
/// Default number of parts in flight at once.
pub const DEFAULT_PARALLELISM: usize = 4;
/// The most parts sent at once (each is a thread and a part buffer).
pub const MAX_PARALLELISM: usize = 64;
/// The smallest part S3 and B2 accept (except the last one): 5 MiB.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The largest part S3 accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// How a storage receives bytes, as iconik names it (`storage_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum StorageMethod {
    /// Amazon S3 (and S3-compatible): single PUT or multipart.
    #[serde(rename = "S3")]
    S3,
    /// Google Cloud Storage: resumable upload.
    #[serde(rename = "GCS")]
    Gcs,
    /// Azure Blob Storage: block blob.
    #[serde(rename = "AZURE")]
    Azure,
    /// Backblaze B2: single upload or large file.
    #[serde(rename = "B2")]
    B2,
    /// iconik's own storage gateway (ISG).
    #[serde(rename = "FILE")]
    File,
}

impl StorageMethod {
    /// iconik's name for it, e.g. `"GCS"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageMethod::S3 => "S3",
            StorageMethod::Gcs => "GCS",
            StorageMethod::Azure => "AZURE",
            StorageMethod::B2 => "B2",
            StorageMethod::File => "FILE",
        }
    }

    /// Parses iconik's name (case-insensitive); `None` for methods no
    /// upload exists for (FTP, SFTP, ...).
    ///
    /// ```
    /// use iconik_sync::transfer::StorageMethod;
    /// assert_eq!(StorageMethod::parse("azure"), Some(StorageMethod::Azure));
    /// assert_eq!(StorageMethod::parse("FTP"), None);
    /// ```
    pub fn parse(name: &str) -> Option<StorageMethod> {
        [
            StorageMethod::S3,
            StorageMethod::Gcs,
            StorageMethod::Azure,
            StorageMethod::B2,
            StorageMethod::File,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for StorageMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to upload and how: what the [`Upload`](super::Upload) request's
/// setters fill in, read by the flow.
#[derive(Clone)]
pub(crate) struct UploadOptions {
    pub(crate) path: PathBuf,
    pub(crate) title: Option<String>,
    pub(crate) asset_id: Option<String>,
    pub(crate) storage_id: Option<String>,
    pub(crate) collection_id: Option<String>,
    pub(crate) keyframes: bool,
    pub(crate) transcode: bool,
    pub(crate) part_size: u64,
    pub(crate) parallelism: usize,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) progress_interval: Duration,
}

impl UploadOptions {
    /// The file at `path` as a new asset titled by its file name, on the
    /// account's default files storage.
    pub(crate) fn new(path: impl Into<PathBuf>) -> Self {
        UploadOptions {
            path: path.into(),
            title: None,
            asset_id: None,
            storage_id: None,
            collection_id: None,
            keyframes: false,
            transcode: false,
            part_size: DEFAULT_PART_SIZE,
            parallelism: DEFAULT_PARALLELISM,
            progress: None,
            progress_interval: DEFAULT_PROGRESS_INTERVAL,
        }
    }

    pub(crate) fn on_progress(&mut self, f: impl FnMut(Progress) + Send + 'static) {
        self.progress = Some(Arc::new(Mutex::new(Box::new(f))));
    }
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("path", &self.path)
            .field("title", &self.title)
            .field("asset_id", &self.asset_id)
            .field("storage_id", &self.storage_id)
            .field("collection_id", &self.collection_id)
            .field("keyframes", &self.keyframes)
            .field("transcode", &self.transcode)
            .field("part_size", &self.part_size)
            .field("parallelism", &self.parallelism)
            .field("on_progress", &self.progress.is_some())
            .finish()
    }
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadReport {
    /// The asset the file belongs to.
    pub asset_id: String,
    /// The new file record.
    pub file_id: String,
    /// The format (`ORIGINAL`) the file belongs to.
    pub format_id: String,
    /// The file set the file belongs to.
    pub file_set_id: String,
    /// The storage the bytes went to.
    pub storage_id: String,
    /// Bytes uploaded.
    pub size: u64,
    /// MD5 of the file, lowercase hex (computed while reading it).
    pub md5: String,
    /// How the storage received the bytes.
    pub storage_method: StorageMethod,
    /// Requests that carried bytes (1 for a single request; the part or
    /// chunk count otherwise, parts found already stored included).
    pub parts: u32,
    /// Storage requests sent again after a fault.
    pub retries: u32,
    /// Time taken by this call.
    pub elapsed: Duration,
}

/// What a proxy or keyframe upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaUploadReport {
    /// The asset the proxy or keyframe belongs to.
    pub asset_id: String,
    /// The new proxy's or keyframe's id.
    pub id: String,
    /// The storage iconik put it on, when it said.
    pub storage_id: Option<String>,
    /// Bytes uploaded.
    pub size: u64,
    /// MD5 of the file, lowercase hex (computed while reading it).
    pub md5: String,
    /// How the storage received the bytes.
    pub storage_method: StorageMethod,
    /// Requests that carried bytes.
    pub parts: u32,
    /// Storage requests sent again after a fault.
    pub retries: u32,
    /// Time taken by this call.
    pub elapsed: Duration,
}

/// What to download: what the [`Download`](super::Download) request's
/// setters fill in.
#[derive(Clone)]
pub(crate) struct DownloadOptions {
    pub(crate) asset_id: String,
    pub(crate) file_id: String,
    pub(crate) dest: PathBuf,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) progress_interval: Duration,
}

impl DownloadOptions {
    pub(crate) fn new(asset_id: String, file_id: String, dest: PathBuf) -> Self {
        DownloadOptions {
            asset_id,
            file_id,
            dest,
            progress: None,
            progress_interval: DEFAULT_PROGRESS_INTERVAL,
        }
    }

    /// The temporary file bytes are written to before the final rename:
    /// `.<name>.iconik-part` beside the destination.
    pub(crate) fn temp_path(&self) -> PathBuf {
        temp_path_of(&self.dest)
    }
}

/// The end of a download's temporary name, `.<name>.iconik-part`.
pub(crate) const PART_SUFFIX: &str = ".iconik-part";

/// `.<name>.iconik-part` beside `dest`.
pub(crate) fn temp_path_of(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_owned());
    dest.with_file_name(format!(".{name}{PART_SUFFIX}"))
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("asset_id", &self.asset_id)
            .field("file_id", &self.file_id)
            .field("dest", &self.dest)
            .field("on_progress", &self.progress.is_some())
            .finish()
    }
}

/// What a download did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadReport {
    /// Where the file is.
    pub path: PathBuf,
    /// Bytes in the file.
    pub size: u64,
    /// MD5 of the file, lowercase hex.
    pub md5: String,
    /// True when iconik had a checksum for the file and it matched.
    pub checksum_verified: bool,
    /// Times the transfer continued with a `Range` request after a fault
    /// (or from a temporary file left by an earlier call).
    pub resumes: u32,
    /// Time taken by this call.
    pub elapsed: Duration,
}
