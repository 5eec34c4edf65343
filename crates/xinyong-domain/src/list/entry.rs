//! List entries: their stored form, where one stands on a given day, and the checking of a list
//! authority's submission ([`ListType::validate_entry`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ListType, MAX_RELATED_PERSONS, RelatedPerson, RelatedRole};
use crate::code::SubjectCode;
use crate::record::RecordId;
use crate::record::{FieldError, infer_subject_kind};
use crate::subject::{Subject, SubjectKind};
use crate::text::{Lines, check_text, parse_date};

/// Life-cycle status of a list entry version. "Expired" is not a status: it is computed from the
/// dates at read time ([`ListEntry::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ListEntryStatus {
    Active,
    /// Contested by the subject; still counts, visibly marked, while the authority reviews it.
    UnderObjection,
    /// Removed by the authority (performance, correction, revocation).
    Removed,
    /// Credit repair granted: publication and use stop.
    Repaired,
}

impl ListEntryStatus {
    pub const ALL: [ListEntryStatus; 4] = [
        ListEntryStatus::Active,
        ListEntryStatus::UnderObjection,
        ListEntryStatus::Removed,
        ListEntryStatus::Repaired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListEntryStatus::Active => "active",
            ListEntryStatus::UnderObjection => "under_objection",
            ListEntryStatus::Removed => "removed",
            ListEntryStatus::Repaired => "repaired",
        }
    }

    pub fn parse(s: &str) -> Option<ListEntryStatus> {
        ListEntryStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Where an entry stands on a given day, computed from its status and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EntryState {
    /// Its start lies in the future.
    Pending,
    Current,
    /// Current, and contested by the subject.
    CurrentUnderObjection,
    /// Its end has passed.
    Expired,
    Removed,
    Repaired,
}

/// A stored version of a list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListEntry {
    pub id: RecordId,
    pub version: u32,
    pub list_type: String,
    pub status: ListEntryStatus,
    /// Code of the department that made the listing.
    pub authority: String,
    /// Full code: natural persons' numbers must be masked before any public output.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub subject_code: SubjectCode,
    pub subject_name: String,
    pub subject_kind: SubjectKind,
    /// Id of a ground of the list type.
    pub ground: String,
    pub document_no: String,
    /// First day the entry counts.
    pub starts_on: NaiveDate,
    /// First day the entry no longer counts (exclusive end).
    pub ends_on: NaiveDate,
    pub related_persons: Vec<RelatedPerson>,
}

impl ListEntry {
    /// Whether the entry counts on `today`: neither removed nor repaired, and
    /// `starts_on <= today < ends_on`. An entry under objection still counts.
    #[inline]
    pub fn is_current(&self, today: NaiveDate) -> bool {
        matches!(
            self.status,
            ListEntryStatus::Active | ListEntryStatus::UnderObjection
        ) && self.starts_on <= today
            && today < self.ends_on
    }

    /// Where the entry stands on `today`.
    pub fn state(&self, today: NaiveDate) -> EntryState {
        match self.status {
            ListEntryStatus::Removed => EntryState::Removed,
            ListEntryStatus::Repaired => EntryState::Repaired,
            _ if today < self.starts_on => EntryState::Pending,
            _ if today >= self.ends_on => EntryState::Expired,
            ListEntryStatus::UnderObjection => EntryState::CurrentUnderObjection,
            ListEntryStatus::Active => EntryState::Current,
        }
    }

    /// The roles in which this entry binds `code`, as far as `list_type` still binds them.
    pub fn roles_of<'a>(
        &'a self,
        code: &'a str,
        list_type: &'a ListType,
    ) -> impl Iterator<Item = RelatedRole> + 'a {
        self.related_persons
            .iter()
            .filter(move |p| same_code(&p.code, code) && list_type.binds(p.role))
            .map(|p| p.role)
    }
}

/// Compares two subject codes as the platform normalises them (trimmed, ASCII upper case),
/// without allocating.
#[inline]
pub(crate) fn same_code(stored: &str, given: &str) -> bool {
    stored.eq_ignore_ascii_case(given.trim())
}

/// The subject of a submission, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawSubject {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// Inferred from the code when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A related person, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawRelatedPerson {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
}

