//! The help of one operation, for people: what it does (the generator's
//! one-line description), then how to call it: an example, the parameters
//! with their types and which are required, the body's fields, what comes
//! back, and the HTTP request it is.
//!
//! Parameter types come from `OperationInfo::params` (`api-data/params.tsv`),
//! body fields from `api-data/schemas.json` ([`crate::schema`]).

use iconik_sync::api::operations::{ParamIn, ParamInfo, ParamType};
use iconik_sync::api::OperationInfo;
use iconik_sync::Auth;

use crate::cli::{command_name, style_name};
use crate::schema::{Field, Schemas};

/// The clap template of an operation's help: the description and usage,
/// then this module's text, then the options.
pub const TEMPLATE: &str = "{about-with-newline}\n{usage-heading} {usage}{after-help}\n{all-args}";

/// A parameter's type in words: `boolean`, `integer`, `string (uuid)`,
/// `JSON object`.
pub fn param_type(p: &ParamInfo) -> String {
    let base = match p.ty {
        ParamType::String => "string",
        ParamType::Integer => "integer",
        ParamType::Boolean => "boolean",
        ParamType::Object => "JSON object",
    };
    match p.format {
        Some(f) => format!("{base} ({f})"),
        None => base.to_owned(),
    }
}

/// The help of a path parameter's argument.
pub fn path_arg_help(op: &OperationInfo, name: &str) -> String {
    let ty = op
        .params
        .iter()
        .find(|p| p.location == ParamIn::Path && p.name == name)
        .map(param_type)
        .unwrap_or_else(|| "string".into());
    format!("{{{name}}} in the path: {ty}, required")
}

/// Everything after the usage line of `iconik <service> <op> --help`.
pub fn operation_help(op: &OperationInfo, schemas: Option<&Schemas>) -> String {
    let mut s = String::new();
    let fields = body_fields(op, schemas);
    s.push_str(&format!("Example:\n  {}\n", example(op, &fields)));
    for (location, title, how) in [
        (ParamIn::Query, "Query parameters", "-q NAME=VALUE"),
        (ParamIn::Header, "Header parameters", "-H NAME:VALUE"),
    ] {
        let params: Vec<&ParamInfo> = op
            .params
            .iter()
            .filter(|p| p.location == location)
            .collect();
        if params.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{title} ({how}; * required):\n"));
        let rows: Vec<(String, String)> = params
            .iter()
            .map(|p| (marked(p.name, p.required), param_type(p)))
            .collect();
        push_rows(&mut s, &rows);
    }
    match (op.body, op.content_type) {
        (Some(body), Some(ct)) if ct.contains("json") => {
            let optional = body.contains("Unset");
            s.push_str(&format!(
                "\nBody: {} ({ct}{}; --body JSON|@FILE, -F NAME=VALUE typed, -f NAME=TEXT)\n",
                model_names(body),
                if optional { ", optional" } else { "" }
            ));
            match &fields {
                Some((model, fields)) => {
                    s.push_str(&format!("Fields of {model} (* required):\n"));
                    let rows: Vec<(String, String)> = fields
                        .iter()
                        .map(|f| (marked(&f.name, f.required), f.ty.clone()))
                        .collect();
                    push_rows(&mut s, &rows);
                }
                None => s.push_str("  (its fields: iconik's API reference)\n"),
            }
        }
        (Some(body), Some(ct)) => s.push_str(&format!(
            "\nBody: {} ({ct}): not sendable by this command, which sends JSON only\n",
            model_names(body)
        )),
        (Some(body), None) => s.push_str(&format!("\nBody: {}\n", model_names(body))),
        (None, _) => {}
    }
    s.push('\n');
    s.push_str(&format!(
        "Answer:     {} (HTTP {})\n",
        op.response
            .map(model_names)
            .unwrap_or_else(|| "no body".into()),
        op.success
    ));
    if let Some(style) = op.pagination {
        s.push_str(&format!(
            "Pages:      by {} (--paginate fetches every page)\n",
            style_name(style)
        ));
    }
    s.push_str(&format!(
        "HTTP:       {} /API/{}{}\n",
        op.method, op.url_service, op.path
    ));
    match op.auth {
        Auth::AppIdAndToken => {}
        Auth::AppId => s.push_str("Sends:      the App-ID only (no Auth-Token)\n"),
        _ => s.push_str("Sends:      no credentials\n"),
    }
    s.push_str(&format!(
        "Library:    client.{}().{}(..) (iconik-sync, iconik-async)\n",
        op.handler, op.name
    ));
    s
}

/// `A|B` as `A or B`, without `Unset`.
fn model_names(names: &str) -> String {
    names
        .split('|')
        .map(str::trim)
        .filter(|n| *n != "Unset" && !n.is_empty())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `name*` when required.
fn marked(name: &str, required: bool) -> String {
    format!("{name}{}", if required { "*" } else { "" })
}

fn push_rows(s: &mut String, rows: &[(String, String)]) {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in rows {
        s.push_str(&format!("  {k:<width$}  {v}\n"));
    }
}

/// The first body model that has fields, and its fields, when the
/// schemas are loaded.
fn body_fields<'a>(
    op: &'a OperationInfo,
    schemas: Option<&Schemas>,
) -> Option<(&'a str, Vec<Field>)> {
    let schemas = schemas?;
    op.body?
        .split('|')
        .map(str::trim)
        .find_map(|name| Some((name, schemas.fields(op.service, name)?)))
}

