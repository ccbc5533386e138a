//! The iconik calls a sync makes, each in one place: collections and
//! their contents, assets and their files, the checksum lookup.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::operation::Method;
use crate::page::{Paginator, Style};

use super::plan::RemoteFile;

/// Items per page of the lists a sync reads.
const PER_PAGE: u32 = 100;
/// The most objects a list a sync keeps in memory may hold (one folder's
/// contents, one asset's files, one checksum's matches).
pub(crate) const MAX_LISTED: usize = 100_000;
/// The most checksum matches looked at.
const MAX_MATCHES: usize = 1_000;

/// A collection as a sync needs it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Collection {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) parents: Option<Vec<String>>,
}

/// An entry of a collection's contents: an asset or a sub-collection.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Content {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) object_type: Option<String>,
    #[serde(default)]
    pub(crate) external_id: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// What a listed entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Asset,
    Collection,
    Other,
}

impl Content {
    pub(crate) fn kind(&self) -> Kind {
        match self
            .object_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("assets" | "asset") => Kind::Asset,
            Some("collections" | "collection") => Kind::Collection,
            _ => Kind::Other,
        }
    }

    pub(crate) fn is_active(&self) -> bool {
        is_active(self.status.as_deref())
    }
}

/// Not deleted (iconik keeps deleted objects around until purged).
pub(crate) fn is_active(status: Option<&str>) -> bool {
    !status.is_some_and(|s| s.eq_ignore_ascii_case("DELETED"))
}

/// An asset as a sync needs it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Asset {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) in_collections: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
struct FileWire {
    id: Option<String>,
    #[serde(default)]
    asset_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    format_id: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    original_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version_id: Option<String>,
}

impl FileWire {
    fn into_remote(self) -> Option<RemoteFile> {
        Some(RemoteFile {
            id: self.id?,
            asset_id: self.asset_id,
            status: self.status,
            size: self.size,
            format_id: self.format_id,
            checksum: self.checksum,
            name: self.original_name.or(self.name),
            version_id: self.version_id,
        })
    }
}

/// A format of an asset.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Format {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// A file set of an asset.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FileSet {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) format_id: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    #[serde(default)]
    in_collections: Option<Vec<String>>,
}

#[derive(Serialize)]
struct NewCollection<'a> {
    title: &'a str,
    parent_id: &'a str,
}

#[derive(Serialize)]
struct NewAsset<'a> {
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    external_id: &'a str,
    collection_id: &'a str,
}

#[derive(Serialize)]
struct NewContent<'a> {
    object_id: &'a str,
    object_type: &'static str,
}

/// `GET /v1/collections/{collection_id}/`
pub(crate) fn collection(client: &Client, id: &str) -> Result<Collection> {
    Ok(client
        .request(Method::Get, "assets", "/v1/collections/{collection_id}/")
        .name("get_collection")
        .path_param(id)
        .send::<Collection>()?
        .into_data())
}

/// Every entry of a collection's contents (`object_types` and
/// `external_id` narrow it where iconik supports it), lazily.
pub(crate) fn contents(
    client: &Client,
    id: &str,
    object_types: Option<&str>,
    external_id: Option<&str>,
) -> Paginator<Content> {
    let mut request = client
        .request(
            Method::Get,
            "assets",
            "/v1/collections/{collection_id}/contents/",
        )
        .name("get_collection_contents")
        .path_param(id)
        .query("per_page", PER_PAGE);
    if let Some(types) = object_types {
        request = request.query("object_types", types);
    }
    if let Some(external_id) = external_id {
        request = request.query("external_id", external_id);
    }
    Paginator::new(request, Style::PageNumber).max_items(MAX_LISTED)
}

/// `POST /v1/collections/` with `parent_id`: a sub-collection.
pub(crate) fn create_collection(client: &Client, parent: &str, title: &str) -> Result<String> {
    Ok(client
        .request(Method::Post, "assets", "/v1/collections/")
        .name("post_collections")
        .json(&NewCollection {
            title,
            parent_id: parent,
        })
        .send::<Created>()?
        .into_data()
        .id)
}

