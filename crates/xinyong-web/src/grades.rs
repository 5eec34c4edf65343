//! Explainable grades over the API (issue #13): a subject's grade under the model that applies
//! to its kind, with every indicator, every point lost or gained and the record behind it, the
//! day it stops counting and whether it can be repaired. Only in-force records count (domain
//! `grading::evaluate`). Served from the stored grade when it is today's (see `grading.rs` for
//! how grades are kept current), else graded from the records at the time of asking.

use axum::Json;
use axum::extract::State;
use xinyong_domain::grading::{Grade, Model, evaluate};

use xinyong_store::StoredSubject;

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
    // Every record behind the points: for operators and the subject itself; anyone else sees
    // the records that are public and the points of the others summed as withheld.
    let full = match &caller {
        Caller::Operator { .. } => true,
        Caller::Subject { code: own, .. } => *own == subject.code.as_str(),
        _ => false,
    };
    let (mut grade, _) = current_grade(&state, &subject, may_read_private, full)
        .await?
        .ok_or_else(|| no_grade(&code))?;
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

/// A subject's grade today by the model that grades its kind for this reader (`private`: a
/// department or operator, who may read models that are not public), with the model; `None`
/// when no such model applies. The stored grade when it is today's by the model in force;
/// otherwise graded now, not stored: a read must not write (the daily evaluation and every
/// write keep the stored grades current).
/// With `full` false, contributions of records that are not public are withheld
/// ([`Grade::withhold`]).
pub(crate) async fn current_grade<'s>(
    state: &'s AppState,
    subject: &StoredSubject,
    private: bool,
    full: bool,
) -> Result<Option<(Grade, &'s Model)>, ApiError> {
    let Some(model) = Model::for_kind(&state.models, subject.kind, private) else {
        return Ok(None);
    };
    let today = state.today();
    let stored =
        state.store.grade(subject.code.as_str()).await?.filter(|g| {
            g.as_of == today && g.model == model.id && g.model_version == model.version
        });
    let records = match (&stored, full) {
        (Some(_), true) => Vec::new(),
        _ => {
            state
                .store
                .records_of_subject(subject.code.as_str())
                .await?
        }
    };
    let mut grade = match stored {
        Some(g) => g,
        None => evaluate(model, &state.catalogue, &records, today),
    };
    if !full {
        let public: std::collections::HashSet<&xinyong_domain::RecordId> = records
            .iter()
            .filter(|r| {
                state.catalogue.category(&r.category).is_some_and(|c| {
                    xinyong_domain::disclosure::public_visibility(r, c, today).is_ok()
                })
            })
            .map(|r| &r.id)
            .collect();
        grade.withhold(|id| public.contains(id));
    }
    Ok(Some((grade, model)))
}
