//! iconik's API as data: the 1002 operations of `api-data/endpoints.tsv` and
//! the schemas of `api-data/schemas.json`, parsed once per process (the files
//! are compiled in with `include_str!` from the workspace's `api-data/`, the
//! same data the client generator reads), and the route table built from them.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

const ENDPOINTS_TSV: &str = include_str!("../../../api-data/endpoints.tsv");
const SCHEMAS_JSON: &str = include_str!("../../../api-data/schemas.json");

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Lit(String),
    Param(String),
}

/// Which credential headers an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    Both,
    AppIdOnly,
    None,
}

/// One operation of the spec.
#[derive(Debug)]
pub(crate) struct Op {
    /// Schema namespace (`usersnotifications` for `users-notifications`).
    pub(crate) service: String,
    /// The slug in the URL.
    pub(crate) url_service: String,
    pub(crate) method: String,
    /// Path template after the slug, e.g. `/v1/assets/{asset_id}/`.
    pub(crate) path: String,
    pub(crate) segs: Vec<Seg>,
    pub(crate) query_params: Vec<String>,
    pub(crate) content_type: String,
    /// Body schema alternatives (`Unset` removed); empty when there is none.
    pub(crate) body: Vec<String>,
    /// Whether the body may be omitted (`... | Unset`).
    pub(crate) body_optional: bool,
    pub(crate) success: u16,
    /// Response schema alternatives; empty when there is none.
    pub(crate) response: Vec<String>,
    pub(crate) auth: Auth,
    /// Unique snake_case operation id.
    pub(crate) op: String,
    /// Whether a literal segment of this template stands where another
    /// template of the same method has a parameter (`/v1/assets/recent/`
    /// against `/v1/assets/{asset_id}/`).
    pub(crate) shadows: bool,
    /// Its place in the collection/item pattern.
    pub(crate) kind: Kind,
}

/// How an operation relates to a stateful resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `GET`/`POST` on `.../x/` where `POST .../x/` and `.../x/{x_id}/` exist:
    /// list or create.
    Collection,
    /// `GET`/`PUT`/`PATCH`/`DELETE` on `.../x/{x_id}/` where `POST .../x/`
    /// exists: read, change or delete one.
    Item,
    /// Anything else (answers an example of its response schema).
    Other,
}

impl Op {
    pub(crate) fn has_query(&self, name: &str) -> bool {
        self.query_params.iter().any(|q| q == name)
    }

    pub(crate) fn json_body(&self) -> bool {
        !self.body.is_empty() && self.content_type.contains("json")
    }
}

/// A field type in the schemas' Python-like notation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Any,
    Null,
    Str,
    Int,
    Float,
    Bool,
    Uuid,
    DateTime,
    Date,
    List(Box<Ty>),
    Union(Vec<Ty>),
    /// A model or enum name of the same service.
    Ref(String),
    Literal(Vec<String>),
}

impl Ty {
    pub(crate) fn parse(s: &str) -> Ty {
        let parts = split_top(s, '|');
        if parts.len() > 1 {
            return Ty::Union(parts.iter().map(|p| Ty::parse(p)).collect());
        }
        let s = s.trim();
        if let Some(inner) = s.strip_prefix("list[").and_then(|r| r.strip_suffix(']')) {
            return Ty::List(Box::new(Ty::parse(inner)));
        }
        if s == "list" {
            return Ty::List(Box::new(Ty::Any));
        }
        if let Some(inner) = s.strip_prefix("Literal[").and_then(|r| r.strip_suffix(']')) {
            return Ty::Literal(
                split_top(inner, ',')
                    .iter()
                    .map(|v| v.trim().trim_matches('\'').trim_matches('"').to_string())
                    .collect(),
            );
        }
        match s {
            "Any" | "File" | "" => Ty::Any,
            "None" => Ty::Null,
            "str" => Ty::Str,
            "int" => Ty::Int,
            "float" => Ty::Float,
            "bool" => Ty::Bool,
            "UUID" => Ty::Uuid,
            "datetime.datetime" => Ty::DateTime,
            "datetime.date" => Ty::Date,
            other => Ty::Ref(other.to_string()),
        }
    }

