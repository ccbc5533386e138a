//! `iconik-bench`: see the crate docs and `BENCHMARKS.md`.
#![forbid(unsafe_code)]

use std::path::PathBuf;

use iconik_bench::runner::{Options, Report, Scenario};
use iconik_bench::workload::{self, ClientKind, Handling, Target, Workload};
use iconik_sync::Rate;

const USAGE: &str =
    "usage: iconik-bench [all|overhead|limits|shared|faults|floor|fleet]... [options]
       iconik-bench build-budget [--sync-path DIR] [--runs N] [--cli] ...  (see build-budget --help)

  all                 every scenario (default)
  overhead            1. overhead: plain ureq loop vs iconik-sync vs iconik-async (+ peers)
  limits              2. under iconik's limits (and the scaled variant)
  shared              3. three processes sharing credentials
  faults              4. 10% 503s and 2% resets
  floor               5. every client against a static nginx (needs nginx installed),
                         next to ureq loops in ureq's default config and with iconik-sync's
                         timeouts; at 1 and 10 workers, N = --n (--peer-n for aiopythonik)
  fleet               6. 3, 10, 20 processes sharing one credential through Redis
                         (needs redis-server), and the same with Redis stopped halfway

options:
  --quick             small N, the scaled policy only, 1 run (unless --runs)
  --runs N            runs per figure (default 3; 1 with --quick)
  --n N               GETs per overhead run (default 20000; 2000 with --quick)
  --peer-n N          GETs per overhead run for the Python peers (default: --n)
  --workers 1,10,64   worker counts of the overhead scenario
  --limits-n A,B      GETs per limits run: iconik policy, scaled policy (default 2000,5000)
  --peer-limits-n N   GETs per aiopythonik run under iconik's own policy (default 200)
  --shared-n N        GETs per process in the shared scenario (default 600; 500 quick)
  --faults-n N        GETs per fault run (default 1000; 300 quick)
  --fleet 3x600,...   fleet sizes, processes x GETs each (default 3x600,10x100,20x50)
  --no-peers          skip the Python peers
  --plots DIR         where scenarios 2, 3 and 6 write their plots (SVG) and sends (CSV)
                      (default docs/bench; target/bench-plots with --quick)
  --no-plots          record and draw nothing
  --venv DIR          the Python venv (default target/bench-venv)
  --base-url URL      use this server instead of emulator processes
  --app-id ID         its App-ID        (with --base-url)
  --auth-token TOKEN  its Auth-Token    (with --base-url)
  --asset-id ID       the asset to GET (default the emulator's first sample asset)
  -h, --help          this text";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("__emulator") => iconik_bench::emulator::serve_child(&args[1..]),
        Some("__client") => client_child(&args[1..]),
        Some("build-budget") => iconik_bench::build_budget::main(&args[1..]),
        _ => bench(&args),
    };
    if let Err(e) = result {
        if e.is_empty() {
            println!("{USAGE}");
            return;
        }
        eprintln!("iconik-bench: {e}");
        std::process::exit(2);
    }
}

fn number<T: std::str::FromStr>(flag: &str, v: Option<&String>) -> Result<T, String> {
    v.ok_or_else(|| format!("{flag} needs a value"))?
        .parse()
        .map_err(|_| format!("{flag}: not a number"))
}

