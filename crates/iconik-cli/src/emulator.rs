//! `--emulator`: an in-process iconik for demos and docs, built in only
//! with the cargo feature `emulator` (it brings hyper and tokio, about
//! half of the binary); without it the flag says how to get it.

use crate::config::Settings;
use crate::exit::Failure;

/// The emulator while a command runs (nothing when not asked for).
pub struct Running {
    #[cfg(feature = "emulator")]
    _emulator: Option<iconik_emulator::Emulator>,
}

impl Running {
    /// No emulator.
    pub fn none() -> Running {
        Running {
            #[cfg(feature = "emulator")]
            _emulator: None,
        }
    }
}

/// How to get an `iconik` with the emulator.
#[cfg(not(feature = "emulator"))]
const HOW_TO_GET_IT: &str = "this iconik was built without the emulator; \
     install one with it: cargo install --path crates/iconik-cli --features emulator \
     (or run the iconik-emulator binary and point --base-url at it)";

/// Starts the emulator with sample data and points `settings` at it.
///
/// # Errors
/// A configuration failure when it cannot start.
#[cfg(feature = "emulator")]
pub fn start(settings: &mut Settings) -> Result<Running, Failure> {
    use iconik_emulator::{Emulator, EmulatorConfig};
    let emu = Emulator::start(EmulatorConfig::new().seed_data(true))
        .map_err(|e| Failure::config(format!("cannot start the emulator: {e}")))?;
    settings.use_emulator(emu.base_url(), emu.app_id(), emu.auth_token());
    crate::stderr::verbose(1, &format!("> emulator listening on {}", emu.base_url()));
    Ok(Running {
        _emulator: Some(emu),
    })
}

/// Without the `emulator` feature: says how to get it.
///
/// # Errors
/// Always a configuration failure naming the feature.
#[cfg(not(feature = "emulator"))]
pub fn start(_settings: &mut Settings) -> Result<Running, Failure> {
    Err(Failure::config(HOW_TO_GET_IT))
}
