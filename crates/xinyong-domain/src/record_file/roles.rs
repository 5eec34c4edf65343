//! Files of people in roles (`xinyong roles import`): CSV with the catalogue's
//! `role_headers` (English or Chinese, any order), in the encodings record files take, one
//! [`RoleRegistration`] per row with its line.

use std::io::{BufReader, Read};

use crate::Catalogue;
use crate::catalogue::ROLE_FILE_FIELDS;
use crate::record::FieldError;
use crate::role::RoleRegistration;

use super::decode::Transcoder;
use super::{FileError, RowRead, next_record};

/// Reads every row of a role file and hands each, with its line, to `each`. A profession
/// may be named by its id or its Chinese name; `profession` is that of every row of a file
/// without the column.
pub fn read_role_rows(
    reader: impl Read,
    catalogue: &Catalogue,
    profession: Option<&str>,
    mut each: impl FnMut(u64, Result<RoleRegistration, Vec<FieldError>>),
) -> Result<(), FileError> {
    let text = Transcoder::new(BufReader::new(reader));
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| FileError::Header(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut columns = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(FileError::DuplicateColumn(h.clone()));
        }
        let field = ROLE_FILE_FIELDS.iter().position(|f| {
            *f == h
                || catalogue
                    .role_headers
                    .get(*f)
                    .is_some_and(|names| names.contains(h))
        });
        let field = field.ok_or_else(|| FileError::UnknownColumn {
            column: h.clone(),
            category: "of a role file (see role_headers in the catalogue)".into(),
        })?;
        // One field under two spellings (person_code and 身份证号码): which one counts?
        if columns.contains(&field) {
            return Err(FileError::DuplicateColumn(h.clone()));
        }
        columns.push(field);
    }
    let mut record = csv::StringRecord::new();
    while let Some((line, read)) = next_record(&mut csv, &mut record, headers.len())? {
        if let RowRead::Shape(e) | RowRead::Unreadable(e) = read {
            each(line, Err(vec![e]));
            continue;
        }
        let mut values: [String; 7] = Default::default();
        for (field, value) in columns.iter().zip(record.iter()) {
            values[*field] = value.trim().to_owned();
        }
        let [
            person_code,
            person_name,
            organisation_code,
            named,
            licence_no,
            since,
            until,
        ] = values;
        let named = Some(named)
            .filter(|p| !p.is_empty())
            .or_else(|| profession.map(str::to_owned))
            .unwrap_or_default();
        // A profession by its Chinese name (律师) is the same as by its id (lawyer).
        let profession = catalogue
            .professions
            .iter()
            .find(|p| p.name_zh == named)
            .map_or(named, |p| p.id.clone());
        each(
            line,
            Ok(RoleRegistration {
                person_code,
                person_name,
                organisation_code,
                profession,
                licence_no,
                since,
                until: Some(until).filter(|u| !u.is_empty()),
            }),
        );
    }
    Ok(())
}
