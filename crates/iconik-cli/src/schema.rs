//! Body models for `--help`: the fields of each request body schema, read
//! from `api-data/schemas.json` (embedded, parsed only when help is shown).

use serde_json::Value;

/// The schema data, as `api-data/schemas.json` holds it.
const SCHEMAS_JSON: &str = include_str!("../../../api-data/schemas.json");

/// The most enum values named in a field's type.
const MAX_ENUM_VALUES: usize = 6;

/// Parsed body schemas.
pub struct Schemas(Value);

/// One field of a body model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The JSON key.
    pub name: String,
    /// Its type in words (`string`, `integer`, `one of A, B`, ...).
    pub ty: String,
    /// The spec's type expression (`int | None`).
    pub raw: String,
    /// True when the model requires it.
    pub required: bool,
}

impl Schemas {
    /// Parses the embedded data (a few milliseconds; only for help).
    pub fn load() -> Option<Schemas> {
        serde_json::from_str(SCHEMAS_JSON).ok().map(Schemas)
    }

    /// The fields of model `name` of `service`, in the spec's order;
    /// `None` when it is not a model (e.g. `Unset`).
    pub fn fields(&self, service: &str, name: &str) -> Option<Vec<Field>> {
        let fields = self.0[service]["models"][name]["fields"].as_array()?;
        Some(
            fields
                .iter()
                .filter_map(|f| {
                    let raw = f.get(1)?.as_str().unwrap_or("");
                    Some(Field {
                        name: f.get(0)?.as_str()?.to_owned(),
                        ty: self.words(service, raw),
                        raw: raw.to_owned(),
                        required: f.get(2).and_then(Value::as_bool).unwrap_or(false),
                    })
                })
                .collect(),
        )
    }

    /// A spec type (`None | UUID`, `list[str]`, `AssetCreateSchemaStatus`)
    /// in words: `uuid`, `list of string`, `one of ACTIVE, DELETED, ...`.
    fn words(&self, service: &str, raw: &str) -> String {
        let parts: Vec<&str> = raw
            .split('|')
            .map(str::trim)
            .filter(|p| *p != "None" && *p != "Unset" && !p.is_empty())
            .collect();
        let one = |t: &str| -> String {
            if let Some(inner) = t.strip_prefix("list[").and_then(|t| t.strip_suffix(']')) {
                return format!("list of {}", self.words(service, inner));
            }
            match t {
                "str" => "string".into(),
                "int" => "integer".into(),
                "float" => "number".into(),
                "bool" => "boolean".into(),
                "UUID" => "uuid".into(),
                "datetime.datetime" => "date-time".into(),
                "datetime.date" => "date".into(),
                "Any" => "any JSON".into(),
                _ => match self.0[service]["enums"][t].as_array() {
                    Some(values) => {
                        let mut names: Vec<&str> = values
                            .iter()
                            .filter_map(Value::as_str)
                            .take(MAX_ENUM_VALUES)
                            .collect();
                        if values.len() > MAX_ENUM_VALUES {
                            names.push("...");
                        }
                        format!("one of {}", names.join(", "))
                    }
                    None if t.starts_with("dict") => "object".into(),
                    None => format!("object ({t})"),
                },
            }
        };
        match parts.as_slice() {
            [] => "any JSON".into(),
            parts => parts
                .iter()
                .map(|p| one(p))
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_with_their_types_in_words() {
        let s = Schemas::load().expect("schemas.json parses");
        let fields = s.fields("assets", "AssetCreateSchema").unwrap();
        let title = fields.iter().find(|f| f.name == "title").unwrap();
        assert_eq!((title.ty.as_str(), title.required), ("string", true));
        let by_name = |n: &str| fields.iter().find(|f| f.name == n).unwrap().ty.clone();
        assert_eq!(by_name("collection_id"), "uuid");
        assert_eq!(by_name("clip_id"), "integer");
        assert_eq!(by_name("date_created"), "date-time");
        assert!(
            by_name("status").starts_with("one of "),
            "{}",
            by_name("status")
        );
        assert!(s.fields("assets", "Unset").is_none());
        assert!(s.fields("nope", "AssetCreateSchema").is_none());
        assert_eq!(s.words("assets", "list[str] | None"), "list of string");
    }
}
