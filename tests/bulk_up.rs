//! `Client::sync_up` against the emulator: the folder tree becomes a
//! collection tree, reruns send nothing, dedupe modes skip what iconik
//! has, a dry run changes nothing, an interrupted asset is finished
//! rather than duplicated.

mod bulk_support;

use std::sync::{Arc, Mutex};

use bulk_support::*;
use iconik_sync::bulk::{Dedupe, Outcome, SkipReason, SyncEvent};
use iconik_sync::Method;
use serde_json::Value;

#[test]
fn up_creates_the_folder_tree_and_uploads_every_file() {
    let Env { emulator, client } = env();
    let local = scratch("up");
    tree(&local, SAMPLE);
    let target = new_collection(&client, "Rushes", None);
    emulator.reset_stats();

    let report = client.sync_up(&local, &target).send().unwrap();

    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.transferred.files, 7);
    assert_eq!(
        report.transferred.bytes,
        SAMPLE.iter().map(|(_, b)| b.len() as u64).sum::<u64>()
    );
    assert_eq!(report.skipped.files, 0);
    assert_eq!(report.folders_created, 3, "day1, day1/cam, day2");
    assert_eq!(remote_tree(&client, &target), sample_remote());
    assert_eq!(created(&emulator, "collections"), 3);
    assert_eq!(created(&emulator, "assets"), 7);
    // the storage is looked up once, not per file
    let by_op = emulator.stats().by_operation;
    let storage_lookups = by_op
        .get("get_storages_by_purpose_default")
        .copied()
        .unwrap_or(0)
        + by_op
            .get("get_storages_default_by_purpose")
            .copied()
            .unwrap_or(0);
    assert!(storage_lookups <= 4, "{by_op:?}"); // at most once per worker racing the first
    let posts = by_op.get("post_assets").copied().unwrap_or(0);
    assert_eq!(posts, 7, "{by_op:?}");
}

#[test]
fn a_rerun_with_the_journal_reads_and_sends_nothing() {
    let Env { emulator, client } = env();
    let local = scratch("rerun");
    tree(&local, SAMPLE);
    let journal = scratch("rerun-journal").join("up.journal");
    let target = new_collection(&client, "Rushes", None);
    let first = client
        .sync_up(&local, &target)
        .journal(&journal)
        .dedupe(Dedupe::Md5Anywhere)
        .send()
        .unwrap();
    // day2/copy-of-a.mov has day1/a.mov's bytes: skipped the first time
    assert_eq!(first.transferred.files, 6, "{first:#?}");
    assert_eq!(first.skip_reasons["same_md5"].files, 1);
    emulator.reset_stats();
    let puts_before = storage_puts(&emulator);

    let again = client
        .sync_up(&local, &target)
        .journal(&journal)
        .dedupe(Dedupe::Md5Anywhere)
        .send()
        .unwrap();

    assert!(again.is_success(), "{again:#?}");
    assert_eq!(again.transferred.files, 0);
    assert_eq!(again.skipped.files, 7);
    assert_eq!(again.skip_reasons["unchanged"].files, 7);
    assert!(again.journal_records > 7);
    let stats = emulator.stats();
    assert!(stats.creations.is_empty(), "{:?}", stats.creations);
    // only reading the target collection: no hash lookups, no listings
    assert_eq!(
        stats.by_operation.get("get_collections_by_collection_id"),
        Some(&1)
    );
    assert_eq!(stats.requests, 1, "{:?}", stats.by_operation);
    assert_eq!(storage_puts(&emulator), puts_before);
}

#[test]
fn dedupe_by_name_and_size_skips_what_the_collection_has() {
    let Env { emulator, client } = env();
    let local = scratch("namesize");
    tree(&local, SAMPLE);
    let target = new_collection(&client, "Rushes", None);
    client.sync_up(&local, &target).send().unwrap();
    // a new file, and one changed in size
    tree(
        &local,
        &[
            ("day1/new.mov", b"new"),
            ("day1/b.mov", b"b changed, longer now"),
        ],
    );
    emulator.reset_stats();

    let report = client.sync_up(&local, &target).send().unwrap();

    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.transferred.files, 2, "{report:#?}");
    assert_eq!(report.skip_reasons["same_name_and_size"].files, 6);
    assert_eq!(created(&emulator, "collections"), 0, "found by title");
    assert_eq!(created(&emulator, "assets"), 2);
    let remote = remote_tree(&client, &target);
    assert_eq!(remote["day1/b.mov"].len(), 2, "a new asset for new content");
}

#[test]
fn dedupe_by_md5_anywhere_and_in_the_tree() {
    let Env { emulator, client } = env();
    let elsewhere = new_collection(&client, "Elsewhere", None);
    let other = scratch("md5-other");
    tree(&other, &[("known.mov", b"already in iconik")]);
    client.sync_up(&other, &elsewhere).send().unwrap();

    let local = scratch("md5");
    tree(
        &local,
        &[
            ("x/known-too.mov", b"already in iconik"),
            ("x/fresh.mov", b"fresh"),
            ("y/fresh-again.mov", b"fresh"),
        ],
    );
    // in the tree: the second copy of "fresh" is found once the first is up
    let target = new_collection(&client, "Target", None);
    let report = client
        .sync_up(&local, &target)
        .dedupe(Dedupe::Md5InTree)
        .jobs(1)
        .send()
        .unwrap();
    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.transferred.files, 2, "{report:#?}");
    assert_eq!(report.skip_reasons["same_md5"].files, 1);
    assert!(report.skips.iter().any(|e| e.path == "y/fresh-again.mov"));

    // anywhere: the copy in "Elsewhere" counts too
    let target2 = new_collection(&client, "Target 2", None);
    let before = created(&emulator, "assets");
    let report = client
        .sync_up(&local, &target2)
        .dedupe(Dedupe::Md5Anywhere)
        .send()
        .unwrap();
    assert_eq!(report.transferred.files, 0, "{report:#?}");
    assert_eq!(report.skip_reasons["same_md5"].files, 3);
    assert_eq!(created(&emulator, "assets"), before);
}

