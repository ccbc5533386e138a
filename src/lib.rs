//! A realistic flow, written once for the sync and once for the async
//! client, for the root `tests/` (`emulator_flows.rs` checks that both give
//! the same results). The examples in `examples/` show their own calls.
//!
//! The flow: create an asset, create a collection and add the asset, set
//! metadata values on a view, search by title, register a file and list the
//! asset's files, look the file up by checksum, fetch several assets
//! concurrently. Each run returns a [`Report`] whose id-free part
//! ([`Report::outcome`]) must be the same for both clients.
#![forbid(unsafe_code)]

// Every Rust block of every README is a doc test of this crate, so
// `cargo test --workspace` compiles them all (and runs those that need no
// server).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
#[cfg(doctest)]
#[doc = include_str!("../crates/iconik-sync/README.md")]
mod sync_readme {}
#[cfg(doctest)]
#[doc = include_str!("../crates/iconik-async/README.md")]
mod async_readme {}
#[cfg(doctest)]
#[doc = include_str!("../crates/iconik-emulator/README.md")]
mod emulator_readme {}

use std::io::Cursor;

use iconik_sync::checksum;
use iconik_sync::models::assets::{AssetPostCreate, CollectionContent, CollectionInput};
use iconik_sync::models::files::{FileCreate, FileSet, Format};
use iconik_sync::models::metadata::MetadataValues;
use iconik_sync::models::search::{
    CriteriaFilter, SearchCriteriaSchema, SearchSuggestDocTypesType0Item, SearchTerm,
};
use iconik_sync::Error;
use serde_json::{json, Map, Value};

/// What the flow can fail with: a failed call, or an answer that lacks
/// what the flow needs (an id the models leave optional, as iconik's spec
/// does).
pub type FlowError = Box<dyn std::error::Error + Send + Sync>;

/// The flow's result.
pub type Result<T> = std::result::Result<T, FlowError>;

/// What the flow needs besides a client.
#[derive(Debug, Clone)]
pub struct FlowContext {
    /// Distinguishes this run's titles, e.g. "sync" / "async".
    pub label: String,
    /// A metadata view and one of its fields to write, when available.
    pub view: Option<(String, String)>,
    /// The storage new file records point at.
    pub storage_id: Option<String>,
    /// Assets to fetch concurrently (besides the one created).
    pub fetch_ids: Vec<String>,
}

/// What one run of the flow did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The asset created.
    pub asset_id: String,
    /// The collection created.
    pub collection_id: String,
    /// The id-free results, equal for the sync and async runs.
    pub outcome: Outcome,
}

/// The parts of a [`Report`] that do not depend on generated ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The created asset's title, read back (label removed).
    pub asset_title: String,
    /// Items in the new collection.
    pub collection_items: usize,
    /// The metadata value read back, if a view was given.
    pub metadata_value: Option<String>,
    /// Whether searching for the title found the asset.
    pub found_by_search: bool,
    /// Names of the asset's files.
    pub file_names: Vec<String>,
    /// Files matching the registered file's checksum that belong to the asset.
    pub checksum_matches: usize,
    /// Titles of the assets fetched concurrently, in request order.
    pub fetched_titles: Vec<String>,
}

/// The content whose checksum the flow registers and looks up.
pub const SAMPLE_FILE: &[u8] = b"iconik-rs quickstart sample media\n";

/// The value the flow writes to the view's field.
const METADATA_VALUE: &str = "Shot on the quickstart";

/// The most items the flow reads from its one-item collection.
const MAX_COLLECTION_ITEMS: usize = 1_000;

fn title(label: &str) -> String {
    format!("Quickstart clip ({label})")
}

fn strip(title: &str, label: &str) -> String {
    title.replace(&format!(" ({label})"), "")
}

/// An id iconik must have sent (the models keep `id` optional, as the
/// spec does): its absence is an error, never an empty string.
fn required_id(id: &Option<String>, what: &str) -> Result<String> {
    id.clone()
        .ok_or_else(|| format!("iconik answered a {what} without an id").into())
}

