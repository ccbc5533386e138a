//! The iconik-rs generator: `api-data/` (+ `overrides.toml`) -> plain,
//! rustfmt-formatted Rust in `iconik-sync` and `iconik-async`.
//!
//! Inputs: `api-data/endpoints.tsv` and `api-data/schemas.json`;
//! `overrides.toml`, every hand decision with its reason (unions, `X |
//! Unset` bodies, reads sent as POST that are safe to retry, query
//! parameter types); `aliases/*.toml`, the table of earlier method names
//! kept as aliases (earlier name -> operation, plus the convenience it adds).
//!
//! Run `cargo run -p iconik-codegen` from the workspace to regenerate
//! every output; `cargo run -p iconik-codegen -- --check` fails when a
//! committed file differs. The golden test (`tests/golden.rs`) does the
//! same in memory.
//!
//! Outputs, per service: `iconik-sync/src/models/<service>.rs`,
//! `iconik-sync/src/api/<handler>.rs`, `iconik-async/src/api/<handler>.rs`;
//! once: `models/common.rs` (schemas shared verbatim), the module files,
//! `api/operations.rs` (the operation table) and `iconik-sync/METHODS.md`.
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

/// Every generated file: path relative to the workspace root -> contents.
///
/// # Errors
/// When `api-data/` or the overrides cannot be read, an override is
/// missing or stale, or rustfmt fails.
pub fn generate(root: &Path) -> Result<BTreeMap<PathBuf, String>, String> {
    let spec = spec::load(root)?;
    let types = types::Types::new(&spec)?;
    let plans = ops::plan(&spec, &types)?;

    // handlers: one per service, plus compatibility-only ones
    let mut services: Vec<(String, String)> = Vec::new();
    for e in &spec.endpoints {
        if !services.iter().any(|(s, _)| *s == e.service) {
            services.push((e.service.clone(), e.url_service.clone()));
        }
    }
    services.sort();
    let mut handlers: Vec<Handler> = Vec::new();
    for (service, url) in &services {
        let accessor = ops::accessor(url);
        let doc = spec
            .overrides
            .compat_handler
            .iter()
            .find(|c| c.handler == accessor)
            .map(|c| c.doc.clone())
            .unwrap_or_else(|| {
                format!("The `{url}` service: `client.{accessor}()`, one method per operation.\n")
            });
        handlers.push(Handler {
            type_name: ops::handler_type(&accessor),
            accessor,
            service: service.clone(),
            url_service: url.clone(),
            doc,
            ops: plans.iter().filter(|p| p.ep.service == *service).collect(),
            aliases: Vec::new(),
        });
    }
    for c in &spec.overrides.compat_handler {
        if handlers.iter().any(|h| h.accessor == c.handler) {
            continue;
        }
        let url = services
            .iter()
            .find(|(s, _)| *s == c.service)
            .map(|(_, u)| u.clone())
            .ok_or(format!(
                "compat handler {}: no service {}",
                c.handler, c.service
            ))?;
        handlers.push(Handler {
            accessor: c.handler.clone(),
            type_name: c.type_name.clone(),
            service: c.service.clone(),
            url_service: url,
            doc: c.doc.clone(),
            ops: Vec::new(),
            aliases: Vec::new(),
        });
    }
    for a in &spec.overrides.alias {
        let h = handlers
            .iter_mut()
            .find(|h| h.accessor == a.handler)
            .ok_or(format!("alias {}: no handler {}", a.name, a.handler))?;
        let p = plans
            .iter()
            .find(|p| p.ep.service == h.service && p.ep.name == a.op)
            .ok_or(format!(
                "alias {}.{}: no operation {}",
                a.handler, a.name, a.op
            ))?;
        h.aliases.push((a, p));
    }

    let mut files = BTreeMap::new();
    let sync = PathBuf::from("crates/iconik-sync");
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
        sync.join("src/models/common.rs"),
        models::module(&spec, &types, "common", &plans),
    )?;
    for (service, _) in &services {
        put(
            sync.join(format!("src/models/{service}.rs")),
            models::module(&spec, &types, service, &plans),
        )?;
    }
    for h in &handlers {
        put(
            sync.join(format!("src/api/{}.rs", h.accessor)),
            handlers::sync_module(&spec, h),
        )?;
        put(
            asynch.join(format!("src/api/{}.rs", h.accessor)),
            handlers::async_module(h),
        )?;
    }
    put(
        sync.join("src/api/operations.rs"),
        table::operations(&plans),
    )?;
    put(
        sync.join("tests/operations.rs"),
        testgen::operations_test(&spec, &plans, &services),
    )?;
    put(
        sync.join("tests/models.rs"),
        testgen::models_test(&spec, &types, &plans),
    )?;
    put(sync.join("METHODS.md"), table::methods_md(&handlers))?;
    put(
        sync.join("src/models/mod.rs"),
        modfiles::models_mod(&services),
    )?;
    put(
        sync.join("src/api/mod.rs"),
        modfiles::sync_api_mod(&handlers),
    )?;
    put(
        asynch.join("src/api/mod.rs"),
        modfiles::async_api_mod(&handlers),
    )?;
    let manifest = std::fs::read_to_string(root.join(sync.join("Cargo.toml")))
        .map_err(|e| format!("reading iconik-sync's Cargo.toml: {e}"))?;
    put(
        sync.join("Cargo.toml"),
        modfiles::features(&manifest, &services)?,
    )?;
    Ok(files)
}
