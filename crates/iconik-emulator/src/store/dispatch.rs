//! From a request to an answer: route it with the spec's table, check its
//! path parameters and JSON body against the spec, then let the core-service
//! module or the generic resource handler answer.

use super::*;
use crate::schema::check_any;
use crate::spec::{is_uuid, is_uuid_param, spec, Auth, Op, RouteMatch};
use crate::storage::{b2_api, B2Step};

/// Services with a module of their own (special semantics); every other
/// operation, and those the modules do not serve, go to the generic handler.
const CORE_SERVICES: &[&str] = &["assets", "files", "jobs", "metadata", "search"];

/// Operations the core-service modules serve although their template
/// shadows a parameter template (the modules match these literals first);
/// every other shadowing operation goes to the generic handler, so a module
/// never mistakes `recent` in `/v1/assets/recent/` for an asset id.
const CORE_SHADOWING: &[(&str, &str)] = &[
    ("DELETE", "/v1/assets/{asset_id}/segments/bulk/"),
    ("DELETE", "/v1/assets/{asset_id}/versions/old/"),
    ("PUT", "/v1/jobs/state/"),
    ("GET", "/v1/fields/{field_name}/"),
    ("PUT", "/v1/fields/{field_name}/"),
    ("GET", "/v1/views/{view_id}/"),
    ("PUT", "/v1/views/{view_id}/"),
    (
        "GET",
        "/v1/assets/{asset_id}/versions/{version_id}/views/{view_id}/",
    ),
];

fn core_serves(service: &str, op: &Op) -> bool {
    CORE_SERVICES.contains(&service)
        && (!op.shadows
            || CORE_SHADOWING
                .iter()
                .any(|(m, p)| *m == op.method && *p == op.path))
}

/// A matched operation and its path parameters.
type Routed = (&'static Op, Vec<(String, String)>);

/// The route of one `/API/...` request, decided before auth (some
/// operations take no credentials).
pub(crate) struct Resolved {
    /// The URL slug of the service.
    service: String,
    /// Decoded path segments after the slug.
    segs: Vec<String>,
    found: Result<Routed, Fail>,
}

impl Resolved {
    /// The spec's operation id (`get_asset`), or `-` when none matched.
    pub(crate) fn op_id(&self) -> &'static str {
        match &self.found {
            Ok((op, _)) => &op.op,
            Err(_) => "-",
        }
    }

    /// Which credentials the operation takes (unknown routes: both).
    pub(crate) fn auth(&self) -> Auth {
        match &self.found {
            Ok((op, _)) => op.auth,
            Err(_) => Auth::Both,
        }
    }
}

/// Routes `method path` (path starts with `/API/`).
pub(crate) fn resolve(method: &str, path: &str) -> Resolved {
    let rest = path.strip_prefix("/API/").unwrap_or("");
    let mut decoded: Vec<String> = rest
        .split('/')
        .filter(|p| !p.is_empty())
        .take(32)
        .map(percent_decode)
        .collect();
    if decoded.is_empty() {
        return Resolved {
            service: String::new(),
            segs: Vec::new(),
            found: Err(route_not_found()),
        };
    }
    let service = decoded.remove(0);
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let found = match spec().route(&service, method, &segs) {
        RouteMatch::Found(op, params) => Ok((op, params)),
        RouteMatch::WrongMethod => Err(Fail(
            405,
            errors(format!("Method {method} not allowed on this path")),
        )),
        RouteMatch::NotFound => Err(route_not_found()),
    };
    Resolved {
        service,
        segs: decoded,
        found,
    }
}

/// Handles one routed `/API/...` request (auth, limits and faults already applied).
pub(crate) fn handle(
    sh: &Shared,
    route: &Resolved,
    method: &str,
    path: &str,
    q: &Query,
    body: &[u8],
) -> Response {
    match answer(sh, route, method, path, q, body) {
        Ok(resp) => resp,
        Err(Fail(code, v)) => Response::json(code, &v),
    }
}

