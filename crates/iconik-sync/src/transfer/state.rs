//! [`UploadState`]: where an upload stands, to continue it later.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::StorageMethod;

/// Where an upload stands: the iconik records it created, the storage
/// session it opened and the parts already stored. Filled in as an upload
/// with [`Upload::resume`](super::Upload::resume) goes; serialise it
/// (serde) to continue an interrupted upload later, from the parts already
/// stored, even in another process.
///
/// It holds the storage's signed URLs and session tokens: keep it as
/// private as the credentials. `Debug` prints none of them.
///
/// ```no_run
/// use std::sync::{Arc, Mutex};
/// use iconik_sync::transfer::UploadState;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = iconik_sync::Client::from_env()?;
/// let state = Arc::new(Mutex::new(UploadState::default()));
/// if let Err(e) = client.upload("clip.mov").resume(&state).send() {
///     eprintln!("interrupted ({e}); saving the state to continue later");
///     let saved = serde_json::to_vec(&*state.lock().unwrap())?;
///     std::fs::write("clip.upload.json", saved)?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadState {
    pub(crate) asset_id: Option<String>,
    pub(crate) format_id: Option<String>,
    pub(crate) file_set_id: Option<String>,
    pub(crate) file_id: Option<String>,
    /// The asset version the file belongs to (for `transcode`).
    #[serde(default)]
    pub(crate) version_id: Option<String>,
    pub(crate) storage_id: Option<String>,
    pub(crate) storage_method: Option<StorageMethod>,
    /// The file's size when the upload started: a resume refuses a file
    /// whose size changed.
    pub(crate) size: u64,
    pub(crate) part_size: u64,
    pub(crate) upload_url: Option<String>,
    #[serde(default)]
    pub(crate) upload_headers: BTreeMap<String, String>,
    pub(crate) multipart_upload_url: Option<String>,
    /// The storage session: S3's upload id, GCS's session URL, B2's large
    /// file.
    pub(crate) session: Option<Session>,
    /// Parts stored so far (S3, Azure, B2), by part number.
    #[serde(default)]
    pub(crate) parts: BTreeMap<u32, PartRecord>,
    /// The bytes were all stored; only closing the file remains.
    #[serde(default)]
    pub(crate) transferred: bool,
    /// The MD5 of the whole file, once computed.
    pub(crate) md5: Option<String>,
}

/// An open session on a storage.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Session {
    S3 {
        upload_id: String,
    },
    Gcs {
        session_url: String,
        /// The end of the bytes sent to the session so far (set before
        /// each chunk goes): no answer may say more was stored. `None` in
        /// a state saved before this was recorded.
        #[serde(default)]
        sent: Option<u64>,
    },
    B2 {
        upload_url: String,
        authorization_token: String,
        upload_file_id: String,
    },
    Azure,
}

/// One stored part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PartRecord {
    pub(crate) size: u64,
    /// S3's ETag, B2's SHA-1, Azure's block id.
    pub(crate) tag: String,
}

impl UploadState {
    /// The asset the upload goes to, once created or given.
    pub fn asset_id(&self) -> Option<&str> {
        self.asset_id.as_deref()
    }

    /// The file record, once created.
    pub fn file_id(&self) -> Option<&str> {
        self.file_id.as_deref()
    }

    /// The storage method, once the storage is known.
    pub fn storage_method(&self) -> Option<StorageMethod> {
        self.storage_method
    }

    /// How many parts are recorded as stored.
    pub fn parts_done(&self) -> usize {
        self.parts.len()
    }

    /// True when the bytes are all stored (only closing the file may remain).
    pub fn is_transferred(&self) -> bool {
        self.transferred
    }

    /// True when nothing was created yet.
    pub fn is_empty(&self) -> bool {
        self.asset_id.is_none() && self.file_id.is_none()
    }
}

impl fmt::Debug for UploadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // URLs, upload headers and session tokens are credentials: omitted
        f.debug_struct("UploadState")
            .field("asset_id", &self.asset_id)
            .field("format_id", &self.format_id)
            .field("file_set_id", &self.file_set_id)
            .field("file_id", &self.file_id)
            .field("storage_id", &self.storage_id)
            .field("storage_method", &self.storage_method)
            .field("size", &self.size)
            .field("part_size", &self.part_size)
            .field("session_open", &self.session.is_some())
            .field("parts_done", &self.parts.len())
            .field("transferred", &self.transferred)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_and_debug_hides_secrets() {
        let mut state = UploadState {
            asset_id: Some("a".into()),
            file_id: Some("f".into()),
            storage_method: Some(StorageMethod::B2),
            size: 10,
            upload_url: Some("https://b2.example/up?sig=SECRET".into()),
            session: Some(Session::B2 {
                upload_url: "https://b2.example/part?sig=SECRET".into(),
                authorization_token: "TOKEN-SECRET".into(),
                upload_file_id: "id".into(),
            }),
            ..UploadState::default()
        };
        state.parts.insert(
            1,
            PartRecord {
                size: 5,
                tag: "abc".into(),
            },
        );
        let json = serde_json::to_string(&state).unwrap();
        let back: UploadState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
        let debug = format!("{state:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("parts_done: 1"), "{debug}");
    }
}
