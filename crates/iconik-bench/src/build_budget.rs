//! The build budget (issue 21 item 7): what it costs a user to build on
//! iconik-sync, against building its third-party dependencies alone.
//!
//! `iconik-bench build-budget` creates throwaway hello-world crates under
//! the system's temp folder, each with its own clean target directory, and
//! builds them one after the other: (b) on iconik-sync's third-party
//! dependencies alone (read from the checkout with `cargo metadata`, so the
//! list never drifts), (a) on iconik-sync with default features, (c) on
//! iconik-sync with one service feature; then (d) the size of `cargo doc
//! --no-deps` for iconik-sync and iconik-async, and with `--cli` a clean
//! release build of the `iconik` binary. `--sync-path` measures another
//! checkout (an older commit in its own worktree, for a "before" column).
//! Nothing is written inside the measured checkout.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub mod manifest;
pub mod measure;
pub mod table;

use crate::procfs::load_average;
use measure::{Invocation, TempDir, Timed};
pub use table::{CliFigure, DocFigure, Figures, Meta};

const USAGE: &str = "usage: iconik-bench build-budget [options]

  Builds throwaway hello-world crates (in the system's temp folder, each with a
  clean target dir, removed afterwards) one after the other and prints a Markdown
  table: (b) iconik-sync's third-party dependencies alone, (a) iconik-sync with
  default features, (c) iconik-sync with one feature; (d) `cargo doc --no-deps`
  sizes of iconik-sync and iconik-async.

options:
  --sync-path DIR   the checkout to measure (default: this workspace)
  --runs N          builds per figure, interleaved (default 1)
  --cli             also a clean `cargo build --release -p iconik-cli`: time, peak RSS, binary size
  --only LIST       only these parts, comma-separated: deps,default,feature,doc,cli
  --feature NAME    the one feature of build (c) (default assets)
  --release         build the hello-worlds with --release (default: dev profile)
  --jobs N          pass -j N to cargo (default: CARGO_BUILD_JOBS or cargo's default)
  --tmp DIR         where the temporary crates and target dirs go (default: the system's temp folder)
  -h, --help        this text";

/// One part of the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// (b) the deps-only hello-world.
    Deps,
    /// (a) iconik-sync with default features.
    Default,
    /// (c) iconik-sync with one feature.
    Feature,
    /// (d) documentation sizes.
    Doc,
    /// The CLI's clean release build.
    Cli,
}

impl Part {
    fn parse(s: &str) -> Option<Part> {
        Some(match s.trim() {
            "deps" | "b" => Part::Deps,
            "default" | "a" => Part::Default,
            "feature" | "c" => Part::Feature,
            "doc" | "d" => Part::Doc,
            "cli" => Part::Cli,
            _ => return None,
        })
    }
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct BudgetOptions {
    /// The checkout (workspace root) to measure.
    pub sync_path: PathBuf,
    /// Builds per figure.
    pub runs: usize,
    /// The parts to measure.
    pub parts: BTreeSet<Part>,
    /// The feature of build (c).
    pub feature: String,
    /// Hello-worlds with `--release`.
    pub release: bool,
    /// `-j N`.
    pub jobs: Option<usize>,
    /// Base of the temporary directories.
    pub tmp: PathBuf,
    /// The command line, for the report.
    pub command: String,
}

impl BudgetOptions {
    /// Parses `build-budget`'s arguments. `Err("")` asks for the usage text.
    ///
    /// # Errors
    /// An unknown argument or a bad value.
    pub fn parse(args: &[String]) -> Result<BudgetOptions, String> {
        let mut o = BudgetOptions {
            sync_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
            runs: 1,
            parts: [Part::Deps, Part::Default, Part::Feature, Part::Doc].into(),
            feature: "assets".into(),
            release: false,
            jobs: None,
            tmp: std::env::temp_dir(),
            command: std::iter::once("cargo run --release -p iconik-bench -- build-budget")
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut val = || it.next().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "-h" | "--help" => return Err(String::new()),
                "--sync-path" => o.sync_path = PathBuf::from(val()?),
                "--runs" => {
                    o.runs = val()?
                        .parse::<usize>()
                        .map_err(|_| "--runs: not a number")?
                        .max(1)
                }
                "--cli" => {
                    o.parts.insert(Part::Cli);
                }
                "--only" => {
                    o.parts = val()?
                        .split(',')
                        .map(|p| {
                            Part::parse(p).ok_or_else(|| format!("--only: unknown part {p:?}"))
                        })
                        .collect::<Result<_, _>>()?;
                }
                "--feature" => o.feature = val()?.clone(),
                "--release" => o.release = true,
                "--jobs" => o.jobs = Some(val()?.parse().map_err(|_| "--jobs: not a number")?),
                "--tmp" => o.tmp = PathBuf::from(val()?),
                other => return Err(format!("build-budget: unknown argument {other:?}\n{USAGE}")),
            }
        }
        Ok(o)
    }
}

/// The `build-budget` subcommand: parse, measure, print the Markdown.
///
/// # Errors
/// Bad arguments, or a checkout that cannot be read.
pub fn main(args: &[String]) -> Result<(), String> {
    let o = match BudgetOptions::parse(args) {
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return Ok(());
        }
        other => other?,
    };
    let figures = run(&o)?;
    println!("{}", figures.markdown());
    Ok(())
}

