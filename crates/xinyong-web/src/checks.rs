//! The credit check at decision time, its record, and the department's feedback
//! (initiate → respond → feedback).

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xinyong_domain::check::credit_check;
use xinyong_domain::code::SubjectCode;
use xinyong_domain::measure::DecisionContext;
use xinyong_store::{CheckRow, FeedbackRow};

use crate::AppState;
use crate::auth::DepartmentCaller;
use crate::error::{ApiError, ErrorCode, JsonBody, Path, RecordError};

/// Most subjects screened in one batch request.
pub const MAX_BATCH: usize = 1000;

/// One subject (`subject`) or a batch (`subjects`, e.g. every bidder of a tender), in one
/// decision context.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subject": "91110000600037341L", "context": "government_procurement"}))]
pub struct CheckRequest {
    subject: Option<String>,
    subjects: Option<Vec<String>>,
    /// One of: government_procurement, bidding, administrative_licensing, subsidy, financing,
    /// public_office, high_consumption, market_access, inspection_frequency.
    context: String,
}

/// The outcome of a check: current list entries and the measures that apply, each with its
/// legal basis and the entry that triggers it.
#[derive(Serialize, ToSchema)]
pub struct CheckResponse {
    check_id: String,
    subject: String,
    #[schema(value_type = Vec<Object>)]
    lists: Value,
    #[schema(value_type = Vec<Object>)]
    measures: Value,
    /// The subject's stored credit grade (grade, score, model and the day it was given), when
    /// a model grades it; its explanation is at `GET /api/v1/subjects/{code}/grade`.
    grade: Option<xinyong_domain::grading::GradeSummary>,
    #[schema(value_type = String, format = Date)]
    as_of: chrono::NaiveDate,
    context: String,
}

#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum CheckReply {
    One(Box<CheckResponse>),
    Batch { checks: Vec<CheckResponse> },
}

/// Checks subjects before a decision. Every check is recorded (who, whom, context, result).
#[utoipa::path(post, path = "/api/v1/checks", tag = "checks",
    request_body = CheckRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The outcome, or `{\"checks\": [...]}` for a batch", body = CheckReply),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 422, description = "Bad context or subject code", body = crate::error::Problem),
    ))]
