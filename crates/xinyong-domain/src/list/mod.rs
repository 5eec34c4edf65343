//! Red and black lists (SPEC system 6): the list types as data, list entries, and the checking of
//! a list authority's submission.
//!
//! A list entry is a record of a list category with a start, an end and an authority: every list
//! type names the catalogue category it is the same thing as ([`ListTypes::check_against`]).
//! Whether an entry counts is computed at read time from its dates and status
//! ([`ListEntry::is_current`]), so an entry past its end stops counting even if no job ever ran
//! (SPEC: "Every adverse entry ends").

mod as_record;
mod entry;
mod types;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::subject::SubjectKind;

pub use crate::catalogue::DayCount;
pub use crate::subject::{RelatedPerson, RelatedRole};
pub(crate) use entry::same_code;
pub use entry::{
    EntryState, ListEntry, ListEntryStatus, RawListEntry, RawRelatedPerson, RawSubject,
    ValidListEntry,
};
pub use types::{ListTypes, ListTypesError};

/// The default list types, compiled in so that the binary runs from any directory.
pub const SHIPPED_TOML: &str = include_str!("../../../../data/lists.toml");

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
#[cfg_attr(feature = "openapi", schema(as = ExtensionRule))]
pub struct Extension {
    pub min_months: u32,
    pub max_months: u32,
}

/// When and how an entry is removed before its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RemovalRule))]
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::code::SubjectCode;

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
            subject_code: SubjectCode::parse("91110000600037341L").unwrap(),
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