#[test]
fn a_dry_run_changes_nothing_and_lists_the_plan() {
    let Env { emulator, client } = env();
    let local = scratch("dry");
    tree(&local, SAMPLE);
    let journal = scratch("dry-journal").join("j");
    let target = new_collection(&client, "Rushes", None);
    emulator.reset_stats();

    let plan = client
        .sync_up(&local, &target)
        .journal(&journal)
        .exclude("*.wav")
        .dry_run(true)
        .send()
        .unwrap();

    assert!(plan.dry_run);
    assert_eq!(plan.transferred.files, 0);
    assert_eq!(plan.planned.files, 6, "{plan:#?}");
    assert_eq!(plan.skip_reasons["excluded"].files, 1);
    let steps: Vec<&str> = plan.plan.iter().map(|e| e.path.as_str()).collect();
    for want in ["day1/", "day1/cam/", "day2/", "top.txt", "day2/empty.bin"] {
        assert!(steps.contains(&want), "{want} missing from {steps:?}");
    }
    let stats = emulator.stats();
    assert!(stats.creations.is_empty(), "{:?}", stats.creations);
    assert!(emulator.storage_requests().is_empty());
    assert!(!journal.exists(), "a dry run writes no journal");
}

#[test]
fn an_interrupted_asset_is_finished_not_duplicated() {
    let Env { emulator, client } = env();
    let local = scratch("interrupted");
    tree(
        &local,
        &[("clip.mov", b"clip bytes"), ("other.mov", b"other")],
    );
    let journal = scratch("interrupted-journal").join("j");
    let target = new_collection(&client, "Rushes", None);
    // a run that announced its asset, created it and died before its record
    let meta = std::fs::metadata(local.join("clip.mov")).unwrap();
    let mtime = meta
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i64;
    let canonical = std::fs::canonicalize(&local).unwrap();
    let lines = [
        serde_json::json!({"kind": "start", "version": 1, "direction": "up",
            "local": canonical.to_string_lossy(), "collection": target}),
        serde_json::json!({"kind": "intent", "path": "clip.mov", "size": 10, "mtime": mtime,
            "external_id": "iconik-sync:dead", "collection": target}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&journal, text + r#"{"kind":"asset","path":"clip"#).unwrap();
    let asset: Value = client
        .request(Method::Post, "assets", "/v1/assets/")
        .json(
            &serde_json::json!({"title": "clip.mov", "external_id": "iconik-sync:dead",
            "collection_id": target}),
        )
        .send::<Value>()
        .unwrap()
        .into_data();
    let asset = asset["id"].as_str().unwrap().to_owned();

    let report = client
        .sync_up(&local, &target)
        .journal(&journal)
        .send()
        .unwrap();

    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.transferred.files, 2);
    let remote = remote_tree(&client, &target);
    assert_eq!(remote.len(), 2, "{remote:?}");
    assert_eq!(remote["clip.mov"], [md5_hex(b"clip bytes")]);
    assert_eq!(
        created(&emulator, "assets"),
        2,
        "the announced asset was reused"
    );
    let files: Value = client
        .request(Method::Get, "files", "/v1/assets/{asset_id}/files/")
        .path_param(&asset)
        .send::<Value>()
        .unwrap()
        .into_data();
    assert_eq!(files["objects"].as_array().unwrap().len(), 1);
}

#[test]
fn progress_reports_every_file_and_the_overall_bytes() {
    let Env {
        client,
        emulator: _emulator,
    } = env();
    let local = scratch("progress");
    tree(&local, SAMPLE);
    let target = new_collection(&client, "Rushes", None);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let report = client
        .sync_up(&local, &target)
        .on_progress(move |p| {
            let what = match p.event {
                SyncEvent::Counted => "counted".to_owned(),
                SyncEvent::Started { path, .. } => format!("start {path}"),
                SyncEvent::Progress { .. } => return,
                SyncEvent::Finished { path, outcome, .. } => {
                    let ok = matches!(outcome, Outcome::Transferred { .. });
                    format!("done {path} {ok}")
                }
                _ => return,
            };
            sink.lock().unwrap().push((what, p.overall));
        })
        .send()
        .unwrap();
    assert!(report.is_success());
    let events = events.lock().unwrap();
    assert_eq!(events[0].0, "counted");
    assert_eq!(events[0].1.files_total, 7);
    let total: u64 = SAMPLE.iter().map(|(_, b)| b.len() as u64).sum();
    assert_eq!(events[0].1.bytes_total, total);
    let done: Vec<_> = events.iter().filter(|e| e.0.starts_with("done")).collect();
    assert_eq!(done.len(), 7);
    assert!(done.iter().all(|e| e.0.ends_with("true")));
    let last = events.last().unwrap().1;
    assert_eq!((last.files_done, last.bytes_done), (7, total));
    let _ = SkipReason::Unchanged;
}