/// One command that calls `op`: its path parameters (ids as a sample
/// UUID), its required query parameters and headers, the required body
/// fields (or the first field), and `--paginate` for lists.
pub fn example(op: &OperationInfo, fields: &Option<(&str, Vec<Field>)>) -> String {
    let mut words = vec![
        "iconik".to_owned(),
        op.url_service.to_owned(),
        command_name(op.name),
    ];
    for p in op.path_params {
        words.push(sample_path_value(p));
    }
    for p in op.params.iter().filter(|p| p.required) {
        match p.location {
            ParamIn::Query => words.push(format!("-q {}={}", p.name, sample_value(p))),
            ParamIn::Header => words.push(format!("-H {}:{}", p.name, sample_value(p))),
            _ => {}
        }
    }
    if let (Some((_, fields)), Some(ct)) = (fields, op.content_type) {
        if ct.contains("json") {
            let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
            let shown = if required.is_empty() {
                fields.iter().take(1).collect()
            } else {
                required
            };
            for f in shown {
                words.push(field_flag(f));
            }
        }
    }
    if op.pagination.is_some() {
        words.push("--paginate".into());
    }
    words.join(" ")
}

fn sample_path_value(name: &str) -> String {
    if name.ends_with("_id") || name == "id" {
        "6f1f5b9e-0000-4000-8000-000000000001".into()
    } else {
        name.to_uppercase()
    }
}

fn sample_value(p: &ParamInfo) -> String {
    match p.ty {
        ParamType::Integer => "1".into(),
        ParamType::Boolean => "true".into(),
        ParamType::Object => "'{}'".into(),
        _ if p.format == Some("uuid") || p.name.to_ascii_lowercase().ends_with("id") => {
            "6f1f5b9e-0000-4000-8000-000000000001".into()
        }
        _ => p.name.to_uppercase().replace('-', "_"),
    }
}

/// `-f title=TITLE`, `-F count=1`, `-F flag=true`, `-F items='[...]'`.
fn field_flag(f: &Field) -> String {
    let ty = f.ty.as_str();
    if ty == "integer" || ty == "number" {
        format!("-F {}=1", f.name)
    } else if ty == "boolean" {
        format!("-F {}=true", f.name)
    } else if ty.starts_with("list of") {
        format!("-F {}='[]'", f.name)
    } else if ty.starts_with("object") || ty == "any JSON" {
        format!("-F {}='{{}}'", f.name)
    } else if ty == "uuid" {
        format!("-f {}=6f1f5b9e-0000-4000-8000-000000000001", f.name)
    } else if let Some(values) = ty.strip_prefix("one of ") {
        format!(
            "-f {}={}",
            f.name,
            values.split(", ").next().unwrap_or("VALUE")
        )
    } else {
        format!("-f {}={}", f.name, f.name.to_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iconik_sync::api::OPERATIONS;

    fn op(service: &str, name: &str) -> &'static OperationInfo {
        OPERATIONS
            .iter()
            .find(|o| o.url_service == service && o.name == name)
            .unwrap()
    }

    #[test]
    fn help_lists_typed_parameters_body_fields_and_an_example() {
        let schemas = Schemas::load();
        let text = operation_help(op("assets", "get_asset"), schemas.as_ref());
        assert!(
            text.starts_with(
                "Example:\n  iconik assets get-asset 6f1f5b9e-0000-4000-8000-000000000001\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("Query parameters (-q NAME=VALUE; * required):\n"),
            "{text}"
        );
        assert!(text.contains("  include_collections  boolean\n"), "{text}");
        assert!(
            text.contains("HTTP:       GET /API/assets/v1/assets/{asset_id}/\n"),
            "{text}"
        );

        let text = operation_help(op("assets", "post_assets"), schemas.as_ref());
        assert!(
            text.contains("iconik assets post-assets -f title=TITLE\n"),
            "{text}"
        );
        assert!(
            text.contains("Body: AssetCreateSchema or AssetPostCreate (application/json"),
            "{text}"
        );
        assert!(
            text.contains("Fields of AssetCreateSchema (* required):\n"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["title*", "string"]),
            "{text}"
        );
        let list = operation_help(op("assets", "get_assets"), schemas.as_ref());
        assert!(
            list.contains("iconik assets get-assets --paginate\n"),
            "{list}"
        );
        assert!(list.contains("Pages:      by page numbers"), "{list}");
    }

    #[test]
    fn every_operation_has_an_example_with_its_required_inputs() {
        let schemas = Schemas::load();
        for op in OPERATIONS {
            let fields = body_fields(op, schemas.as_ref());
            let ex = example(op, &fields);
            assert!(ex.starts_with(&format!(
                "iconik {} {}",
                op.url_service,
                command_name(op.name)
            )));
            for p in op
                .params
                .iter()
                .filter(|p| p.required && p.location == ParamIn::Query)
            {
                assert!(ex.contains(&format!("-q {}=", p.name)), "{ex}");
            }
            assert!(
                !op.description.is_empty() && !op.description.contains('\n'),
                "{}",
                op.name
            );
        }
    }
}
