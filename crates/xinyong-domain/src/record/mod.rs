//! Credit records: what a department submits, how it is checked against the catalogue, and
//! what is stored.
//!
//! Identity of a record: (department, category, document number). Re-submitting the same
//! content is a no-op; different content under the same identity becomes a new version and the
//! old one stays (SPEC: "Nothing is silently lost or overwritten").

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::catalogue::{Catalogue, CoreAttribute, FieldSpec, FieldType, Tier};
use crate::code::SubjectCode;
pub use crate::ids::RecordId;
pub use crate::subject::infer_subject_kind;
use crate::subject::{Subject, SubjectKind};
use crate::text::{Lines, check_text, parse_date};
pub use raw::RawRecord;

mod raw;

const MAX_SHORT: usize = 500;
const MAX_TEXT: usize = 10_000;

/// One problem with one input record, naming the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field as the submitter named it: `subject.code`, `decided_on`, `fields.facts`, or
    /// the CSV column header.
    pub field: String,
    /// What is wrong. Quotes the offending value where that helps, but never a whole citizen
    /// identity number: these messages are printed by `xinyong import` and end up in logs.
    pub message: String,
}

impl FieldError {
    /// An error about `field`; any citizen identity number quoted in `message` is masked.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        let message = message.into();
        FieldError {
            field: field.into(),
            message: match crate::mask::mask_identity_numbers(&message) {
                std::borrow::Cow::Borrowed(_) => message,
                std::borrow::Cow::Owned(masked) => masked,
            },
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A record that passed every check of the catalogue; only the storage layer turns it into a
/// stored [`Record`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRecord {
    pub category: String,
    pub subject: Subject,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub legal_basis: String,
    pub tier: Option<Tier>,
    /// When publication ends: named by the record within its period, or the period's default.
    pub publicity_until: NaiveDate,
    /// Normalised field values keyed by the field's English name.
    pub fields: BTreeMap<String, Value>,
    /// `fields` as canonical JSON (keys sorted), computed once at validation.
    pub fields_json: String,
    /// SHA-256 over a canonical serialisation of everything that makes up the record's
    /// content: equal hashes mean a re-submission is a no-op.
    pub content_hash: String,
    /// For a record that is a list entry: its list type, ground and bound persons.
    pub listing: Option<Listing>,
    /// Whether its category is `restricted`: the store keeps such fields encrypted.
    pub restricted: bool,
}

impl ValidRecord {
    /// Builds a checked record, computing its canonical field serialisation and content hash.
    #[allow(clippy::too_many_arguments)]
    fn new(
        category: String,
        subject: Subject,
        document_no: String,
        decided_on: NaiveDate,
        legal_basis: String,
        tier: Option<Tier>,
        publicity_until: NaiveDate,
        fields: BTreeMap<String, Value>,
        restricted: bool,
    ) -> ValidRecord {
        // A map of strings and numbers always serialises; an empty object is the only fallback.
        let fields_json = serde_json::to_string(&fields).unwrap_or_else(|_| "{}".to_owned());
        let mut record = ValidRecord {
            category,
            subject,
            document_no,
            decided_on,
            legal_basis,
            tier,
            publicity_until,
            fields,
            fields_json,
            content_hash: String::new(),
            listing: None,
            restricted,
        };
        record.content_hash = content_hash(&record.hash_head(), &record.fields_json, None);
        record
    }

    /// The first stored version of this record, as `department` submitted it.
    pub fn into_record(
        self,
        id: impl Into<RecordId>,
        department: impl Into<String>,
        recorded_at: DateTime<Utc>,
    ) -> Record {
        Record {
            id: id.into(),
            version: 1,
            status: RecordStatus::Active,
            department: department.into(),
            category: self.category,
            subject_code: self.subject.code.clone(),
            subject_name: self.subject.name,
            subject_kind: self.subject.kind,
            document_no: self.document_no,
            decided_on: self.decided_on,
            legal_basis: self.legal_basis,
            tier: self.tier,
            publicity_until: self.publicity_until,
            fields: self.fields,
            content_hash: self.content_hash,
            recorded_at,
            listing: self.listing,
            status_note: None,
        }
    }

