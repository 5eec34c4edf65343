//! Explainable grades (SPEC row 8, invariant "No opaque scores"): published, versioned rule
//! models as data (`data/grading/*.toml`), and an evaluation whose every point traces to the
//! record and the rule behind it, with the date it stops counting and whether and from when the
//! record can be repaired.
//!
//! A model is an indicator tree: first-level indicators (遵纪守法, 履约践诺, 资质荣誉, 社会责任,
//! 监管风险 in the shipped models) with a start and a maximum, and under each its second-level
//! indicators, the rules: points per record of some categories (list types name their
//! category), weighted by tier, decaying over the record's publicity, with extra points for
//! amount bands and a cap per rule. Arithmetic is in hundredths of a point, in a fixed order,
//! so the same data, date and model give the same grade everywhere.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::catalogue::{Catalogue, Tier};
use crate::disclosure::in_force;
use crate::list::ListTypes;
use crate::record::{Record, RecordId};
use crate::rights::{Ineligible, RepairPath, repair_path};
use crate::subject::SubjectKind;

/// Models shipped with the platform: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "enterprise.toml",
        include_str!("../../../data/grading/enterprise.toml"),
    ),
    (
        "small_enterprise.toml",
        include_str!("../../../data/grading/small_enterprise.toml"),
    ),
    (
        "rural_cooperative.toml",
        include_str!("../../../data/grading/rural_cooperative.toml"),
    ),
    (
        "government.toml",
        include_str!("../../../data/grading/government.toml"),
    ),
];

/// How a rule's points fade while the record is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Decay {
    /// Full points until publication ends.
    #[default]
    None,
    /// From full points at the decision date to none at the end of publication.
    Linear,
}

/// Extra points for a record whose amount field reaches `from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmountBand {
    pub from: f64,
    pub points: f64,
}

/// Multipliers of a rule's points by the record's tier (records without a tier count 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierWeights {
    pub minor: f64,
    pub general: f64,
    pub serious: f64,
}

impl Default for TierWeights {
    fn default() -> TierWeights {
        TierWeights {
            minor: 1.0,
            general: 1.0,
            serious: 1.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    categories: Vec<Spanned<String>>,
    #[serde(default)]
    list_types: Vec<Spanned<String>>,
    points: f64,
    #[serde(default)]
    tier_weights: TierWeights,
    #[serde(default)]
    decay: Decay,
    #[serde(default)]
    amount_field: Option<Spanned<String>>,
    #[serde(default)]
    bands: Vec<AmountBand>,
    /// The most points the rule can move in total (a bound on its absolute sum).
    #[serde(default)]
    cap: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    id: String,
    name_zh: String,
    name_en: String,
    start: f64,
    max: f64,
    rules: Vec<RuleFile>,
}

/// A grade and the share of its subjects that regulators inspect each year (categorised
/// supervision: the worse the grade, the higher the share).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeBand {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Lowest score (inclusive) of this grade.
    pub min_score: f64,
    /// Share of subjects of this grade drawn for inspection per year, 0 to 1.
    pub inspection_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    id: String,
    version: String,
    name_zh: String,
    name_en: String,
    subject_kinds: Vec<SubjectKind>,
    /// Whether grades of this model are shown to the public.
    public: bool,
    grades: Vec<GradeBand>,
    indicators: Vec<IndicatorFile>,
}

/// A second-level indicator: what records it counts and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Catalogue categories counted (list types resolved to their categories).
    pub categories: BTreeSet<String>,
    pub points: f64,
    pub tier_weights: TierWeights,
    pub decay: Decay,
    pub amount_field: Option<String>,
    pub bands: Vec<AmountBand>,
    pub cap: Option<f64>,
}

/// A first-level indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The score of a subject with no records.
    pub start: f64,
    pub max: f64,
    pub rules: Vec<Rule>,
}

/// A published grading model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Model {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    pub subject_kinds: Vec<SubjectKind>,
    pub public: bool,
    /// Best grade first.
    pub grades: Vec<GradeBand>,
    pub indicators: Vec<Indicator>,
    /// SHA-256 of the model file: logged when the model is used.
    pub digest: String,
}

