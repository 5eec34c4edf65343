//! Platform statistics (issue #13, SPEC row 16), public: how each department meets its duties
//! and what each region holds.
//!
//! Per department: first submissions and how many were recorded within the 7-working-day
//! publication duty (counted with the working-day calendar in force from the decision date),
//! rows accepted and rejected, objections against its records and how many were overturned.
//! Per province: subjects, records and list entries in force, stored grades, and the
//! **regional credit index**:
//!
//! `index = mean score of the region's graded subjects × (1 − listed subjects ÷ subjects)`
//!
//! on the models' 0-100 scale: the region's average grade, discounted by the share of its
//! subjects that stand on a current list. `null` where no subject of the region is graded.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_domain::code::{province_name_en, province_name_zh};

use crate::AppState;
use crate::auth::PublicCaller;
use crate::error::ApiError;

/// Working days after a decision within which it must be published ("double publicity").
pub const PUBLICATION_DUTY_DAYS: u32 = 7;

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

/// One department's figures.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq)]
pub struct DepartmentFigures {
    pub department: String,
    pub name: String,
    /// Current records (every status).
    pub records: u64,
    /// Records as first submitted, and how many were recorded within the publication duty
    /// (7 working days after the decision), after it, or on a day the calendar does not cover.
    pub first_submissions: u64,
    pub on_time: u64,
    pub late: u64,
    pub timeliness_unknown: u64,
    /// `on_time ÷ (on_time + late)`.
    pub timeliness: Option<f64>,
    pub accepted_rows: u64,
    pub rejected_rows: u64,
    /// `rejected_rows ÷ (accepted_rows + rejected_rows)`.
    pub rejection_rate: Option<f64>,
    pub objections: u64,
    /// `objections ÷ records`.
    pub objection_rate: Option<f64>,
    pub decided_objections: u64,
    /// Decided objections that corrected or removed the record.
    pub overturned_objections: u64,
    /// `overturned_objections ÷ decided_objections`.
    pub overturn_rate: Option<f64>,
}

/// One province's figures.
#[derive(Serialize, ToSchema, Debug, Clone, PartialEq)]
pub struct RegionFigures {
    /// The first two digits of the division code.
    pub province: String,
    pub name_zh: String,
    pub name_en: String,
    pub subjects: u64,
    pub records_in_force: u64,
    pub list_entries: u64,
    pub listed_subjects: u64,
    pub graded: u64,
    /// Stored grades by grade id.
    pub grades: BTreeMap<String, u64>,
    pub mean_score: Option<f64>,
    /// See the module documentation for the formula.
    pub credit_index: Option<f64>,
}

/// Every department's figures, in code order.
pub async fn department_figures(state: &AppState) -> Result<Vec<DepartmentFigures>, ApiError> {
    let names: BTreeMap<String, String> = state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let mut counts = state.store.department_counts().await?;
    let mut timing: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for day in state.store.submission_days().await? {
        let t = timing.entry(day.department.clone()).or_default();
        match state
            .calendar
            .add_working_days(day.decided_on, PUBLICATION_DUTY_DAYS)
        {
            Ok(due) if day.recorded_on <= due => t.0 += day.records,
            Ok(_) => t.1 += day.records,
            Err(_) => t.2 += day.records,
        }
    }
    let codes: std::collections::BTreeSet<String> = names
        .keys()
        .chain(counts.keys())
        .chain(timing.keys())
        .cloned()
        .collect();
    Ok(codes
        .into_iter()
        .map(|code| {
            let c = counts.remove(&code).unwrap_or_default();
            let (on_time, late, unknown) = timing.get(&code).copied().unwrap_or_default();
            DepartmentFigures {
                name: names.get(&code).cloned().unwrap_or_default(),
                records: c.records,
                first_submissions: on_time + late + unknown,
                on_time,
                late,
                timeliness_unknown: unknown,
                timeliness: rate(on_time, on_time + late),
                accepted_rows: c.accepted_rows,
                rejected_rows: c.rejected_rows,
                rejection_rate: rate(c.rejected_rows, c.accepted_rows + c.rejected_rows),
                objections: c.objections,
                objection_rate: rate(c.objections, c.records),
                decided_objections: c.decided_objections,
                overturned_objections: c.overturned_objections,
                overturn_rate: rate(c.overturned_objections, c.decided_objections),
                department: code,
            }
        })
        .collect())
}

/// Every province's figures, in code order.
pub async fn region_figures(state: &AppState) -> Result<Vec<RegionFigures>, ApiError> {
    let lists: Vec<String> = state
        .list_types
        .iter()
        .map(|t| t.category.clone())
        .collect();
    let regions = state.store.region_counts(&lists, state.today()).await?;
    Ok(regions
        .into_iter()
        .map(|(p, r)| {
            let graded: u64 = r.grades.values().sum();
            let mean = (graded > 0).then(|| r.score_centi_sum as f64 / 100.0 / graded as f64);
            let listed_share = if r.subjects > 0 {
                (r.listed_subjects as f64 / r.subjects as f64).min(1.0)
            } else {
                0.0
            };
            let round = |x: f64| (x * 100.0).round() / 100.0;
            RegionFigures {
                name_zh: province_name_zh(&p).unwrap_or_default().to_owned(),
                name_en: province_name_en(&p).unwrap_or_default().to_owned(),
                province: p,
                subjects: r.subjects,
                records_in_force: r.records,
                list_entries: r.list_entries,
                listed_subjects: r.listed_subjects,
                graded,
                grades: r.grades,
                mean_score: mean.map(round),
                credit_index: mean.map(|m| round(m * (1.0 - listed_share))),
            }
        })
        .collect())
}

/// How each department meets its duties: timeliness against the 7-working-day publication
/// duty, rejection, objection and overturn rates.
#[utoipa::path(get, path = "/api/v1/stats/departments", tag = "statistics",
    responses(
        (status = 200, description = "One line per department", body = Vec<DepartmentFigures>),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn departments(
    _: PublicCaller,
    State(state): State<AppState>,
) -> Result<Json<Vec<DepartmentFigures>>, ApiError> {
    Ok(Json(department_figures(&state).await?))
}

/// What each province holds: subjects, records and list entries in force, grades, and the
/// regional credit index (`mean score × (1 − listed subjects ÷ subjects)`).
#[utoipa::path(get, path = "/api/v1/stats/regions", tag = "statistics",
    responses(
        (status = 200, description = "One line per province", body = Vec<RegionFigures>),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn regions(
    _: PublicCaller,
    State(state): State<AppState>,
) -> Result<Json<Vec<RegionFigures>>, ApiError> {
    Ok(Json(region_figures(&state).await?))
}
