//! One plan per operation: names, arguments, setters, body, result,
//! pagination. Every output (handlers, the table, METHODS.md, tests)
//! reads these plans, so they cannot disagree.

use std::collections::BTreeSet;

use crate::names;
use crate::spec::{Endpoint, In, Param, ParamType, Spec};
use crate::types::{split_union, Types};

/// How the body is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    None,
    /// A JSON body of this Rust type (`m::X`).
    Json(String),
    /// `application/x-www-form-urlencoded`, from this typed schema.
    Form(String),
    /// `multipart/form-data` built from this typed schema.
    Multipart(String),
    /// Raw bytes; `Some(ct)` fixes the content type, `None` lets the caller
    /// give it (`image/*`).
    Bytes {
        content_type: Option<String>,
    },
}

impl Body {
    /// The model a typed body is built from.
    pub fn model(&self) -> Option<&str> {
        match self {
            Body::Json(t) | Body::Form(t) | Body::Multipart(t) => Some(t),
            Body::None | Body::Bytes { .. } => None,
        }
    }

    /// The request method that applies a typed body called `var`.
    fn apply(&self, var: &str) -> String {
        match self {
            Body::Json(_) => format!(".json({var})"),
            Body::Form(_) => format!(".form_body({var})"),
            Body::Multipart(_) => format!(".multipart({var})"),
            Body::None | Body::Bytes { .. } => String::new(),
        }
    }
}

/// A required input: an argument of the method.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The argument's name.
    pub name: String,
    /// Its Rust type.
    pub ty: String,
    /// The request chain that applies it, e.g. `.path_param(asset_id)`.
    pub apply: String,
    /// What it is, for the docs.
    pub doc: String,
    /// The parameter it comes from (`None` for the body).
    pub param: Option<Param>,
}

/// An optional input: a setter on the operation's request type.
#[derive(Debug, Clone)]
pub struct Setter {
    /// The setter's name.
    pub name: String,
    /// Its argument list, e.g. `value: bool`.
    pub args: String,
    /// The expression that applies `value` to the inner request `self.0`.
    pub apply: String,
    /// What it is, for the docs.
    pub doc: String,
    /// The parameter it comes from (`None` for an optional body).
    pub param: Option<Param>,
}