/// Why a model file was refused: the file and line, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ModelError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Model {
    /// Parses a model file and checks it against the catalogue and the list types: every
    /// category, list type and amount field exists; ids are unique; points are finite; each
    /// indicator's start lies within 0 and its maximum; grades descend and their shares are
    /// between 0 and 1; the last grade starts at 0 so that every score has a grade.
    pub fn from_toml_str(
        file: &str,
        text: &str,
        catalogue: &Catalogue,
        lists: &ListTypes,
    ) -> Result<Model, ModelError> {
        let err = |line: usize, reason: String| ModelError {
            file: file.to_owned(),
            line,
            reason,
        };
        let parsed: ModelFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            err(line, e.message().to_owned())
        })?;
        // Semantic errors without a span of their own point at the line that names the id.
        let line_naming = |needle: &str| {
            text.find(&format!("\"{needle}\""))
                .map_or(1, |at| line_of(text, at))
        };
        if parsed.subject_kinds.is_empty() {
            return Err(err(1, "the model applies to no subject kind".into()));
        }
        let mut grades = parsed.grades;
        if grades.is_empty() {
            return Err(err(1, "the model has no grades".into()));
        }
        for w in grades.windows(2) {
            if w[1].min_score >= w[0].min_score {
                return Err(err(
                    line_naming(&w[1].id),
                    format!("grade {} must start below grade {}", w[1].id, w[0].id),
                ));
            }
        }
        for g in &grades {
            if !(0.0..=1.0).contains(&g.inspection_share) {
                return Err(err(
                    line_naming(&g.id),
                    format!("grade {}: inspection_share must be between 0 and 1", g.id),
                ));
            }
        }
        if let Some(last) = grades.last_mut()
            && last.min_score > 0.0
        {
            return Err(err(
                line_naming(&last.id),
                format!(
                    "the last grade ({}) must start at 0: every score needs a grade",
                    last.id
                ),
            ));
        }
        let mut ids = BTreeSet::new();
        let mut indicators = Vec::new();
        for ind in parsed.indicators {
            if !ids.insert(ind.id.clone()) {
                return Err(err(
                    line_naming(&ind.id),
                    format!("id {} appears twice", ind.id),
                ));
            }
            if !(ind.max > 0.0 && (0.0..=ind.max).contains(&ind.start)) {
                return Err(err(
                    line_naming(&ind.id),
                    format!(
                        "indicator {}: start must lie between 0 and max, max above 0",
                        ind.id
                    ),
                ));
            }
            let mut rules = Vec::new();
            for r in ind.rules {
                if !ids.insert(r.id.clone()) {
                    return Err(err(
                        line_naming(&r.id),
                        format!("id {} appears twice", r.id),
                    ));
                }
                if !r.points.is_finite()
                    || r.points == 0.0
                    || r.cap.is_some_and(|c| c.is_nan() || c <= 0.0)
                {
                    return Err(err(
                        line_naming(&r.id),
                        format!(
                            "rule {}: points must be a non-zero number and cap above 0",
                            r.id
                        ),
                    ));
                }
                let mut categories = BTreeSet::new();
                for c in &r.categories {
                    if catalogue.category(c.get_ref()).is_none() {
                        return Err(err(
                            line_of(text, c.span().start),
                            format!(
                                "rule {}: {:?} is not a category of the catalogue",
                                r.id,
                                c.get_ref()
                            ),
                        ));
                    }
                    categories.insert(c.get_ref().clone());
                }
                for l in &r.list_types {
                    match lists.get(l.get_ref()) {
                        Some(t) => {
                            categories.insert(t.category.clone());
                        }
                        None => {
                            return Err(err(
                                line_of(text, l.span().start),
                                format!("rule {}: {:?} is not a list type", r.id, l.get_ref()),
                            ));
                        }
                    }
                }
                if categories.is_empty() {
                    return Err(err(
                        line_naming(&r.id),
                        format!("rule {} counts no category or list type", r.id),
                    ));
                }
                if let Some(f) = &r.amount_field {
                    let known = categories
                        .iter()
                        .filter_map(|c| catalogue.category(c))
                        .any(|c| c.field(f.get_ref()).is_some());
                    if !known {
                        return Err(err(
                            line_of(text, f.span().start),
                            format!(
                                "rule {}: no counted category has a field {:?}",
                                r.id,
                                f.get_ref()
                            ),
                        ));
                    }
                }
                rules.push(Rule {
                    id: r.id,
                    name_zh: r.name_zh,
                    name_en: r.name_en,
                    categories,
                    points: r.points,
                    tier_weights: r.tier_weights,
                    decay: r.decay,
                    amount_field: r.amount_field.map(Spanned::into_inner),
                    bands: r.bands,
                    cap: r.cap,
                });
            }
            indicators.push(Indicator {
                id: ind.id,
                name_zh: ind.name_zh,
                name_en: ind.name_en,
                start: ind.start,
                max: ind.max,
                rules,
            });
        }
        Ok(Model {
            id: parsed.id,
            version: parsed.version,
            name_zh: parsed.name_zh,
            name_en: parsed.name_en,
            subject_kinds: parsed.subject_kinds,
            public: parsed.public,
            grades,
            indicators,
            digest: hex::encode(Sha256::digest(text.as_bytes())),
        })
    }

    /// The shipped models, checked against `catalogue` and `lists`.
    pub fn shipped(catalogue: &Catalogue, lists: &ListTypes) -> Result<Vec<Model>, ModelError> {
        SHIPPED
            .iter()
            .map(|(file, text)| Model::from_toml_str(file, text, catalogue, lists))
            .collect()
    }

    /// Whether the model grades subjects of this kind.
    pub fn applies_to(&self, kind: SubjectKind) -> bool {
        self.subject_kinds.contains(&kind)
    }

    /// The grade of a score.
    pub fn grade_of(&self, score: f64) -> &GradeBand {
        self.grades
            .iter()
            .find(|g| score >= g.min_score)
            .or(self.grades.last())
            .unwrap_or(&self.grades[0])
    }
}

