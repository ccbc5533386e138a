//! Naming rules, in one place.
//!
//! - Fields and parameters: the JSON/query name, with characters that
//!   cannot appear in an identifier replaced by `_` and leading/trailing
//!   underscores dropped; a Rust keyword gets a trailing underscore
//!   (`type` -> `type_`, `match` -> `match_`). Serde renames to the wire name.
//! - Types: the schema name, without a trailing `Schema` when the shorter
//!   name is not taken by any other schema or enum of any service.
//! - Enum variants: the value in PascalCase (`IN_PROGRESS` -> `InProgress`).

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
