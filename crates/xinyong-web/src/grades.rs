//! Explainable grades over the API (issue #13, first increment): a subject's grade under the
//! model that applies to its kind, computed from its records at the time of asking, with every
//! indicator, every point lost or gained and the record behind it, the day it stops counting
//! and whether it can be repaired. Only in-force records count (domain `grading::evaluate`).

use axum::Json;
use axum::extract::State;
use xinyong_domain::grading::{Grade, evaluate};

use crate::AppState;
use crate::auth::{Caller, Visitor};
use crate::error::{ApiError, ErrorCode, Path};

fn no_grade(code: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NoGrade,
        format!("no grading model that you may read grades {code}"),
    )
}

/// A subject's grade and its whole explanation: at most four key factors, most important
/// first, each naming its record, and the score of every indicator.
#[utoipa::path(get, path = "/api/v1/subjects/{code}/grade", tag = "grades",
    params(("code" = String, Path, description = "Unified Social Credit Code")),
    responses(
        (status = 200, description = "The grade, explained", body = Grade),
        (status = 400, description = "Not a valid code", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 404, description = "Unknown subject, or no model grades it for this caller", body = crate::error::Problem),
    ))]
pub async fn grade(
    Visitor(caller): Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Grade>, ApiError> {
    let parsed = xinyong_domain::code::SubjectCode::parse(code.trim())?;
    let subject = state
        .store
        .subject(parsed.as_str())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownSubject, "no subject with this code"))?;
    // A model that is not public grades for departments and operators only.
    let may_read_private = matches!(caller, Caller::Department { .. } | Caller::Operator { .. });
    let model = state
        .models
        .iter()
        .find(|m| m.applies_to(subject.kind) && (m.public || may_read_private))
        .ok_or_else(|| no_grade(&code))?;
    let records = state
        .store
        .records_of_subject(subject.code.as_str())
        .await?;
    let mut grade = evaluate(model, &state.catalogue, &records, state.today());
    // A public answer: a document number may hold an identity number.
    let contributions = grade.key_factors.iter_mut().chain(
        grade
            .indicators
            .iter_mut()
            .flat_map(|i| i.contributions.iter_mut()),
    );
    for c in contributions {
        c.document_no = crate::public::text(&c.document_no);
    }
    Ok(Json(grade))
}
