//! aiopythonik's quickstart, ported: get an asset, list its files, search,
//! five concurrent gets with `join!`, then every asset as a stream. Its one
//! iconik client dependency is `iconik-async`: models and errors come from
//! there too.
//!
//! ```sh
//! cargo run --example async_quickstart
//! ```
//!
//! Uses `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN`, `ICONIK_BASE_URL` and
//! `ICONIK_ASSET_ID` when set; otherwise starts the emulator in-process.

use iconik_async::models::search::SearchCriteriaSchema;

#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, asset_id, _emulator) = connect()?;

    // the same request builders as the blocking client, awaited
    let asset = client.assets().get_asset(&asset_id).send().await?;
    let files = client.files().get_asset_files(&asset_id).send().await?;
    let hits = client
        .search()
        .post_search(&SearchCriteriaSchema::new().query("clip"))
        .send()
        .await?;
    println!(
        "{:?}: {} file(s); {} search hit(s)",
        asset.title,
        files.objects.as_ref().map_or(0, Vec::len),
        hits.objects.as_ref().map_or(0, Vec::len)
    );

    // five concurrent gets, at most max_workers at once
    let assets = client.assets();
    let id = asset_id.as_str();
    let (a, b, c, d, e) = tokio::join!(
        assets.get_asset(id).send(),
        assets.get_asset(id).send(),
        assets.get_asset(id).send(),
        assets.get_asset(id).send(),
        assets.get_asset(id).send(),
    );
    for r in [a, b, c, d, e] {
        let r = r?;
        println!("{:?} in {:?}", r.title, r.elapsed());
    }

    // every asset, as a stream of items: pages are fetched on the workers
    let mut assets = client.assets().get_assets().per_page(100).items();
    while let Some(asset) = assets.next().await {
        println!("listed {:?}", asset?.title);
    }
    client.close().await;
    Ok(())
}

type Connected = (
    iconik_async::Client,
    String,
    Option<iconik_emulator::Emulator>,
);

fn connect() -> Result<Connected, Box<dyn std::error::Error>> {
    if let (Ok(builder), Ok(asset_id)) = (
        iconik_async::Client::builder().from_env(),
        std::env::var("ICONIK_ASSET_ID"),
    ) {
        return Ok((builder.max_workers(16).build()?, asset_id, None));
    }
    let emulator =
        iconik_emulator::Emulator::start(iconik_emulator::EmulatorConfig::new().seed_data(true))?;
    let client = iconik_async::Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .max_workers(16) // aiopythonik's max_workers
        .build()?;
    let asset_id = iconik_emulator::SAMPLE_ASSET_IDS[0].to_owned();
    Ok((client, asset_id, Some(emulator)))
}
