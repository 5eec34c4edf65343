//! The files departments submit: CSV (Chinese or English headers, any column order) and JSONL,
//! in UTF-8 (with or without a BOM) or GBK, turned into one [`RawRecord`] per row with the
//! row's line number and what it held. The same reader serves `xinyong import` and the
//! console's upload, so a file is read the same way whichever door it comes through.
//!
//! The caller opens the file and hands a reader: this module does no I/O of its own. Problems
//! with the whole file (its header, its encoding) are a [`FileError`]; problems with a row are
//! that row's `Err`, so that a report can name every bad row and field.

mod decode;

use std::io::{BufRead, BufReader, Read};

use serde_json::{Map, Value};

use crate::catalogue::CoreAttribute;
use crate::{Catalogue, FieldError, RawRecord};

/// How a file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// The format a file name's extension says (`.csv`, `.jsonl`, `.ndjson`, any case).
    pub fn of_name(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// One row of a file: where it is, what it held (as JSON, for a rejects report) and the record
/// it gives, or everything wrong with it that can be told before validation.
pub struct Row {
    /// The row's line in the file (for a CSV row, the line it starts on).
    pub line: u64,
    pub record: Result<RawRecord, Vec<FieldError>>,
    /// The row as it was read: header → value for CSV, the parsed object for JSONL.
    pub input: Value,
}

/// A file that cannot be read at all: nothing of it is imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("reading the header row: {0}")]
    Header(String),
    #[error("column {0} has an empty header")]
    EmptyHeader(usize),
    #[error("column {0:?} appears twice")]
    DuplicateColumn(String),
    #[error("no category column (category / 信息类别); give the category of the whole file")]
    NoCategory,
    #[error("column {column:?} is neither a core attribute nor a field of category {category}")]
    UnknownColumn { column: String, category: String },
    /// The bytes are not text in one of the accepted encodings (the message names the line).
    #[error("{0}")]
    Unreadable(String),
}

/// Reads every row of a file and hands each to `each`, in order. `category` is the category of
/// every row of a file without a category column (a JSONL row's own `category` wins).
pub fn read_rows(
    reader: impl Read,
    format: Format,
    category: Option<&str>,
    catalogue: &Catalogue,
    each: impl FnMut(Row),
) -> Result<(), FileError> {
    let text = decode::Transcoder::new(BufReader::with_capacity(256 * 1024, reader));
    match format {
        Format::Csv => csv_rows(text, category, catalogue, each),
        Format::Jsonl => jsonl_rows(text, category, each),
    }
}

fn csv_rows(
    text: impl Read,
    category: Option<&str>,
    catalogue: &Catalogue,
    mut each: impl FnMut(Row),
) -> Result<(), FileError> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| FileError::Header(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    // Columns are resolved once: a core attribute, or a field of the category.
    let columns: Vec<Option<CoreAttribute>> = headers
        .iter()
        .map(|h| catalogue.core_attribute(h))
        .collect();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(FileError::EmptyHeader(i + 1));
        }
        if headers[..i].contains(h) {
            return Err(FileError::DuplicateColumn(h.clone()));
        }
    }
    if !columns.contains(&Some(CoreAttribute::Category)) {
        let category = category.ok_or(FileError::NoCategory)?;
        if let Some(cat) = catalogue.category(category) {
            for (h, c) in headers.iter().zip(&columns) {
                if c.is_none() && cat.field(h).is_none() {
                    return Err(FileError::UnknownColumn {
                        column: h.clone(),
                        category: category.to_owned(),
                    });
                }
            }
        }
    }
    let mut record = csv::StringRecord::new();
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // The file's bytes cannot be read as text: refuse the whole file.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(FileError::Unreadable(e.to_string()));
            }
            Err(e) => {
                each(Row {
                    line,
                    record: Err(vec![FieldError::new("", format!("unreadable CSV: {e}"))]),
                    input: Value::Null,
                });
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        let input = Value::Object(
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.clone(), Value::String(v.to_owned())))
                .collect::<Map<_, _>>(),
        );
        if record.len() != headers.len() {
            let msg = format!(
                "has {} columns, the header has {}",
                record.len(),
                headers.len()
            );
            each(Row {
                line,
                record: Err(vec![FieldError::new("", msg)]),
                input,
            });
            continue;
        }
        let mut raw = RawRecord::default();
        if let Some(c) = category {
            raw.set(CoreAttribute::Category, "--category", c);
        }
        for ((h, col), value) in headers.iter().zip(&columns).zip(record.iter()) {
            match col {
                Some(attr) => {
                    if !value.trim().is_empty() || !raw.core.contains_key(attr) {
                        raw.set(*attr, h.as_str(), value);
                    }
                }
                None if value.trim().is_empty() => {}
                None => {
                    raw.fields
                        .insert(h.clone(), Value::String(value.to_owned()));
                }
            }
        }
        each(Row {
            line,
            record: Ok(raw),
            input,
        });
    }
    Ok(())
}

