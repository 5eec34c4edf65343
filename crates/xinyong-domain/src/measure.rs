//! Joint reward and punishment memoranda (联合奖惩合作备忘录) as data: memorandum -> target list
//! types -> measures, each with its implementing department, decision context, kind and legal
//! basis (SPEC: "Every measure has a basis": a measure without one cannot be loaded).
//!
//! [`Memoranda`] precomputes an index (list type, decision context) -> measures at load time, so
//! that the credit check ([`crate::check`]) finds the measures of an entry without scanning.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::list::{ListKind, ListTypes, RelatedRole};
use crate::subject::SubjectKind;
use crate::text::is_identifier;

/// The default memoranda, compiled in so that the binary runs from any directory.
pub const SHIPPED_TOML: &str = include_str!("../../../data/memoranda.toml");

/// The point of decision at which a department runs a credit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DecisionContext {
    GovernmentProcurement,
    Bidding,
    AdministrativeLicensing,
    Subsidy,
    Financing,
    PublicOffice,
    HighConsumption,
    MarketAccess,
    InspectionFrequency,
}

impl DecisionContext {
    pub const ALL: [DecisionContext; 9] = [
        DecisionContext::GovernmentProcurement,
        DecisionContext::Bidding,
        DecisionContext::AdministrativeLicensing,
        DecisionContext::Subsidy,
        DecisionContext::Financing,
        DecisionContext::PublicOffice,
        DecisionContext::HighConsumption,
        DecisionContext::MarketAccess,
        DecisionContext::InspectionFrequency,
    ];
    pub const COUNT: usize = DecisionContext::ALL.len();

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionContext::GovernmentProcurement => "government_procurement",
            DecisionContext::Bidding => "bidding",
            DecisionContext::AdministrativeLicensing => "administrative_licensing",
            DecisionContext::Subsidy => "subsidy",
            DecisionContext::Financing => "financing",
            DecisionContext::PublicOffice => "public_office",
            DecisionContext::HighConsumption => "high_consumption",
            DecisionContext::MarketAccess => "market_access",
            DecisionContext::InspectionFrequency => "inspection_frequency",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DecisionContext::GovernmentProcurement => "政府采购",
            DecisionContext::Bidding => "招标投标",
            DecisionContext::AdministrativeLicensing => "行政许可",
            DecisionContext::Subsidy => "财政补贴与政策支持",
            DecisionContext::Financing => "融资授信",
            DecisionContext::PublicOffice => "任职与录用",
            DecisionContext::HighConsumption => "高消费",
            DecisionContext::MarketAccess => "市场准入",
            DecisionContext::InspectionFrequency => "检查频次",
        }
    }

    /// Parses a context id; the error lists the allowed values.
    pub fn parse(s: &str) -> Result<DecisionContext, UnknownContext> {
        let t = s.trim();
        DecisionContext::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| UnknownContext(s.to_owned()))
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for DecisionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DecisionContext {
    type Err = UnknownContext;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DecisionContext::parse(s)
    }
}

/// A decision context that is not one of [`DecisionContext::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a decision context (allowed: government_procurement, bidding, administrative_licensing, subsidy, financing, public_office, high_consumption, market_access, inspection_frequency)"
)]
pub struct UnknownContext(pub String);

/// A punishment or a reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MeasureKind {
    /// Applies to black lists.
    Restriction,
    /// Applies to red lists.
    Incentive,
}

impl MeasureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Restriction => "restriction",
            MeasureKind::Incentive => "incentive",
        }
    }

    /// The kind of list this kind of measure applies to.
    pub fn list_kind(self) -> ListKind {
        match self {
            MeasureKind::Restriction => ListKind::Black,
            MeasureKind::Incentive => ListKind::Red,
        }
    }
}

