//! Benchmark runner for iconik-rs: `iconik-sync` and `iconik-async` against
//! a plain ureq loop and the Python clients (aiopythonik, nsa-pythonik), on
//! the iconik emulator and, for an honest floor, on a static nginx. See
//! `BENCHMARKS.md` at the repository root.
//!
//! The binary (`cargo run --release -p iconik-bench -- all`) prints a
//! Markdown report. Each measured run is a process of its own (the hidden
//! `__client` subcommand), against a fresh emulator process (the hidden
//! `__emulator` subcommand), so CPU and memory figures are the client's.
#![forbid(unsafe_code)]

pub mod build_budget;
pub mod emulator;
pub mod nginx;
pub mod peers;
pub mod plot;
pub mod procfs;
pub mod runner;
pub mod sends;
pub mod stats;
pub mod sync;
pub mod transfer;
pub mod workload;
