//! Objections over the API (issue #12): the subject files against one of its records, the
//! record's source department decides, the operator sees every open case and which are
//! overdue. While a case is open its record is `under_objection` everywhere it appears
//! (public file and pages, open data, credit checks), because the record's own status says so.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xinyong_domain::rights::{
    Objection, ObjectionGround, ObjectionOutcome, ObjectionStatus, StepDeadline, contestable,
    objection_deadlines,
};
use xinyong_domain::{FieldError, RawRecord, Record, RecordStatus};

use crate::AppState;
use crate::attachments::own_attachments;
use crate::auth::{DepartmentCaller, PartyCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode, JsonBody, Path};
use crate::rights::{is_party, now, own_record, text_checked, unknown_record};

/// What a subject files.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// Id of the contested record (from `GET /api/v1/me/records`).
    record: String,
    /// What is contested: `content`, `publicity_period` or `repair_decision`.
    what: ObjectionGround,
    /// Why, in the subject's words (at most 2,000 characters; never public).
    reason: String,
    /// Ids of evidence files from `POST /api/v1/me/attachments`, at most 10; never public.
    #[serde(default)]
    attachments: Vec<String>,
}

/// A filed case.
#[derive(Serialize, ToSchema)]
#[schema(as = ObjectionFiled)]
pub struct Filed {
    id: String,
    status: ObjectionStatus,
    /// The record's status now: `under_objection`.
    record_status: RecordStatus,
    /// Each step's last day (acceptance, platform check, source verification), in working
    /// days of the platform's calendar; `provisional` where a year's holidays are not out yet.
    deadlines: Vec<StepDeadline>,
}

fn unknown_objection(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownObjection,
        format!("no objection {id} that you may see"),
    )
}

/// Files an objection against one of the caller's records. The record is marked
/// `under_objection` at once; only its source department decides.
#[utoipa::path(post, path = "/api/v1/objections", tag = "rights",
    request_body = NewObjection,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The case, with its deadlines", body = Filed),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "The caller has no record with this id", body = crate::error::Problem),
        (status = 409, description = "The record cannot be contested now (revoked, or already under objection)", body = crate::error::Problem),
        (status = 422, description = "Invalid reason", body = crate::error::Problem),
    ))]
pub async fn file(
    caller: SubjectCaller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewObjection>,
) -> Result<(StatusCode, Json<Filed>), ApiError> {
    text_checked("reason", &body.reason)?;
    own_attachments(&state, &caller.code, &body.attachments).await?;
    let record = own_record(&state, &caller, &body.record).await?;
    contestable(&record, body.what)
        .map_err(|e| ApiError::new(ErrorCode::NotContestable, e.to_string()))?;
    let filed_at = now();
    let deadlines = objection_deadlines(&state.catalogue, &state.calendar, state.today())
        .map_err(|e| ApiError::new(ErrorCode::UnknownCategory, e.to_string()))?;
    let objection = Objection {
        id: xinyong_store::new_id(),
        record: record.id.clone(),
        subject_code: record.subject_code.clone(),
        department: record.department.clone(),
        ground: body.what,
        reason: body.reason,
        filed_at,
        deadlines,
        status: ObjectionStatus::Open,
        outcome: None,
        decision_reason: None,
        decided_at: None,
        attachments: body.attachments,
        escalated_at: None,
    };
    let marked = state
        .store
        .file_objection(&objection, record.status, record.version)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotContestable,
                format!(
                    "record {} already has an open objection, or changed meanwhile",
                    record.id
                ),
            )
        })?;
    state
        .lists
        .refresh(&*state.store, &[record.id.to_string()])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            id: objection.id,
            status: objection.status,
            record_status: marked.status,
            deadlines: objection.deadlines,
        }),
    ))
}

/// A case as its parties see it.
#[derive(Serialize, ToSchema)]
pub struct Case {
    #[serde(flatten)]
    objection: Objection,
    /// The last deadline has passed and the case is still open.
    overdue: bool,
}

