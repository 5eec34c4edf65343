//! The catalogue: the published whitelist of information categories (SPEC system 2).
//!
//! Loaded from the data files in `data/catalogue/`; [`Catalogue::shipped`] is the default that
//! ships with the binary. Every record names a category of the catalogue, and every field of a
//! record must be declared by its category: the catalogue is a whitelist, not a hint.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::subject::SubjectKind;
pub use crate::template::TemplateColumn;

/// The default catalogue, compiled in so that the binary runs from any directory.
pub const SHIPPED_TOML: &str = include_str!("../../../data/catalogue/catalogue.toml");

/// Who may see records of a category. Ordered from most to least open: a reader cleared for
/// one class may read every class before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Disclosure {
    /// Everyone: the public website, the open API, open-data exports.
    Public,
    /// Government departments, for a stated purpose.
    Shared,
    /// Only with a legal basis or the subject's authorisation; encrypted at rest.
    Restricted,
}

impl Disclosure {
    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::Public => "public",
            Disclosure::Shared => "shared",
            Disclosure::Restricted => "restricted",
        }
    }
}

/// Severity tier of negative information (State Council Office 2025 No. 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    Minor,
    General,
    Serious,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Minor => "minor",
            Tier::General => "general",
            Tier::Serious => "serious",
        }
    }
    pub fn parse(s: &str) -> Option<Tier> {
        match s {
            "minor" => Some(Tier::Minor),
            "general" => Some(Tier::General),
            "serious" => Some(Tier::Serious),
            _ => None,
        }
    }
}

/// Type of a category field; values are checked and normalised by [`FieldType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldType {
    String,
    Text,
    Date,
    Decimal,
    Integer,
    Enum,
    /// A Unified Social Credit Code or a citizen identity number.
    Code,
}

/// A typed field of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldSpec {
    pub name: String,
    pub header_zh: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Personal data about someone other than the subject (e.g. a legal representative's
    /// identity number): masked on every public output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub personal: bool,
}

/// Publication period of one tier, in months from the decision date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierRule {
    pub tier: Tier,
    pub min_months: u32,
    pub max_months: u32,
    /// Minor-tier information is in principle not published.
    pub published: bool,
}

/// Publication period of a category without tiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Publicity {
    pub min_months: u32,
    pub default_months: u32,
    pub max_months: u32,
}

/// The period that applies to one record: its category's publicity or its tier's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub min_months: u32,
    pub default_months: u32,
    pub max_months: u32,
    pub published: bool,
}

impl Period {
    /// The date publication ends when a record names no end of its own.
    pub fn default_end(&self, decided_on: NaiveDate) -> Option<NaiveDate> {
        decided_on.checked_add_months(Months::new(self.default_months))
    }
    /// The earliest and latest end a record may name.
    pub fn bounds(&self, decided_on: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        Some((
            decided_on.checked_add_months(Months::new(self.min_months))?,
            decided_on.checked_add_months(Months::new(self.max_months))?,
        ))
    }
}

/// An information category of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Section of the public credit report (Credit China format) the category belongs to.
    pub section: String,
    pub subject_kinds: Vec<SubjectKind>,
    pub disclosure: Disclosure,
    pub negative: bool,
    pub repairable: bool,
    /// Whether an open objection against a record of this category (a list entry of a list
    /// of this category) suspends the measures it triggers in credit checks until the source
    /// department decides. Off by default: the entry counts, marked, while it is reviewed.
    #[serde(default)]
    pub objection_suspends_measures: bool,
    pub legal_basis: String,
    #[serde(default)]
    pub tiers: Vec<TierRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicity: Option<Publicity>,
    /// The tier of every row of a file that has no tier column (the national templates have
    /// none), unless the import names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tier: Option<Tier>,
    /// The professions whose person-in-role files this category's records attach to (SPEC
    /// row 14): each record is about a natural person and names, in its `licence_no` and
    /// `organisation_code` fields, a role the person holds ([`crate::role`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub professions: Vec<String>,
    /// Readable, beyond its subject, only by the department of the organisation its record
    /// names in `organisation_code` and the department that made it: civil servants'
    /// integrity records stay with the civil servant's own organisation (seed II.1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub own_organisation_only: bool,
    pub fields: Vec<FieldSpec>,
}

impl Category {
    /// Finds a field by its English name or its Chinese column header.
    pub fn field(&self, key: &str) -> Option<&FieldSpec> {
        self.fields
            .iter()
            .find(|f| f.name == key || f.header_zh == key)
    }