    /// Whether `null` is allowed.
    pub(crate) fn nullable(&self) -> bool {
        match self {
            Ty::Null | Ty::Any => true,
            Ty::Union(v) => v.iter().any(Ty::nullable),
            _ => false,
        }
    }
}

/// Splits at `sep` outside brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// One field of a model.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
}

/// A model: its fields (all iconik models are open to extra fields).
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub(crate) fields: Vec<Field>,
}

impl Model {
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The models and enums of one service.
#[derive(Debug, Default)]
pub(crate) struct Schemas {
    pub(crate) models: HashMap<String, Model>,
    pub(crate) enums: HashMap<String, Vec<String>>,
}

/// Outcome of routing one path.
#[derive(Debug)]
pub(crate) enum RouteMatch<'a> {
    Found(&'a Op, Vec<(String, String)>),
    WrongMethod,
    NotFound,
}

/// The whole API.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) ops: Vec<Op>,
    /// url_service -> segment count -> op indexes.
    table: HashMap<String, HashMap<usize, Vec<usize>>>,
    schemas: HashMap<String, Schemas>,
    empty: Schemas,
}

/// The process-wide parsed spec.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(ENDPOINTS_TSV, SCHEMAS_JSON))
}

fn alternatives(s: &str) -> (Vec<String>, bool) {
    let mut optional = false;
    let mut out = Vec::new();
    for p in s.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        if p == "Unset" {
            optional = true;
        } else if !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    (out, optional)
}

pub(crate) fn template_segs(path: &str) -> Vec<Seg> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(
            |p| match p.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Some(name) => Seg::Param(name.to_string()),
                None => Seg::Lit(p.to_string()),
            },
        )
        .collect()
}

impl Spec {
    fn parse(tsv: &str, schemas: &str) -> Spec {
        let mut ops = Vec::new();
        let mut lines = tsv.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let col = |name: &str| header.iter().position(|h| *h == name);
        let cols: Vec<Option<usize>> = [
            "service",
            "url_service",
            "method",
            "path",
            "query_params",
            "content_type",
            "body",
            "success",
            "response",
            "auth",
            "op",
        ]
        .iter()
        .map(|c| col(c))
        .collect();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |i: usize| cols[i].and_then(|c| f.get(c)).copied().unwrap_or("");
            let (body, body_optional) = alternatives(get(6));
            let (response, _) = alternatives(get(8));
            let path = get(3).to_string();
            ops.push(Op {
                service: get(0).to_string(),
                url_service: get(1).to_string(),
                method: get(2).to_string(),
                segs: template_segs(&path),
                path,
                query_params: get(4)
                    .split(',')
                    .filter(|q| !q.is_empty())
                    .map(str::to_string)
                    .collect(),
                content_type: get(5).to_string(),
                body,
                body_optional,
                success: get(7).parse().unwrap_or(200),
                response,
                auth: match get(9) {
                    "none" => Auth::None,
                    "App-ID" => Auth::AppIdOnly,
                    _ => Auth::Both,
                },
                op: get(10).to_string(),
                shadows: false,
                kind: Kind::Other,
            });
        }
        let kinds: Vec<Kind> = ops.iter().map(|op| kind(op, &ops)).collect();
        for (op, k) in ops.iter_mut().zip(kinds) {
            op.kind = k;
        }
        let shadows: Vec<bool> = ops
            .iter()
            .map(|x| ops.iter().any(|y| shadows(x, y)))
            .collect();
        for (op, sh) in ops.iter_mut().zip(shadows) {
            op.shadows = sh;
        }
        let mut table: HashMap<String, HashMap<usize, Vec<usize>>> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            table
                .entry(op.url_service.clone())
                .or_default()
                .entry(op.segs.len())
                .or_default()
                .push(i);
        }
        Spec {
            ops,
            table,
            schemas: parse_schemas(schemas),
            empty: Schemas::default(),
        }
    }

    /// The models and enums of a service (by schema namespace).
    pub(crate) fn schemas(&self, service: &str) -> &Schemas {
        self.schemas.get(service).unwrap_or(&self.empty)
    }

    /// Routes `segs` (the decoded path after the service slug) for `method`.
    /// Among the templates that match, literal segments beat parameters,
    /// earlier segments first; a path that only matches for other methods is
    /// `WrongMethod`.
    pub(crate) fn route(&self, url_service: &str, method: &str, segs: &[&str]) -> RouteMatch<'_> {
        let Some(cands) = self
            .table
            .get(url_service)
            .and_then(|by_len| by_len.get(&segs.len()))
        else {
            return RouteMatch::NotFound;
        };
        // Literal segments as bits, the first segment highest: a larger key
        // has a literal earlier.
        let mut best: Option<(&Op, u64)> = None;
        let mut any = false;
        for &i in cands {
            let op = &self.ops[i];
            let matches = op.segs.iter().zip(segs).all(|(t, s)| match t {
                Seg::Lit(l) => l == s,
                Seg::Param(_) => !s.is_empty(),
            });
            if !matches {
                continue;
            }
            any = true;
            if op.method != method {
                continue;
            }
            let key = op
                .segs
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, t)| matches!(t, Seg::Lit(_)))
                .fold(0u64, |k, (i, _)| k | (1u64 << (63 - i)));
            if best.as_ref().is_none_or(|(_, k)| key > *k) {
                best = Some((op, key));
            }
        }
        match best {
            Some((op, _)) => {
                let params = op
                    .segs
                    .iter()
                    .zip(segs)
                    .filter_map(|(t, s)| match t {
                        Seg::Param(n) => Some((n.clone(), (*s).to_string())),
                        Seg::Lit(_) => None,
                    })
                    .collect();
                RouteMatch::Found(op, params)
            }
            None if any => RouteMatch::WrongMethod,
            None => RouteMatch::NotFound,
        }
    }

    /// The operation with this method and exact template, if any.
    #[cfg(test)]
    pub(crate) fn find(&self, url_service: &str, method: &str, path: &str) -> Option<&Op> {
        self.ops
            .iter()
            .find(|o| o.url_service == url_service && o.method == method && o.path == path)
    }
}

