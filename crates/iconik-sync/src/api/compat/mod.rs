//! Hand-written conveniences behind some compatibility aliases (bulk
//! delete with purge, upload sessions, checksum lookups, metadata reads
//! that turn iconik's "no values" 404 into an empty result).
//!
//! The aliases themselves are generated from the table in
//! `crates/iconik-codegen/overrides.toml`; these functions are what a few
//! of them add to their one operation. Both surfaces share them: the async
//! twin runs the same sync method on a worker.

#[cfg(feature = "assets")]
mod assets;
#[cfg(feature = "files")]
mod files;
#[cfg(feature = "metadata")]
mod metadata;

#[cfg(feature = "assets")]
pub(crate) use assets::*;
#[cfg(feature = "files")]
pub(crate) use files::*;
#[cfg(feature = "metadata")]
pub(crate) use metadata::*;
