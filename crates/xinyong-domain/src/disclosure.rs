//! Disclosure: what the public may see of a record, decided at read time from dates, and the
//! masking of personal data on every public output.
//!
//! Invariants kept here (SPEC):
//! - "Every adverse entry ends": visibility is computed from the record's dates and today's
//!   date at read time, so a record leaves public views even if no background job ever ran.
//! - "Personal data is minimised": citizen identity numbers never leave in full on a public
//!   output; personal fields are masked.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::catalogue::{Category, Disclosure, Tier};
use crate::code::CitizenId;
use crate::record::{Record, RecordId, RecordStatus};
use crate::subject::SubjectKind;

pub use crate::mask::{mask_identity_numbers, mask_personal};

/// Why a record is not on public view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Its category is `shared` or `restricted`.
    NotPublicClass,
    /// Its tier is not published (minor negative information).
    NotPublished,
    /// Its publicity period has ended.
    Expired,
    Repaired,
    Revoked,
    /// About a natural person who was under 18 on the decision date: never public.
    AboutAMinor,
}

/// Whether the publicity period of a record is running on `today`. The end date is exclusive:
/// a record published until 2025-04-01 is last shown on 2025-03-31.
pub fn publicity_running(record: &Record, today: NaiveDate) -> bool {
    today < record.publicity_until
}

/// Decides whether the public may see `record` (its current version) on `today`.
pub fn public_visibility(
    record: &Record,
    category: &Category,
    today: NaiveDate,
) -> Result<(), Hidden> {
    if category.disclosure != Disclosure::Public {
        return Err(Hidden::NotPublicClass);
    }
    match record.status {
        RecordStatus::Repaired => return Err(Hidden::Repaired),
        RecordStatus::Revoked | RecordStatus::Removed => return Err(Hidden::Revoked),
        RecordStatus::Active | RecordStatus::UnderObjection => {}
    }
    if crate::rights::about_a_minor(record) {
        return Err(Hidden::AboutAMinor);
    }
    if record.tier == Some(Tier::Minor)
        || category.period(record.tier).is_some_and(|p| !p.published)
    {
        return Err(Hidden::NotPublished);
    }
    if !publicity_running(record, today) {
        return Err(Hidden::Expired);
    }
    Ok(())
}

/// A record as the public sees it: masked, with its category's names for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicRecord {
    pub id: RecordId,
    pub version: u32,
    pub category: String,
    pub category_name_zh: String,
    pub category_name_en: String,
    pub section: String,
    pub negative: bool,
    pub department: String,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub legal_basis: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    pub publicity_until: NaiveDate,
    /// `active` or `under_objection` (the latter is shown as a visible mark).
    pub status: RecordStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: BTreeMap<String, Value>,
}

/// Whether a non-public reader may be shown `record` at all: records about a person who was a
/// minor on the decision date stay with the department that made them (`reader_department`
/// is the reading department's code, `None` for a credit service body).
pub fn shareable_with(record: &Record, reader_department: Option<&str>) -> bool {
    !crate::rights::about_a_minor(record) || reader_department == Some(record.department.as_str())
}

/// Whether a record is in force on `today` for an authorised (non-public) reader: active or
/// under objection and within its period. Unlike [`public_visibility`] it ignores the class
/// (the reader's clearance decides that) and whether the tier is published: sharing between
/// authorised readers is not publication.
pub fn in_force(record: &Record, today: NaiveDate) -> bool {
    matches!(
        record.status,
        RecordStatus::Active | RecordStatus::UnderObjection
    ) && publicity_running(record, today)
}

/// A record as its own subject sees it: every class and status, nothing masked, with whether
/// the public sees it today.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRecord {
    pub disclosure: Disclosure,
    /// The public sees this record today.
    pub on_public_view: bool,
    #[serde(flatten)]
    pub record: PublicRecord,
}

/// Builds a subject's own view of one of its records.
pub fn file_record(record: &Record, category: &Category, today: NaiveDate) -> FileRecord {
    FileRecord {
        disclosure: category.disclosure,
        on_public_view: public_visibility(record, category, today).is_ok(),
        record: disclosed_record(record, category, false),
    }
}

/// Builds the public form of a record. Call only after [`public_visibility`] said yes.
pub fn public_record(record: &Record, category: &Category) -> PublicRecord {
    disclosed_record(record, category, true)
}

/// Builds the outward form of a record, its personal data masked when `mask` is set (public
/// and credit-service outputs) and left whole otherwise (the subject itself, departments).
pub fn disclosed_record(record: &Record, category: &Category, mask: bool) -> PublicRecord {
    let (document_no, legal_basis, fields) = if mask {
        let fields = record
            .fields
            .iter()
            .map(|(name, value)| {
                let personal = category.field(name).is_some_and(|f| f.personal);
                let v = match value {
                    Value::String(s) if personal => Value::String(mask_personal(s)),
                    Value::Number(n) if personal => Value::String(mask_personal(&n.to_string())),
                    other => public_value(other),
                };
                (name.clone(), v)
            })
            .collect();
        (
            mask_identity_numbers(&record.document_no).into_owned(),
            mask_identity_numbers(&record.legal_basis).into_owned(),
            fields,
        )
    } else {
        (
            record.document_no.clone(),
            record.legal_basis.clone(),
            record.fields.clone(),
        )
    };
    PublicRecord {
        id: record.id.clone(),
        version: record.version,
        category: record.category.clone(),
        category_name_zh: category.name_zh.clone(),
        category_name_en: category.name_en.clone(),
        section: category.section.clone(),
        negative: category.negative,
        department: record.department.clone(),
        document_no,
        decided_on: record.decided_on,
        legal_basis,
        tier: record.tier,
        publicity_until: record.publicity_until,
        status: record.status,
        fields,
    }
}

/// A JSON value as the public may see it: every identity number in its strings masked, at any
/// depth, and a number whose digits are an identity number (an integer field holds one as
/// easily as a text field) turned into its masked text.
pub fn public_value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(mask_identity_numbers(s).into_owned()),
        Value::Number(n) => {
            let digits = n.to_string();
            match mask_identity_numbers(&digits) {
                std::borrow::Cow::Borrowed(_) => value.clone(),
                std::borrow::Cow::Owned(masked) => Value::String(masked),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(public_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (mask_identity_numbers(k).into_owned(), public_value(v)))
                .collect(),
        ),
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// Masks a subject code for public output when it belongs to a natural person.
pub fn public_subject_code(kind: SubjectKind, code: &str) -> String {
    if kind == SubjectKind::NaturalPerson {
        match CitizenId::parse(code) {
            Ok(id) => id.masked(),
            Err(_) => mask_personal(code),
        }
    } else {
        code.to_owned()
    }
}

/// A subject's name as the public may see it: a name is free text that a department typed, so
/// any identity number inside it is masked like in every other public value.
pub fn public_subject_name(name: &str) -> String {
    mask_identity_numbers(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn public_values_hold_no_whole_identity_number_at_any_depth_or_type() {
        let value = json!({
            "age": 440305198507265865_i64,
            "year": 2025,
            "list": ["A440305198507265865", {"440305198507265865abc": "x"}],
            "flag": true,
        });
        assert_eq!(
            public_value(&value),
            json!({
                "age": "440305********5865",
                "year": 2025,
                "list": ["A440305********5865", {"440305********5865abc": "x"}],
                "flag": true,
            })
        );
    }
}