/// Whether and from when the record behind a contribution can be repaired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "repair", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Repair {
    /// Not negative information: nothing to repair.
    NotApplicable,
    /// The law allows no repair, or the record cannot be repaired any more.
    NotRepairable { reason: String },
    /// Repaired once the obligation is recorded as fulfilled (minor tier).
    OnFulfilment,
    /// An application can be made now.
    Now,
    /// An application becomes possible on this date.
    From { date: NaiveDate },
}

/// Points one record moved, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    /// The record behind these points.
    pub record: RecordId,
    pub category: String,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub rule: String,
    /// Points the rule gives this record before caps and bounds.
    pub points: f64,
    /// Points it moved the score by (less when its rule's cap or its indicator's bounds
    /// were reached first).
    pub applied: f64,
    /// The first day the record no longer counts.
    pub counts_until: NaiveDate,
    #[serde(flatten)]
    pub repair: Repair,
}

/// One first-level indicator's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorScore {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub start: f64,
    pub max: f64,
    pub score: f64,
    /// Every record that moved it, most points first.
    pub contributions: Vec<Contribution>,
    /// Points moved by records this reader may not see (see [`Grade::withhold`]): with them
    /// the contributions still add up to the score.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub withheld: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A subject's grade with its whole explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grade {
    /// The grade's id (`excellent`, `good`, `fair`, `poor`).
    pub grade: String,
    pub grade_zh: String,
    pub score: f64,
    pub model: String,
    pub model_version: String,
    pub as_of: NaiveDate,
    /// At most four, the most important first: what lowered the score most (or, with nothing
    /// adverse, what raised it), each naming its record.
    pub key_factors: Vec<Contribution>,
    pub indicators: Vec<IndicatorScore>,
}

/// What a credit check, a statistic or an inspection draw needs of a grade: the grade and the
/// model that gave it, without the explanation (which `GET /subjects/{code}/grade` serves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeSummary {
    pub grade: String,
    pub grade_zh: String,
    pub score: f64,
    pub model: String,
    pub model_version: String,
    pub as_of: NaiveDate,
}

impl Grade {
    /// The grade without its explanation.
    pub fn summary(&self) -> GradeSummary {
        GradeSummary {
            grade: self.grade.clone(),
            grade_zh: self.grade_zh.clone(),
            score: self.score,
            model: self.model.clone(),
            model_version: self.model_version.clone(),
            as_of: self.as_of,
        }
    }

