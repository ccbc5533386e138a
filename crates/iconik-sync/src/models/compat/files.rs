//! Models of the files service: formats, file sets, files, proxies,
//! keyframes, storages, and the parameters of their lists.
//!
//! Bodies follow one rule: `create_*` and `update_*` (PUT, a full
//! replacement) take the `*Create` type, whose required fields the compiler
//! makes you set; `partial_update_*` (PATCH) takes the all-optional response
//! type, so only the fields you set are sent.

use super::assets::ArchiveStatus;

open_enum! {
    /// What a file entry is (`FileSchemaType`).
    pub enum FileType {
        Directory = "DIRECTORY",
        File = "FILE",
        Sequence = "SEQUENCE",
        Symlink = "SYMLINK",
    }
}

impl Default for FileType {
    /// [`FileType::File`].
    fn default() -> Self {
        FileType::File
    }
}

open_enum! {
    /// State of a file, proxy or keyframe (`FileSchemaStatus`, `ProxySchemaStatus`,
    /// `KeyframeSchemaStatus`: the same values).
    pub enum FileStatus {
        Archived = "ARCHIVED",
        Awaited = "AWAITED",
        Closed = "CLOSED",
        Deleted = "DELETED",
        Failed = "FAILED",
        Growing = "GROWING",
        Missing = "MISSING",
        Open = "OPEN",
        Rediscovered = "REDISCOVERED",
    }
}

open_enum! {
    /// How a file's `template` is rendered.
    pub enum TemplateEngine {
        Jinja2 = "JINJA2",
        Simple = "SIMPLE",
    }
}

open_enum! {
    /// State of a file set.
    pub enum FileSetStatus {
        Active = "ACTIVE",
        Archived = "ARCHIVED",
        Deleted = "DELETED",
    }
}

open_enum! {
    /// Kind of file set.
    pub enum FileSetType {
        ManyFiles = "MANY_FILES",
        Regular = "REGULAR",
    }
}

open_enum! {
    /// State of a format.
    pub enum FormatStatus {
        Active = "ACTIVE",
        Deleted = "DELETED",
    }
}

open_enum! {
    /// Kind of format component.
    pub enum ComponentType {
        Audio = "AUDIO",
        Exif = "EXIF",
        General = "GENERAL",
        Image = "IMAGE",
        Iptc = "IPTC",
        Manifest = "MANIFEST",
        NonMedia = "NON_MEDIA",
        OtherType = "OTHER",
        Text = "TEXT",
        Video = "VIDEO",
        Xmp = "XMP",
    }
}

impl Default for ComponentType {
    /// [`ComponentType::General`].
    fn default() -> Self {
        ComponentType::General
    }
}

open_enum! {
    /// Kind of keyframe.
    pub enum KeyframeType {
        Keyframe = "KEYFRAME",
        KeyframeMap = "KEYFRAME_MAP",
        Poster = "POSTER",
    }
}

impl Default for KeyframeType {
    /// [`KeyframeType::Keyframe`].
    fn default() -> Self {
        KeyframeType::Keyframe
    }
}

open_enum! {
    /// Where a storage keeps its objects.
    pub enum StorageMethod {
        Azure = "AZURE",
        B2 = "B2",
        Custom = "CUSTOM",
        File = "FILE",
        Ftp = "FTP",
        Gcs = "GCS",
        Http = "HTTP",
        Portal = "PORTAL",
        S3 = "S3",
        Sftp = "SFTP",
    }
}

open_enum! {
    /// What a storage is used for.
    pub enum StoragePurpose {
        Archive = "ARCHIVE",
        Exports = "EXPORTS",
        Faces = "FACES",
        Files = "FILES",
        Keyframes = "KEYFRAMES",
        Proxies = "PROXIES",
    }
}

open_enum! {
    /// State of a storage.
    pub enum StorageStatus {
        Active = "ACTIVE",
        Failing = "FAILING",
        Inactive = "INACTIVE",
    }
}

