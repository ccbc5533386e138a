//! Printing answers: JSON (pretty on a terminal, compact when piped),
//! NDJSON, or a table of id and title/name.

use std::io::{self, Write};

use serde_json::Value;

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// One JSON value per line; a list answer prints one item per line.
    Ndjson,
    /// Columns `ID` and `TITLE`/`NAME`, one row per item.
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
            let mut table = Table::default();
            for item in items(value) {
                table.push(item);
            }
            table.write(out)
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
    if pretty {
        serde_json::to_writer_pretty(&mut *out, value)?;
    } else {
        serde_json::to_writer(&mut *out, value)?;
    }
    out.write_all(b"\n")
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
    /// A table printed at the end.
    Table(&'a mut dyn Write, Table),
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
                    let text = serde_json::to_string_pretty(item)?;
                    out.write_all(text.replace('\n', "\n  ").as_bytes())?;
                } else {
                    serde_json::to_writer(&mut **out, item)?;
                }
                *count += 1;
                Ok(())
            }
            ItemSink::Table(_, table) => {
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
            ItemSink::Table(out, table) => table.write(out),
        }
    }
}

/// Rows of id and title (or name), aligned when written.
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, String)>,
    titles: usize,
    names: usize,
}

impl Table {
    /// Adds the row for one item.
    pub fn push(&mut self, item: &Value) {
        let text = |v: &Value| match v {
            Value::String(s) => Some(clean(s)),
            Value::Null => None,
            other => Some(clean(&other.to_string())),
        };
        let id = item.get("id").and_then(text).unwrap_or_else(|| "-".into());
        let label = if let Some(t) = item.get("title").and_then(text) {
            self.titles += 1;
            t
        } else if let Some(n) = item.get("name").and_then(text) {
            self.names += 1;
            n
        } else {
            String::new()
        };
        self.rows.push((id, label));
    }

    /// Writes the header and the rows.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let header = if self.names > 0 && self.titles == 0 {
            "NAME"
        } else {
            "TITLE"
        };
        let width = self
            .rows
            .iter()
            .map(|(id, _)| id.chars().count())
            .max()
            .unwrap_or(0)
            .max(2);
        writeln!(out, "{:<width$}  {header}", "ID")?;
        for (id, label) in &self.rows {
            writeln!(out, "{id:<width$}  {label}")?;
        }
        out.flush()
    }
}

/// Control characters (which could move the cursor or inject terminal
/// escapes) become spaces.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(value: &Value, format: Format, pretty: bool) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value, format, pretty).unwrap();
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
    fn ndjson_prints_list_items_one_per_line() {
        let v = json!({"objects": [{"id": "1"}, {"id": "2"}], "page": 1});
        assert_eq!(
            render(&v, Format::Ndjson, true),
            "{\"id\":\"1\"}\n{\"id\":\"2\"}\n"
        );
        assert_eq!(render(&json!([1, 2]), Format::Ndjson, false), "1\n2\n");
    }

    #[test]
    fn table_aligns_ids_and_strips_control_characters() {
        let v = json!({"objects": [
            {"id": "abc", "title": "first\u{1b}[2J"},
            {"id": "a", "name": "second"},
            {"title": "no id"}
        ]});
        assert_eq!(
            render(&v, Format::Table, false),
            "ID   TITLE\nabc  first [2J\na    second\n-    no id\n"
        );
        let names = json!([{"id": "u1", "name": "Ann"}]);
        assert_eq!(render(&names, Format::Table, false), "ID  NAME\nu1  Ann\n");
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
