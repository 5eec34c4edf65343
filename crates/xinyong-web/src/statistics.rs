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
//!
//! The figures, and the website's counts of public records ([`public_record_counts`]),
//! aggregate every record (seconds at ten million), so they are cached in the state
//! ([`StatsCache`]) and computed again only when something they count may have changed:
//! the store's write counters of the catalogue's categories and of grades moved (bumped in
//! the transaction of every record, objection and grade write, whichever process made it; a
//! credit check does not move them), this process counted a submission or registered a
//! department, the day changed, or [`STATS_TTL`] passed (what no counter sees, rejected rows
//! or a department registered by another process, shows within that time). Requests that
//! find the figures stale wait for one computation and share it.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Serialize;
use tokio::sync::Mutex;
use utoipa::ToSchema;
use xinyong_domain::calendar::WorkingCalendar;
use xinyong_domain::code::{province_name_en, province_name_zh};
use xinyong_domain::list::ListTypes;
use xinyong_domain::{Catalogue, Disclosure};
use xinyong_store::StatRow;
use xinyong_store::grades::GRADES_TOPIC;

use crate::AppState;
use crate::auth::PublicCaller;
use crate::error::ApiError;

/// Longest time computed figures are served without being computed again.
pub const STATS_TTL: Duration = Duration::from_secs(60);

/// The figures last computed, shared by every request (see the module documentation).
#[derive(Default)]
pub struct StatsCache {
    departments: Mutex<Option<Cached<Vec<DepartmentFigures>>>>,
    regions: Mutex<Option<Cached<Vec<RegionFigures>>>>,
    records: Mutex<Option<Cached<Vec<StatRow>>>>,
    /// This process's writes that figures count and the store's write counters do not.
    local: AtomicU64,
}

impl StatsCache {
    /// Says that this process wrote something the figures count (after it is committed).
    pub fn changed(&self) {
        self.local.fetch_add(1, Ordering::Release);
    }
}

struct Cached<T> {
    /// What they were computed from, read before the computation began.
    stamp: Stamp,
    /// When the computation began.
    started: Instant,
    figures: T,
}

/// What figures depend on, besides the data: equal stamps, no write seen in between.
struct Stamp {
    generation: i64,
    local: u64,
    today: NaiveDate,
    /// The configuration they were computed with: a state given another catalogue, calendar
    /// or list types (tests, a `serve` that loads them) does not see figures of the old ones.
    catalogue: Arc<Catalogue>,
    calendar: Arc<WorkingCalendar>,
    list_types: Arc<ListTypes>,
}

impl Stamp {
    async fn now(state: &AppState) -> Result<Stamp, ApiError> {
        let local = state.statistics.local.load(Ordering::Acquire);
        let mut topics: Vec<String> = state
            .catalogue
            .categories
            .iter()
            .map(|c| c.id.clone())
            .chain(state.list_types.iter().map(|t| t.category.clone()))
            .collect();
        topics.push(GRADES_TOPIC.to_owned());
        Ok(Stamp {
            generation: state.store.generation(&topics).await?,
            local,
            today: state.today(),
            catalogue: state.catalogue.clone(),
            calendar: state.calendar.clone(),
            list_types: state.list_types.clone(),
        })
    }

    fn same(&self, other: &Stamp) -> bool {
        self.generation == other.generation
            && self.local == other.local
            && self.today == other.today
            && Arc::ptr_eq(&self.catalogue, &other.catalogue)
            && Arc::ptr_eq(&self.calendar, &other.calendar)
            && Arc::ptr_eq(&self.list_types, &other.list_types)
    }

    /// Whether `state` would compute with the same day and configuration.
    fn configured_as(&self, state: &AppState) -> bool {
        self.today == state.today()
            && Arc::ptr_eq(&self.catalogue, &state.catalogue)
            && Arc::ptr_eq(&self.calendar, &state.calendar)
            && Arc::ptr_eq(&self.list_types, &state.list_types)
    }
}

/// The figures in `slot` if they are current, else `compute`d for the stamp's day (once for
/// every request waiting).
async fn cached<T, F>(
    slot: &Mutex<Option<Cached<T>>>,
    state: &AppState,
    compute: impl FnOnce(NaiveDate) -> F,
) -> Result<T, ApiError>
where
    T: Clone,
    F: Future<Output = Result<T, ApiError>>,
{
    let arrived = Instant::now();
    let mut slot = slot.lock().await;
    if let Some(c) = slot.as_ref()
        && c.started > arrived
        && c.stamp.configured_as(state)
    {
        // Computed by a request that began after this one arrived: every write made before
        // this request is in it (and the request waited for it rather than compute again).
        return Ok(c.figures.clone());
    }
    let started = Instant::now();
    let stamp = Stamp::now(state).await?;
    if let Some(c) = slot.as_ref()
        && c.started.elapsed() < STATS_TTL
        && c.stamp.same(&stamp)
    {
        return Ok(c.figures.clone());
    }
    let figures = compute(stamp.today).await?;
    *slot = Some(Cached {
        stamp,
        started,
        figures: figures.clone(),
    });
    Ok(figures)
}

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

/// Every department's figures, in code order (cached: see the module documentation).
pub async fn department_figures(state: &AppState) -> Result<Vec<DepartmentFigures>, ApiError> {
    cached(&state.statistics.departments, state, |_| {
        compute_department_figures(state)
    })
    .await
}

/// Every province's figures, in code order (cached: see the module documentation).
pub async fn region_figures(state: &AppState) -> Result<Vec<RegionFigures>, ApiError> {
    cached(&state.statistics.regions, state, |today| {
        compute_region_figures(state, today)
    })
    .await
}

/// Records in force of the catalogue's public categories by category, decision month and
/// province: the website's statistics charts (cached like the figures).
pub async fn public_record_counts(state: &AppState) -> Result<Vec<StatRow>, ApiError> {
    cached(&state.statistics.records, state, |today| async move {
        let public: Vec<String> = state
            .catalogue
            .categories
            .iter()
            .filter(|c| c.disclosure == Disclosure::Public)
            .map(|c| c.id.clone())
            .collect();
        Ok(state.store.record_stats(&public, today).await?)
    })
    .await
}

async fn compute_department_figures(state: &AppState) -> Result<Vec<DepartmentFigures>, ApiError> {
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

async fn compute_region_figures(
    state: &AppState,
    today: NaiveDate,
) -> Result<Vec<RegionFigures>, ApiError> {
    let lists: Vec<String> = state
        .list_types
        .iter()
        .map(|t| t.category.clone())
        .collect();
    let regions = state.store.region_counts(&lists, today).await?;
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