/// Everything the outputs need about one operation.
#[derive(Debug, Clone)]
pub struct OpPlan {
    pub ep: Endpoint,
    /// Position in `OPERATIONS`.
    pub index: usize,
    /// Accessor on the client (`users_notifications`).
    pub handler: String,
    /// The method name (the first CLI name).
    pub method_name: String,
    /// Required inputs, in order: path, query, header parameters, body.
    pub args: Vec<Arg>,
    /// Optional inputs.
    pub setters: Vec<Setter>,
    pub body: Body,
    /// Rust result type, as seen from a handler module.
    pub response: String,
    /// `(Style variant, item type)` for `.items()`.
    pub pagination: Option<(&'static str, String)>,
    /// The list also scrolls (`scroll_id`) besides its usual style: it gets
    /// `.scroll_items()` (page numbers stop at iconik's 10,000-item window).
    pub also_scrolls: bool,
    pub retry_safe: bool,
    /// The answer that stands in for a 404 meaning "no values yet".
    pub empty_on_404: Option<String>,
    /// One line saying what it does (see `describe`).
    pub description: String,
    /// The operation's own request type, when it has setters or `.items()`;
    /// `None` means the method returns the generic `Request<T, C>`.
    pub request_type: Option<String>,
}

/// The accessor of a service's handler.
pub fn accessor(url_service: &str) -> String {
    url_service.replace('-', "_")
}

/// The handler type of an accessor.
pub fn handler_type(accessor: &str) -> String {
    format!("{}Api", names::pascal(accessor))
}

/// Resolves a schema name to a handler-side Rust type (`m::X`).
fn schema_type(types: &Types, service: &str, name: &str) -> Option<String> {
    types.rust_name(service, name).map(|n| format!("m::{n}"))
}

fn response_type(types: &Types, spec: &Spec, ep: &Endpoint) -> Result<String, String> {
    if ep.response.is_empty() {
        return Ok(if ep.success == 204 {
            "()".to_owned()
        } else {
            "serde_json::Value".to_owned()
        });
    }
    let key = format!("{}.{}", ep.service, ep.name);
    let chosen = if let Some(o) = spec.overrides.response_override.get(&key) {
        o.use_.clone()
    } else if let Some(u) = spec.overrides.response_union.get(&ep.response) {
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
    let ty = schema_type(types, &ep.service, &chosen).unwrap_or("serde_json::Value".to_owned());
    // a documented schema may still come back as an empty 204 (and a
    // DELETE often does): `None` then, never a decode error
    Ok(if ep.success == 204 || ep.method == "DELETE" {
        format!("Option<{ty}>")
    } else {
        ty
    })
}

/// The body and whether it may be left out.
fn body(types: &Types, spec: &Spec, ep: &Endpoint) -> Result<(Body, bool), String> {
    if ep.body.is_empty() && ep.content_type.is_empty() {
        return Ok((Body::None, false));
    }
    let ct = ep.content_type.as_str();
    if ct.starts_with("image/") {
        return Ok((Body::Bytes { content_type: None }, false));
    }
    if ct == "application/xml" {
        return Ok((
            Body::Bytes {
                content_type: Some(ct.to_owned()),
            },
            false,
        ));
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
    let ty = schema_type(types, &ep.service, &name).ok_or_else(|| {
        format!(
            "{}.{}: body {name} is not a type in models::{}",
            ep.service, ep.name, ep.service
        )
    })?;
    let body = if ct.starts_with("multipart/") {
        Body::Multipart(ty)
    } else if ct == "application/x-www-form-urlencoded" {
        Body::Form(ty)
    } else {
        Body::Json(ty)
    };
    Ok((body, optional))
}

fn pagination(
    types: &Types,
    spec: &Spec,
    ep: &Endpoint,
    response: &str,
) -> Option<(&'static str, String)> {
    if ep.method != "GET" && ep.method != "POST" {
        return None;
    }
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
    let model = svc.models.iter().find_map(|(n, m)| {
        (types.rust_name(&ep.service, n).as_deref() == Some(schema)).then_some(m)
    })?;
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

/// A parameter's Rust type as an argument (borrowed) or a setter (owned).
fn param_type(p: &Param, setter: bool) -> &'static str {
    match (p.ty, setter) {
        (ParamType::Integer, _) => "i64",
        (ParamType::Boolean, _) => "bool",
        (ParamType::Object, _) => "&serde_json::Value",
        (ParamType::String, false) => "&str",
        (ParamType::String, true) => "impl Into<String>",
    }
}

fn type_word(p: &Param) -> &'static str {
    match (p.ty, p.format.as_str()) {
        (ParamType::String, "uuid") => "string, a UUID",
        (ParamType::String, _) => "string",
        (ParamType::Integer, _) => "integer",
        (ParamType::Boolean, _) => "boolean",
        (ParamType::Object, _) => "JSON object",
    }
}

/// Names a setter may not take: the request types' own methods.
const RESERVED_SETTERS: &[&str] = &["send", "items", "timeout", "into_request", "body"];

fn inputs(ep: &Endpoint, body: &Body, body_optional: bool) -> (Vec<Arg>, Vec<Setter>) {
    let mut args = Vec::new();
    let mut setters = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for p in &ep.params {
        let mut name = names::ident(&p.wire);
        while !used.insert(name.clone()) || RESERVED_SETTERS.contains(&name.as_str()) {
            name.push('_');
        }
        let wire = names::lit(&p.wire);
        let doc = format!("`{}` ({})", p.wire, type_word(p));
        let value = match p.ty {
            ParamType::String => "value.into()",
            _ => "value.to_string()",
        };
        if p.required {
            let apply = match (p.location, p.ty) {
                (In::Path, ParamType::String) => format!(".path_param({name})"),
                (In::Path, _) => format!(".path_param({name}.to_string())"),
                (In::Query, _) => format!(".set_query({wire}, {name}.to_string())"),
                (In::Header, _) => format!(".set_header({wire}, {name}.to_string())"),
            };
            args.push(Arg {
                ty: param_type(p, false).to_owned(),
                apply,
                doc,
                param: Some(p.clone()),
                name,
            });
        } else {
            let ty = param_type(p, true);
            // `metadata.<field>`: a family of parameters, one per field
            let (args, wire) = match p.wire.split_once('<') {
                Some((prefix, _)) if p.wire.ends_with('>') => (
                    format!("field: &str, value: {ty}"),
                    format!("&format!(\"{prefix}{{field}}\")"),
                ),
                _ => (format!("value: {ty}"), wire),
            };
            let apply = match p.location {
                In::Header => format!("self.0.set_header({wire}, {value})"),
                _ => format!("self.0.set_query({wire}, {value})"),
            };
            setters.push(Setter {
                args,
                apply,
                doc,
                param: Some(p.clone()),
                name,
            });
        }
    }
    match body {
        Body::None => {}
        Body::Bytes { content_type } => {
            if content_type.is_none() {
                args.push(Arg {
                    name: "content_type".to_owned(),
                    ty: "&str".to_owned(),
                    apply: String::new(),
                    doc: format!("the body's media type (`{}`)", ep.content_type),
                    param: None,
                });
            }
            let ct = match content_type {
                Some(ct) => names::lit(ct),
                None => "content_type".to_owned(),
            };
            args.push(Arg {
                name: "body".to_owned(),
                ty: "Vec<u8>".to_owned(),
                apply: format!(".bytes({ct}, body)"),
                doc: "the raw body".to_owned(),
                param: None,
            });
        }
        typed => {
            let ty = typed.model().unwrap_or_default().to_owned();
            let how = match typed {
                Body::Form(_) => "form-urlencoded",
                Body::Multipart(_) => "multipart/form-data",
                _ => "JSON",
            };
            if body_optional {
                setters.push(Setter {
                    name: "body".to_owned(),
                    args: format!("value: &{ty}"),
                    apply: format!("self.0{}", typed.apply("value")),
                    doc: format!("the body, sent as {how} (without it, none is sent)"),
                    param: None,
                });
            } else {
                args.push(Arg {
                    name: "body".to_owned(),
                    ty: format!("&{ty}"),
                    apply: typed.apply("body"),
                    doc: format!("sent as {how}"),
                    param: None,
                });
            }
        }
    }
    (args, setters)
}

/// Plans every operation.
pub fn plan(spec: &Spec, types: &Types) -> Result<Vec<OpPlan>, String> {
    let mut plans = Vec::new();
    for (index, ep) in spec.endpoints.iter().enumerate() {
        let handler = accessor(&ep.url_service);
        let response = response_type(types, spec, ep)?;
        let pagination = pagination(types, spec, ep, &response);
        let also_scrolls = pagination
            .as_ref()
            .is_some_and(|(style, _)| *style != "Scroll")
            && ep.query_params.iter().any(|q| q == "scroll_id");
        let (body, body_optional) = body(types, spec, ep)?;
        let (args, setters) = inputs(ep, &body, body_optional);
        let key = format!("{}.{}", ep.service, ep.name);
        let request_type =
            (!setters.is_empty() || pagination.is_some()).then(|| names::pascal(&ep.name));
        plans.push(OpPlan {
            index,
            handler,
            method_name: ep.name.clone(),
            args,
            setters,
            body,
            description: crate::describe::describe(ep, pagination.is_some()),
            response,
            pagination,
            also_scrolls,
            retry_safe: spec.overrides.retry_safe.contains_key(&key),
            empty_on_404: spec
                .overrides
                .empty_on_404
                .get(&key)
                .map(|e| e.body.clone()),
            request_type,
            ep: ep.clone(),
        });
    }
    // every retry_safe and empty_on_404 key must name a real operation
    for key in spec
        .overrides
        .retry_safe
        .keys()
        .chain(spec.overrides.empty_on_404.keys())
        .chain(spec.overrides.response_override.keys())
    {
        if !plans
            .iter()
            .any(|p| format!("{}.{}", p.ep.service, p.ep.name) == *key)
        {
            return Err(format!("overrides.toml: {key} names no operation"));
        }
    }
    // method and type names unique per handler, and clear of what the
    // handler modules import
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for p in &plans {
        let mut names = vec![p.method_name.clone()];
        if let Some(t) = &p.request_type {
            if [
                "Client",
                "Request",
                "Response",
                "Paginator",
                "Style",
                "Executor",
            ]
            .contains(&t.as_str())
            {
                return Err(format!("{}: request type {t} shadows an import", p.handler));
            }
            names.push(t.clone());
        }
        for n in names {
            if !seen.insert((p.handler.clone(), n.clone())) {
                return Err(format!("{}: {n} would be declared twice", p.handler));
            }
        }
    }
    Ok(plans)
}
