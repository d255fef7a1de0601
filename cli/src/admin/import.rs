//! Profile files for `aval admin profiles import`, read one row at a time (a file of any size
//! never sits in memory whole): CSV with a header, or NDJSON. Each row keeps its line in the
//! file (1-based; a CSV header is line 1) so every error can name it. A row this side cannot
//! read (a wrong number of cells, bad JSON) is rejected here, with its reason, and never sent;
//! what the values mean (a valid CPF, a number for a number feature) is score-service's to say.

mod csv_records;

use aval_errors::FieldCode;
use aval_proto::score::v1::{FeatureValue, ProfileRow, RowError, feature_value::Value};
use csv_records::{CsvRecords, Record};
use std::{
    collections::{BTreeMap, HashSet},
    io::{BufRead, BufReader, Read},
    path::Path,
};

/// The column (CSV) or key (NDJSON) that holds the CPF.
pub const DOCUMENT: &str = "document";

/// A profile file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Comma-separated, with a header: `document,<feature>,…`.
    Csv,
    /// One JSON object per line: `{"document": "…", "<feature>": value, …}`.
    Ndjson,
}

impl FileFormat {
    /// From the extension (`.csv`; `.ndjson`, `.jsonl`, `.json`), else from the first bytes: a
    /// file that starts with `{` is NDJSON, anything else CSV.
    pub fn detect(path: &Path, head: &[u8]) -> Self {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Self::Csv,
            Some("ndjson" | "jsonl" | "json") => Self::Ndjson,
            _ => {
                let head = head.strip_prefix(BOM).unwrap_or(head);
                match head.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => Self::Ndjson,
                    _ => Self::Csv,
                }
            }
        }
    }
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// One row of the file: a profile to send, or the reasons it cannot be.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    Row(ProfileRow),
    Rejected(Vec<RowError>),
}

/// Rows of a profile file, in order. An `Err` is a problem with the file itself (it cannot be
/// read on): nothing after it is read.
pub struct ProfileRows<R: Read> {
    inner: Inner<R>,
}

enum Inner<R: Read> {
    // Boxed: the CSV parser's state is large, and there is one per import.
    Csv(Box<CsvRows<BufReader<R>>>),
    Ndjson(NdjsonRows<BufReader<R>>),
}

impl<R: Read> ProfileRows<R> {
    /// Starts reading `reader` (a CSV file's header is read at once, so a bad header fails here,
    /// before anything is sent). `format` defaults to [`FileFormat::detect`] on `path`.
    pub fn open(format: Option<FileFormat>, path: &Path, reader: R) -> anyhow::Result<Self> {
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        let format = match format {
            Some(format) => format,
            None => FileFormat::detect(path, reader.fill_buf()?),
        };
        let inner = match format {
            FileFormat::Csv => Inner::Csv(Box::new(CsvRows::new(reader)?)),
            FileFormat::Ndjson => Inner::Ndjson(NdjsonRows::new(reader)),
        };
        Ok(Self { inner })
    }

    pub fn format(&self) -> FileFormat {
        match self.inner {
            Inner::Csv(_) => FileFormat::Csv,
            Inner::Ndjson(_) => FileFormat::Ndjson,
        }
    }

    /// The columns every row has (a CSV header without `document`); none for NDJSON.
    pub fn columns(&self) -> &[String] {
        match &self.inner {
            Inner::Csv(csv) => &csv.columns,
            Inner::Ndjson(_) => &[],
        }
    }
}

impl<R: Read> Iterator for ProfileRows<R> {
    type Item = anyhow::Result<Parsed>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv(csv) => csv.next(),
            Inner::Ndjson(ndjson) => ndjson.next(),
        }
    }
}

/// A rejection of the whole row (no single field to blame): its field is empty.
fn row_error(line: u64, code: FieldCode, reason: impl Into<String>) -> RowError {
    field_error(line, "", code, reason)
}

fn field_error(line: u64, field: &str, code: FieldCode, reason: impl Into<String>) -> RowError {
    RowError {
        line,
        field: field.to_owned(),
        code: code.as_str().to_owned(),
        reason: reason.into(),
    }
}

fn missing() -> FeatureValue {
    FeatureValue { value: None }
}

struct CsvRows<R: BufRead> {
    records: CsvRecords<R>,
    /// Where `document` is among the header's cells.
    document_at: usize,
    /// The header's cells without `document`, in order.
    columns: Vec<String>,
    /// The header's cells, `document` included.
    width: usize,
}

impl<R: BufRead> CsvRows<R> {
    fn new(reader: R) -> anyhow::Result<Self> {
        let mut records = CsvRecords::new(reader);
        let (line, names) = {
            let Some(header) = records.next_record()? else {
                anyhow::bail!(
                    "the file is empty: a CSV profile file starts with a header (document,<feature>,…)"
                );
            };
            let mut names = Vec::with_capacity(header.len());
            for (i, cell) in header.iter().enumerate() {
                let name = std::str::from_utf8(cell)
                    .map_err(|_| {
                        anyhow::anyhow!("line {}: the header is not UTF-8 text", header.line)
                    })?
                    .trim();
                if name.is_empty() {
                    anyhow::bail!(
                        "line {}: column {} of the header has no name",
                        header.line,
                        i + 1
                    );
                }
                names.push(name.to_owned());
            }
            (header.line, names)
        };
        let mut seen = HashSet::new();
        if let Some(twice) = names.iter().find(|n| !seen.insert(n.as_str())) {
            anyhow::bail!("line {line}: column `{twice}` appears twice in the header");
        }
        let Some(document_at) = names.iter().position(|n| n == DOCUMENT) else {
            anyhow::bail!(
                "line {line}: the header has no `{DOCUMENT}` column (it has {}): the first line \
                 names the columns, e.g. document,income,region",
                names.join(", ")
            );
        };
        let width = names.len();
        let mut columns = names;
        columns.remove(document_at);
        Ok(Self {
            records,
            document_at,
            columns,
            width,
        })
    }

