//! Raw calls: any request, built by hand, goes through the same request
//! path as the typed methods (pacing, retries, errors, decoding), into a
//! type of your own. For what the spec does not declare, or a shape you
//! want to decode differently. Here: iconik's delete queue. An asset is
//! deleted with the typed method, found in the queue and restored with
//! `client.request(...)`, decoding into a struct of our own.
//!
//! ```sh
//! cargo run --example raw_call
//! ```
//!
//! With `ICONIK_APP_ID` and `ICONIK_AUTH_TOKEN` set it creates, deletes and
//! restores one asset in that iconik; otherwise it starts the emulator and
//! needs no credentials.

use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_sync::models::assets::AssetPostCreate;
use iconik_sync::{Client, Method, Page};
use serde::Deserialize;

/// The fields of iconik's `AssetSchema` this program needs; the others are
/// ignored when decoding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueuedAsset {
    /// The asset's id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// `DELETED` while it is in the queue.
    pub status: Option<String>,
}

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _emulator) = connect()?;
    let status = run(&client)?;
    println!("after the restore the asset is {status:?}");
    Ok(())
}

/// Deletes a new asset, finds it in the delete queue and restores it;
/// returns the asset's status after the restore.
pub fn run(client: &Client) -> Result<Option<String>, Box<dyn std::error::Error>> {
    let asset = client
        .assets()
        .post_assets(&AssetPostCreate::new("Raw call example"))
        .send()?;
    let id = asset.id.clone().ok_or("the new asset has no id")?;
    client.assets().delete_asset(&id).send()?;

    // GET with query parameters, decoded as iconik's page of our own type:
    // GET /API/assets/v1/delete_queue/assets/?per_page=100
    let queue = client
        .request(Method::Get, "assets", "/v1/delete_queue/assets/")
        .query("per_page", 100)
        .send::<Page<QueuedAsset>>()?;
    let queued = queue.objects.iter().find(|a| a.id == id);
    println!(
        "delete queue: {} asset(s); ours is {:?}",
        queue.objects.len(),
        queued.and_then(|a| a.status.as_deref())
    );

    // PUT with a path parameter (percent-encoded; empty, `.`, `..` refused
    // before sending); iconik answers 204, decoded into `()`
    let restored = client
        .request(Method::Put, "assets", "/v1/assets/{asset_id}/restore/")
        .path_param(id.as_str())
        .send::<()>()?;
    println!("restored: HTTP {}", restored.http_status());

    // and read back, raw, into our type
    let back: QueuedAsset = client
        .request(Method::Get, "assets", "/v1/assets/{asset_id}/")
        .path_param(id.as_str())
        .send::<QueuedAsset>()?
        .into_data();
    Ok(back.status)
}

/// The iconik in the environment, or an emulator started here.
fn connect() -> Result<(Client, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some() {
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new())?;
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()?;
    Ok((client, Some(emulator)))
}
