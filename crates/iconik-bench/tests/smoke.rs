//! Smoke test: the runner works. Scenario 1 at N = 200, asserting only that
//! every request succeeded; no timings are asserted, no Python is needed.

use iconik_bench::workload::{self, ClientKind, Handling, Target, Workload};
use iconik_emulator::{Emulator, EmulatorConfig};

#[test]
fn scenario_1_at_n_200_every_request_succeeds() {
    let emu = Emulator::start(EmulatorConfig::new().seed_data(true).no_rate_limit()).unwrap();
    let target = Target {
        base_url: emu.base_url(),
        app_id: emu.app_id().to_owned(),
        auth_token: emu.auth_token().to_owned(),
        asset_id: iconik_emulator::SAMPLE_ASSET_IDS[0].to_owned(),
    };
    for kind in [
        ClientKind::Plain,
        ClientKind::PlainDefault,
        ClientKind::Sync,
        ClientKind::Async,
    ] {
        for workers in [1, 4] {
            let w = Workload {
                kind,
                workers,
                n: 200,
                handling: Handling::Disabled,
                redis: None,
            };
            let r = workload::run(&target, &w).unwrap();
            assert_eq!(
                (r.ok, r.failed),
                (200, 0),
                "{} x{workers}: {:?}",
                kind.name(),
                r.first_error
            );
            assert_eq!(r.attempts, 200);
        }
    }
}

#[test]
fn the_binary_runs_scenario_1_end_to_end() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iconik-bench"))
        .args([
            "overhead",
            "--quick",
            "--n",
            "200",
            "--runs",
            "1",
            "--workers",
            "2",
            "--no-peers",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for client in ["plain ureq loop", "iconik-sync", "iconik-async"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| 2 | {client} |")))
            .unwrap_or_else(|| panic!("no row for {client}:\n{stdout}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | workers | client | req/s | x | cpu | x | rss | failures | server |
        assert_eq!(cells[8], "0", "failures in {row}");
    }
}
