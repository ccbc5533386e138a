//! Naming rules, in one place.
//!
//! - Fields and parameters: the JSON/query name, with characters that
//!   cannot appear in an identifier replaced by `_` and leading/trailing
//!   underscores dropped; a Rust keyword gets a trailing underscore
//!   (`type` -> `type_`, `match` -> `match_`). Serde renames to the wire name.
//! - Types: one per shape (see `types`), named from the schemas of that
//!   shape by one rule:
//!   1. each schema offers its name without the word `Schema`
//!      (`AssetSchema` -> `Asset`, `ApprovalSchemaStatus` -> `ApprovalStatus`),
//!      then its full name;
//!   2. schemas an operation sends or receives (a body, a response, the items
//!      of a response's `objects`) offer first, then shorter names, then by
//!      alphabet;
//!   3. classes choose in turn: first those whose best offer is a schema's
//!      own full name, then those whose best offer is operation-facing, then
//!      by alphabet; each takes its first offer not yet taken in a module
//!      that will see it (its service's, or `common` and every service
//!      re-exporting it);
//!   4. an operation-facing schema whose shape took another name keeps its
//!      own as a `pub type` alias in its service's module, where free;
//!   5. a union is `<Owner><Field>` (a list field loses one trailing `s`:
//!      `Automation.actions` -> `AutomationAction`), `<Union>Item` inside
//!      another union, its members joined by `Or` when they are plain values
//!      (`BoolOrIntOrFloatOrString`); `Union` is appended when taken.
//!
//!   A name Rust's prelude or the crate uses gets `Model` appended
//!   (`Result` -> `ResultModel`).
//! - Enum variants: the value in PascalCase (`IN_PROGRESS` -> `InProgress`).
//!   Union variants: the discriminator's value in PascalCase
//!   (`ADD_TO_COLLECTION` -> `AddToCollection`), else the member's type
//!   (`Bool`, `Int`, `Float`, `String`, `List`, `Object`, a model's name).

/// Rust keywords (strict and reserved) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Names a generated type must not take (they would shadow the prelude or
/// what the generated code names).
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "Vec",
    "String",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Value",
    "Map",
    "Response",
    "Page",
    "Paginator",
    "Client",
    "Error",
    "Default",
    "Self",
];

/// A snake_case identifier for a wire name (see the module docs).
pub fn ident(wire: &str) -> String {
    let mut s: String = wire
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_').to_owned();
    let s = if s.is_empty() {
        "value".to_owned()
    } else if s.as_bytes()[0].is_ascii_digit() {
        format!("n{s}")
    } else {
        s
    };
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// PascalCase of a snake_case or SHOUTING value.
pub fn pascal(raw: &str) -> String {
    let mut out = String::new();
    for part in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            // keep camelCase humps of mixed-case values, lower SHOUTING ones
            if rest.chars().any(|c| c.is_ascii_lowercase()) {
                out.push_str(&rest);
            } else {
                out.push_str(&rest.to_ascii_lowercase());
            }
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.as_bytes()[0].is_ascii_digit() {
        out.insert(0, 'V');
    }
    out
}

/// A type name that is safe to declare.
pub fn type_name(raw: &str) -> String {
    if RESERVED_TYPES.contains(&raw) {
        format!("{raw}Model")
    } else {
        raw.to_owned()
    }
}

/// A string literal for generated code.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(ident("type"), "type_");
        assert_eq!(ident("_exists_"), "exists");
        assert_eq!(ident("metadata.automation_id"), "metadata_automation_id");
        assert_eq!(ident("2fa"), "n2fa");
        assert_eq!(pascal("IN_PROGRESS"), "InProgress");
        assert_eq!(pascal("N/A"), "NA");
        assert_eq!(pascal("image/jpeg"), "ImageJpeg");
        assert_eq!(pascal("camelCase"), "CamelCase");
        assert_eq!(pascal("4k"), "V4k");
        assert_eq!(type_name("Result"), "ResultModel");
    }
}
