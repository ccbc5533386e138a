//! Printing answers: JSON (pretty on a terminal, compact when piped),
//! NDJSON, or a table ([`crate::table`]).
//!
//! JSON strings escape, besides what JSON requires, every character a
//! terminal could act on (DEL, the C1 controls such as U+009B, the
//! bidirectional overrides) as `\uXXXX`: the value is the same for any
//! JSON reader, and nothing a server sent reaches a terminal as a control
//! sequence, piped through `cat` or not.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};
use serde_json::Value;

use crate::table::{Kind, Table};
use crate::term;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// One JSON value per line; a list answer prints one item per line.
    Ndjson,
    /// Columns chosen for the kind of item ([`crate::table`]).
    Table,
}

impl Format {
    /// Parses `json`, `ndjson` or `table`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "ndjson" => Some(Format::Ndjson),
            "table" => Some(Format::Table),
            _ => None,
        }
    }
}

/// Writes one answer in `format`; `pretty` indents JSON (for terminals).
/// A `null` answer (an empty body, e.g. HTTP 204) prints nothing.
pub fn write_value(
    out: &mut dyn Write,
    value: &Value,
    format: Format,
    pretty: bool,
    table: (Kind, Option<usize>),
) -> io::Result<()> {
    if value.is_null() {
        return Ok(());
    }
    match format {
        Format::Json => write_json_line(out, value, pretty),
        Format::Ndjson => {
            for item in items(value) {
                write_json_line(out, item, false)?;
            }
            Ok(())
        }
        Format::Table => {
            let (kind, width) = table;
            let mut t = Table::new(kind);
            for item in items(value) {
                t.push(item);
            }
            t.write(out, width)
        }
    }
}

/// The items of a list answer (`{"objects": [...]}` or an array), else the
/// value itself.
fn items(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(a) => Box::new(a.iter()),
        Value::Object(map) => match map.get("objects") {
            Some(Value::Array(a)) => Box::new(a.iter()),
            _ => Box::new(std::iter::once(value)),
        },
        other => Box::new(std::iter::once(other)),
    }
}

fn write_json_line(out: &mut dyn Write, value: &Value, pretty: bool) -> io::Result<()> {
    write_json(out, value, pretty)?;
    out.write_all(b"\n")
}

/// `value` as JSON, terminal-safe ([`Safe`]).
pub fn write_json(out: &mut dyn Write, value: &Value, pretty: bool) -> io::Result<()> {
    if pretty {
        let mut ser = serde_json::Serializer::with_formatter(out, Safe(PrettyFormatter::new()));
        value.serialize(&mut ser)?;
    } else {
        let mut ser = serde_json::Serializer::with_formatter(out, Safe(CompactFormatter));
        value.serialize(&mut ser)?;
    }
    Ok(())
}

/// A JSON formatter that also escapes what [`term::is_unsafe`] names
/// (serde_json escapes only C0 controls, `"` and `\\`).
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if term::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        self.0.write_char_escape(writer, char_escape)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Where paginated items go, one at a time, so memory stays flat however
/// long the list (the table keeps two short strings per row).
pub enum ItemSink<'a> {
    /// One compact JSON document per line.
    Ndjson(&'a mut dyn Write),
    /// One JSON array written as items arrive.
    Array {
        /// Where to write.
        out: &'a mut dyn Write,
        /// Indent for terminals.
        pretty: bool,
        /// Items written so far.
        count: u64,
    },
    /// A table printed at the end, fitted to a terminal's width.
    Table(&'a mut dyn Write, Table, Option<usize>),
}

impl ItemSink<'_> {
    /// Writes one item.
    pub fn push(&mut self, item: &Value) -> io::Result<()> {
        match self {
            ItemSink::Ndjson(out) => write_json_line(*out, item, false),
            ItemSink::Array { out, pretty, count } => {
                let sep: &[u8] = match (*count, *pretty) {
                    (0, true) => b"[\n  ",
                    (0, false) => b"[",
                    (_, true) => b",\n  ",
                    (_, false) => b",",
                };
                out.write_all(sep)?;
                if *pretty {
                    let mut text = Vec::new();
                    write_json(&mut text, item, true)?;
                    let text = String::from_utf8_lossy(&text);
                    out.write_all(text.replace('\n', "\n  ").as_bytes())?;
                } else {
                    write_json(&mut **out, item, false)?;
                }
                *count += 1;
                Ok(())
            }
            ItemSink::Table(_, table, _) => {
                table.push(item);
                Ok(())
            }
        }
    }

    /// Closes the array or prints the table.
    pub fn finish(self) -> io::Result<()> {
        match self {
            ItemSink::Ndjson(out) => out.flush(),
            ItemSink::Array { out, pretty, count } => {
                let end: &[u8] = match (count, pretty) {
                    (0, _) => b"[]\n",
                    (_, true) => b"\n]\n",
                    (_, false) => b"]\n",
                };
                out.write_all(end)?;
                out.flush()
            }
            ItemSink::Table(out, table, width) => table.write(out, width),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(value: &Value, format: Format, pretty: bool) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value, format, pretty, (Kind::Auto, None)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_compact_unless_pretty() {
        let v = json!({"a": 1});
        assert_eq!(render(&v, Format::Json, false), "{\"a\":1}\n");
        assert_eq!(render(&v, Format::Json, true), "{\n  \"a\": 1\n}\n");
        assert_eq!(render(&Value::Null, Format::Json, true), "");
    }

    #[test]
    fn json_escapes_what_a_terminal_would_act_on_and_keeps_the_value() {
        let v = json!({"t": "a\u{1b}[2J\u{9b}31m\u{7f}\u{202e}é\"\\"});
        for pretty in [false, true] {
            let text = render(&v, Format::Json, pretty);
            assert!(
                !text.chars().any(|c| term::is_unsafe(c) && c != '\n'),
                "{text:?}"
            );
            assert!(text.contains(r"\u001b[2J\u009b31m\u007f\u202eé"), "{text}");
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
        }
    }

    #[test]
    fn ndjson_prints_list_items_one_per_line() {
        let v = json!({"objects": [{"id": "1"}, {"id": "2"}], "page": 1});
        assert_eq!(
            render(&v, Format::Ndjson, true),
            "{\"id\":\"1\"}\n{\"id\":\"2\"}\n"
        );
        assert_eq!(render(&json!([1, 2]), Format::Ndjson, false), "1\n2\n");
    }

    #[test]
    fn array_sink_streams_a_valid_array() {
        for pretty in [false, true] {
            let mut out = Vec::new();
            let mut sink = ItemSink::Array {
                out: &mut out,
                pretty,
                count: 0,
            };
            sink.push(&json!({"id": 1, "t": [1]})).unwrap();
            sink.push(&json!({"id": 2})).unwrap();
            sink.finish().unwrap();
            let parsed: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(parsed, json!([{"id": 1, "t": [1]}, {"id": 2}]));
        }
        let mut out = Vec::new();
        ItemSink::Array {
            out: &mut out,
            pretty: false,
            count: 0,
        }
        .finish()
        .unwrap();
        assert_eq!(out, b"[]\n");
    }
}