/// A list authority's submission, before any checking: `{"subject": {"code", "name", "kind"},
/// "ground", "document_no", "starts_on", "ends_on" (optional), "related_persons": [{"code",
/// "name", "role"}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RawListEntry {
    #[serde(default)]
    pub subject: RawSubject,
    #[serde(default)]
    pub ground: String,
    #[serde(default)]
    pub document_no: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub related_persons: Vec<RawRelatedPerson>,
}

impl RawListEntry {
    /// Reads the API shape, naming the field of every problem (serde would stop at the first
    /// and name none). Unknown keys are errors: a typo must not silently drop data.
    pub fn from_json(value: &Value) -> Result<RawListEntry, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut raw = RawListEntry::default();
        let Some(obj) = value.as_object() else {
            return Err(vec![FieldError::new(
                "",
                "a list entry must be a JSON object",
            )]);
        };
        let string = |key: &str, v: &Value, errors: &mut Vec<FieldError>| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                errors.push(FieldError::new(key, "must be a string"));
                None
            }
        };
        for (k, v) in obj {
            match k.as_str() {
                "ground" => raw.ground = string(k, v, &mut errors).unwrap_or_default(),
                "document_no" => raw.document_no = string(k, v, &mut errors).unwrap_or_default(),
                "starts_on" => raw.starts_on = string(k, v, &mut errors).unwrap_or_default(),
                "ends_on" => raw.ends_on = string(k, v, &mut errors),
                "subject" => match v.as_object() {
                    Some(s) => {
                        for (sk, sv) in s {
                            let key = format!("subject.{sk}");
                            match sk.as_str() {
                                "code" => {
                                    raw.subject.code =
                                        string(&key, sv, &mut errors).unwrap_or_default();
                                }
                                "name" => {
                                    raw.subject.name =
                                        string(&key, sv, &mut errors).unwrap_or_default();
                                }
                                "kind" => raw.subject.kind = string(&key, sv, &mut errors),
                                _ => errors.push(FieldError::new(key, "unknown subject attribute")),
                            }
                        }
                    }
                    None => errors.push(FieldError::new(
                        "subject",
                        "must be an object {\"code\", \"name\", \"kind\"}",
                    )),
                },
                "related_persons" => match v {
                    Value::Null => {}
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let Some(p) = item.as_object() else {
                                errors.push(FieldError::new(
                                    format!("related_persons[{i}]"),
                                    "must be an object {\"code\", \"name\", \"role\"}",
                                ));
                                continue;
                            };
                            let mut person = RawRelatedPerson::default();
                            for (pk, pv) in p {
                                let key = format!("related_persons[{i}].{pk}");
                                let slot = match pk.as_str() {
                                    "code" => &mut person.code,
                                    "name" => &mut person.name,
                                    "role" => &mut person.role,
                                    _ => {
                                        errors.push(FieldError::new(
                                            key,
                                            "unknown related person attribute",
                                        ));
                                        continue;
                                    }
                                };
                                *slot = string(&key, pv, &mut errors).unwrap_or_default();
                            }
                            raw.related_persons.push(person);
                        }
                    }
                    _ => errors.push(FieldError::new("related_persons", "must be an array")),
                },
                _ => errors.push(FieldError::new(k.as_str(), "unknown attribute")),
            }
        }
        if errors.is_empty() {
            Ok(raw)
        } else {
            Err(errors)
        }
    }
}

/// A submission that passed [`ListType::validate_entry`]: what the store keeps, less the id,
/// version, status and authority it assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidListEntry {
    pub list_type: String,
    pub subject: Subject,
    /// Id of a ground of the list type.
    pub ground: String,
    pub document_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Codes normalised.
    pub related_persons: Vec<RelatedPerson>,
}

impl ValidListEntry {
    /// The first version of the entry, as the store assigns it.
    pub fn into_entry(self, id: impl Into<RecordId>, authority: impl Into<String>) -> ListEntry {
        ListEntry {
            id: id.into(),
            version: 1,
            list_type: self.list_type,
            status: ListEntryStatus::Active,
            authority: authority.into(),
            subject_code: self.subject.code.clone(),
            subject_name: self.subject.name,
            subject_kind: self.subject.kind,
            ground: self.ground,
            document_no: self.document_no,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            related_persons: self.related_persons,
        }
    }
}

