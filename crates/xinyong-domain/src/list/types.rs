//! The versioned set of list types (`data/lists.toml`) and the checks of the data itself.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{ListKind, ListType, SHIPPED_TOML};
use crate::catalogue::{Catalogue, FieldType};
use crate::text::is_identifier;

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

impl ListTypes {
    /// The list type whose entries are records of `category`.
    pub fn for_category(&self, category: &str) -> Option<&ListType> {
        self.iter().find(|t| t.category == category)
    }
}
