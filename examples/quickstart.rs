//! The quickstart: one realistic flow with the sync client, then the same
//! with the async client.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `ICONIK_APP_ID` and `ICONIK_AUTH_TOKEN` set (and optionally
//! `ICONIK_BASE_URL`, `ICONIK_VIEW_ID` + `ICONIK_VIEW_FIELD` for the
//! metadata step) it runs against that iconik; otherwise it starts the
//! emulator in-process with sample data.

use std::process::ExitCode;
use std::time::Instant;

use iconik_emulator::{Emulator, EmulatorConfig};
use iconik_rs::{run_async, run_sync, FlowContext, Report};
use iconik_sync::models::StorageListParams;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, context, _emulator) = connect()?;
    println!("iconik-rs quickstart against {}\n", client.base_url());

    let started = Instant::now();
    let sync_ctx = FlowContext {
        label: "sync".into(),
        ..context.clone()
    };
    let sync_report = run_sync(&client, &sync_ctx)?;
    print_report("sync client", &sync_report, started);

    // the async client wraps the same core: same pacer, pool and limits
    let async_client = iconik_async::Client::from_sync(client.clone(), 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let async_ctx = FlowContext {
        label: "async".into(),
        ..context
    };
    let async_report = runtime.block_on(async {
        let report = run_async(&async_client, &async_ctx).await;
        async_client.close().await;
        report
    })?;
    print_report("async client", &async_report, started);

    if sync_report.outcome == async_report.outcome {
        println!("Both clients produced the same results.");
        Ok(())
    } else {
        Err("the sync and async runs differ".into())
    }
}

/// A client for the configured iconik, or for an emulator started here.
fn connect(
) -> Result<(iconik_sync::Client, FlowContext, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("ICONIK_APP_ID").is_some()
        && std::env::var_os("ICONIK_AUTH_TOKEN").is_some()
    {
        let client = iconik_sync::Client::from_env()?;
        let view = match (
            std::env::var("ICONIK_VIEW_ID"),
            std::env::var("ICONIK_VIEW_FIELD"),
        ) {
            (Ok(view), Ok(field)) => Some((view, field)),
            _ => None,
        };
        let storages = client.files().get_storages(&StorageListParams::default())?;
        let context = FlowContext {
            label: String::new(),
            view,
            storage_id: storages.objects.first().and_then(|s| s.id.clone()),
            fetch_ids: Vec::new(),
        };
        return Ok((client, context, None));
    }
    let emulator = Emulator::start(EmulatorConfig::new().seed_data(true))?;
    println!("(no ICONIK_APP_ID/ICONIK_AUTH_TOKEN: started the emulator with sample data)");
    let client = iconik_sync::Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .build()?;
    let context = FlowContext {
        label: String::new(),
        view: Some((
            iconik_emulator::SAMPLE_VIEW_ID.to_owned(),
            iconik_emulator::SAMPLE_FIELD_NAMES[0].to_owned(),
        )),
        storage_id: Some(iconik_emulator::SAMPLE_STORAGE_ID.to_owned()),
        fetch_ids: iconik_emulator::SAMPLE_ASSET_IDS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    Ok((client, context, Some(emulator)))
}

fn print_report(who: &str, r: &Report, started: Instant) {
    let o = &r.outcome;
    println!("{who} ({:.0?}):", started.elapsed());
    println!(
        "  created asset          {} \"{}\"",
        r.asset_id, o.asset_title
    );
    println!(
        "  collection             {} with {} item(s)",
        r.collection_id, o.collection_items
    );
    match &o.metadata_value {
        Some(v) => println!("  metadata value         \"{v}\""),
        None => println!("  metadata value         (skipped: no view configured)"),
    }
    println!(
        "  found by title search  {}",
        if o.found_by_search { "yes" } else { "no" }
    );
    println!("  files of the asset     {:?}", o.file_names);
    println!(
        "  checksum lookup        {} match(es) on this asset",
        o.checksum_matches
    );
    println!("  fetched concurrently   {:?}\n", o.fetched_titles);
}
