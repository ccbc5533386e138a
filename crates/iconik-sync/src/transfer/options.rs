//! What to transfer and how: [`Upload`], [`Download`], and their reports.

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

/// A local file to put into iconik, and how. See
/// [`Client::upload`](crate::Client::upload).
///
/// ```no_run
/// use iconik_sync::transfer::Upload;
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let report = client.upload(
///     &Upload::new("clip.mov")
///         .title("Opening shot")
///         .part_size(32 * 1024 * 1024)
///         .parallelism(4)
///         .on_progress(|p| eprintln!("{} / {:?}", p.bytes_done, p.total)),
/// )?;
/// println!("asset {} file {} md5 {}", report.asset_id, report.file_id, report.md5);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Upload {
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

impl Upload {
    /// Uploads the file at `path` as a new asset titled by its file name,
    /// to the account's default files storage.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Upload {
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

    /// The new asset's title. Default: the file name.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds the file to this existing asset instead of creating one.
    pub fn asset_id(mut self, asset_id: impl Into<String>) -> Self {
        self.asset_id = Some(asset_id.into());
        self
    }

    /// The storage to put the file on. Default: the account's default
    /// `FILES` storage.
    pub fn storage_id(mut self, storage_id: impl Into<String>) -> Self {
        self.storage_id = Some(storage_id.into());
        self
    }

    /// Adds the asset to this collection once the file is closed.
    pub fn collection_id(mut self, collection_id: impl Into<String>) -> Self {
        self.collection_id = Some(collection_id.into());
        self
    }

    /// Asks iconik to generate keyframes from the file once it is closed.
    pub fn keyframes(mut self, enabled: bool) -> Self {
        self.keyframes = enabled;
        self
    }

    /// Asks iconik to transcode (proxies) the file's version once it is
    /// closed.
    pub fn transcode(mut self, enabled: bool) -> Self {
        self.transcode = enabled;
        self
    }

    /// Bytes per part (S3, Azure, B2) or per chunk (GCS, rounded down to a
    /// multiple of 256 KiB). Files up to this size go in one request.
    /// Default: 16 MiB; S3 and B2 need at least 5 MiB, and the size grows
    /// when a file would need more parts than the storage allows. Memory
    /// used: about `part_size × parallelism`.
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes;
        self
    }

    /// Parts sent at once (S3, Azure, B2; GCS sends its chunks in order).
    /// Default: 4; between 1 and [`MAX_PARALLELISM`].
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.clamp(1, MAX_PARALLELISM);
        self
    }

    /// Called with the bytes stored so far, at most once per
    /// [`progress_interval`](Self::progress_interval) and once at the end.
    pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
        self.progress = Some(Arc::new(Mutex::new(Box::new(f))));
        self
    }

    /// The minimum time between two progress calls. Default: 250 ms.
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.progress_interval = interval;
        self
    }

    /// The file to upload.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for Upload {
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

/// A file of an asset to bring back to disk. See
/// [`Client::download`](crate::Client::download).
///
/// ```no_run
/// use iconik_sync::transfer::Download;
/// # fn main() -> iconik_sync::Result<()> {
/// # let client = iconik_sync::Client::from_env()?;
/// let report = client.download(&Download::new("asset-id", "file-id", "clip.mov"))?;
/// println!("{} bytes, md5 {}", report.size, report.md5);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Download {
    pub(crate) asset_id: String,
    pub(crate) file_id: String,
    pub(crate) dest: PathBuf,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) progress_interval: Duration,
}

impl Download {
    /// Downloads file `file_id` of asset `asset_id` to `dest` (replaced
    /// if it exists, only once the whole file arrived and checked out).
    pub fn new(
        asset_id: impl Into<String>,
        file_id: impl Into<String>,
        dest: impl Into<PathBuf>,
    ) -> Self {
        Download {
            asset_id: asset_id.into(),
            file_id: file_id.into(),
            dest: dest.into(),
            progress: None,
            progress_interval: DEFAULT_PROGRESS_INTERVAL,
        }
    }

    /// Called with the bytes written so far, at most once per
    /// [`progress_interval`](Self::progress_interval) and once at the end.
    pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
        self.progress = Some(Arc::new(Mutex::new(Box::new(f))));
        self
    }

    /// The minimum time between two progress calls. Default: 250 ms.
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.progress_interval = interval;
        self
    }

    /// Where the file goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// The temporary file bytes are written to before the final rename:
    /// `.<name>.iconik-part` beside the destination. A download that
    /// finds it continues from its end.
    pub fn temp_path(&self) -> PathBuf {
        let name = self
            .dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".to_owned());
        self.dest.with_file_name(format!(".{name}.iconik-part"))
    }
}

impl fmt::Debug for Download {
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
