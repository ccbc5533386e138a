//! Turning `--query`, `--body`, `-F` and `-f` into a request's query pairs
//! and JSON body, and raw `iconik api` paths into an operation.

use std::io::Read;

use clap::ArgMatches;
use iconik_sync::api::OperationInfo;
use iconik_sync::{Method, RequestBuilder};
use serde_json::{Map, Value};

use crate::exit::Failure;

/// The largest `--body` read from a file or stdin (64 MiB).
const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// Query pairs and body from the command line.
#[derive(Debug, Default, PartialEq)]
pub struct Parts {
    /// Query pairs, unencoded, in command-line order.
    pub query: Vec<(String, String)>,
    /// Request headers (`-H NAME:VALUE`), in command-line order.
    pub headers: Vec<(String, String)>,
    /// The JSON body, when there is one.
    pub body: Option<Value>,
}

impl Parts {
    /// Adds the query pairs and body to `request`.
    pub fn apply(self, mut request: RequestBuilder) -> RequestBuilder {
        for (k, v) in self.query {
            request = request.query(k, v);
        }
        for (k, v) in self.headers {
            request = request.header(k, v);
        }
        if let Some(body) = &self.body {
            request = request.json(body);
        }
        request
    }
}

/// Reads the request options of `m` for a request sent with `method`.
/// `-F`/`-f` fields go into the body, except on GET and HEAD, where they
/// become query pairs (as `gh api` does).
///
/// # Errors
/// A usage failure for a malformed pair, a body that is not JSON, or fields
/// that cannot be merged into the body.
pub fn parts(m: &ArgMatches, method: Method) -> Result<Parts, Failure> {
    let mut out = Parts::default();
    for pair in m.get_many::<String>("query").into_iter().flatten() {
        out.query.push(split_pair("--query", pair)?);
    }
    for header in m.get_many::<String>("header").into_iter().flatten() {
        let (name, value) = split_header(header)?;
        // tokens travel in headers (Temp-Auth-Token, Authorization)
        let lower = name.to_ascii_lowercase();
        if ["token", "authorization", "secret", "password", "key"]
            .iter()
            .any(|s| lower.contains(s))
        {
            crate::stderr::add_secret(&value);
        }
        out.headers.push((name, value));
    }
    let mut body = match m.get_one::<String>("body") {
        Some(spec) => Some(read_body(spec)?),
        None => None,
    };
    let fields = ordered_fields(m)?;
    if matches!(method, Method::Get | Method::Head) {
        for (key, value, _) in fields {
            out.query.push((key, value));
        }
    } else if !fields.is_empty() {
        let target = body.get_or_insert_with(|| Value::Object(Map::new()));
        for (key, value, typed) in fields {
            let value = if typed {
                typed_value(&value)
            } else {
                Value::String(value)
            };
            set_field(target, &key, value)?;
        }
    }
    out.body = body;
    Ok(out)
}

/// `-F` and `-f` pairs in command-line order: (key, value, typed).
fn ordered_fields(m: &ArgMatches) -> Result<Vec<(String, String, bool)>, Failure> {
    let mut all: Vec<(usize, String, String, bool)> = Vec::new();
    for (id, flag, typed) in [("field", "-F", true), ("raw_field", "-f", false)] {
        let values = m.get_many::<String>(id).into_iter().flatten();
        let indices = m.indices_of(id).into_iter().flatten();
        for (pair, index) in values.zip(indices) {
            let (k, v) = split_pair(flag, pair)?;
            all.push((index, k, v, typed));
        }
    }
    all.sort_by_key(|(i, ..)| *i);
    Ok(all.into_iter().map(|(_, k, v, t)| (k, v, t)).collect())
}

/// `KEY=VALUE` split at the first `=`; the key must not be empty.
pub fn split_pair(flag: &str, pair: &str) -> Result<(String, String), Failure> {
    match pair.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(Failure::usage(format!(
            "{flag} expects KEY=VALUE, got {pair:?}"
        ))),
    }
}

