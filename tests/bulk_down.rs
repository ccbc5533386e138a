//! `Client::sync_down` against the emulator, and bad input both ways:
//! the tree comes back identical, a rerun downloads nothing, unsafe and
//! colliding names are made safe and unique, and unreadable files, odd
//! names, links, loops, changing files and a full disk are reported while
//! the rest goes on.

mod bulk_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bulk_support::*;
use iconik_sync::bulk::{Outcome, SyncEvent};
use iconik_sync::Method;

#[test]
fn down_brings_the_tree_back_identical_and_skips_it_next_time() {
    let Env { emulator, client } = env();
    let local = scratch("down-src");
    tree(&local, SAMPLE);
    let target = new_collection(&client, "Rushes", None);
    client.sync_up(&local, &target).send().unwrap();
    let export = scratch("down-dst").join("export");
    emulator.reset_stats();

    let report = client.sync_down(&target, &export).send().unwrap();

    assert!(report.is_success(), "{report:#?}");
    assert_eq!(report.transferred.files, 7);
    assert_eq!(report.folders_created, 4, "the root and three sub-folders");
    assert_eq!(local_files(&export), local_files(&local));

    // again, without a journal: every file hashed, none downloaded
    let storage_before = emulator.storage_requests().len();
    let again = client.sync_down(&target, &export).send().unwrap();
    assert!(again.is_success(), "{again:#?}");
    assert_eq!(again.transferred.files, 0);
    assert_eq!(again.skip_reasons["identical"].files, 7);
    assert_eq!(emulator.storage_requests().len(), storage_before);

    // with a journal: the second run does not even hash
    let journal = scratch("down-journal").join("j");
    let first = client
        .sync_down(&target, &export)
        .journal(&journal)
        .send()
        .unwrap();
    assert_eq!(first.skip_reasons["identical"].files, 7);
    let second = client
        .sync_down(&target, &export)
        .journal(&journal)
        .send()
        .unwrap();
    assert_eq!(second.skip_reasons["unchanged"].files, 7, "{second:#?}");

    // a local file that differs is replaced
    std::fs::write(export.join("day1/a.mov"), b"local edit").unwrap();
    let fixed = client.sync_down(&target, &export).send().unwrap();
    assert_eq!(fixed.transferred.files, 1, "{fixed:#?}");
    assert_eq!(local_files(&export), local_files(&local));
}

#[test]
fn down_makes_unsafe_and_colliding_names_safe_and_unique() {
    let Env {
        client,
        emulator: _emulator,
    } = env();
    let target = new_collection(&client, "Odd", None);
    let sub = new_collection(&client, "../escape", Some(&target));
    let src = scratch("names-src");
    tree(
        &src,
        &[
            ("f1", b"one"),
            ("f2", b"two"),
            ("f3", b"three"),
            ("f4", b"four"),
            ("f5", b"five"),
        ],
    );
    // too long for a file name once the download's `.<name>.iconik-part`
    // is added, with a right-to-left override in it
    let long = format!("z\u{202e}{}.mov", "\u{e9}".repeat(150));
    let long_local = iconik_sync::bulk::safe_name(&long).0;
    assert!(long_local.len() <= iconik_sync::bulk::MAX_NAME_BYTES);
    assert!(
        long_local.starts_with("z_\u{e9}") && long_local.ends_with(".mov"),
        "{long_local}"
    );
    for (file, name, coll) in [
        ("f1", "same.mov", &target),
        ("f2", "SAME.mov", &target),
        ("f3", "a/b\u{1b}[31m.mov", &target),
        ("f4", "..", &sub),
        ("f5", long.as_str(), &target),
    ] {
        let up = client
            .upload(src.join(file))
            .title(name)
            .collection_id(coll.as_str())
            .send()
            .unwrap();
        // the local name comes from the file's original name: make it hostile
        client
            .request(
                Method::Patch,
                "files",
                "/v1/assets/{asset_id}/files/{file_id}/",
            )
            .path_param(&up.asset_id)
            .path_param(&up.file_id)
            .json(&serde_json::json!({ "original_name": name }))
            .send::<serde_json::Value>()
            .unwrap();
    }
    let export = scratch("names-dst");

    let report = client.sync_down(&target, &export).jobs(1).send().unwrap();

    assert!(report.is_success(), "{report:#?}");
    let files: Vec<String> = local_files(&export).into_keys().collect();
    assert_eq!(
        files,
        [
            ".._escape/_..",
            "SAME (2).mov",
            "a_b_[31m.mov",
            "same.mov",
            long_local.as_str()
        ],
        "{report:#?}"
    );
    assert_eq!(local_files(&export)["SAME (2).mov"], md5_hex(b"two"));
    assert_eq!(local_files(&export)[&long_local], md5_hex(b"five"));
    let noticed: Vec<&str> = report.notices.iter().map(|n| n.path.as_str()).collect();
    for want in [".._escape", "SAME (2).mov", "a_b_[31m.mov", ".._escape/_.."] {
        assert!(noticed.contains(&want), "{want} not in {noticed:?}");
    }
    // nothing escaped the export folder
    assert!(!export.parent().unwrap().join("escape").exists());
}

