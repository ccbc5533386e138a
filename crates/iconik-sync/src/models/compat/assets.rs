//! Assets: the asset itself, its versions, and the bodies to create them.

open_enum! {
    /// An asset's or version's lifecycle status.
    pub enum AssetStatus {
        Active = "ACTIVE",
        Deleted = "DELETED",
        Deleting = "DELETING",
        Failed = "FAILED",
        InProgress = "IN_PROGRESS",
    }
}

open_enum! {
    /// What kind of asset this is.
    pub enum AssetType {
        Asset = "ASSET",
        Custom = "CUSTOM",
        Link = "LINK",
        NleProject = "NLE_PROJECT",
        Placeholder = "PLACEHOLDER",
        Sequence = "SEQUENCE",
        Subclip = "SUBCLIP",
    }
}

open_enum! {
    /// Archive state of an asset.
    pub enum ArchiveStatus {
        Archived = "ARCHIVED",
        Archiving = "ARCHIVING",
        FailedToArchive = "FAILED_TO_ARCHIVE",
        NotArchived = "NOT_ARCHIVED",
    }
}

open_enum! {
    /// State of an analysis (analyze, face recognition, transcription).
    pub enum AnalyzeStatus {
        Done = "DONE",
        Failed = "FAILED",
        InProgress = "IN_PROGRESS",
        NotApplicable = "N/A",
        Requested = "REQUESTED",
    }
}

model! {
    /// An asset (`assets.AssetSchema`).
    pub struct Asset {
        optional {
            title: String,
            analyze_status: AnalyzeStatus,
            archive_status: ArchiveStatus,
            category: String,
            clip_id: i64,
            created_by_user: String,
            created_by_user_info: UserInfo,
            custom_keyframe: String,
            custom_poster: String,
            date_created: String,
            date_deleted: String,
            date_imported: String,
            date_modified: String,
            date_viewed: String,
            deleted_by_user: String,
            deleted_by_user_info: UserInfo,
            external_id: String,
            external_link: String,
            face_recognition_status: AnalyzeStatus,
            favoured: bool,
            has_unconfirmed_persons: bool,
            id: String,
            in_collections: Vec<String>,
            is_blocked: bool,
            is_online: bool,
            last_archive_restore_date: String,
            limit_download_to_groups: Vec<String>,
            original_asset_id: String,
            original_segment_id: String,
            original_version_id: String,
            person_ids: Vec<String>,
            site_name: String,
            status: AssetStatus,
            time_end_milliseconds: i64,
            time_start_milliseconds: i64,
            r#type: AssetType,
            updated_by_user: String,
            updated_by_user_info: UserInfo,
            versions: Vec<AssetVersion>,
            warning: String,
        }
    }
}

model! {
    /// Body of `create` (`assets.AssetCreateSchema`): `title` is required.
    pub struct AssetCreate {
        required {
            title: String,
        }
        optional {
            analyze_status: AnalyzeStatus,
            archive_status: ArchiveStatus,
            category: String,
            clip_id: i64,
            collection_id: String,
            created_by_user: String,
            created_by_user_info: UserInfo,
            custom_keyframe: String,
            custom_poster: String,
            date_created: String,
            date_deleted: String,
            date_imported: String,
            date_modified: String,
            date_viewed: String,
            deleted_by_user: String,
            deleted_by_user_info: UserInfo,
            external_id: String,
            external_link: String,
            face_recognition_status: AnalyzeStatus,
            favoured: bool,
            has_unconfirmed_persons: bool,
            id: String,
            is_blocked: bool,
            is_online: bool,
            last_archive_restore_date: String,
            limit_download_to_groups: Vec<String>,
            original_asset_id: String,
            original_segment_id: String,
            original_version_id: String,
            person_ids: Vec<String>,
            site_name: String,
            status: AssetStatus,
            time_end_milliseconds: i64,
            time_start_milliseconds: i64,
            r#type: AssetType,
            updated_by_user: String,
            updated_by_user_info: UserInfo,
            warning: String,
        }
    }
}