/// The flow on the blocking client.
///
/// # Errors
/// The first failed call.
pub fn run_sync(client: &iconik_sync::Client, ctx: &FlowContext) -> Result<Report> {
    let title = title(&ctx.label);
    let asset = client
        .assets()
        .post_assets(&AssetPostCreate::new(title.as_str()))
        .send()?;
    let asset_id = required_id(&asset.id, "new asset")?;

    let collection = client
        .assets()
        .post_collections(&CollectionInput::new(format!(
            "Quickstart collection ({})",
            ctx.label
        )))
        .send()?;
    let collection_id = required_id(&collection.id, "new collection")?;
    client
        .assets()
        .post_collection_contents(&collection_id, &CollectionContent::new(&asset_id, "assets"))
        .send()?;
    let contents = client
        .assets()
        .get_collection_contents(&collection_id)
        .items()
        .collect_bounded(MAX_COLLECTION_ITEMS)?;

    let metadata_value = match &ctx.view {
        Some((view_id, field)) => {
            client
                .metadata()
                .put_object_metadata("assets", &asset_id, view_id, &metadata_body(field))
                .send()?;
            let back = client
                .metadata()
                .get_object_metadata("assets", &asset_id, view_id)
                .send()?;
            first_text(&back.metadata_values, field)
        }
        None => None,
    };

    let hits = client.search().post_search(&search_body(&title)).send()?;
    let found_by_search = hits
        .objects
        .iter()
        .flatten()
        .any(|h| h.id.as_deref() == Some(asset_id.as_str()));

    let md5 = md5_of_sample();
    let format = client
        .files()
        .post_asset_formats(&asset_id, &Format::new("ORIGINAL"))
        .send()?;
    let format_id = required_id(&format.id, "new format")?;
    let file_set = client
        .files()
        .post_asset_file_sets(&asset_id, &file_set_body(ctx, &format_id))
        .send()?;
    let file_set_id = required_id(&file_set.id, "new file set")?;
    client
        .files()
        .post_asset_files(&asset_id, &file_body(ctx, &md5, &format_id, &file_set_id))
        .send()?;
    let files = client.files().get_asset_files(&asset_id).send()?;
    let matches = client.files_by_checksum(&md5).send()?;

    let mut ids = vec![asset_id.clone()];
    ids.extend(ctx.fetch_ids.iter().cloned());
    let fetched = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| s.spawn(move || client.assets().get_asset(id).send()))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                Err(_) => Err(Error::WorkerFailed("fetch thread panicked".into())),
            })
            .collect::<iconik_sync::Result<Vec<_>>>()
    })?;

    let read_back = client.assets().get_asset(&asset_id).send()?;
    Ok(Report {
        outcome: Outcome {
            asset_title: strip(&read_back.title, &ctx.label),
            collection_items: contents.len(),
            metadata_value,
            found_by_search,
            file_names: files
                .objects
                .iter()
                .flatten()
                .filter_map(|f| f.name.clone())
                .collect(),
            checksum_matches: matches
                .iter()
                .filter(|f| f.asset_id.as_deref() == Some(asset_id.as_str()))
                .count(),
            fetched_titles: fetched
                .iter()
                .map(|a| strip(&a.title, &ctx.label))
                .collect(),
        },
        asset_id,
        collection_id,
    })
}

