//! Checking JSON against the spec's schemas (request bodies, and in tests
//! every answer) and building schema-valid examples.

use crate::spec::{is_uuid, Model, Schemas, Ty};
use serde_json::{json, Map, Value};

/// Deepest nesting checked or generated (bounds recursion on hostile input
/// and on self-referencing schemas).
const MAX_DEPTH: usize = 24;

/// Field errors keyed by dotted path (`title`, `versions.0.id`), with
/// marshmallow's messages, as iconik answers them.
pub(crate) type FieldErrors = Map<String, Value>;

/// Checks `v` against model `model`. `partial` skips required-field checks
/// (PATCH bodies).
pub(crate) fn check_model(sc: &Schemas, model: &str, v: &Value, partial: bool) -> FieldErrors {
    let mut errs = Map::new();
    let c = Checker { sc, partial };
    if let Some(m) = sc.models.get(model) {
        match v {
            Value::Object(obj) => c.fields(m, obj, "", 0, &mut errs),
            _ => {
                errs.insert("_schema".into(), json!("Invalid input type."));
            }
        }
    }
    errs
}

/// Checks `v` against any of the named models; the errors of the first when
/// none accepts it.
pub(crate) fn check_any(sc: &Schemas, models: &[String], v: &Value, partial: bool) -> FieldErrors {
    let mut first: Option<FieldErrors> = None;
    for m in models {
        let e = check_model(sc, m, v, partial);
        if e.is_empty() {
            return e;
        }
        first.get_or_insert(e);
    }
    first.unwrap_or_default()
}

struct Checker<'a> {
    sc: &'a Schemas,
    partial: bool,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Checker<'_> {
    fn fields(
        &self,
        m: &Model,
        obj: &Map<String, Value>,
        prefix: &str,
        depth: usize,
        errs: &mut FieldErrors,
    ) {
        for f in &m.fields {
            let path = join(prefix, &f.name);
            match obj.get(&f.name) {
                None => {
                    if f.required && !self.partial {
                        errs.insert(path, json!("Missing data for required field."));
                    }
                }
                Some(v) => self.value(&f.ty, v, &path, depth + 1, errs),
            }
        }
    }

    fn value(&self, ty: &Ty, v: &Value, path: &str, depth: usize, errs: &mut FieldErrors) {
        if depth > MAX_DEPTH {
            return;
        }
        if v.is_null() {
            if !ty.nullable() {
                errs.insert(path.to_string(), json!("Field may not be null."));
            }
            return;
        }
        let bad = |errs: &mut FieldErrors, msg: &str| {
            errs.insert(path.to_string(), json!(msg));
        };
        match ty {
            Ty::Any | Ty::Null => {}
            Ty::Str => {
                if !v.is_string() {
                    bad(errs, "Not a valid string.");
                }
            }
            Ty::Int => {
                let ok = v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0);
                if !ok {
                    bad(errs, "Not a valid integer.");
                }
            }
            Ty::Float => {
                if !v.is_number() {
                    bad(errs, "Not a valid number.");
                }
            }
            Ty::Bool => {
                if !v.is_boolean() {
                    bad(errs, "Not a valid boolean.");
                }
            }
            Ty::Uuid => {
                if !v.as_str().is_some_and(is_uuid) {
                    bad(errs, "Not a valid UUID.");
                }
            }
            Ty::DateTime => {
                if !v.as_str().is_some_and(looks_like_date) {
                    bad(errs, "Not a valid datetime.");
                }
            }
            Ty::Date => {
                if !v.as_str().is_some_and(looks_like_date) {
                    bad(errs, "Not a valid date.");
                }
            }
            Ty::Literal(vals) => {
                if !v.as_str().is_some_and(|s| vals.iter().any(|x| x == s)) {
                    bad(errs, &format!("Must be one of: {}.", vals.join(", ")));
                }
            }
            Ty::List(inner) => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(inner, item, &join(path, &i.to_string()), depth + 1, errs);
                    }
                }
                _ => bad(errs, "Not a valid list."),
            },
            Ty::Union(alts) => {
                let mut first: Option<FieldErrors> = None;
                for alt in alts.iter().filter(|a| **a != Ty::Null) {
                    let mut e = Map::new();
                    self.value(alt, v, path, depth, &mut e);
                    if e.is_empty() {
                        return;
                    }
                    first.get_or_insert(e);
                }
                if let Some(e) = first {
                    errs.extend(e);
                }
            }
            Ty::Ref(name) => {
                if let Some(vals) = self.sc.enums.get(name) {
                    let ok = match v {
                        Value::String(s) => vals.iter().any(|x| x == s),
                        other => {
                            let text = other.to_string();
                            vals.contains(&text)
                        }
                    };
                    if !ok {
                        bad(errs, &format!("Must be one of: {}.", vals.join(", ")));
                    }
                } else if let Some(m) = self.sc.models.get(name) {
                    match v {
                        Value::Object(obj) => self.fields(m, obj, path, depth, errs),
                        _ => bad(errs, "Invalid input type."),
                    }
                }
            }
        }
    }
}