fn progress(msg: &str) {
    eprintln!("[iconik-bench build-budget] {msg}");
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Measures what `o` asks for.
///
/// # Errors
/// When the checkout has no iconik-sync, no `Cargo.lock`, or `cargo
/// metadata` fails; a failed build is a figure ("failed: why"), not an error.
pub fn run(o: &BudgetOptions) -> Result<Figures, String> {
    let root = o
        .sync_path
        .canonicalize()
        .map_err(|e| format!("--sync-path {}: {e}", o.sync_path.display()))?;
    let sync_dir = root.join("crates/iconik-sync");
    let lock = root.join("Cargo.lock");
    if !sync_dir.join("Cargo.toml").is_file() || !lock.is_file() {
        return Err(format!(
            "{} has no crates/iconik-sync/Cargo.toml or no Cargo.lock",
            root.display()
        ));
    }
    let meta_json = output_of(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml")),
    )
    .ok_or("cargo metadata failed on the checkout")?;
    let meta: Value =
        serde_json::from_str(&meta_json).map_err(|e| format!("cargo metadata: {e}"))?;
    let (deps, skipped) = manifest::third_party_deps(&meta, "iconik-sync", &[], true)?;
    let mut notes: Vec<String> = skipped.iter().map(|s| format!("not in (b): {s}")).collect();
    for var in ["RUSTC_WRAPPER", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                notes.push(format!("{var} is set ({v}): it applies to every build"));
            }
        }
    }
    let jobs = match (o.jobs, std::env::var("CARGO_BUILD_JOBS")) {
        (Some(n), _) => format!("`-j {n}`"),
        (None, Ok(n)) => format!("`CARGO_BUILD_JOBS={n}`"),
        (None, Err(_)) => format!(
            "cargo's default ({} cores)",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        ),
    };
    let mut f = Figures {
        meta: Meta {
            date: output_of(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
                .unwrap_or_else(|| "unknown".into()),
            sync_path: root.display().to_string(),
            commit: output_of(
                Command::new("git")
                    .args(["describe", "--always", "--dirty", "--exclude", "*"])
                    .current_dir(&root),
            )
            .unwrap_or_else(|| "unknown".into()),
            command: o.command.clone(),
            machine: crate::procfs::machine_line(),
            load_before: load_average(),
            profile: if o.release { "release" } else { "dev" }.into(),
            jobs,
            feature: o.feature.clone(),
            notes,
            ..Meta::default()
        },
        ..Figures::default()
    };
    let hello = |part: Part, run: usize| -> Timed {
        let (label, manifest, main) = match part {
            Part::Deps => ("deps", manifest::deps_manifest(&deps), manifest::DEPS_MAIN),
            Part::Default => (
                "default",
                manifest::sync_manifest(&sync_dir.to_string_lossy(), None),
                manifest::SYNC_MAIN,
            ),
            _ => (
                "feature",
                manifest::sync_manifest(
                    &sync_dir.to_string_lossy(),
                    Some(std::slice::from_ref(&o.feature)),
                ),
                manifest::SYNC_MAIN,
            ),
        };
        progress(&format!(
            "run {}/{}: hello-world ({label}), load {}",
            run + 1,
            o.runs,
            load_average()
        ));
        let t = build_hello(o, &lock, &manifest, main);
        progress(&format!(
            "  {:.1} s{}",
            t.wall_s,
            t.error
                .as_deref()
                .map(|e| format!(", failed: {e}"))
                .unwrap_or_default()
        ));
        t
    };
    for run in 0..o.runs {
        for part in [Part::Deps, Part::Default, Part::Feature] {
            if !o.parts.contains(&part) {
                continue;
            }
            let t = hello(part, run);
            match part {
                Part::Deps => f.deps.push(t),
                Part::Default => f.default.push(t),
                _ => f.one_feature.push(t),
            }
        }
        if o.parts.contains(&Part::Cli) {
            f.cli.push(build_cli(o, &root, &meta, run));
        }
    }
    if o.parts.contains(&Part::Doc) {
        f.docs = docs(o, &root, &meta);
    }
    f.meta.load_after = load_average();
    Ok(f)
}