fn to_response(r: R) -> Response {
    match r {
        Ok((code, Some(v))) => Response::json(code, &v),
        Ok((code, None)) => Response::empty(code),
        Err(Fail(code, v)) => Response::json(code, &v),
    }
}

fn answer(
    sh: &Shared,
    route: &Resolved,
    method: &str,
    path: &str,
    q: &Query,
    body: &[u8],
) -> Result<Response, Fail> {
    let (op, params) = match &route.found {
        Ok(f) => f,
        Err(Fail(code, v)) => return Err(Fail(*code, v.clone())),
    };
    for (name, value) in params {
        if is_uuid_param(name) && !is_uuid(value) {
            return Err(not_found(&param_label(name)));
        }
    }
    let ctx = Ctx {
        method,
        path,
        q,
        body,
    };
    check_body(op, &ctx)?;
    let segs: Vec<&str> = route.segs.iter().map(String::as_str).collect();
    if let ("files", ["v1", "assets", a, "files", f, "multipart", "b2", step]) =
        (route.service.as_str(), segs.as_slice())
    {
        let step = match *step {
            "start" => B2Step::Start,
            "finish" => B2Step::Finish,
            _ => B2Step::Cancel,
        };
        // Takes the store and storage locks itself, one at a time.
        return Ok(b2_api(sh, step, a, f, body));
    }
    let mut st = lock(&sh.store);
    let r = if core_serves(&route.service, op) {
        st.route(&route.service, &segs, &ctx)
    } else {
        Err(route_not_found())
    };
    Ok(to_response(match r {
        Err(f) if is_no_route(&f) => st.generic(op, params, &segs, &ctx),
        Ok((code, Some(v))) => Ok((code, Some(complete_required(op, v)))),
        other => other,
    }))
}

/// Fills required fields of the response schema that a core-service answer
/// lacks (or holds with a value the schema does not allow, e.g. a keyframe
/// read that the spec answers as a `FileSchema`) with example values, so
/// every answer decodes with the typed client.
fn complete_required(op: &Op, mut v: Value) -> Value {
    let Some(model) = op.response.first() else {
        return v;
    };
    let sc = spec().schemas(&op.service);
    let (Some(m), Value::Object(obj)) = (sc.models.get(model), &mut v) else {
        return v;
    };
    for f in m.fields.iter().filter(|f| f.required) {
        let missing = match obj.get(&f.name) {
            None => true,
            Some(v) => !crate::schema::fits(sc, &f.ty, v),
        };
        if missing {
            obj.insert(
                f.name.clone(),
                crate::schema::example(sc, &f.ty, &f.name, 1),
            );
        }
    }
    v
}

/// `asset_id` -> `Asset`.
fn param_label(name: &str) -> String {
    let base = name.strip_suffix("_id").unwrap_or(name).replace('_', " ");
    let mut c = base.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Object".into(),
    }
}

/// A JSON body is checked against the operation's body schema: types,
/// required fields (not for PATCH), closed enums. A missing body counts as
/// `{}` unless the spec lets it be omitted.
fn check_body(op: &Op, ctx: &Ctx) -> Result<(), Fail> {
    if !op.json_body() {
        return Ok(());
    }
    let blank = ctx.body.iter().all(u8::is_ascii_whitespace);
    if blank && (op.body_optional || ctx.method == "DELETE" || ctx.method == "GET") {
        return Ok(());
    }
    let v = if blank {
        Value::Object(Map::new())
    } else {
        match serde_json::from_slice::<Value>(ctx.body) {
            Ok(v) => v,
            Err(e) => return Err(bad_request(format!("Invalid JSON body: {e}"))),
        }
    };
    let errs = check_any(
        spec().schemas(&op.service),
        &op.body,
        &v,
        ctx.method == "PATCH",
    );
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Fail(400, json!({ "errors": errs })))
    }
}