impl ListType {
    /// Checks a list authority's submission against this list type and returns the entry
    /// normalised, or every problem found, each naming its field. `today` bounds the start: a
    /// listing decision cannot lie in the future.
    pub fn validate_entry(
        &self,
        raw: &RawListEntry,
        today: NaiveDate,
    ) -> Result<ValidListEntry, Vec<FieldError>> {
        let mut errors = Vec::new();

        // Subject: kind (given or inferred from the code), then the code that kind requires.
        let code = raw.subject.code.trim();
        let name = raw.subject.name.trim();
        let kind = match raw.subject.kind.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => match SubjectKind::parse(k) {
                Some(kind) => Some(kind),
                None => {
                    errors.push(FieldError::new(
                        "subject.kind",
                        format!("{k:?} is not a subject kind"),
                    ));
                    None
                }
            },
            _ if code.is_empty() => None,
            _ => match SubjectCode::parse(code) {
                Ok(_) => infer_subject_kind(code),
                Err(e) => {
                    errors.push(FieldError::new("subject.code", e.to_string()));
                    None
                }
            },
        };
        if code.is_empty() {
            errors.push(FieldError::new("subject.code", "is required"));
        }
        let subject_code = match kind {
            Some(kind) if !code.is_empty() => match Subject::parse_code(kind, code) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(FieldError::new("subject.code", e.to_string()));
                    None
                }
            },
            _ => None,
        };
        if let Some(kind) = kind
            && !self.subject_kinds.contains(&kind)
        {
            errors.push(FieldError::new(
                "subject.kind",
                format!("list {} does not apply to {kind}", self.id),
            ));
        }
        if name.is_empty() {
            errors.push(FieldError::new("subject.name", "is required"));
        } else if let Err(e) = check_text(name, 200, Lines::One) {
            errors.push(FieldError::new("subject.name", e));
        }

        let ground = match raw.ground.trim() {
            "" => {
                errors.push(FieldError::new("ground", "is required"));
                None
            }
            g => match self.ground(g) {
                Some(ground) => Some(ground.id.clone()),
                None => {
                    let allowed: Vec<&str> = self.grounds.iter().map(|g| g.id.as_str()).collect();
                    errors.push(FieldError::new(
                        "ground",
                        format!(
                            "{g:?} is not a ground of list {} (allowed: {})",
                            self.id,
                            allowed.join(", ")
                        ),
                    ));
                    None
                }
            },
        };

        let document_no = raw.document_no.trim();
        if document_no.is_empty() {
            errors.push(FieldError::new("document_no", "is required"));
        } else if let Err(e) = check_text(document_no, 128, Lines::One) {
            errors.push(FieldError::new("document_no", e));
        }

        let starts_on = match raw.starts_on.trim() {
            "" => {
                errors.push(FieldError::new("starts_on", "is required"));
                None
            }
            s => match parse_date(s) {
                Ok(d) if d > today => {
                    errors.push(FieldError::new(
                        "starts_on",
                        format!("listing date {d} is in the future"),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(FieldError::new("starts_on", e));
                    None
                }
            },
        };

        // A person cannot have been listed before being born.
        if let Some(c) = &subject_code
            && let Err(e) = c.require_born_by(starts_on.unwrap_or(today))
        {
            errors.push(FieldError::new("subject.code", e.to_string()));
        }

        let ends_on = match (raw.ends_on.as_deref().map(str::trim), starts_on) {
            (Some(s), _) if !s.is_empty() => match (parse_date(s), starts_on) {
                (Err(e), _) => {
                    errors.push(FieldError::new("ends_on", e));
                    None
                }
                (Ok(_), None) => None,
                (Ok(end), Some(start)) => match self.allowed_ends(start) {
                    Some(allowed) if allowed.contains(end) => Some(end),
                    Some(allowed) => {
                        errors.push(FieldError::new(
                            "ends_on",
                            format!(
                                "{end} is outside the period list {} allows: {allowed}",
                                self.id
                            ),
                        ));
                        None
                    }
                    None => {
                        errors.push(FieldError::new("ends_on", "is out of range"));
                        None
                    }
                },
            },
            (_, Some(start)) => {
                let end = self.default_end(start);
                if end.is_none() {
                    errors.push(FieldError::new("starts_on", "is out of range"));
                }
                end
            }
            (_, None) => None,
        };

        let mut related_persons = Vec::with_capacity(raw.related_persons.len());
        if raw.related_persons.len() > MAX_RELATED_PERSONS {
            errors.push(FieldError::new(
                "related_persons",
                format!("at most {MAX_RELATED_PERSONS} related persons"),
            ));
        }
        if kind == Some(SubjectKind::NaturalPerson) && !raw.related_persons.is_empty() {
            errors.push(FieldError::new(
                "related_persons",
                "only an organisation's entry binds related persons",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, p) in raw.related_persons.iter().enumerate() {
            let key = |f: &str| format!("related_persons[{i}].{f}");
            let role = match p.role.trim() {
                "" => {
                    errors.push(FieldError::new(key("role"), "is required"));
                    None
                }
                r => match RelatedRole::parse(r) {
                    Some(role) if self.binds(role) => Some(role),
                    _ if self.binds_related_persons.is_empty() => {
                        errors.push(FieldError::new(
                            key("role"),
                            format!("list {} binds no related persons", self.id),
                        ));
                        None
                    }
                    _ => {
                        let allowed: Vec<&str> = self
                            .binds_related_persons
                            .iter()
                            .map(|r| r.as_str())
                            .collect();
                        errors.push(FieldError::new(
                            key("role"),
                            format!(
                                "{r:?} is not a role list {} binds (allowed: {})",
                                self.id,
                                allowed.join(", ")
                            ),
                        ));
                        None
                    }
                },
            };
            let pcode = p.code.trim();
            let parsed = if pcode.is_empty() {
                errors.push(FieldError::new(key("code"), "is required"));
                None
            } else {
                let natural = role.is_none_or(RelatedRole::natural_person_only);
                let result = if natural {
                    Subject::parse_code(SubjectKind::NaturalPerson, pcode)
                } else {
                    SubjectCode::parse(pcode)
                }
                .and_then(|c| c.require_born_by(starts_on.unwrap_or(today)).map(|()| c));
                match result {
                    Ok(c) => Some(c),
                    Err(e) => {
                        let what = if natural {
                            "a citizen identity number: "
                        } else {
                            ""
                        };
                        errors.push(FieldError::new(key("code"), format!("{what}{e}")));
                        None
                    }
                }
            };
            if let (Some(c), Some(s)) = (&parsed, &subject_code)
                && c == s
            {
                errors.push(FieldError::new(
                    key("code"),
                    "a related person cannot be the listed subject itself",
                ));
            }
            let pname = p.name.trim();
            if pname.is_empty() {
                errors.push(FieldError::new(key("name"), "is required"));
            } else if let Err(e) = check_text(pname, 200, Lines::One) {
                errors.push(FieldError::new(key("name"), e));
            }
            if let (Some(c), Some(role)) = (parsed, role) {
                if !seen.insert((c.as_str().to_owned(), role)) {
                    errors.push(FieldError::new(
                        key("code"),
                        format!("listed twice as {role}"),
                    ));
                }
                related_persons.push(RelatedPerson {
                    code: c.as_str().to_owned(),
                    name: pname.to_owned(),
                    role,
                });
            }
        }

        match (
            errors.is_empty(),
            subject_code,
            kind,
            ground,
            starts_on,
            ends_on,
        ) {
            (true, Some(code), Some(kind), Some(ground), Some(starts_on), Some(ends_on)) => {
                Ok(ValidListEntry {
                    list_type: self.id.clone(),
                    subject: Subject {
                        code,
                        name: name.to_owned(),
                        kind,
                    },
                    ground,
                    document_no: document_no.to_owned(),
                    starts_on,
                    ends_on,
                    related_persons,
                })
            }
            _ => {
                if errors.is_empty() {
                    errors.push(FieldError::new("", "entry is incomplete"));
                }
                Err(errors)
            }
        }
    }
}
