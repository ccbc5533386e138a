//! The quickstart: the calls a first program makes, with the sync client,
//! then a few with the async client on the same connection pool and pacer.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `ICONIK_APP_ID` and `ICONIK_AUTH_TOKEN` set (and optionally
//! `ICONIK_BASE_URL`) it runs against that iconik and creates one asset and
//! one collection there; otherwise it starts the emulator in-process with
//! sample data and needs no credentials. `RUST_LOG=iconik_sync=debug`
//! shows each request it makes.

use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_sync::models::{
    AssetCreate, AssetCreateParams, AssetListParams, CollectionContent, CollectionContentsParams,
    CollectionCreate, CollectionCreateParams, SearchBody, SearchParams,
};
use iconik_sync::Client;

/// What the quickstart saw, for the test that runs it.
#[derive(Debug)]
pub struct Summary {
    /// The created asset's title, read back.
    pub title: String,
    /// Items in the new collection.
    pub collection_items: usize,
    /// Assets seen walking every page of the listing.
    pub assets_listed: usize,
    /// Whether searching for the title found the new asset.
    pub found_by_search: bool,
    /// Titles fetched concurrently by the async client.
    pub fetched_concurrently: Vec<String>,
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    env_logger::init(); // RUST_LOG picks what to show
    let (client, _emulator) = connect()?;
    println!("iconik-rs quickstart against {}", client.base_url());
    let summary = run(&client)?;
    println!("{summary:#?}");
    Ok(())
}

/// The sync client's calls, then the async client's.
pub fn run(client: &Client) -> Result<Summary, Box<dyn std::error::Error>> {
    // create an asset; the response derefs to the asset and carries the
    // exchange's facts behind methods
    let created = client.assets().create(
        &AssetCreate::new("Quickstart clip"),
        &AssetCreateParams::default(),
    )?;
    let asset_id = created.id.clone().ok_or("the new asset has no id")?;
    println!(
        "created {asset_id}: HTTP {}, {} attempt(s) in {:?}",
        created.http_status(),
        created.attempts(),
        created.elapsed()
    );

    // read it back: `data()` is the asset itself, whose `status` is the
    // asset's status; the HTTP status is `http_status()`
    let asset = client.assets().get(&asset_id)?;
    println!(
        "read back {:?}: asset status {:?}, HTTP {}",
        asset.title,
        asset.data().status,
        asset.http_status()
    );

    // a collection holding the asset
    let collection = client.collections().create(
        &CollectionCreate::new("Quickstart collection"),
        &CollectionCreateParams::default(),
    )?;
    let collection_id = collection.id.clone().ok_or("the collection has no id")?;
    client.collections().add_content(
        &collection_id,
        &CollectionContent::new(asset_id.as_str(), "assets"),
    )?;
    let contents = client
        .collections()
        .get_contents(&collection_id, &CollectionContentsParams::default())?;
    println!(
        "collection {collection_id}: {} item(s)",
        contents.objects.len()
    );

    // every asset, 100 a page, fetched lazily as the loop goes
    let mut assets_listed = 0;
    for asset in client
        .assets()
        .list_all(&AssetListParams::default().per_page(100))
    {
        let asset = asset?;
        assets_listed += 1;
        println!("  listed {:?}", asset.title);
    }

    // search by title
    let hits = client.search().search(
        &SearchBody::default()
            .doc_types(vec!["assets".to_string()])
            .query("Quickstart clip"),
        &SearchParams::default(),
    )?;
    let found_by_search = hits
        .objects
        .iter()
        .any(|hit| hit.id.as_deref() == Some(asset_id.as_str()));
    println!("search: {} hit(s)", hits.objects.len());

    // the async client wraps the same core: same pool, pacer and limits
    let async_client = iconik_async::Client::from_sync(client.clone(), 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let fetched_concurrently = runtime.block_on(async {
        let assets = async_client.assets();
        let (a, b, c) = tokio::join!(
            assets.get(&asset_id),
            assets.get(&asset_id),
            assets.get(&asset_id)
        );
        let mut titles = Vec::new();
        for response in [a, b, c] {
            titles.push(response?.title.clone().unwrap_or_default());
        }
        async_client.close().await;
        Ok::<_, iconik_async::Error>(titles)
    })?;
    println!("fetched concurrently: {fetched_concurrently:?}");

    Ok(Summary {
        title: asset.title.clone().unwrap_or_default(),
        collection_items: contents.objects.len(),
        assets_listed,
        found_by_search,
        fetched_concurrently,
    })
}

/// A client for the iconik in the environment, or for an emulator started
/// here (kept alive by the returned handle).
fn connect() -> Result<(Client, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some() {
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true))?;
    println!("(no ICONIK_APP_ID: started the emulator with sample data)");
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()?;
    Ok((client, Some(emulator)))
}