/// Checks the query pairs and headers given for `op` against what it
/// declares: integers and booleans must parse, required ones must be
/// there. Nothing is sent otherwise (`iconik api` sends without checks).
///
/// # Errors
/// A usage failure naming the parameter, its type and how to pass it.
pub fn check_declared(op: &OperationInfo, parts: &Parts) -> Result<(), Failure> {
    use iconik_sync::api::operations::{ParamIn, ParamType};
    for p in op.params {
        let given: Vec<&String> = match p.location {
            ParamIn::Query => parts
                .query
                .iter()
                .filter(|(k, _)| k == p.name)
                .map(|(_, v)| v)
                .collect(),
            ParamIn::Header => parts
                .headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(p.name))
                .map(|(_, v)| v)
                .collect(),
            _ => continue,
        };
        let (flag, sep) = match p.location {
            ParamIn::Header => ("-H", ":"),
            _ => ("-q", "="),
        };
        let ty = crate::help::param_type(p);
        if p.required && given.is_empty() {
            return Err(Failure::usage(format!(
                "{} needs {} ({ty}): {flag} {}{sep}VALUE",
                op.name, p.name, p.name
            )));
        }
        for value in given {
            let ok = match p.ty {
                ParamType::Integer => value.parse::<i64>().is_ok(),
                ParamType::Boolean => value == "true" || value == "false",
                _ => true,
            };
            if !ok {
                return Err(Failure::usage(format!(
                    "{} of {} is {ty}{}, got {value:?}",
                    p.name,
                    op.name,
                    if p.ty == ParamType::Boolean {
                        ": true or false"
                    } else {
                        ""
                    }
                )));
            }
        }
    }
    Ok(())
}

/// `NAME:VALUE` split at the first `:`, spaces around the value dropped;
/// the name must be a valid header name.
pub fn split_header(text: &str) -> Result<(String, String), Failure> {
    match text.split_once(':') {
        Some((name, value))
            if !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b)) =>
        {
            Ok((name.to_owned(), value.trim().to_owned()))
        }
        _ => Err(Failure::usage(format!(
            "-H expects NAME:VALUE, got {text:?}"
        ))),
    }
}

/// A typed field value: JSON when it parses as JSON (numbers, `true`,
/// `false`, `null`, objects, arrays, quoted strings), else the text.
pub fn typed_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Sets `key` (dots nest: `a.b` is `{"a": {"b": ..}}`) in `body`.
fn set_field(body: &mut Value, key: &str, value: Value) -> Result<(), Failure> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(Failure::usage(format!(
            "field name {key:?} has an empty part"
        )));
    }
    let mut node = body;
    for (i, seg) in segments.iter().enumerate() {
        let Value::Object(map) = node else {
            let at = segments[..i].join(".");
            return Err(Failure::usage(if at.is_empty() {
                format!("cannot set field {key:?}: the body is not a JSON object")
            } else {
                format!("cannot set field {key:?}: {at:?} is not an object")
            }));
        };
        if i + 1 == segments.len() {
            map.insert((*seg).to_owned(), value);
            return Ok(());
        }
        node = map
            .entry((*seg).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// `--body`: inline JSON, `@file`, or `@-` for stdin.
fn read_body(spec: &str) -> Result<Value, Failure> {
    let (text, from) = match spec.strip_prefix('@') {
        Some("-") => (
            read_limited(std::io::stdin().lock(), "stdin")?,
            "stdin".to_owned(),
        ),
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read body file {path:?}: {e}")))?;
            (read_limited(file, path)?, format!("file {path:?}"))
        }
        None => (spec.to_owned(), "--body".to_owned()),
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("the body from {from} is not valid JSON: {e}")))
}

