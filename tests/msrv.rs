//! The MSRV claim, as far as one toolchain can check it: every workspace
//! package declares the workspace's `rust-version`, and no dependency
//! built for this platform declares a newer one. (Clippy's
//! `incompatible_msrv` lint, on in CI, flags standard-library APIs newer
//! than `rust-version` in our own code. Building with that old toolchain
//! itself is not checked here: CI has only the current stable.)

use std::process::Command;

use serde_json::Value;

/// `"1.85"` or `"1.85.0"` as `(1, 85, 0)`.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

fn host_triple() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

#[test]
fn no_dependency_needs_a_newer_rust_than_the_declared_msrv() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", &host_triple()])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();

    let msrv = version(env!("CARGO_PKG_RUST_VERSION"));
    assert_eq!(msrv, (1, 85, 0), "the README and CHANGELOG say 1.85");

    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let in_build: Vec<&str> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    let mut checked = 0;
    let mut too_new = Vec::new();
    for package in meta["packages"].as_array().unwrap() {
        let id = package["id"].as_str().unwrap();
        let name = package["name"].as_str().unwrap();
        let declared = package["rust_version"].as_str();
        if members.contains(&id) {
            assert_eq!(
                declared.map(version),
                Some(msrv),
                "{name} must use the workspace's rust-version"
            );
        } else if in_build.contains(&id) {
            checked += 1;
            if let Some(v) = declared {
                if version(v) > msrv {
                    too_new.push(format!("{name} {} needs Rust {v}", package["version"]));
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} dependencies seen");
    assert!(too_new.is_empty(), "newer than the MSRV: {too_new:?}");
}