/// A measure that departments must (or may) apply to listed subjects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    /// Unique across all memoranda: what a department reports back as applied.
    pub id: String,
    pub kind: MeasureKind,
    pub context: DecisionContext,
    /// The implementing department(s).
    pub department: String,
    /// What the department does, precisely (Chinese).
    pub description: String,
    /// Required: a measure without legal basis is refused at load time. (Defaulted here only so
    /// that the loader can name the measure that lacks one.)
    #[serde(default)]
    pub legal_basis: String,
    /// A subset of the memorandum's list types; empty means all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub list_types: Vec<String>,
    /// Kinds of listed subject the measure applies to directly; empty means every kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_kinds: Vec<SubjectKind>,
    /// Roles bound by an organisation's entry that the measure also reaches.
    #[serde(default)]
    pub applies_to_related_persons: Vec<RelatedRole>,
}

impl Measure {
    /// Whether the measure applies to a listed subject of `kind`.
    #[inline]
    pub fn applies_directly_to(&self, kind: SubjectKind) -> bool {
        self.subject_kinds.is_empty() || self.subject_kinds.contains(&kind)
    }

    /// Whether the measure reaches a person bound in `role`.
    #[inline]
    pub fn reaches(&self, role: RelatedRole) -> bool {
        self.applies_to_related_persons.contains(&role)
    }
}

/// A joint reward or punishment memorandum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Memorandum {
    pub id: String,
    pub title_zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_no: Option<String>,
    pub year: u16,
    pub issuing_units: Vec<String>,
    /// The list types whose entries trigger the measures.
    pub list_types: Vec<String>,
    pub measures: Vec<Measure>,
}

impl Memorandum {
    /// The list types a measure of this memorandum applies to.
    pub fn targets<'a>(&'a self, measure: &'a Measure) -> &'a [String] {
        if measure.list_types.is_empty() {
            &self.list_types
        } else {
            &measure.list_types
        }
    }
}

/// Why a memoranda file was refused, or does not fit the list types.
#[derive(Debug, thiserror::Error)]
pub enum MemorandaError {
    #[error("memoranda are not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("memorandum {memorandum}: {reason}")]
    Memorandum { memorandum: String, reason: String },
    #[error("measure {measure}: {reason}")]
    Measure { measure: String, reason: String },
    #[error("memoranda: {0}")]
    Other(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemorandaFile {
    version: String,
    memoranda: Vec<Memorandum>,
}

/// Position of a measure: (memorandum, measure) indices.
type MeasureRef = (u32, u32);

/// The versioned set of memoranda, with its (list type, context) -> measures index.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Memoranda {
    version: String,
    memoranda: Vec<Memorandum>,
    #[serde(skip)]
    index: HashMap<String, [Vec<MeasureRef>; DecisionContext::COUNT]>,
}

impl PartialEq for Memoranda {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.memoranda == other.memoranda
    }
}

impl Memoranda {
    /// The memoranda shipped in `data/memoranda.toml`.
    pub fn shipped() -> Memoranda {
        #[allow(clippy::expect_used)] // the shipped file is tested; failing here is a build bug
        Memoranda::from_toml_str(SHIPPED_TOML).expect("shipped memoranda are valid")
    }

    /// Parses and checks memoranda and builds the index. Invariants enforced: unique,
    /// well-formed memorandum ids; measure ids unique across all memoranda; every measure has a
    /// legal basis, a department and a description; each memorandum has a title, issuing units
    /// and target list types; a measure's own list types are among its memorandum's.
    pub fn from_toml_str(text: &str) -> Result<Memoranda, MemorandaError> {
        let file: MemorandaFile = toml::from_str(text)?;
        Memoranda::new(file.version, file.memoranda)
    }

