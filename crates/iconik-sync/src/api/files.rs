//! `client.files()`: formats, file sets, files, proxies, keyframes,
//! storages, S3 multipart URLs and checksum lookups.
//!
//! Lists of the files service page with `per_page` + `last_id`: the
//! one-page methods take [`FilesListParams`] (set `last_id` yourself), the
//! `*_all` twins follow `last_id` lazily.

use std::path::Path;

use crate::transport::{send_to_storage, Exchange};

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`FilesApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __files_surface {
    ($cb:ident) => {
        $cb! {
            /// The `files` service: `client.files()`.
            ///
            /// ```no_run
            /// # fn main() -> iconik_sync::Result<()> {
            /// let client = iconik_sync::Client::from_env()?;
            /// let matches = client.files().get_files_by_checksum("d41d8cd98f00b204e9800998ecf8427e")?;
            /// # Ok(()) }
            /// ```
            FilesApi(files) => "files" {
                // ---- formats ------------------------------------------------

                /// One page of an asset's formats.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_formats("asset-id", &FilesListParams::default())?;
                /// for format in &page.objects {
                ///     println!("{:?}", format.name);
                /// }
                /// # Ok(()) }
                /// ```
                call fn get_asset_formats(asset_id: &str, params: &FilesListParams) -> Result<Response<Page<Format>>>
                    = Get "/v1/assets/{asset_id}/formats/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every format of an asset, following `last_id` lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// for format in client.files().get_asset_formats_all("asset-id", &FilesListParams::default()) {
                ///     println!("{:?}", format?.name);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn get_asset_formats_all(asset_id: &str, params: &FilesListParams) -> Paginator<Format>
                    = Get "/v1/assets/{asset_id}/formats/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::LastId);

                /// One format of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let format = client.files().get_asset_format("asset-id", "format-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when the asset has no such format.
                call fn get_asset_format(asset_id: &str, format_id: &str) -> Result<Response<Format>>
                    = Get "/v1/assets/{asset_id}/formats/{format_id}/" => |op| op.path_params([asset_id, format_id]).send();

                /// Creates a format on an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FormatCreate;
                /// let format = client.files().create_asset_format("asset-id", &FormatCreate::new("ORIGINAL"))?;
                /// println!("{:?}", format.id);
                /// # Ok(()) }
                /// ```
                call fn create_asset_format(asset_id: &str, body: &FormatCreate) -> Result<Response<Format>>
                    = Post "/v1/assets/{asset_id}/formats/" => |op| op.path_param(asset_id).json(body).send();

                /// Replaces a format (PUT).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FormatCreate;
                /// let body = FormatCreate::new("ORIGINAL").is_online(true);
                /// client.files().update_asset_format("asset-id", "format-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn update_asset_format(asset_id: &str, format_id: &str, body: &FormatCreate) -> Result<Response<Format>>
                    = Put "/v1/assets/{asset_id}/formats/{format_id}/" => |op| op.path_params([asset_id, format_id]).json(body).send();

                /// Changes the fields set in `body` of a format (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Format;
                /// client.files().partial_update_asset_format("asset-id", "format-id", &Format::default().is_online(false))?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_asset_format(asset_id: &str, format_id: &str, body: &Format) -> Result<Response<Format>>
                    = Patch "/v1/assets/{asset_id}/formats/{format_id}/" => |op| op.path_params([asset_id, format_id]).json(body).send();

                /// Adds a component (a stream: video, audio, ...) to a format.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{ComponentCreate, ComponentType};
                /// let body = ComponentCreate::new("video", ComponentType::Video);
                /// let component = client.files().create_asset_format_component("asset-id", "format-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn create_asset_format_component(asset_id: &str, format_id: &str, body: &ComponentCreate) -> Result<Response<Component>>
                    = Post "/v1/assets/{asset_id}/formats/{format_id}/components/" => |op| op.path_params([asset_id, format_id]).json(body).send();

                /// The components of a format (one page; iconik sends them all).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let components = client.files().fetch_asset_format_components("asset-id", "format-id")?;
                /// # Ok(()) }
                /// ```
                call fn fetch_asset_format_components(asset_id: &str, format_id: &str) -> Result<Response<Page<Component>>>
                    = Get "/v1/assets/{asset_id}/formats/{format_id}/components/" => |op| op.path_params([asset_id, format_id]).send();

                // ---- file sets ----------------------------------------------

                /// One page of an asset's file sets.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_filesets("asset-id", &FilesListParams::default().file_count(true))?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_filesets(asset_id: &str, params: &FilesListParams) -> Result<Response<Page<FileSet>>>
                    = Get "/v1/assets/{asset_id}/file_sets/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every file set of an asset, following `last_id` lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let sets: Vec<_> = client.files()
                ///     .get_asset_filesets_all("asset-id", &FilesListParams::default())
                ///     .collect::<Result<_, _>>()?;
                /// # Ok(()) }
                /// ```
                iter fn get_asset_filesets_all(asset_id: &str, params: &FilesListParams) -> Paginator<FileSet>
                    = Get "/v1/assets/{asset_id}/file_sets/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::LastId);

                /// Creates a file set on an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FileSetCreate;
                /// let body = FileSetCreate::new("media/", Vec::<String>::new(), "format-id", "clip.mov")
                ///     .storage_id("storage-id");
                /// let set = client.files().create_asset_file_sets("asset-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn create_asset_file_sets(asset_id: &str, body: &FileSetCreate) -> Result<Response<FileSet>>
                    = Post "/v1/assets/{asset_id}/file_sets/" => |op| op.path_param(asset_id).json(body).send();

                /// Replaces a file set (PUT `.../file_sets/{file_set_id}/`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FileSetCreate;
                /// let body = FileSetCreate::new("media/", Vec::<String>::new(), "format-id", "clip.mov");
                /// client.files().update_asset_file_set("asset-id", "file-set-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn update_asset_file_set(asset_id: &str, file_set_id: &str, body: &FileSetCreate) -> Result<Response<FileSet>>
                    = Put "/v1/assets/{asset_id}/file_sets/{file_set_id}/" => |op| op.path_params([asset_id, file_set_id]).json(body).send();

                /// Changes the fields set in `body` of a file set (PATCH
                /// `.../file_sets/{file_set_id}/`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FileSet;
                /// client.files().partial_update_asset_file_set("asset-id", "file-set-id", &FileSet::default().name("renamed"))?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_asset_file_set(asset_id: &str, file_set_id: &str, body: &FileSet) -> Result<Response<FileSet>>
                    = Patch "/v1/assets/{asset_id}/file_sets/{file_set_id}/" => |op| op.path_params([asset_id, file_set_id]).json(body).send();

                /// Deletes a file set with its files. iconik answers 200 with
                /// the file set when it went to the delete queue (`Some`), 204
                /// when it was deleted at once (`None`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FileSetDeleteParams;
                /// let params = FileSetDeleteParams::default().keep_source(true);
                /// let queued = client.files().delete_asset_file_set("asset-id", "file-set-id", &params)?;
                /// # Ok(()) }
                /// ```
                call fn delete_asset_file_set(asset_id: &str, file_set_id: &str, params: &FileSetDeleteParams) -> Result<Response<Option<FileSet>>>
                    = Delete "/v1/assets/{asset_id}/file_sets/{file_set_id}/" => |op| op.path_params([asset_id, file_set_id]).query_params(params).send();

                /// One page of the files of a file set.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_file_set_files("asset-id", "file-set-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_file_set_files(asset_id: &str, file_set_id: &str, params: &FilesListParams) -> Result<Response<Page<File>>>
                    = Get "/v1/assets/{asset_id}/file_sets/{file_set_id}/files/" => |op| op.path_params([asset_id, file_set_id]).query_params(params).send();

                // ---- files --------------------------------------------------

                /// One page of an asset's files.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_files("asset-id", &FilesListParams::default().per_page(100u32))?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_files(asset_id: &str, params: &FilesListParams) -> Result<Response<Page<File>>>
                    = Get "/v1/assets/{asset_id}/files/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every file of an asset, following `last_id` lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// for file in client.files().get_asset_files_all("asset-id", &FilesListParams::default()) {
                ///     println!("{:?}", file?.original_name);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn get_asset_files_all(asset_id: &str, params: &FilesListParams) -> Paginator<File>
                    = Get "/v1/assets/{asset_id}/files/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::LastId);

                /// One file of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let file = client.files().get_asset_file("asset-id", "file-id")?;
                /// println!("{:?} {:?}", file.original_name, file.checksum);
                /// # Ok(()) }
                /// ```
                call fn get_asset_file(asset_id: &str, file_id: &str) -> Result<Response<File>>
                    = Get "/v1/assets/{asset_id}/files/{file_id}/" => |op| op.path_params([asset_id, file_id]).send();

                /// Creates a file entry on an asset (iconik answers with its
                /// upload URLs).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{FileCreate, FileType};
                /// let body = FileCreate::new("media/", "clip.mov", FileType::File)
                ///     .file_set_id("file-set-id").format_id("format-id").size(1024i64);
                /// let file = client.files().create_asset_file("asset-id", &body)?;
                /// println!("upload to {:?}", file.upload_url);
                /// # Ok(()) }
                /// ```
                call fn create_asset_file(asset_id: &str, body: &FileCreate) -> Result<Response<File>>
                    = Post "/v1/assets/{asset_id}/files/" => |op| op.path_param(asset_id).json(body).send();

                /// Replaces a file entry (PUT).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{FileCreate, FileType};
                /// let body = FileCreate::new("media/", "clip.mov", FileType::File).file_set_id("file-set-id");
                /// client.files().update_asset_file("asset-id", "file-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn update_asset_file(asset_id: &str, file_id: &str, body: &FileCreate) -> Result<Response<File>>
                    = Put "/v1/assets/{asset_id}/files/{file_id}/" => |op| op.path_params([asset_id, file_id]).json(body).send();

                /// Changes the fields set in `body` of a file entry (PATCH),
                /// e.g. to close it after an upload.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{File, FileStatus};
                /// client.files().partial_update_asset_file("asset-id", "file-id", &File::default().status(FileStatus::Closed))?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_asset_file(asset_id: &str, file_id: &str, body: &File) -> Result<Response<File>>
                    = Patch "/v1/assets/{asset_id}/files/{file_id}/" => |op| op.path_params([asset_id, file_id]).json(body).send();

                /// Deletes a file entry.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.files().delete_asset_file("asset-id", "file-id")?;
                /// # Ok(()) }
                /// ```
                call fn delete_asset_file(asset_id: &str, file_id: &str) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/files/{file_id}/" => |op| op.path_params([asset_id, file_id]).send();

                // ---- by version ---------------------------------------------

                /// One page of the files of one version of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_files_by_version("asset-id", "version-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_files_by_version(asset_id: &str, version_id: &str, params: &FilesListParams) -> Result<Response<Page<File>>>
                    = Get "/v1/assets/{asset_id}/versions/{version_id}/files/" => |op| op.path_params([asset_id, version_id]).query_params(params).send();

                /// One page of the file sets of one version of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_file_sets_by_version("asset-id", "version-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_file_sets_by_version(asset_id: &str, version_id: &str, params: &FilesListParams) -> Result<Response<Page<FileSet>>>
                    = Get "/v1/assets/{asset_id}/versions/{version_id}/file_sets/" => |op| op.path_params([asset_id, version_id]).query_params(params).send();

                /// One page of the formats of one version of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_formats_by_version("asset-id", "version-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_formats_by_version(asset_id: &str, version_id: &str, params: &FilesListParams) -> Result<Response<Page<Format>>>
                    = Get "/v1/assets/{asset_id}/versions/{version_id}/formats/" => |op| op.path_params([asset_id, version_id]).query_params(params).send();

                // ---- proxies ------------------------------------------------

                /// One page of an asset's proxies.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_proxies("asset-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_proxies(asset_id: &str, params: &FilesListParams) -> Result<Response<Page<Proxy>>>
                    = Get "/v1/assets/{asset_id}/proxies/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every proxy of an asset, following `last_id` lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let n = client.files().get_asset_proxies_all("asset-id", &FilesListParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn get_asset_proxies_all(asset_id: &str, params: &FilesListParams) -> Paginator<Proxy>
                    = Get "/v1/assets/{asset_id}/proxies/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::LastId);

                /// One proxy of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let proxy = client.files().get_asset_proxy("asset-id", "proxy-id")?;
                /// println!("{:?}", proxy.url);
                /// # Ok(()) }
                /// ```
                call fn get_asset_proxy(asset_id: &str, proxy_id: &str) -> Result<Response<Proxy>>
                    = Get "/v1/assets/{asset_id}/proxies/{proxy_id}/" => |op| op.path_params([asset_id, proxy_id]).send();

                /// Creates a proxy on an asset (iconik answers with its upload
                /// URLs). Set `content_type` with
                /// [`extra_field`](crate::models::Proxy::extra_field) if needed.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Proxy;
                /// let body = Proxy::default().name("proxy.mp4").filename("proxy.mp4").storage_id("storage-id");
                /// let proxy = client.files().create_asset_proxy("asset-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn create_asset_proxy(asset_id: &str, body: &Proxy) -> Result<Response<Proxy>>
                    = Post "/v1/assets/{asset_id}/proxies/" => |op| op.path_param(asset_id).json(body).send();

                /// Changes the fields set in `body` of a proxy (PATCH, as
                /// pythonik's `update_asset_proxy` does).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{FileStatus, Proxy};
                /// client.files().update_asset_proxy("asset-id", "proxy-id", &Proxy::default().status(FileStatus::Closed))?;
                /// # Ok(()) }
                /// ```
                call fn update_asset_proxy(asset_id: &str, proxy_id: &str, body: &Proxy) -> Result<Response<Proxy>>
                    = Patch "/v1/assets/{asset_id}/proxies/{proxy_id}/" => |op| op.path_params([asset_id, proxy_id]).json(body).send();

                /// Starts an upload of a proxy's file on its storage and
                /// returns the storage's upload id: reads the proxy, then
                /// `POST`s its `multipart_upload_url` (S3: the `UploadId` of
                /// the answer) or its `upload_url` with `X-Goog-Resumable:
                /// start` (GCS: the `X-GUploader-UploadID` header, and the
                /// session URL from `Location`). The storage request carries no
                /// iconik credentials and is not paced or retried.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let session = client.files().get_upload_id_for_proxy("asset-id", "proxy-id")?;
                /// let part = client.files().get_s3_presigned_url("asset-id", "proxy-id", &session.upload_id, &1)?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// Reading the proxy fails as any call does;
                /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the
                /// proxy lives on another storage method or lacks the URL;
                /// [`Error::Api`](crate::Error::Api) when the storage refuses;
                /// [`Error::Decode`](crate::Error::Decode) when its answer has no upload id.
                call fn get_upload_id_for_proxy(asset_id: &str, proxy_id: &str) -> Result<UploadSession>
                    = Get "/v1/assets/{asset_id}/proxies/{proxy_id}/" => |op| proxy_upload_session(op.path_params([asset_id, proxy_id]));

                // ---- keyframes ----------------------------------------------

                /// One page of an asset's keyframes.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let page = client.files().get_asset_keyframes("asset-id", &FilesListParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_keyframes(asset_id: &str, params: &FilesListParams) -> Result<Response<Page<Keyframe>>>
                    = Get "/v1/assets/{asset_id}/keyframes/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every keyframe of an asset, following `last_id` lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilesListParams;
                /// let n = client.files().get_asset_keyframes_all("asset-id", &FilesListParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn get_asset_keyframes_all(asset_id: &str, params: &FilesListParams) -> Paginator<Keyframe>
                    = Get "/v1/assets/{asset_id}/keyframes/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::LastId);

                /// One keyframe of an asset (iconik documents the answer as
                /// a file entry; the keyframe fields decode as [`Keyframe`]).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let keyframe = client.files().get_asset_keyframe("asset-id", "keyframe-id")?;
                /// # Ok(()) }
                /// ```
                call fn get_asset_keyframe(asset_id: &str, keyframe_id: &str) -> Result<Response<Keyframe>>
                    = Get "/v1/assets/{asset_id}/keyframes/{keyframe_id}/" => |op| op.path_params([asset_id, keyframe_id]).send();

                /// Creates a keyframe on an asset (iconik answers with its
                /// upload URLs).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{KeyframeCreate, KeyframeType};
                /// let body = KeyframeCreate::new(KeyframeType::Poster).filename("poster.jpg");
                /// let keyframe = client.files().create_asset_keyframe("asset-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn create_asset_keyframe(asset_id: &str, body: &KeyframeCreate) -> Result<Response<Keyframe>>
                    = Post "/v1/assets/{asset_id}/keyframes/" => |op| op.path_param(asset_id).json(body).send();

                /// Replaces a keyframe (PUT; pythonik sends POST here, which
                /// iconik does not accept).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{KeyframeCreate, KeyframeType};
                /// client.files().update_keyframe("asset-id", "keyframe-id", &KeyframeCreate::new(KeyframeType::Keyframe))?;
                /// # Ok(()) }
                /// ```
                call fn update_keyframe(asset_id: &str, keyframe_id: &str, body: &KeyframeCreate) -> Result<Response<Keyframe>>
                    = Put "/v1/assets/{asset_id}/keyframes/{keyframe_id}/" => |op| op.path_params([asset_id, keyframe_id]).json(body).send();

                /// Changes the fields set in `body` of a keyframe (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{FileStatus, Keyframe};
                /// client.files().partial_update_keyframe("asset-id", "keyframe-id", &Keyframe::default().status(FileStatus::Closed))?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_keyframe(asset_id: &str, keyframe_id: &str, body: &Keyframe) -> Result<Response<Keyframe>>
                    = Patch "/v1/assets/{asset_id}/keyframes/{keyframe_id}/" => |op| op.path_params([asset_id, keyframe_id]).json(body).send();

                /// Deletes a keyframe.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.files().delete_asset_keyframe("asset-id", "keyframe-id")?;
                /// # Ok(()) }
                /// ```
                call fn delete_asset_keyframe(asset_id: &str, keyframe_id: &str) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/keyframes/{keyframe_id}/" => |op| op.path_params([asset_id, keyframe_id]).send();

                /// Starts an upload of a keyframe's file on its storage and
                /// returns the upload id, like
                /// [`get_upload_id_for_proxy`](Self::get_upload_id_for_proxy):
                /// reads the keyframe (pythonik takes the keyframe object; this
                /// takes its ids), then starts the GCS resumable session or the
                /// S3 multipart upload.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let session = client.files().get_upload_id_for_keyframe("asset-id", "keyframe-id")?;
                /// println!("{} {:?}", session.upload_id, session.location);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_upload_id_for_proxy`](Self::get_upload_id_for_proxy).
                call fn get_upload_id_for_keyframe(asset_id: &str, keyframe_id: &str) -> Result<UploadSession>
                    = Get "/v1/assets/{asset_id}/keyframes/{keyframe_id}/" => |op| keyframe_upload_session(op.path_params([asset_id, keyframe_id]));

                // ---- S3 multipart -------------------------------------------

                /// The presigned URL of one part of a proxy's S3 multipart
                /// upload (`parts_num` is the part number).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let parts = client.files().get_s3_presigned_url("asset-id", "proxy-id", "upload-id", &1)?;
                /// let url = parts.objects.iter().flatten().find_map(|p| p.url.clone());
                /// # Ok(()) }
                /// ```
                call fn get_s3_presigned_url(asset_id: &str, proxy_id: &str, upload_id: &str, part_number: &u32) -> Result<Response<MultipartUploadUrls>>
                    = Get "/v1/assets/{asset_id}/proxies/{proxy_id}/multipart_url/part/" => |op| op
                        .path_params([asset_id, proxy_id])
                        .query("upload_id", upload_id)
                        .query("parts_num", part_number)
                        .send();

                /// The URL that completes a proxy's S3 multipart upload
                /// (`type=complete_url`): see `complete_url` of the answer.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let urls = client.files().get_s3_complete_url("asset-id", "proxy-id", "upload-id")?;
                /// println!("{:?}", urls.complete_url);
                /// # Ok(()) }
                /// ```
                call fn get_s3_complete_url(asset_id: &str, proxy_id: &str, upload_id: &str) -> Result<Response<MultipartUrls>>
                    = Get "/v1/assets/{asset_id}/proxies/{proxy_id}/multipart_url/" => |op| op
                        .path_params([asset_id, proxy_id])
                        .query("upload_id", upload_id)
                        .query("type", "complete_url")
                        .send();

                // ---- storages -----------------------------------------------

                /// One page of storages.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::StorageListParams;
                /// let page = client.files().get_storages(&StorageListParams::default().purpose("FILES"))?;
                /// # Ok(()) }
                /// ```
                call fn get_storages(params: &StorageListParams) -> Result<Response<Page<Storage>>>
                    = Get "/v1/storages/" => |op| op.query_params(params).send();

                /// Every storage, page by page (`page=1, 2, ...`), lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::StorageListParams;
                /// for storage in client.files().get_storages_all(&StorageListParams::default()) {
                ///     println!("{:?}", storage?.name);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn get_storages_all(params: &StorageListParams) -> Paginator<Storage>
                    = Get "/v1/storages/" => |op| Paginator::new(op.query_params(params), Style::PageNumber);

                /// One storage.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let storage = client.files().get_storage("storage-id")?;
                /// println!("{:?} {:?}", storage.name, storage.method);
                /// # Ok(()) }
                /// ```
                call fn get_storage(storage_id: &str) -> Result<Response<Storage>>
                    = Get "/v1/storages/{storage_id}/" => |op| op.path_param(storage_id).send();

                /// One page of the files on a storage (or in one of its folders,
                /// with `path` / `directory_path`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::StorageFileListParams;
                /// let page = client.files().fetch_storage_files("storage-id", &StorageFileListParams::default().directory_path("media"))?;
                /// # Ok(()) }
                /// ```
                call fn fetch_storage_files(storage_id: &str, params: &StorageFileListParams) -> Result<Response<Page<File>>>
                    = Get "/v1/storages/{storage_id}/files/" => |op| op.path_param(storage_id).query_params(params).send();

                /// Every file on a storage, with a scroll cursor (`scroll=true`,
                /// then `scroll_id`), lazily.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::StorageFileListParams;
                /// let n = client.files().fetch_storage_files_all("storage-id", &StorageFileListParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn fetch_storage_files_all(storage_id: &str, params: &StorageFileListParams) -> Paginator<File>
                    = Get "/v1/storages/{storage_id}/files/" => |op| Paginator::new(op.path_param(storage_id).query_params(params), Style::Scroll);

                /// Creates a file entry on a storage without an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{FileCreate, FileType};
                /// let body = FileCreate::new("media/", "clip.mov", FileType::File).size(1024i64);
                /// let file = client.files().create_storage_file("storage-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn create_storage_file(storage_id: &str, body: &FileCreate) -> Result<Response<File>>
                    = Post "/v1/storages/{storage_id}/files/" => |op| op.path_param(storage_id).json(body).send();

                // ---- delete queue, jobs, checksums --------------------------

                /// One page of the file sets in the delete queue.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::DeleteQueueParams;
                /// let page = client.files().get_deleted_file_sets(&DeleteQueueParams::default())?;
                /// # Ok(()) }
                /// ```
                call fn get_deleted_file_sets(params: &DeleteQueueParams) -> Result<Response<Page<FileSet>>>
                    = Get "/v1/delete_queue/file_sets/" => |op| op.query_params(params).send();

                /// One page of the formats in the delete queue.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::DeleteQueueParams;
                /// let page = client.files().get_deleted_formats(&DeleteQueueParams::default().per_page(50u32))?;
                /// # Ok(()) }
                /// ```
                call fn get_deleted_formats(params: &DeleteQueueParams) -> Result<Response<Page<Format>>>
                    = Get "/v1/delete_queue/formats/" => |op| op.query_params(params).send();

                /// Starts a job that extracts a file's media info.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::TranscodeRequest;
                /// let job = client.files().create_mediainfo_job("asset-id", "file-id", &TranscodeRequest::default().priority(5i64))?;
                /// println!("{:?}", job.job_id);
                /// # Ok(()) }
                /// ```
                call fn create_mediainfo_job(asset_id: &str, file_id: &str, body: &TranscodeRequest) -> Result<Response<TranscodeResponse>>
                    = Post "/v1/assets/{asset_id}/files/{file_id}/mediainfo/" => |op| op.path_params([asset_id, file_id]).json(body).send();

                /// Starts a job that transcodes a file into proxies and
                /// keyframes (`POST .../files/{file_id}/keyframes/`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::TranscodeRequest;
                /// let job = client.files().create_transcode_job("asset-id", "file-id", &TranscodeRequest::default().priority(5i64))?;
                /// # Ok(()) }
                /// ```
                call fn create_transcode_job(asset_id: &str, file_id: &str, body: &TranscodeRequest) -> Result<Response<TranscodeResponse>>
                    = Post "/v1/assets/{asset_id}/files/{file_id}/keyframes/" => |op| op.path_params([asset_id, file_id]).json(body).send();

                /// Every file whose MD5 is `checksum`, across all pages.
                ///
                /// `checksum` is either an MD5 (exactly 32 hex digits, sent in
                /// lowercase) or else the path of a local file, whose MD5 is
                /// computed first by streaming it in 64 KiB chunks (constant
                /// memory, any size; see [`crate::checksum`]). For a path that
                /// could look like an MD5, use
                /// [`get_files_by_checksum_of_file`](Self::get_files_by_checksum_of_file).
                ///
                /// The lookup follows iconik's `last_id` pagination to the end
                /// and returns every match (an empty `Vec` when there is none),
                /// so it sends one request per page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let by_md5 = client.files().get_files_by_checksum("d41d8cd98f00b204e9800998ecf8427e")?;
                /// let by_path = client.files().get_files_by_checksum("/media/clip.mov")?;
                /// for file in by_md5.iter().chain(&by_path) {
                ///     println!("{:?} on asset {:?}", file.original_name, file.asset_id);
                /// }
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// [`Error::Io`](crate::Error::Io) (with the path) when the file
                /// cannot be read; nothing is sent then. Any error of a page
                /// request; matches of earlier pages are dropped.
                call fn get_files_by_checksum(checksum: &str) -> Result<Vec<File>>
                    = Get "/v1/files/checksum/{checksum}/" => |op| checksum_lookup(op, checksum);

                /// Every file whose MD5 equals that of the local file at
                /// `path` (streamed in 64 KiB chunks), across all pages; like
                /// [`get_files_by_checksum`](Self::get_files_by_checksum) without
                /// the MD5-or-path guess.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let matches = client.files().get_files_by_checksum_of_file(std::path::Path::new("clip.mov"))?;
                /// println!("{} copies in iconik", matches.len());
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// [`Error::Io`](crate::Error::Io) (with the path) when the file
                /// cannot be read; any error of a page request.
                call fn get_files_by_checksum_of_file(path: &std::path::Path) -> Result<Vec<File>>
                    = Get "/v1/files/checksum/{checksum}/" => |op| checksum_lookup_of_file(op, path);
            }
        }
    };
}