model! {
    /// One version of an asset (`assets.AssetVersion`).
    pub struct AssetVersion {
        optional {
            analyze_status: AnalyzeStatus,
            archive_status: ArchiveStatus,
            created_by_user: String,
            created_by_user_info: UserInfo,
            date_created: String,
            face_recognition_status: AnalyzeStatus,
            has_unconfirmed_persons: bool,
            id: String,
            is_online: bool,
            person_ids: Vec<String>,
            status: AssetStatus,
            transcribe_status: AnalyzeStatus,
            transcribed_languages: Vec<String>,
            version_number: i64,
        }
    }
}

model! {
    /// A user as embedded in other objects (`assets.User`).
    pub struct UserInfo {
        optional {
            email: String,
            first_name: String,
            id: String,
            last_name: String,
            photo: String,
            photo_big: String,
            photo_small: String,
        }
    }
}

/// Gives a required enum field the value "not set yet": an empty
/// `Other`, which `new` replaces. Needed because bodies derive `Default`.
macro_rules! unset_default {
    ($($name:ident),*) => {
        $(impl Default for $name {
            /// An empty value (`Other("")`), to be replaced before sending.
            fn default() -> Self {
                $name::Other(String::new())
            }
        })*
    };
}

unset_default!(SegmentType, HistoryOperationType, BulkDeleteObjectType);

open_enum! {
    /// What a segment is: a comment, a marker, a transcription line, ...
    pub enum SegmentType {
        Comment = "COMMENT",
        Generic = "GENERIC",
        Marker = "MARKER",
        Person = "PERSON",
        Qc = "QC",
        Scene = "SCENE",
        SemanticTranscription = "SEMANTIC_TRANSCRIPTION",
        Shot = "SHOT",
        Tag = "TAG",
        Transcription = "TRANSCRIPTION",
    }
}

open_enum! {
    /// A segment's status.
    pub enum SegmentStatus {
        Active = "ACTIVE",
        Awaited = "AWAITED",
        Deleted = "DELETED",
    }
}

open_enum! {
    /// What an asset history entry records.
    pub enum HistoryOperationType {
        AddFormat = "ADD_FORMAT",
        Analyze = "ANALYZE",
        Approve = "APPROVE",
        Archive = "ARCHIVE",
        Custom = "CUSTOM",
        Delete = "DELETE",
        DeleteFile = "DELETE_FILE",
        DeleteFileset = "DELETE_FILESET",
        DeleteFormat = "DELETE_FORMAT",
        Download = "DOWNLOAD",
        Export = "EXPORT",
        FaceRecognition = "FACE_RECOGNITION",
        Metadata = "METADATA",
        ModifyFileset = "MODIFY_FILESET",
        Publish = "PUBLISH",
        PublishSaveDraft = "PUBLISH_SAVE_DRAFT",
        PublishScheduled = "PUBLISH_SCHEDULED",
        Reject = "REJECT",
        Restore = "RESTORE",
        RestoreArchive = "RESTORE_ARCHIVE",
        RestoreFileset = "RESTORE_FILESET",
        RestoreFormat = "RESTORE_FORMAT",
        RestoreFromGlacier = "RESTORE_FROM_GLACIER",
        Transcode = "TRANSCODE",
        Transcription = "TRANSCRIPTION",
        Transfer = "TRANSFER",
        UnlinkSubclip = "UNLINK_SUBCLIP",
        VersionCreate = "VERSION_CREATE",
        VersionDelete = "VERSION_DELETE",
        VersionPromote = "VERSION_PROMOTE",
        VersionUpdate = "VERSION_UPDATE",
    }
}

open_enum! {
    /// Kind of object in a bulk delete.
    pub enum BulkDeleteObjectType {
        Assets = "assets",
        Collections = "collections",
        SavedSearches = "saved_searches",
    }
}