fn case(state: &AppState, objection: Objection) -> Case {
    Case {
        overdue: objection.overdue(state.today()),
        objection,
    }
}

/// Whether `caller` is a party to `objection`: the subject, the deciding department, or an
/// operator.
fn may_see(caller: &PartyCaller, objection: &Objection) -> bool {
    is_party(
        caller,
        objection.subject_code.as_str(),
        &objection.department,
    )
}

/// One case, for its subject, its deciding department or an operator.
#[utoipa::path(get, path = "/api/v1/objections/{id}", tag = "rights",
    params(("id" = String, Path, description = "Objection id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case", body = Case),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Anonymous callers and credit services see no cases", body = crate::error::Problem),
        (status = 404, description = "No case with this id that the caller is party to", body = crate::error::Problem),
    ))]
pub async fn show(
    caller: PartyCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Case>, ApiError> {
    let objection = state
        .store
        .objection(&id)
        .await?
        .filter(|o| may_see(&caller, o))
        .ok_or_else(|| unknown_objection(&id))?;
    Ok(Json(case(&state, objection)))
}

/// The cases the caller deals with.
#[derive(Serialize, ToSchema)]
pub struct Cases {
    /// Overdue cases first, then by filing time.
    objections: Vec<Case>,
}

/// Cases: a subject's own (every state), a department's open ones to decide, or every open
/// case for an operator, overdue ones first so that they are escalated.
#[utoipa::path(get, path = "/api/v1/objections", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's cases", body = Cases),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Anonymous callers and credit services see no cases", body = crate::error::Problem),
    ))]
pub async fn list(
    caller: PartyCaller,
    State(state): State<AppState>,
) -> Result<Json<Cases>, ApiError> {
    let found = match &caller {
        PartyCaller::Operator => state.store.open_objections(None).await?,
        PartyCaller::Department(department) => {
            state.store.open_objections(Some(&department.code)).await?
        }
        PartyCaller::Subject { code } => state.store.objections_of_subject(code).await?,
    };
    let mut objections: Vec<Case> = found.into_iter().map(|o| case(&state, o)).collect();
    // Stable: keeps the store's order within each group.
    objections.sort_by_key(|c| !c.overdue);
    Ok(Json(Cases { objections }))
}

/// The source department's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ObjectionDecision)]
pub struct Decision {
    /// `upheld` (the record stands), `corrected` (give `record`), or `removed` (revoked).
    outcome: ObjectionOutcome,
    /// Why, as the subject will read it.
    reason: String,
    /// For `corrected` only: the corrected record, same category, document number and
    /// subject, in the shape `POST /api/v1/records` takes.
    #[schema(value_type = Option<Object>)]
    record: Option<Value>,
}

/// The decided case and the record as it now stands.
#[derive(Serialize, ToSchema)]
#[schema(as = ObjectionDecided)]
pub struct Decided {
    #[serde(flatten)]
    objection: Objection,
    record_status: RecordStatus,
    record_version: u32,
}

/// Validates a corrected record: a record of the catalogue, with the contested record's
/// identity and subject.
fn corrected(
    state: &AppState,
    contested: &Record,
    value: &Value,
) -> Result<xinyong_domain::ValidRecord, ApiError> {
    let raw = RawRecord::from_json(value).map_err(ApiError::invalid_fields)?;
    let valid = state
        .catalogue
        .validate(&raw, state.today())
        .map_err(ApiError::invalid_fields)?;
    let mut errors = Vec::new();
    if valid.category != contested.category {
        errors.push(FieldError::new(
            "record.category",
            format!("must stay {}", contested.category),
        ));
    }
    if valid.document_no != contested.document_no {
        errors.push(FieldError::new(
            "record.document_no",
            "must stay the contested record's document number",
        ));
    }
    if valid.subject.code != contested.subject_code {
        errors.push(FieldError::new(
            "record.subject.code",
            "must stay the contested record's subject",
        ));
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(ApiError::invalid_fields(errors))
    }
}

