//! Shared helpers: the real `iconik` binary with a clean environment.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use assert_cmd::Command;
use iconik_emulator::Emulator;

/// `iconik` with no `ICONIK_*` variable from the outside and a config file
/// path that does not exist, bounded to 60 s.
pub fn iconik() -> Command {
    let mut cmd = cargo_bin_cmd!("iconik");
    for var in [
        "ICONIK_BASE_URL",
        "ICONIK_APP_ID",
        "ICONIK_AUTH_TOKEN",
        "ICONIK_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    // a path that is never created: no config file
    cmd.env(
        "ICONIK_CONFIG",
        std::env::temp_dir().join("iconik-cli-test-absent/config.toml"),
    );
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// `iconik` pointed at `emu` through the environment variables.
pub fn against(emu: &Emulator) -> Command {
    let mut cmd = iconik();
    cmd.env("ICONIK_BASE_URL", emu.base_url())
        .env("ICONIK_APP_ID", emu.app_id())
        .env("ICONIK_AUTH_TOKEN", emu.auth_token());
    cmd
}

/// A fresh, empty directory under Cargo's scratch folder for this test
/// binary (`target/tmp`); the next run empties it first, so runs do not pile up.
pub fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(N.fetch_add(1, Ordering::Relaxed).to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// stdout as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
