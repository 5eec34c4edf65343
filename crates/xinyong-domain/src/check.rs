//! The credit check at the moment of a decision (SPEC system 6): subject + decision context ->
//! current list entries + the measures that apply, each with its legal basis.
//!
//! Rules (SPEC invariants):
//! - Only current entries count: not removed, not repaired, `starts_on <= today < ends_on`,
//!   computed from the dates at read time ("Every adverse entry ends").
//! - An entry under objection still counts and is marked `under_objection`; where the
//!   catalogue category of its list says so (`objection_suspends_measures`), it triggers no
//!   measure while the objection is open (`measures_suspended`).
//! - A person bound by a listed organisation's entry (legal representative, ...) gets only the
//!   measures that extend to persons in that role, `because` the organisation's entry.
//! - Measures are filtered by the decision context; each carries its implementing department
//!   and legal basis ("Every measure has a basis").
//! - Deterministic order: direct entries before related-person ones, uncontested before
//!   contested, then by start date and id; measures follow their first triggering entry, in
//!   data order, each listed once.
//!
//! The check is on the hot path: it reads the memoranda's precomputed index and borrows every
//! string of its outcome from its inputs ([`CheckOutcome::into_owned`] detaches it), so a
//! subject on no list costs no allocation at all.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::list::{
    ListEntry, ListEntryStatus, ListKind, ListType, ListTypes, RelatedRole, same_code,
};
use crate::measure::{DecisionContext, MeasureKind, Memoranda};

/// How a current entry concerns the checked subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Via<'a> {
    /// The subject is the listed subject.
    Direct,
    /// The subject is bound by a listed organisation's entry.
    RelatedPerson {
        /// Every role in which the entry binds the subject.
        roles: Vec<RelatedRole>,
        organisation_code: Cow<'a, str>,
        organisation_name: Cow<'a, str>,
    },
}

impl Via<'_> {
    pub fn is_direct(&self) -> bool {
        matches!(self, Via::Direct)
    }

    pub fn into_owned(self) -> Via<'static> {
        match self {
            Via::Direct => Via::Direct,
            Via::RelatedPerson {
                roles,
                organisation_code,
                organisation_name,
            } => Via::RelatedPerson {
                roles,
                organisation_code: Cow::Owned(organisation_code.into_owned()),
                organisation_name: Cow::Owned(organisation_name.into_owned()),
            },
        }
    }
}

/// A list entry that counts for the checked subject today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentEntry<'a> {
    /// The entry's id.
    pub id: Cow<'a, str>,
    pub version: u32,
    pub list_type: Cow<'a, str>,
    pub kind: ListKind,
    /// Id of the ground of the listing.
    pub ground: Cow<'a, str>,
    /// Code of the department that made the listing.
    pub authority: Cow<'a, str>,
    pub document_no: Cow<'a, str>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The subject contests the entry; it counts while the authority reviews it.
    pub under_objection: bool,
    /// The entry is under objection and its category suspends measures while an objection
    /// is open: it is listed, but triggers none.
    pub measures_suspended: bool,
    pub via: Via<'a>,
}

impl CurrentEntry<'_> {
    pub fn into_owned(self) -> CurrentEntry<'static> {
        CurrentEntry {
            id: Cow::Owned(self.id.into_owned()),
            version: self.version,
            list_type: Cow::Owned(self.list_type.into_owned()),
            kind: self.kind,
            ground: Cow::Owned(self.ground.into_owned()),
            authority: Cow::Owned(self.authority.into_owned()),
            document_no: Cow::Owned(self.document_no.into_owned()),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            under_objection: self.under_objection,
            measures_suspended: self.measures_suspended,
            via: self.via.into_owned(),
        }
    }
}

/// A measure the deciding department must (restriction) or may (incentive) apply, with what it
/// needs to cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicableMeasure<'a> {
    /// The measure's id: what the department reports back as applied or not.
    pub id: Cow<'a, str>,
    pub kind: MeasureKind,
    /// The implementing department(s).
    pub department: Cow<'a, str>,
    pub description: Cow<'a, str>,
    pub legal_basis: Cow<'a, str>,
    /// Id of the memorandum that defines the measure.
    pub memorandum: Cow<'a, str>,
    /// Id of the entry that triggers the measure (the first, in the outcome's order, when
    /// several do).
    pub because: Cow<'a, str>,
}

impl ApplicableMeasure<'_> {
    pub fn into_owned(self) -> ApplicableMeasure<'static> {
        ApplicableMeasure {
            id: Cow::Owned(self.id.into_owned()),
            kind: self.kind,
            department: Cow::Owned(self.department.into_owned()),
            description: Cow::Owned(self.description.into_owned()),
            legal_basis: Cow::Owned(self.legal_basis.into_owned()),
            memorandum: Cow::Owned(self.memorandum.into_owned()),
            because: Cow::Owned(self.because.into_owned()),
        }
    }
}

/// The result of a credit check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckOutcome<'a> {
    pub context: DecisionContext,
    /// The day the check was computed for.
    pub as_of: NaiveDate,
    /// Versions of the rules that produced the outcome.
    pub list_types_version: Cow<'a, str>,
    pub memoranda_version: Cow<'a, str>,
    /// Every current entry concerning the subject, whatever the context.
    pub lists: Vec<CurrentEntry<'a>>,
    /// The measures that apply in the context, each once.
    pub measures: Vec<ApplicableMeasure<'a>>,
}

