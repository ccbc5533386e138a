//! End to end on the emulator, whose S3 fake pages as iconik and S3 do
//! (here one part URL and one listed part per page, to keep files small):
//! an upload reads every page of part URLs, and a resumed upload reads
//! every page of ListParts, so no stored part is sent again.

use std::sync::{Arc, Mutex};

use iconik_emulator::{Emulator, EmulatorConfig, StorageFault, StorageFaultAction};
use iconik_sync::clock::FakeClock;
use iconik_sync::transfer::UploadState;
use iconik_sync::Client;

const MIB: usize = 1024 * 1024;

#[test]
fn a_resumed_s3_upload_reads_every_page_of_part_urls_and_of_list_parts() {
    let emulator = Emulator::start(EmulatorConfig {
        part_urls_per_page: 1,
        list_parts_per_page: 1,
        ..EmulatorConfig::new().no_rate_limit()
    })
    .unwrap();
    let client = Client::builder()
        .app_id(emulator.app_id())
        .auth_token(emulator.auth_token())
        .base_url(emulator.base_url())
        .clock(Arc::new(FakeClock::new()))
        .build()
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("transfer_paging_emulator");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("four-parts.bin");
    let bytes: Vec<u8> = (0..3 * 5 * MIB + 77).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();

    // parts 1-3 stored, part 4 refused: the first call fails
    emulator.add_storage_fault(
        StorageFault::new(StorageFaultAction::Status(403))
            .method("PUT")
            .target_contains("partNumber=4&"),
    );
    let upload = |c: &iconik_sync::Client| c.upload(&path).part_size(5 * MIB as u64).parallelism(1);
    let state = Arc::new(Mutex::new(UploadState::default()));
    assert!(upload(&client).resume(&state).send().is_err());
    assert_eq!(state.lock().unwrap().parts_done(), 3);

    // resumed elsewhere: the storage's list (three pages) is the truth
    let saved = serde_json::to_string(&*state.lock().unwrap()).unwrap();
    let state = Arc::new(Mutex::new(
        serde_json::from_str::<UploadState>(&saved).unwrap(),
    ));
    let report = upload(&client).resume(&state).send().unwrap();
    let uploads = emulator.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].bytes, bytes);
    // 3 parts + the refused one + the 4th again; a part listed on a page
    // not read would have been sent again
    let part_puts: Vec<String> = emulator
        .storage_requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.target.contains("partNumber="))
        .map(|r| {
            let n = r.target.split("partNumber=").nth(1).unwrap();
            n.split('&').next().unwrap().to_owned()
        })
        .collect();
    assert_eq!(part_puts, ["1", "2", "3", "4", "4"]);
    let lists = emulator
        .storage_requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.target.contains("uploadId="))
        .count();
    assert_eq!(lists, 3, "three pages of one part");
    let _ = report;
    let _ = std::fs::remove_file(&path);
}
