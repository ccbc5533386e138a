//! The Python peers (aiopythonik, nsa-pythonik) in a venv the runner makes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::workload::{RunResult, Target};

/// The driver script, shipped in `peers/` and written next to the venv.
pub const DRIVER: &str = include_str!("../peers/peer_driver.py");

/// Versions installed when the venv is created (the ones measured).
pub const PINS: [&str; 2] = ["aiopythonik==2026.9b1", "nsa-pythonik==2.3.0"];

/// A Python peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// aiopythonik (asyncio over pythonik in a thread pool).
    AioPythonik,
    /// nsa-pythonik's generated sync client (`pythonik.friendly.Iconik`).
    NsaPythonik,
}

impl Peer {
    /// Table name.
    pub fn name(self) -> &'static str {
        match self {
            Peer::AioPythonik => "aiopythonik",
            Peer::NsaPythonik => "nsa-pythonik (generated)",
        }
    }

    fn token(self) -> &'static str {
        match self {
            Peer::AioPythonik => "aiopythonik",
            Peer::NsaPythonik => "nsa-pythonik",
        }
    }
}

/// A ready venv, or why there is none.
#[derive(Debug, Clone)]
pub struct Python {
    python: PathBuf,
    driver: PathBuf,
    /// Package versions reported by the driver.
    pub versions: Value,
}

fn run_quiet(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        Err(format!(
            "{:?} failed ({}): {}",
            cmd.get_program(),
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ))
    }
}

/// Creates (once) the venv at `dir` with the pinned peers and writes the
/// driver there. Errors say why the peers are unavailable.
pub fn setup(dir: &Path) -> Result<Python, String> {
    let python = dir.join("bin").join("python");
    if !python.exists() {
        eprintln!("peers: creating {} (python3 -m venv)", dir.display());
        run_quiet(Command::new("python3").args(["-m", "venv"]).arg(dir))
            .map_err(|e| format!("python3 -m venv failed: {e}"))?;
    }
    let driver = dir.join("peer_driver.py");
    std::fs::write(&driver, DRIVER).map_err(|e| format!("cannot write the driver: {e}"))?;
    let versions = |python: &Path| -> Option<Value> {
        let out = Command::new(python)
            .arg(&driver)
            .arg("--versions")
            .output()
            .ok()?;
        serde_json::from_slice(&out.stdout).ok()
    };
    let mut v = versions(&python).unwrap_or(Value::Null);
    let installed = |v: &Value, pkg: &str| v.get(pkg).is_some_and(|x| !x.is_null());
    if !installed(&v, "aiopythonik") || !installed(&v, "nsa-pythonik") {
        eprintln!("peers: pip install {}", PINS.join(" "));
        run_quiet(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(PINS),
        )
        .map_err(|e| format!("pip install failed: {e}"))?;
        v = versions(&python).ok_or("the driver cannot run in the venv")?;
    }
    if !installed(&v, "aiopythonik") {
        return Err("aiopythonik is not importable after pip install".into());
    }
    Ok(Python {
        python,
        driver,
        versions: v,
    })
}

impl Python {
    /// A package's version string, or `"?"`.
    pub fn version(&self, pkg: &str) -> String {
        self.versions
            .get(pkg)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    }

    /// Runs the driver once; errors are reasons to print, never panics.
    pub fn run(
        &self,
        peer: Peer,
        mode: &str,
        n: u64,
        workers: usize,
        target: &Target,
    ) -> Result<RunResult, String> {
        let out = Command::new(&self.python)
            .arg(&self.driver)
            .args(["--peer", peer.token(), "--mode", mode])
            .args(["--n", &n.to_string(), "--workers", &workers.to_string()])
            .args(["--base-url", &target.base_url, "--app-id", &target.app_id])
            .args([
                "--auth-token",
                &target.auth_token,
                "--asset",
                &target.asset_id,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the driver: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let parsed = stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str::<Value>(l).ok())
            .and_then(|v| RunResult::from_json(&v));
        match parsed {
            Some(r) => Ok(r),
            None => {
                let err = String::from_utf8_lossy(&out.stderr);
                let tail: Vec<&str> = err.lines().rev().take(2).collect();
                Err(format!(
                    "{} exited {} without a result: {}",
                    peer.name(),
                    out.status,
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                ))
            }
        }
    }
}
