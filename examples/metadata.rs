//! Read and write an asset's metadata through a metadata view.
//!
//! ```sh
//! cargo run --example metadata
//! ```
//!
//! With `ICONIK_APP_ID`, `ICONIK_AUTH_TOKEN`, `ICONIK_ASSET_ID` and
//! `ICONIK_VIEW_ID` set it writes to that asset in that iconik (the view's
//! first text field and first integer field); otherwise it starts the
//! emulator with its sample asset and view and needs no credentials.

use iconik_emulator::{Emulator, EmulatorConfig, SAMPLE_ASSET_IDS, SAMPLE_VIEW_ID};
use iconik_sync::models::metadata::MetadataValues;
use iconik_sync::Client;
use serde_json::{json, Map, Value};

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, asset_id, view_id, _emulator) = connect()?;
    let written = run(&client, &asset_id, &view_id)?;
    println!("read back: {written:?}");
    Ok(())
}

/// Shows the view's fields and the asset's current values, writes a value
/// to the first text and the first integer field, and returns the
/// `(field, value)` pairs read back.
pub fn run(
    client: &Client,
    asset_id: &str,
    view_id: &str,
) -> iconik_sync::Result<Vec<(String, Value)>> {
    // the view says which fields exist and of which type
    let view = client.metadata().get_view_metadata(view_id).send()?;
    let fields = &view.view_fields;
    println!("view {:?}:", view.name);
    for field in fields {
        println!("  {} ({})", field.name, field.field_type);
    }

    // current values (a view nobody has written to yet may answer 404 on
    // iconik: `metadata_view_404_as_empty(true)` on the builder makes that
    // an empty result, as `connect` below does)
    let before = client
        .metadata()
        .get_object_metadata("assets", asset_id, view_id)
        .send()?;
    for field in fields {
        let values = before.metadata_values.get(&field.name);
        println!("  before: {} = {values:?}", field.name);
    }

    // pick what to write: a text and an integer field, when the view has them
    let pick = |types: &[&str]| {
        fields
            .iter()
            .find(|f| types.contains(&f.field_type.as_str()))
            .map(|f| f.name.clone())
    };
    // iconik's shape for values: {"<field>": {"field_values": [{"value": ...}]}}
    let mut values = Map::new();
    let mut wrote = Vec::new();
    if let Some(text) = pick(&["string", "text"]) {
        let value = json!({"field_values": [{"value": "Written by the iconik-rs example"}]});
        values.insert(text.clone(), value);
        wrote.push(text);
    }
    if let Some(number) = pick(&["integer"]) {
        values.insert(number.clone(), json!({"field_values": [{"value": 4}]}));
        wrote.push(number);
    }
    // PUT through the view: only the fields in `values` change
    client
        .metadata()
        .put_object_metadata("assets", asset_id, view_id, &MetadataValues::new(values))
        .send()?;

    let after = client
        .metadata()
        .get_object_metadata("assets", asset_id, view_id)
        .send()?;
    Ok(wrote
        .into_iter()
        .map(|field| {
            let value = after
                .metadata_values
                .get(&field)
                .and_then(|v| v.pointer("/field_values/0/value"))
                .cloned()
                .unwrap_or(json!(null));
            (field, value)
        })
        .collect())
}

type Connected = (Client, String, String, Option<Emulator>);

/// The iconik in the environment, or an emulator started here.
fn connect() -> Result<Connected, Box<dyn std::error::Error>> {
    let var = |name| std::env::var(name).ok();
    if let (Some(_), Some(asset), Some(view)) = (
        var("ICONIK_APP_ID"),
        var("ICONIK_ASSET_ID"),
        var("ICONIK_VIEW_ID"),
    ) {
        let client = Client::builder()
            .from_env()?
            .metadata_view_404_as_empty(true)
            .build()?;
        return Ok((client, asset, view, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true))?;
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .metadata_view_404_as_empty(true)
        .build()?;
    let (asset, view) = (SAMPLE_ASSET_IDS[0].to_owned(), SAMPLE_VIEW_ID.to_owned());
    Ok((client, asset, view, Some(emulator)))
}