    /// The grade as a reader sees it who may not see every record (a public page, another
    /// department): contributions of records that `visible` rejects are taken out of the
    /// indicators and the key factors, and their points summed in each indicator's
    /// `withheld`, so that the score still adds up without naming what is not public.
    pub fn withhold(&mut self, visible: impl Fn(&RecordId) -> bool) {
        for ind in &mut self.indicators {
            let mut hidden = 0;
            ind.contributions.retain(|c| {
                let keep = visible(&c.record);
                if !keep {
                    hidden += centi(c.applied);
                }
                keep
            });
            ind.withheld = points(centi(ind.withheld) + hidden);
        }
        self.key_factors.retain(|c| visible(&c.record));
    }

    /// The score in hundredths of a point, as stored.
    pub fn score_centi(&self) -> i64 {
        centi(self.score)
    }
}

impl Model {
    /// The model that grades subjects of `kind` for a reader who may (`private`) or may not
    /// read non-public models: the first that applies, in the order the models were loaded.
    pub fn for_kind(models: &[Model], kind: SubjectKind, private: bool) -> Option<&Model> {
        models
            .iter()
            .find(|m| m.applies_to(kind) && (m.public || private))
    }

    /// A rule of the model by its id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.indicators
            .iter()
            .flat_map(|i| &i.rules)
            .find(|r| r.id == id)
    }

    /// A grade band of the model by its id.
    pub fn band(&self, id: &str) -> Option<&GradeBand> {
        self.grades.iter().find(|g| g.id == id)
    }

    /// The inspection share of a grade of this model (its supervision tier), or `None` for a
    /// grade id the model does not have.
    pub fn inspection_share(&self, grade: &str) -> Option<f64> {
        self.grades
            .iter()
            .find(|g| g.id == grade)
            .map(|g| g.inspection_share)
    }
}

