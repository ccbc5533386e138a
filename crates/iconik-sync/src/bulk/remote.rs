//! The iconik calls a sync makes, each in one place: collections and
//! their contents, assets and their files, the checksum lookup.
//!
//! Each is the generated operation of that name, built from the operation
//! table ([`OPERATIONS`]: method, path, credentials and retry class as the
//! generated handler sends them) rather than through the service
//! handlers, so a sync needs none of the per-service features (the
//! `iconik` command builds without them). Bodies and answers are the
//! few fields a sync reads, typed here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::OPERATIONS;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation::RequestBuilder;
use crate::page::{Paginator, Style};

use super::plan::RemoteFile;

/// The operations a sync sends (service, name); a test checks each
/// against the table.
#[cfg(test)]
const USED: &[(&str, &str)] = &[
    ("assets", "get_collection"),
    ("assets", "get_collection_contents"),
    ("assets", "post_collections"),
    ("assets", "post_assets"),
    ("assets", "post_collection_contents"),
    ("assets", "get_asset"),
    ("assets", "delete_asset"),
    ("files", "get_asset_files"),
    ("files", "get_asset_formats"),
    ("files", "get_asset_file_sets"),
    ("files", "delete_asset_file"),
    ("files", "get_files_checksum_by_checksum"),
];

/// The request of the generated operation `name` of `service`.
fn op(client: &Client, service: &str, name: &str) -> Result<RequestBuilder> {
    OPERATIONS
        .iter()
        .position(|o| o.service == service && o.name == name)
        .map(|index| crate::api::operation(client, index))
        .ok_or_else(|| Error::invalid(format!("no operation {service}.{name} in the table")))
}

/// Items per page of the lists a sync reads.
const PER_PAGE: i64 = 100;
/// The most objects a list a sync keeps in memory may hold (one folder's
/// contents, one asset's files).
pub(crate) const MAX_LISTED: usize = 100_000;
/// The most checksum matches looked at.
const MAX_MATCHES: usize = 1_000;

/// A collection as a sync needs it.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    pub(crate) status: Option<String>,
    pub(crate) parents: Option<Vec<String>>,
}

/// An entry of a collection's contents: an asset or a sub-collection.
#[derive(Debug, Clone, Default)]
pub(crate) struct Content {
    pub(crate) id: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) object_type: Option<String>,
    pub(crate) external_id: Option<String>,
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
    /// The fields a sync reads from one listed object (an asset or a
    /// collection: the listing is a union iconik does not tag otherwise).
    fn of(v: &Value) -> Content {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        Content {
            id: s("id"),
            title: s("title"),
            object_type: s("object_type"),
            external_id: s("external_id"),
            status: s("status"),
        }
    }

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
#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub(crate) status: Option<String>,
    pub(crate) in_collections: Option<Vec<String>>,
}

/// A format of an asset.
#[derive(Debug, Clone)]
pub(crate) struct Format {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) status: Option<String>,
}

/// A file set of an asset.
#[derive(Debug, Clone)]
pub(crate) struct FileSet {
    pub(crate) id: Option<String>,
    pub(crate) format_id: String,
    pub(crate) status: Option<String>,
}

#[derive(Deserialize)]
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

fn file(f: FileWire) -> Option<RemoteFile> {
    Some(RemoteFile {
        id: f.id?,
        asset_id: f.asset_id,
        status: f.status,
        size: f.size,
        format_id: f.format_id,
        checksum: f.checksum,
        name: f.original_name.filter(|n| !n.is_empty()).or(f.name),
        version_id: f.version_id,
    })
}