model! {
    /// A segment of an asset: a comment, marker, transcription line, ...
    /// (`assets.SegmentSchema`; `SegmentElasticSchema` in lists).
    pub struct Segment {
        optional {
            segment_type: SegmentType,
            asset_id: String,
            attachments: Vec<serde_json::Value>,
            date_created: String,
            date_modified: String,
            drawing: serde_json::Value,
            external_id: String,
            face_bounding_boxes: Vec<serde_json::Value>,
            has_attachments: bool,
            has_drawing: bool,
            id: String,
            is_internal: bool,
            keyframe_id: String,
            metadata: serde_json::Value,
            metadata_view_id: String,
            parent_id: String,
            path: String,
            person_id: String,
            project_id: String,
            segment_checked: bool,
            segment_color: String,
            segment_text: String,
            segment_track: String,
            semantic_transcription: serde_json::Value,
            share_id: String,
            share_session_id: String,
            share_user_email: String,
            shot: serde_json::Value,
            status: SegmentStatus,
            subclip_id: String,
            time_end_milliseconds: i64,
            time_start_milliseconds: i64,
            top_level: bool,
            transcription: serde_json::Value,
            transcription_id: String,
            user_first_name: String,
            user_id: String,
            user_info: UserInfo,
            user_last_name: String,
            user_photo: String,
            version_id: String,
        }
    }
}

model! {
    /// Body of `create_segment`, `update_segment` and
    /// `partial_update_segment` (`assets.SegmentSchema` /
    /// `EditSegmentSchema`): `segment_type` is required.
    ///
    /// ```
    /// use iconik_sync::models::{SegmentBody, SegmentType};
    /// let body = SegmentBody::new(SegmentType::Comment).segment_text("Nice shot");
    /// assert_eq!(body.segment_type.as_str(), "COMMENT");
    /// ```
    pub struct SegmentBody {
        required {
            segment_type: SegmentType,
        }
        optional {
            asset_id: String,
            date_created: String,
            date_modified: String,
            drawing: serde_json::Value,
            external_id: String,
            face_bounding_boxes: Vec<serde_json::Value>,
            has_attachments: bool,
            id: String,
            is_internal: bool,
            keyframe_id: String,
            metadata: serde_json::Value,
            metadata_view_id: String,
            parent_id: String,
            path: String,
            person_id: String,
            project_id: String,
            segment_checked: bool,
            segment_color: String,
            segment_text: String,
            segment_track: String,
            semantic_transcription: serde_json::Value,
            share_id: String,
            share_session_id: String,
            share_user_email: String,
            shot: serde_json::Value,
            status: SegmentStatus,
            subclip_id: String,
            time_end_milliseconds: i64,
            time_start_milliseconds: i64,
            top_level: bool,
            transcription: serde_json::Value,
            transcription_id: String,
            user_first_name: String,
            user_id: String,
            user_info: UserInfo,
            user_last_name: String,
            user_photo: String,
            version_id: String,
        }
    }
}

model! {
    /// Body of `bulk_delete_segments` (`assets.DeleteSegmentsSchema`): the
    /// segments by id, or every segment of a type (optionally of a version).
    pub struct BulkDeleteSegments {
        optional {
            attributes: Vec<serde_json::Value>,
            segment_ids: Vec<String>,
            segment_type: SegmentType,
            version_id: String,
        }
    }
}

model! {
    /// Body of `bulk_delete` (`assets.BulkDeleteSchema`).
    ///
    /// ```
    /// use iconik_sync::models::{BulkDelete, BulkDeleteObjectType};
    /// let body = BulkDelete::new(vec!["a1".to_string()], BulkDeleteObjectType::Assets);
    /// assert_eq!(body.object_ids.len(), 1);
    /// ```
    pub struct BulkDelete {
        required {
            object_ids: Vec<String>,
            object_type: BulkDeleteObjectType,
        }
        optional {
            content_only: bool,
        }
    }
}

model! {
    /// Body of `create_version` (`assets.CreateAssetVersionSchema`).
    pub struct AssetVersionCreate {
        optional {
            copy_metadata: bool,
            copy_persons: bool,
            copy_segments: bool,
            include_segment_types: Vec<SegmentType>,
            source_version_id: String,
            system_domain_id: String,
        }
    }
}

model! {
    /// Body of `create_version_from_asset`
    /// (`assets.CreateAssetVersionFromAssetSchema`).
    pub struct AssetVersionFromAsset {
        optional {
            copy_previous_version_persons: bool,
            copy_previous_version_segments: bool,
            include_segment_types: Vec<SegmentType>,
            source_metadata_asset_id: String,
            system_domain_id: String,
        }
    }
}