/// `YYYY-MM-DD` at the start (dates and datetimes, any time part).
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// The UUID examples use.
pub(crate) const EXAMPLE_UUID: &str = "e8a70000-0000-4000-8000-000000000000";
/// The timestamp examples use.
pub(crate) const EXAMPLE_DATETIME: &str = "2026-01-01T00:00:00.000000+00:00";

/// A schema-valid example of model `model`: its required fields, plus `id`
/// and the creation dates where the model declares them.
pub(crate) fn example_model(sc: &Schemas, model: &str) -> Map<String, Value> {
    example_fields(sc, model, 0, true)
}

/// A schema-valid request body for model `model`: its required fields only.
#[cfg(test)]
pub(crate) fn example_body(sc: &Schemas, model: &str) -> Map<String, Value> {
    example_fields(sc, model, 0, false)
}

fn example_fields(sc: &Schemas, model: &str, depth: usize, ids: bool) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(m) = sc.models.get(model) else {
        return out;
    };
    if depth > MAX_DEPTH {
        return out;
    }
    for f in &m.fields {
        let extra = ids && matches!(f.name.as_str(), "id" | "date_created" | "date_modified");
        if f.required || extra {
            out.insert(f.name.clone(), example(sc, &f.ty, &f.name, depth + 1));
        }
    }
    out
}

/// A value of type `ty` (for a field called `name`).
pub(crate) fn example(sc: &Schemas, ty: &Ty, name: &str, depth: usize) -> Value {
    match ty {
        Ty::Any | Ty::Null => Value::Null,
        Ty::Str => {
            if name == "object_type" {
                json!("assets")
            } else if name.contains("email") {
                json!("user@example.com")
            } else if name.contains("url") {
                json!("https://example.com/")
            } else {
                json!("example")
            }
        }
        Ty::Int => json!(0),
        Ty::Float => json!(0.0),
        Ty::Bool => json!(false),
        Ty::Uuid => json!(EXAMPLE_UUID),
        Ty::DateTime => json!(EXAMPLE_DATETIME),
        Ty::Date => json!("2026-01-01"),
        Ty::List(_) => json!([]),
        Ty::Literal(vals) => vals.first().map_or(Value::Null, |v| json!(v)),
        Ty::Union(alts) => alts
            .iter()
            .find(|a| **a != Ty::Null)
            .map_or(Value::Null, |a| example(sc, a, name, depth)),
        Ty::Ref(r) => {
            if let Some(vals) = sc.enums.get(r) {
                vals.first().map_or(Value::Null, |v| json!(v))
            } else if sc.models.contains_key(r) {
                Value::Object(example_fields(sc, r, depth + 1, false))
            } else {
                Value::Null
            }
        }
    }
}

/// Whether `v` is a valid value of type `ty`.
pub(crate) fn fits(sc: &Schemas, ty: &Ty, v: &Value) -> bool {
    let mut e = Map::new();
    Checker { sc, partial: false }.value(ty, v, "", 1, &mut e);
    e.is_empty()
}

/// Copies fields of `src` into `dst` where model `model` declares them and
/// the value fits the declared type (echoing a request into an answer).
pub(crate) fn echo_into(
    sc: &Schemas,
    model: &str,
    src: &Map<String, Value>,
    dst: &mut Map<String, Value>,
) {
    let Some(m) = sc.models.get(model) else {
        return;
    };
    let c = Checker { sc, partial: true };
    for (k, v) in src {
        if let Some(f) = m.field(k) {
            let mut e = Map::new();
            c.value(&f.ty, v, k, 1, &mut e);
            if e.is_empty() {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::spec;

    #[test]
    fn bodies_are_checked_like_iconik() {
        let sc = spec().schemas("assets");
        let e = check_model(sc, "AssetSchema", &json!({"title": 5}), false);
        assert_eq!(e["title"], "Not a valid string.");
        let e = check_model(sc, "AssetSchema", &json!({}), false);
        assert_eq!(e["title"], "Missing data for required field.");
        assert!(check_model(sc, "AssetSchema", &json!({}), true).is_empty());
        let e = check_model(
            sc,
            "AssetSchema",
            &json!({"title": "t", "status": "NOPE"}),
            false,
        );
        assert!(
            e["status"].as_str().unwrap().starts_with("Must be one of"),
            "{e:?}"
        );
        let e = check_model(sc, "AssetSchema", &json!({"title": "t", "id": "x"}), false);
        assert_eq!(e["id"], "Not a valid UUID.");
        assert!(
            check_model(sc, "AssetSchema", &json!({"title": "t", "id": null}), false).is_empty()
        );
        assert!(!check_model(sc, "AssetSchema", &json!([1]), false).is_empty());
    }

    #[test]
    fn examples_validate_for_every_model() {
        let s = spec();
        for op in &s.ops {
            let sc = s.schemas(&op.service);
            for m in op.response.iter().chain(&op.body) {
                let ex = Value::Object(example_model(sc, m));
                let e = check_model(sc, m, &ex, false);
                assert!(e.is_empty(), "{}: {m}: {e:?}", op.op);
            }
        }
    }
}
