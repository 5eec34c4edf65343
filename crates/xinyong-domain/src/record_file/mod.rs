//! The files departments submit: CSV (Chinese or English headers, any column order) and JSONL,
//! in UTF-8 (with or without a BOM) or GBK, turned into one [`RawRecord`] per row with the
//! row's line number and what it held. The same reader serves `xinyong import` and the
//! console's upload, so a file is read the same way whichever door it comes through.
//!
//! The caller opens the file and hands a reader: this module does no I/O of its own. Problems
//! with the whole file (its header, its encoding) are a [`FileError`]; problems with a row are
//! that row's `Err`, so that a report can name every bad row and field.

mod decode;
mod roles;

pub use roles::read_role_rows;

use std::io::{BufRead, BufReader, Read};

use serde_json::{Map, Value};

use crate::catalogue::CoreAttribute;
use crate::template::TemplateColumn;
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

/// What the importer says of a whole file, for the rows that do not say it themselves.
#[derive(Debug, Clone, Default)]
pub struct FileDefaults {
    /// The category of every row of a file without a category column (a JSONL row's own
    /// `category` wins).
    pub category: Option<String>,
    /// The tier of every row that names none. A CSV file without a tier column (the national
    /// templates have none) otherwise gets its category's `default_tier`.
    pub tier: Option<String>,
    /// The legal basis of every row that names none (the national licence template has no
    /// column for it).
    pub legal_basis: Option<String>,
}

impl FileDefaults {
    /// Defaults naming only the category.
    pub fn category(category: Option<&str>) -> FileDefaults {
        FileDefaults {
            category: category.map(str::to_owned),
            ..FileDefaults::default()
        }
    }

    fn fill(&self, raw: &mut RawRecord) {
        for (attr, key, value) in [
            (CoreAttribute::Tier, "--tier", &self.tier),
            (
                CoreAttribute::LegalBasis,
                "--legal-basis",
                &self.legal_basis,
            ),
        ] {
            let missing = raw.core.get(&attr).is_none_or(|(_, v)| v.trim().is_empty());
            if let (Some(v), true) = (value, missing) {
                raw.set(attr, key, v.as_str());
            }
        }
    }
}

/// Reads every row of a file and hands each to `each`, in order.
pub fn read_rows(
    reader: impl Read,
    format: Format,
    defaults: &FileDefaults,
    catalogue: &Catalogue,
    each: impl FnMut(Row),
) -> Result<(), FileError> {
    let text = decode::Transcoder::new(BufReader::with_capacity(256 * 1024, reader));
    match format {
        Format::Csv => csv_rows(text, defaults, catalogue, each),
        Format::Jsonl => jsonl_rows(text, defaults, each),
    }
}

/// What a CSV column holds.
#[derive(Clone, Copy, PartialEq)]
enum Column {
    Core(CoreAttribute),
    Template(TemplateColumn),
    /// A field of the row's category (checked against it at validation).
    Field,
}

