//! The throwaway hello-world crates: their `Cargo.toml` and `main.rs`.
//!
//! The deps-only crate lists iconik-sync's third-party dependencies exactly
//! as `cargo metadata` reports them for the checkout being measured (same
//! version requirements, default-features flags, features, renames and
//! targets; the dependencies of any workspace crate iconik-sync depends on
//! by path are followed, so a split into several crates stays counted), and
//! every crate gets a copy of the checkout's `Cargo.lock`, so the versions
//! built are the ones iconik-sync builds with.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// One third-party dependency as it will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The crate's name on the registry.
    pub package: String,
    /// The version requirement (`^3.5.2`).
    pub req: String,
    /// Whether its default features are on.
    pub default_features: bool,
    /// Features turned on.
    pub features: BTreeSet<String>,
    /// `cfg(..)` or target triple, for platform-specific dependencies.
    pub target: Option<String>,
}

/// The package named `name` in `cargo metadata` output.
fn package<'a>(meta: &'a Value, name: &str) -> Option<&'a Value> {
    meta.get("packages")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The features of `pkg` turned on by `requested` (plus `default` when
/// asked), closed over the package's feature table.
fn enabled_features(pkg: &Value, requested: &[String], default: bool) -> BTreeSet<String> {
    let table = pkg.get("features");
    let mut on = BTreeSet::new();
    let mut todo: Vec<String> = requested.to_vec();
    if default && table.and_then(|t| t.get("default")).is_some() {
        todo.push("default".into());
    }
    while let Some(f) = todo.pop() {
        if on.insert(f.clone()) {
            todo.extend(strings(table.and_then(|t| t.get(&f))));
        }
    }
    on
}

/// The third-party (registry or git) dependencies of `name` as built with
/// `features` (and its defaults when `default`), following dependencies on
/// other packages of the same workspace. Development and build
/// dependencies are not counted (a user's build does not build them; the
/// second list names the build dependencies skipped, for the report).
pub fn third_party_deps(
    meta: &Value,
    name: &str,
    features: &[String],
    default: bool,
) -> Result<(Vec<Dep>, Vec<String>), String> {
    let mut out: BTreeMap<(String, String, Option<String>), Dep> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut seen = BTreeSet::new();
    let mut todo = vec![(name.to_owned(), features.to_vec(), default)];
    while let Some((name, features, default)) = todo.pop() {
        let pkg = package(meta, &name)
            .ok_or_else(|| format!("cargo metadata lists no package {name:?}"))?;
        let on = enabled_features(pkg, &features, default);
        if !seen.insert((name.clone(), on.clone())) {
            continue;
        }
        let deps = pkg.get("dependencies").and_then(Value::as_array);
        for d in deps.into_iter().flatten() {
            let dep_name = d.get("name").and_then(Value::as_str).unwrap_or_default();
            let key = d
                .get("rename")
                .and_then(Value::as_str)
                .unwrap_or(dep_name)
                .to_owned();
            match d.get("kind").and_then(Value::as_str) {
                None => {}
                Some("build") => {
                    skipped.push(format!("{name} → {dep_name} (build)"));
                    continue;
                }
                Some(_) => continue,
            }
            let optional = d.get("optional").and_then(Value::as_bool) == Some(true);
            if optional && !on.contains(&key) && !on.contains(&format!("dep:{key}")) {
                continue;
            }
            // `key/feature` entries of the enabled features (`key?/feature` too)
            let mut dep_features: BTreeSet<String> =
                strings(d.get("features")).into_iter().collect();
            for f in &on {
                for prefix in [format!("{key}/"), format!("{key}?/")] {
                    if let Some(rest) = f.strip_prefix(&prefix) {
                        dep_features.insert(rest.to_owned());
                    }
                }
            }
            let uses_default =
                d.get("uses_default_features").and_then(Value::as_bool) != Some(false);
            let is_path = d.get("source").is_none_or(Value::is_null);
            if is_path {
                if package(meta, dep_name).is_some() {
                    todo.push((
                        dep_name.to_owned(),
                        dep_features.into_iter().collect(),
                        uses_default,
                    ));
                } else {
                    skipped.push(format!(
                        "{name} → {dep_name} (a path outside the workspace)"
                    ));
                }
                continue;
            }
            let req = d
                .get("req")
                .and_then(Value::as_str)
                .unwrap_or("*")
                .to_owned();
            let target = d.get("target").and_then(Value::as_str).map(str::to_owned);
            let entry = out
                .entry((dep_name.to_owned(), req.clone(), target.clone()))
                .or_insert_with(|| Dep {
                    package: dep_name.to_owned(),
                    req,
                    default_features: false,
                    features: BTreeSet::new(),
                    target,
                });
            entry.default_features |= uses_default;
            entry.features.extend(dep_features);
        }
    }
    Ok((out.into_values().collect(), skipped))
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn dep_line(alias: &str, d: &Dep) -> String {
    let mut fields = Vec::new();
    if alias != d.package {
        fields.push(format!("package = {}", toml_str(&d.package)));
    }
    fields.push(format!("version = {}", toml_str(&d.req)));
    if !d.default_features {
        fields.push("default-features = false".into());
    }
    if !d.features.is_empty() {
        let list: Vec<String> = d.features.iter().map(|f| toml_str(f)).collect();
        fields.push(format!("features = [{}]", list.join(", ")));
    }
    format!("{alias} = {{ {} }}\n", fields.join(", "))
}

/// `[package]` of a hello-world, plus an empty `[workspace]` so it never
/// joins a workspace above the temporary directory.
fn package_header(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n"
    )
}

/// The deps-only hello-world's `Cargo.toml`. A crate listed twice (two
/// requirements) gets an alias for the second.
pub fn deps_manifest(deps: &[Dep]) -> String {
    let mut by_target: BTreeMap<Option<String>, Vec<&Dep>> = BTreeMap::new();
    for d in deps {
        by_target.entry(d.target.clone()).or_default().push(d);
    }
    let mut text = package_header("hello-deps");
    let mut used = BTreeSet::new();
    for (target, deps) in by_target {
        match &target {
            None => text.push_str("[dependencies]\n"),
            Some(t) => text.push_str(&format!("[target.{}.dependencies]\n", toml_str(t))),
        }
        for d in deps {
            let mut alias = d.package.clone();
            let mut n = 2;
            while !used.insert((target.clone(), alias.clone())) {
                alias = format!("{}-{n}", d.package);
                n += 1;
            }
            text.push_str(&dep_line(&alias, d));
        }
        text.push('\n');
    }
    text
}

/// A hello-world's `Cargo.toml` on iconik-sync at `path`: default features,
/// or `default-features = false` and `features`.
pub fn sync_manifest(path: &str, features: Option<&[String]>) -> String {
    let mut text = package_header("hello-sync");
    let spec = match features {
        None => format!("iconik-sync = {{ path = {} }}\n", toml_str(path)),
        Some(list) => {
            let list: Vec<String> = list.iter().map(|f| toml_str(f)).collect();
            format!(
                "iconik-sync = {{ path = {}, default-features = false, features = [{}] }}\n",
                toml_str(path),
                list.join(", ")
            )
        }
    };
    text.push_str("[dependencies]\n");
    text.push_str(&spec);
    text
}

/// `main.rs` of the deps-only crate.
pub const DEPS_MAIN: &str = "fn main() {\n    println!(\"hello\");\n}\n";

/// `main.rs` of the crates on iconik-sync: it names the client, so the
/// crate is linked, and calls nothing generic (a program calling
/// operations also builds their code in its own crate).
pub const SYNC_MAIN: &str =
    "fn main() {\n    let _builder = iconik_sync::Client::builder();\n    println!(\"hello\");\n}\n";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta() -> Value {
        json!({"packages": [
            {"name": "iconik-sync", "features": {"default": ["assets"], "assets": ["dep:extra", "ureq/json"], "jobs": []},
             "dependencies": [
                {"name": "ureq", "source": "registry+x", "req": "^3.5.2", "kind": null, "rename": null, "optional": false,
                 "uses_default_features": false, "features": ["rustls", "gzip"], "target": null},
                {"name": "extra", "source": "registry+x", "req": "^1", "kind": null, "rename": null, "optional": true,
                 "uses_default_features": true, "features": [], "target": null},
                {"name": "iconik-models", "source": null, "req": "*", "kind": null, "rename": null, "optional": false,
                 "uses_default_features": true, "features": [], "target": null, "path": "/x"},
                {"name": "mockito", "source": "registry+x", "req": "^1", "kind": "dev", "rename": null, "optional": false,
                 "uses_default_features": true, "features": [], "target": null},
                {"name": "winapi", "source": "registry+x", "req": "^0.3", "kind": null, "rename": null, "optional": false,
                 "uses_default_features": true, "features": [], "target": "cfg(windows)"}
             ]},
            {"name": "iconik-models", "features": {},
             "dependencies": [
                {"name": "serde", "source": "registry+x", "req": "^1", "kind": null, "rename": null, "optional": false,
                 "uses_default_features": true, "features": ["derive"], "target": null}
             ]}
        ]})
    }

    #[test]
    fn third_party_deps_follow_features_and_workspace_paths() {
        let (deps, skipped) = third_party_deps(&meta(), "iconik-sync", &[], true).unwrap();
        let names: Vec<&str> = deps.iter().map(|d| d.package.as_str()).collect();
        assert_eq!(names, ["extra", "serde", "ureq", "winapi"]);
        let ureq = &deps[2];
        assert!(!ureq.default_features);
        let f: Vec<&str> = ureq.features.iter().map(String::as_str).collect();
        assert_eq!(f, ["gzip", "json", "rustls"]);
        assert!(skipped.is_empty());
        // without the default feature, the optional dependency stays out
        let (deps, _) = third_party_deps(&meta(), "iconik-sync", &["jobs".into()], false).unwrap();
        assert!(deps.iter().all(|d| d.package != "extra"));
    }

    #[test]
    fn the_deps_manifest_says_what_iconik_sync_says() {
        let (deps, _) = third_party_deps(&meta(), "iconik-sync", &[], true).unwrap();
        let text = deps_manifest(&deps);
        assert!(text.contains("[workspace]\n"), "{text}");
        assert!(text.contains(
            "ureq = { version = \"^3.5.2\", default-features = false, features = [\"gzip\", \"json\", \"rustls\"] }\n"
        ), "{text}");
        assert!(
            text.contains("serde = { version = \"^1\", features = [\"derive\"] }\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "[target.\"cfg(windows)\".dependencies]\nwinapi = { version = \"^0.3\" }\n"
            ),
            "{text}"
        );
        assert!(!text.contains("mockito"), "{text}");
    }

    #[test]
    fn sync_manifests() {
        let a = sync_manifest("/src/crates/iconik-sync", None);
        assert!(
            a.ends_with("iconik-sync = { path = \"/src/crates/iconik-sync\" }\n"),
            "{a}"
        );
        let c = sync_manifest("/s", Some(&["assets".into()]));
        assert!(
            c.ends_with("iconik-sync = { path = \"/s\", default-features = false, features = [\"assets\"] }\n"),
            "{c}"
        );
    }
}