    fn next(&mut self) -> Option<anyhow::Result<Parsed>> {
        match self.records.next_record() {
            Ok(Some(record)) => Some(Ok(row(
                &record,
                self.document_at,
                &self.columns,
                self.width,
            ))),
            Ok(None) => None,
            Err(e) => Some(Err(anyhow::anyhow!(
                "after line {}: {e}",
                self.records.line()
            ))),
        }
    }
}

/// One CSV record: every cell is sent raw (read as the feature's declared kind by
/// score-service), an empty cell as missing.
fn row(record: &Record<'_>, document_at: usize, columns: &[String], width: usize) -> Parsed {
    let line = record.line;
    if record.len() != width {
        return Parsed::Rejected(vec![row_error(
            line,
            FieldCode::InvalidFormat,
            format!(
                "expected {width} cells (as the header has), found {}",
                record.len()
            ),
        )]);
    }
    let mut document = String::new();
    let mut features = BTreeMap::new();
    let mut errors = Vec::new();
    let mut names = columns.iter();
    for (i, cell) in record.iter().enumerate() {
        let name = if i == document_at {
            DOCUMENT
        } else {
            names.next().map_or("", String::as_str)
        };
        let Ok(text) = std::str::from_utf8(cell) else {
            errors.push(field_error(
                line,
                name,
                FieldCode::InvalidFormat,
                "not UTF-8 text",
            ));
            continue;
        };
        if i == document_at {
            text.clone_into(&mut document);
        } else if text.is_empty() {
            features.insert(name.to_owned(), missing());
        } else {
            features.insert(
                name.to_owned(),
                FeatureValue {
                    value: Some(Value::Raw(text.to_owned())),
                },
            );
        }
    }
    if errors.is_empty() {
        Parsed::Row(ProfileRow {
            line,
            document,
            features,
        })
    } else {
        Parsed::Rejected(errors)
    }
}

struct NdjsonRows<R: BufRead> {
    reader: R,
    line: u64,
    buffer: Vec<u8>,
    done: bool,
}

impl<R: BufRead> NdjsonRows<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            buffer: Vec::new(),
            done: false,
        }
    }

    fn next(&mut self) -> Option<anyhow::Result<Parsed>> {
        loop {
            if self.done {
                return None;
            }
            self.buffer.clear();
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => self.line += 1,
                Err(e) => {
                    self.done = true;
                    return Some(Err(anyhow::anyhow!("line {}: {e}", self.line + 1)));
                }
            }
            let mut text: &[u8] = &self.buffer;
            if self.line == 1 {
                text = text.strip_prefix(BOM).unwrap_or(text);
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(ndjson_row(self.line, text)));
        }
    }
}

/// One NDJSON line: numbers are `number`, strings `text`, booleans `flag`, `null` missing.
fn ndjson_row(line: u64, text: &[u8]) -> Parsed {
    let object = match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) => {
            return Parsed::Rejected(vec![row_error(
                line,
                FieldCode::InvalidJson,
                format!("expected a JSON object with a `{DOCUMENT}` key"),
            )]);
        }
        Err(e) => {
            return Parsed::Rejected(vec![row_error(
                line,
                FieldCode::InvalidJson,
                format!("not JSON: {e}"),
            )]);
        }
    };
    let mut document = String::new();
    let mut features = BTreeMap::new();
    let mut errors = Vec::new();
    for (key, value) in object {
        use serde_json::Value as J;
        if key == DOCUMENT {
            match value {
                J::String(text) => document = text,
                // No document: score-service says it is required, as for an empty CSV cell.
                J::Null => {}
                _ => errors.push(field_error(
                    line,
                    DOCUMENT,
                    FieldCode::InvalidFormat,
                    "the document must be a JSON string (a number would lose leading zeros)",
                )),
            }
            continue;
        }
        let value = match value {
            J::Null => None,
            J::Bool(flag) => Some(Value::Flag(flag)),
            J::String(text) => Some(Value::Text(text)),
            J::Number(number) => match number.as_f64() {
                Some(n) => Some(Value::Number(n)),
                None => {
                    errors.push(field_error(
                        line,
                        &key,
                        FieldCode::OutOfRange,
                        "the number does not fit a double",
                    ));
                    continue;
                }
            },
            J::Array(_) | J::Object(_) => {
                errors.push(field_error(
                    line,
                    &key,
                    FieldCode::InvalidJson,
                    "a feature value is a number, a string, a boolean or null, not an array or object",
                ));
                continue;
            }
        };
        features.insert(key, FeatureValue { value });
    }
    if errors.is_empty() {
        Parsed::Row(ProfileRow {
            line,
            document,
            features,
        })
    } else {
        Parsed::Rejected(errors)
    }
}

#[cfg(test)]
mod tests;
