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
