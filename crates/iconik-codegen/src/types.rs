//! From schema names and type strings to Rust types.
//!
//! Decides, once for all outputs: each schema's Rust name, which schemas
//! are shared verbatim by several services (generated once, in
//! `models/common.rs`), which are request bodies (or reachable from one),
//! which are free-form objects, and which references need a `Box`.

use std::collections::{BTreeMap, BTreeSet};

use crate::names;
use crate::spec::{ServiceSchemas, Spec};

/// What a schema name stands for in one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A struct.
    Model,
    /// An open string enum.
    Enum,
    /// A schema with no fields: a free-form JSON object (type alias).
    Object,
    /// An empty `*ResponseDefault` schema: not a type (`serde_json::Value`).
    Skipped,
}

/// The type decisions.
#[derive(Debug, Clone)]
pub struct Types {
    /// Schema name -> Rust name (the same in every service).
    pub rust: BTreeMap<String, String>,
    /// Schema names generated once in `models/common.rs`.
    pub shared: BTreeSet<String>,
    /// `(service, schema)` pairs that are request bodies or reachable from one.
    pub request: BTreeSet<(String, String)>,
    /// `(service, schema, field)` triples whose model reference is boxed.
    pub boxed: BTreeSet<(String, String, String)>,
    /// Field unions resolved by hand: members -> schema.
    pub field_union: BTreeMap<String, String>,
    /// `(service, schema)` -> the Rust name `models::<service>` exports it under.
    exported: BTreeMap<(String, String), String>,
}