model! {
    /// Query parameters of the files-service lists that page with
    /// `per_page` + `last_id` (files, file sets, formats, proxies,
    /// keyframes, by version too). Each list reads only the parameters
    /// iconik documents for it; the others are ignored by iconik.
    ///
    /// ```
    /// use iconik_sync::models::FilesListParams;
    /// let params = FilesListParams::default().per_page(100u32).generate_signed_url(false);
    /// assert_eq!(params.per_page, Some(100));
    /// ```
    pub struct FilesListParams {
        optional {
            per_page: u32 = exact,
            /// The id of the last item of the previous page.
            last_id: String,
            /// Files, proxies, keyframes: set false when no URL is needed (faster).
            generate_signed_url: bool,
            /// Files, proxies, keyframes: e.g. `attachment` for a download link.
            content_disposition: String,
            /// File sets: include each set's number of files.
            file_count: bool,
            /// Formats, proxies, keyframes: include every version's.
            include_all_versions: bool,
            /// Proxies: do not reuse cached signed URLs.
            bypass_url_cache: bool,
        }
    }
}

model! {
    /// Query parameters of `delete_asset_file_set`.
    pub struct FileSetDeleteParams {
        optional {
            /// Keep the source objects on the storage.
            keep_source: bool,
            /// Delete at once instead of moving to the delete queue.
            immediately: bool,
        }
    }
}

model! {
    /// Query parameters of `get_storages` (page-numbered).
    pub struct StorageListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            sort: String,
            id: String,
            name: String,
            method: String,
            status: String,
            purpose: String,
            last_scanned: String,
            scanner_status: String,
            query: String,
            ids: String,
        }
    }
}

model! {
    /// Query parameters of `fetch_storage_files` (page-numbered or scroll).
    pub struct StorageFileListParams {
        optional {
            path: String,
            path_separator: String,
            directory_path: String,
            checksum: String,
            per_page: u32 = exact,
            page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            sort: String,
            id: String,
            name: String,
            r#type: String,
            status: String,
            date_created: String,
            date_modified: String,
        }
    }
}

model! {
    /// Query parameters of `get_deleted_file_sets` / `get_deleted_formats`
    /// (the delete queue; page-numbered).
    pub struct DeleteQueueParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            sort: String,
            query: String,
            field_name: String,
        }
    }
}

/// The upload session that `get_upload_id_for_proxy` /
/// `get_upload_id_for_keyframe` opened on the storage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UploadSession {
    /// The storage's upload id (S3 `UploadId`, GCS `X-GUploader-UploadID`
    /// or the session's `upload_id`).
    pub upload_id: String,
    /// GCS: the resumable session URL to upload to (`Location`).
    pub location: Option<String>,
    /// The storage method the object lives on (`S3`, `GCS`).
    pub storage_method: StorageMethod,
}

impl Default for StorageMethod {
    /// [`StorageMethod::S3`].
    fn default() -> Self {
        StorageMethod::S3
    }
}

model! {
    /// A file of an asset or a storage (`files.FileSchema`; also what storage file lists and checksum lookups return).
    pub struct File {
        optional {
            directory_path: String,
            file_set_id: String,
            original_name: String,
            r#type: FileType,
            asset_id: String,
            checksum: String,
            date_created: String,
            date_modified: String,
            file_date_created: String,
            file_date_modified: String,
            file_set_status: String,
            format_id: String,
            format_status: String,
            id: String,
            multipart_upload_url: String,
            name: String,
            parent_id: String,
            size: i64,
            status: FileStatus,
            storage_id: String,
            storage_method: String,
            system_domain_id: String,
            template: String,
            template_engine: TemplateEngine,
            upload_credentials: serde_json::Value,
            upload_filename: String,
            upload_headers: serde_json::Value,
            upload_method: String,
            upload_url: String,
            url: String,
            user_id: String,
            version_id: String,
        }
    }
}

model! {
    /// Body of `create_asset_file`, `update_asset_file` and `create_storage_file` (`files.FileCreateSchema`).
    pub struct FileCreate {
        required {
            directory_path: String,
            original_name: String,
            r#type: FileType,
        }
        optional {
            asset_id: String,
            checksum: String,
            content_type: String,
            date_created: String,
            date_modified: String,
            file_date_created: String,
            file_date_modified: String,
            file_set_id: String,
            format_id: String,
            id: String,
            multipart_upload_url: String,
            name: String,
            parent_id: String,
            size: i64,
            status: FileStatus,
            storage_id: String,
            storage_method: String,
            template: String,
            template_engine: TemplateEngine,
            upload_credentials: serde_json::Value,
            upload_filename: String,
            upload_headers: serde_json::Value,
            upload_method: String,
            upload_url: String,
            user_id: String,
            version_id: String,
        }
    }
}

