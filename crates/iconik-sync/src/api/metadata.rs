//! `client.metadata()`: metadata values of assets, collections and
//! segments (through a view or directly), views and fields.
//!
//! # Views without values
//!
//! iconik answers 404 when an object has no values in a view yet. With
//! [`ClientBuilder::metadata_view_404_as_empty`](crate::ClientBuilder::metadata_view_404_as_empty)
//! enabled, the metadata reads (`get_*_metadata` and their `_direct`
//! twins) turn that 404 into `Ok`: a [`Response`] whose `status` is still
//! 404 and whose data is an empty [`Metadata`] (`metadata_values` set to an
//! empty map). iconik's 404 does not say whether the object itself is
//! missing, so neither can the client: check `status` when that matters.

use std::time::{Duration, SystemTime};

#[allow(unused_imports)]
use crate::prelude::*;

/// The surface list of [`MetadataApi`] (see [`crate::api`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __metadata_surface {
    ($cb:ident) => {
        $cb! {
            /// The `metadata` service: `client.metadata()`.
            ///
            /// ```no_run
            /// # fn main() -> iconik_sync::Result<()> {
            /// let client = iconik_sync::Client::from_env()?;
            /// let values = client.metadata().get_asset_metadata("asset-id", "view-id")?;
            /// println!("{:?}", values.first_value("description"));
            /// # Ok(()) }
            /// ```
            MetadataApi(metadata) => "metadata" {
                // ---- values: reads --------------------------------------------

                /// The values of an object (`object_type`: `assets`,
                /// `collections` or `segments`) in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_object_metadata("collections", "collection-id", "view-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when the object has no values in the view (unless the
                /// client maps it to an empty result, see the module docs).
                call fn get_object_metadata(object_type: &str, object_id: &str, view_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/views/{view_id}/" => |op| view_values(op.path_params([object_type, object_id, view_id]));

                /// The values of an asset in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_asset_metadata("asset-id", "view-id")?;
                /// for v in values.values("tags") {
                ///     println!("{v}");
                /// }
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata`](Self::get_object_metadata).
                call fn get_asset_metadata(asset_id: &str, view_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/views/{view_id}/" => |op| view_values(op.path_params(["assets", asset_id, view_id]));

                /// The values of a collection in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_collection_metadata("collection-id", "view-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata`](Self::get_object_metadata).
                call fn get_collection_metadata(collection_id: &str, view_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/views/{view_id}/" => |op| view_values(op.path_params(["collections", collection_id, view_id]));

                /// The values of a segment in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_segment_metadata("segment-id", "view-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata`](Self::get_object_metadata).
                call fn get_segment_metadata(segment_id: &str, view_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/views/{view_id}/" => |op| view_values(op.path_params(["segments", segment_id, view_id]));

                /// All values of an object, without a view.
                ///
                /// iconik's spec documents this answer as a bare map of field
                /// names; iconik (and pythonik) answer the values document, which
                /// is what this decodes. Keys outside it land in `extra`.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_object_metadata_direct("assets", "asset-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// 404 when the object has no values (unless mapped to an empty
                /// result, see the module docs).
                call fn get_object_metadata_direct(object_type: &str, object_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/" => |op| view_values(op.path_params([object_type, object_id]));

                /// All values of an asset, without a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_asset_metadata_direct("asset-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata_direct`](Self::get_object_metadata_direct).
                call fn get_asset_metadata_direct(asset_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/" => |op| view_values(op.path_params(["assets", asset_id]));

                /// All values of a collection, without a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_collection_metadata_direct("collection-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata_direct`](Self::get_object_metadata_direct).
                call fn get_collection_metadata_direct(collection_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/" => |op| view_values(op.path_params(["collections", collection_id]));

                /// All values of a segment, without a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let values = client.metadata().get_segment_metadata_direct("segment-id")?;
                /// # Ok(()) }
                /// ```
                ///
                /// # Errors
                /// As for [`get_object_metadata_direct`](Self::get_object_metadata_direct).
                call fn get_segment_metadata_direct(segment_id: &str) -> Result<Response<Metadata>>
                    = Get "/v1/{object_type}/{object_id}/" => |op| view_values(op.path_params(["segments", segment_id]));

                // ---- values: writes -------------------------------------------

                /// Writes an asset's values in a view (PUT
                /// `/v1/assets/{asset_id}/views/{view_id}/`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Metadata;
                /// let body = Metadata::default().with_field("description", ["A red car"]);
                /// let written = client.metadata().update_asset_metadata("asset-id", "view-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn update_asset_metadata(asset_id: &str, view_id: &str, metadata: &Metadata) -> Result<Response<Metadata>>
                    = Put "/v1/{object_type}/{object_id}/views/{view_id}/" => |op| op.path_params(["assets", asset_id, view_id]).json(metadata).send();

                /// Writes an object's values without a view (PUT
                /// `/v1/{object_type}/{object_id}/`). iconik requires admin
                /// rights and skips its usual checks here.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Metadata;
                /// let body = Metadata::default().with_field("rating", [5]);
                /// client.metadata().put_metadata_direct("assets", "asset-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn put_metadata_direct(object_type: &str, object_id: &str, metadata: &Metadata) -> Result<Response<Metadata>>
                    = Put "/v1/{object_type}/{object_id}/" => |op| op.path_params([object_type, object_id]).json(metadata).send();

                /// Writes the values of a sub-object of an asset (e.g.
                /// `segments`) in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Metadata;
                /// let body = Metadata::default().with_field("speaker", ["Ada"]);
                /// client.metadata().put_object_view_metadata("asset-id", "segments", "segment-id", "view-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn put_object_view_metadata(asset_id: &str, object_type: &str, object_id: &str, view_id: &str, metadata: &Metadata) -> Result<Response<Metadata>>
                    = Put "/v1/assets/{asset_id}/{object_type}/{object_id}/views/{view_id}/" => |op| op
                        .path_params([asset_id, object_type, object_id, view_id])
                        .json(metadata)
                        .send();

                /// Writes the values of a segment of an asset in a view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::Metadata;
                /// let body = Metadata::default().with_field("speaker", ["Ada"]);
                /// client.metadata().put_segment_view_metadata("asset-id", "segment-id", "view-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn put_segment_view_metadata(asset_id: &str, segment_id: &str, view_id: &str, metadata: &Metadata) -> Result<Response<Metadata>>
                    = Put "/v1/assets/{asset_id}/{object_type}/{object_id}/views/{view_id}/" => |op| op
                        .path_params([asset_id, "segments", segment_id, view_id])
                        .json(metadata)
                        .send();

                // ---- views ----------------------------------------------------

                /// Every metadata view (iconik sends them in one page).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// for view in &client.metadata().get_views()?.objects {
                ///     println!("{:?} {:?}", view.id, view.name);
                /// }
                /// # Ok(()) }
                /// ```
                call fn get_views() -> Result<Response<Page<MetadataView>>>
                    = Get "/v1/views/" => |op| op.send();

                /// One metadata view, with its fields.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let view = client.metadata().get_view("view-id")?;
                /// # Ok(()) }
                /// ```
                call fn get_view(view_id: &str) -> Result<Response<MetadataView>>
                    = Get "/v1/views/{view_id}/" => |op| op.path_param(view_id).send();

                /// Creates a metadata view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{MetadataViewCreate, ViewField};
                /// let body = MetadataViewCreate::new("Review", vec![ViewField::new("description")]);
                /// let view = client.metadata().create_view(&body)?;
                /// # Ok(()) }
                /// ```
                call fn create_view(view: &MetadataViewCreate) -> Result<Response<MetadataView>>
                    = Post "/v1/views/" => |op| op.json(view).send();

                /// Changes the fields set in `view` of a metadata view (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::MetadataView;
                /// client.metadata().update_view("view-id", &MetadataView::default().description("For reviewers"))?;
                /// # Ok(()) }
                /// ```
                call fn update_view(view_id: &str, view: &MetadataView) -> Result<Response<MetadataView>>
                    = Patch "/v1/views/{view_id}/" => |op| op.path_param(view_id).json(view).send();

                /// Replaces a metadata view (PUT): name and fields are required.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::{MetadataViewCreate, ViewField};
                /// let body = MetadataViewCreate::new("Review", vec![ViewField::new("description").required(true)]);
                /// client.metadata().replace_view("view-id", &body)?;
                /// # Ok(()) }
                /// ```
                call fn replace_view(view_id: &str, view: &MetadataViewCreate) -> Result<Response<MetadataView>>
                    = Put "/v1/views/{view_id}/" => |op| op.path_param(view_id).json(view).send();

                /// Deletes a metadata view.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.metadata().delete_view("view-id")?;
                /// # Ok(()) }
                /// ```
                call fn delete_view(view_id: &str) -> Result<Response<()>>
                    = Delete "/v1/views/{view_id}/" => |op| op.path_param(view_id).send();

                // ---- fields ---------------------------------------------------

                /// One page of metadata fields, ordered by name: to get the next
                /// page, set `last_field_name` to the last name of this one.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::FieldListParams;
                /// let page = client.metadata().list_fields(&FieldListParams::default().per_page(100u32))?;
                /// # Ok(()) }
                /// ```
                call fn list_fields(params: &FieldListParams) -> Result<Response<Page<MetadataField>>>
                    = Get "/v1/fields/" => |op| op.query_params(params).send();

                /// One metadata field, by name.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// let field = client.metadata().get_field("description")?;
                /// println!("{:?}", field.field_type);
                /// # Ok(()) }
                /// ```
                call fn get_field(field_name: &str) -> Result<Response<MetadataField>>
                    = Get "/v1/fields/{field_name}/" => |op| op.path_param(field_name).send();

                /// Creates a metadata field.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::MetadataFieldCreate;
                /// let body = MetadataFieldCreate::new("string", "Speaker", "speaker").multi(true);
                /// let field = client.metadata().create_field(&body)?;
                /// # Ok(()) }
                /// ```
                call fn create_field(field: &MetadataFieldCreate) -> Result<Response<MetadataField>>
                    = Post "/v1/fields/" => |op| op.json(field).send();

                /// Replaces a metadata field (PUT, as pythonik's `update_field`).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::MetadataFieldCreate;
                /// let body = MetadataFieldCreate::new("string", "Speaker name", "speaker");
                /// client.metadata().update_field("speaker", &body)?;
                /// # Ok(()) }
                /// ```
                call fn update_field(field_name: &str, field: &MetadataFieldCreate) -> Result<Response<MetadataField>>
                    = Put "/v1/fields/{field_name}/" => |op| op.path_param(field_name).json(field).send();

                /// Changes the attributes set in `field` of a metadata field (PATCH).
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// use iconik_sync::models::MetadataField;
                /// client.metadata().partial_update_field("speaker", &MetadataField::default().label("Speaker"))?;
                /// # Ok(()) }
                /// ```
                call fn partial_update_field(field_name: &str, field: &MetadataField) -> Result<Response<MetadataField>>
                    = Patch "/v1/fields/{field_name}/" => |op| op.path_param(field_name).json(field).send();

                /// Deletes a metadata field.
                ///
                /// ```no_run
                /// # fn main() -> iconik_sync::Result<()> {
                /// # let client = iconik_sync::Client::from_env()?;
                /// client.metadata().delete_field("speaker")?;
                /// # Ok(()) }
                /// ```
                call fn delete_field(field_name: &str) -> Result<Response<()>>
                    = Delete "/v1/fields/{field_name}/" => |op| op.path_param(field_name).send();
            }
        }
    };
}

__metadata_surface!(sync_handler);

/// A metadata read; iconik's 404 for "no values" becomes an empty result
/// when the client is configured so (see the module docs).
fn view_values(op: RequestBuilder) -> Result<Response<Metadata>> {
    let as_empty = op.client().inner.view_404_as_empty;
    match op.send::<Metadata>() {
        Err(Error::Api(e)) if as_empty && e.status == 404 => Ok(Response {
            data: Metadata::default().metadata_values(std::collections::BTreeMap::new()),
            status: e.status,
            headers: e.headers,
            received_at: SystemTime::now(),
            elapsed: Duration::ZERO,
            attempts: e.attempts,
            from_cache: false,
        }),
        other => other,
    }
}