    /// Marks the record as a list entry; the listing is part of the content hash.
    pub fn with_listing(mut self, listing: Listing) -> ValidRecord {
        let head = self.hash_head();
        self.content_hash = content_hash(&head, &self.fields_json, Some(&listing));
        self.listing = Some(listing);
        self
    }

    fn hash_head(&self) -> Value {
        serde_json::json!([
            self.category,
            self.subject.code.as_str(),
            self.subject.name,
            self.subject.kind.as_str(),
            self.document_no,
            self.decided_on.to_string(),
            self.legal_basis,
            self.tier.map(Tier::as_str),
            self.publicity_until.to_string(),
        ])
    }
}

fn content_hash(head: &Value, fields_json: &str, listing: Option<&Listing>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(head.to_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(fields_json.as_bytes());
    if let Some(l) = listing {
        hasher.update(b"\n");
        hasher.update(serde_json::to_string(l).unwrap_or_default().as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// What makes a record a list entry beyond its category: the list type, the legal ground and
/// the persons the entry also binds (legal representative, actual controller...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing {
    pub list_type: String,
    pub ground: String,
    #[serde(default)]
    pub related_persons: Vec<crate::subject::RelatedPerson>,
}

/// Life-cycle status of a record version. A status change is a new version, never an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordStatus {
    Active,
    /// Contested by the subject; stays visible, visibly marked, while the source reviews it.
    UnderObjection,
    /// Credit repair granted: publication and use stop.
    Repaired,
    /// Withdrawn by the source department.
    Revoked,
    /// Taken off a list by its authority (obligation performed, correction made): publication
    /// and measures stop; the entry's history stays.
    Removed,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::UnderObjection => "under_objection",
            RecordStatus::Repaired => "repaired",
            RecordStatus::Revoked => "revoked",
            RecordStatus::Removed => "removed",
        }
    }
    pub fn parse(s: &str) -> Option<RecordStatus> {
        [
            RecordStatus::Active,
            RecordStatus::UnderObjection,
            RecordStatus::Repaired,
            RecordStatus::Revoked,
            RecordStatus::Removed,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A stored version of a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: RecordId,
    pub version: u32,
    pub status: RecordStatus,
    pub department: String,
    pub category: String,
    /// Full code, as validated at submission: natural persons' numbers must be masked before
    /// any public output.
    pub subject_code: SubjectCode,
    pub subject_name: String,
    pub subject_kind: SubjectKind,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub legal_basis: String,
    pub tier: Option<Tier>,
    pub publicity_until: NaiveDate,
    pub fields: BTreeMap<String, Value>,
    pub content_hash: String,
    pub recorded_at: DateTime<Utc>,
    /// Present when the record is a list entry made through the list API.
    pub listing: Option<Listing>,
    /// Why the status last changed (e.g. a removal's reason and document).
    pub status_note: Option<String>,
}

/// The state of one stored record version, borrowed from wherever it lives, so that the
/// digest the audit log keeps is computed by one function at write time (from a
/// [`ValidRecord`]) and at verification time (from a stored [`Record`]).
///
/// Invariant: two versions have the same [`VersionState::digest`] exactly when every stored
/// column that matters is equal (id, version, status, note, department, content, listing), so
/// an edit of any of them in the database is caught by `xinyong ledger verify`.
pub struct VersionState<'a> {
    pub id: &'a str,
    pub version: u32,
    pub status: RecordStatus,
    pub status_note: Option<&'a str>,
    pub department: &'a str,
    pub category: &'a str,
    pub subject_code: &'a str,
    pub subject_name: &'a str,
    pub subject_kind: SubjectKind,
    pub document_no: &'a str,
    pub decided_on: NaiveDate,
    pub legal_basis: &'a str,
    pub tier: Option<Tier>,
    pub publicity_until: NaiveDate,
    /// The fields as canonical JSON (a `BTreeMap` serialised: keys sorted).
    pub fields_json: &'a str,
    pub listing: Option<&'a Listing>,
}

impl VersionState<'_> {
    /// SHA-256 over a canonical, unambiguous serialisation (a JSON array, then the fields).
    pub fn digest(&self) -> [u8; 32] {
        let head = serde_json::json!([
            self.id,
            self.version,
            self.status.as_str(),
            self.status_note,
            self.department,
            self.category,
            self.subject_code,
            self.subject_name,
            self.subject_kind.as_str(),
            self.document_no,
            self.decided_on.to_string(),
            self.legal_basis,
            self.tier.map(Tier::as_str),
            self.publicity_until.to_string(),
            self.listing,
        ]);
        let mut hasher = Sha256::new();
        hasher.update(head.to_string().as_bytes());
        hasher.update(b"\n");
        hasher.update(self.fields_json.as_bytes());
        hasher.finalize().into()
    }
}

impl ValidRecord {
    /// The state of this record stored as version `version` of record `id`, naming the
    /// subject as `subject` (see [`Record::version_digest`]).
    pub fn version_state<'a>(
        &'a self,
        id: &'a str,
        version: u32,
        department: &'a str,
        subject: &'a str,
    ) -> VersionState<'a> {
        VersionState {
            id,
            version,
            status: RecordStatus::Active,
            status_note: None,
            department,
            category: &self.category,
            subject_code: subject,
            subject_name: &self.subject.name,
            subject_kind: self.subject.kind,
            document_no: &self.document_no,
            decided_on: self.decided_on,
            legal_basis: &self.legal_basis,
            tier: self.tier,
            publicity_until: self.publicity_until,
            fields_json: &self.fields_json,
            listing: self.listing.as_ref(),
        }
    }
}

