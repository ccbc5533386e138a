//! Upload and download: a local file into iconik (asset, format, file set,
//! file record, the bytes to the storage, the file closed) with one call,
//! then back to disk with another, with progress lines and the MD5 checked
//! on both ends.
//!
//! ```sh
//! cargo run --example upload_download
//! ```
//!
//! With `ICONIK_APP_ID` and `ICONIK_AUTH_TOKEN` set (and optionally
//! `ICONIK_BASE_URL`) it uploads a generated 12 MiB file to that iconik's
//! default files storage, creating one asset there; otherwise it starts the
//! emulator in-process (whose default storage is its S3 fake) and needs no
//! credentials.

use std::path::{Path, PathBuf};

use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_sync::transfer::Progress;
use iconik_sync::Client;

/// What the round trip did, for the test that runs it.
#[derive(Debug)]
pub struct Summary {
    /// The new asset.
    pub asset_id: String,
    /// Its file.
    pub file_id: String,
    /// iconik's name of the storage method the bytes went by.
    pub storage_method: String,
    /// Requests that carried the bytes (1, or the multipart parts).
    pub parts: u32,
    /// Bytes uploaded.
    pub size: u64,
    /// MD5 computed while uploading (lowercase hex).
    pub md5: String,
    /// Whether the download matched the size and MD5 iconik recorded.
    pub checksum_verified: bool,
    /// Whether the downloaded file has the uploaded bytes.
    pub identical: bool,
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _emulator) = connect()?;
    let dir = std::env::temp_dir().join(format!("iconik-upload-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let source = generate(&dir.join("clip.bin"), 12 * 1024 * 1024)?;
    let summary = run(&client, &source, &dir.join("clip.downloaded.bin"), None);
    std::fs::remove_dir_all(&dir)?;
    println!("{:#?}", summary?);
    Ok(())
}

/// Uploads `source` (to `storage_id`, or the account's default files
/// storage), then downloads the new file to `dest`.
pub fn run(
    client: &Client,
    source: &Path,
    dest: &Path,
    storage_id: Option<&str>,
) -> Result<Summary, Box<dyn std::error::Error>> {
    // the upload: parts of 5 MiB (S3's smallest), two at a time
    let mut upload = client
        .upload(source)
        .title("Upload example")
        .part_size(5 * 1024 * 1024)
        .parallelism(2)
        .on_progress(|p| line("up", &p));
    if let Some(id) = storage_id {
        upload = upload.storage_id(id);
    }
    let up = upload.send()?;
    println!(
        "uploaded {} bytes to asset {} file {} by {} in {} part(s), {} retries, {:?}",
        up.size, up.asset_id, up.file_id, up.storage_method, up.parts, up.retries, up.elapsed
    );

    // the download: streamed to a temporary name beside `dest`, checked
    // against iconik's size and MD5, then renamed into place
    let down = client
        .download(&up.asset_id, &up.file_id, dest)
        .on_progress(|p| line("down", &p))
        .send()?;
    println!(
        "downloaded {} bytes to {} (checksum verified: {})",
        down.size,
        down.path.display(),
        down.checksum_verified
    );

    let identical = std::fs::read(source)? == std::fs::read(dest)?;
    Ok(Summary {
        asset_id: up.asset_id,
        file_id: up.file_id,
        storage_method: up.storage_method.as_str().to_string(),
        parts: up.parts,
        size: up.size,
        md5: up.md5,
        checksum_verified: down.checksum_verified,
        identical,
    })
}

/// One progress line (the callbacks come at most every 250 ms by default).
fn line(direction: &str, p: &Progress) {
    let percent = p.fraction().map_or(0.0, |f| f * 100.0);
    eprintln!(
        "{direction}: {} bytes ({percent:.0}%), {:.1} MiB/s",
        p.bytes_done,
        p.bytes_per_second / (1024.0 * 1024.0)
    );
}

/// Writes `size` bytes of a repeating pattern to `path`.
pub fn generate(path: &Path, size: usize) -> std::io::Result<PathBuf> {
    let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    std::fs::write(path, bytes)?;
    Ok(path.to_path_buf())
}

/// The iconik in the environment, or an emulator started here.
fn connect() -> Result<(Client, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some() {
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new())?;
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()?;
    Ok((client, Some(emulator)))
}
