//! Reports of trust-breaking over the API (issue #12, SPEC row 9): anyone reports; the report
//! goes to the competent department by category and region; only that department reads the
//! content and the reporter's contact; the reporter follows the status with the tracking
//! number alone (which the platform keeps only as a hash, like a token).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinyong_domain::report::{RawReport, Report, ReportStatus, route, tracking_number};

use crate::AppState;
use crate::auth::{DepartmentCaller, PublicCaller, hash_token};
use crate::error::{ApiError, ErrorCode, JsonBody, Path};
use crate::rights::{now, text_checked};

/// What the reporter gets: the only key to the case.
#[derive(Serialize, ToSchema)]
#[schema(as = ReportFiled)]
pub struct Filed {
    /// Keep it: it is shown once and is the only way to follow the report.
    tracking_number: String,
    status: ReportStatus,
    /// The competent department the report was routed to.
    department: String,
}

/// Reports trust-breaking. Anonymous reports carry no contact; others must, and only the
/// competent department reads it.
#[utoipa::path(post, path = "/api/v1/reports", tag = "rights",
    request_body = RawReport,
    responses(
        (status = 201, description = "Routed; the tracking number is shown once", body = Filed),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 422, description = "Invalid report, or no department handles the category", body = crate::error::Problem),
    ))]
pub async fn file(
    _: PublicCaller,
    State(state): State<AppState>,
    JsonBody(raw): JsonBody<RawReport>,
) -> Result<(StatusCode, Json<Filed>), ApiError> {
    let report = raw
        .validate(&state.catalogue)
        .map_err(ApiError::invalid_fields)?;
    let departments = state.store.departments().await?;
    let department = route(&report, &departments).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoCompetentDepartment,
            format!(
                "no registered department handles {}; report it to the department directly",
                report.category
            ),
        )
    })?;
    let tracking = tracking_number(&mut rand::rng());
    let filed_at = now();
    let stored = Report {
        id: xinyong_store::new_id(),
        category: report.category,
        subject_code: report.subject,
        content: report.content,
        contact: report.contact,
        department: department.code.clone(),
        status: ReportStatus::Received,
        status_note: None,
        filed_at,
        updated_at: filed_at,
    };
    state
        .store
        .file_report(&stored, &hash_token(&tracking))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            tracking_number: tracking,
            status: stored.status,
            department: stored.department,
        }),
    ))
}

/// What a reporter sees with the tracking number: the state, never the content.
#[derive(Serialize, ToSchema)]
pub struct Progress {
    status: ReportStatus,
    department: String,
    /// The department's last word to the reporter.
    status_note: Option<String>,
    filed_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

fn unknown_report() -> ApiError {
    ApiError::new(
        ErrorCode::UnknownReport,
        "no report with this tracking number or id",
    )
}

/// Where a report stands, by its tracking number.
#[utoipa::path(get, path = "/api/v1/reports/{tracking_number}", tag = "rights",
    params(("tracking_number" = String, Path, description = "As answered when the report was filed")),
    responses(
        (status = 200, description = "The report's state", body = Progress),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 404, description = "No report with this tracking number", body = crate::error::Problem),
    ))]
pub async fn progress(
    _: PublicCaller,
    State(state): State<AppState>,
    Path(tracking): Path<String>,
) -> Result<Json<Progress>, ApiError> {
    let tracking = tracking.trim().to_ascii_uppercase();
    let report = state
        .store
        .report_by_tracking(&hash_token(&tracking))
        .await?
        .ok_or_else(unknown_report)?;
    Ok(Json(Progress {
        status: report.status,
        department: report.department,
        status_note: report.status_note,
        filed_at: report.filed_at,
        updated_at: report.updated_at,
    }))
}

/// The reports routed to a department.
#[derive(Serialize, ToSchema)]
pub struct Reports {
    /// Newest first, with content and contact.
    reports: Vec<Report>,
}

/// The reports routed to the calling department.
#[utoipa::path(get, path = "/api/v1/reports", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The department's reports", body = Reports),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
    ))]
pub async fn list(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
) -> Result<Json<Reports>, ApiError> {
    Ok(Json(Reports {
        reports: state.store.reports_for(&department.code).await?,
    }))
}

/// A department's move on a report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Update {
    status: ReportStatus,
    /// What the reporter is told (shown with the tracking number; never the reporter's
    /// identity).
    note: Option<String>,
}

/// Moves a report of the calling department on.
#[utoipa::path(post, path = "/api/v1/reports/{id}/status", tag = "rights",
    params(("id" = String, Path, description = "Report id (from GET /api/v1/reports)")),
    request_body = Update,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report as it now stands", body = Report),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
        (status = 404, description = "No such report of the calling department", body = crate::error::Problem),
        (status = 422, description = "Invalid note", body = crate::error::Problem),
    ))]
pub async fn update(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Update>,
) -> Result<Json<Report>, ApiError> {
    if let Some(note) = &body.note {
        text_checked("note", note)?;
    }
    let report = state
        .store
        .update_report(&department.code, &id, body.status, body.note.as_deref())
        .await?
        .ok_or_else(unknown_report)?;
    Ok(Json(report))
}