/// `/v1/x/{id}/` -> `/v1/x/`.
fn parent_template(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".into(),
    }
}

fn kind(op: &Op, ops: &[Op]) -> Kind {
    let is_id = |seg: Option<&Seg>| matches!(seg, Some(Seg::Param(n)) if n.ends_with("id"));
    let has_post = |path: &str| {
        ops.iter()
            .any(|o| o.url_service == op.url_service && o.method == "POST" && o.path == path)
    };
    if op.method == "GET" || op.method == "POST" {
        let has_item = ops.iter().any(|o| {
            o.url_service == op.url_service
                && o.segs.len() == op.segs.len() + 1
                && o.path.starts_with(&op.path)
                && is_id(o.segs.last())
        });
        if has_item && has_post(&op.path) {
            return Kind::Collection;
        }
    }
    let writes = matches!(op.method.as_str(), "GET" | "PUT" | "PATCH" | "DELETE");
    if writes && is_id(op.segs.last()) && has_post(&parent_template(&op.path)) {
        return Kind::Item;
    }
    Kind::Other
}

/// Whether `x` has a literal where `y` has a parameter, and `y` matches
/// every path `x` matches.
fn shadows(x: &Op, y: &Op) -> bool {
    if x.url_service != y.url_service || x.method != y.method || x.segs.len() != y.segs.len() {
        return false;
    }
    let mut shadow = false;
    for (a, b) in x.segs.iter().zip(&y.segs) {
        match (a, b) {
            (Seg::Lit(_), Seg::Param(_)) => shadow = true,
            (Seg::Param(_), Seg::Param(_)) => {}
            (Seg::Lit(l), Seg::Lit(m)) if l == m => {}
            _ => return false,
        }
    }
    shadow
}