    /// Checks memoranda built in code and indexes them.
    pub fn new(version: String, memoranda: Vec<Memorandum>) -> Result<Memoranda, MemorandaError> {
        check(&version, &memoranda)?;
        let mut index: HashMap<String, [Vec<MeasureRef>; DecisionContext::COUNT]> = HashMap::new();
        for (mi, memo) in memoranda.iter().enumerate() {
            for (xi, measure) in memo.measures.iter().enumerate() {
                for list_type in memo.targets(measure) {
                    let slot = index.entry(list_type.clone()).or_default();
                    slot[measure.context.index()].push((to_u32(mi)?, to_u32(xi)?));
                }
            }
        }
        Ok(Memoranda {
            version,
            memoranda,
            index,
        })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn memoranda(&self) -> &[Memorandum] {
        &self.memoranda
    }

    pub fn memorandum(&self, id: &str) -> Option<&Memorandum> {
        self.memoranda.iter().find(|m| m.id == id)
    }

    /// Every measure with its memorandum, in data order.
    pub fn measures(&self) -> impl Iterator<Item = (&Memorandum, &Measure)> {
        self.memoranda
            .iter()
            .flat_map(|m| m.measures.iter().map(move |x| (m, x)))
    }

    /// Finds a measure (and its memorandum) by id.
    pub fn measure(&self, id: &str) -> Option<(&Memorandum, &Measure)> {
        self.measures().find(|(_, x)| x.id == id)
    }

    /// The measures that an entry of `list_type` triggers in `context`, in data order. Reads
    /// the precomputed index: no scan, no allocation.
    #[inline]
    pub fn for_list(
        &self,
        list_type: &str,
        context: DecisionContext,
    ) -> impl Iterator<Item = (&Memorandum, &Measure)> {
        self.index
            .get(list_type)
            .map_or(&[][..], |slots| slots[context.index()].as_slice())
            .iter()
            .map(|&(mi, xi)| {
                let memo = &self.memoranda[mi as usize];
                (memo, &memo.measures[xi as usize])
            })
    }

    /// Checks the memoranda against the list types: every target list type exists; restrictions
    /// target black lists and incentives red lists; a measure reaches only roles its list types
    /// bind.
    pub fn check_against(&self, list_types: &ListTypes) -> Result<(), MemorandaError> {
        for memo in &self.memoranda {
            for id in &memo.list_types {
                if list_types.get(id).is_none() {
                    return Err(MemorandaError::Memorandum {
                        memorandum: memo.id.clone(),
                        reason: format!(
                            "list type {id} is not in list types {}",
                            list_types.version
                        ),
                    });
                }
            }
            for measure in &memo.measures {
                let bad = |reason: String| MemorandaError::Measure {
                    measure: measure.id.clone(),
                    reason,
                };
                for id in memo.targets(measure) {
                    let Some(t) = list_types.get(id) else {
                        return Err(bad(format!("list type {id} does not exist")));
                    };
                    if t.kind != measure.kind.list_kind() {
                        return Err(bad(format!(
                            "a {} cannot apply to the {} list {id}",
                            measure.kind.as_str(),
                            t.kind.as_str()
                        )));
                    }
                    if let Some(role) = measure
                        .applies_to_related_persons
                        .iter()
                        .find(|r| !t.binds(**r))
                    {
                        return Err(bad(format!(
                            "reaches {role}, a role list type {id} does not bind"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

fn to_u32(i: usize) -> Result<u32, MemorandaError> {
    u32::try_from(i).map_err(|_| MemorandaError::Other("too many memoranda or measures".into()))
}

fn check(version: &str, memoranda: &[Memorandum]) -> Result<(), MemorandaError> {
    if version.trim().is_empty() {
        return Err(MemorandaError::Other("version is empty".into()));
    }
    let mut memo_ids = BTreeSet::new();
    let mut measure_ids = BTreeSet::new();
    for memo in memoranda {
        let bad = |reason: String| MemorandaError::Memorandum {
            memorandum: memo.id.clone(),
            reason,
        };
        if !is_identifier(&memo.id) {
            return Err(bad("id must be 1-64 characters of a-z, 0-9 and '_'".into()));
        }
        if !memo_ids.insert(memo.id.as_str()) {
            return Err(bad("duplicate memorandum id".into()));
        }
        if memo.title_zh.trim().is_empty() {
            return Err(bad("title_zh is empty".into()));
        }
        if memo.issuing_units.is_empty() || memo.issuing_units.iter().any(|u| u.trim().is_empty()) {
            return Err(bad("issuing_units is empty or has an empty name".into()));
        }
        let units: BTreeSet<&str> = memo.issuing_units.iter().map(String::as_str).collect();
        if units.len() != memo.issuing_units.len() {
            return Err(bad("an issuing unit is listed twice".into()));
        }
        if memo.list_types.is_empty() {
            return Err(bad(
                "list_types is empty: a memorandum targets a list".into()
            ));
        }
        if memo.measures.is_empty() {
            return Err(bad("has no measures".into()));
        }
        for m in &memo.measures {
            let bad = |reason: &str| MemorandaError::Measure {
                measure: m.id.clone(),
                reason: reason.to_owned(),
            };
            if !is_measure_id(&m.id) {
                return Err(bad(
                    "id must be 1-128 characters of a-z, 0-9, '_', '.' and '-'",
                ));
            }
            if !measure_ids.insert(m.id.as_str()) {
                return Err(bad(
                    "duplicate measure id (ids are unique across memoranda)",
                ));
            }
            if m.legal_basis.trim().is_empty() {
                return Err(bad(
                    "legal_basis is missing: a measure without legal basis cannot be applied",
                ));
            }
            if m.department.trim().is_empty() {
                return Err(bad("department is empty"));
            }
            if m.description.trim().is_empty() {
                return Err(bad("description is empty"));
            }
            if let Some(t) = m.list_types.iter().find(|t| !memo.list_types.contains(t)) {
                return Err(MemorandaError::Measure {
                    measure: m.id.clone(),
                    reason: format!("list type {t} is not a target of memorandum {}", memo.id),
                });
            }
            let roles: BTreeSet<RelatedRole> =
                m.applies_to_related_persons.iter().copied().collect();
            if roles.len() != m.applies_to_related_persons.len() {
                return Err(bad("a related-person role is listed twice"));
            }
        }
    }
    Ok(())
}

fn is_measure_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_nine_high_consumption_restrictions_are_shipped() {
        let m = Memoranda::shipped();
        let hc: Vec<&Measure> = m
            .for_list("court_defaulter", DecisionContext::HighConsumption)
            .map(|(_, x)| x)
            .collect();
        assert_eq!(hc.len(), 9, "{hc:#?}");
        let ids: BTreeSet<&str> = hc.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids.len(), 9);
        for (i, x) in hc.iter().enumerate() {
            assert_eq!(x.kind, MeasureKind::Restriction);
            let item = ["一", "二", "三", "四", "五", "六", "七", "八", "九"][i];
            assert!(
                x.legal_basis
                    .contains("最高人民法院关于限制被执行人高消费及有关消费的若干规定")
                    && x.legal_basis
                        .contains(&format!("第三条第一款第（{item}）项")),
                "{}: {}",
                x.id,
                x.legal_basis
            );
            // 第三条第二款: an organisation's restriction binds these four persons.
            assert_eq!(x.applies_to_related_persons, RelatedRole::ALL.to_vec());
        }
        for needle in [
            "飞机",
            "星级",
            "不动产",
            "写字楼",
            "车辆",
            "旅游",
            "私立学校",
            "保险",
            "G字头",
        ] {
            assert!(
                hc.iter().any(|x| x.description.contains(needle)),
                "no restriction mentions {needle}"
            );
        }
    }

    #[test]
    fn the_defaulter_memorandum_was_signed_by_44_units() {
        let m = Memoranda::shipped();
        let memo = m.memorandum("court_defaulter_2016").unwrap();
        assert_eq!(memo.issuing_units.len(), 44);
        assert_eq!(memo.year, 2016);
    }

    #[test]
    fn contexts_parse_and_errors_list_the_allowed_values() {
        assert_eq!(
            DecisionContext::parse("bidding"),
            Ok(DecisionContext::Bidding)
        );
        let err = DecisionContext::parse("lottery").unwrap_err().to_string();
        for c in DecisionContext::ALL {
            assert!(err.contains(c.as_str()), "{err}");
        }
        assert!(err.contains("lottery"));
        for c in DecisionContext::ALL {
            assert_eq!(c.as_str().parse::<DecisionContext>(), Ok(c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.as_str().into())
            );
        }
    }
}