pub async fn check(
    caller: DepartmentCaller,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<CheckRequest>,
) -> Result<Json<CheckReply>, ApiError> {
    let invalid = |index: usize, field: &str, message: String| RecordError {
        index,
        field: field.to_owned(),
        message,
    };
    let context = DecisionContext::parse(req.context.trim())
        .map_err(|e| ApiError::InvalidFields(vec![invalid(0, "context", e.to_string())]))?;
    let (codes, batch) = match (req.subject, req.subjects) {
        (Some(s), None) => (vec![s], false),
        (None, Some(list)) if !list.is_empty() && list.len() <= MAX_BATCH => (list, true),
        (None, Some(list)) => {
            return Err(ApiError::new(
                ErrorCode::CheckSubjects,
                format!(
                    "subjects must hold 1 to {MAX_BATCH} codes, found {}",
                    list.len()
                ),
            ));
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::CheckSubjects,
                "give either subject or subjects",
            ));
        }
    };
    let mut parsed = Vec::with_capacity(codes.len());
    let mut errors = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        match SubjectCode::parse(c) {
            Ok(code) => parsed.push(code.as_str().to_owned()),
            Err(e) => errors.push(invalid(
                i,
                if batch { "subjects" } else { "subject" },
                e.to_string(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    let today = state.today();
    let now = chrono::Utc::now();
    let mut rows = Vec::with_capacity(parsed.len());
    let mut replies = Vec::with_capacity(parsed.len());
    for code in &parsed {
        let entries = state.lists.entries_for(code);
        let outcome = credit_check(
            code,
            context,
            entries.iter().map(|e| e.as_ref()),
            &state.list_types,
            &state.memoranda,
            &state.catalogue,
            today,
        );
        let lists = serde_json::to_value(&outcome.lists).unwrap_or(Value::Null);
        let measures = serde_json::to_value(&outcome.measures).unwrap_or(Value::Null);
        let id = xinyong_store::new_id();
        rows.push(CheckRow {
            id: id.clone(),
            department: caller.0.code.clone(),
            subject_code: code.clone(),
            context: context.as_str().to_owned(),
            result: check_result(&lists, &measures, today),
            created_at: now,
        });
        replies.push(CheckResponse {
            check_id: id,
            subject: code.clone(),
            lists,
            measures,
            grade: state.grades.get(code),
            as_of: today,
            context: context.as_str().to_owned(),
        });
    }
    // Recorded before it is answered: a check the subject cannot later see did not happen.
    state.checks.record(rows).await?;
    state.metrics.checks.inc_by(replies.len() as u64);
    Ok(Json(if batch {
        CheckReply::Batch { checks: replies }
    } else {
        match replies.pop() {
            Some(one) => CheckReply::One(Box::new(one)),
            None => return Err(ApiError::new(ErrorCode::CheckSubjects, "no subject")),
        }
    }))
}

/// What a check's record keeps of its outcome: `{"lists", "measures", "as_of"}`. Built from
/// copies of the values (`json!` would serialize them into new values, a slower copy).
fn check_result(lists: &Value, measures: &Value, today: chrono::NaiveDate) -> Value {
    let mut result = serde_json::Map::new();
    result.insert("lists".to_owned(), lists.clone());
    result.insert("measures".to_owned(), measures.clone());
    result.insert("as_of".to_owned(), serde_json::json!(today));
    Value::Object(result)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotApplied {
    measure: String,
    reason: String,
}

/// Which of the returned measures the department applied, and why it did not apply others.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    #[serde(default)]
    applied: Vec<String>,
    #[serde(default)]
    not_applied: Vec<NotApplied>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackAccepted {
    check_id: String,
    applied: usize,
    not_applied: usize,
}

/// Reports back what was applied. Only measures the check returned may be named; feedback is
/// given once, by the department that made the check.
#[utoipa::path(post, path = "/api/v1/checks/{id}/feedback", tag = "checks",
    params(("id" = String, Path, description = "check_id from the check")),
    request_body = Feedback,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Feedback recorded", body = FeedbackAccepted),
        (status = 403, description = "Another department's check", body = crate::error::Problem),
        (status = 404, description = "No such check", body = crate::error::Problem),
        (status = 409, description = "Feedback already given", body = crate::error::Problem),
        (status = 422, description = "A measure the check did not return, or named twice", body = crate::error::Problem),
    ))]
pub async fn feedback(
    caller: DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Feedback>,
) -> Result<(axum::http::StatusCode, Json<FeedbackAccepted>), ApiError> {
    let check = state
        .store
        .check(&id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownCheck, format!("no check {id}")))?;
    if check.department != caller.0.code {
        return Err(ApiError::new(
            ErrorCode::NotOwner,
            "feedback comes from the department that made the check",
        ));
    }
    let returned: BTreeSet<&str> = check.result["measures"]
        .as_array()
        .map(|ms| ms.iter().filter_map(|m| m["id"].as_str()).collect())
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut errors = Vec::new();
    let named = body
        .applied
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("applied[{i}]"), m.as_str()))
        .chain(
            body.not_applied
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("not_applied[{i}].measure"), n.measure.as_str())),
        );
    for (field, m) in named {
        if !returned.contains(m) {
            errors.push(RecordError {
                index: 0,
                field,
                message: format!("measure {m:?} was not returned by check {id}"),
            });
        } else if !seen.insert(m) {
            errors.push(RecordError {
                index: 0,
                field,
                message: format!("measure {m:?} is named twice"),
            });
        }
    }
    for (i, n) in body.not_applied.iter().enumerate() {
        if n.reason.trim().is_empty() {
            errors.push(RecordError {
                index: 0,
                field: format!("not_applied[{i}].reason"),
                message: "is required".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    let row = FeedbackRow {
        check_id: id.clone(),
        department: caller.0.code.clone(),
        applied: serde_json::json!(body.applied),
        not_applied: serde_json::json!(
            body.not_applied
                .iter()
                .map(|n| serde_json::json!({"measure": n.measure, "reason": n.reason.trim()}))
                .collect::<Vec<_>>()
        ),
        created_at: chrono::Utc::now(),
    };
    if !state.store.put_feedback(&row).await? {
        return Err(ApiError::new(
            ErrorCode::FeedbackGiven,
            format!("check {id} already has feedback"),
        ));
    }
    Ok((
        axum::http::StatusCode::CREATED,
        Json(FeedbackAccepted {
            check_id: id,
            applied: body.applied.len(),
            not_applied: body.not_applied.len(),
        }),
    ))
}

/// Checks and feedback per department, and measures returned and applied per memorandum.
#[derive(Serialize, ToSchema, Default)]
pub struct CheckStats {
    #[schema(value_type = Object)]
    departments: BTreeMap<String, DepartmentStats>,
    #[schema(value_type = Object)]
    memoranda: BTreeMap<String, MemorandumStats>,
}

#[derive(Serialize, ToSchema, Default)]
pub struct DepartmentStats {
    checks: u64,
    with_feedback: u64,
    /// Share of checks that got feedback.
    feedback_rate: f64,
}

#[derive(Serialize, ToSchema, Default)]
pub struct MemorandumStats {
    /// Measures of this memorandum returned by checks.
    returned: u64,
    applied: u64,
    not_applied: u64,
}

/// Statistics of checks and feedback.
#[utoipa::path(get, path = "/api/v1/checks/stats", tag = "checks",
    security(("bearer" = [])),
    responses((status = 200, description = "Statistics", body = CheckStats)))]
pub async fn stats(
    _: DepartmentCaller,
    State(state): State<AppState>,
) -> Result<Json<CheckStats>, ApiError> {
    let mut out = CheckStats::default();
    let memorandum_of = |measure: &str| state.memoranda.measure(measure).map(|(m, _)| m.id.clone());
    for (check, feedback) in state.store.check_summaries().await? {
        let d = out.departments.entry(check.department.clone()).or_default();
        d.checks += 1;
        if feedback.is_some() {
            d.with_feedback += 1;
        }
        for m in check.result["measures"].as_array().into_iter().flatten() {
            if let Some(memo) = m["memorandum"].as_str() {
                out.memoranda.entry(memo.to_owned()).or_default().returned += 1;
            }
        }
        if let Some(f) = feedback {
            for m in f
                .applied
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if let Some(memo) = memorandum_of(m) {
                    out.memoranda.entry(memo).or_default().applied += 1;
                }
            }
            for m in f
                .not_applied
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n["measure"].as_str())
            {
                if let Some(memo) = memorandum_of(m) {
                    out.memoranda.entry(memo).or_default().not_applied += 1;
                }
            }
        }
    }
    for d in out.departments.values_mut() {
        d.feedback_rate = if d.checks == 0 {
            0.0
        } else {
            d.with_feedback as f64 / d.checks as f64
        };
    }
    Ok(Json(out))
}
