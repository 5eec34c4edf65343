//! Red and black lists (SPEC system 6): the list types as data, list entries, and the checking of
//! a list authority's submission.
//!
//! A list entry is a record of a list category with a start, an end and an authority: every list
//! type names the catalogue category it is the same thing as ([`ListTypes::check_against`]).
//! Whether an entry counts is computed at read time from its dates and status
//! ([`ListEntry::is_current`]), so an entry past its end stops counting even if no job ever ran
//! (SPEC: "Every adverse entry ends").

use std::collections::BTreeSet;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalogue::{Catalogue, FieldType};
use crate::code::SubjectCode;
use crate::record::{FieldError, infer_subject_kind};
use crate::subject::{Subject, SubjectKind};

/// The default list types, compiled in so that the binary runs from any directory.
pub const SHIPPED_TOML: &str = include_str!("../../../data/lists.toml");

/// Most related persons one entry may bind: bounds the work of a check and of a submission.
pub const MAX_RELATED_PERSONS: usize = 32;

/// A black list (punishment) or a red list (reward).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ListKind {
    Black,
    Red,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Black => "black",
            ListKind::Red => "red",
        }
    }
}

/// The role in which a listed organisation's entry binds a person (最高人民法院关于限制被执行人
/// 高消费及有关消费的若干规定 第三条第二款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RelatedRole {
    /// 法定代表人
    LegalRepresentative,
    /// 主要负责人
    PrincipalResponsiblePerson,
    /// 影响债务履行的直接责任人员 / 负有直接责任的人员
    DirectlyResponsiblePerson,
    /// 实际控制人 (may itself be an organisation)
    ActualController,
}

impl RelatedRole {
    pub const ALL: [RelatedRole; 4] = [
        RelatedRole::LegalRepresentative,
        RelatedRole::PrincipalResponsiblePerson,
        RelatedRole::DirectlyResponsiblePerson,
        RelatedRole::ActualController,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelatedRole::LegalRepresentative => "legal_representative",
            RelatedRole::PrincipalResponsiblePerson => "principal_responsible_person",
            RelatedRole::DirectlyResponsiblePerson => "directly_responsible_person",
            RelatedRole::ActualController => "actual_controller",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RelatedRole::LegalRepresentative => "法定代表人",
            RelatedRole::PrincipalResponsiblePerson => "主要负责人",
            RelatedRole::DirectlyResponsiblePerson => "直接责任人员",
            RelatedRole::ActualController => "实际控制人",
        }
    }

    /// Accepts the id or the Chinese name.
    pub fn parse(s: &str) -> Option<RelatedRole> {
        RelatedRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.name_zh() == s)
    }

    /// Whether only a natural person can hold the role (an actual controller may be an
    /// organisation).
    pub fn natural_person_only(self) -> bool {
        self != RelatedRole::ActualController
    }
}

impl std::fmt::Display for RelatedRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A legal ground for putting a subject on a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ground {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// How far beyond the default end an entry may be extended, in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub min_months: u32,
    pub max_months: u32,
}

/// How a deadline counts days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DayCount {
    /// Working days of the State Council holiday calendar.
    Working,
    Calendar,
}

/// When and how an entry is removed before its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Removal {
    pub rule_zh: String,
    pub rule_en: String,
    /// Days the authority has to remove an entry once the removal condition is met; `None`
    /// when the rule sets no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    pub day_count: DayCount,
    /// The provision that sets the rule.
    pub basis: String,
}

/// A list type: who keeps it, on what grounds, for how long, and whom it binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListType {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: ListKind,
    /// The catalogue category an entry of this list is a record of.
    pub category: String,
    /// The enum field of the category that carries the ground (its values are the grounds'
    /// Chinese names), when the category has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_field: Option<String>,
    /// The kind of department allowed to manage the list.
    pub authority_zh: String,
    pub authority_en: String,
    pub legal_basis: String,
    pub subject_kinds: Vec<SubjectKind>,
    /// Shortest listing, in months from `starts_on`.
    pub min_months: u32,
    /// Listing when the authority names no end, in months from `starts_on`.
    pub default_months: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
    pub removal: Removal,
    /// Roles in which an organisation's entry also binds persons.
    #[serde(default)]
    pub binds_related_persons: Vec<RelatedRole>,
    pub grounds: Vec<Ground>,
}

