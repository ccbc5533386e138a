//! One plan per operation: names, arguments, body, result, pagination.
//! Every output (handlers, async twins, the table, METHODS.md, tests)
//! reads these plans, so they cannot disagree.

use std::collections::{BTreeMap, BTreeSet};

use crate::names;
use crate::spec::{Endpoint, Spec};
use crate::types::{split_union, Types};

/// How a query parameter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    U32,
    Bool,
    /// Anything `ToString`: strings, numbers, booleans.
    Text,
    /// A request header the spec declares, sent only when set.
    Header,
}

/// One field of a params struct.
#[derive(Debug, Clone)]
pub struct QueryField {
    pub wire: String,
    pub ident: String,
    pub kind: QueryKind,
}

/// An operation's params struct.
#[derive(Debug, Clone)]
pub struct Params {
    pub type_name: String,
    pub fields: Vec<QueryField>,
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    None,
    /// A JSON body of this Rust type (`m::X`); `optional` for `X | Unset`.
    Json {
        ty: String,
        optional: bool,
    },
    /// Raw bytes; `Some(ct)` fixes the content type, `None` lets the caller give it.
    Bytes {
        content_type: Option<String>,
    },
    /// `application/x-www-form-urlencoded` pairs.
    Form,
}

/// Everything the outputs need about one operation.
#[derive(Debug, Clone)]
pub struct OpPlan {
    pub ep: Endpoint,
    /// Position in `OPERATIONS`.
    pub index: usize,
    /// Accessor on the client (`users_notifications`).
    pub handler: String,
    /// Handler type (`UsersNotificationsApi`).
    #[allow(dead_code)]
    pub handler_type: String,
    /// The method name (the CLI name).
    pub method_name: String,
    /// False when an earlier (compatibility) method already has this name
    /// with another signature: that method then serves the operation.
    pub generated: bool,
    /// Second CLI names that become alias methods.
    pub aliases: Vec<String>,
    pub path_args: Vec<String>,
    pub params: Option<Params>,
    pub body: Body,
    /// Rust result type, as seen from a handler module.
    pub response: String,
    /// `(Style variant, item type)` for the `_iter` paginator.
    pub pagination: Option<(&'static str, String)>,
    pub retry_safe: bool,
    /// One line saying what it does (see `describe`).
    pub description: String,
}

/// The accessor of a service's handler.
pub fn accessor(url_service: &str) -> String {
    url_service.replace('-', "_")
}

/// The handler type of an accessor.
pub fn handler_type(accessor: &str) -> String {
    format!("{}Api", names::pascal(accessor))
}

fn query_kind(spec: &Spec, wire: &str) -> QueryKind {
    let o = &spec.overrides;
    if o.query_u32.iter().any(|n| n == wire) {
        QueryKind::U32
    } else if o.query_bool.iter().any(|n| n == wire)
        || o.query_bool_prefix
            .iter()
            .any(|p| wire.starts_with(p.as_str()))
    {
        QueryKind::Bool
    } else {
        QueryKind::Text
    }
}

/// Resolves a schema name to a handler-side Rust type.
fn schema_type(types: &Types, spec: &Spec, service: &str, name: &str) -> Option<String> {
    let _ = spec;
    types.rust_name(service, name).map(|n| format!("m::{n}"))
}

fn response_type(types: &Types, spec: &Spec, ep: &Endpoint) -> Result<String, String> {
    if ep.success == 204 {
        return Ok("()".to_owned());
    }
    if ep.response.is_empty() {
        return Ok("serde_json::Value".to_owned());
    }
    let chosen = if let Some(u) = spec.overrides.response_union.get(&ep.response) {
        u.use_.clone()
    } else {
        // `X | YResponseDefault`: the default member adds nothing
        let members: Vec<&str> = split_union(&ep.response)
            .into_iter()
            .filter(|m| !m.ends_with("ResponseDefault"))
            .collect();
        match members.as_slice() {
            [one] => (*one).to_owned(),
            [] => return Ok("serde_json::Value".to_owned()),
            _ => {
                return Err(format!(
                    "{}.{}: response union {:?} needs an entry in overrides.toml [response_union]",
                    ep.service, ep.name, ep.response
                ))
            }
        }
    };
    Ok(schema_type(types, spec, &ep.service, &chosen).unwrap_or("serde_json::Value".to_owned()))
}

fn body(types: &Types, spec: &Spec, ep: &Endpoint) -> Result<Body, String> {
    if ep.body.is_empty() && ep.content_type.is_empty() {
        return Ok(Body::None);
    }
    let ct = ep.content_type.as_str();
    if ct.starts_with("image/") || ct.starts_with("multipart/") {
        return Ok(Body::Bytes { content_type: None });
    }
    if ct == "application/xml" {
        return Ok(Body::Bytes {
            content_type: Some(ct.to_owned()),
        });
    }
    if ct == "application/x-www-form-urlencoded" {
        return Ok(Body::Form);
    }
    let (name, optional) = if let Some(u) = spec.overrides.body_union.get(&ep.body) {
        (u.use_.clone(), u.optional)
    } else if split_union(&ep.body).len() > 1 {
        return Err(format!(
            "{}.{}: body union {:?} needs an entry in overrides.toml [body_union]",
            ep.service, ep.name, ep.body
        ));
    } else {
        (ep.body.clone(), false)
    };
    let ty = schema_type(types, spec, &ep.service, &name).unwrap_or("serde_json::Value".to_owned());
    Ok(Body::Json { ty, optional })
}

fn pagination(
    types: &Types,
    spec: &Spec,
    ep: &Endpoint,
    response: &str,
) -> Option<(&'static str, String)> {
    let q = |n: &str| ep.query_params.iter().any(|p| p == n);
    let svc = spec.schemas.get(&ep.service)?;
    let body_has = |field: &str| {
        svc.models
            .get(&ep.body)
            .is_some_and(|m| m.fields.iter().any(|f| f.0 == field))
    };
    let style = if q("page") && q("per_page") {
        "PageNumber"
    } else if q("last_id") {
        "LastId"
    } else if q("scroll_id") {
        "Scroll"
    } else if q("search_after") || body_has("search_after") {
        "SearchAfter"
    } else {
        return None;
    };
    // the answer must be a list: `objects: list[T]`
    let schema = response.strip_prefix("m::")?;
    let (name, model) = svc
        .models
        .iter()
        .find(|(n, _)| types.rust_name(&ep.service, n).as_deref() == Some(schema))?;
    let _ = name;
    let objects = model.fields.iter().find(|f| f.0 == "objects")?;
    let (ty, _) = types.map(svc, &objects.1);
    let item = ty.strip_prefix("Vec<")?.strip_suffix('>')?;
    let item = match item {
        "String" | "i64" | "f64" | "bool" => item.to_owned(),
        "Value" => "serde_json::Value".to_owned(),
        other if other.contains('<') => return None,
        other => format!("m::{other}"),
    };
    Some((style, item))
}

/// Plans every operation.
pub fn plan(spec: &Spec, types: &Types) -> Result<Vec<OpPlan>, String> {
    let taken: BTreeSet<(String, String)> = spec
        .overrides
        .alias
        .iter()
        .map(|a| (a.handler.clone(), a.name.clone()))
        .collect();
    let mut plans = Vec::new();
    let mut model_names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (svc, s) in &spec.schemas {
        let set = model_names.entry(svc.clone()).or_default();
        set.extend(
            s.models
                .keys()
                .chain(s.enums.keys())
                .filter_map(|n| types.rust_name(svc, n)),
        );
    }
    for (index, ep) in spec.endpoints.iter().enumerate() {
        let handler = accessor(&ep.url_service);
        let generated = !taken.contains(&(handler.clone(), ep.name.clone()));
        let aliases = ep
            .aliases
            .iter()
            .filter(|a| !taken.contains(&(handler.clone(), (*a).clone())))
            .cloned()
            .collect();
        let mut fields: Vec<QueryField> = ep
            .query_params
            .iter()
            .map(|w| QueryField {
                wire: w.clone(),
                ident: names::ident(w),
                kind: query_kind(spec, w),
            })
            .collect();
        fields.extend(ep.header_params.iter().map(|h| QueryField {
            wire: h.clone(),
            ident: names::ident(h),
            kind: QueryKind::Header,
        }));
        let params = if fields.is_empty() {
            None
        } else {
            let mut type_name = format!("{}Params", names::pascal(&ep.name));
            let taken_names = model_names.get(&ep.service).cloned().unwrap_or_default();
            while taken_names.contains(&type_name) {
                type_name.push_str("Query");
            }
            Some(Params { type_name, fields })
        };
        let response = response_type(types, spec, ep)?;
        let pagination = if ep.method == "GET" || ep.method == "POST" {
            pagination(types, spec, ep, &response)
        } else {
            None
        };
        let key = format!("{}.{}", ep.service, ep.name);
        let description = crate::describe::describe(ep, pagination.is_some());
        plans.push(OpPlan {
            description,
            index,
            handler_type: handler_type(&handler),
            handler,
            method_name: ep.name.clone(),
            generated,
            aliases,
            path_args: ep.path_params.iter().map(|p| names::ident(p)).collect(),
            params,
            body: body(types, spec, ep)?,
            response,
            pagination,
            retry_safe: spec.overrides.retry_safe.contains_key(&key),
            ep: ep.clone(),
        });
    }
    // every retry_safe key and alias must name a real operation
    for key in spec.overrides.retry_safe.keys() {
        if !plans
            .iter()
            .any(|p| format!("{}.{}", p.ep.service, p.ep.name) == *key)
        {
            return Err(format!(
                "overrides.toml: retry_safe names no operation: {key}"
            ));
        }
    }
    // method names unique per handler
    let mut seen: BTreeSet<(String, String)> = taken;
    for p in &plans {
        let mut names = Vec::new();
        if p.generated {
            names.push(p.method_name.clone());
        }
        names.extend(p.aliases.iter().cloned());
        if p.pagination.is_some() {
            names.push(format!("{}_iter", p.method_name));
        }
        names.push(format!("{}_builder", p.method_name));
        for n in names {
            if !seen.insert((p.handler.clone(), n.clone())) {
                return Err(format!("{}: method {n} would be declared twice", p.handler));
            }
        }
    }
    Ok(plans)
}
