//! The async client's entry points to the hand-written requests: the same
//! request types as the blocking client's (transfers, checksum lookup,
//! raw requests), carried out on this client's workers. Each is one line:
//! the work lives once, in `iconik_sync`.

use std::borrow::Cow;
use std::path::PathBuf;

use iconik_sync::transfer::{AbortUpload, Download, MediaUpload, SharedUploadState, Upload};
use iconik_sync::{Method, RequestBuilder};

use crate::Client;

impl Client {
    /// A raw request on this client's workers: see
    /// [`iconik_sync::Client::request`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// use iconik_async::Method;
    /// let me: serde_json::Value = client
    ///     .request(Method::Get, "users", "/v1/users/current/")
    ///     .send::<serde_json::Value>()
    ///     .await?
    ///     .into_data();
    /// # Ok(()) }
    /// ```
    pub fn request(
        &self,
        method: Method,
        service: impl Into<Cow<'static, str>>,
        template: impl Into<Cow<'static, str>>,
    ) -> RequestBuilder<Client> {
        RequestBuilder::new(self.clone(), method, service, template)
    }

    /// Uploads the local file at `path` (the whole transfer on one worker,
    /// its parts on that worker's threads; progress callbacks run there
    /// too): see [`Upload`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client
    ///     .upload("clip.mov")
    ///     .on_progress(|p| eprintln!("{}", p.bytes_done))
    ///     .send()
    ///     .await?;
    /// println!("asset {} md5 {}", report.asset_id, report.md5);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, path: impl Into<PathBuf>) -> Upload<Client> {
        Upload::new(self.clone(), path)
    }

    /// Uploads a proxy of asset `asset_id`: see [`MediaUpload`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let proxy = client.upload_proxy("asset-id", "proxy.mp4").send().await?;
    /// println!("proxy {}", proxy.id);
    /// # Ok(()) }
    /// ```
    pub fn upload_proxy(
        &self,
        asset_id: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> MediaUpload<Client> {
        MediaUpload::proxy(self.clone(), asset_id, path)
    }

    /// Uploads a keyframe of asset `asset_id`: see [`MediaUpload`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let poster = client
    ///     .upload_keyframe("asset-id", "POSTER", "poster.jpg")
    ///     .send()
    ///     .await?;
    /// println!("keyframe {}", poster.id);
    /// # Ok(()) }
    /// ```
    pub fn upload_keyframe(
        &self,
        asset_id: impl Into<String>,
        keyframe_type: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> MediaUpload<Client> {
        MediaUpload::keyframe(self.clone(), asset_id, keyframe_type, path)
    }

    /// Downloads a file of an asset, verified: see [`Download`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client.download("asset-id", "file-id", "clip.mov").send().await?;
    /// println!("{} bytes", report.size);
    /// # Ok(()) }
    /// ```
    pub fn download(
        &self,
        asset_id: impl Into<String>,
        file_id: impl Into<String>,
        dest: impl Into<PathBuf>,
    ) -> Download<Client> {
        Download::new(self.clone(), asset_id, file_id, dest)
    }

    /// Releases an unfinished resumable upload's storage session: see
    /// [`AbortUpload`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// use std::sync::{Arc, Mutex};
    /// use iconik_async::transfer::UploadState;
    /// let state = Arc::new(Mutex::new(UploadState::default()));
    /// if client.upload("big.mxf").resume(&state).send().await.is_err() {
    ///     client.abort_upload(&state).send().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn abort_upload(&self, state: &SharedUploadState) -> AbortUpload<Client> {
        AbortUpload::new(self.clone(), state)
    }

    /// The files iconik has with the checksum of `md5_or_path` (an MD5, or
    /// a local file hashed on the worker): see
    /// [`FilesByChecksum`](iconik_sync::checksum::FilesByChecksum).
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let same = client.files_by_checksum("clip.mov").send().await?;
    /// println!("{} file(s) with the same bytes", same.len());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "files")]
    pub fn files_by_checksum(
        &self,
        md5_or_path: impl Into<String>,
    ) -> iconik_sync::checksum::FilesByChecksum<Client> {
        iconik_sync::checksum::FilesByChecksum::new(self.clone(), md5_or_path)
    }

    #[cfg(feature = "bulk")]
    /// Syncs the local folder `local` into the collection `collection_id`
    /// on one worker (its files on that worker's threads): see
    /// [`SyncUp`](iconik_sync::bulk::SyncUp).
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client.sync_up("./rushes", "collection-id").journal("rushes.journal").send().await?;
    /// println!("{} uploaded", report.transferred.files);
    /// # Ok(()) }
    /// ```
    pub fn sync_up(
        &self,
        local: impl AsRef<std::path::Path>,
        collection_id: impl Into<String>,
    ) -> iconik_sync::bulk::SyncUp<Client> {
        iconik_sync::bulk::SyncUp::new(self.clone(), local, collection_id)
    }

    #[cfg(feature = "bulk")]
    /// Syncs the collection `collection_id` into the local folder `local`
    /// on one worker: see [`SyncDown`](iconik_sync::bulk::SyncDown).
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client.sync_down("collection-id", "./export").send().await?;
    /// println!("{} downloaded", report.transferred.files);
    /// # Ok(()) }
    /// ```
    pub fn sync_down(
        &self,
        collection_id: impl Into<String>,
        local: impl AsRef<std::path::Path>,
    ) -> iconik_sync::bulk::SyncDown<Client> {
        iconik_sync::bulk::SyncDown::new(self.clone(), collection_id, local)
    }
}