/// Splits `A | list[B | C] | None` at the top level.
pub fn split_union(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in t.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '|' if depth == 0 => {
                out.push(t[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(t[start..].trim());
    out
}

/// Names a type string refers to (models and enums), at any depth.
fn referenced(t: &str) -> Vec<String> {
    t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .filter(|w| !matches!(*w, "UUID" | "None" | "Any" | "Unset"))
        .map(str::to_owned)
        .collect()
}

/// The kind of `name` in `svc`, if it is a schema there.
pub fn kind(svc: &ServiceSchemas, name: &str) -> Option<Kind> {
    if let Some(m) = svc.models.get(name) {
        Some(if !m.fields.is_empty() {
            Kind::Model
        } else if name.ends_with("ResponseDefault") {
            Kind::Skipped
        } else {
            Kind::Object
        })
    } else if svc.enums.contains_key(name) {
        Some(Kind::Enum)
    } else {
        None
    }
}

fn definition(svc: &ServiceSchemas, name: &str) -> Option<String> {
    if let Some(m) = svc.models.get(name) {
        Some(format!(
            "model {}",
            serde_json::to_string(&(&m.fields, m.open)).ok()?
        ))
    } else {
        svc.enums
            .get(name)
            .map(|e| format!("enum {}", serde_json::to_string(e).unwrap_or_default()))
    }
}

fn deps(svc: &ServiceSchemas, name: &str) -> Vec<String> {
    svc.models
        .get(name)
        .map(|m| {
            m.fields
                .iter()
                .flat_map(|f| referenced(&f.1))
                .filter(|n| kind(svc, n).is_some())
                .collect()
        })
        .unwrap_or_default()
}

/// Direct (not behind a `list[...]`) model references of a type string.
fn direct_refs(t: &str) -> Vec<String> {
    split_union(t)
        .into_iter()
        .filter(|p| !p.starts_with("list["))
        .flat_map(referenced)
        .collect()
}

impl Types {
    /// Decides every name, share, request flag and box.
    pub fn new(spec: &Spec) -> Types {
        // every name, to know whether dropping `Schema` stays unique
        let mut all: BTreeSet<String> = BTreeSet::new();
        for s in spec.schemas.values() {
            all.extend(s.models.keys().cloned());
            all.extend(s.enums.keys().cloned());
        }
        let mut rust = BTreeMap::new();
        for name in &all {
            let short = name.strip_suffix("Schema").filter(|s| !s.is_empty());
            let chosen = match short {
                Some(s) if !all.contains(s) => s.to_owned(),
                _ => name.clone(),
            };
            rust.insert(name.clone(), names::type_name(&chosen));
        }

        // shared: same definition in every service that has it (2+), and
        // every dependency shared too
        let mut defs: BTreeMap<&String, BTreeSet<String>> = BTreeMap::new();
        let mut count: BTreeMap<&String, usize> = BTreeMap::new();
        for s in spec.schemas.values() {
            for name in s.models.keys().chain(s.enums.keys()) {
                if let Some(d) = definition(s, name) {
                    defs.entry(name).or_default().insert(d);
                    *count.entry(name).or_default() += 1;
                }
            }
        }
        let mut shared: BTreeSet<String> = defs
            .iter()
            .filter(|(n, d)| d.len() == 1 && count[*n] > 1)
            .map(|(n, _)| (*n).clone())
            .collect();
        loop {
            let before = shared.len();
            let keep: BTreeSet<String> = shared
                .iter()
                .filter(|n| {
                    spec.schemas
                        .values()
                        .filter(|s| kind(s, n).is_some())
                        .all(|s| deps(s, n).iter().all(|d| shared.contains(d)))
                })
                .cloned()
                .collect();
            shared = keep;
            if shared.len() == before {
                break;
            }
        }

        // request closure per service
        let mut request = BTreeSet::new();
        for e in &spec.endpoints {
            let Some(svc) = spec.schemas.get(&e.service) else {
                continue;
            };
            let mut stack: Vec<String> = referenced(&e.body);
            if let Some(u) = spec.overrides.body_union.get(&e.body) {
                stack = vec![u.use_.clone()];
            }
            while let Some(n) = stack.pop() {
                if kind(svc, &n).is_some() && request.insert((e.service.clone(), n.clone())) {
                    stack.extend(deps(svc, &n));
                }
            }
        }
        // a shared schema is a request schema when it is one anywhere
        let shared_request: Vec<(String, String)> = request
            .iter()
            .filter(|(_, n)| shared.contains(n))
            .map(|(_, n)| ("common".to_owned(), n.clone()))
            .collect();
        request.extend(shared_request);

        // boxes break cycles of direct references
        let mut boxed = BTreeSet::new();
        for (svc_name, svc) in &spec.schemas {
            let edges = |n: &str| -> Vec<String> {
                svc.models
                    .get(n)
                    .map(|m| {
                        m.fields
                            .iter()
                            .flat_map(|f| direct_refs(&f.1))
                            .filter(|r| kind(svc, r) == Some(Kind::Model))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            for (name, m) in &svc.models {
                for f in &m.fields {
                    for target in direct_refs(&f.1) {
                        if kind(svc, &target) != Some(Kind::Model) {
                            continue;
                        }
                        // does target reach name?
                        let mut seen = BTreeSet::new();
                        let mut stack = vec![target.clone()];
                        let mut cycle = false;
                        while let Some(n) = stack.pop() {
                            if n == *name {
                                cycle = true;
                                break;
                            }
                            if seen.insert(n.clone()) {
                                stack.extend(edges(&n));
                            }
                        }
                        if cycle {
                            let module = if shared.contains(name) {
                                "common".to_owned()
                            } else {
                                svc_name.clone()
                            };
                            boxed.insert((module, name.clone(), f.0.clone()));
                        }
                    }
                }
            }
        }
        let mut exported = BTreeMap::new();
        for (svc_name, svc) in &spec.schemas {
            for name in svc.models.keys().chain(svc.enums.keys()) {
                if matches!(
                    kind(svc, name),
                    Some(Kind::Model) | Some(Kind::Enum) | Some(Kind::Object)
                ) {
                    exported.insert((svc_name.clone(), name.clone()), rust[name].clone());
                }
            }
        }
        Types {
            exported,
            rust,
            shared,
            request,
            boxed,
            field_union: spec
                .overrides
                .field_union
                .iter()
                .map(|(k, v)| (k.clone(), v.use_.clone()))
                .collect(),
        }
    }

    /// The Rust name under which `models::<service>` exports the type of
    /// `schema`; `None` when the schema is not a type.
    pub fn rust_name(&self, service: &str, schema: &str) -> Option<String> {
        self.exported
            .get(&(service.to_owned(), schema.to_owned()))
            .cloned()
    }

    /// The Rust type of a schema name used in `svc`, as seen from inside
    /// a models module (`Value` for what is not a type).
    pub fn named(&self, svc: &ServiceSchemas, name: &str) -> String {
        match kind(svc, name) {
            Some(Kind::Model) | Some(Kind::Enum) | Some(Kind::Object) => self.rust[name].clone(),
            Some(Kind::Skipped) | None => "Value".to_owned(),
        }
    }

    /// The Rust type of a type string, and whether it was optional.
    pub fn map(&self, svc: &ServiceSchemas, t: &str) -> (String, bool) {
        let parts = split_union(t);
        let optional = parts.contains(&"None") || parts.contains(&"Unset");
        let rest: Vec<&str> = parts
            .into_iter()
            .filter(|p| *p != "None" && *p != "Unset")
            .collect();
        let ty = if rest.len() == 1 {
            self.single(svc, rest[0])
        } else if let Some(chosen) = self.field_union.get(&rest.join(" | ")) {
            self.single(svc, chosen)
        } else {
            "Value".to_owned()
        };
        (ty, optional)
    }

    fn single(&self, svc: &ServiceSchemas, t: &str) -> String {
        match t {
            "str" | "UUID" | "datetime.datetime" | "datetime.date" | "datetime.time" => {
                "String".to_owned()
            }
            "int" => "i64".to_owned(),
            "float" => "f64".to_owned(),
            "bool" => "bool".to_owned(),
            "Any" => "Value".to_owned(),
            "dict" => "Map<String, Value>".to_owned(),
            _ => {
                if let Some(inner) = t.strip_prefix("list[").and_then(|s| s.strip_suffix(']')) {
                    let (ty, opt) = self.map(svc, inner);
                    if opt {
                        format!("Vec<Option<{ty}>>")
                    } else {
                        format!("Vec<{ty}>")
                    }
                } else {
                    self.named(svc, t)
                }
            }
        }
    }
}