model! {
    /// An asset's versions, as `create_version` and `promote_version`
    /// answer (`assets.AssetVersionsSchema`).
    pub struct AssetVersions {
        optional {
            asset_id: String,
            system_domain_id: String,
            versions: Vec<AssetVersion>,
        }
    }
}

model! {
    /// One entry of an asset's history (`assets.AssetHistorySchema`;
    /// `AssetHistoryElasticSchema` in lists).
    pub struct AssetHistory {
        optional {
            operation_type: HistoryOperationType,
            asset_id: String,
            date_created: String,
            date_modified: String,
            id: String,
            job_id: String,
            operation_description: String,
            share_id: String,
            share_user_id: String,
            system_domain_id: String,
            user_id: String,
            version_id: String,
        }
    }
}

model! {
    /// Body of `create_history_entity` (`assets.AssetHistorySchema`):
    /// `operation_type` is required.
    ///
    /// ```
    /// use iconik_sync::models::{AssetHistoryCreate, HistoryOperationType};
    /// let body = AssetHistoryCreate::new(HistoryOperationType::Custom)
    ///     .operation_description("checked by QC");
    /// assert_eq!(body.operation_type.as_str(), "CUSTOM");
    /// ```
    pub struct AssetHistoryCreate {
        required {
            operation_type: HistoryOperationType,
        }
        optional {
            operation_description: String,
            asset_id: String,
            date_created: String,
            date_modified: String,
            id: String,
            job_id: String,
            share_id: String,
            share_user_id: String,
            system_domain_id: String,
            user_id: String,
            version_id: String,
        }
    }
}

model! {
    /// Query parameters of `assets().fetch` and `list_all` (`GET
    /// /v1/assets/`). Paginators set `page`, `scroll` and `scroll_id`
    /// themselves.
    pub struct AssetListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            sort: String,
            field_name: String,
            favoured_by: String,
            types: Vec<String>,
        }
    }
}

model! {
    /// Query parameters of `assets().create`.
    pub struct AssetCreateParams {
        optional {
            apply_default_acls: bool,
            apply_collection_acls: bool,
            assign_to_collection: bool,
            generate_subclip_keyframes: bool,
            apply_acl_template_id: String,
        }
    }
}

model! {
    /// Query parameters of the asset and segment updates.
    pub struct SubclipKeyframesParams {
        optional {
            generate_subclip_keyframes: bool,
        }
    }
}

model! {
    /// Query parameters of `get_segments` (`GET /v1/assets/{asset_id}/segments/`).
    pub struct SegmentListParams {
        optional {
            sort: String,
            ids: Vec<String>,
            query: String,
            includes: Vec<String>,
            per_page: u32 = exact,
            page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            transcription_id: String,
            version_id: String,
            segment_type: SegmentType,
            segment_color: String,
            time_start_milliseconds: i64,
            time_end_milliseconds: i64,
            #[serde(rename = "time_start_milliseconds__gte")]
            time_start_milliseconds_gte: i64,
            #[serde(rename = "time_end_milliseconds__lte")]
            time_end_milliseconds_lte: i64,
            status: SegmentStatus,
            person_id: String,
            share_id: String,
            project_id: String,
            include_users: bool,
            include_all_versions: bool,
        }
    }
}

model! {
    /// Query parameters of `delete_segment`.
    pub struct DeleteSegmentParams {
        optional {
            soft_delete: bool,
        }
    }
}

model! {
    /// Query parameters of `bulk_delete_segments`.
    pub struct BulkDeleteSegmentsParams {
        optional {
            immediately: bool,
            ignore_reindexing: bool,
        }
    }
}

model! {
    /// Query parameters of `delete_version`.
    pub struct DeleteVersionParams {
        optional {
            hard_delete: bool,
        }
    }
}

model! {
    /// Query parameters of filtered, page-numbered lists: asset history,
    /// collection contents' `filter`, ...
    pub struct FilteredListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            sort: String,
            filter: String,
        }
    }
}