impl CheckOutcome<'_> {
    /// Whether the subject is on no current list.
    pub fn is_clear(&self) -> bool {
        self.lists.is_empty()
    }

    /// Whether `id` is one of the measures returned (feedback may only name these).
    pub fn returned(&self, measure_id: &str) -> bool {
        self.measures.iter().any(|m| m.id == measure_id)
    }

    /// Detaches the outcome from the inputs it borrows from.
    pub fn into_owned(self) -> CheckOutcome<'static> {
        CheckOutcome {
            context: self.context,
            as_of: self.as_of,
            list_types_version: Cow::Owned(self.list_types_version.into_owned()),
            memoranda_version: Cow::Owned(self.memoranda_version.into_owned()),
            lists: self
                .lists
                .into_iter()
                .map(CurrentEntry::into_owned)
                .collect(),
            measures: self
                .measures
                .into_iter()
                .map(ApplicableMeasure::into_owned)
                .collect(),
        }
    }
}

/// The roles in which an entry binds a subject, as a bit set over [`RelatedRole::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Roles(u8);

impl Roles {
    fn of(entry: &ListEntry, code: &str, list_type: &ListType) -> Roles {
        Roles(
            entry
                .roles_of(code, list_type)
                .fold(0, |bits, r| bits | (1 << r as u8)),
        )
    }
    fn has(self, role: RelatedRole) -> bool {
        self.0 & (1 << role as u8) != 0
    }
    fn to_vec(self) -> Vec<RelatedRole> {
        RelatedRole::ALL
            .into_iter()
            .filter(|r| self.has(*r))
            .collect()
    }
}

/// Checks `subject_code` for a decision in `context` on `today`.
///
/// `entries` are the entries where the subject is the listed subject or appears as a related
/// person (their latest versions); any other entry, and any entry of a list type that
/// `list_types` does not know, is ignored. `catalogue` says which categories suspend their
/// measures while an objection is open. The outcome borrows its strings from the inputs.
#[allow(clippy::too_many_arguments)]
pub fn credit_check<'a>(
    subject_code: &'a str,
    context: DecisionContext,
    entries: impl IntoIterator<Item = &'a ListEntry>,
    list_types: &'a ListTypes,
    memoranda: &'a Memoranda,
    catalogue: &Catalogue,
    today: NaiveDate,
) -> CheckOutcome<'a> {
    let code = subject_code.trim();
    // (entry, its list type, None when direct or the roles binding the subject)
    let mut hits: Vec<(&'a ListEntry, &'a ListType, Option<Roles>)> = Vec::new();
    for e in entries {
        if !e.is_current(today) {
            continue;
        }
        let Some(t) = list_types.get(&e.list_type) else {
            continue;
        };
        if same_code(e.subject_code.as_str(), code) {
            hits.push((e, t, None));
        } else {
            let roles = Roles::of(e, code, t);
            if roles.0 != 0 {
                hits.push((e, t, Some(roles)));
            }
        }
    }
    hits.sort_unstable_by(|(a, _, ra), (b, _, rb)| {
        let key = |e: &'a ListEntry, r: &Option<Roles>| {
            (
                r.is_some(),
                e.status == ListEntryStatus::UnderObjection,
                e.starts_on,
                e.id.as_str(),
                e.version,
            )
        };
        key(a, ra).cmp(&key(b, rb))
    });

    let mut lists = Vec::with_capacity(hits.len());
    let mut measures: Vec<ApplicableMeasure<'a>> = Vec::new();
    for &(e, t, roles) in &hits {
        let under_objection = e.status == ListEntryStatus::UnderObjection;
        let measures_suspended = under_objection
            && catalogue
                .category(&t.category)
                .is_some_and(|c| c.objection_suspends_measures);
        for (memo, m) in memoranda
            .for_list(&e.list_type, context)
            .filter(|_| !measures_suspended)
        {
            let applies = match roles {
                None => m.applies_directly_to(e.subject_kind),
                Some(roles) => m.applies_to_related_persons.iter().any(|r| roles.has(*r)),
            };
            if !applies || measures.iter().any(|x| x.id == m.id.as_str()) {
                continue;
            }
            measures.push(ApplicableMeasure {
                id: Cow::Borrowed(&m.id),
                kind: m.kind,
                department: Cow::Borrowed(&m.department),
                description: Cow::Borrowed(&m.description),
                legal_basis: Cow::Borrowed(&m.legal_basis),
                memorandum: Cow::Borrowed(&memo.id),
                because: Cow::Borrowed(e.id.as_str()),
            });
        }
        lists.push(CurrentEntry {
            id: Cow::Borrowed(e.id.as_str()),
            version: e.version,
            list_type: Cow::Borrowed(&e.list_type),
            kind: t.kind,
            ground: Cow::Borrowed(&e.ground),
            authority: Cow::Borrowed(&e.authority),
            document_no: Cow::Borrowed(&e.document_no),
            starts_on: e.starts_on,
            ends_on: e.ends_on,
            under_objection,
            measures_suspended,
            via: match roles {
                None => Via::Direct,
                Some(roles) => Via::RelatedPerson {
                    roles: roles.to_vec(),
                    organisation_code: Cow::Borrowed(e.subject_code.as_str()),
                    organisation_name: Cow::Borrowed(&e.subject_name),
                },
            },
        });
    }

    CheckOutcome {
        context,
        as_of: today,
        list_types_version: Cow::Borrowed(&list_types.version),
        memoranda_version: Cow::Borrowed(memoranda.version()),
        lists,
        measures,
    }
}