/// Hundredths of a point: the unit of every computation, so that sums do not depend on the
/// order of floating-point additions.
fn centi(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn points(c: i64) -> f64 {
    c as f64 / 100.0
}

fn amount(record: &Record, field: &str) -> Option<f64> {
    let v = record.fields.get(field)?;
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn repair_of(record: &Record, catalogue: &Catalogue, today: NaiveDate) -> Repair {
    let Some(category) = catalogue.category(&record.category) else {
        return Repair::NotApplicable;
    };
    if !category.negative {
        return Repair::NotApplicable;
    }
    match repair_path(record, category, today) {
        Ok(RepairPath::OnFulfilment) => Repair::OnFulfilment,
        Ok(RepairPath::Application) => Repair::Now,
        Err(Ineligible {
            earliest: Some(date),
            ..
        }) => Repair::From { date },
        Err(Ineligible { reason, .. }) => Repair::NotRepairable { reason },
    }
}

/// Grades one subject from its records on `today`. Only records in force count: repaired,
/// expired, revoked and removed records never do (records under objection still count until
/// the source department decides). Deterministic for the same records, date and model.
pub fn evaluate(
    model: &Model,
    catalogue: &Catalogue,
    records: &[Record],
    today: NaiveDate,
) -> Grade {
    let counted: Vec<&Record> = {
        let mut v: Vec<&Record> = records.iter().filter(|r| in_force(r, today)).collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    let mut indicators = Vec::new();
    let mut total = 0i64;
    for ind in &model.indicators {
        // Raw points of every (rule, record), then applied in order of weight.
        let mut raw: Vec<(usize, &Record, i64)> = Vec::new();
        for (ri, rule) in ind.rules.iter().enumerate() {
            for r in counted
                .iter()
                .filter(|r| rule.categories.contains(&r.category))
            {
                let weight = match r.tier {
                    Some(Tier::Minor) => rule.tier_weights.minor,
                    Some(Tier::General) => rule.tier_weights.general,
                    Some(Tier::Serious) => rule.tier_weights.serious,
                    None => 1.0,
                };
                let mut p = rule.points * weight;
                if let Some(field) = &rule.amount_field
                    && let Some(a) = amount(r, field)
                    && let Some(band) = rule
                        .bands
                        .iter()
                        .filter(|b| a >= b.from)
                        .max_by(|x, y| x.from.total_cmp(&y.from))
                {
                    p += band.points;
                }
                if rule.decay == Decay::Linear {
                    let span = (r.publicity_until - r.decided_on).num_days().max(1) as f64;
                    let left = (r.publicity_until - today).num_days().clamp(0, span as i64) as f64;
                    p *= left / span;
                }
                raw.push((ri, r, centi(p)));
            }
        }
        raw.sort_by(|a, b| {
            b.2.abs()
                .cmp(&a.2.abs())
                .then_with(|| a.1.id.cmp(&b.1.id))
                .then_with(|| a.0.cmp(&b.0))
        });
        let (lo, hi) = (0, centi(ind.max));
        let mut score = centi(ind.start);
        let mut used: BTreeMap<usize, i64> = BTreeMap::new();
        let mut contributions = Vec::new();
        for (ri, r, p) in raw {
            let rule = &ind.rules[ri];
            let so_far = used.entry(ri).or_default();
            let mut applied = p;
            if let Some(cap) = rule.cap {
                let room = centi(cap) - so_far.abs();
                applied = applied.signum() * applied.abs().min(room.max(0));
            }
            applied = (score + applied).clamp(lo, hi) - score;
            score += applied;
            *so_far += applied;
            contributions.push(Contribution {
                record: r.id.clone(),
                category: r.category.clone(),
                document_no: r.document_no.clone(),
                decided_on: r.decided_on,
                rule: rule.id.clone(),
                points: points(p),
                applied: points(applied),
                counts_until: r.publicity_until,
                repair: repair_of(r, catalogue, today),
            });
        }
        total += score;
        indicators.push(IndicatorScore {
            id: ind.id.clone(),
            name_zh: ind.name_zh.clone(),
            name_en: ind.name_en.clone(),
            start: ind.start,
            max: ind.max,
            score: points(score),
            contributions,
            withheld: 0.0,
        });
    }
    let score = points(total);
    let mut factors: Vec<&Contribution> = indicators
        .iter()
        .flat_map(|i| &i.contributions)
        .filter(|c| c.applied != 0.0)
        .collect();
    let adverse = factors.iter().any(|c| c.applied < 0.0);
    factors.retain(|c| (c.applied < 0.0) == adverse);
    factors.sort_by(|a, b| {
        centi(b.applied.abs())
            .cmp(&centi(a.applied.abs()))
            .then_with(|| a.record.cmp(&b.record))
    });
    let band = model.grade_of(score);
    Grade {
        grade: band.id.clone(),
        grade_zh: band.name_zh.clone(),
        score,
        model: model.id.clone(),
        model_version: model.version.clone(),
        as_of: today,
        key_factors: factors.into_iter().take(4).cloned().collect(),
        indicators,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn load(text: &str) -> Result<Model, ModelError> {
        Model::from_toml_str("m.toml", text, &Catalogue::shipped(), &ListTypes::shipped())
    }

    #[test]
    fn the_shipped_models_load_and_grade_no_natural_person() {
        let models = Model::shipped(&Catalogue::shipped(), &ListTypes::shipped()).unwrap();
        assert!(models.len() >= 2);
        for m in &models {
            assert!(!m.applies_to(SubjectKind::NaturalPerson), "{}", m.id);
            assert_eq!(
                m.grades
                    .iter()
                    .map(|g| g.name_zh.as_str())
                    .collect::<Vec<_>>(),
                ["优", "良", "中", "差"]
            );
            let first: Vec<&str> = m.indicators.iter().map(|i| i.name_zh.as_str()).collect();
            assert_eq!(
                first,
                ["遵纪守法", "履约践诺", "资质荣誉", "社会责任", "监管风险"],
                "{}",
                m.id
            );
        }
    }

    #[test]
    fn every_organisation_kind_is_graded_by_exactly_one_shipped_model() {
        let models = Model::shipped(&Catalogue::shipped(), &ListTypes::shipped()).unwrap();
        for kind in SubjectKind::ALL.into_iter().filter(|k| k.is_organisation()) {
            let graded: Vec<&str> = models
                .iter()
                .filter(|m| m.applies_to(kind))
                .map(|m| m.id.as_str())
                .collect();
            assert_eq!(graded.len(), 1, "{kind}: {graded:?}");
        }
    }

    #[test]
    fn an_unknown_category_is_an_error_naming_the_file_and_line() {
        let text = SHIPPED[0]
            .1
            .replacen("\"admin_penalty\"", "\"no_such_category\"", 1);
        let err = load(&text).unwrap_err();
        let line = text
            .lines()
            .position(|l| l.contains("no_such_category"))
            .unwrap()
            + 1;
        assert_eq!((err.file.as_str(), err.line), ("m.toml", line), "{err}");
        assert!(err.reason.contains("no_such_category"), "{err}");
    }
}