/// Writes one hello-world crate into a fresh temp dir, fetches its
/// dependencies (untimed), then builds it from a clean target dir.
fn build_hello(o: &BudgetOptions, lock: &Path, manifest: &str, main: &str) -> Timed {
    let tmp = match TempDir::new(&o.tmp, "hello") {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    let dir = tmp.path().join("hello");
    let target = tmp.path().join("target");
    let written = std::fs::create_dir_all(dir.join("src"))
        .and_then(|()| std::fs::write(dir.join("Cargo.toml"), manifest))
        .and_then(|()| std::fs::write(dir.join("src/main.rs"), main))
        .and_then(|_| std::fs::copy(lock, dir.join("Cargo.lock")));
    if let Err(e) = written {
        return error(format!("writing the crate: {e}"));
    }
    let fetch = Invocation::cargo(&dir, &["fetch"]).env("CARGO_TARGET_DIR", &target);
    let fetched = measure::run(&fetch, &tmp.path().join("fetch.log"));
    if fetched.error.is_some() {
        return fetched;
    }
    let mut args = vec!["build", "--frozen"];
    if o.release {
        args.push("--release");
    }
    let jobs = o.jobs.map(|n| n.to_string());
    if let Some(n) = &jobs {
        args.extend(["-j", n.as_str()]);
    }
    let inv = Invocation::cargo(&dir, &args)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0");
    measure::run(&inv, &tmp.path().join("build.log"))
}

fn error(why: String) -> Timed {
    Timed {
        error: Some(why),
        ..Timed::default()
    }
}

fn has_package(meta: &Value, name: &str) -> bool {
    (meta.get("packages").and_then(Value::as_array)).is_some_and(|p| {
        p.iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
    })
}

/// `cargo doc -p <crate> --no-deps --locked` into a fresh target dir, for
/// iconik-sync and iconik-async, and the size of what it wrote.
fn docs(o: &BudgetOptions, root: &Path, meta: &Value) -> Vec<DocFigure> {
    let tmp = match TempDir::new(&o.tmp, "doc") {
        Ok(t) => t,
        Err(e) => {
            return vec![DocFigure {
                krate: "iconik-sync".into(),
                timed: error(e),
                ..DocFigure::default()
            }]
        }
    };
    let target = tmp.path().join("target");
    let mut out = Vec::new();
    for krate in ["iconik-sync", "iconik-async"] {
        if !has_package(meta, krate) {
            continue;
        }
        progress(&format!(
            "cargo doc -p {krate} --no-deps, load {}",
            load_average()
        ));
        // a crate's own pages only: the previous crate's are removed first
        let _ = std::fs::remove_dir_all(target.join("doc"));
        let inv = Invocation::cargo(root, &["doc", "-p", krate, "--no-deps", "--locked"])
            .env("CARGO_TARGET_DIR", &target);
        let timed = measure::run(&inv, &tmp.path().join(format!("{krate}.log")));
        let doc = target.join("doc");
        let ident = krate.replace('-', "_");
        let (bytes, files) = measure::dir_size(&doc);
        out.push(DocFigure {
            krate: krate.into(),
            bytes,
            files,
            pages_bytes: measure::dir_size(&doc.join(&ident)).0,
            source_bytes: measure::dir_size(&doc.join("src").join(&ident)).0,
            timed,
        });
    }
    out
}

/// The name of iconik-cli's binary target (`iconik`).
fn cli_binary(meta: &Value) -> String {
    (meta.get("packages").and_then(Value::as_array))
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some("iconik-cli"))
        })
        .and_then(|p| {
            p.get("targets")?.as_array()?.iter().find_map(|t| {
                if t.get("kind")?.as_array()?.iter().any(|k| k == "bin") {
                    t.get("name")?.as_str().map(str::to_owned)
                } else {
                    None
                }
            })
        })
        .unwrap_or_else(|| "iconik".into())
}

/// A clean `cargo build --release -p iconik-cli --locked`: time, memory,
/// the binary's size as built and stripped.
fn build_cli(o: &BudgetOptions, root: &Path, meta: &Value, run: usize) -> CliFigure {
    if !has_package(meta, "iconik-cli") {
        return CliFigure {
            timed: error("the checkout has no iconik-cli".into()),
            ..CliFigure::default()
        };
    }
    let tmp = match TempDir::new(&o.tmp, "cli") {
        Ok(t) => t,
        Err(e) => {
            return CliFigure {
                timed: error(e),
                ..CliFigure::default()
            }
        }
    };
    progress(&format!(
        "run {}/{}: cargo build --release -p iconik-cli, load {}",
        run + 1,
        o.runs,
        load_average()
    ));
    let target = tmp.path().join("target");
    let mut args = vec!["build", "--release", "-p", "iconik-cli", "--locked"];
    let jobs = o.jobs.map(|n| n.to_string());
    if let Some(n) = &jobs {
        args.extend(["-j", n.as_str()]);
    }
    let inv = Invocation::cargo(root, &args)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0");
    let timed = measure::run(&inv, &tmp.path().join("cli.log"));
    let binary = target.join("release").join(cli_binary(meta));
    let binary_bytes = std::fs::metadata(&binary).ok().map(|m| m.len());
    let stripped = tmp.path().join("stripped");
    let stripped_bytes = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&binary)
        .status()
        .ok()
        .filter(|s| s.success())
        .and_then(|_| std::fs::metadata(&stripped).ok())
        .map(|m| m.len());
    progress(&format!("  {:.1} s", timed.wall_s));
    CliFigure {
        timed,
        binary_bytes,
        stripped_bytes,
    }
}