fn csv_rows(
    text: impl Read,
    defaults: &FileDefaults,
    catalogue: &Catalogue,
    mut each: impl FnMut(Row),
) -> Result<(), FileError> {
    let category = defaults.category.as_deref();
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| FileError::Header(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    // Columns are resolved once: a core attribute, a template column, or a category field.
    let columns: Vec<Column> = headers
        .iter()
        .map(|h| match catalogue.core_attribute(h) {
            Some(attr) => Column::Core(attr),
            None => catalogue
                .template_column(h)
                .map_or(Column::Field, Column::Template),
        })
        .collect();
    let has_tier = columns.contains(&Column::Core(CoreAttribute::Tier));
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(FileError::EmptyHeader(i + 1));
        }
        if headers[..i].contains(h) {
            return Err(FileError::DuplicateColumn(h.clone()));
        }
    }
    if !columns.contains(&Column::Core(CoreAttribute::Category)) {
        let category = category.ok_or(FileError::NoCategory)?;
        if let Some(cat) = catalogue.category(category) {
            for (h, c) in headers.iter().zip(&columns) {
                if *c == Column::Field && cat.field(h).is_none() {
                    return Err(FileError::UnknownColumn {
                        column: h.clone(),
                        category: category.to_owned(),
                    });
                }
            }
        }
    }
    let mut record = csv::StringRecord::new();
    while let Some((line, read)) = next_record(&mut csv, &mut record, headers.len())? {
        let input = || {
            Value::Object(
                headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.clone(), Value::String(v.to_owned())))
                    .collect::<Map<_, _>>(),
            )
        };
        let input = match read {
            RowRead::Whole => input(),
            // A row of another width is reported with what it held.
            RowRead::Shape(e) => {
                let input = input();
                each(Row {
                    line,
                    record: Err(vec![e]),
                    input,
                });
                continue;
            }
            RowRead::Unreadable(e) => {
                each(Row {
                    line,
                    record: Err(vec![e]),
                    input: Value::Null,
                });
                continue;
            }
        };
        let mut raw = RawRecord::default();
        if let Some(c) = category {
            raw.set(CoreAttribute::Category, "--category", c);
        }
        for ((h, col), value) in headers.iter().zip(&columns).zip(record.iter()) {
            match col {
                Column::Core(attr) => {
                    if !value.trim().is_empty() || !raw.core.contains_key(attr) {
                        raw.set(*attr, h.as_str(), value);
                    }
                }
                // An empty cell says nothing, whatever its column (most template cells are).
                Column::Template(_) | Column::Field if value.trim().is_empty() => {}
                Column::Template(t) => {
                    raw.template.insert(*t, (h.clone(), value.to_owned()));
                }
                Column::Field => {
                    raw.fields
                        .insert(h.clone(), Value::String(value.to_owned()));
                }
            }
        }
        defaults.fill(&mut raw);
        if !has_tier && !raw.core.contains_key(&CoreAttribute::Tier) {
            let default = raw
                .core
                .get(&CoreAttribute::Category)
                .and_then(|(_, c)| catalogue.category(c.trim()))
                .and_then(|c| c.default_tier);
            if let Some(t) = default {
                raw.set(CoreAttribute::Tier, "default_tier", t.as_str());
            }
        }
        let input = mask_never_kept(input, &raw);
        each(Row {
            line,
            record: Ok(raw),
            input,
        });
    }
    Ok(())
}

/// Reads the next CSV row into `record`: `None` at the end; else the line it starts on and
/// whether it is a row of `columns` columns (a row-level problem otherwise). Bytes that are
/// not text refuse the whole file.
fn next_record<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    columns: usize,
) -> Result<Option<(u64, RowRead)>, FileError> {
    let line = csv.position().line();
    match csv.read_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => {
            let line = record.position().map_or(line, |p| p.line());
            let read = if record.len() == columns {
                RowRead::Whole
            } else {
                RowRead::Shape(FieldError::new(
                    "",
                    format!("has {} columns, the header has {columns}", record.len()),
                ))
            };
            Ok(Some((line, read)))
        }
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
            Err(FileError::Unreadable(e.to_string()))
        }
        Err(e) => Ok(Some((
            line,
            RowRead::Unreadable(FieldError::new("", format!("unreadable CSV: {e}"))),
        ))),
    }
}

/// What [`next_record`] read.
enum RowRead {
    /// A row of the header's width.
    Whole,
    /// A row of another width: its values are in the record.
    Shape(FieldError),
    /// Not a CSV row at all.
    Unreadable(FieldError),
}

/// The legal representative's identity number is never kept, not even in a rejects report.
fn mask_never_kept(mut input: Value, raw: &RawRecord) -> Value {
    if let (Some((header, value)), Value::Object(map)) = (
        raw.template.get(&TemplateColumn::RepresentativeDocumentNo),
        &mut input,
    ) && !value.trim().is_empty()
    {
        map.insert(header.clone(), Value::String("(not kept)".to_owned()));
    }
    input
}

fn jsonl_rows(
    text: impl Read,
    defaults: &FileDefaults,
    mut each: impl FnMut(Row),
) -> Result<(), FileError> {
    let category = defaults.category.as_deref();
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
            defaults.fill(&mut raw);
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
        read_rows(
            bytes,
            format,
            &FileDefaults::category(category),
            &catalogue,
            |r| out.push(r),
        )?;
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