impl Record {
    /// The digest of this stored version (see [`VersionState`]), naming the subject as
    /// `subject` (the store passes a keyed pseudonym for natural persons, so that the public
    /// log's digests cannot be used to test guesses of an identity number).
    pub fn version_digest(&self, subject: &str) -> [u8; 32] {
        // A map of JSON values always serialises.
        let fields_json = serde_json::to_string(&self.fields).unwrap_or_default();
        VersionState {
            id: self.id.as_str(),
            version: self.version,
            status: self.status,
            status_note: self.status_note.as_deref(),
            department: &self.department,
            category: &self.category,
            subject_code: subject,
            subject_name: &self.subject_name,
            subject_kind: self.subject_kind,
            document_no: &self.document_no,
            decided_on: self.decided_on,
            legal_basis: &self.legal_basis,
            tier: self.tier,
            publicity_until: self.publicity_until,
            fields_json: &fields_json,
            listing: self.listing.as_ref(),
        }
        .digest()
    }
}

/// Checks and normalises one field value against its spec. Amounts and counts are never
/// negative; a person's code must belong to someone born by `today`.
fn normalise_field(
    spec: &FieldSpec,
    value: &Value,
    today: NaiveDate,
) -> Result<Option<Value>, String> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) if matches!(spec.field_type, FieldType::Decimal | FieldType::Integer) => {
            n.to_string()
        }
        _ => return Err("must be a string".into()),
    };
    if text.is_empty() {
        return Ok(None);
    }
    let v = match spec.field_type {
        FieldType::String => {
            check_text(&text, MAX_SHORT, Lines::One)?;
            Value::String(text)
        }
        FieldType::Text => {
            check_text(&text, MAX_TEXT, Lines::Many)?;
            Value::String(text)
        }
        FieldType::Date => Value::String(parse_date(&text)?.to_string()),
        FieldType::Integer => {
            let i: i64 = text
                .parse()
                .map_err(|_| format!("{text:?} is not an integer"))?;
            if i < 0 {
                return Err(format!(
                    "{text:?} is negative: counts and years are at least 0"
                ));
            }
            Value::from(i)
        }
        FieldType::Decimal => {
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            if int.starts_with('-') {
                return Err(format!("{text:?} is negative: amounts are at least 0"));
            }
            let int_digits = int;
            let ok = !int_digits.is_empty()
                && int_digits.len() <= 15
                && int_digits.bytes().all(|b| b.is_ascii_digit())
                && frac.len() <= 6
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(text.contains('.') && frac.is_empty());
            if !ok {
                return Err(format!("{text:?} is not a decimal number"));
            }
            // Kept as a string: decimal amounts must not pass through binary floating point.
            Value::String(text)
        }
        FieldType::Enum => {
            if !spec.values.contains(&text) {
                return Err(format!(
                    "{text:?} is not one of: {}",
                    spec.values.join(", ")
                ));
            }
            Value::String(text)
        }
        FieldType::Code => {
            let code = SubjectCode::parse(&text).map_err(|e| e.to_string())?;
            code.require_born_by(today).map_err(|e| e.to_string())?;
            Value::String(code.as_str().to_owned())
        }
    };
    Ok(Some(v))
}

