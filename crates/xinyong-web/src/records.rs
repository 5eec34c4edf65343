//! Submission of records by departments.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xinyong_domain::RawRecord;
use xinyong_domain::catalogue::CoreAttribute;

use crate::AppState;
use crate::auth::DepartmentCaller;
use crate::error::{ApiError, JsonBody, RecordError};

/// Most records accepted in one request; larger uploads go through `xinyong import`.
pub const MAX_BATCH: usize = 10_000;

/// A batch of records, stored all or nothing.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Each record: `{"category", "subject": {"code", "name", "kind"}, "document_no",
    /// "decided_on": "YYYY-MM-DD", "legal_basis", "tier" (when the category has tiers),
    /// "publicity_until" (optional), "fields": {...}}`.
    #[schema(value_type = Vec<Object>)]
    records: Vec<Value>,
}

/// Identities of the stored records, in the order submitted.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    ids: Vec<String>,
    /// Per record: `created`, `new_version` or `unchanged`.
    outcomes: Vec<&'static str>,
    versions: Vec<u32>,
}

/// Submits a batch of records. Every record is checked against the catalogue; if any is
/// invalid, nothing is stored and every problem is reported with its index and field.
#[utoipa::path(post, path = "/api/v1/records", tag = "records",
    request_body = Batch,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Every record stored (or unchanged)", body = Accepted),
        (status = 400, description = "The body is not a batch", body = crate::error::Problem),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "A category the department may not submit", body = crate::error::Problem),
        (status = 422, description = "Invalid records; nothing stored", body = crate::error::Problem),
    ))]
pub async fn submit(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    JsonBody(batch): JsonBody<Batch>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    if batch.records.is_empty() {
        return Err(ApiError::BadRequest("records is empty".into()));
    }
    if batch.records.len() > MAX_BATCH {
        return Err(ApiError::PayloadTooLarge(format!(
            "at most {MAX_BATCH} records per request; use `xinyong import` for files"
        )));
    }
    let mut errors = Vec::new();
    let mut raws = Vec::with_capacity(batch.records.len());
    for (index, value) in batch.records.iter().enumerate() {
        match RawRecord::from_json(value) {
            Ok(raw) => raws.push((index, raw)),
            Err(es) => errors.extend(es.into_iter().map(|e| RecordError {
                index,
                field: e.field,
                message: e.message,
            })),
        }
    }
    // Authorisation before content: a department learns nothing about categories it may not use.
    let forbidden: Vec<String> = raws
        .iter()
        .filter_map(|(index, raw)| {
            let category = raw
                .core
                .get(&CoreAttribute::Category)
                .map(|(_, v)| v.trim())?;
            (state.catalogue.category(category).is_some() && !department.may_submit(category))
                .then(|| format!("record {index}: {category}"))
        })
        .collect();
    if !forbidden.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "department {} may not submit these categories: {}",
            department.code,
            forbidden.join(", ")
        )));
    }
    let today = state.today();
    let mut valid = Vec::with_capacity(raws.len());
    for (index, raw) in &raws {
        match state.catalogue.validate(raw, today) {
            Ok(v) => valid.push(v),
            Err(es) => errors.extend(es.into_iter().map(|e| RecordError {
                index: *index,
                field: e.field,
                message: e.message,
            })),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let stored = state.store.submit(&department.code, &valid).await?;
    // Records of list categories are list entries: the check must see them at once.
    let listed: Vec<String> = stored
        .iter()
        .zip(&valid)
        .filter(|(_, v)| state.lists.is_list_category(&v.category))
        .map(|(s, _)| s.id.clone())
        .collect();
    if !listed.is_empty() {
        state.lists.refresh(&*state.store, &listed).await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            ids: stored.iter().map(|s| s.id.clone()).collect(),
            outcomes: stored
                .iter()
                .map(|s| match s.outcome {
                    xinyong_store::Outcome::Created => "created",
                    xinyong_store::Outcome::NewVersion => "new_version",
                    xinyong_store::Outcome::Unchanged => "unchanged",
                })
                .collect(),
            versions: stored.iter().map(|s| s.version).collect(),
        }),
    ))
}