#[derive(Deserialize)]
struct CollectionWire {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    parents: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Created {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    in_collections: Option<Vec<String>>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct FormatWire {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct FileSetWire {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    format_id: String,
    #[serde(default)]
    status: Option<String>,
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

fn no_id(what: &str) -> Error {
    Error::invalid(format!(
        "iconik created the {what} but answered without its id"
    ))
}

/// `get_collection`
pub(crate) fn collection(client: &Client, id: &str) -> Result<Collection> {
    let c = op(client, "assets", "get_collection")?
        .path_param(id)
        .send::<CollectionWire>()?
        .into_data();
    Ok(Collection {
        status: c.status,
        parents: c.parents,
    })
}

/// `get_collection_contents`: every entry (`object_types` and
/// `external_id` narrow it where iconik supports them), lazily.
pub(crate) fn contents(
    client: &Client,
    id: &str,
    object_types: Option<&str>,
    external_id: Option<&str>,
) -> Box<dyn Iterator<Item = Result<Content>>> {
    let request = match op(client, "assets", "get_collection_contents") {
        Ok(r) => r,
        Err(e) => return Box::new(std::iter::once(Err(e))),
    };
    let mut request = request.path_param(id).query("per_page", PER_PAGE);
    if let Some(types) = object_types {
        request = request.query("object_types", types);
    }
    if let Some(external_id) = external_id {
        request = request.query("external_id", external_id);
    }
    Box::new(
        Paginator::<Value>::new(request, Style::PageNumber)
            .max_items(MAX_LISTED)
            .map(|item| item.map(|v| Content::of(&v))),
    )
}

/// `post_collections` with a parent: a sub-collection.
pub(crate) fn create_collection(client: &Client, parent: &str, title: &str) -> Result<String> {
    op(client, "assets", "post_collections")?
        .json(&NewCollection {
            title,
            parent_id: parent,
        })
        .send::<Created>()?
        .into_data()
        .id
        .ok_or_else(|| no_id("collection"))
}

/// `post_assets`: an asset titled `title`, tagged with `external_id`,
/// placed in `collection` (by iconik, or by `post_collection_contents`
/// when iconik's answer does not show it there).
pub(crate) fn create_asset(
    client: &Client,
    title: &str,
    external_id: &str,
    collection: &str,
) -> Result<String> {
    let created = op(client, "assets", "post_assets")?
        .query("assign_to_collection", true)
        .json(&NewAsset {
            title,
            kind: "ASSET",
            external_id,
            collection_id: collection,
        })
        .send::<Created>()?
        .into_data();
    let id = created.id.ok_or_else(|| no_id("asset"))?;
    let placed = created
        .in_collections
        .as_ref()
        .is_some_and(|c| c.iter().any(|c| c == collection));
    if !placed {
        op(client, "assets", "post_collection_contents")?
            .path_param(collection)
            .json(&NewContent {
                object_id: &id,
                object_type: "assets",
            })
            .send::<Value>()?;
    }
    Ok(id)
}

/// `get_asset`
pub(crate) fn asset(client: &Client, id: &str) -> Result<Asset> {
    let a = op(client, "assets", "get_asset")?
        .path_param(id)
        .send::<Created>()?
        .into_data();
    Ok(Asset {
        status: a.status,
        in_collections: a.in_collections,
    })
}

/// `delete_asset` (iconik's delete queue keeps it until purged).
pub(crate) fn delete_asset(client: &Client, id: &str) -> Result<()> {
    op(client, "assets", "delete_asset")?
        .path_param(id)
        .send::<Value>()?;
    Ok(())
}

/// A files-service list, every page (`last_id`), bounded.
fn listed<T: serde::de::DeserializeOwned>(request: RequestBuilder) -> Result<Vec<T>> {
    Paginator::new(request.query("per_page", PER_PAGE), Style::LastId).collect_bounded(MAX_LISTED)
}

/// `get_asset_files`: every file of an asset.
pub(crate) fn asset_files(client: &Client, asset: &str) -> Result<Vec<RemoteFile>> {
    let files: Vec<FileWire> = listed(op(client, "files", "get_asset_files")?.path_param(asset))?;
    Ok(files.into_iter().filter_map(file).collect())
}

/// `get_asset_formats`: every format of the asset's current version.
pub(crate) fn asset_formats(client: &Client, asset: &str) -> Result<Vec<Format>> {
    let formats: Vec<FormatWire> =
        listed(op(client, "files", "get_asset_formats")?.path_param(asset))?;
    Ok(formats
        .into_iter()
        .map(|f| Format {
            id: f.id,
            name: f.name,
            status: f.status,
        })
        .collect())
}

/// `get_asset_file_sets`: every file set of an asset.
pub(crate) fn asset_file_sets(client: &Client, asset: &str) -> Result<Vec<FileSet>> {
    let sets: Vec<FileSetWire> =
        listed(op(client, "files", "get_asset_file_sets")?.path_param(asset))?;
    Ok(sets
        .into_iter()
        .map(|s| FileSet {
            id: s.id,
            format_id: s.format_id,
            status: s.status,
        })
        .collect())
}

/// `delete_asset_file`
pub(crate) fn delete_file(client: &Client, asset: &str, file_id: &str) -> Result<()> {
    op(client, "files", "delete_asset_file")?
        .path_param(asset)
        .path_param(file_id)
        .send::<Value>()?;
    Ok(())
}

/// `get_files_checksum_by_checksum`: files whose checksum is `md5` (the
/// first 1,000).
pub(crate) fn files_by_checksum(client: &Client, md5: &str) -> Result<Vec<RemoteFile>> {
    let request = op(client, "files", "get_files_checksum_by_checksum")?
        .path_param(md5.to_ascii_lowercase())
        .query("per_page", PER_PAGE);
    let mut out = Vec::new();
    for f in Paginator::<FileWire>::new(request, Style::LastId) {
        if let Some(f) = file(f?) {
            out.push(f);
        }
        if out.len() >= MAX_MATCHES {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_a_sync_sends_is_in_the_table_as_expected() {
        let want = [
            ("GET", "/v1/collections/{collection_id}/"),
            ("GET", "/v1/collections/{collection_id}/contents/"),
            ("POST", "/v1/collections/"),
            ("POST", "/v1/assets/"),
            ("POST", "/v1/collections/{collection_id}/contents/"),
            ("GET", "/v1/assets/{asset_id}/"),
            ("DELETE", "/v1/assets/{asset_id}/"),
            ("GET", "/v1/assets/{asset_id}/files/"),
            ("GET", "/v1/assets/{asset_id}/formats/"),
            ("GET", "/v1/assets/{asset_id}/file_sets/"),
            ("DELETE", "/v1/assets/{asset_id}/files/{file_id}/"),
            ("GET", "/v1/files/checksum/{checksum}/"),
        ];
        assert_eq!(USED.len(), want.len());
        for ((service, name), (method, path)) in USED.iter().zip(want) {
            let found: Vec<_> = OPERATIONS
                .iter()
                .filter(|o| o.service == *service && o.name == *name)
                .collect();
            assert_eq!(found.len(), 1, "{service}.{name}");
            assert_eq!(found[0].method.as_str(), method, "{name}");
            assert_eq!(found[0].path, path, "{name}");
        }
    }
}