/// `POST /v1/assets/`: an asset titled `title`, tagged with
/// `external_id`, placed in `collection` (by iconik, or by a second call
/// when iconik's answer does not show it there).
pub(crate) fn create_asset(
    client: &Client,
    title: &str,
    external_id: &str,
    collection: &str,
) -> Result<String> {
    let created = client
        .request(Method::Post, "assets", "/v1/assets/")
        .name("post_assets")
        .query("assign_to_collection", true)
        .json(&NewAsset {
            title,
            kind: "ASSET",
            external_id,
            collection_id: collection,
        })
        .send::<Created>()?
        .into_data();
    let placed = created
        .in_collections
        .as_ref()
        .is_some_and(|c| c.iter().any(|c| c == collection));
    if !placed {
        add_to_collection(client, collection, &created.id)?;
    }
    Ok(created.id)
}

/// `POST /v1/collections/{collection_id}/contents/` with an asset.
pub(crate) fn add_to_collection(client: &Client, collection: &str, asset: &str) -> Result<()> {
    client
        .request(
            Method::Post,
            "assets",
            "/v1/collections/{collection_id}/contents/",
        )
        .name("post_collection_contents")
        .path_param(collection)
        .json(&NewContent {
            object_id: asset,
            object_type: "assets",
        })
        .send::<serde_json::Value>()?;
    Ok(())
}

/// `GET /v1/assets/{asset_id}/`
pub(crate) fn asset(client: &Client, id: &str) -> Result<Asset> {
    Ok(client
        .request(Method::Get, "assets", "/v1/assets/{asset_id}/")
        .name("get_asset")
        .path_param(id)
        .send::<Asset>()?
        .into_data())
}

/// `DELETE /v1/assets/{asset_id}/` (iconik's delete queue keeps it until
/// purged).
pub(crate) fn delete_asset(client: &Client, id: &str) -> Result<()> {
    client
        .request(Method::Delete, "assets", "/v1/assets/{asset_id}/")
        .name("delete_asset")
        .path_param(id)
        .send::<serde_json::Value>()?;
    Ok(())
}

fn files_list(request: crate::RequestBuilder) -> Result<Vec<RemoteFile>> {
    let files: Vec<FileWire> = Paginator::new(request.query("per_page", PER_PAGE), Style::LastId)
        .collect_bounded(MAX_LISTED)?;
    Ok(files
        .into_iter()
        .filter_map(FileWire::into_remote)
        .collect())
}

/// Every file of an asset (`GET /v1/assets/{asset_id}/files/`).
pub(crate) fn asset_files(client: &Client, asset: &str) -> Result<Vec<RemoteFile>> {
    let request = client
        .request(Method::Get, "files", "/v1/assets/{asset_id}/files/")
        .name("get_asset_files")
        .path_param(asset);
    files_list(request)
}

/// Every format of an asset's current version.
pub(crate) fn asset_formats(client: &Client, asset: &str) -> Result<Vec<Format>> {
    let request = client
        .request(Method::Get, "files", "/v1/assets/{asset_id}/formats/")
        .name("get_asset_formats")
        .path_param(asset)
        .query("per_page", PER_PAGE);
    Paginator::new(request, Style::LastId).collect_bounded(MAX_LISTED)
}

/// Every file set of an asset.
pub(crate) fn asset_file_sets(client: &Client, asset: &str) -> Result<Vec<FileSet>> {
    let request = client
        .request(Method::Get, "files", "/v1/assets/{asset_id}/file_sets/")
        .name("get_asset_file_sets")
        .path_param(asset)
        .query("per_page", PER_PAGE);
    Paginator::new(request, Style::LastId).collect_bounded(MAX_LISTED)
}

/// `DELETE /v1/assets/{asset_id}/files/{file_id}/`
pub(crate) fn delete_file(client: &Client, asset: &str, file: &str) -> Result<()> {
    client
        .request(
            Method::Delete,
            "files",
            "/v1/assets/{asset_id}/files/{file_id}/",
        )
        .name("delete_asset_file")
        .path_param(asset)
        .path_param(file)
        .send::<serde_json::Value>()?;
    Ok(())
}

/// Files whose checksum is `md5` (at most the first 1,000).
pub(crate) fn files_by_checksum(client: &Client, md5: &str) -> Result<Vec<RemoteFile>> {
    let request = client
        .request(Method::Get, "files", "/v1/files/checksum/{checksum}/")
        .name("get_files_checksum_by_checksum")
        .path_param(md5.to_ascii_lowercase())
        .query("per_page", PER_PAGE);
    let mut out = Vec::new();
    for file in Paginator::<FileWire>::new(request, Style::LastId) {
        if let Some(f) = file?.into_remote() {
            out.push(f);
        }
        if out.len() >= MAX_MATCHES {
            break;
        }
    }
    Ok(out)
}
