//! `iconik`: every iconik API operation from the shell.
//!
//! `iconik <service> <operation> [PATH_PARAMS...]` for each operation of
//! `iconik_sync::api::OPERATIONS`, `iconik api METHOD PATH` for raw calls,
//! `iconik upload`/`iconik download` for files, `iconik config` and
//! `iconik completions SHELL`. Every request goes
//! through `iconik_sync::Client::request`, the library's one request path,
//! so pacing, retries, path validation and credential handling are the
//! library's. See `iconik --help` and the README for usage and exit codes.
#![forbid(unsafe_code)]

use std::process::ExitCode;

mod cli;
mod config;
mod exit;
mod output;
mod request;
mod run;
mod schema;
mod transfer;

fn main() -> ExitCode {
    let args = std::env::args_os().collect();
    let env = |name: &str| std::env::var(name).ok();
    ExitCode::from(run::main(args, &env) as u8)
}