fn parse_schemas(text: &str) -> HashMap<String, Schemas> {
    let mut out = HashMap::new();
    let Ok(Value::Object(root)) = serde_json::from_str::<Value>(text) else {
        return out;
    };
    for (service, v) in root {
        let mut sc = Schemas::default();
        if let Some(models) = v.get("models").and_then(Value::as_object) {
            for (name, m) in models {
                let fields = m
                    .get("fields")
                    .and_then(Value::as_array)
                    .map(|fs| {
                        fs.iter()
                            .filter_map(|f| {
                                let name = f.get(0)?.as_str()?.to_string();
                                let ty = Ty::parse(f.get(1)?.as_str()?);
                                let required = f.get(2).and_then(Value::as_bool).unwrap_or(false);
                                Some(Field { name, ty, required })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                sc.models.insert(name.clone(), Model { fields });
            }
        }
        if let Some(enums) = v.get("enums").and_then(Value::as_object) {
            for (name, vals) in enums {
                let vals = vals
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| match x {
                                Value::String(s) => Some(s.clone()),
                                Value::Null => None,
                                other => Some(other.to_string()),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                sc.enums.insert(name.clone(), vals);
            }
        }
        out.insert(service, sc);
    }
    out
}

/// Path parameters that hold iconik object ids (UUIDs): a malformed one
/// matches no route on iconik, so it answers 404.
pub(crate) fn is_uuid_param(name: &str) -> bool {
    const UUID_PARAMS: &[&str] = &[
        "asset_id",
        "collection_id",
        "storage_id",
        "version_id",
        "user_id",
        "group_id",
        "file_id",
        "format_id",
        "view_id",
        "playlist_id",
        "share_id",
        "proxy_id",
        "file_set_id",
        "keyframe_id",
        "job_id",
        "segment_id",
        "export_location_id",
        "team_id",
        "transcoder_id",
        "automation_id",
        "search_id",
        "storage_gateway_id",
        "template_id",
        "subtitle_id",
        "webhook_id",
        "history_entity_id",
        "source_asset_id",
        "source_version_id",
        "share_user_id",
        "parent_job_id",
        "search_history_id",
    ];
    UUID_PARAMS.contains(&name)
}

/// Whether `s` is a UUID (hyphenated or 32 hex digits).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        36 => b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        }),
        32 => b.iter().all(u8::is_ascii_hexdigit),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_everything() {
        let s = spec();
        assert_eq!(s.ops.len(), 1002);
        let asset = &s.schemas("assets").models["AssetSchema"];
        assert!(asset.field("title").is_some_and(|f| f.required));
        assert_eq!(
            Ty::parse("list[UUID] | None"),
            Ty::Union(vec![Ty::List(Box::new(Ty::Uuid)), Ty::Null])
        );
        assert_eq!(
            Ty::parse("Literal['lexical']"),
            Ty::Literal(vec!["lexical".into()])
        );
    }

    #[test]
    fn routes_prefer_literals_and_tell_405_from_404() {
        let s = spec();
        match s.route("assets", "GET", &["v1", "assets", "abc"]) {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.path, "/v1/assets/{asset_id}/");
                assert_eq!(params, vec![("asset_id".to_string(), "abc".to_string())]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s.route("assets", "DELETE", &["v1", "assets"]),
            RouteMatch::WrongMethod
        ));
        assert!(matches!(
            s.route("assets", "GET", &["v1", "nope"]),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            s.route("nope", "GET", &["v1"]),
            RouteMatch::NotFound
        ));
        // Every operation routes to itself with its own template filled in.
        for op in &s.ops {
            let segs: Vec<&str> = op
                .segs
                .iter()
                .map(|t| match t {
                    Seg::Lit(l) => l.as_str(),
                    Seg::Param(_) => "x",
                })
                .collect();
            assert!(
                matches!(
                    s.route(&op.url_service, &op.method, &segs),
                    RouteMatch::Found(..)
                ),
                "{} {}",
                op.method,
                op.path
            );
        }
        let kind_of = |svc: &str, m: &str, p: &str| {
            s.ops
                .iter()
                .find(|o| o.url_service == svc && o.method == m && o.path == p)
                .map(|o| o.kind)
        };
        assert_eq!(
            kind_of("users", "POST", "/v1/users/"),
            Some(Kind::Collection)
        );
        assert_eq!(
            kind_of("users", "GET", "/v1/users/"),
            Some(Kind::Collection)
        );
        assert_eq!(
            kind_of("users", "PATCH", "/v1/users/{user_id}/"),
            Some(Kind::Item)
        );
        assert_eq!(
            kind_of("assets", "GET", "/v1/assets/recent/"),
            Some(Kind::Other)
        );
        let crud = s.ops.iter().filter(|o| o.kind != Kind::Other).count();
        assert!(crud > 300, "{crud} collection/item operations");
        assert!(is_uuid("5a3c0000-0000-4000-8000-000000000001"));
        assert!(!is_uuid("nope"));
    }
}
