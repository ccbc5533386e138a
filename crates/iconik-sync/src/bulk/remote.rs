//! The iconik calls a sync makes, each in one place, on the generated
//! operations: collections and their contents, assets and their files,
//! the checksum lookup.

use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::assets::{AssetPostCreate, CollectionContent, CollectionInput};

use super::plan::RemoteFile;

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

fn file(f: crate::models::files::File) -> Option<RemoteFile> {
    Some(RemoteFile {
        id: f.id?,
        asset_id: f.asset_id,
        status: f.status.map(|s| s.as_str().to_owned()),
        size: f.size.and_then(|s| u64::try_from(s).ok()),
        format_id: f.format_id,
        checksum: f.checksum,
        name: Some(f.original_name).filter(|n| !n.is_empty()).or(f.name),
        version_id: f.version_id,
    })
}

fn no_id(what: &str) -> Error {
    Error::invalid(format!(
        "iconik created the {what} but answered without its id"
    ))
}

/// `get_collection`
pub(crate) fn collection(client: &Client, id: &str) -> Result<Collection> {
    let c = client.assets().get_collection(id).send()?.into_data();
    Ok(Collection {
        status: c.status.map(|s| s.as_str().to_owned()),
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
) -> impl Iterator<Item = Result<Content>> {
    let mut request = client
        .assets()
        .get_collection_contents(id)
        .per_page(PER_PAGE);
    if let Some(types) = object_types {
        request = request.object_types(types);
    }
    if let Some(external_id) = external_id {
        request = request.external_id(external_id);
    }
    request
        .items()
        .max_items(MAX_LISTED)
        .map(|item| item.map(|v| Content::of(&v)))
}

/// `post_collections` with a parent: a sub-collection.
pub(crate) fn create_collection(client: &Client, parent: &str, title: &str) -> Result<String> {
    let body = CollectionInput::new(title).parent_id(parent);
    client
        .assets()
        .post_collections(&body)
        .send()?
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
    // the body schema's `type` enum lists only POST; iconik's assets are ASSET
    let body = AssetPostCreate::new(title)
        .type_("ASSET")
        .external_id(external_id)
        .collection_id(collection);
    let created = client
        .assets()
        .post_assets(&body)
        .assign_to_collection(true)
        .send()?
        .into_data();
    let id = created.id.ok_or_else(|| no_id("asset"))?;
    let placed = created
        .in_collections
        .as_ref()
        .is_some_and(|c| c.iter().any(|c| c == collection));
    if !placed {
        let content = CollectionContent::new(&id, "assets");
        client
            .assets()
            .post_collection_contents(collection, &content)
            .send()?;
    }
    Ok(id)
}

/// `get_asset`
pub(crate) fn asset(client: &Client, id: &str) -> Result<Asset> {
    let a = client.assets().get_asset(id).send()?.into_data();
    Ok(Asset {
        status: a.status.map(|s| s.as_str().to_owned()),
        in_collections: a.in_collections,
    })
}

/// `delete_asset` (iconik's delete queue keeps it until purged).
pub(crate) fn delete_asset(client: &Client, id: &str) -> Result<()> {
    client.assets().delete_asset(id).send()?;
    Ok(())
}

/// `get_asset_files`: every file of an asset.
pub(crate) fn asset_files(client: &Client, asset: &str) -> Result<Vec<RemoteFile>> {
    let files = client
        .files()
        .get_asset_files(asset)
        .per_page(PER_PAGE)
        .items()
        .collect_bounded(MAX_LISTED)?;
    Ok(files.into_iter().filter_map(file).collect())
}

/// `get_asset_formats`: every format of the asset's current version.
pub(crate) fn asset_formats(client: &Client, asset: &str) -> Result<Vec<Format>> {
    let formats = client
        .files()
        .get_asset_formats(asset)
        .per_page(PER_PAGE)
        .items()
        .collect_bounded(MAX_LISTED)?;
    Ok(formats
        .into_iter()
        .map(|f| Format {
            id: f.id,
            name: f.name,
            status: f.status.map(|s| s.as_str().to_owned()),
        })
        .collect())
}

/// `get_asset_file_sets`: every file set of an asset.
pub(crate) fn asset_file_sets(client: &Client, asset: &str) -> Result<Vec<FileSet>> {
    let sets = client
        .files()
        .get_asset_file_sets(asset)
        .per_page(PER_PAGE)
        .items()
        .collect_bounded(MAX_LISTED)?;
    Ok(sets
        .into_iter()
        .map(|s| FileSet {
            id: s.id,
            format_id: s.format_id,
            status: s.status.map(|s| s.as_str().to_owned()),
        })
        .collect())
}

/// `delete_asset_file`
pub(crate) fn delete_file(client: &Client, asset: &str, file_id: &str) -> Result<()> {
    client.files().delete_asset_file(asset, file_id).send()?;
    Ok(())
}

/// `get_files_checksum_by_checksum`: files whose checksum is `md5` (the
/// first 1,000).
pub(crate) fn files_by_checksum(client: &Client, md5: &str) -> Result<Vec<RemoteFile>> {
    let mut out = Vec::new();
    let matches = client
        .files()
        .get_files_checksum_by_checksum(&md5.to_ascii_lowercase())
        .per_page(PER_PAGE)
        .items();
    for f in matches {
        if let Some(f) = file(f?) {
            out.push(f);
        }
        if out.len() >= MAX_MATCHES {
            break;
        }
    }
    Ok(out)
}