fn read_limited(reader: impl Read, what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    reader
        .take(MAX_BODY_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read the body from {what}: {e}")))?;
    if text.len() as u64 > MAX_BODY_BYTES {
        return Err(Failure::usage(format!(
            "the body from {what} is over {MAX_BODY_BYTES} bytes"
        )));
    }
    Ok(text)
}

/// A raw `iconik api` path, split into the service slug, a template whose
/// every segment is a placeholder (so the client validates and encodes each
/// one), the segment values, and the query pairs it carried.
#[derive(Debug, PartialEq)]
pub struct RawPath {
    /// The URL slug, e.g. `assets`.
    pub service: String,
    /// `/{s}/{s}/.../`.
    pub template: String,
    /// Decoded segment values.
    pub segments: Vec<String>,
    /// Decoded query pairs from `?...`.
    pub query: Vec<(String, String)>,
    /// The path as shown in errors, `/API/<service>/<segments>/`.
    pub display: String,
}

/// Parses `/API/assets/v1/assets/?per_page=2`, `API/assets/v1/assets` or
/// `assets/v1/assets/`.
///
/// # Errors
/// A usage failure when there is no service or no path after it.
pub fn raw_path(input: &str) -> Result<RawPath, Failure> {
    let (path, query) = match input.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (input, None),
    };
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed.strip_prefix("API/").unwrap_or(trimmed);
    let mut parts = trimmed.split('/').filter(|s| !s.is_empty());
    let service = parts.next().map(str::to_owned);
    let segments: Vec<String> = parts.map(percent_decode).collect();
    let Some(service) = service.filter(|_| !segments.is_empty()) else {
        return Err(Failure::usage(format!(
            "PATH {input:?} must be /API/<service>/<path>, e.g. /API/assets/v1/assets/"
        )));
    };
    let template = format!("/{}", "{s}/".repeat(segments.len()));
    let display = format!("/API/{service}/{}/", segments.join("/"));
    let mut pairs = Vec::new();
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((percent_decode(k), percent_decode(v)));
    }
    Ok(RawPath {
        service,
        template,
        segments,
        query: pairs,
        display,
    })
}

/// Decodes `%XX` escapes (`+` stays `+`); invalid escapes stay as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses an `iconik api` METHOD (any case).
pub fn method(name: &str) -> Option<Method> {
    Some(match name.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "HEAD" => Method::Head,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_values_parse_json_and_keep_other_text() {
        assert_eq!(typed_value("42"), json!(42));
        assert_eq!(typed_value("true"), json!(true));
        assert_eq!(typed_value("null"), Value::Null);
        assert_eq!(typed_value("[1,\"a\"]"), json!([1, "a"]));
        assert_eq!(typed_value("007"), json!("007"));
        assert_eq!(typed_value("hello world"), json!("hello world"));
    }

    #[test]
    fn fields_nest_and_refuse_to_overwrite_non_objects() {
        let mut body = json!({"title": "x"});
        set_field(&mut body, "meta.a.b", json!(1)).unwrap();
        set_field(&mut body, "meta.c", json!("d")).unwrap();
        assert_eq!(
            body,
            json!({"title": "x", "meta": {"a": {"b": 1}, "c": "d"}})
        );
        assert_eq!(
            set_field(&mut body, "title.sub", json!(1))
                .unwrap_err()
                .exit as u8,
            2
        );
        assert!(set_field(&mut body, "a..b", json!(1)).is_err());
        assert!(set_field(&mut json!([1]), "a", json!(1)).is_err());
    }

    #[test]
    fn pairs_need_a_key_and_an_equals_sign() {
        assert_eq!(
            split_pair("-q", "a=b=c").unwrap(),
            ("a".into(), "b=c".into())
        );
        assert_eq!(split_pair("-q", "a=").unwrap(), ("a".into(), String::new()));
        assert!(split_pair("-q", "=b").is_err());
        assert!(split_pair("-q", "ab").is_err());
    }

    #[test]
    fn headers_are_name_colon_value() {
        assert_eq!(
            split_header("User-ID: 6f1f").unwrap(),
            ("User-ID".into(), "6f1f".into())
        );
        assert_eq!(split_header("X:a:b").unwrap(), ("X".into(), "a:b".into()));
        assert!(split_header("no-colon").is_err());
        assert!(split_header(":v").is_err());
        assert!(split_header("bad name:v").is_err());
    }

    #[test]
    fn raw_paths_accept_three_spellings() {
        for input in [
            "/API/assets/v1/assets/",
            "API/assets/v1/assets",
            "assets/v1/assets/",
        ] {
            let p = raw_path(input).unwrap();
            assert_eq!(p.service, "assets", "{input}");
            assert_eq!(p.template, "/{s}/{s}/");
            assert_eq!(p.segments, ["v1", "assets"]);
            assert_eq!(p.display, "/API/assets/v1/assets/");
        }
        let p = raw_path("/API/assets/v1/assets/a%2Fb/?per_page=2&q=a%20b").unwrap();
        assert_eq!(p.segments, ["v1", "assets", "a/b"]);
        assert_eq!(
            p.query,
            [("per_page".into(), "2".into()), ("q".into(), "a b".into())]
        );
        assert!(raw_path("/API/assets/").is_err());
        assert!(raw_path("").is_err());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