fn jsonl_rows(
    text: impl Read,
    category: Option<&str>,
    mut each: impl FnMut(Row),
) -> Result<(), FileError> {
    let lines = BufReader::with_capacity(256 * 1024, text);
    for (i, line) in lines.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| FileError::Unreadable(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                each(Row {
                    line: line_no,
                    record: Err(vec![FieldError::new("", format!("not JSON: {e}"))]),
                    input: Value::String(line),
                });
                continue;
            }
        };
        let record = RawRecord::from_json(&value).map(|mut raw| {
            if let (Some(c), false) = (category, raw.core.contains_key(&CoreAttribute::Category)) {
                raw.set(CoreAttribute::Category, "--category", c);
            }
            raw
        });
        each(Row {
            line: line_no,
            record,
            input: value,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rows(bytes: &[u8], format: Format, category: Option<&str>) -> Result<Vec<Row>, FileError> {
        let catalogue = Catalogue::shipped();
        let mut out = Vec::new();
        read_rows(bytes, format, category, &catalogue, |r| out.push(r))?;
        Ok(out)
    }

    #[test]
    fn a_csv_row_names_its_line_and_keeps_its_input() {
        let file = "category,subject_code,subject_name,document_no\n\
                    admin_penalty,91350100M000100Y43,某公司,罚〔2026〕1号\n\
                    admin_penalty,only,three\n";
        let rows = rows(file.as_bytes(), Format::Csv, None).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert!(rows[0].record.is_ok());
        assert_eq!(rows[0].input["subject_name"], "某公司");
        assert_eq!(rows[1].line, 3);
        let errors = rows[1].record.as_ref().err().unwrap();
        assert!(errors[0].message.contains("has 3 columns"), "{errors:?}");
    }

    #[test]
    fn a_file_without_a_category_column_needs_one_given() {
        let file = "subject_code,document_no\n91350100M000100Y43,1\n";
        assert!(matches!(
            rows(file.as_bytes(), Format::Csv, None),
            Err(FileError::NoCategory)
        ));
        let unknown = "subject_code,no_such_column\n91350100M000100Y43,1\n";
        match rows(unknown.as_bytes(), Format::Csv, Some("admin_penalty")) {
            Err(FileError::UnknownColumn { column, .. }) => assert_eq!(column, "no_such_column"),
            other => panic!("{:?}", other.map(|r| r.len())),
        }
    }

    #[test]
    fn a_jsonl_line_that_is_not_json_is_a_bad_row_not_a_bad_file() {
        let file = "{\"category\": \"admin_penalty\"}\nnot json\n\n{\"category\": \"x\"}\n";
        let rows = rows(file.as_bytes(), Format::Jsonl, None).unwrap();
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 4]);
        assert!(rows[1].record.is_err());
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(Format::of_name("a.CSV"), Some(Format::Csv));
        assert_eq!(Format::of_name("b.ndjson"), Some(Format::Jsonl));
        assert_eq!(Format::of_name("c.xlsx"), None);
    }
}
