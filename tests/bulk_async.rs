//! The async client runs the same bulk sync (one worker, its own threads
//! for files): the same tree goes up and comes back as with the blocking
//! client.

mod bulk_support;

use bulk_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_syncs_up_and_down_on_a_worker() {
    let Env { emulator, client } = env();
    let local = scratch("async-up");
    tree(&local, SAMPLE);
    let target = new_collection(&client, "Rushes", None);
    let async_client = iconik_async::Client::from_sync(client.clone(), 2);

    let up = async_client
        .sync_up(&local, target.clone())
        .jobs(3)
        .send()
        .await
        .unwrap();
    assert!(up.is_success(), "{up:#?}");
    assert_eq!(up.transferred.files, 7);
    let check = client.clone();
    let target2 = target.clone();
    let remote = tokio::task::spawn_blocking(move || remote_tree(&check, &target2))
        .await
        .unwrap();
    assert_eq!(remote, sample_remote());

    let export = scratch("async-down").join("export");
    let down = async_client
        .sync_down(target, &export)
        .send()
        .await
        .unwrap();
    assert!(down.is_success(), "{down:#?}");
    assert_eq!(local_files(&export), local_files(&local));
    assert_eq!(created(&emulator, "assets"), 7);
}
