//! Every operation without special semantics. Resources whose paths follow
//! the collection/item pattern (`POST /v1/x/` + `/v1/x/{id}/`) are stateful
//! CRUD; every other operation answers a schema-valid example of its
//! response schema, echoing request fields and path parameters that fit.

use super::*;
use crate::schema::{echo_into, example_model};
use crate::spec::{spec, Kind, Op, Schemas};

/// `users` -> `User`, `categories` -> `Category`.
fn label(segs: &[&str]) -> String {
    let last = segs.last().copied().unwrap_or("object");
    let singular = match last.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => last.strip_suffix('s').unwrap_or(last).to_string(),
    };
    let base = singular.replace('_', " ");
    let mut c = base.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Object".into(),
    }
}

impl Store {
    /// Answers an operation no core-service module serves.
    pub(super) fn generic(
        &mut self,
        op: &Op,
        params: &[(String, String)],
        segs: &[&str],
        ctx: &Ctx,
    ) -> R {
        let sc = spec().schemas(&op.service);
        let body = match ctx.obj() {
            Ok(m) => m,
            Err(_) if !op.json_body() => Map::new(),
            Err(e) => return Err(e),
        };
        let status = op.success;
        match op.kind {
            Kind::Collection if op.method == "POST" => {
                let key = format!("{}/{}", op.url_service, segs.join("/"));
                let obj = self.generic_create(op, sc, params, &key, body);
                let kind = segs.last().copied().unwrap_or("objects").to_string();
                *self.creations.entry(kind).or_default() += 1;
                Ok((status, Some(obj)))
            }
            Kind::Collection => {
                let key = format!("{}/{}", op.url_service, segs.join("/"));
                let items: Vec<&Value> = self
                    .generic
                    .get(&key)
                    .map(|t| t.iter().collect())
                    .unwrap_or_default();
                let list = if op.has_query("last_id") {
                    cursor_list(&items, ctx, "last_id", "id")
                } else if ["page", "per_page", "scroll"]
                    .iter()
                    .any(|q| op.has_query(q))
                {
                    page_list(&items, ctx, None)
                } else {
                    json!({ "objects": items })
                };
                let mut out = response_example(op, sc, params);
                if let Value::Object(m) = list {
                    out.extend(m);
                }
                Ok((status, Some(Value::Object(out))))
            }
            Kind::Item => {
                let key = format!("{}/{}", op.url_service, segs[..segs.len() - 1].join("/"));
                let id = segs.last().copied().unwrap_or("");
                let Some(stored) = self.generic.get_mut(&key).and_then(|t| t.get_mut(id)) else {
                    return Err(not_found(&label(&segs[..segs.len() - 1])));
                };
                match op.method.as_str() {
                    "DELETE" => {
                        if let Some(t) = self.generic.get_mut(&key) {
                            t.remove(id);
                        }
                        if status == 204 {
                            return status_only(status);
                        }
                        Ok((
                            status,
                            Some(Value::Object(response_example(op, sc, params))),
                        ))
                    }
                    "PUT" | "PATCH" => {
                        if let Value::Object(m) = stored {
                            for (k, v) in body {
                                if k != "id" && k != "date_created" {
                                    m.insert(k, v);
                                }
                            }
                            m.insert("date_modified".into(), json!(now_iso()));
                        }
                        let stored = stored.clone();
                        Ok((status, Some(complete(op, sc, params, stored))))
                    }
                    _ => {
                        let stored = stored.clone();
                        Ok((status, Some(complete(op, sc, params, stored))))
                    }
                }
            }
            Kind::Other => {
                if op.response.is_empty() || status == 204 {
                    return status_only(status);
                }
                let mut out = response_example(op, sc, params);
                if let Some(m) = op.response.first() {
                    echo_into(sc, m, &body, &mut out);
                }
                Ok((status, Some(Value::Object(out))))
            }
        }
    }

    fn generic_create(
        &mut self,
        op: &Op,
        sc: &Schemas,
        params: &[(String, String)],
        key: &str,
        body: Map<String, Value>,
    ) -> Value {
        let mut obj = response_example(op, sc, params);
        let model = op.response.first().or(op.body.first());
        for (k, v) in body {
            let fits = match model {
                Some(m) => {
                    let mut one = Map::new();
                    echo_into(sc, m, &Map::from_iter([(k.clone(), v.clone())]), &mut one);
                    !one.is_empty() || sc.models.get(m).is_none_or(|md| md.field(&k).is_none())
                }
                None => true,
            };
            if fits && k != "id" {
                obj.insert(k, v);
            }
        }
        let id = new_id(&mut self.rng);
        let now = now_iso();
        obj.insert("id".into(), json!(id));
        obj.insert("date_created".into(), json!(now));
        obj.insert("date_modified".into(), json!(now));
        self.seq += 1;
        let seq = self.seq;
        let t = self.generic.entry(key.to_string()).or_default();
        t.idx.insert(id, seq);
        let v = Value::Object(obj);
        t.rows.insert(seq, v.clone());
        v
    }
}

fn status_only(status: u16) -> R {
    Ok((status, None))
}

/// An example of the operation's (first) response schema, with the path
/// parameters it declares filled in.
fn response_example(op: &Op, sc: &Schemas, params: &[(String, String)]) -> Map<String, Value> {
    let Some(model) = op.response.first() else {
        return Map::new();
    };
    let mut out = example_model(sc, model);
    let pm: Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    echo_into(sc, model, &pm, &mut out);
    out
}

/// A stored object completed with what the operation's response schema
/// requires and it lacks.
fn complete(op: &Op, sc: &Schemas, params: &[(String, String)], stored: Value) -> Value {
    let mut out = response_example(op, sc, params);
    if let Value::Object(m) = stored {
        out.extend(m);
    }
    Value::Object(out)
}
