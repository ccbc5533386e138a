//! Reading `api-data/` and `overrides.toml` into plain values.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One row of `endpoints.tsv`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub service: String,
    pub url_service: String,
    /// First CLI name.
    pub name: String,
    /// Further CLI names (aliases).
    pub aliases: Vec<String>,
    pub method: String,
    pub path: String,
    pub path_params: Vec<String>,
    pub query_params: Vec<String>,
    pub header_params: Vec<String>,
    pub content_type: String,
    pub body: String,
    pub success: u16,
    pub response: String,
    /// Which credentials the operation takes (the `auth` column).
    pub auth: Auth,
    #[allow(dead_code)]
    pub tag: String,
    pub op: String,
    /// Path, query and header parameters from `params.tsv`, in its order
    /// (path parameters in template order, then query, then headers).
    pub params: Vec<Param>,
}

/// The credentials an operation takes, from the `auth` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `App-ID,Auth-Token`.
    AppIdAndToken,
    /// `App-ID` only.
    AppId,
    /// `none`, or an empty column.
    None,
}

impl Auth {
    fn parse(column: &str) -> Result<Auth, String> {
        match column.replace(' ', "").as_str() {
            "App-ID,Auth-Token" => Ok(Auth::AppIdAndToken),
            "App-ID" => Ok(Auth::AppId),
            "none" | "" => Ok(Auth::None),
            other => Err(format!("unknown auth column {other:?}")),
        }
    }

    /// The variant of `iconik_sync::api::Auth`.
    pub fn variant(self) -> &'static str {
        match self {
            Auth::AppIdAndToken => "AppIdAndToken",
            Auth::AppId => "AppId",
            Auth::None => "None",
        }
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
    Header,
}

/// A parameter's type, as `params.tsv` declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    /// A free-form JSON object (sent as JSON text).
    Object,
}

/// One row of `params.tsv`.
#[derive(Debug, Clone)]
pub struct Param {
    /// The name on the wire.
    pub wire: String,
    pub location: In,
    pub ty: ParamType,
    /// `uuid` or empty.
    pub format: String,
    pub required: bool,
}

/// One schema: `(json_key, type, required)` fields.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Schema {
    pub fields: Vec<(String, String, bool)>,
    pub open: bool,
}

/// One service's schemas.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ServiceSchemas {
    pub models: BTreeMap<String, Schema>,
    pub enums: BTreeMap<String, Vec<String>>,
}

/// A union written in api-data, resolved by hand.
#[derive(Debug, Clone, Deserialize)]
pub struct UnionChoice {
    /// The schema to use.
    #[serde(rename = "use")]
    pub use_: String,
    /// The body may be left out (`X | Unset`).
    #[serde(default)]
    pub optional: bool,
    /// Why.
    #[allow(dead_code)]
    pub reason: String,
}

/// The stand-in answer of a read whose 404 means "no values yet".
#[derive(Debug, Clone, Deserialize)]
pub struct EmptyOn404 {
    /// The JSON decoded instead of the 404.
    pub body: String,
    /// Why.
    #[allow(dead_code)]
    pub reason: String,
}

/// A pythonik / aiopythonik method and its equivalent here, for the
/// porting table (`aliases/*.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct Alias {
    /// pythonik's spec object (`assets`, `collections`, `files`, ...).
    pub handler: String,
    /// pythonik's method name.
    pub name: String,
    /// The operation (CLI name) it sends.
    pub op: String,
    /// The equivalent call.
    pub call: String,
    /// What else to know, if anything.
    #[serde(default)]
    pub note: Option<String>,
}

/// `overrides.toml`: every hand decision the generator applies.
#[derive(Debug, Clone, Deserialize)]
pub struct Overrides {
    /// Body unions, keyed by the body column's text.
    pub body_union: BTreeMap<String, UnionChoice>,
    /// Response unions, keyed by the response column's text.
    pub response_union: BTreeMap<String, UnionChoice>,
    /// A response the spec names wrongly, by `service.name` (the answer's
    /// schema, with the evidence as its reason).
    #[serde(default)]
    pub response_override: BTreeMap<String, UnionChoice>,
    /// Unions inside schema fields, keyed by the members joined with ` | `
    /// (without `None`); unlisted ones decode as `serde_json::Value`.
    #[serde(default)]
    pub field_union: BTreeMap<String, UnionChoice>,
    /// Reads sent as POST that are safe to retry: `service.name` -> reason.
    pub retry_safe: BTreeMap<String, String>,
    /// Reads whose 404 means "nothing there yet" (a view without values):
    /// `service.name` -> the empty answer decoded instead, when the client
    /// is built with `metadata_view_404_as_empty`.
    #[serde(default)]
    pub empty_on_404: BTreeMap<String, EmptyOn404>,
    /// Model decisions (`[models]`): required fields iconik leaves out,
    /// union discriminators.
    #[serde(default)]
    pub models: crate::types::ModelOverrides,
    /// Filled from `aliases/*.toml`, in file-name order.
    #[serde(default)]
    pub alias: Vec<Alias>,
}

/// One `aliases/<handler>.toml` file.
#[derive(Debug, Clone, Deserialize)]
struct AliasFile {
    alias: Vec<Alias>,
}

