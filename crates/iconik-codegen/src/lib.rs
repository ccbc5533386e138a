//! The iconik-rs generator: `api-data/` (+ `overrides.toml`) -> plain,
//! rustfmt-formatted Rust in `iconik-sync` and `iconik-async`.
//!
//! Inputs: `api-data/endpoints.tsv`, `api-data/params.tsv` (every
//! parameter's type and required flag) and `api-data/schemas.json`;
//! `overrides.toml`, every hand decision with its reason (unions, `X |
//! Unset` bodies, reads sent as POST that are safe to retry);
//! `aliases/*.toml`, pythonik's method names and their equivalents here
//! (the porting table of METHODS.md).
//!
//! Run `cargo run -p iconik-codegen` from the workspace to regenerate
//! every output; `cargo run -p iconik-codegen -- --check` fails when a
//! committed file differs. The golden test (`tests/golden.rs`) does the
//! same in memory.
//!
//! Outputs, per service: `iconik-models/src/<service>.rs` and
//! `iconik-sync/src/api/<handler>.rs` (the handler and its request types,
//! generic over the executor, so both clients use them); once:
//! `iconik-models/src/common.rs` (shared shapes), the module files,
//! `api/operations.rs` (the operation table), `iconik-sync/METHODS.md`,
//! the tests of every operation and model, the async client's accessors
//! (`iconik-async/src/services.rs`) and both crates' `[features]`.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod describe;
mod handlers;
mod models;
mod modfiles;
pub mod names;
mod ops;
mod spec;
mod table;
mod testgen;
mod types;

use handlers::Handler;

/// The workspace root, from this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."))
}

/// Formats Rust source with `rustfmt` (edition 2021).
///
/// # Errors
/// When rustfmt cannot be run or rejects the source.
pub fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt: no stdin")?;
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt: writer panicked".to_owned())?
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt: {e}"))
}

/// How many arguments `call` passes to the method opened by `open`
/// (`.get_asset(`): top-level commas inside its parentheses.
fn call_arguments(call: &str, open: &str) -> Option<usize> {
    let start = call.find(open)? + open.len();
    let (mut depth, mut count, mut any) = (0i32, 0usize, false);
    for c in call[start..].chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return Some(if any { count + 1 } else { 0 }),
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => count += 1,
            c if !c.is_whitespace() => any = true,
            _ => {}
        }
    }
    None
}

/// Every generated file: path relative to the workspace root -> contents.
///
/// # Errors
/// When `api-data/` or the overrides cannot be read, an override is
/// missing or stale, or rustfmt fails.
pub fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let spec = spec::load(root)?;
    let types = types::Types::new(&spec)?;
    let plans = ops::plan(&spec, &types)?;

    // handlers: one per service
    let mut services: Vec<(String, String)> = Vec::new();
    for e in &spec.endpoints {
        if !services.iter().any(|(s, _)| *s == e.service) {
            services.push((e.service.clone(), e.url_service.clone()));
        }
    }
    services.sort();
    let handlers: Vec<Handler> = services
        .iter()
        .map(|(service, url)| {
            let accessor = ops::accessor(url);
            Handler {
                type_name: ops::handler_type(&accessor),
                accessor,
                service: service.clone(),
                url_service: url.clone(),
                ops: plans.iter().filter(|p| p.ep.service == *service).collect(),
            }
        })
        .collect();
    // every porting row names a real operation of its service, and calls
    // it with as many arguments as it takes
    for a in &spec.overrides.alias {
        let service = if a.handler == "collections" {
            "assets"
        } else {
            a.handler.as_str()
        };
        let what = format!("aliases: {}.{}", a.handler, a.name);
        let plan = plans
            .iter()
            .find(|p| p.ep.service == service && p.ep.name == a.op)
            .ok_or(format!("{what} names no operation {} of {service}", a.op))?;
        if a.call.starts_with("client.upload") || a.call.starts_with("client.files_by_checksum") {
            continue;
        }
        let given = call_arguments(&a.call, &format!(".{}(", a.op))
            .ok_or(format!("{what}: its call does not call {}", a.op))?;
        if given != plan.args.len() {
            return Err(format!(
                "{what}: the call passes {given} argument(s), {} takes {}",
                a.op,
                plan.args.len()
            ));
        }
    }

    let mut files = BTreeMap::new();
    let sync = PathBuf::from("crates/iconik-sync");
    let models_crate = PathBuf::from("crates/iconik-models");
    let asynch = PathBuf::from("crates/iconik-async");
    let mut put = |path: PathBuf, src: String| -> Result<(), String> {
        let formatted = if path.extension().is_some_and(|e| e == "rs") {
            rustfmt(&src).map_err(|e| format!("{}: {e}", path.display()))?
        } else {
            src
        };
        files.insert(path, formatted);
        Ok(())
    };
    put(
        models_crate.join("src/common.rs"),
        models::module(&spec, &types, "common", &plans),
    )?;
    for (service, _) in &services {
        put(
            models_crate.join(format!("src/{service}.rs")),
            models::module(&spec, &types, service, &plans),
        )?;
    }
    for h in &handlers {
        put(
            sync.join(format!("src/api/{}.rs", h.accessor)),
            handlers::sync_module(h),
        )?;
    }
    put(
        asynch.join("src/services.rs"),
        handlers::async_accessors(&handlers),
    )?;
    put(
        sync.join("src/api/operations.rs"),
        table::operations(&plans),
    )?;
    put(
        PathBuf::from("tests/operations.rs"),
        testgen::operations_test(&types, &plans, &services),
    )?;
    put(
        sync.join("tests/doc_examples.rs"),
        handlers::examples_test(&handlers),
    )?;
    put(
        sync.join("tests/models.rs"),
        testgen::models_test(&spec, &types, &plans),
    )?;
    put(
        sync.join("METHODS.md"),
        table::methods_md(&handlers, &spec.overrides.alias),
    )?;
    put(
        models_crate.join("src/lib.rs"),
        modfiles::models_mod(&services),
    )?;
    put(
        sync.join("src/api/mod.rs"),
        modfiles::sync_api_mod(&handlers),
    )?;

    let manifest = std::fs::read_to_string(root.join(sync.join("Cargo.toml")))
        .map_err(|e| format!("reading iconik-sync's Cargo.toml: {e}"))?;
    put(
        sync.join("Cargo.toml"),
        modfiles::features(&manifest, &services)?,
    )?;
    let manifest = std::fs::read_to_string(root.join(models_crate.join("Cargo.toml")))
        .map_err(|e| format!("reading iconik-models' Cargo.toml: {e}"))?;
    put(
        models_crate.join("Cargo.toml"),
        modfiles::models_features(&manifest, &services)?,
    )?;
    let manifest = std::fs::read_to_string(root.join(asynch.join("Cargo.toml")))
        .map_err(|e| format!("reading iconik-async's Cargo.toml: {e}"))?;
    put(
        asynch.join("Cargo.toml"),
        modfiles::async_features(&manifest, &services)?,
    )?;
    Ok(files)
}
