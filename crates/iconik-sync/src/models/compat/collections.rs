//! Models of the collections service.

open_enum! {
    /// A collection's status.
    pub enum CollectionStatus {
        Active = "ACTIVE",
        Deleted = "DELETED",
        Hidden = "HIDDEN",
    }
}

open_enum! {
    /// Whether a collection keeps a custom order of its contents.
    pub enum CustomOrderStatus {
        Disabled = "DISABLED",
        Enabled = "ENABLED",
        Enabling = "ENABLING",
    }
}

model! {
    /// A collection (`assets.CollectionSchema`; `CollectionElasticSchema`
    /// in lists).
    pub struct Collection {
        optional {
            title: String,
            category: String,
            created_by_user: String,
            custom_keyframe: String,
            custom_order_status: CustomOrderStatus,
            custom_poster: String,
            date_created: String,
            date_deleted: String,
            date_modified: String,
            date_viewed: String,
            deleted_by_user: String,
            external_id: String,
            favoured: bool,
            id: String,
            in_collections: Vec<String>,
            is_root: bool,
            keyframe_asset_ids: Vec<String>,
            keyframes: Vec<serde_json::Value>,
            metadata: serde_json::Value,
            object_type: String,
            parent_id: String,
            parents: Vec<String>,
            permissions: Vec<String>,
            position: i64,
            project_id: String,
            status: CollectionStatus,
            storage_id: String,
        }
    }
}

model! {
    /// Body of `collections().create` and `update`
    /// (`assets.CollectionInputSchema`): `title` is required.
    ///
    /// ```
    /// use iconik_sync::models::CollectionCreate;
    /// let body = CollectionCreate::new("Dailies").parent_id("6f1f5b9e-0000-0000-0000-000000000000");
    /// assert_eq!(body.title, "Dailies");
    /// ```
    pub struct CollectionCreate {
        required {
            title: String,
        }
        optional {
            category: String,
            custom_keyframe: String,
            custom_poster: String,
            date_created: String,
            external_id: String,
            is_root: bool,
            keyframe_asset_ids: Vec<String>,
            parent_id: String,
            status: CollectionStatus,
            storage_id: String,
        }
    }
}

model! {
    /// Body of `add_content` (`assets.CollectionContentSchema`): the object
    /// to add to the collection.
    ///
    /// ```
    /// use iconik_sync::models::CollectionContent;
    /// let body = CollectionContent::new("6f1f5b9e-0000-0000-0000-000000000000", "assets");
    /// assert_eq!(body.object_type, "assets");
    /// ```
    pub struct CollectionContent {
        required {
            object_id: String,
            object_type: String,
        }
        optional {
            collection_id: String,
            date_created: String,
        }
    }
}

model! {
    /// Counts and sizes of a collection's contents
    /// (`assets.CollectionContentInfoSchema`).
    pub struct CollectionContentInfo {
        optional {
            assets_count: i64,
            collections_count: i64,
            storage_info: Vec<StorageContentInfo>,
            title: String,
            total_duration_milliseconds: i64,
            total_proxy_size: i64,
            total_size: i64,
        }
    }
}

model! {
    /// Per-storage part of [`CollectionContentInfo`]
    /// (`assets.StorageContentInfo`).
    pub struct StorageContentInfo {
        optional {
            assets_count: i64,
            file_count: i64,
            storage_id: String,
            total_duration_milliseconds: i64,
            total_size: i64,
        }
    }
}

model! {
    /// Query parameters of `collections().fetch` and `list_all` (`GET
    /// /v1/collections/`). Paginators set `page`, `scroll` and `scroll_id`
    /// themselves.
    pub struct CollectionListParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            scroll: bool,
            scroll_id: String,
            sort: String,
            is_root: bool,
            status: CollectionStatus,
            favoured_by: String,
            include_keyframes: bool,
        }
    }
}

model! {
    /// Query parameters of `collections().create`.
    pub struct CollectionCreateParams {
        optional {
            apply_default_acls: bool,
            apply_collection_acls: bool,
            restrict_collection_acls: bool,
            apply_acl_template_id: String,
        }
    }
}

model! {
    /// Query parameters of `collections().update` and `partial_update`.
    pub struct CollectionUpdateParams {
        optional {
            change_parent_mode: String,
        }
    }
}

model! {
    /// Query parameters of `get_contents` (`GET
    /// /v1/collections/{collection_id}/contents/`).
    pub struct CollectionContentsParams {
        optional {
            page: u32 = exact,
            per_page: u32 = exact,
            sort: String,
            filter: String,
            object_types: Vec<String>,
            object_ids: Vec<String>,
            external_id: String,
            include_keyframes: bool,
        }
    }
}

model! {
    /// Query parameters of `get_info` (`GET
    /// /v1/collections/{collection_id}/content/info/`).
    pub struct CollectionInfoParams {
        optional {
            only_active: bool,
            include_subcollections: bool,
            format_name: String,
            by_storage_id: bool,
            types: Vec<String>,
        }
    }
}
