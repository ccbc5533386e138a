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
                process: None,
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

/// A tiny well-formedness check: every tag opened is closed, in order.
fn assert_well_formed_xml(text: &str) {
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a tag that never ends") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name = |t: &str| t.split_whitespace().next().unwrap_or_default().to_owned();
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(closing.trim()), "misnested");
        } else {
            open.push(name(tag));
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

#[test]
fn the_plot_writer_draws_a_well_formed_svg_from_a_synthetic_series() {
    use iconik_bench::plot::{svg, PlotInput};
    use iconik_bench::sends::Send;
    // three processes taking turns, 64 sends a second in all (binary-exact
    // times, so the window edges are exact), for 23.4 s; some refused
    let mut sends: Vec<Send> = (0..500u32)
        .flat_map(|i| {
            (1..=3u32).map(move |p| Send {
                at: 1_024.0 + f64::from(3 * i + p - 1) / 64.0,
                process: p,
                status: if i % 40 == 0 { 429 } else { 200 },
            })
        })
        .collect();
    sends.sort_by(|a, b| a.at.total_cmp(&b.at));
    let text = svg(&PlotInput {
        title: "synthetic: 3 processes".into(),
        rules: &[(50, 1), (1000, 20)],
        sends: &sends,
    })
    .unwrap();
    assert!(text.trim_start().starts_with("<svg"), "{}", &text[..80]);
    assert!(text.trim_end().ends_with("</svg>"));
    assert_well_formed_xml(&text);
    for needle in [
        "synthetic: 3 processes",
        "limit: 50 in any 1 s",
        "limit: 1000 in any 20 s",
        "each of 3 processes",
        "all processes",
        "of which answered 429",
        "most 64 (limit 50)",
        "most 1280 (limit 1000)",
    ] {
        assert!(text.contains(needle), "no {needle:?} in the SVG");
    }
    // per panel: 3 processes, the total, the 429s, the limit (dashed: many segments)
    assert!(text.matches("<polyline").count() >= 2 * 5, "too few lines");
}

#[test]
fn the_emulators_record_reads_back_as_tagged_sends() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-smoke");
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("requests.ndjson");
    let emu = Emulator::start(
        EmulatorConfig::new()
            .seed_data(true)
            .no_rate_limit()
            .record(&record),
    )
    .unwrap();
    let target = Target {
        base_url: emu.base_url(),
        app_id: emu.app_id().to_owned(),
        auth_token: emu.auth_token().to_owned(),
        asset_id: iconik_emulator::SAMPLE_ASSET_IDS[0].to_owned(),
    };
    let w = Workload {
        kind: ClientKind::Sync,
        workers: 2,
        n: 20,
        handling: Handling::Disabled,
        redis: None,
        process: Some(7),
    };
    let r = workload::run(&target, &w).unwrap();
    assert_eq!(r.ok, 20);
    let text = std::fs::read_to_string(&record).unwrap();
    let sends = iconik_bench::sends::parse_record(&text);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(sends.len(), 20);
    assert!(sends.iter().all(|s| s.process == 7 && s.status == 200));
    assert!(sends.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn the_build_budget_table_renders_from_fake_measurements() {
    use iconik_bench::build_budget::measure::Timed;
    use iconik_bench::build_budget::{CliFigure, DocFigure, Figures, Meta};
    let t = |wall_s: f64, mb: u64| Timed {
        wall_s,
        max_rss_kib: Some(mb * 1_000_000 / 1024),
        tree_rss_kib: Some(mb * 1_500_000 / 1024),
        error: None,
    };
    let f = Figures {
        meta: Meta {
            date: "2026-12-04 18:00 UTC".into(),
            commit: "9448a17".into(),
            command: "cargo run --release -p iconik-bench -- build-budget".into(),
            load_before: "0.10, 0.20, 0.30".into(),
            load_after: "1.00, 0.90, 0.80".into(),
            profile: "dev".into(),
            jobs: "cargo's default (2 cores)".into(),
            feature: "assets".into(),
            ..Meta::default()
        },
        deps: vec![t(16.0, 387), t(17.0, 390)],
        default: vec![t(93.5, 3800), t(95.5, 3810)],
        one_feature: vec![t(20.0, 700), t(25.0, 720)],
        docs: vec![
            DocFigure {
                krate: "iconik-sync".into(),
                bytes: 128_000_000,
                files: 2770,
                pages_bytes: 100_000_000,
                source_bytes: 25_000_000,
                timed: t(60.0, 900),
            },
            DocFigure {
                krate: "iconik-async".into(),
                bytes: 2_500_000,
                files: 120,
                pages_bytes: 2_000_000,
                source_bytes: 100_000,
                timed: t(10.0, 300),
            },
        ],
        cli: vec![CliFigure {
            timed: Timed {
                error: Some("`cargo build` exited with 101: boom | bang".into()),
                ..Timed::default()
            },
            ..CliFigure::default()
        }],
    };
    let md = f.markdown();
    let row = |start: &str| {
        md.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no row {start:?} in\n{md}"))
            .to_owned()
    };
    assert!(
        md.contains("commit `9448a17`")
            && md.contains("before: 0.10, 0.20, 0.30; after: 1.00, 0.90, 0.80"),
        "{md}"
    );
    assert_eq!(
        row("| (b)"),
        "| (b) hello-world on iconik-sync's third-party dependencies alone | 16.5 (16.0–17.0) | 1 | 388 (387–390) MB | 583 (580–585) MB | baseline |  |"
    );
    // 93.5/16 = 5.84, 95.5/17 = 5.62: paired run by run
    assert_eq!(
        row("| (a)"),
        "| (a) hello-world on iconik-sync, default features | 94.5 (93.5–95.5) | 5.73 (5.62–5.84)× | 3805 (3800–3810) MB | 5707 (5700–5715) MB | ≤ 2.5× and ≤ 1500 MB | **missed** |"
    );
    assert!(
        row("| (c)").ends_with("| ≤ 1.5× and ≤ 800 MB | **met** |"),
        "{}",
        row("| (c)")
    );
    assert!(row("| `cargo doc -p iconik-sync").contains("| 128.0 MB | 100.0 MB | 25.0 MB | 2770 |"));
    assert!(row("| `cargo doc -p iconik-sync").ends_with("| ≤ 30 MB | **missed** |"));
    assert!(row("| `cargo doc -p iconik-async").contains("(report)"));
    // a failed build is a figure that says so, and a '|' in it cannot break the table
    assert_eq!(row("| clean `cargo build").matches('|').count(), 6);
    assert!(
        row("| clean `cargo build").contains("failed: `cargo build` exited with 101: boom / bang")
    );
}
