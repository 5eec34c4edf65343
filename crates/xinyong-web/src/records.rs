//! Submission of records by departments.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xinyong_domain::catalogue::CoreAttribute;
use xinyong_domain::{Department, RawRecord, ValidRecord};

use crate::AppState;
use crate::auth::DepartmentCaller;
use crate::error::{ApiError, ErrorCode, JsonBody, Path, RecordError};

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
        return Err(ApiError::new(ErrorCode::EmptyBatch, "records is empty"));
    }
    if batch.records.len() > MAX_BATCH {
        return Err(ApiError::new(
            ErrorCode::BatchTooLarge,
            format!("at most {MAX_BATCH} records per request; use `xinyong import` for files"),
        ));
    }
    let mut errors = Vec::new();
    let mut raws = Vec::with_capacity(batch.records.len());
    for (index, value) in batch.records.iter().enumerate() {
        match RawRecord::from_json(value) {
            Ok(raw) => raws.push((index, raw)),
            Err(es) => errors.extend(es.into_iter().map(|e| RecordError::at(index, e))),
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
        return Err(ApiError::new(
            ErrorCode::CategoryNotAllowed,
            format!(
                "department {} may not submit these categories: {}",
                department.code,
                forbidden.join(", ")
            ),
        ));
    }
    let today = state.today();
    let mut valid = Vec::with_capacity(raws.len());
    for (index, raw) in &raws {
        match state.catalogue.validate(raw, today) {
            Ok(v) => valid.push(v),
            Err(es) => errors.extend(es.into_iter().map(|e| RecordError::at(*index, e))),
        }
    }
    if !errors.is_empty() {
        // The department's rejection rate counts the rows it got wrong.
        let mut bad: Vec<usize> = errors.iter().map(|e| e.index).collect();
        bad.sort_unstable();
        bad.dedup();
        count_rejected(&state, &department, bad.len() as u64).await?;
        return Err(ApiError::InvalidRecords(errors));
    }
    let stored = store_valid(&state, &department, &valid).await?;
    Ok((StatusCode::CREATED, Json(accepted(&stored))))
}

/// Counts `rows` rejected rows against the department's rejection rate (a rejected batch
/// stores nothing, so the counter is its only trace).
pub(crate) async fn count_rejected(
    state: &AppState,
    department: &Department,
    rows: u64,
) -> Result<(), ApiError> {
    let today = state.today();
    state
        .store
        .count_submission(&department.code, today, 0, rows)
        .await?;
    state.statistics.changed();
    Ok(())
}

/// Stores validated records of `department` in one transaction, and does what follows every
/// submission, whichever door it came through (API, console): the submission counters, the
/// list index (records of list categories are list entries the check must see at once) and
/// the subjects' grades.
pub(crate) async fn store_valid(
    state: &AppState,
    department: &Department,
    valid: &[ValidRecord],
) -> Result<Vec<xinyong_store::Submitted>, ApiError> {
    let today = state.today();
    if let Err(e) = crate::roles::check_attachments(state, valid).await {
        if let ApiError::InvalidRecords(errors) = &e {
            let mut bad: Vec<usize> = errors.iter().map(|e| e.index).collect();
            bad.dedup();
            count_rejected(state, department, bad.len() as u64).await?;
        }
        return Err(e);
    }
    let stored = state.store.submit(&department.code, valid).await?;
    state
        .store
        .count_submission(&department.code, today, valid.len() as u64, 0)
        .await?;
    state.statistics.changed();
    state.metrics.records_submitted.inc_by(valid.len() as u64);
    let listed: Vec<String> = stored
        .iter()
        .zip(valid)
        .filter(|(_, v)| state.lists.is_list_category(&v.category))
        .map(|(s, _)| s.id.clone())
        .collect();
    if !listed.is_empty() {
        state.lists.refresh(&*state.store, &listed).await?;
    }
    let codes: Vec<&str> = valid.iter().map(|v| v.subject.code.as_str()).collect();
    crate::grading::after_write(state, &codes).await;
    Ok(stored)
}

/// A department's finding that a credit commitment was broken.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Breach {
    /// Number of the decision that finds the breach.
    document_no: String,
    /// Date of that decision, `YYYY-MM-DD`.
    decided_on: String,
    /// `general` or `serious`.
    tier: String,
    /// What was promised and not kept.
    breach: String,
    /// Defaults to the basis of the `commitment_breach` category.
    legal_basis: Option<String>,
}

/// Declares a credit commitment broken. Creates a negative `commitment_breach` record about
/// the same subject, linked to the commitment record; the commitment itself stays as it was.
#[utoipa::path(post, path = "/api/v1/records/{id}/breach", tag = "records",
    params(("id" = String, Path, description = "Id of a credit_commitment record")),
    request_body = Breach,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The breach record", body = Accepted),
        (status = 403, description = "Not the department that accepted the commitment", body = crate::error::Problem),
        (status = 404, description = "No such commitment", body = crate::error::Problem),
        (status = 422, description = "Invalid breach; nothing stored", body = crate::error::Problem),
    ))]
pub async fn breach(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Breach>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    const BREACH: &str = "commitment_breach";
    let commitment = state
        .store
        .record(&id)
        .await?
        .filter(|r| r.category == "credit_commitment")
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownCommitment,
                format!("no credit commitment {id}"),
            )
        })?;
    if commitment.department != department.code {
        return Err(ApiError::new(
            ErrorCode::NotOwner,
            "only the department that accepted the commitment may declare it broken",
        ));
    }
    if !department.may_submit(BREACH) {
        return Err(ApiError::new(
            ErrorCode::CategoryNotAllowed,
            format!(
                "department {} may not submit category {BREACH}",
                department.code
            ),
        ));
    }
    let category = state.catalogue.category(BREACH).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownCategory,
            format!("the catalogue has no category {BREACH}"),
        )
    })?;
    let mut raw = RawRecord::default();
    raw.set(CoreAttribute::Category, "category", BREACH);
    raw.set(
        CoreAttribute::SubjectCode,
        "subject.code",
        commitment.subject_code.to_string(),
    );
    raw.set(
        CoreAttribute::SubjectName,
        "subject.name",
        commitment.subject_name.clone(),
    );
    raw.set(
        CoreAttribute::SubjectKind,
        "subject.kind",
        commitment.subject_kind.as_str(),
    );
    raw.set(CoreAttribute::DocumentNo, "document_no", body.document_no);
    raw.set(CoreAttribute::DecidedOn, "decided_on", body.decided_on);
    raw.set(CoreAttribute::Tier, "tier", body.tier);
    raw.set(
        CoreAttribute::LegalBasis,
        "legal_basis",
        body.legal_basis
            .unwrap_or_else(|| category.legal_basis.clone()),
    );
    raw.fields.insert(
        "commitment_record".into(),
        Value::String(commitment.id.to_string()),
    );
    raw.fields.insert(
        "commitment_document_no".into(),
        Value::String(commitment.document_no.clone()),
    );
    raw.fields
        .insert("breach".into(), Value::String(body.breach));
    if let Some(matter) = commitment.fields.get("matter") {
        raw.fields.insert("matter".into(), matter.clone());
    }
    let valid = state
        .catalogue
        .validate(&raw, state.today())
        .map_err(ApiError::invalid_record)?;
    let stored = state.store.submit(&department.code, &[valid]).await?;
    crate::grading::after_write(&state, &[commitment.subject_code.as_str()]).await;
    Ok((StatusCode::CREATED, Json(accepted(&stored))))
}

fn accepted(stored: &[xinyong_store::Submitted]) -> Accepted {
    Accepted {
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
    }
}
