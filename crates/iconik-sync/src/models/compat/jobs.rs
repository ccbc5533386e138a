//! Models of the jobs service.

open_enum! {
    /// A job's status.
    pub enum JobStatus {
        Aborted = "ABORTED",
        AbortPending = "ABORT_PENDING",
        Discarded = "DISCARDED",
        Failed = "FAILED",
        Finished = "FINISHED",
        FinishedWithWarning = "FINISHED_WITH_WARNING",
        Paused = "PAUSED",
        PendingUser = "PENDING_USER",
        Ready = "READY",
        Skipped = "SKIPPED",
        Started = "STARTED",
        Waiting = "WAITING",
    }
}

open_enum! {
    /// What a job does.
    pub enum JobType {
        Acl = "ACL",
        Analyze = "ANALYZE",
        Archive = "ARCHIVE",
        Automation = "AUTOMATION",
        ChangePerson = "CHANGE_PERSON",
        CollectionCustomOrder = "COLLECTION_CUSTOM_ORDER",
        ConfirmPerson = "CONFIRM_PERSON",
        ConvertSavedSearchToCollection = "CONVERT_SAVED_SEARCH_TO_COLLECTION",
        ConvertSearchToCollection = "CONVERT_SEARCH_TO_COLLECTION",
        Copy = "COPY",
        Custom = "CUSTOM",
        Delete = "DELETE",
        DeleteJobs = "DELETE_JOBS",
        DeletePerson = "DELETE_PERSON",
        EditJobs = "EDIT_JOBS",
        Export = "EXPORT",
        FaceRecognition = "FACE_RECOGNITION",
        Keyframes = "KEYFRAMES",
        MarkMissing = "MARK_MISSING",
        Mediainfo = "MEDIAINFO",
        Metadata = "METADATA",
        MetadataFilling = "METADATA_FILLING",
        Move = "MOVE",
        Publish = "PUBLISH",
        PublishScheduled = "PUBLISH_SCHEDULED",
        Reindex = "REINDEX",
        RequestApproval = "REQUEST_APPROVAL",
        RequestCollectionMap = "REQUEST_COLLECTION_MAP",
        Restore = "RESTORE",
        RestoreFromGlacier = "RESTORE_FROM_GLACIER",
        ReviewRequest = "REVIEW_REQUEST",
        Scan = "SCAN",
        SetApproval = "SET_APPROVAL",
        StorageGatewayFileIngest = "STORAGE_GATEWAY_FILE_INGEST",
        Transcode = "TRANSCODE",
        Transcription = "TRANSCRIPTION",
        Transfer = "TRANSFER",
    }
}

open_enum! {
    /// A job step's status.
    pub enum JobStepStatus {
        Done = "DONE",
        Failed = "FAILED",
        InProgress = "IN_PROGRESS",
        Skipped = "SKIPPED",
        Waiting = "WAITING",
    }
}

open_enum! {
    /// What `PUT /v1/jobs/state/` does to the jobs it names.
    pub enum JobAction {
        Abort = "ABORT",
        Pause = "PAUSE",
        Restart = "RESTART",
        Resume = "RESUME",
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

unset_default!(JobStatus, JobType, JobStepStatus, JobAction);

model! {
    /// A job (`jobs.JobSchema`; `JobElasticSchema` in lists).
    pub struct Job {
        optional {
            status: JobStatus,
            title: String,
            r#type: JobType,
            action_context: serde_json::Value,
            children_progress: serde_json::Value,
            completed_at: String,
            created_by: String,
            custom_type: String,
            date_created: String,
            date_modified: String,
            error_message: String,
            has_children: bool,
            id: String,
            job_context: serde_json::Value,
            message: String,
            metadata: serde_json::Value,
            object_id: String,
            object_type: String,
            parent_id: String,
            priority: i64,
            progress: i64,
            progress_processed: i64,
            progress_total: i64,
            related_objects: Vec<RelatedObject>,
            started_at: String,
            steps: Vec<JobStep>,
            storage_id: String,
        }
    }
}

model! {
    /// Body of `jobs().create` (`jobs.JobSchema`): `status`, `title` and
    /// `type` are required.
    ///
    /// ```
    /// use iconik_sync::models::{JobCreate, JobStatus, JobType};
    /// let body = JobCreate::new(JobStatus::Started, "Transfer to archive", JobType::Transfer)
    ///     .object_type("assets");
    /// assert_eq!(body.r#type.as_str(), "TRANSFER");
    /// ```
    pub struct JobCreate {
        required {
            status: JobStatus,
            title: String,
            r#type: JobType,
        }
        optional {
            action_context: serde_json::Value,
            children_progress: serde_json::Value,
            completed_at: String,
            created_by: String,
            custom_type: String,
            date_created: String,
            date_modified: String,
            error_message: String,
            has_children: bool,
            id: String,
            job_context: serde_json::Value,
            message: String,
            metadata: serde_json::Value,
            object_id: String,
            object_type: String,
            parent_id: String,
            priority: i64,
            progress: i64,
            progress_processed: i64,
            progress_total: i64,
            related_objects: Vec<RelatedObject>,
            started_at: String,
            steps: Vec<JobStep>,
        }
    }
}

model! {
    /// One step of a job (`jobs.JobStep`).
    pub struct JobStep {
        optional {
            label: String,
            status: JobStepStatus,
            date_updated: String,
            error_message: String,
            id: String,
            message: String,
        }
    }
}

model! {
    /// An object a job concerns (`jobs.RelatedObject`).
    pub struct RelatedObject {
        required {
            object_id: String,
            object_type: String,
        }
    }
}

model! {
    /// Body of `PUT /v1/jobs/state/` (`jobs.JobsStateSchema`), which
    /// `cancel`, `pause`, `resume` and `restart` send.
    pub struct JobsState {
        required {
            action: JobAction,
            job_ids: Vec<String>,
        }
    }
}

model! {
    /// Query parameters of `jobs().list` and the paginators (`GET
    /// /v1/jobs/`). Paginators set `page`, `scroll_id` and `search_after`
    /// themselves; `search_after` is the JSON text of the previous page's
    /// sort values.
    ///
    /// ```
    /// use iconik_sync::models::JobListParams;
    /// let params = JobListParams::default().status(vec!["FAILED".to_string()]).per_page(50u32);
    /// assert_eq!(params.per_page, Some(50));
    /// ```
    pub struct JobListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            search_after: String,
            sort: String,
            facets: Vec<String>,
            aggregations: Vec<String>,
            r#type: Vec<String>,
            object_type: String,
            parent_id: String,
            object_id: String,
            status: Vec<String>,
            created_by: String,
            date_created: String,
            date_modified: String,
            query: String,
            ids: Vec<String>,
            #[serde(rename = "metadata.automation_id")]
            metadata_automation_id: String,
            #[serde(rename = "_missing_")]
            missing: String,
            #[serde(rename = "_exists_")]
            exists: String,
        }
    }
}

model! {
    /// Query parameters of `jobs().update`.
    pub struct JobUpdateParams {
        optional {
            merge_metadata: bool,
        }
    }
}
