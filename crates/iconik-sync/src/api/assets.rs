//! `client.assets()`: assets, segments, versions and history.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`AssetsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __assets_surface {
    ($cb:ident) => {
        $cb! {
            /// Assets: `client.assets()`.
            ///
            /// ```no_run
            /// # fn main() -> iconik_sync::Result<()> {
            /// let client = iconik_sync::Client::from_env()?;
            /// let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
            /// # Ok(()) }
            /// ```
            AssetsApi(assets) => "assets" {
                /// Gets one asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let asset = client.assets().get("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// println!("{:?}", asset.title);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a bad id
                /// (nothing sent); 404 when there is no such asset.
                call fn get(asset_id: &str) -> Result<Response<Asset>>
                    = Get "/v1/assets/{asset_id}/" => |op| op.path_param(asset_id).send();

                /// Creates an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{AssetCreate, AssetCreateParams};
                /// let asset = client.assets().create(
                ///     &AssetCreate::new("My clip").external_id("x-1"),
                ///     &AssetCreateParams::default(),
                /// )?;
                /// println!("{:?}", asset.id);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 400 when the body is invalid.
                call fn create(body: &AssetCreate, params: &AssetCreateParams) -> Result<Response<Asset>>
                    = Post "/v1/assets/" => |op| op.query_params(params).json(body).send();

                /// Changes the fields set in `body` (PATCH); the rest stay as they are.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{Asset, SubclipKeyframesParams};
                /// let asset = client.assets().partial_update_asset(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &Asset::default().title("New title"),
                ///     &SubclipKeyframesParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when there is no such asset.
                call fn partial_update_asset(asset_id: &str, body: &Asset, params: &SubclipKeyframesParams) -> Result<Response<Asset>>
                    = Patch "/v1/assets/{asset_id}/" => |op| op.path_param(asset_id).query_params(params).json(body).send();

                /// Deletes an asset (it goes to the delete queue).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.assets().delete("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when there is no such asset.
                call fn delete(asset_id: &str) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/" => |op| op.path_param(asset_id).send();

                /// Fetches one page of assets. See [`list_all`](Self::list_all) to walk every page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetListParams;
                /// let page = client.assets().fetch(&AssetListParams::default().per_page(50u32).page(2u32))?;
                /// println!("{} of {:?}", page.objects.len(), page.total);
                /// # Ok(()) }
                /// ```
                call fn fetch(params: &AssetListParams) -> Result<Response<Page<Asset>>>
                    = Get "/v1/assets/" => |op| op.query_params(params).send();

                /// Every asset, fetched lazily page by page (`page=1, 2, ...`).
                ///
                /// iconik answers at most 10,000 items this way; use
                /// [`list_all_scroll`](Self::list_all_scroll) for more.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetListParams;
                /// for asset in client.assets().list_all(&AssetListParams::default().per_page(100u32)) {
                ///     println!("{:?}", asset?.title);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn list_all(params: &AssetListParams) -> Paginator<Asset>
                    = Get "/v1/assets/" => |op| Paginator::new(op.query_params(params), Style::PageNumber);

                /// Every asset, fetched lazily with a scroll cursor (`scroll=true`, then
                /// `scroll_id`), which has no 10,000-item limit.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetListParams;
                /// let count = client.assets().list_all_scroll(&AssetListParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn list_all_scroll(params: &AssetListParams) -> Paginator<Asset>
                    = Get "/v1/assets/" => |op| Paginator::new(op.query_params(params), Style::Scroll);

                /// Deletes many objects at once (`POST /v1/delete_queue/bulk/`): they go
                /// to the delete queue, asynchronously (iconik answers 202).
                ///
                /// With `permanently_delete`, the same ids are then purged from the queue
                /// (`POST /v1/delete_queue/{assets|collections}/purge/`), only those ids,
                /// not the whole queue. iconik deletes in the background, so ids it has not
                /// queued yet may be missed by the purge. Saved searches have no purge:
                /// asking to purge them is an error and nothing is sent.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{BulkDelete, BulkDeleteObjectType};
                /// let body = BulkDelete::new(vec!["6f1f5b9e-0000-0000-0000-000000000000".to_string()],
                ///                            BulkDeleteObjectType::Assets);
                /// client.assets().bulk_delete(&body, &false)?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when purging an
                /// object type that has no purge (nothing sent); any error of either request.
                call fn bulk_delete(body: &BulkDelete, permanently_delete: &bool) -> Result<Response<serde_json::Value>>
                    = Post "/v1/delete_queue/bulk/" => |op| $crate::api::assets::bulk_delete_with_purge(op, body, *permanently_delete);

                /// Purges **everything** in the delete queue: every deleted asset and
                /// collection is gone for good (`POST /v1/delete_queue/purge/all/`, as
                /// pythonik's `permanently_delete`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.assets().permanently_delete()?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 403 without the purge roles.
                call fn permanently_delete() -> Result<Response<()>>
                    = Post "/v1/delete_queue/purge/all/" => |op| op.send();

                /// Creates a segment (comment, marker, ...) on an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SegmentBody, SegmentType};
                /// let segment = client.assets().create_segment(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &SegmentBody::new(SegmentType::Comment).segment_text("Nice").time_start_milliseconds(1000),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn create_segment(asset_id: &str, body: &SegmentBody) -> Result<Response<Segment>>
                    = Post "/v1/assets/{asset_id}/segments/" => |op| op.path_param(asset_id).json(body).send();

                /// Replaces a segment (PUT): send its full representation.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SegmentBody, SegmentType, SubclipKeyframesParams};
                /// client.assets().update_segment(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "7a2b0000-0000-0000-0000-000000000000",
                ///     &SegmentBody::new(SegmentType::Marker).time_start_milliseconds(0).time_end_milliseconds(500),
                ///     &SubclipKeyframesParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn update_segment(asset_id: &str, segment_id: &str, body: &SegmentBody, params: &SubclipKeyframesParams) -> Result<Response<Segment>>
                    = Put "/v1/assets/{asset_id}/segments/{segment_id}/" => |op| op.path_params([asset_id, segment_id]).query_params(params).json(body).send();

                /// Changes the fields set in `body` of a segment (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SegmentBody, SegmentType, SubclipKeyframesParams};
                /// client.assets().partial_update_segment(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "7a2b0000-0000-0000-0000-000000000000",
                ///     &SegmentBody::new(SegmentType::Comment).segment_text("Edited"),
                ///     &SubclipKeyframesParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_segment(asset_id: &str, segment_id: &str, body: &SegmentBody, params: &SubclipKeyframesParams) -> Result<Response<Segment>>
                    = Patch "/v1/assets/{asset_id}/segments/{segment_id}/" => |op| op.path_params([asset_id, segment_id]).query_params(params).json(body).send();

                /// Fetches one page of an asset's segments, filtered by `params`.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{SegmentListParams, SegmentType};
                /// let page = client.assets().get_segments(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &SegmentListParams::default().segment_type(SegmentType::Comment),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn get_segments(asset_id: &str, params: &SegmentListParams) -> Result<Response<Page<Segment>>>
                    = Get "/v1/assets/{asset_id}/segments/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Every segment of an asset matching `params`, fetched lazily page by page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::SegmentListParams;
                /// for segment in client.assets().list_all_segments("6f1f5b9e-0000-0000-0000-000000000000",
                ///                                                  &SegmentListParams::default()) {
                ///     println!("{:?}", segment?.segment_text);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn list_all_segments(asset_id: &str, params: &SegmentListParams) -> Paginator<Segment>
                    = Get "/v1/assets/{asset_id}/segments/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::PageNumber);

                /// Deletes one segment.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::DeleteSegmentParams;
                /// client.assets().delete_segment(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "7a2b0000-0000-0000-0000-000000000000",
                ///     &DeleteSegmentParams::default().soft_delete(false),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn delete_segment(asset_id: &str, segment_id: &str, params: &DeleteSegmentParams) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/segments/{segment_id}/" => |op| op.path_params([asset_id, segment_id]).query_params(params).send();

                /// Deletes segments by id, or every segment of a type.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{BulkDeleteSegments, BulkDeleteSegmentsParams, SegmentType};
                /// client.assets().bulk_delete_segments(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &BulkDeleteSegments::default().segment_type(SegmentType::Marker),
                ///     &BulkDeleteSegmentsParams::default().immediately(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn bulk_delete_segments(asset_id: &str, body: &BulkDeleteSegments, params: &BulkDeleteSegmentsParams) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/segments/bulk/" => |op| op.path_param(asset_id).query_params(params).json(body).send();

                /// Creates a new version of an asset.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetVersionCreate;
                /// let versions = client.assets().create_version(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &AssetVersionCreate::default().copy_metadata(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn create_version(asset_id: &str, body: &AssetVersionCreate) -> Result<Response<AssetVersions>>
                    = Post "/v1/assets/{asset_id}/versions/" => |op| op.path_param(asset_id).json(body).send();

                /// Makes another asset the new version of `asset_id` (asynchronous: iconik
                /// answers 202).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetVersionFromAsset;
                /// client.assets().create_version_from_asset(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "8c3d0000-0000-0000-0000-000000000000",
                ///     &AssetVersionFromAsset::default().copy_previous_version_segments(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when either asset does not exist; 409 while the source is transcoding.
                call fn create_version_from_asset(asset_id: &str, source_asset_id: &str, body: &AssetVersionFromAsset) -> Result<Response<serde_json::Value>>
                    = Post "/v1/assets/{asset_id}/versions/from/assets/{source_asset_id}/" => |op| op.path_params([asset_id, source_asset_id]).json(body).send();

                /// Replaces a version's fields (PUT).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetVersion;
                /// client.assets().update_version(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "9d4e0000-0000-0000-0000-000000000000",
                ///     &AssetVersion::default().is_online(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn update_version(asset_id: &str, version_id: &str, body: &AssetVersion) -> Result<Response<AssetVersion>>
                    = Put "/v1/assets/{asset_id}/versions/{version_id}/" => |op| op.path_params([asset_id, version_id]).json(body).send();

                /// Changes the fields set in `body` of a version (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::AssetVersion;
                /// client.assets().partial_update_version(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "9d4e0000-0000-0000-0000-000000000000",
                ///     &AssetVersion::default().is_online(false),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_version(asset_id: &str, version_id: &str, body: &AssetVersion) -> Result<Response<AssetVersion>>
                    = Patch "/v1/assets/{asset_id}/versions/{version_id}/" => |op| op.path_params([asset_id, version_id]).json(body).send();

                /// Makes a version the asset's current one.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let versions = client.assets().promote_version(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "9d4e0000-0000-0000-0000-000000000000",
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn promote_version(asset_id: &str, version_id: &str) -> Result<Response<AssetVersions>>
                    = Put "/v1/assets/{asset_id}/versions/{version_id}/promote/" => |op| op.path_params([asset_id, version_id]).send();

                /// Deletes one version.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::DeleteVersionParams;
                /// client.assets().delete_version(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "9d4e0000-0000-0000-0000-000000000000",
                ///     &DeleteVersionParams::default().hard_delete(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn delete_version(asset_id: &str, version_id: &str, params: &DeleteVersionParams) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/versions/{version_id}/" => |op| op.path_params([asset_id, version_id]).query_params(params).send();

                /// Deletes every version of an asset but the current one.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.assets().delete_old_versions("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn delete_old_versions(asset_id: &str) -> Result<Response<()>>
                    = Delete "/v1/assets/{asset_id}/versions/old/" => |op| op.path_param(asset_id).send();

                /// Every history entry of an asset, fetched lazily page by page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilteredListParams;
                /// for entry in client.assets().list_asset_history_entities(
                ///     "6f1f5b9e-0000-0000-0000-000000000000", &FilteredListParams::default()) {
                ///     println!("{:?}", entry?.operation_type);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn list_asset_history_entities(asset_id: &str, params: &FilteredListParams) -> Paginator<AssetHistory>
                    = Get "/v1/assets/{asset_id}/history/" => |op| Paginator::new(op.path_param(asset_id).query_params(params), Style::PageNumber);

                /// Fetches one page of an asset's history.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FilteredListParams;
                /// let page = client.assets().fetch_asset_history_entities(
                ///     "6f1f5b9e-0000-0000-0000-000000000000", &FilteredListParams::default().per_page(20u32))?;
                /// # Ok(()) }
                /// ```
                call fn fetch_asset_history_entities(asset_id: &str, params: &FilteredListParams) -> Result<Response<Page<AssetHistory>>>
                    = Get "/v1/assets/{asset_id}/history/" => |op| op.path_param(asset_id).query_params(params).send();

                /// Adds an entry to an asset's history.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{AssetHistoryCreate, HistoryOperationType};
                /// client.assets().create_history_entity(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &AssetHistoryCreate::new(HistoryOperationType::Custom).operation_description("QC passed"),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn create_history_entity(asset_id: &str, body: &AssetHistoryCreate) -> Result<Response<AssetHistory>>
                    = Post "/v1/assets/{asset_id}/history/" => |op| op.path_param(asset_id).json(body).send();
            }
        }
    };
}

__assets_surface!(sync_handler);

/// `bulk_delete`: the bulk delete, then (optionally) the purge of the same
/// ids. The purge path is checked before anything is sent.
#[doc(hidden)]
pub fn bulk_delete_with_purge(
    op: RequestBuilder,
    body: &BulkDelete,
    permanently_delete: bool,
) -> Result<Response<serde_json::Value>> {
    let purge_path = if permanently_delete {
        match body.object_type {
            BulkDeleteObjectType::Assets => Some("/v1/delete_queue/assets/purge/"),
            BulkDeleteObjectType::Collections => Some("/v1/delete_queue/collections/purge/"),
            ref other => {
                return Err(Error::InvalidArgument(format!(
                    "bulk_delete: objects of type {other:?} cannot be purged"
                )))
            }
        }
    } else {
        None
    };
    let client = op.client().clone();
    let answer = op.json(body).send()?;
    if let Some(path) = purge_path {
        client
            .request(Method::Post, "assets", path)
            .name("bulk_delete")
            .json(&serde_json::json!({ "ids": body.object_ids }))
            .send::<()>()?;
    }
    Ok(answer)
}
