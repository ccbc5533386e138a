//! `client.collections()`.

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`CollectionsApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __collections_surface {
    ($cb:ident) => {
        $cb! {
            /// Collections (served by the `assets` service): `client.collections()`.
            CollectionsApi(collections) => "assets" {
                /// Gets one collection.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let collection = client.collections().get("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// println!("{:?}", collection.title);
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when there is no such collection.
                call fn get(collection_id: &str) -> Result<Response<Collection>>
                    = Get "/v1/collections/{collection_id}/" => |op| op.path_param(collection_id).send();

                /// Counts and sizes of a collection's contents.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionInfoParams;
                /// let info = client.collections().get_info(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &CollectionInfoParams::default().include_subcollections(true),
                /// )?;
                /// println!("{:?} assets", info.assets_count);
                /// # Ok(()) }
                /// ```
                call fn get_info(collection_id: &str, params: &CollectionInfoParams) -> Result<Response<CollectionContentInfo>>
                    = Get "/v1/collections/{collection_id}/content/info/" => |op| op.path_param(collection_id).query_params(params).send();

                /// Fetches one page of a collection's contents: assets and
                /// sub-collections, told apart by `object_type`.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionContentsParams;
                /// let page = client.collections().get_contents(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &CollectionContentsParams::default().per_page(100u32),
                /// )?;
                /// for item in &page.objects {
                ///     println!("{:?} {:?}", item.object_type, item.title);
                /// }
                /// # Ok(()) }
                /// ```
                call fn get_contents(collection_id: &str, params: &CollectionContentsParams) -> Result<Response<Page<SearchHit>>>
                    = Get "/v1/collections/{collection_id}/contents/" => |op| op.path_param(collection_id).query_params(params).send();

                /// Every item of a collection's contents, fetched lazily page by page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionContentsParams;
                /// let n = client.collections()
                ///     .list_all_contents("6f1f5b9e-0000-0000-0000-000000000000", &CollectionContentsParams::default())
                ///     .count();
                /// # Ok(()) }
                /// ```
                iter fn list_all_contents(collection_id: &str, params: &CollectionContentsParams) -> Paginator<SearchHit>
                    = Get "/v1/collections/{collection_id}/contents/" => |op| Paginator::new(op.path_param(collection_id).query_params(params), Style::PageNumber);

                /// Creates a collection.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{CollectionCreate, CollectionCreateParams};
                /// let collection = client.collections().create(
                ///     &CollectionCreate::new("Dailies"),
                ///     &CollectionCreateParams::default().apply_default_acls(true),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn create(body: &CollectionCreate, params: &CollectionCreateParams) -> Result<Response<Collection>>
                    = Post "/v1/collections/" => |op| op.query_params(params).json(body).send();

                /// Replaces a collection's fields (PUT).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{CollectionCreate, CollectionUpdateParams};
                /// client.collections().update(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &CollectionCreate::new("Dailies (graded)"),
                ///     &CollectionUpdateParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn update(collection_id: &str, body: &CollectionCreate, params: &CollectionUpdateParams) -> Result<Response<Collection>>
                    = Put "/v1/collections/{collection_id}/" => |op| op.path_param(collection_id).query_params(params).json(body).send();

                /// Changes the fields set in `body` of a collection (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{Collection, CollectionUpdateParams};
                /// client.collections().partial_update(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &Collection::default().title("Renamed"),
                ///     &CollectionUpdateParams::default(),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn partial_update(collection_id: &str, body: &Collection, params: &CollectionUpdateParams) -> Result<Response<Collection>>
                    = Patch "/v1/collections/{collection_id}/" => |op| op.path_param(collection_id).query_params(params).json(body).send();

                /// Deletes a collection (asynchronous: iconik answers 202).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.collections().delete("6f1f5b9e-0000-0000-0000-000000000000")?;
                /// # Ok(()) }
                /// ```
                call fn delete(collection_id: &str) -> Result<Response<serde_json::Value>>
                    = Delete "/v1/collections/{collection_id}/" => |op| op.path_param(collection_id).send();

                /// Adds an asset or a collection to a collection.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionContent;
                /// client.collections().add_content(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     &CollectionContent::new("8c3d0000-0000-0000-0000-000000000000", "assets"),
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn add_content(collection_id: &str, body: &CollectionContent) -> Result<Response<serde_json::Value>>
                    = Post "/v1/collections/{collection_id}/contents/" => |op| op.path_param(collection_id).json(body).send();

                /// Removes an object (`object_type` is `assets` or `collections`) from a
                /// collection.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.collections().remove_content(
                ///     "6f1f5b9e-0000-0000-0000-000000000000",
                ///     "assets",
                ///     "8c3d0000-0000-0000-0000-000000000000",
                /// )?;
                /// # Ok(()) }
                /// ```
                call fn remove_content(collection_id: &str, object_type: &str, object_id: &str) -> Result<Response<()>>
                    = Delete "/v1/collections/{collection_id}/contents/{object_type}/{object_id}/" => |op| op.path_params([collection_id, object_type, object_id]).send();

                /// Fetches one page of collections. See [`list_all`](Self::list_all) to walk every page.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionListParams;
                /// let page = client.collections().fetch(&CollectionListParams::default().is_root(true))?;
                /// # Ok(()) }
                /// ```
                call fn fetch(params: &CollectionListParams) -> Result<Response<Page<Collection>>>
                    = Get "/v1/collections/" => |op| op.query_params(params).send();

                /// Every collection, fetched lazily page by page (`page=1, 2, ...`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionListParams;
                /// for collection in client.collections().list_all(&CollectionListParams::default()) {
                ///     println!("{:?}", collection?.title);
                /// }
                /// # Ok(()) }
                /// ```
                iter fn list_all(params: &CollectionListParams) -> Paginator<Collection>
                    = Get "/v1/collections/" => |op| Paginator::new(op.query_params(params), Style::PageNumber);

                /// Every collection, fetched lazily with a scroll cursor (`scroll=true`,
                /// then `scroll_id`), which has no 10,000-item limit.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::CollectionListParams;
                /// let n = client.collections().list_all_scroll(&CollectionListParams::default()).count();
                /// # Ok(()) }
                /// ```
                iter fn list_all_scroll(params: &CollectionListParams) -> Paginator<Collection>
                    = Get "/v1/collections/" => |op| Paginator::new(op.query_params(params), Style::Scroll);
            }
        }
    };
}

__collections_surface!(sync_handler);