/// Everything the generator reads.
#[derive(Debug, Clone)]
pub struct Spec {
    pub endpoints: Vec<Endpoint>,
    pub schemas: BTreeMap<String, ServiceSchemas>,
    pub overrides: Overrides,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The rows of a tab-separated file after its header line, and where each
/// of `names` stands in it (an error names a missing column).
fn table<'a, const N: usize>(
    tsv: &'a str,
    file: &str,
    names: [&str; N],
) -> Result<([usize; N], std::str::Lines<'a>), String> {
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or(format!("empty {file}"))?
        .split('\t')
        .collect();
    let mut idx = [0usize; N];
    for (i, name) in names.iter().enumerate() {
        idx[i] = header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("{file} has no column {name}"))?;
    }
    Ok((idx, lines))
}

/// Reads `params.tsv` into each endpoint's `params`, checking that the
/// rows name exactly the parameters `endpoints.tsv` lists, in its order.
fn attach_params(endpoints: &mut [Endpoint], tsv: &str) -> Result<(), String> {
    let (cols, lines) = table(
        tsv,
        "params.tsv",
        [
            "service", "method", "path", "param", "in", "type", "format", "required",
        ],
    )?;
    let [service, method, path, param, location, ty, format, required] = cols;
    for (n, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("").trim();
        let at = || format!("params.tsv line {}", n + 2);
        let ep = endpoints
            .iter_mut()
            .find(|e| e.service == get(service) && e.method == get(method) && e.path == get(path))
            .ok_or_else(|| format!("{}: no operation {} {}", at(), get(method), get(path)))?;
        ep.params.push(Param {
            wire: get(param).to_owned(),
            location: match get(location) {
                "path" => In::Path,
                "query" => In::Query,
                "header" => In::Header,
                other => return Err(format!("{}: unknown location {other:?}", at())),
            },
            ty: match get(ty) {
                "string" => ParamType::String,
                "integer" => ParamType::Integer,
                "boolean" => ParamType::Boolean,
                "object" => ParamType::Object,
                other => return Err(format!("{}: unknown type {other:?}", at())),
            },
            format: get(format).to_owned(),
            required: match get(required) {
                "yes" => true,
                "no" => false,
                other => return Err(format!("{}: required is {other:?}", at())),
            },
        });
    }
    for ep in endpoints.iter() {
        let listed: Vec<(&str, In)> = ep
            .path_params
            .iter()
            .map(|p| (p.as_str(), In::Path))
            .chain(ep.query_params.iter().map(|p| (p.as_str(), In::Query)))
            .chain(ep.header_params.iter().map(|p| (p.as_str(), In::Header)))
            .collect();
        let typed: Vec<(&str, In)> = ep
            .params
            .iter()
            .map(|p| (p.wire.as_str(), p.location))
            .collect();
        if listed != typed {
            return Err(format!(
                "{}.{}: params.tsv lists {typed:?}, endpoints.tsv {listed:?}",
                ep.service, ep.name
            ));
        }
    }
    Ok(())
}

/// Loads `api-data/` and the overrides file under `root` (the workspace).
pub fn load(root: &Path) -> Result<Spec, String> {
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("reading {p}: {e}"));
    let tsv = read("api-data/endpoints.tsv")?;
    let (idx, lines) = table(
        &tsv,
        "endpoints.tsv",
        [
            "service",
            "url_service",
            "name",
            "method",
            "path",
            "path_params",
            "query_params",
            "header_params",
            "content_type",
            "body",
            "success",
            "response",
            "tag",
            "op",
            "auth",
        ],
    )?;
    let mut endpoints = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(idx[i]).copied().unwrap_or("").trim().to_owned();
        let mut names = split_list(&get(2));
        if names.is_empty() {
            return Err(format!("endpoints.tsv line {}: no name", n + 2));
        }
        let name = names.remove(0);
        endpoints.push(Endpoint {
            service: get(0),
            url_service: get(1),
            name,
            aliases: names,
            method: get(3),
            path: get(4),
            path_params: split_list(&get(5)),
            query_params: split_list(&get(6)),
            header_params: split_list(&get(7)),
            content_type: get(8),
            body: get(9),
            success: get(10).parse().unwrap_or(200),
            response: get(11),
            auth: Auth::parse(&get(14))
                .map_err(|e| format!("endpoints.tsv line {}: {e}", n + 2))?,
            tag: get(12),
            op: get(13),
            params: Vec::new(),
        });
    }
    endpoints.sort_by(|a, b| (&a.service, &a.name).cmp(&(&b.service, &b.name)));
    attach_params(&mut endpoints, &read("api-data/params.tsv")?)?;
    let schemas: BTreeMap<String, ServiceSchemas> =
        serde_json::from_str(&read("api-data/schemas.json")?)
            .map_err(|e| format!("schemas.json: {e}"))?;
    let mut overrides: Overrides = toml::from_str(&read("crates/iconik-codegen/overrides.toml")?)
        .map_err(|e| format!("overrides.toml: {e}"))?;
    let dir = root.join("crates/iconik-codegen/aliases");
    let mut alias_files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    alias_files.sort();
    for name in alias_files {
        let file: AliasFile =
            toml::from_str(&read(&format!("crates/iconik-codegen/aliases/{name}"))?)
                .map_err(|e| format!("aliases/{name}: {e}"))?;
        overrides.alias.extend(file.alias);
    }
    Ok(Spec {
        endpoints,
        schemas,
        overrides,
    })
}
