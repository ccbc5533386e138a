//! The search service and its cursors and filters.

use super::*;

impl Store {
    pub(super) fn route_search(&mut self, m: &str, segs: &[&str], ctx: &Ctx) -> R {
        match (m, segs) {
            ("POST", ["v1" | "v2", "search"]) => {
                let body = ctx.obj()?;
                let doc_types: Vec<String> = match body.get("doc_types") {
                    Some(Value::Array(a)) if !a.is_empty() => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => vec!["assets".into(), "collections".into()],
                };
                let query = body
                    .get("query")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_lowercase();
                let query = query.trim_matches('"').trim_end_matches('*').to_string();
                // the fields the query is matched in: `search_fields`, or the title
                let fields: Vec<String> = match body.get("search_fields") {
                    Some(Value::Array(a)) if !a.is_empty() => a
                        .iter()
                        .take(64)
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    _ => vec!["title".into()],
                };
                let filter = body.get("filter").cloned().unwrap_or(Value::Null);
                let mut hits: Vec<Value> = Vec::new();
                for (dt, k) in [("assets", K::Assets), ("collections", K::Collections)] {
                    if !doc_types.iter().any(|d| d == dt) {
                        continue;
                    }
                    for v in self.t(k).iter() {
                        let in_fields = fields
                            .iter()
                            .any(|f| s(v, f).to_lowercase().contains(&query));
                        let filtered_status = filter_mentions(&filter, "status");
                        if (!filtered_status && !not_deleted(v))
                            || !(query.is_empty() || in_fields)
                            || !filter_matches(&filter, v, 0)
                        {
                            continue;
                        }
                        let mut h = v.clone();
                        if let Value::Object(hm) = &mut h {
                            hm.insert("object_type".into(), json!(dt));
                        }
                        hits.push(h);
                    }
                }
                let refs: Vec<&Value> = hits.iter().collect();
                if let Some(Value::Array(sa)) = body.get("search_after") {
                    let last = sa
                        .last()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .unwrap_or_default();
                    return ok(search_after_list(&refs, ctx.per_page(), &last));
                }
                let mut out = page_list(&refs, ctx, Some(("facets", json!({}))));
                add_search_after(&mut out);
                ok(out)
            }
            _ => Err(route_not_found()),
        }
    }
}

/// The id in a `search_after` value: a JSON array or a comma list, last element.
pub(super) fn search_after_id(raw: &str) -> String {
    if let Ok(Value::Array(a)) = serde_json::from_str::<Value>(raw) {
        if let Some(last) = a.last() {
            return last
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| last.to_string());
        }
    }
    raw.rsplit(',')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_string()
}

/// Objects after the one whose id is `last` (none when it is unknown).
pub(super) fn search_after_list(items: &[&Value], per_page: usize, last: &str) -> Value {
    let start = items
        .iter()
        .position(|v| field_is(v, "id", last))
        .map_or(items.len(), |p| p + 1);
    let end = start.saturating_add(per_page).min(items.len());
    let objects: Vec<Value> = items[start..end].iter().map(|v| (*v).clone()).collect();
    let next = if end < items.len() && end > start {
        sort_key(items[end - 1])
    } else {
        Value::Null
    };
    json!({
        "objects": objects, "per_page": per_page, "total": items.len(),
        "search_after": next, "next_url": null, "prev_url": null,
        "first_url": null, "last_url": null, "facets": {},
    })
}

/// The `search_after` key of an object: `[date_created, id]`.
pub(super) fn sort_key(v: &Value) -> Value {
    json!([s(v, "date_created"), s(v, "id")])
}

/// Adds `search_after` (the last object's sort key) to a page body.
pub(super) fn add_search_after(out: &mut Value) {
    let last = out
        .get("objects")
        .and_then(Value::as_array)
        .and_then(|o| o.last())
        .map(sort_key);
    if let (Value::Object(om), Some(l)) = (out, last) {
        om.insert("search_after".into(), l);
    }
}

pub(super) fn filter_mentions(filter: &Value, name: &str) -> bool {
    filter
        .get("terms")
        .and_then(Value::as_array)
        .is_some_and(|ts| ts.iter().any(|t| field_is(t, "name", name)))
}

/// Evaluates a search `filter` (`{"operator": "AND"|"OR", "terms": [{"name", "value"|"value_in"|"exists"}], "filters": [...]}`).
pub(super) fn filter_matches(filter: &Value, obj: &Value, depth: usize) -> bool {
    let Value::Object(f) = filter else {
        return true;
    };
    if depth > 16 {
        return true;
    }
    let or = f
        .get("operator")
        .and_then(Value::as_str)
        .is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    let mut results: Vec<bool> = Vec::new();
    if let Some(Value::Array(terms)) = f.get("terms") {
        for t in terms.iter().take(256) {
            let name = s(t, "name");
            let field = obj.get(&name);
            let as_text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let matches_one = |want: &Value| match field {
                Some(Value::Array(a)) => a.iter().any(|x| as_text(x) == as_text(want)),
                Some(x) => as_text(x) == as_text(want),
                None => false,
            };
            let r = if let Some(v) = t.get("value").filter(|v| !v.is_null()) {
                matches_one(v)
            } else if let Some(Value::Array(vs)) = t.get("value_in") {
                vs.iter().any(matches_one)
            } else if let Some(e) = t.get("exists").and_then(Value::as_bool) {
                field.is_some_and(|x| !x.is_null()) == e
            } else {
                true
            };
            results.push(r);
        }
    }
    if let Some(Value::Array(subs)) = f.get("filters") {
        for sub in subs.iter().take(64) {
            results.push(filter_matches(sub, obj, depth + 1));
        }
    }
    if results.is_empty() {
        return true;
    }
    if or {
        results.iter().any(|r| *r)
    } else {
        results.iter().all(|r| *r)
    }
}