model! {
    /// A file set: the files of one format on one storage (`files.FileSetSchema`).
    pub struct FileSet {
        optional {
            base_dir: String,
            component_ids: Vec<String>,
            format_id: String,
            name: String,
            archive_file_set_id: String,
            asset_id: String,
            date_created: String,
            date_deleted: String,
            date_modified: String,
            deleted_by_user: String,
            file_count: i64,
            id: String,
            is_archive: bool,
            original_storage_id: String,
            status: FileSetStatus,
            storage_id: String,
            r#type: FileSetType,
            version_id: String,
        }
    }
}

model! {
    /// Body of `create_asset_file_sets` and `update_asset_file_set` (`files.FileSetSchema`).
    pub struct FileSetCreate {
        required {
            base_dir: String,
            component_ids: Vec<String>,
            format_id: String,
            name: String,
        }
        optional {
            archive_file_set_id: String,
            asset_id: String,
            date_created: String,
            date_deleted: String,
            date_modified: String,
            deleted_by_user: String,
            file_count: i64,
            id: String,
            is_archive: bool,
            original_storage_id: String,
            status: FileSetStatus,
            storage_id: String,
            r#type: FileSetType,
            version_id: String,
        }
    }
}

model! {
    /// A format of an asset, e.g. ORIGINAL (`files.FormatSchema`).
    pub struct Format {
        optional {
            name: String,
            archive_status: ArchiveStatus,
            asset_id: String,
            components: Vec<Component>,
            date_created: String,
            date_deleted: String,
            date_modified: String,
            deleted_by_user: String,
            external_references: Vec<ExternalReference>,
            id: String,
            is_online: bool,
            metadata: Vec<serde_json::Value>,
            status: FormatStatus,
            storage_methods: Vec<String>,
            user_id: String,
            version_id: String,
            warnings: Vec<String>,
        }
    }
}

model! {
    /// Body of `create_asset_format` and `update_asset_format` (`files.FormatSchema`).
    pub struct FormatCreate {
        required {
            name: String,
        }
        optional {
            archive_status: ArchiveStatus,
            asset_id: String,
            components: Vec<Component>,
            date_created: String,
            date_deleted: String,
            date_modified: String,
            deleted_by_user: String,
            external_references: Vec<ExternalReference>,
            id: String,
            is_online: bool,
            metadata: Vec<serde_json::Value>,
            status: FormatStatus,
            storage_methods: Vec<String>,
            user_id: String,
            version_id: String,
            warnings: Vec<String>,
        }
    }
}

model! {
    /// A component of a format, e.g. its video or audio stream (`files.ComponentSchema`).
    pub struct Component {
        optional {
            name: String,
            r#type: ComponentType,
            id: String,
            metadata: serde_json::Value,
        }
    }
}

model! {
    /// Body of `create_asset_format_component` (`files.ComponentSchema`).
    pub struct ComponentCreate {
        required {
            name: String,
            r#type: ComponentType,
        }
        optional {
            id: String,
            metadata: serde_json::Value,
        }
    }
}

model! {
    /// A link from a format to an outside system (`files.ExternalReferences`).
    pub struct ExternalReference {
        optional {
            uri: String,
            action: String,
            display_name: String,
            icon: String,
        }
    }
}

model! {
    /// A proxy of an asset (`files.ProxySchema`); also the body of `create_asset_proxy` and `update_asset_proxy` (`files.ProxyCreateSchema` / `ProxyUpdateSchema` have no required fields).
    pub struct Proxy {
        optional {
            asset_id: String,
            audio_bitrate: i64,
            audio_channels: i64,
            bit_rate: i64,
            codec: String,
            date_created: String,
            date_modified: String,
            filename: String,
            format: String,
            frame_rate: String,
            id: String,
            is_drop_frame: bool,
            is_multichannel: bool,
            is_public: bool,
            multipart_upload_url: String,
            name: String,
            proxy_container_id: String,
            resolution: Resolution,
            rotation: i64,
            size: i64,
            start_time_code: String,
            status: FileStatus,
            storage_id: String,
            storage_method: String,
            upload_credentials: serde_json::Value,
            upload_headers: serde_json::Value,
            upload_method: String,
            upload_url: String,
            url: String,
            version_id: String,
        }
    }
}