impl ListType {
    /// Finds a ground by its id or its Chinese name.
    pub fn ground(&self, key: &str) -> Option<&Ground> {
        self.grounds
            .iter()
            .find(|g| g.id == key || g.name_zh == key)
    }

    pub fn binds(&self, role: RelatedRole) -> bool {
        self.binds_related_persons.contains(&role)
    }

    /// Longest listing, in months, extension included.
    pub fn max_months(&self) -> u32 {
        self.default_months + self.extension.map_or(0, |e| e.max_months)
    }

    /// The end of an entry that names none.
    pub fn default_end(&self, starts_on: NaiveDate) -> Option<NaiveDate> {
        starts_on.checked_add_months(Months::new(self.default_months))
    }

    /// The ranges an entry's end may lie in: the ordinary period, then the extended one.
    pub fn allowed_ends(&self, starts_on: NaiveDate) -> Option<AllowedEnds> {
        let add = |m: u32| starts_on.checked_add_months(Months::new(m));
        let ordinary = (add(self.min_months)?, add(self.default_months)?);
        let extended = match self.extension {
            Some(e) => Some((
                add(self.default_months + e.min_months)?,
                add(self.default_months + e.max_months)?,
            )),
            None => None,
        };
        Some(AllowedEnds { ordinary, extended })
    }

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
        } else if let Err(e) = check_text(name, 200) {
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
        } else if let Err(e) = check_text(document_no, 128) {
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
                };
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
            } else if let Err(e) = check_text(pname, 200) {
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

/// Where an entry's end may lie, both bounds included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedEnds {
    pub ordinary: (NaiveDate, NaiveDate),
    pub extended: Option<(NaiveDate, NaiveDate)>,
}

impl AllowedEnds {
    pub fn contains(&self, end: NaiveDate) -> bool {
        let within = |(lo, hi): (NaiveDate, NaiveDate)| lo <= end && end <= hi;
        within(self.ordinary) || self.extended.is_some_and(within)
    }
}

impl std::fmt::Display for AllowedEnds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lo, hi) = self.ordinary;
        if lo == hi {
            write!(f, "{lo}")?;
        } else {
            write!(f, "{lo} to {hi}")?;
        }
        if let Some((lo, hi)) = self.extended {
            write!(f, ", or extended {lo} to {hi}")?;
        }
        Ok(())
    }
}

/// Why a list types file was refused, or does not fit the catalogue.
#[derive(Debug, thiserror::Error)]
pub enum ListTypesError {
    #[error("list types are not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("list type {list_type}: {reason}")]
    ListType { list_type: String, reason: String },
    #[error("list types: {0}")]
    Other(String),
}

/// The versioned set of list types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListTypes {
    pub version: String,
    pub list_types: Vec<ListType>,
}

impl ListTypes {
    /// The list types shipped in `data/lists.toml`.
    pub fn shipped() -> ListTypes {
        #[allow(clippy::expect_used)] // the shipped file is tested; failing here is a build bug
        ListTypes::from_toml_str(SHIPPED_TOML).expect("shipped list types are valid")
    }

    /// Parses and checks list types. Invariants enforced: unique, well-formed ids; names,
    /// authority, legal basis and removal rule present; at least one ground, ground ids unique;
    /// `0 < min_months <= default_months` and a positive extension (every adverse entry ends);
    /// subject kinds listed; bound roles listed once.
    pub fn from_toml_str(text: &str) -> Result<ListTypes, ListTypesError> {
        let types: ListTypes = toml::from_str(text)?;
        types.check()?;
        Ok(types)
    }

