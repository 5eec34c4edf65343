//! Public disclosure of subjects and their records.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_domain::SubjectKind;
use xinyong_domain::code::SubjectCode;
use xinyong_domain::disclosure::{
    PublicRecord, public_record, public_subject_code, public_visibility,
};

use crate::AppState;
use crate::auth::PublicCaller;
use crate::error::ApiError;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 1000;

/// A subject as the public sees it: natural persons' identity numbers are masked.
#[derive(Serialize, ToSchema)]
pub struct SubjectSummary {
    code: String,
    name: String,
    kind: SubjectKind,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectPage {
    subjects: Vec<SubjectSummary>,
    /// Pass as `after` for the next page; `null` on the last page.
    next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1-1000 (default 50).
    limit: Option<String>,
    /// Cursor from the previous page's `next`.
    after: Option<String>,
}

/// Lists subjects in a stable order, page by page.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "disclosure",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of subjects", body = SubjectPage),
        (status = 400, description = "Bad limit or cursor", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn list(
    _: PublicCaller,
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<SubjectPage>, ApiError> {
    let limit = match q.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "limit must be an integer from 1 to {MAX_PAGE}, found {s:?}"
                ))
            })?,
    };
    if let Some(after) = &q.after {
        // Cursors are ULIDs: 26 Crockford base-32 characters.
        if after.len() != 26 || !after.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ApiError::BadRequest(format!(
                "after {after:?} is not a cursor from a previous page"
            )));
        }
    }
    let page = state.store.subjects_page(q.after.as_deref(), limit).await?;
    let next = (page.len() == limit as usize)
        .then(|| page.last().map(|s| s.id.clone()))
        .flatten();
    Ok(Json(SubjectPage {
        subjects: page
            .into_iter()
            .map(|s| SubjectSummary {
                code: public_subject_code(s.kind, &s.code),
                name: s.name,
                kind: s.kind,
            })
            .collect(),
        next,
    }))
}

/// A subject's public file.
#[derive(Serialize, ToSchema)]
pub struct PublicFile {
    code: String,
    name: String,
    kind: SubjectKind,
    /// The date the publicity periods were evaluated against.
    as_of: NaiveDate,
    /// Only what the public may see today: public-class categories, within their publicity
    /// period, not minor-tier negative information, not repaired or revoked.
    records: Vec<PublicRecord>,
}

/// The public part of a subject's credit file, computed at read time.
#[utoipa::path(get, path = "/api/v1/subjects/{code}", tag = "disclosure",
    params(("code" = String, Path, description = "Unified Social Credit Code or citizen identity number")),
    responses(
        (status = 200, description = "The subject's public file", body = PublicFile),
        (status = 400, description = "Not a valid code; the message names the position", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 404, description = "No such subject", body = crate::error::Problem),
    ))]
pub async fn show(
    _: PublicCaller,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PublicFile>, ApiError> {
    let code = SubjectCode::parse(&code)
        .map_err(|e| ApiError::BadRequest(format!("invalid code: {e}")))?;
    let subject = state
        .store
        .subject(code.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound("no subject with this code".into()))?;
    let today = state.today();
    let records = state
        .store
        .records_of_subject(&subject.code)
        .await?
        .iter()
        .filter_map(|r| {
            let category = state.catalogue.category(&r.category)?;
            public_visibility(r, category, today).ok()?;
            Some(public_record(r, category))
        })
        .collect();
    Ok(Json(PublicFile {
        code: public_subject_code(subject.kind, &subject.code),
        name: subject.name,
        kind: subject.kind,
        as_of: today,
        records,
    }))
}
