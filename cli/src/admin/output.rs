//! What a command that makes or changes one thing prints on stdout, as `--output` asks: a table
//! of one row for people (the default), or exactly one JSON object on one line for scripts.

use super::table;
use clap::Args;
use serde_json::Value;

/// `--output table|json`.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct OutputArgs {
    /// `table` for people, `json` for scripts: exactly one JSON object on stdout (notes and
    /// warnings go to stderr).
    #[arg(long = "output", value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
}

/// One thing, field by field in the order shown: each with its JSON key, its table header,
/// its table cell and its JSON value.
#[derive(Debug, Default)]
pub struct Record {
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    key: &'static str,
    header: &'static str,
    cell: String,
    json: Value,
}

impl Record {
    fn push(mut self, key: &'static str, header: &'static str, cell: String, json: Value) -> Self {
        self.fields.push(Field {
            key,
            header,
            cell,
            json,
        });
        self
    }

    pub fn text(self, key: &'static str, header: &'static str, value: &str) -> Self {
        self.push(key, header, value.to_owned(), Value::from(value))
    }

    pub fn number(self, key: &'static str, header: &'static str, value: i64) -> Self {
        self.push(key, header, value.to_string(), Value::from(value))
    }

    /// A number, or `-` in the table and `null` in JSON when there is none.
    pub fn maybe_number(self, key: &'static str, header: &'static str, value: Option<i64>) -> Self {
        match value {
            Some(value) => self.number(key, header, value),
            None => self.push(key, header, table::NONE.to_owned(), Value::Null),
        }
    }

    /// A JSON array; `a, b` in the table.
    pub fn list(self, key: &'static str, header: &'static str, values: &[String]) -> Self {
        self.push(key, header, values.join(", "), Value::from(values.to_vec()))
    }

    /// RFC 3339 in UTC in JSON (`null` when absent), `2026-11-18 11:06:40 UTC` in the table.
    pub fn time(
        self,
        key: &'static str,
        header: &'static str,
        at: Option<&prost_types::Timestamp>,
    ) -> Self {
        let json = at
            .and_then(aval_transport::time::rfc3339)
            .map_or(Value::Null, Value::from);
        self.push(key, header, table::timestamp(at), json)
    }

    /// `other`'s fields after these.
    pub fn extend(mut self, other: Record) -> Self {
        self.fields.extend(other.fields);
        self
    }

    pub fn render(&self, format: OutputFormat) -> String {
        match format {
            OutputFormat::Table => {
                let headers: Vec<&str> = self.fields.iter().map(|f| f.header).collect();
                let row = self.fields.iter().map(|f| f.cell.clone()).collect();
                table::render(&headers, &[row])
            }
            // By hand rather than through a map, so the keys keep the table's order.
            OutputFormat::Json => {
                let fields: Vec<String> = self
                    .fields
                    .iter()
                    .map(|f| format!("{}:{}", Value::from(f.key), f.json))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
        }
    }
}

/// Several records of one kind: one table under one header, or a JSON array of their objects.
pub fn render_rows(records: &[Record], format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => {
            let objects: Vec<String> = records.iter().map(|r| r.render(format)).collect();
            format!("[{}]", objects.join(","))
        }
        OutputFormat::Table => {
            let Some(first) = records.first() else {
                return String::new();
            };
            let headers: Vec<&str> = first.fields.iter().map(|f| f.header).collect();
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| r.fields.iter().map(|f| f.cell.clone()).collect())
                .collect();
            table::render(&headers, &rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record::default()
            .text("client_id", "CLIENT ID", "acme-\"app\"")
            .list(
                "scopes",
                "SCOPES",
                &["score:read".to_owned(), "usage:read".to_owned()],
            )
            .number("answer_limit", "ANSWER LIMIT", 1000)
            .time(
                "created_at",
                "CREATED",
                Some(&prost_types::Timestamp {
                    seconds: 1_795_000_000,
                    nanos: 0,
                }),
            )
            .time("ends_at", "ENDS", None)
    }

    #[test]
    fn a_table_is_a_header_and_one_row() {
        assert_eq!(
            record().render(OutputFormat::Table),
            "CLIENT ID   SCOPES                  ANSWER LIMIT  CREATED                  ENDS\n\
             acme-\"app\"  score:read, usage:read  1000          2026-11-18 11:06:40 UTC  -"
        );
    }

    #[test]
    fn json_is_one_object_on_one_line_in_the_fields_order() -> anyhow::Result<()> {
        let json = record().render(OutputFormat::Json);
        assert!(!json.contains('\n'));
        assert_eq!(
            json,
            r#"{"client_id":"acme-\"app\"","scopes":["score:read","usage:read"],"answer_limit":1000,"created_at":"2026-11-18T11:06:40Z","ends_at":null}"#
        );
        let parsed: Value = serde_json::from_str(&json)?;
        assert_eq!(parsed["client_id"], "acme-\"app\"");
        Ok(())
    }
}