    pub fn has_tiers(&self) -> bool {
        !self.tiers.is_empty()
    }

    /// The publication period of a record of this category with the given tier.
    /// `None` when the category has tiers and `tier` is not one of them.
    pub fn period(&self, tier: Option<Tier>) -> Option<Period> {
        match (tier, &self.publicity) {
            (Some(t), _) => self.tiers.iter().find(|r| r.tier == t).map(|r| Period {
                min_months: r.min_months,
                default_months: r.max_months,
                max_months: r.max_months,
                published: r.published,
            }),
            (None, Some(p)) => Some(Period {
                min_months: p.min_months,
                default_months: p.default_months,
                max_months: p.max_months,
                published: true,
            }),
            (None, None) => None,
        }
    }
}

/// A regulated profession whose practitioners have person-in-role files (SPEC row 14; seed
/// II.2-3): lawyers, accountants, doctors, ..., and civil servants (seed II.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profession {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// What the licence (or registration) number is called: 律师执业证号, 公务员登记编号.
    pub licence_zh: String,
    /// Whether anyone may see who holds this role at which organisation (a practising
    /// lawyer's licence is public; a civil servant's registration is not).
    pub public: bool,
}

/// The fields every category with professions declares, as `(name, type)`: the role a
/// record attaches to is the one its subject holds under this licence at this organisation.
pub const ROLE_FIELDS: [(&str, FieldType); 2] = [
    ("licence_no", FieldType::String),
    ("organisation_code", FieldType::Code),
];

/// The columns of a role file (`xinyong roles import`), by the registration field each
/// fills; `role_headers` gives their other spellings.
pub const ROLE_FILE_FIELDS: [&str; 7] = [
    "person_code",
    "person_name",
    "organisation_code",
    "profession",
    "licence_no",
    "since",
    "until",
];

/// A name in two languages plus the spellings departments use in their exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label<Id> {
    pub id: Id,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Core attributes of every record, in the order of the record's own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoreAttribute {
    Category,
    SubjectCode,
    SubjectName,
    SubjectKind,
    DocumentNo,
    DecidedOn,
    LegalBasis,
    Tier,
    PublicityUntil,
}

impl CoreAttribute {
    pub const ALL: [CoreAttribute; 9] = [
        CoreAttribute::Category,
        CoreAttribute::SubjectCode,
        CoreAttribute::SubjectName,
        CoreAttribute::SubjectKind,
        CoreAttribute::DocumentNo,
        CoreAttribute::DecidedOn,
        CoreAttribute::LegalBasis,
        CoreAttribute::Tier,
        CoreAttribute::PublicityUntil,
    ];

    /// The English name, used as CSV header and as the key in error reports.
    pub fn name(self) -> &'static str {
        match self {
            CoreAttribute::Category => "category",
            CoreAttribute::SubjectCode => "subject_code",
            CoreAttribute::SubjectName => "subject_name",
            CoreAttribute::SubjectKind => "subject_kind",
            CoreAttribute::DocumentNo => "document_no",
            CoreAttribute::DecidedOn => "decided_on",
            CoreAttribute::LegalBasis => "legal_basis",
            CoreAttribute::Tier => "tier",
            CoreAttribute::PublicityUntil => "publicity_until",
        }
    }
}

/// Why a catalogue file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("catalogue category {category}: {reason}")]
    Category { category: String, reason: String },
    #[error("catalogue: {0}")]
    Other(String),
}

/// The versioned catalogue of information categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub version: String,
    /// Chinese (and other) column headers accepted for the core attributes, keyed by the
    /// attribute's English name.
    pub core_headers: BTreeMap<String, Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub subject_kinds: Vec<Label<SubjectKind>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub tiers: Vec<Label<Tier>>,
    pub categories: Vec<Category>,
    /// The subject-rights procedures (objection, repair) and their step deadlines.
    #[serde(default)]
    pub procedures: Vec<Procedure>,
    /// Headers of the national templates' columns that are neither core attributes nor
    /// category fields (legacy identifiers, document types), keyed by what each column is.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub template_columns: BTreeMap<TemplateColumn, Vec<String>>,
    /// Values of 行政相对人类别 that say only "an organisation" (法人及非法人组织): the kind is
    /// then read from the unified code.
    #[serde(default)]
    pub organisation_kind_values: Vec<String>,
    /// Regulated professions with person-in-role files (2026.12.6).
    #[serde(default)]
    pub professions: Vec<Profession>,
    /// Column headers of role files (`xinyong roles import`), besides the English names,
    /// keyed by the registration field each fills.
    #[serde(default)]
    pub role_headers: BTreeMap<String, Vec<String>>,
}