__files_surface!(sync_handler);

/// `get_files_by_checksum`: an MD5 as given, anything else as a path.
fn checksum_lookup(op: RequestBuilder, checksum: &str) -> Result<Vec<File>> {
    if crate::checksum::is_md5(checksum) {
        collect_matches(op, checksum.to_ascii_lowercase())
    } else {
        checksum_lookup_of_file(op, Path::new(checksum))
    }
}

/// `get_files_by_checksum_of_file`: hash the file, then look it up.
fn checksum_lookup_of_file(op: RequestBuilder, path: &Path) -> Result<Vec<File>> {
    let md5 = crate::checksum::md5_file(path)?;
    collect_matches(op, md5)
}

fn collect_matches(op: RequestBuilder, md5: String) -> Result<Vec<File>> {
    Paginator::<File>::new(op.path_param(md5), Style::LastId)
        .collect_bounded(crate::page::DEFAULT_MAX_COLLECTED_ITEMS)
}

fn proxy_upload_session(op: RequestBuilder) -> Result<UploadSession> {
    let client = op.client().clone();
    let name = op.operation().name().to_owned();
    let proxy = op.send::<Proxy>()?.into_data();
    start_upload(
        &client,
        &name,
        proxy.storage_method.as_deref(),
        proxy.upload_url.as_deref(),
        proxy.multipart_upload_url.as_deref(),
    )
}

