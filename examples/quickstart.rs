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
use iconik_sync::models::assets::{AssetPostCreate, CollectionContent, CollectionInput};
use iconik_sync::models::search::SearchCriteriaSchema;
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
    // create an asset: one method per operation, named as iconik names it;
    // the response derefs to the asset and carries the exchange's facts
    // behind methods
    let created = client
        .assets()
        .post_assets(&AssetPostCreate::new("Quickstart clip"))
        .send()?;
    let asset_id = created.id.clone().ok_or("the new asset has no id")?;
    println!(
        "created {asset_id}: HTTP {}, {} attempt(s) in {:?}",
        created.http_status(),
        created.attempts(),
        created.elapsed()
    );

    // read it back: `data()` is the asset itself, whose `status` is the
    // asset's status; the HTTP status is `http_status()`
    let asset = client.assets().get_asset(&asset_id).send()?;
    println!(
        "read back {:?}: asset status {:?}, HTTP {}",
        asset.title,
        asset.data().status,
        asset.http_status()
    );

    // a collection holding the asset (collections are part of the assets
    // service, as in iconik's API)
    let collection = client
        .assets()
        .post_collections(&CollectionInput::new("Quickstart collection"))
        .send()?;
    let collection_id = collection.id.clone().ok_or("the collection has no id")?;
    client
        .assets()
        .post_collection_contents(&collection_id, &CollectionContent::new(&asset_id, "assets"))
        .send()?;
    let contents = client
        .assets()
        .get_collection_contents(&collection_id)
        .send()?;
    let collection_items = contents.objects.as_ref().map_or(0, Vec::len);
    println!("collection {collection_id}: {collection_items} item(s)");

    // every asset, 100 a page, fetched lazily as the loop goes
    let mut assets_listed = 0;
    for asset in client.assets().get_assets().per_page(100).items() {
        let asset = asset?;
        assets_listed += 1;
        println!("  listed {:?}", asset.title);
    }

    // search by title
    let hits = client
        .search()
        .post_search(
            &SearchCriteriaSchema::new()
                .doc_types(vec!["assets".into()])
                .query("Quickstart clip"),
        )
        .send()?;
    let hits = hits.data().objects.as_deref().unwrap_or_default();
    let found_by_search = hits
        .iter()
        .any(|hit| hit.id.as_deref() == Some(asset_id.as_str()));
    println!("search: {} hit(s)", hits.len());

    // the async client wraps the same core: same pool, pacer and limits,
    // and the very same requests, awaited
    let async_client = iconik_async::Client::from_sync(client.clone(), 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let fetched_concurrently = runtime.block_on(async {
        let assets = async_client.assets();
        let (a, b, c) = tokio::join!(
            assets.get_asset(&asset_id).send(),
            assets.get_asset(&asset_id).send(),
            assets.get_asset(&asset_id).send()
        );
        let mut titles = Vec::new();
        for response in [a, b, c] {
            titles.push(response?.into_data().title);
        }
        async_client.close().await;
        Ok::<_, iconik_async::Error>(titles)
    })?;
    println!("fetched concurrently: {fetched_concurrently:?}");

    Ok(Summary {
        title: asset.into_data().title,
        collection_items,
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