    fn check(&self) -> Result<(), ListTypesError> {
        if self.version.trim().is_empty() {
            return Err(ListTypesError::Other("version is empty".into()));
        }
        let mut ids = BTreeSet::new();
        for t in &self.list_types {
            let bad = |reason: String| ListTypesError::ListType {
                list_type: t.id.clone(),
                reason,
            };
            if !is_identifier(&t.id) {
                return Err(bad("id must be 1-64 characters of a-z, 0-9 and '_'".into()));
            }
            if !ids.insert(t.id.as_str()) {
                return Err(bad("duplicate list type id".into()));
            }
            for (name, value) in [
                ("name_zh", &t.name_zh),
                ("name_en", &t.name_en),
                ("category", &t.category),
                ("authority_zh", &t.authority_zh),
                ("authority_en", &t.authority_en),
                ("legal_basis", &t.legal_basis),
                ("removal.rule_zh", &t.removal.rule_zh),
                ("removal.rule_en", &t.removal.rule_en),
                ("removal.basis", &t.removal.basis),
            ] {
                if value.trim().is_empty() {
                    return Err(bad(format!("{name} is empty")));
                }
            }
            if t.subject_kinds.is_empty() {
                return Err(bad("subject_kinds is empty".into()));
            }
            if t.min_months == 0 || t.min_months > t.default_months {
                return Err(bad(
                    "needs 0 < min_months <= default_months (every adverse entry ends)".into(),
                ));
            }
            if let Some(e) = t.extension
                && (e.min_months == 0 || e.min_months > e.max_months)
            {
                return Err(bad("extension needs 0 < min_months <= max_months".into()));
            }
            if t.removal.deadline_days == Some(0) {
                return Err(bad("removal.deadline_days must be positive".into()));
            }
            if t.grounds.is_empty() {
                return Err(bad(
                    "grounds is empty: a listing needs a legal ground".into()
                ));
            }
            let mut grounds = BTreeSet::new();
            for g in &t.grounds {
                if !is_identifier(&g.id) {
                    return Err(bad(format!("ground id {:?} is not an identifier", g.id)));
                }
                if !grounds.insert(g.id.as_str()) || !grounds.insert(g.name_zh.as_str()) {
                    return Err(bad(format!("ground {} or its name is listed twice", g.id)));
                }
                if g.name_zh.trim().is_empty() || g.name_en.trim().is_empty() {
                    return Err(bad(format!("ground {} has an empty name", g.id)));
                }
            }
            let mut roles = BTreeSet::new();
            for r in &t.binds_related_persons {
                if !roles.insert(*r) {
                    return Err(bad(format!("role {r} listed twice")));
                }
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&ListType> {
        self.list_types.iter().find(|t| t.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ListType> {
        self.list_types.iter()
    }

    /// Checks that each list type and its catalogue category are the same thing seen from two
    /// sides: the category exists; it is negative exactly for black lists; it covers the
    /// list's subject kinds and its longest listing; and where the list names a
    /// `ground_field`, that field is an enum whose values are exactly the grounds' names.
    pub fn check_against(&self, catalogue: &Catalogue) -> Result<(), ListTypesError> {
        for t in &self.list_types {
            let bad = |reason: String| ListTypesError::ListType {
                list_type: t.id.clone(),
                reason,
            };
            let Some(cat) = catalogue.category(&t.category) else {
                return Err(bad(format!(
                    "category {} is not in catalogue {}",
                    t.category, catalogue.version
                )));
            };
            if cat.negative != (t.kind == ListKind::Black) {
                return Err(bad(format!(
                    "a {} list cannot be a record of category {} (negative = {})",
                    t.kind.as_str(),
                    cat.id,
                    cat.negative
                )));
            }
            if let Some(k) = t
                .subject_kinds
                .iter()
                .find(|k| !cat.subject_kinds.contains(k))
            {
                return Err(bad(format!(
                    "subject kind {k} is not a subject kind of category {}",
                    cat.id
                )));
            }
            let (cat_min, cat_max) = match &cat.publicity {
                Some(p) => (p.min_months, p.max_months),
                None => (
                    cat.tiers.iter().map(|r| r.min_months).min().unwrap_or(0),
                    cat.tiers.iter().map(|r| r.max_months).max().unwrap_or(0),
                ),
            };
            if t.min_months < cat_min || t.max_months() > cat_max {
                return Err(bad(format!(
                    "listing of {} to {} months does not fit the publicity period of category {} ({} to {} months)",
                    t.min_months,
                    t.max_months(),
                    cat.id,
                    cat_min,
                    cat_max
                )));
            }
            if let Some(field) = &t.ground_field {
                let Some(spec) = cat.field(field) else {
                    return Err(bad(format!(
                        "ground_field {field} is not a field of category {}",
                        cat.id
                    )));
                };
                if spec.field_type != FieldType::Enum {
                    return Err(bad(format!("ground_field {field} is not an enum field")));
                }
                let names: BTreeSet<&str> = t.grounds.iter().map(|g| g.name_zh.as_str()).collect();
                let values: BTreeSet<&str> = spec.values.iter().map(String::as_str).collect();
                if names != values {
                    let missing: Vec<&str> = values.difference(&names).copied().collect();
                    let extra: Vec<&str> = names.difference(&values).copied().collect();
                    return Err(bad(format!(
                        "grounds and the values of {}.{field} differ (not grounds: {}; not values: {})",
                        cat.id,
                        missing.join(", "),
                        extra.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

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

/// A person an organisation's entry also binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedPerson {
    /// Full code (a citizen identity number for natural persons): mask before public output.
    pub code: String,
    pub name: String,
    pub role: RelatedRole,
}

/// A stored version of a list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListEntry {
    pub id: String,
    pub version: u32,
    pub list_type: String,
    pub status: ListEntryStatus,
    /// Code of the department that made the listing.
    pub authority: String,
    /// Full code: natural persons' numbers must be masked before any public output.
    pub subject_code: String,
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
    pub fn into_entry(self, id: impl Into<String>, authority: impl Into<String>) -> ListEntry {
        ListEntry {
            id: id.into(),
            version: 1,
            list_type: self.list_type,
            status: ListEntryStatus::Active,
            authority: authority.into(),
            subject_code: self.subject.code.as_str().to_owned(),
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

/// Ids in data files and URLs: 1-64 characters of `a-z`, `0-9` and `_`.
pub(crate) fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    // Authorities export dates as 2024-03-01, 2024/03/01, 20240301 or 2024年03月01日.
    let formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"];
    formats
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .ok_or_else(|| format!("{s:?} is not a date (expected YYYY-MM-DD)"))
}

fn check_text(s: &str, max: usize) -> Result<(), String> {
    if s.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// One mechanism: a list entry is a record of its list type's category.

impl ListType {
    /// The record a list entry is stored as: a record of the list's category whose decision
    /// date is the start of the listing and whose publicity ends with it. `fields` carries the
    /// category's published fields (e.g. court, case number, obligation for defaulters); the
    /// ground is written into the category's ground field where it has one.
    pub fn entry_record(
        &self,
        entry: &ValidListEntry,
        legal_basis: Option<&str>,
        fields: &serde_json::Map<String, Value>,
        catalogue: &Catalogue,
    ) -> crate::record::RawRecord {
        use crate::catalogue::CoreAttribute as A;
        let mut raw = crate::record::RawRecord::default();
        raw.set(A::Category, "list_type", self.category.clone());
        raw.set(A::SubjectCode, "subject.code", entry.subject.code.as_str());
        raw.set(A::SubjectName, "subject.name", entry.subject.name.clone());
        raw.set(A::SubjectKind, "subject.kind", entry.subject.kind.as_str());
        raw.set(A::DocumentNo, "document_no", entry.document_no.clone());
        raw.set(A::DecidedOn, "starts_on", entry.starts_on.to_string());
        raw.set(A::PublicityUntil, "ends_on", entry.ends_on.to_string());
        let basis = match legal_basis.map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => b.to_owned(),
            None => match self.ground(&entry.ground) {
                Some(g) => format!("{}（{}）", self.legal_basis, g.name_zh),
                None => self.legal_basis.clone(),
            },
        };
        raw.set(A::LegalBasis, "legal_basis", basis);
        // List entries are serious dishonesty where the category grades by tier.
        if let Some(t) = catalogue
            .category(&self.category)
            .and_then(|cat| cat.tiers.iter().map(|t| t.tier).max())
        {
            raw.set(A::Tier, "tier", t.as_str());
        }
        raw.fields = fields.clone();
        if let (Some(field), Some(g)) = (&self.ground_field, self.ground(&entry.ground)) {
            raw.fields
                .entry(field.clone())
                .or_insert_with(|| Value::String(g.name_zh.clone()));
        }
        raw
    }

    /// Reads a stored record of this list's category as a list entry. Records that came in
    /// through plain submissions (a court's CSV export, say) count too: their ground is taken
    /// from the category's ground field, or `unspecified`.
    pub fn entry_of(&self, record: &crate::record::Record) -> ListEntry {
        use crate::record::RecordStatus as R;
        let (ground, related_persons) = match &record.listing {
            Some(l) => (l.ground.clone(), l.related_persons.clone()),
            None => {
                let ground = self
                    .ground_field
                    .as_ref()
                    .and_then(|f| record.fields.get(f))
                    .and_then(Value::as_str)
                    .and_then(|name| self.ground(name))
                    .map_or_else(|| "unspecified".to_owned(), |g| g.id.clone());
                (ground, Vec::new())
            }
        };
        ListEntry {
            id: record.id.clone(),
            version: record.version,
            list_type: self.id.clone(),
            status: match record.status {
                R::Active => ListEntryStatus::Active,
                R::UnderObjection => ListEntryStatus::UnderObjection,
                R::Repaired => ListEntryStatus::Repaired,
                R::Revoked | R::Removed => ListEntryStatus::Removed,
            },
            authority: record.department.clone(),
            subject_code: record.subject_code.clone(),
            subject_name: record.subject_name.clone(),
            subject_kind: record.subject_kind,
            ground,
            document_no: record.document_no.clone(),
            starts_on: record.decided_on,
            ends_on: record.publicity_until,
            related_persons,
        }
    }
}

impl ListTypes {
    /// The list type whose entries are records of `category`.
    pub fn for_category(&self, category: &str) -> Option<&ListType> {
        self.iter().find(|t| t.category == category)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn defaulters_are_listed_two_years_extendable_by_one_to_three() {
        let types = ListTypes::shipped();
        let t = types.get("court_defaulter").unwrap();
        assert_eq!(t.grounds.len(), 6);
        assert_eq!(t.default_end(d("2025-03-01")), Some(d("2027-03-01")));
        let allowed = t.allowed_ends(d("2025-03-01")).unwrap();
        assert!(allowed.contains(d("2027-03-01")));
        assert!(
            !allowed.contains(d("2027-09-01")),
            "between 0 and 1 year of extension"
        );
        assert!(allowed.contains(d("2028-03-01")));
        assert!(allowed.contains(d("2030-03-01")));
        assert!(!allowed.contains(d("2030-03-02")));
        assert!(!allowed.contains(d("2027-02-28")));
        assert_eq!(t.removal.deadline_days, Some(3));
        assert_eq!(t.removal.day_count, DayCount::Working);
        assert_eq!(t.binds_related_persons, RelatedRole::ALL.to_vec());
    }

    #[test]
    fn state_is_computed_from_dates_and_status() {
        let mut e = ListEntry {
            id: "e".into(),
            version: 1,
            list_type: "court_defaulter".into(),
            status: ListEntryStatus::Active,
            authority: "court".into(),
            subject_code: "91110000600037341L".into(),
            subject_name: "某公司".into(),
            subject_kind: SubjectKind::LegalPerson,
            ground: "able_but_refuses".into(),
            document_no: "（2025）京01执1号".into(),
            starts_on: d("2025-01-01"),
            ends_on: d("2027-01-01"),
            related_persons: vec![],
        };
        assert_eq!(e.state(d("2024-12-31")), EntryState::Pending);
        assert_eq!(e.state(d("2025-01-01")), EntryState::Current);
        assert_eq!(e.state(d("2026-12-31")), EntryState::Current);
        assert_eq!(e.state(d("2027-01-01")), EntryState::Expired);
        e.status = ListEntryStatus::UnderObjection;
        assert_eq!(e.state(d("2026-01-01")), EntryState::CurrentUnderObjection);
        assert!(e.is_current(d("2026-01-01")));
        e.status = ListEntryStatus::Removed;
        assert_eq!(e.state(d("2026-01-01")), EntryState::Removed);
        assert!(!e.is_current(d("2026-01-01")));
    }

    #[test]
    fn roles_parse_from_id_or_chinese_name() {
        assert_eq!(
            RelatedRole::parse("法定代表人"),
            Some(RelatedRole::LegalRepresentative)
        );
        assert_eq!(
            RelatedRole::parse("actual_controller"),
            Some(RelatedRole::ActualController)
        );
        assert_eq!(RelatedRole::parse("cfo"), None);
    }
}
