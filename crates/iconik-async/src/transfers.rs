//! Awaitable twins of [`iconik_sync`]'s transfers: each runs the blocking
//! transfer on one worker (its parts on that worker's own threads), like
//! every other call of this facade.

use iconik_sync::transfer::{
    Download, DownloadReport, MediaUploadReport, Upload, UploadReport, UploadState,
};

use crate::{Client, Result};

impl Client {
    /// Awaitable [`iconik_sync::Client::upload`]: the whole upload runs on
    /// one worker. Progress callbacks are called on that worker's threads
    /// (they are `Send + 'static`). Dropping the future starts no new
    /// part; parts in flight finish and the storage session is released.
    ///
    /// ```no_run
    /// use iconik_async::transfer::Upload;
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client
    ///     .upload(&Upload::new("clip.mov").on_progress(|p| eprintln!("{}", p.bytes_done)))
    ///     .await?;
    /// println!("asset {} md5 {}", report.asset_id, report.md5);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::upload`]; also
    /// [`Error::Closed`](crate::Error::Closed) after
    /// [`close`](Self::close) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn upload(&self, upload: &Upload) -> Result<UploadReport> {
        let upload = upload.clone();
        self.run(move |c| c.upload(&upload)).await
    }

    /// Awaitable [`iconik_sync::Client::upload_resumable`]: `state` is
    /// moved to the worker and handed back filled in, whether the upload
    /// succeeded or not (left as it was when the call never ran or its
    /// worker failed).
    ///
    /// ```no_run
    /// use iconik_async::transfer::{Upload, UploadState};
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let upload = Upload::new("big.mxf");
    /// let mut state = UploadState::default();
    /// if client.upload_resumable(&upload, &mut state).await.is_err() {
    ///     // try again later from the parts already stored
    ///     client.upload_resumable(&upload, &mut state).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::upload_resumable`], plus
    /// [`Error::Closed`](crate::Error::Closed) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn upload_resumable(
        &self,
        upload: &Upload,
        state: &mut UploadState,
    ) -> Result<UploadReport> {
        let upload = upload.clone();
        let mut owned = state.clone();
        let (back, result) = self
            .call(move |c| {
                let result = c.upload_resumable(&upload, &mut owned);
                (owned, result)
            })
            .await?;
        *state = back;
        result
    }

    /// Awaitable [`iconik_sync::Client::abort_upload`].
    ///
    /// ```no_run
    /// # async fn demo(client: iconik_async::Client, mut state: iconik_async::transfer::UploadState) -> iconik_async::Result<()> {
    /// client.abort_upload(&mut state).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::abort_upload`], plus
    /// [`Error::Closed`](crate::Error::Closed) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn abort_upload(&self, state: &mut UploadState) -> Result<()> {
        let mut owned = state.clone();
        let (back, result) = self
            .call(move |c| {
                let result = c.abort_upload(&mut owned);
                (owned, result)
            })
            .await?;
        *state = back;
        result
    }

    /// Awaitable [`iconik_sync::Client::upload_proxy`].
    ///
    /// ```no_run
    /// use iconik_async::transfer::Upload;
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let proxy = client.upload_proxy("asset-id", &Upload::new("proxy.mp4")).await?;
    /// println!("proxy {}", proxy.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::upload_proxy`], plus
    /// [`Error::Closed`](crate::Error::Closed) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn upload_proxy(&self, asset_id: &str, upload: &Upload) -> Result<MediaUploadReport> {
        let (asset_id, upload) = (asset_id.to_owned(), upload.clone());
        self.run(move |c| c.upload_proxy(&asset_id, &upload)).await
    }

    /// Awaitable [`iconik_sync::Client::upload_keyframe`].
    ///
    /// ```no_run
    /// use iconik_async::transfer::Upload;
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let poster = client
    ///     .upload_keyframe("asset-id", "POSTER", &Upload::new("poster.jpg"))
    ///     .await?;
    /// println!("keyframe {}", poster.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::upload_keyframe`], plus
    /// [`Error::Closed`](crate::Error::Closed) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn upload_keyframe(
        &self,
        asset_id: &str,
        keyframe_type: &str,
        upload: &Upload,
    ) -> Result<MediaUploadReport> {
        let (asset_id, kind, upload) = (
            asset_id.to_owned(),
            keyframe_type.to_owned(),
            upload.clone(),
        );
        self.run(move |c| c.upload_keyframe(&asset_id, &kind, &upload))
            .await
    }

    /// Awaitable [`iconik_sync::Client::download`]: the download runs on
    /// one worker, streaming to disk.
    ///
    /// ```no_run
    /// use iconik_async::transfer::Download;
    /// # async fn demo(client: iconik_async::Client) -> iconik_async::Result<()> {
    /// let report = client.download(&Download::new("asset-id", "file-id", "clip.mov")).await?;
    /// println!("{} bytes", report.size);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`iconik_sync::Client::download`], plus
    /// [`Error::Closed`](crate::Error::Closed) and
    /// [`Error::WorkerFailed`](crate::Error::WorkerFailed).
    pub async fn download(&self, download: &Download) -> Result<DownloadReport> {
        let download = download.clone();
        self.run(move |c| c.download(&download)).await
    }
}
