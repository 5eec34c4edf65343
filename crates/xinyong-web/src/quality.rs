//! A department's data-quality report: its records whose subject name or kind differs from
//! the subject's registered ones (issue #11, item 5). Another department's record never
//! renames a subject; the report is where the difference is seen and fixed at the source.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::DepartmentCaller;
use crate::error::ApiError;

/// Most lines in one report; `truncated` says when there are more.
const MAX_LINES: u32 = 1000;

/// The report.
#[derive(Serialize, ToSchema)]
pub struct QualityReport {
    department: String,
    /// At most 1,000 lines, in record order.
    name_mismatches: Vec<NameMismatch>,
    /// More records differ than are listed.
    truncated: bool,
}

/// One record whose subject name or kind differs from the registered ones.
#[derive(Serialize, ToSchema)]
pub struct NameMismatch {
    record_id: String,
    category: String,
    document_no: String,
    submitted_name: String,
    submitted_kind: &'static str,
    registered_name: String,
    registered_kind: &'static str,
    /// The department whose records set the registered name.
    registrar: Option<String>,
}

/// The calling department's data-quality report.
#[utoipa::path(get, path = "/api/v1/departments/me/quality", tag = "records",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Records whose subject name or kind differs from the registered ones", body = QualityReport),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
    ))]
pub async fn report(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
) -> Result<Json<QualityReport>, ApiError> {
    let mut lines = state
        .store
        .quality_report(&department.code, MAX_LINES + 1)
        .await?;
    let truncated = lines.len() > MAX_LINES as usize;
    lines.truncate(MAX_LINES as usize);
    Ok(Json(QualityReport {
        department: department.code,
        name_mismatches: lines
            .into_iter()
            .map(|m| NameMismatch {
                record_id: m.record_id,
                category: m.category,
                document_no: m.document_no,
                submitted_name: m.submitted_name,
                submitted_kind: m.submitted_kind.as_str(),
                registered_name: m.registered_name,
                registered_kind: m.registered_kind.as_str(),
                registrar: m.registrar,
            })
            .collect(),
        truncated,
    }))
}
