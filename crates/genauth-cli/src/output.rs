//! What a command prints: JSON (pretty on a terminal), YAML, or a table.

use comfy_table::{presets, ContentArrangement, Table};
use serde_json::Value;

use crate::{Failure, Io};

/// The output format.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON: pretty on a terminal, one line otherwise; JSON lines with --all
    Json,
    /// YAML; one document per item with --all
    Yaml,
    /// A table: a list (or a page's list) one row per item, a flat object one row per field
    Table,
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// A value by dotted path (`identities.0.provider` reaches into lists too).
fn field<'a>(item: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(item, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The rows of a value shown as a table: a list, a page's `list`, or `None`.
fn rows(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(m) => match m.get("list") {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// Renders `value` as a table (no trailing newline).
pub fn table(value: &Value, fields: &[String]) -> Result<String, Failure> {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    if let Some(items) = rows(value) {
        let columns: Vec<String> = if fields.is_empty() {
            // Every key that holds a scalar other than null in some item, in first-seen order.
            let mut cols: Vec<String> = Vec::new();
            for item in items {
                let Value::Object(m) = item else {
                    return Err(Failure::usage(
                        "--output table: the list's items are not objects; use --output json or yaml",
                    ));
                };
                for (k, v) in m {
                    if is_scalar(v) && !v.is_null() && !cols.contains(k) {
                        cols.push(k.clone());
                    }
                }
            }
            cols
        } else {
            fields.to_vec()
        };
        t.set_header(columns.iter().map(String::as_str));
        for item in items {
            t.add_row(columns.iter().map(|c| match field(item, c) {
                Some(v) if is_scalar(v) => scalar_text(v),
                Some(v) => v.to_string(),
                None => String::new(),
            }));
        }
        return Ok(t.to_string());
    }
    let Value::Object(m) = value else {
        return Ok(scalar_text(value));
    };
    let pairs: Vec<(String, &Value)> = if fields.is_empty() {
        m.iter().map(|(k, v)| (k.clone(), v)).collect()
    } else {
        fields
            .iter()
            .map(|f| (f.clone(), field(value, f).unwrap_or(&Value::Null)))
            .collect()
    };
    if fields.is_empty() && pairs.iter().any(|(_, v)| !is_scalar(v)) {
        let nested: Vec<&str> = pairs
            .iter()
            .filter(|(_, v)| !is_scalar(v))
            .map(|(k, _)| k.as_str())
            .collect();
        return Err(Failure::usage(format!(
            "--output table shows lists and flat objects; this object nests `{}`: pick columns with --fields, or use --output json or yaml",
            nested.join("`, `")
        )));
    }
    t.set_header(["field", "value"]);
    for (k, v) in pairs {
        let text = if is_scalar(v) {
            scalar_text(v)
        } else {
            v.to_string()
        };
        t.add_row([k, text]);
    }
    Ok(t.to_string())
}

/// YAML text of a value.
pub fn yaml(value: &Value) -> Result<String, Failure> {
    serde_yaml_ng::to_string(value).map_err(|e| Failure::usage(format!("cannot write YAML: {e}")))
}

/// Prints one value.
pub fn print(
    io: &mut Io<'_>,
    format: Option<Format>,
    fields: &[String],
    value: &Value,
) -> Result<(), Failure> {
    match format.unwrap_or(Format::Json) {
        Format::Json => crate::print_json(io, value),
        Format::Yaml => io
            .out
            .write_all(yaml(value)?.as_bytes())
            .map_err(Failure::write),
        Format::Table => writeln!(io.out, "{}", table(value, fields)?).map_err(Failure::write),
    }
}

/// Prints the items of `--all` as they come: a JSON line or a YAML document
/// each; a table needs them all, so [`ItemSink::finish`] prints it.
pub struct ItemSink {
    format: Format,
    fields: Vec<String>,
    held: Vec<Value>,
}

impl ItemSink {
    /// A sink for the format.
    pub fn new(format: Option<Format>, fields: &[String]) -> Self {
        Self {
            format: format.unwrap_or(Format::Json),
            fields: fields.to_vec(),
            held: Vec::new(),
        }
    }

    /// Takes one item.
    pub fn item(&mut self, io: &mut Io<'_>, item: Value) -> Result<(), Failure> {
        match self.format {
            Format::Json => {
                let line =
                    serde_json::to_string(&item).map_err(|e| Failure::usage(e.to_string()))?;
                writeln!(io.out, "{line}").map_err(Failure::write)
            }
            Format::Yaml => write!(io.out, "---\n{}", yaml(&item)?).map_err(Failure::write),
            Format::Table => {
                self.held.push(item);
                Ok(())
            }
        }
    }

    /// Prints what was held.
    pub fn finish(self, io: &mut Io<'_>) -> Result<(), Failure> {
        if self.format == Format::Table {
            let text = table(&Value::Array(self.held), &self.fields)?;
            writeln!(io.out, "{text}").map_err(Failure::write)?;
        }
        io.out.flush().map_err(Failure::write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_is_a_table_of_its_list_with_the_scalar_columns() {
        let page = json!({"totalCount": 2, "list": [
            {"userId": "u1", "email": "ann@example.com", "phone": null, "identities": [{"a": 1}]},
            {"userId": "u2", "email": null, "name": "李雷", "blocked": false},
        ]});
        let t = table(&page, &[]).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[1].contains("userId")
                && lines[1].contains("email")
                && lines[1].contains("name")
                && lines[1].contains("blocked"),
            "{t}"
        );
        assert!(
            !lines[1].contains("phone") && !lines[1].contains("identities"),
            "{t}"
        );
        assert!(
            t.contains("ann@example.com") && t.contains("李雷") && t.contains("false"),
            "{t}"
        );
        // Every line has the same display width (CJK counted as two columns).
        let width = |l: &str| {
            l.chars()
                .map(|c| {
                    if (0x3000..=0x9FFF).contains(&(c as u32)) {
                        2
                    } else {
                        1
                    }
                })
                .sum::<usize>()
        };
        assert!(lines.iter().all(|l| width(l) == width(lines[0])), "{t}");
    }

    #[test]
    fn fields_pick_columns_by_dotted_path() {
        let items = json!([{"userId": "u1", "identities": [{"provider": "github"}]}]);
        let t = table(
            &items,
            &[
                "identities.0.provider".into(),
                "userId".into(),
                "missing".into(),
            ],
        )
        .unwrap();
        assert!(
            t.contains("identities.0.provider") && t.contains("github") && t.contains("u1"),
            "{t}"
        );
    }

    #[test]
    fn a_flat_object_is_field_value_rows_and_a_nested_one_is_refused() {
        let t = table(&json!({"userId": "u1", "blocked": true}), &[]).unwrap();
        assert!(
            t.contains("field") && t.contains("userId") && t.contains("true"),
            "{t}"
        );
        let e = table(&json!({"userId": "u1", "roles": ["a"]}), &[]).unwrap_err();
        assert!(e.message.contains("nests `roles`"), "{}", e.message);
        assert!(table(&json!({"userId": "u1", "roles": ["a"]}), &["userId".into()]).is_ok());
        let e = table(&json!([1, 2]), &[]).unwrap_err();
        assert!(e.message.contains("not objects"), "{}", e.message);
    }

    #[test]
    fn yaml_keeps_types() {
        let y = yaml(&json!({"a": 1, "b": "x", "c": [true], "d": null})).unwrap();
        assert_eq!(y, "a: 1\nb: x\nc:\n- true\nd: null\n");
    }
}
