//! Bulk work over every asset with the async client: stream the listing,
//! run one call per asset with a bounded number in flight, and keep a
//! progress line on stderr.
//!
//! ```sh
//! cargo run --example bulk_async
//! ```
//!
//! With `ICONIK_APP_ID` and `ICONIK_AUTH_TOKEN` set it reads (only reads)
//! every asset's file list in that iconik; otherwise it starts the emulator,
//! adds 40 assets to its samples and needs no credentials. Its one iconik
//! client dependency is `iconik-async`.

use std::io::Write;

use iconik_async::models::assets::AssetPostCreate;
use iconik_async::Client;
use iconik_emulator::{Emulator, EmulatorConfig};
use tokio::task::JoinSet;

/// Calls in flight at once: the client's workers bound them anyway; this
/// bounds the tasks (and memory) waiting for a worker.
const IN_FLIGHT: usize = 16;

/// What the run counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Assets visited.
    pub assets: usize,
    /// Files found on them.
    pub files: usize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _emulator) = connect().await?;
    let tally = run(&client, 100).await?;
    println!("{} asset(s), {} file(s)", tally.assets, tally.files);
    client.close().await;
    Ok(())
}

/// Counts every asset's files, `IN_FLIGHT` assets at a time, listing
/// `per_page` assets a page.
pub async fn run(client: &Client, per_page: i64) -> Result<Tally, Box<dyn std::error::Error>> {
    // one small page just to learn the total, for the progress line
    let first = client.assets().get_assets().per_page(1).send().await?;
    let total = first.total.unwrap_or_default();

    let mut tally = Tally {
        assets: 0,
        files: 0,
    };
    let mut tasks = JoinSet::new();
    let mut assets = client.assets().get_assets().per_page(per_page).items();
    // the listing is a stream: the next page is fetched only when needed
    while let Some(asset) = assets.next().await {
        let Some(asset_id) = asset?.id.clone() else {
            continue;
        };
        // a sent request is a future that owns what it needs: spawn it
        let files = client.files().get_asset_files(&asset_id).send();
        tasks.spawn(async move {
            files
                .await
                .map(|page| page.objects.as_ref().map_or(0, Vec::len))
        });
        while tasks.len() >= IN_FLIGHT {
            settle(tasks.join_next().await, &mut tally, total)?;
        }
    }
    while !tasks.is_empty() {
        settle(tasks.join_next().await, &mut tally, total)?;
    }
    eprintln!();
    Ok(tally)
}

type Joined = Option<Result<iconik_async::Result<usize>, tokio::task::JoinError>>;

/// Counts one finished call and redraws the progress line.
fn settle(joined: Joined, tally: &mut Tally, total: i64) -> Result<(), Box<dyn std::error::Error>> {
    let Some(joined) = joined else {
        return Ok(());
    };
    tally.files += joined??;
    tally.assets += 1;
    eprint!("\r{}/{} assets, {} files", tally.assets, total, tally.files);
    std::io::stderr().flush()?;
    Ok(())
}

/// The iconik in the environment, or an emulator started here with 43 assets.
async fn connect() -> Result<(Client, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some() {
        return Ok((Client::builder().from_env()?.build()?, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true))?;
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .max_workers(8)
        .build()?;
    seed(&client, 40).await?;
    Ok((client, Some(emulator)))
}

/// Creates `n` assets concurrently.
pub async fn seed(client: &Client, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let body = AssetPostCreate::new(format!("Bulk clip {i}"));
        tasks.spawn(client.assets().post_assets(&body).send());
    }
    while let Some(created) = tasks.join_next().await {
        created??;
    }
    Ok(())
}