fn bench(args: &[String]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Options::new(quick, exe);
    o.command = std::iter::once("cargo run --release -p iconik-bench --")
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let mut scenarios = Vec::new();
    let mut peer_n = None;
    let (mut base, mut app, mut token) = (None, None, None);
    let mut asset = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "all" => scenarios.extend([
                Scenario::Overhead,
                Scenario::Limits,
                Scenario::Shared,
                Scenario::Faults,
                Scenario::Floor,
                Scenario::Fleet,
            ]),
            "overhead" => scenarios.push(Scenario::Overhead),
            "limits" => scenarios.push(Scenario::Limits),
            "shared" => scenarios.push(Scenario::Shared),
            "faults" => scenarios.push(Scenario::Faults),
            "floor" => scenarios.push(Scenario::Floor),
            "fleet" => scenarios.push(Scenario::Fleet),
            "--quick" => {}
            "--runs" => o.runs = number::<usize>(a, it.next())?.max(1),
            "--n" => o.n_overhead = number(a, it.next())?,
            "--peer-n" => peer_n = Some(number(a, it.next())?),
            "--workers" => {
                let v = it.next().ok_or("--workers needs a value")?;
                o.workers = v
                    .split(',')
                    .map(|w| {
                        w.trim()
                            .parse::<usize>()
                            .map_err(|_| format!("--workers: bad {w:?}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--limits-n" => {
                let v = it.next().ok_or("--limits-n needs a value")?;
                let (x, y) = v.split_once(',').ok_or("--limits-n: expected A,B")?;
                o.n_limits = (
                    x.trim().parse().map_err(|_| "--limits-n: bad number")?,
                    y.trim().parse().map_err(|_| "--limits-n: bad number")?,
                );
            }
            "--peer-limits-n" => o.n_peer_limits = number(a, it.next())?,
            "--shared-n" => o.n_shared = number(a, it.next())?,
            "--faults-n" => o.n_faults = number(a, it.next())?,
            "--fleet" => {
                let v = it.next().ok_or("--fleet needs a value")?;
                o.fleet = v
                    .split(',')
                    .map(|s| {
                        let (p, n) = s.trim().split_once('x').ok_or("--fleet: expected PxN")?;
                        Ok((
                            p.parse().map_err(|_| "--fleet: bad process count")?,
                            n.parse().map_err(|_| "--fleet: bad GET count")?,
                        ))
                    })
                    .collect::<Result<_, &str>>()?;
            }
            "--no-peers" => o.peers = false,
            "--plots" => o.plots = Some(PathBuf::from(it.next().ok_or("--plots needs a value")?)),
            "--no-plots" => o.plots = None,
            "--venv" => o.venv = PathBuf::from(it.next().ok_or("--venv needs a value")?),
            "--base-url" => base = it.next().cloned(),
            "--app-id" => app = it.next().cloned(),
            "--auth-token" => token = it.next().cloned(),
            "--asset-id" => asset = it.next().cloned(),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    o.n_peer_overhead = peer_n.unwrap_or(o.n_overhead);
    if let Some(a) = asset {
        o.asset_id = a;
    }
    if let Some(base_url) = base {
        o.external = Some(Target {
            base_url,
            app_id: app.ok_or("--base-url needs --app-id")?,
            auth_token: token.ok_or("--base-url needs --auth-token")?,
            asset_id: o.asset_id.clone(),
        });
    }
    if !scenarios.is_empty() {
        scenarios.dedup();
        o.scenarios = scenarios;
    }
    let report = Report::new(o).run();
    println!("{report}");
    Ok(())
}

/// The hidden `__client` subcommand: one measured run, one JSON line out.
fn client_child(args: &[String]) -> Result<(), String> {
    let mut kind = None;
    let (mut workers, mut n) = (1usize, 1000u64);
    let mut handling = Handling::Disabled;
    let mut redis: Option<(String, f64)> = None;
    let mut process = None;
    let mut target = Target {
        base_url: String::new(),
        app_id: String::new(),
        auth_token: String::new(),
        asset_id: String::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--kind" => kind = ClientKind::parse(&val()?),
            "--workers" => workers = val()?.parse().map_err(|_| "bad --workers")?,
            "--n" => n = val()?.parse().map_err(|_| "bad --n")?,
            "--limits" => {
                handling = match val()?.as_str() {
                    "off" => Handling::Disabled,
                    "retries" => Handling::Default(Vec::new()),
                    list => Handling::Default(
                        list.split(',')
                            .map(|r| r.parse::<Rate>().map_err(|e| e.to_string()))
                            .collect::<Result<_, _>>()?,
                    ),
                }
            }
            "--base-url" => target.base_url = val()?,
            "--app-id" => target.app_id = val()?,
            "--auth-token" => target.auth_token = val()?,
            "--asset-id" => target.asset_id = val()?,
            "--process" => process = Some(val()?.parse().map_err(|_| "bad --process")?),
            "--redis" => redis = Some((val()?, redis.map_or(1.0, |r| r.1))),
            "--local-share" => {
                let share = val()?.parse().map_err(|_| "bad --local-share")?;
                let url = redis.map(|r| r.0).ok_or("--local-share after --redis")?;
                redis = Some((url, share));
            }
            other => return Err(format!("__client: unknown argument {other:?}")),
        }
    }
    let kind = kind.ok_or("__client: --kind plain|plain-default|sync|async is required")?;
    let w = Workload {
        kind,
        workers,
        n,
        handling,
        redis,
        process,
    };
    let r = workload::run(&target, &w)?;
    println!("{}", r.to_json());
    Ok(())
}
