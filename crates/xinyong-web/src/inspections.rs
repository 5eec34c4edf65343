//! Categorised supervision (issue #13, SPEC row 8): risk-weighted random inspection draws
//! ("double random, one public", 双随机、一公开). A subject's weight is its stored grade's
//! inspection share (its supervision tier, from the model file); the draw is reproducible from
//! its seed and the population's digest, and is kept and logged (`inspection.drawn`) so anyone
//! re-running it on the same data gets the same list. The same function serves the CLI
//! (`xinyong inspections draw`) and the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use xinyong_domain::grading::Model;
use xinyong_domain::inspection::{Candidate, InspectionDraw, Population, draw};
use xinyong_store::{Store, StoreError};

use crate::AppState;
use crate::auth::DepartmentCaller;
use crate::error::{ApiError, JsonBody, RecordError};

/// The most subjects one draw may ask for.
pub const MAX_DRAW: u64 = 10_000;

/// Draws `count` subjects for `department` from the graded subjects `population` admits,
/// each weighted by its grade's inspection share under the model that gave it, and keeps the
/// draw. Subjects whose grade's model is no longer loaded are left out (their tier is unknown).
pub async fn make_draw(
    store: &dyn Store,
    models: &[Model],
    department: &str,
    count: u64,
    seed: u64,
    population: Population,
) -> Result<InspectionDraw, StoreError> {
    let mut candidates = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.graded_after(after.as_deref(), 10_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.code.clone());
        for g in page {
            if !population.admits(&g.code, g.kind, &g.summary.grade) {
                continue;
            }
            let share = models
                .iter()
                .find(|m| m.id == g.summary.model)
                .and_then(|m| m.inspection_share(&g.summary.grade));
            if let Some(weight) = share {
                candidates.push(Candidate {
                    code: g.code,
                    weight,
                });
            }
        }
    }
    let n = usize::try_from(count).unwrap_or(usize::MAX);
    let result = draw(&candidates, n, seed);
    let kept = InspectionDraw {
        id: xinyong_store::new_id(),
        department: department.to_owned(),
        seed,
        requested: count,
        population,
        population_size: candidates.len() as u64,
        population_digest: result.population_digest,
        drawn: result.drawn,
        drawn_at: chrono::Utc::now(),
    };
    store.store_draw(&kept).await?;
    Ok(kept)
}

/// A draw to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"count": 20, "seed": 20261203, "population": "kind=legal_person,region=4403"}))]
pub struct DrawRequest {
    /// How many subjects to draw (1 to 10,000).
    #[schema(minimum = 1, maximum = 10000)]
    count: u64,
    /// Any number; publish it with the list so that anyone can re-run the draw.
    seed: u64,
    /// `kind=...,region=...,grade=...` (each optional, see the CLI's `--population`); empty:
    /// every graded subject.
    #[serde(default)]
    population: String,
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::InvalidFields(vec![RecordError {
        index: 0,
        field: field.to_owned(),
        message,
    }])
}

/// Draws subjects for inspection, weighted by their grades' supervision tiers, and keeps the
/// draw (seed, population digest, list) in the audit log.
#[utoipa::path(post, path = "/api/v1/inspections/draws", tag = "grades",
    request_body = DrawRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The draw, kept", body = InspectionDraw),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
        (status = 422, description = "A count outside 1 to 10,000, or a bad population filter", body = crate::error::Problem),
    ))]
pub async fn create(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<DrawRequest>,
) -> Result<(StatusCode, Json<InspectionDraw>), ApiError> {
    if !(1..=MAX_DRAW).contains(&req.count) {
        return Err(invalid(
            "count",
            format!("must be 1 to {MAX_DRAW}, found {}", req.count),
        ));
    }
    let population =
        Population::parse(&req.population).map_err(|e| invalid("population", e.to_string()))?;
    let kept = make_draw(
        &*state.store,
        &state.models,
        &department.code,
        req.count,
        req.seed,
        population,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

/// The calling department's draws, newest first.
#[utoipa::path(get, path = "/api/v1/inspections/draws", tag = "grades",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The department's draws", body = Vec<InspectionDraw>),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
    ))]
pub async fn list(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
) -> Result<Json<Vec<InspectionDraw>>, ApiError> {
    Ok(Json(
        state.store.draws_of_department(&department.code).await?,
    ))
}