model! {
    /// A keyframe or poster of an asset (`files.KeyframeSchema`).
    pub struct Keyframe {
        optional {
            r#type: KeyframeType,
            asset_id: String,
            collection_id: String,
            date_created: String,
            date_modified: String,
            filename: String,
            format: String,
            id: String,
            is_custom_keyframe: bool,
            is_public: bool,
            name: String,
            resolution: Resolution,
            rotation: i64,
            size: i64,
            status: FileStatus,
            storage_id: String,
            storage_method: String,
            time_code: TimeCode,
            upload_credentials: serde_json::Value,
            upload_headers: serde_json::Value,
            upload_method: String,
            upload_url: String,
            url: String,
            version_id: String,
        }
    }
}

model! {
    /// Body of `create_asset_keyframe` and `update_keyframe` (`files.KeyframeCreateSchema`).
    pub struct KeyframeCreate {
        required {
            r#type: KeyframeType,
        }
        optional {
            asset_id: String,
            collection_id: String,
            content_type: String,
            date_created: String,
            date_modified: String,
            filename: String,
            format: String,
            id: String,
            is_custom_keyframe: bool,
            is_public: bool,
            name: String,
            resolution: Resolution,
            rotation: i64,
            size: i64,
            status: FileStatus,
            storage_id: String,
            storage_method: String,
            time_code: TimeCode,
            upload_credentials: serde_json::Value,
            upload_headers: serde_json::Value,
            upload_method: String,
            upload_url: String,
            url: String,
            version_id: String,
        }
    }
}

model! {
    /// Width and height in pixels (`files.ResolutionType`).
    pub struct Resolution {
        optional {
            height: i64,
            width: i64,
        }
    }
}

model! {
    /// A time code (`files.TimeCodeType`).
    pub struct TimeCode {
        optional {
            frames_number: i64,
            is_drop_frame: bool,
            time_base: TimeBase,
        }
    }
}

model! {
    /// A frame rate as a fraction (`files.TimeBaseType`).
    pub struct TimeBase {
        optional {
            denominator: i64,
            numerator: i64,
        }
    }
}

model! {
    /// A storage (`files.StorageReadSchema`, a superset of `StorageSchema`).
    pub struct Storage {
        optional {
            method: StorageMethod,
            name: String,
            purpose: StoragePurpose,
            settings: serde_json::Value,
            default: bool,
            description: String,
            id: String,
            isg_version: String,
            last_scanned: String,
            scanner_status: String,
            status: StorageStatus,
            status_message: String,
            storage_gateway_cluster_id: String,
            storage_gateway_ids: Vec<String>,
            version: String,
        }
    }
}

model! {
    /// Body of `create_mediainfo_job` and `create_transcode_job` (`files.TranscodeRequestSchema`).
    pub struct TranscodeRequest {
        optional {
            job_id: String,
            priority: i64,
            set_as_custom_keyframe: bool,
            update_proxy_mediainfo: bool,
            use_storage_transcode_ignore_pattern: bool,
        }
    }
}

model! {
    /// The job created by `create_mediainfo_job` / `create_transcode_job` (`files.TranscodeResponseSchema`).
    pub struct TranscodeResponse {
        optional {
            job_id: String,
        }
    }
}

model! {
    /// URLs to complete, abort or list an S3 multipart upload (`files.MultiPartURLsSchema`).
    pub struct MultipartUrls {
        optional {
            abort_url: String,
            complete_url: String,
            list_parts_url: Vec<String>,
        }
    }
}

model! {
    /// Presigned part URLs of an S3 multipart upload (`files.MultiPartUploadURLsSchema`).
    pub struct MultipartUploadUrls {
        optional {
            objects: Vec<MultipartUploadUrl>,
        }
    }
}

model! {
    /// One presigned part URL (`files.MultiPartUploadURLSchema`).
    pub struct MultipartUploadUrl {
        optional {
            delete_url: String,
            download_url: String,
            key: String,
            number: i64,
            url: String,
        }
    }
}