/// A subject-rights procedure (objection, credit repair) as published: its steps in order,
/// each with the deadline the responsible body has for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub day_count: DayCount,
    pub steps: Vec<ProcedureStep>,
}

/// One step of a [`Procedure`]: `days` counted from the end of the step before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureStep {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub days: u32,
}

impl Procedure {
    /// Days from submission to the end of the last step.
    pub fn total_days(&self) -> u32 {
        self.steps.iter().map(|s| s.days).sum()
    }
}

impl Catalogue {
    /// The procedure with this id (`objection`, `repair`), if the catalogue publishes one.
    pub fn procedure(&self, id: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.id == id)
    }

    /// The catalogue shipped in `data/catalogue/catalogue.toml`.
    pub fn shipped() -> Catalogue {
        #[allow(clippy::expect_used)] // the shipped file is tested; failing here is a build bug
        Catalogue::from_toml_str(SHIPPED_TOML).expect("shipped catalogue is valid")
    }

    /// Parses and checks a catalogue. Invariants enforced: unique category ids and field
    /// names; enum fields list their values; every category has a period (every adverse entry
    /// ends); tier periods are ordered; core header names are known attributes.
    pub fn from_toml_str(text: &str) -> Result<Catalogue, CatalogueError> {
        let catalogue: Catalogue = toml::from_str(text)?;
        catalogue.check()?;
        Ok(catalogue)
    }

    fn check(&self) -> Result<(), CatalogueError> {
        if self.version.trim().is_empty() {
            return Err(CatalogueError::Other("version is empty".into()));
        }
        for key in self.core_headers.keys() {
            if !CoreAttribute::ALL.iter().any(|a| a.name() == key) {
                return Err(CatalogueError::Other(format!(
                    "core_headers.{key} is not a core attribute"
                )));
            }
        }
        // A header names one thing: a template column that is also a core header would be
        // read as whichever came first.
        for h in self.template_columns.values().flatten() {
            if self.core_attribute(h).is_some() {
                return Err(CatalogueError::Other(format!(
                    "template column header {h:?} is also a core attribute's header"
                )));
            }
        }
        let mut procedure_ids = BTreeSet::new();
        for p in &self.procedures {
            if !procedure_ids.insert(p.id.as_str()) {
                return Err(CatalogueError::Other(format!(
                    "duplicate procedure {}",
                    p.id
                )));
            }
            if p.steps.is_empty() || p.steps.iter().any(|s| s.days == 0) {
                return Err(CatalogueError::Other(format!(
                    "procedure {} needs steps, each with days > 0",
                    p.id
                )));
            }
        }
        self.check_professions()?;
        for key in self.role_headers.keys() {
            if !ROLE_FILE_FIELDS.contains(&key.as_str()) {
                return Err(CatalogueError::Other(format!(
                    "role_headers.{key} is not a field of a role file"
                )));
            }
        }
        let mut ids = BTreeSet::new();
        for c in &self.categories {
            let bad = |reason: String| CatalogueError::Category {
                category: c.id.clone(),
                reason,
            };
            if !ids.insert(c.id.as_str()) {
                return Err(bad("duplicate category id".into()));
            }
            if c.legal_basis.trim().is_empty() {
                return Err(bad("legal_basis is empty".into()));
            }
            if c.subject_kinds.is_empty() {
                return Err(bad("subject_kinds is empty".into()));
            }
            match (c.tiers.is_empty(), &c.publicity) {
                (true, None) => return Err(bad("needs tiers or a publicity period".into())),
                (false, Some(_)) => {
                    return Err(bad("has both tiers and a publicity period".into()));
                }
                (true, Some(p)) => {
                    if !(p.min_months <= p.default_months && p.default_months <= p.max_months)
                        || p.max_months == 0
                    {
                        return Err(bad(
                            "publicity needs 0 <= min <= default <= max, max > 0".into()
                        ));
                    }
                }
                (false, None) => {
                    let mut seen = BTreeSet::new();
                    for t in &c.tiers {
                        if !seen.insert(t.tier) {
                            return Err(bad(format!("tier {} listed twice", t.tier.as_str())));
                        }
                        if t.min_months > t.max_months || t.max_months == 0 {
                            return Err(bad(format!(
                                "tier {}: needs min_months <= max_months, max > 0",
                                t.tier.as_str()
                            )));
                        }
                    }
                }
            }
            if let Some(t) = c.default_tier
                && !c.tiers.iter().any(|r| r.tier == t)
            {
                return Err(bad(format!(
                    "default_tier {} is not one of its tiers",
                    t.as_str()
                )));
            }
            let mut names = BTreeSet::new();
            for f in &c.fields {
                if !names.insert(f.name.as_str()) || !names.insert(f.header_zh.as_str()) {
                    return Err(bad(format!(
                        "field {} or its header is declared twice",
                        f.name
                    )));
                }
                if CoreAttribute::ALL.iter().any(|a| a.name() == f.name) {
                    return Err(bad(format!("field {} shadows a core attribute", f.name)));
                }
                if (f.field_type == FieldType::Enum) == f.values.is_empty() {
                    return Err(bad(format!(
                        "field {}: enum fields, and only they, list values",
                        f.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// Professions: unique ids; a category that attaches to professions names known ones, is
    /// about natural persons only and declares the [`ROLE_FIELDS`], required; only such a
    /// category may be `own_organisation_only`, and then it is `restricted`.
    fn check_professions(&self) -> Result<(), CatalogueError> {
        let mut ids = BTreeSet::new();
        for p in &self.professions {
            if !crate::text::is_identifier(&p.id) || !ids.insert(p.id.as_str()) {
                return Err(CatalogueError::Other(format!(
                    "profession {:?}: ids are unique identifiers",
                    p.id
                )));
            }
        }
        for c in &self.categories {
            let bad = |reason: String| CatalogueError::Category {
                category: c.id.clone(),
                reason,
            };
            if let Some(p) = c.professions.iter().find(|p| !ids.contains(p.as_str())) {
                return Err(bad(format!("profession {p} is not in the catalogue")));
            }
            if c.professions.is_empty() {
                if c.own_organisation_only {
                    return Err(bad("own_organisation_only needs professions".into()));
                }
                continue;
            }
            if c.subject_kinds != [SubjectKind::NaturalPerson] {
                return Err(bad(
                    "a category with professions is about natural persons only".into(),
                ));
            }
            for (name, kind) in ROLE_FIELDS {
                if !c
                    .fields
                    .iter()
                    .any(|f| f.name == name && f.field_type == kind && f.required)
                {
                    return Err(bad(format!(
                        "a category with professions declares the required field {name}"
                    )));
                }
            }
            if c.own_organisation_only && c.disclosure != Disclosure::Restricted {
                return Err(bad(
                    "own_organisation_only is for restricted categories".into()
                ));
            }
        }
        Ok(())
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The profession with this id.
    pub fn profession(&self, id: &str) -> Option<&Profession> {
        self.professions.iter().find(|p| p.id == id)
    }

    /// Resolves a subject kind from its id, its Chinese name or an alias.
    pub fn subject_kind(&self, s: &str) -> Option<SubjectKind> {
        SubjectKind::parse(s).or_else(|| {
            self.subject_kinds
                .iter()
                .find(|l| l.name_zh == s || l.name_en == s || l.aliases.iter().any(|a| a == s))
                .map(|l| l.id)
        })
    }

    /// Resolves a tier from its id or its Chinese name.
    pub fn tier(&self, s: &str) -> Option<Tier> {
        Tier::parse(s).or_else(|| {
            self.tiers
                .iter()
                .find(|l| l.name_zh == s || l.name_en == s || l.aliases.iter().any(|a| a == s))
                .map(|l| l.id)
        })
    }

    /// The national-template column a header names, if any.
    pub fn template_column(&self, header: &str) -> Option<TemplateColumn> {
        self.template_columns
            .iter()
            .find(|(_, hs)| hs.iter().any(|h| h == header))
            .map(|(c, _)| *c)
    }

    /// Whether a 行政相对人类别 value says only "an organisation" (its kind is in its code).
    pub fn is_organisation_kind_value(&self, value: &str) -> bool {
        self.organisation_kind_values.iter().any(|v| v == value)
    }

    /// Maps a column header to the core attribute it names, by English name or listed header.
    pub fn core_attribute(&self, header: &str) -> Option<CoreAttribute> {
        CoreAttribute::ALL.into_iter().find(|a| {
            a.name() == header
                || self
                    .core_headers
                    .get(a.name())
                    .is_some_and(|hs| hs.iter().any(|h| h == header))
        })
    }

    pub fn subject_kind_label(&self, kind: SubjectKind) -> Option<&Label<SubjectKind>> {
        self.subject_kinds.iter().find(|l| l.id == kind)
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shipped_catalogue_has_the_required_categories() {
        let c = Catalogue::shipped();
        for id in [
            "admin_license",
            "admin_penalty",
            "court_defaulter",
            "tax_violation",
            "abnormal_operation",
            "credit_commitment",
            "honour",
        ] {
            assert!(c.category(id).is_some(), "missing {id}");
        }
        let restricted = c
            .categories
            .iter()
            .filter(|c| c.disclosure == Disclosure::Restricted)
            .count();
        assert!(restricted >= 1);
    }

    #[test]
    fn every_adverse_category_ends() {
        let c = Catalogue::shipped();
        for cat in c.categories.iter().filter(|c| c.negative) {
            let tiers: Vec<Option<Tier>> = if cat.has_tiers() {
                cat.tiers.iter().map(|t| Some(t.tier)).collect()
            } else {
                vec![None]
            };
            for t in tiers {
                let p = cat.period(t).unwrap();
                assert!(p.max_months > 0 && p.max_months <= 60, "{}", cat.id);
            }
        }
    }

    #[test]
    fn shipped_catalogue_publishes_objection_and_repair_deadlines() {
        let c = Catalogue::shipped();
        let objection = c.procedure("objection").unwrap();
        let days: Vec<u32> = objection.steps.iter().map(|s| s.days).collect();
        assert_eq!(days, [2, 2, 10]);
        assert_eq!(objection.day_count, DayCount::Working);
        assert_eq!(objection.total_days(), 14);
        assert_eq!(c.procedure("repair").unwrap().total_days(), 13);
    }

    #[test]
    fn catalogue_rejects_a_procedure_step_without_days() {
        let text = SHIPPED_TOML.replace("days = 10 },\n]", "days = 0 },\n]");
        assert_ne!(text, SHIPPED_TOML);
        let err = Catalogue::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("procedure objection"), "{err}");
    }

    #[test]
    fn catalogue_rejects_enum_without_values() {
        let text = SHIPPED_TOML.replace(r#"values = ["A", "B", "M", "C", "D"]"#, r#"values = []"#);
        let err = Catalogue::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("tax_credit_rating"), "{err}");
    }

    #[test]
    fn catalogue_rejects_category_without_period() {
        let text = SHIPPED_TOML.replace(
            "publicity = { min_months = 0, default_months = 36, max_months = 36 }\n",
            "",
        );
        let err = Catalogue::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            err.contains("abnormal_operation") && err.contains("period"),
            "{err}"
        );
    }

    #[test]
    fn headers_resolve_to_core_attributes_and_fields() {
        let c = Catalogue::shipped();
        assert_eq!(
            c.core_attribute("统一社会信用代码"),
            Some(CoreAttribute::SubjectCode)
        );
        assert_eq!(
            c.core_attribute("处罚决定日期"),
            Some(CoreAttribute::DecidedOn)
        );
        assert_eq!(
            c.core_attribute("document_no"),
            Some(CoreAttribute::DocumentNo)
        );
        let pen = c.category("admin_penalty").unwrap();
        assert_eq!(pen.field("罚款金额（万元）").unwrap().name, "fine_10k_yuan");
        // 法人及非法人组织 says only "an organisation": the kind is read from the code.
        assert_eq!(c.subject_kind("法人及非法人组织"), None);
        assert!(c.is_organisation_kind_value("法人及非法人组织"));
        assert_eq!(c.subject_kind("企业法人"), Some(SubjectKind::LegalPerson));
        assert_eq!(c.tier("严重"), Some(Tier::Serious));
        // Every edition's spelling of a national template's column names the same column.
        for h in [
            "工商注册号",
            "行政相对人代码_2(工商注册号)",
            "行政相对人代码_2（工商注册号）",
        ] {
            assert_eq!(
                c.template_column(h),
                Some(TemplateColumn::RegistrationNo),
                "{h}"
            );
        }
        assert_eq!(pen.default_tier, Some(Tier::General));
    }

    #[test]
    fn a_default_tier_must_be_one_of_the_categorys_tiers() {
        let text = SHIPPED_TOML.replace(
            "  { tier = \"general\", min_months = 3, max_months = 12, published = true },\n",
            "",
        );
        let err = Catalogue::from_toml_str(&text).unwrap_err().to_string();
        assert!(
            err.contains("default_tier general is not one of its tiers"),
            "{err}"
        );
    }
}