impl Catalogue {
    /// Checks a raw record against the catalogue and returns it normalised, or every problem
    /// found (not just the first), each naming its field. `today` bounds the decision date:
    /// a decision cannot lie in the future.
    pub fn validate(
        &self,
        raw: &RawRecord,
        today: NaiveDate,
    ) -> Result<ValidRecord, Vec<FieldError>> {
        let mut errors = Vec::new();
        let required =
            |attr: CoreAttribute, errors: &mut Vec<FieldError>| -> Option<(String, String)> {
                match raw.get(attr) {
                    Some((k, v)) => Some((k.to_owned(), v.to_owned())),
                    None => {
                        let key = raw.core.get(&attr).map_or(attr.name(), |(k, _)| k.as_str());
                        errors.push(FieldError::new(key, "is required"));
                        None
                    }
                }
            };

        let category = required(CoreAttribute::Category, &mut errors).and_then(|(k, id)| {
            let c = self.category(&id);
            if c.is_none() {
                errors.push(FieldError::new(
                    k,
                    format!("{id:?} is not a category of catalogue {}", self.version),
                ));
            }
            c
        });
        let code = required(CoreAttribute::SubjectCode, &mut errors);
        let name = required(CoreAttribute::SubjectName, &mut errors);
        let document_no = required(CoreAttribute::DocumentNo, &mut errors);
        let decided_on = required(CoreAttribute::DecidedOn, &mut errors);
        let legal_basis = required(CoreAttribute::LegalBasis, &mut errors);

        // Subject: kind (given or inferred from the code), then the code that kind requires.
        let inferred = || code.as_ref().and_then(|(_, c)| infer_subject_kind(c));
        let kind = match raw.get(CoreAttribute::SubjectKind) {
            Some((k, v)) => match self.subject_kind(v) {
                Some(kind) => Some(kind),
                // 法人及非法人组织: an organisation, whose kind its unified code says.
                None if self.is_organisation_kind_value(v) => match inferred() {
                    Some(SubjectKind::NaturalPerson) => {
                        errors.push(FieldError::new(
                            k,
                            format!("{v:?} says an organisation, the code is a person's"),
                        ));
                        None
                    }
                    organisation => organisation,
                },
                None => {
                    errors.push(FieldError::new(k, format!("{v:?} is not a subject kind")));
                    None
                }
            },
            None => inferred(),
        };
        let subject_code = match (&code, kind) {
            (Some((k, c)), Some(kind)) => match Subject::parse_code(kind, c) {
                Ok(code) => Some(code),
                Err(e) => {
                    errors.push(FieldError::new(k.as_str(), e.to_string()));
                    None
                }
            },
            (Some((k, c)), None)
                if raw
                    .get(CoreAttribute::SubjectKind)
                    .is_none_or(|(_, v)| self.is_organisation_kind_value(v)) =>
            {
                // Nothing to infer from: report why the code is not a code at all.
                if let Err(e) = SubjectCode::parse(c) {
                    errors.push(FieldError::new(k.as_str(), e.to_string()));
                }
                None
            }
            _ => None,
        };
        for (column, message) in crate::template::check(&raw.template, subject_code.as_ref()) {
            errors.push(FieldError::new(column, message));
        }
        if let (Some(cat), Some(kind)) = (category, kind)
            && !cat.subject_kinds.contains(&kind)
        {
            let key = raw
                .core
                .get(&CoreAttribute::SubjectKind)
                .map_or("subject_kind", |(k, _)| k.as_str());
            errors.push(FieldError::new(
                key,
                format!("category {} does not apply to {}", cat.id, kind),
            ));
        }
        for (max, value) in [(200, &name), (128, &document_no), (2000, &legal_basis)] {
            if let Some((k, v)) = value
                && let Err(e) = check_text(v, max, Lines::One)
            {
                errors.push(FieldError::new(k.as_str(), e));
            }
        }
        let decided = decided_on.and_then(|(k, v)| match parse_date(&v) {
            Ok(d) if d > today => {
                errors.push(FieldError::new(
                    k,
                    format!("decision date {d} is in the future"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::new(k, e));
                None
            }
        });
        // A person cannot have been the subject of a decision before being born.
        if let (Some(c), Some((k, _))) = (&subject_code, &code)
            && let Err(e) = c.require_born_by(decided.unwrap_or(today))
        {
            errors.push(FieldError::new(k.as_str(), e.to_string()));
        }

        // Tier: required exactly when the category has tiers.
        let tier = match (raw.get(CoreAttribute::Tier), category) {
            (Some((k, v)), Some(cat)) => match self.tier(v) {
                Some(t) if cat.tiers.iter().any(|r| r.tier == t) => Some(t),
                Some(t) if !cat.has_tiers() => {
                    errors.push(FieldError::new(
                        k,
                        format!("category {} has no tiers, found {}", cat.id, t.as_str()),
                    ));
                    None
                }
                _ => {
                    let allowed: Vec<&str> = cat.tiers.iter().map(|r| r.tier.as_str()).collect();
                    errors.push(FieldError::new(
                        k,
                        format!(
                            "{v:?} is not a tier of {} (allowed: {})",
                            cat.id,
                            allowed.join(", ")
                        ),
                    ));
                    None
                }
            },
            (None, Some(cat)) if cat.has_tiers() => {
                errors.push(FieldError::new(
                    "tier",
                    format!("is required for category {}", cat.id),
                ));
                None
            }
            _ => None,
        };

        // Publicity end: named by the record within its period's bounds, or the default.
        let publicity_until = match (category, decided) {
            (Some(cat), Some(d)) if !cat.has_tiers() || tier.is_some() => {
                cat.period(tier).and_then(|p| match raw.get(CoreAttribute::PublicityUntil) {
                    Some((k, v)) => match parse_date(v) {
                        Ok(end) => match p.bounds(d) {
                            Some((lo, hi)) if end >= lo && end <= hi => Some(end),
                            Some((lo, hi)) => {
                                errors.push(FieldError::new(k, format!("{end} is outside the allowed publicity period {lo} to {hi}")));
                                None
                            }
                            None => None,
                        },
                        Err(e) => {
                            errors.push(FieldError::new(k, e));
                            None
                        }
                    },
                    None => p.default_end(d),
                })
            }
            _ => None,
        };

        // Category fields: only declared ones, each typed; required ones present.
        let mut fields = BTreeMap::new();
        if let Some(cat) = category {
            for (key, value) in &raw.fields {
                let field_key = format!("fields.{key}");
                let Some(spec) = cat.field(key) else {
                    errors.push(FieldError::new(
                        field_key,
                        format!("is not a field of category {}", cat.id),
                    ));
                    continue;
                };
                match normalise_field(spec, value, today) {
                    Ok(Some(v)) => {
                        if fields.insert(spec.name.clone(), v).is_some() {
                            errors.push(FieldError::new(
                                field_key,
                                format!("field {} given twice", spec.name),
                            ));
                        }
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(FieldError::new(field_key, e)),
                }
            }
            for spec in cat.fields.iter().filter(|f| f.required) {
                if !fields.contains_key(&spec.name) && !errors.iter().any(|e| field_names(e, spec))
                {
                    errors.push(FieldError::new(
                        format!("fields.{}", spec.name),
                        format!("is required ({})", spec.header_zh),
                    ));
                }
            }
        }

        match (
            errors.is_empty(),
            category,
            subject_code,
            name,
            kind,
            document_no,
            decided,
            legal_basis,
            publicity_until,
        ) {
            (
                true,
                Some(cat),
                Some(code),
                Some((_, name)),
                Some(kind),
                Some((_, document_no)),
                Some(decided_on),
                Some((_, legal_basis)),
                Some(publicity_until),
            ) => Ok(ValidRecord::new(
                cat.id.clone(),
                Subject { code, name, kind },
                document_no,
                decided_on,
                legal_basis,
                tier,
                publicity_until,
                fields,
                cat.disclosure == crate::catalogue::Disclosure::Restricted,
            )),
            _ => {
                if errors.is_empty() {
                    errors.push(FieldError::new("", "record is incomplete"));
                }
                Err(errors)
            }
        }
    }
}

fn field_names(e: &FieldError, spec: &FieldSpec) -> bool {
    e.field == format!("fields.{}", spec.name) || e.field == format!("fields.{}", spec.header_zh)
}
