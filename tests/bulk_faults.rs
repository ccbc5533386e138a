//! A sync up through refusals and lost answers: calls iconik refuses
//! (400) fail their file and the rest goes on; calls iconik applied but
//! whose answer was lost (the client's view of a crash between a creation
//! and its record) leave objects a rerun with the journal finds and
//! finishes, so the end result equals an uninterrupted run: the same
//! assets, none twice, every collection once.

mod bulk_support;

use bulk_support::*;
use iconik_emulator::{EmulatorConfig, FaultConfig};

#[test]
fn refusals_and_lost_answers_fail_files_and_a_rerun_finishes_without_duplicates() {
    let mut failed = 0;
    for seed in [1u64, 7, 42] {
        let Env { emulator, client } = env_with(EmulatorConfig::new().no_rate_limit().seed(seed));
        let local = scratch("faults");
        tree(&local, SAMPLE);
        let journal = scratch("faults-journal").join("j");
        let target = new_collection(&client, "Rushes", None);
        emulator.set_faults(
            FaultConfig::none()
                .error_rate(0.08)
                .error_statuses(vec![400])
                .after_apply_rate(0.12),
        );

        // reading the target collection may be refused too: try again
        let first = (0..20)
            .find_map(|_| {
                client
                    .sync_up(&local, &target)
                    .journal(&journal)
                    .jobs(1)
                    .send()
                    .ok()
            })
            .expect("a run that starts");
        assert!(first.stopped.is_none(), "{first:#?}");
        let counted = first.transferred.files + first.skipped.files + first.failed.files;
        assert_eq!(counted, 7, "every file has one outcome: {first:#?}");
        for f in &first.failures {
            assert!(!f.message.is_empty());
        }
        failed += first.failures.len();

        emulator.set_faults(FaultConfig::default());
        let second = client
            .sync_up(&local, &target)
            .journal(&journal)
            .jobs(1)
            .send()
            .unwrap();
        assert!(second.is_success(), "seed {seed}: {second:#?}");
        assert_eq!(
            remote_tree(&client, &target),
            sample_remote(),
            "seed {seed}: first {first:#?} second {second:#?}"
        );
        assert_eq!(
            created(&emulator, "collections"),
            4,
            "the target and 3 folders"
        );
    }
    assert!(failed > 0, "the faults hit nothing: the test tests nothing");
}
