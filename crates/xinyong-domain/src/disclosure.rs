//! Disclosure: what the public may see of a record, decided at read time from dates, and the
//! masking of personal data on every public output.
//!
//! Invariants kept here (SPEC):
//! - "Every adverse entry ends": visibility is computed from the record's dates and today's
//!   date at read time, so a record leaves public views even if no background job ever ran.
//! - "Personal data is minimised": citizen identity numbers never leave in full on a public
//!   output; personal fields are masked.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::catalogue::{Category, Disclosure, Tier};
use crate::code::CitizenId;
use crate::record::{Record, RecordStatus};
use crate::subject::SubjectKind;

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
    pub id: String,
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
    let (document_no, fields) = if mask {
        let fields = record
            .fields
            .iter()
            .map(|(name, value)| {
                let personal = category.field(name).is_some_and(|f| f.personal);
                let v = match value {
                    Value::String(s) if personal => Value::String(mask_personal(s)),
                    Value::String(s) => Value::String(mask_identity_numbers(s).into_owned()),
                    other => other.clone(),
                };
                (name.clone(), v)
            })
            .collect();
        (
            mask_identity_numbers(&record.document_no).into_owned(),
            fields,
        )
    } else {
        (record.document_no.clone(), record.fields.clone())
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
        legal_basis: record.legal_basis.clone(),
        tier: record.tier,
        publicity_until: record.publicity_until,
        status: record.status,
        fields,
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

/// Masks a personal value entirely but for its first and last characters (identity numbers
/// keep the first 6 and last 4, the national convention).
pub fn mask_personal(s: &str) -> String {
    if let Ok(id) = CitizenId::parse(s) {
        return id.masked();
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 | 2 => "*".repeat(chars.len()),
        n => {
            let mut out = String::with_capacity(s.len());
            out.push(chars[0]);
            out.extend(std::iter::repeat_n('*', n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

/// Replaces every valid citizen identity number inside free text by its masked form. Defence in
/// depth: a department may paste a number into a text field where no one expected one.
pub fn mask_identity_numbers(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    if bytes.len() < 18 || bytes.iter().filter(|b| b.is_ascii_digit()).count() < 17 {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    while i + 18 <= bytes.len() {
        let window = &bytes[i..i + 18];
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let boundary_after = i + 18 == bytes.len() || !bytes[i + 18].is_ascii_alphanumeric();
        let shaped = window[..17].iter().all(u8::is_ascii_digit)
            && (window[17].is_ascii_digit() || window[17] == b'X' || window[17] == b'x');
        if boundary_before && boundary_after && shaped {
            // The window is ASCII, so slicing at i and i + 18 is on char boundaries.
            if let Ok(id) = CitizenId::parse(&s[i..i + 18]) {
                out.push_str(&s[last..i]);
                out.push_str(&id.masked());
                last = i + 18;
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    if last == 0 {
        Cow::Borrowed(s)
    } else {
        out.push_str(&s[last..]);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_in_free_text_are_masked() {
        let text = "法定代表人张三（11010519491231002X）拒不履行";
        let masked = mask_identity_numbers(text);
        assert_eq!(masked, "法定代表人张三（110105********002X）拒不履行");
    }

    #[test]
    fn digits_that_are_not_identity_numbers_stay() {
        let text = "合同编号 123456789012345678 金额 1000";
        assert_eq!(mask_identity_numbers(text), text);
    }

    #[test]
    fn field_errors_never_quote_a_whole_identity_number() {
        let raw = crate::RawRecord::from_json(&serde_json::json!({
            "category": "admin_penalty",
            "subject": {"code": "11010519491231002X", "name": "张三", "kind": "natural_person"},
            "document_no": "罚1", "decided_on": "11010519491231002X", "legal_basis": "《某法》",
            "tier": "general",
            "fields": {"facts": "事实", "penalty_kind": "罚款", "content": "罚款",
                       "authority": "市场监管局", "fine_10k_yuan": "11010519491231002X"}
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let Err(errors) = crate::Catalogue::shipped().validate(
            &raw,
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
        ) else {
            panic!("the record is invalid");
        };
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(messages.len() >= 2, "{messages:?}");
        for m in &messages {
            assert!(!m.contains("11010519491231002X"), "{m}");
        }
        assert!(
            messages
                .iter()
                .any(|m| m.contains("\"110105********002X\" is not a date")),
            "the value is still quoted, masked: {messages:?}"
        );
    }

    #[test]
    fn personal_values_keep_only_their_ends() {
        assert_eq!(mask_personal("张三丰"), "张*丰");
        assert_eq!(mask_personal("11010519491231002X"), "110105********002X");
    }
}
