//! Body models for `--help`: the fields of each request body schema, read
//! from `api-data/schemas.json` (embedded, parsed only when help is shown).

use serde_json::Value;

/// The schema data, as `api-data/schemas.json` holds it.
const SCHEMAS_JSON: &str = include_str!("../../../api-data/schemas.json");

/// Parsed body schemas.
pub struct Schemas(Value);

impl Schemas {
    /// Parses the embedded data (a few milliseconds; only for help).
    pub fn load() -> Option<Schemas> {
        serde_json::from_str(SCHEMAS_JSON).ok().map(Schemas)
    }

    /// The help block listing the fields of each model named in `body`
    /// (`A | B` names two), `*` marking required ones. Empty when none of
    /// the names is a model of `service` (e.g. `Unset`).
    pub fn body_fields(&self, service: &str, body: &str) -> String {
        let mut out = String::new();
        for name in body.split('|').map(str::trim) {
            let Some(fields) = self.0[service]["models"][name]["fields"].as_array() else {
                continue;
            };
            let rows: Vec<(String, &str)> = fields
                .iter()
                .filter_map(|f| {
                    let key = f.get(0)?.as_str()?;
                    let ty = f.get(1)?.as_str().unwrap_or("");
                    let required = f.get(2).and_then(Value::as_bool).unwrap_or(false);
                    Some((format!("{key}{}", if required { "*" } else { "" }), ty))
                })
                .collect();
            let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            out.push_str(&format!("\nBody fields of {name} (* required):\n"));
            for (key, ty) in rows {
                out.push_str(&format!("  {key:<width$}  {ty}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_fields_of_every_named_model_and_skips_unknown_names() {
        let s = Schemas::load().expect("schemas.json parses");
        let text = s.body_fields("assets", "AssetCreateSchema | Unset");
        assert!(
            text.contains("Body fields of AssetCreateSchema (* required):"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["title*", "str"]),
            "{text}"
        );
        assert!(text.contains("collection_id"), "{text}");
        assert!(!text.contains("Unset"), "{text}");
        assert_eq!(s.body_fields("assets", "Unset"), "");
        assert_eq!(s.body_fields("nope", "AssetCreateSchema"), "");
    }
}