/// The same flow on the async client.
///
/// # Errors
/// The first failed call.
pub async fn run_async(client: &iconik_async::Client, ctx: &FlowContext) -> Result<Report> {
    let title = title(&ctx.label);
    let asset = client
        .assets()
        .post_assets(&AssetPostCreate::new(title.as_str()))
        .send()
        .await?;
    let asset_id = required_id(&asset.id, "new asset")?;

    let collection = client
        .assets()
        .post_collections(&CollectionInput::new(format!(
            "Quickstart collection ({})",
            ctx.label
        )))
        .send()
        .await?;
    let collection_id = required_id(&collection.id, "new collection")?;
    client
        .assets()
        .post_collection_contents(&collection_id, &CollectionContent::new(&asset_id, "assets"))
        .send()
        .await?;
    // the listing as a stream: each page is fetched on a worker
    let mut contents = client
        .assets()
        .get_collection_contents(&collection_id)
        .items();
    let mut collection_items = 0;
    while let Some(item) = contents.next().await {
        item?;
        collection_items += 1;
        if collection_items > MAX_COLLECTION_ITEMS {
            return Err(
                format!("more than {MAX_COLLECTION_ITEMS} items in a new collection").into(),
            );
        }
    }

    let metadata_value = match &ctx.view {
        Some((view_id, field)) => {
            client
                .metadata()
                .put_object_metadata("assets", &asset_id, view_id, &metadata_body(field))
                .send()
                .await?;
            let back = client
                .metadata()
                .get_object_metadata("assets", &asset_id, view_id)
                .send()
                .await?;
            first_text(&back.metadata_values, field)
        }
        None => None,
    };

    let hits = client
        .search()
        .post_search(&search_body(&title))
        .send()
        .await?;
    let found_by_search = hits
        .objects
        .iter()
        .flatten()
        .any(|h| h.id.as_deref() == Some(asset_id.as_str()));

    let md5 = md5_of_sample();
    let format = client
        .files()
        .post_asset_formats(&asset_id, &Format::new("ORIGINAL"))
        .send()
        .await?;
    let format_id = required_id(&format.id, "new format")?;
    let file_set = client
        .files()
        .post_asset_file_sets(&asset_id, &file_set_body(ctx, &format_id))
        .send()
        .await?;
    let file_set_id = required_id(&file_set.id, "new file set")?;
    client
        .files()
        .post_asset_files(&asset_id, &file_body(ctx, &md5, &format_id, &file_set_id))
        .send()
        .await?;
    let files = client.files().get_asset_files(&asset_id).send().await?;
    let matches = client.files_by_checksum(&md5).send().await?;

    let mut ids = vec![asset_id.clone()];
    ids.extend(ctx.fetch_ids.iter().cloned());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        // a sent request is a 'static future: it can be spawned as it is
        let call = client.assets().get_asset(id).send();
        tasks.spawn(async move { (i, call.await) });
    }
    let mut fetched = vec![None; ids.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, r) = joined.map_err(|e| Error::WorkerFailed(e.to_string()))?;
        fetched[i] = Some(r?);
    }

    let read_back = client.assets().get_asset(&asset_id).send().await?;
    Ok(Report {
        outcome: Outcome {
            asset_title: strip(&read_back.title, &ctx.label),
            collection_items,
            metadata_value,
            found_by_search,
            file_names: files
                .objects
                .iter()
                .flatten()
                .filter_map(|f| f.name.clone())
                .collect(),
            checksum_matches: matches
                .iter()
                .filter(|f| f.asset_id.as_deref() == Some(asset_id.as_str()))
                .count(),
            fetched_titles: fetched
                .iter()
                .flatten()
                .map(|a| strip(&a.title, &ctx.label))
                .collect(),
        },
        asset_id,
        collection_id,
    })
}

/// `field` set to [`METADATA_VALUE`], in iconik's shape for metadata
/// values: `{"<field>": {"field_values": [{"value": ...}]}}`.
fn metadata_body(field: &str) -> MetadataValues {
    let mut values = Map::new();
    values.insert(
        field.to_owned(),
        json!({ "field_values": [{ "value": METADATA_VALUE }] }),
    );
    MetadataValues::new(values)
}

/// The first value of `field`, when it is text.
fn first_text(values: &Map<String, Value>, field: &str) -> Option<String> {
    values
        .get(field)?
        .get("field_values")?
        .get(0)?
        .get("value")?
        .as_str()
        .map(str::to_owned)
}

/// Assets whose title is `title`.
fn search_body(title: &str) -> SearchCriteriaSchema {
    SearchCriteriaSchema::new()
        .doc_types(vec![SearchSuggestDocTypesType0Item::Assets])
        .filter(CriteriaFilter::new("AND").terms(vec![SearchTerm::new("title").value(title)]))
}

fn md5_of_sample() -> String {
    // the same streaming MD5 the checksum lookup uses for files
    checksum::md5_reader(Cursor::new(SAMPLE_FILE)).unwrap_or_default()
}

fn file_set_body(ctx: &FlowContext, format_id: &str) -> FileSet {
    let storage = ctx.storage_id.clone().unwrap_or_default();
    FileSet::new(
        "quickstart",
        Vec::<String>::new(),
        format_id,
        "quickstart.txt",
    )
    .storage_id(storage.as_str())
}

fn file_body(ctx: &FlowContext, md5: &str, format_id: &str, file_set_id: &str) -> FileCreate {
    let storage = ctx.storage_id.clone().unwrap_or_default();
    FileCreate::new("quickstart", "quickstart.txt", "FILE")
        .name("quickstart.txt")
        .size(SAMPLE_FILE.len() as i64)
        .storage_id(storage.as_str())
        .checksum(md5)
        .status("CLOSED")
        .format_id(format_id)
        .file_set_id(file_set_id)
}
