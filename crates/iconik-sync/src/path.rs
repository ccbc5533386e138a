//! Path templates: validating and percent-encoding path parameters.
//!
//! Every `{placeholder}` of a template such as `/v1/assets/{asset_id}/` is
//! filled with one parameter, encoded as a single path segment. Values that
//! could change which resource is addressed are refused before anything is
//! sent: empty, `.`, `..` (also when percent-encoded), and control
//! characters (CR, LF, NUL, ...), raw or percent-encoded.

use std::fmt::Write;

use crate::error::{Error, Result};

/// Renders `template` with `params` in order, validating each one.
pub(crate) fn render(template: &str, params: &[String]) -> Result<String> {
    let mut out =
        String::with_capacity(template.len() + params.iter().map(String::len).sum::<usize>());
    let mut rest = template;
    let mut used = 0;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| Error::invalid(format!("unclosed placeholder in path {template:?}")))?;
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = params.get(used).ok_or_else(|| {
            Error::invalid(format!(
                "path {template:?} needs a value for {{{name}}}, got {} parameter(s)",
                params.len()
            ))
        })?;
        check_segment(name, value)?;
        encode_segment(value, &mut out);
        used += 1;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if used != params.len() {
        return Err(Error::invalid(format!(
            "path {template:?} has {used} placeholder(s) but {} parameter(s) were given",
            params.len()
        )));
    }
    Ok(out)
}

/// Refuses values that are empty, dot segments or hold control characters,
/// in raw or percent-decoded form.
pub(crate) fn check_segment(name: &str, value: &str) -> Result<()> {
    // without a '%' there is nothing to decode (and nothing to allocate)
    let decoded: std::borrow::Cow<'_, [u8]> = match value.contains('%') {
        true => percent_decode(value).into(),
        false => value.as_bytes().into(),
    };
    let bad = |why: &str| Err(Error::invalid(format!("path parameter {name}: {why}")));
    if value.is_empty() || decoded.is_empty() {
        return bad("must not be empty");
    }
    if *decoded == *b"." || *decoded == *b".." {
        return bad("must not be a dot segment");
    }
    if value.chars().any(char::is_control) || decoded.iter().any(|b| b.is_ascii_control()) {
        return bad("must not contain control characters");
    }
    Ok(())
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so `/`,
/// `?`, `#` and `%` cannot escape the segment.
pub(crate) fn encode_segment(value: &str, out: &mut String) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Percent-encodes a query key or value (form style: space is `%20`).
pub(crate) fn encode_query_component(value: &str, out: &mut String) {
    encode_segment(value, out)
}

/// Decodes `%XX` sequences repeatedly (so `%252e` is seen as `.`); invalid
/// sequences are kept as they are.
fn percent_decode(value: &str) -> Vec<u8> {
    let mut current = value.as_bytes().to_vec();
    // Bounded: each pass that changes anything makes the value shorter.
    loop {
        let (out, changed) = decode_once(&current);
        if !changed {
            return out;
        }
        current = out;
    }
}

/// One pass of `%XX` decoding; says whether anything was decoded.
pub(crate) fn decode_once(bytes: &[u8]) -> (Vec<u8>, bool) {
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                changed = true;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> Result<String> {
        render("/v1/assets/{asset_id}/", &[v.to_string()])
    }

    #[test]
    fn encodes_as_one_segment() {
        assert_eq!(one("abc-123").unwrap(), "/v1/assets/abc-123/");
        assert_eq!(one("a/b").unwrap(), "/v1/assets/a%2Fb/");
        assert_eq!(one("a b?c#d%").unwrap(), "/v1/assets/a%20b%3Fc%23d%25/");
        assert_eq!(one("é").unwrap(), "/v1/assets/%C3%A9/");
    }

    #[test]
    fn rejects_dangerous_values() {
        for v in [
            "",
            ".",
            "..",
            "%2e",
            "%2E",
            "%2e%2E",
            ".%2e",
            "%252e%252e",
            "a\rb",
            "a\nb",
            "a\0b",
            "%0d%0a",
            "%00",
            "\t",
            "%",
        ] {
            if v == "%" {
                // a lone percent sign is just a character: it is encoded
                assert_eq!(one(v).unwrap(), "/v1/assets/%25/");
                continue;
            }
            assert!(
                matches!(one(v), Err(Error::InvalidArgument(_))),
                "{v:?} should be rejected"
            );
        }
    }

    #[test]
    fn counts_must_match() {
        assert!(render("/v1/a/{x}/{y}/", &["1".into()]).is_err());
        assert!(render("/v1/a/", &["1".into()]).is_err());
        assert!(render("/v1/a/{x", &["1".into()]).is_err());
        assert_eq!(
            render("/v1/a/{x}/b/{y}/", &["1".into(), "2".into()]).unwrap(),
            "/v1/a/1/b/2/"
        );
    }
}