fn keyframe_upload_session(op: RequestBuilder) -> Result<UploadSession> {
    let client = op.client().clone();
    let name = op.operation().name().to_owned();
    let keyframe = op.send::<Keyframe>()?.into_data();
    // not in iconik's keyframe schema, but sent for S3 storages
    let multipart = keyframe
        .extra
        .get("multipart_upload_url")
        .and_then(serde_json::Value::as_str);
    start_upload(
        &client,
        &name,
        keyframe.storage_method.as_deref(),
        keyframe.upload_url.as_deref(),
        multipart,
    )
}

/// Opens the upload session on the storage (S3 multipart or GCS resumable).
fn start_upload(
    client: &Client,
    name: &str,
    storage_method: Option<&str>,
    upload_url: Option<&str>,
    multipart_upload_url: Option<&str>,
) -> Result<UploadSession> {
    let method = StorageMethod::from(storage_method.unwrap_or(""));
    let missing = |field: &str| {
        Error::InvalidArgument(format!(
            "{name}: the {method} object has no {field} to start an upload"
        ))
    };
    match method {
        StorageMethod::S3 => {
            let url = multipart_upload_url.ok_or_else(|| missing("multipart_upload_url"))?;
            let answer = send_to_storage(client, name, Method::Post, url, &[])?;
            let upload_id =
                s3_upload_id(&answer.body).ok_or_else(|| no_upload_id(name, &answer))?;
            Ok(UploadSession {
                upload_id,
                location: None,
                storage_method: method,
            })
        }
        StorageMethod::Gcs => {
            let url = upload_url.ok_or_else(|| missing("upload_url"))?;
            let answer = send_to_storage(
                client,
                name,
                Method::Post,
                url,
                &[("X-Goog-Resumable", "start")],
            )?;
            let location = answer.headers.get("location").map(str::to_owned);
            let upload_id = answer
                .headers
                .get("x-guploader-uploadid")
                .map(str::to_owned)
                .or_else(|| {
                    location.as_deref().and_then(|l| {
                        crate::page::query_value(l, "upload_id").filter(|v| !v.is_empty())
                    })
                })
                .ok_or_else(|| no_upload_id(name, &answer))?;
            Ok(UploadSession {
                upload_id,
                location,
                storage_method: method,
            })
        }
        other => Err(Error::InvalidArgument(format!(
            "{name}: cannot start an upload on a {} storage (S3 and GCS are supported)",
            if other.as_str().is_empty() {
                "storage without a method"
            } else {
                other.as_str()
            }
        ))),
    }
}

fn no_upload_id(name: &str, answer: &Exchange) -> Error {
    Error::Decode(Box::new(crate::DecodeError {
        operation: name.to_owned(),
        status: answer.status,
        body_excerpt: crate::error::excerpt(&answer.body, ""),
        message: "the storage's answer carries no upload id".into(),
        attempts: 1,
    }))
}

/// S3 answers `<UploadId>...</UploadId>` in XML; some S3-compatible
/// storages (and emulators) answer JSON `{"UploadId": "..."}`.
fn s3_upload_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<UploadId>") {
        let rest = &text[start + "<UploadId>".len()..];
        let end = rest.find("</UploadId>")?;
        let id = rest[..end].trim();
        return (!id.is_empty()).then(|| id.to_owned());
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    json.get("UploadId")
        .or_else(|| json.get("upload_id"))
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_upload_ids() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"#;
        assert_eq!(s3_upload_id(xml).as_deref(), Some("VXBsb2FkIElE"));
        assert_eq!(
            s3_upload_id(br#"{"UploadId": "abc"}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(s3_upload_id(b"<UploadId></UploadId>"), None);
        assert_eq!(s3_upload_id(b"nothing"), None);
    }
}