/// Decides an open case; only the record's source department may.
#[utoipa::path(post, path = "/api/v1/objections/{id}/decision", tag = "rights",
    params(("id" = String, Path, description = "Objection id")),
    request_body = Decision,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decided case", body = Decided),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not the record's source department", body = crate::error::Problem),
        (status = 404, description = "No such case", body = crate::error::Problem),
        (status = 409, description = "Already decided", body = crate::error::Problem),
        (status = 422, description = "Invalid reason or corrected record", body = crate::error::Problem),
    ))]
pub async fn decide(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Decision>,
) -> Result<Json<Decided>, ApiError> {
    let objection = state
        .store
        .objection(&id)
        .await?
        .ok_or_else(|| unknown_objection(&id))?;
    if objection.department != department.code {
        return Err(ApiError::new(
            ErrorCode::NotOwner,
            "only the record's source department decides its objections",
        ));
    }
    if objection.status != ObjectionStatus::Open {
        return Err(ApiError::new(
            ErrorCode::ObjectionDecided,
            format!("objection {id} is already decided"),
        ));
    }
    text_checked("reason", &body.reason)?;
    let contested = state
        .store
        .record(objection.record.as_str())
        .await?
        .ok_or_else(|| unknown_record(objection.record.as_str()))?;
    let fixed = match (body.outcome, &body.record) {
        (ObjectionOutcome::Corrected, Some(value)) => {
            let fixed = corrected(&state, &contested, value)?;
            // A professional record stays attached to a role its subject holds (and a civil
            // servant's file with the organisation that may read it).
            crate::roles::check_attachments(&state, std::slice::from_ref(&fixed)).await?;
            Some(fixed)
        }
        (ObjectionOutcome::Corrected, None) => {
            return Err(ApiError::invalid_fields(vec![FieldError::new(
                "record",
                "a corrected outcome carries the corrected record",
            )]));
        }
        (_, Some(_)) => {
            return Err(ApiError::invalid_fields(vec![FieldError::new(
                "record",
                "only a corrected outcome carries a record",
            )]));
        }
        (_, None) => None,
    };
    let decided = Objection {
        status: ObjectionStatus::Decided,
        outcome: Some(body.outcome),
        decision_reason: Some(body.reason),
        decided_at: Some(now()),
        ..objection
    };
    let record = state
        .store
        .decide_objection(&decided, fixed.as_ref())
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ObjectionDecided,
                format!("objection {id} is already decided"),
            )
        })?;
    state
        .lists
        .refresh(&*state.store, &[record.id.to_string()])
        .await?;
    crate::grading::after_write(&state, &[record.subject_code.as_str()]).await;
    Ok(Json(Decided {
        record_status: record.status,
        record_version: record.version,
        objection: decided,
    }))
}

/// Escalates every case open past its last deadline that is not escalated yet: stamps it,
/// writes its `objection.escalated` entry (which the subject is told of, in its feed and by
/// its webhook) and warns in the operator's log. Returns how many were escalated.
pub async fn escalate_overdue(state: &AppState) -> Result<usize, ApiError> {
    let today = state.today();
    let mut escalated = 0;
    for objection in state.store.open_objections(None).await? {
        if !objection.to_escalate(today) {
            continue;
        }
        let id = objection.id.clone();
        let department = objection.department.clone();
        let due = objection.due_on();
        let stamped = Objection {
            escalated_at: Some(now()),
            ..objection
        };
        if state.store.escalate_objection(&stamped).await? {
            escalated += 1;
            tracing::warn!(
                target: "xinyong::rights",
                objection = %id,
                department = %department,
                due = ?due,
                "objection escalated: still open past its last deadline"
            );
        }
    }
    Ok(escalated)
}

/// Runs [`escalate_overdue`] every `every`, for the life of the server.
pub async fn escalate_forever(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = escalate_overdue(&state).await {
            tracing::warn!("escalating overdue objections: {e:?}");
        }
    }
}
