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
use iconik_sync::models::{
    AssetCreate, AssetCreateParams, CollectionContent, CollectionContentsParams, CollectionCreate,
    CollectionCreateParams, FileCreate, FileSetCreate, FilesListParams, FormatCreate, Metadata,
    SearchBody, SearchParams,
};
use iconik_sync::Result;

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

fn title(label: &str) -> String {
    format!("Quickstart clip ({label})")
}

fn strip(title: &str, label: &str) -> String {
    title.replace(&format!(" ({label})"), "")
}

/// The flow on the blocking client.
///
/// # Errors
/// The first failed call.
pub fn run_sync(client: &iconik_sync::Client, ctx: &FlowContext) -> Result<Report> {
    let title = title(&ctx.label);
    let asset = client.assets().create(
        &AssetCreate::new(title.as_str()),
        &AssetCreateParams::default(),
    )?;
    let asset_id = asset.id.clone().unwrap_or_default();

    let collection = client.collections().create(
        &CollectionCreate::new(format!("Quickstart collection ({})", ctx.label)),
        &CollectionCreateParams::default(),
    )?;
    let collection_id = collection.id.clone().unwrap_or_default();
    client.collections().add_content(
        &collection_id,
        &CollectionContent::new(asset_id.as_str(), "assets"),
    )?;
    let contents = client
        .collections()
        .get_contents(&collection_id, &CollectionContentsParams::default())?;

    let metadata_value = match &ctx.view {
        Some((view_id, field)) => {
            let values = Metadata::default().with_field(field.as_str(), ["Shot on the quickstart"]);
            client
                .metadata()
                .update_asset_metadata(&asset_id, view_id, &values)?;
            let back = client.metadata().get_asset_metadata(&asset_id, view_id)?;
            back.first_value(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        }
        None => None,
    };

    let hits = client.search().search(
        &SearchBody::default()
            .doc_types(vec!["assets".to_string()])
            .query(title.as_str()),
        &SearchParams::default(),
    )?;
    let found_by_search = hits
        .objects
        .iter()
        .any(|h| h.id.as_deref() == Some(asset_id.as_str()));

    let md5 = md5_of_sample();
    register_file_sync(client, &asset_id, ctx, &md5)?;
    let files = client
        .files()
        .get_asset_files(&asset_id, &FilesListParams::default())?;
    let matches = client.files().get_files_by_checksum(&md5)?;

    let mut ids = vec![asset_id.clone()];
    ids.extend(ctx.fetch_ids.iter().cloned());
    let fetched = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| s.spawn(move || client.assets().get(id)))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                Err(_) => Err(iconik_sync::Error::WorkerFailed(
                    "fetch thread panicked".into(),
                )),
            })
            .collect::<Result<Vec<_>>>()
    })?;

    Ok(Report {
        outcome: Outcome {
            asset_title: strip(
                &client
                    .assets()
                    .get(&asset_id)?
                    .title
                    .clone()
                    .unwrap_or_default(),
                &ctx.label,
            ),
            collection_items: contents.objects.len(),
            metadata_value,
            found_by_search,
            file_names: files
                .objects
                .iter()
                .filter_map(|f| f.name.clone())
                .collect(),
            checksum_matches: matches
                .iter()
                .filter(|f| f.asset_id.as_deref() == Some(asset_id.as_str()))
                .count(),
            fetched_titles: fetched
                .iter()
                .map(|a| strip(a.title.as_deref().unwrap_or_default(), &ctx.label))
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
        .create(
            &AssetCreate::new(title.as_str()),
            &AssetCreateParams::default(),
        )
        .await?;
    let asset_id = asset.id.clone().unwrap_or_default();

    let collection = client
        .collections()
        .create(
            &CollectionCreate::new(format!("Quickstart collection ({})", ctx.label)),
            &CollectionCreateParams::default(),
        )
        .await?;
    let collection_id = collection.id.clone().unwrap_or_default();
    client
        .collections()
        .add_content(
            &collection_id,
            &CollectionContent::new(asset_id.as_str(), "assets"),
        )
        .await?;
    let contents = client
        .collections()
        .get_contents(&collection_id, &CollectionContentsParams::default())
        .await?;

    let metadata_value = match &ctx.view {
        Some((view_id, field)) => {
            let values = Metadata::default().with_field(field.as_str(), ["Shot on the quickstart"]);
            client
                .metadata()
                .update_asset_metadata(&asset_id, view_id, &values)
                .await?;
            let back = client
                .metadata()
                .get_asset_metadata(&asset_id, view_id)
                .await?;
            back.first_value(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        }
        None => None,
    };

    let hits = client
        .search()
        .search(
            &SearchBody::default()
                .doc_types(vec!["assets".to_string()])
                .query(title.as_str()),
            &SearchParams::default(),
        )
        .await?;
    let found_by_search = hits
        .objects
        .iter()
        .any(|h| h.id.as_deref() == Some(asset_id.as_str()));

    let md5 = md5_of_sample();
    let format = client
        .files()
        .create_asset_format(&asset_id, &FormatCreate::new("ORIGINAL"))
        .await?;
    let format_id = format.id.clone().unwrap_or_default();
    let file_set = client
        .files()
        .create_asset_file_sets(&asset_id, &file_set_body(ctx, &format_id))
        .await?;
    let file_set_id = file_set.id.clone().unwrap_or_default();
    client
        .files()
        .create_asset_file(&asset_id, &file_body(ctx, &md5, &format_id, &file_set_id))
        .await?;
    let files = client
        .files()
        .get_asset_files(&asset_id, &FilesListParams::default())
        .await?;
    let matches = client.files().get_files_by_checksum(&md5).await?;

    let mut ids = vec![asset_id.clone()];
    ids.extend(ctx.fetch_ids.iter().cloned());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        let (c, id) = (client.clone(), id.clone());
        tasks.spawn(async move { (i, c.assets().get(&id).await) });
    }
    let mut fetched = vec![None; ids.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, r) = joined.map_err(|e| iconik_sync::Error::WorkerFailed(e.to_string()))?;
        fetched[i] = Some(r?);
    }

    let read_back = client.assets().get(&asset_id).await?;
    Ok(Report {
        outcome: Outcome {
            asset_title: strip(read_back.title.as_deref().unwrap_or_default(), &ctx.label),
            collection_items: contents.objects.len(),
            metadata_value,
            found_by_search,
            file_names: files
                .objects
                .iter()
                .filter_map(|f| f.name.clone())
                .collect(),
            checksum_matches: matches
                .iter()
                .filter(|f| f.asset_id.as_deref() == Some(asset_id.as_str()))
                .count(),
            fetched_titles: fetched
                .iter()
                .flatten()
                .map(|a| strip(a.title.as_deref().unwrap_or_default(), &ctx.label))
                .collect(),
        },
        asset_id,
        collection_id,
    })
}

fn md5_of_sample() -> String {
    // the same streaming MD5 the checksum lookup uses for files
    checksum::md5_reader(Cursor::new(SAMPLE_FILE)).unwrap_or_default()
}

fn file_set_body(ctx: &FlowContext, format_id: &str) -> FileSetCreate {
    let storage = ctx.storage_id.clone().unwrap_or_default();
    FileSetCreate::new(
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

fn register_file_sync(
    client: &iconik_sync::Client,
    asset_id: &str,
    ctx: &FlowContext,
    md5: &str,
) -> Result<()> {
    let format = client
        .files()
        .create_asset_format(asset_id, &FormatCreate::new("ORIGINAL"))?;
    let format_id = format.id.clone().unwrap_or_default();
    let file_set = client
        .files()
        .create_asset_file_sets(asset_id, &file_set_body(ctx, &format_id))?;
    let file_set_id = file_set.id.clone().unwrap_or_default();
    client
        .files()
        .create_asset_file(asset_id, &file_body(ctx, md5, &format_id, &file_set_id))?;
    Ok(())
}