#[test]
fn bad_input_is_reported_and_the_rest_goes_on() {
    let Env {
        client,
        emulator: _emulator,
    } = env();
    let local = scratch("bad");
    tree(
        &local,
        &[("ok.mov", b"fine"), ("deep/ok2.mov", b"fine too")],
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::symlink;
        let odd = std::ffi::OsStr::from_bytes(b"bad\xffname.mov");
        std::fs::write(local.join(odd), b"odd").unwrap();
        symlink(&local, local.join("deep/loop")).unwrap();
        symlink(local.join("ok.mov"), local.join("link.mov")).unwrap();
        let _ = std::process::Command::new("mkfifo")
            .arg(local.join("pipe"))
            .status();
    }
    let target = new_collection(&client, "Bad", None);

    let report = client.sync_up(&local, &target).send().unwrap();
    assert_eq!(report.transferred.files, 3, "{report:#?}");
    assert_eq!(report.skip_reasons["symlink"].files, 1, "link.mov");
    assert!(report
        .notices
        .iter()
        .any(|n| n.path == "bad\u{fffd}name.mov" && n.message.contains("not valid UTF-8")));

    // following links: the loop is reported, the file link uploaded
    let followed = client
        .sync_up(&local, &target)
        .follow_symlinks(true)
        .dedupe(iconik_sync::bulk::Dedupe::None)
        .send()
        .unwrap();
    assert!(
        followed
            .failures
            .iter()
            .any(|f| f.path == "deep/loop/" && f.message.contains("loop")),
        "{followed:#?}"
    );
    assert!(followed.transferred.files >= 4, "{followed:#?}");
}

#[test]
fn a_file_that_changes_during_upload_is_sent_again() {
    let Env {
        client,
        emulator: _emulator,
    } = env();
    let local = scratch("changing");
    tree(&local, &[("moving.mov", &[7u8; 300_000])]);
    let target = new_collection(&client, "Moving", None);
    let path = local.join("moving.mov");
    let touched = Arc::new(AtomicBool::new(false));
    let flag = touched.clone();
    let report = client
        .sync_up(&local, &target)
        .on_progress(move |p| {
            if let SyncEvent::Started { .. } = p.event {
                if !flag.swap(true, Ordering::SeqCst) {
                    // a writer appends while the sync reads
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    let mut bytes = std::fs::read(&path).unwrap();
                    bytes.extend_from_slice(b"more");
                    std::fs::write(&path, bytes).unwrap();
                }
            }
        })
        .send()
        .unwrap();
    assert!(touched.load(Ordering::SeqCst));
    assert!(report.is_success(), "{report:#?}");
    assert!(matches!(report.transferred.files, 1), "{report:#?}");
    let remote = remote_tree(&client, &target);
    let mut want = vec![7u8; 300_000];
    want.extend_from_slice(b"more");
    assert_eq!(remote["moving.mov"], [md5_hex(&want)], "{remote:?}");
    let _ = Outcome::WouldTransfer;
}
