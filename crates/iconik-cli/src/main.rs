//! `iconik`: every iconik API operation from the shell.
//!
//! `iconik <service> <operation> [PATH_PARAMS...]` for each operation of
//! `iconik_sync::api::OPERATIONS`, `iconik api METHOD PATH` for raw calls,
//! and the built-in commands listed in [`cli::BUILTINS`] (`upload`,
//! `download`, `sync`, `config`, `completions`). Every request goes through
//! `iconik_sync::Client::request`, the library's one request path, so
//! pacing, retries, path validation and credential handling are the
//! library's. See `iconik --help` and the README for usage and exit codes.
#![forbid(unsafe_code)]

use std::process::ExitCode;

mod cli;
mod complete;
mod config;
mod deadline;
mod emulator;
mod exit;
mod help;
mod output;
mod progress;
mod request;
mod run;
mod schema;
mod session;
mod stderr;
mod suggest;
mod sync;
mod table;
mod term;
mod transfer;

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    // a shell asking for completions (COMPLETE=bash iconik -- ...)
    if complete::complete_if_asked(&args) {
        return ExitCode::SUCCESS;
    }
    let env = |name: &str| std::env::var(name).ok();
    ExitCode::from(run::main(args, &env) as u8)
}
