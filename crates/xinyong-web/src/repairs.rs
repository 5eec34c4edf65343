//! Credit repair over the API (issue #12, NDRC Order No. 36): the subject applies with a
//! commitment; eligibility (category, tier, minimum period) comes from the catalogue; the
//! department that made the finding grants or refuses. A granted repair takes the record out
//! of public views, open data, sharing with services and checks (its status is `repaired`)
//! and publishes the commitment; the subject still sees it in its own file. Minor-tier
//! records need no application: the department records the obligation fulfilled.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinyong_domain::catalogue::Tier;
use xinyong_domain::rights::{
    Ineligible, RepairApplication, RepairPath, RepairStatus, StepDeadline, commitment_record,
    repair_deadlines, repair_path,
};
use xinyong_domain::{FieldError, RecordStatus};
use xinyong_store::RecordChange;

use crate::AppState;
use crate::attachments::own_attachments;
use crate::auth::{DepartmentCaller, PartyCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode, JsonBody, Path};
use crate::rights::{is_party, now, own_record, text_checked, unknown_record};

/// Most pieces of evidence one application lists.
const MAX_EVIDENCE: usize = 20;

/// What a subject applies with.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepair {
    /// Id of the record to repair (from `GET /api/v1/me/records`).
    record: String,
    /// The credit commitment, published as a credit_commitment record when granted.
    commitment: String,
    /// What shows the obligation fulfilled (payment references, document numbers), at most
    /// 20 items; never public.
    #[serde(default)]
    evidence: Vec<String>,
    /// Ids of evidence files from `POST /api/v1/me/attachments`, at most 10; never public.
    #[serde(default)]
    attachments: Vec<String>,
}

/// A filed application.
#[derive(Serialize, ToSchema)]
#[schema(as = RepairFiled)]
pub struct Filed {
    id: String,
    status: RepairStatus,
    /// Intake feedback and decision deadlines, in working days of the platform's calendar.
    deadlines: Vec<StepDeadline>,
}

fn unknown_repair(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownRepair,
        format!("no repair application {id} that you may see"),
    )
}

/// Applies to repair one of the caller's records. An ineligible record gets 422
/// `repair_ineligible` naming the reason and, where waiting is all it takes, the `earliest`
/// day an application becomes possible.
#[utoipa::path(post, path = "/api/v1/repairs", tag = "rights",
    request_body = NewRepair,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The application, with its deadlines", body = Filed),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "The caller has no record with this id", body = crate::error::Problem),
        (status = 409, description = "The record already has a pending application", body = crate::error::Problem),
        (status = 422, description = "Not repairable (yet), or invalid text", body = crate::error::Problem),
    ))]
pub async fn file(
    caller: SubjectCaller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewRepair>,
) -> Result<(StatusCode, Json<Filed>), ApiError> {
    text_checked("commitment", &body.commitment)?;
    if body.evidence.len() > MAX_EVIDENCE {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "evidence",
            format!("at most {MAX_EVIDENCE} items"),
        )]));
    }
    for (i, item) in body.evidence.iter().enumerate() {
        text_checked(&format!("evidence[{i}]"), item)?;
    }
    own_attachments(&state, &caller.code, &body.attachments).await?;
    let record = own_record(&state, &caller, &body.record).await?;
    let category = state
        .catalogue
        .category(&record.category)
        .ok_or_else(|| unknown_record(&body.record))?;
    let today = state.today();
    match repair_path(&record, category, today)? {
        RepairPath::Application => {}
        RepairPath::OnFulfilment => {
            return Err(ApiError::Ineligible(Ineligible {
                reason: "minor-tier information needs no application: it is repaired as soon \
                         as the department records the obligation fulfilled"
                    .into(),
                earliest: None,
            }));
        }
    }
    let application = RepairApplication {
        id: xinyong_store::new_id(),
        record: record.id.clone(),
        subject_code: record.subject_code.clone(),
        department: record.department.clone(),
        commitment: body.commitment,
        evidence: body.evidence,
        filed_at: now(),
        deadlines: repair_deadlines(&state.catalogue, &state.calendar, today)
            .map_err(|e| ApiError::new(ErrorCode::UnknownCategory, e.to_string()))?,
        status: RepairStatus::Pending,
        decision_reason: None,
        decided_at: None,
        attachments: body.attachments,
    };
    if !state.store.file_repair(&application).await? {
        return Err(ApiError::new(
            ErrorCode::RepairPending,
            format!(
                "record {} already has a pending repair application",
                record.id
            ),
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(Filed {
            id: application.id,
            status: application.status,
            deadlines: application.deadlines,
        }),
    ))
}

/// The applications the caller deals with.
#[derive(Serialize, ToSchema)]
pub struct Repairs {
    repairs: Vec<RepairApplication>,
}

/// Applications: a subject's own (every state), a department's pending ones to decide, or
/// every pending one for an operator.
#[utoipa::path(get, path = "/api/v1/repairs", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's applications", body = Repairs),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Anonymous callers and credit services see none", body = crate::error::Problem),
    ))]
pub async fn list(
    caller: PartyCaller,
    State(state): State<AppState>,
) -> Result<Json<Repairs>, ApiError> {
    let repairs = match &caller {
        PartyCaller::Operator => state.store.pending_repairs(None).await?,
        PartyCaller::Department(d) => state.store.pending_repairs(Some(&d.code)).await?,
        PartyCaller::Subject { code } => state.store.repairs_of_subject(code).await?,
    };
    Ok(Json(Repairs { repairs }))
}

/// One application, for its subject, its deciding department or an operator.
#[utoipa::path(get, path = "/api/v1/repairs/{id}", tag = "rights",
    params(("id" = String, Path, description = "Repair application id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The application", body = RepairApplication),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Anonymous callers and credit services see none", body = crate::error::Problem),
        (status = 404, description = "No application with this id that the caller is party to", body = crate::error::Problem),
    ))]
pub async fn show(
    caller: PartyCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RepairApplication>, ApiError> {
    let repair = state
        .store
        .repair(&id)
        .await?
        .filter(|r| is_party(&caller, r.subject_code.as_str(), &r.department))
        .ok_or_else(|| unknown_repair(&id))?;
    Ok(Json(repair))
}

/// How the department decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepairOutcome {
    Granted,
    Refused,
}

/// The deciding department's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RepairDecision)]
pub struct Decision {
    outcome: RepairOutcome,
    /// Why, as the subject will read it (a refusal can be objected to).
    reason: String,
}

/// The decided application and the record as it now stands.
#[derive(Serialize, ToSchema)]
#[schema(as = RepairDecided)]
pub struct Decided {
    #[serde(flatten)]
    repair: RepairApplication,
    record_status: RecordStatus,
}

/// Grants or refuses a pending application; only the department that made the finding may.
#[utoipa::path(post, path = "/api/v1/repairs/{id}/decision", tag = "rights",
    params(("id" = String, Path, description = "Repair application id")),
    request_body = Decision,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decided application", body = Decided),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not the department that made the finding", body = crate::error::Problem),
        (status = 404, description = "No such application", body = crate::error::Problem),
        (status = 409, description = "Already decided", body = crate::error::Problem),
        (status = 422, description = "Invalid reason", body = crate::error::Problem),
    ))]
pub async fn decide(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Decision>,
) -> Result<Json<Decided>, ApiError> {
    let repair = state
        .store
        .repair(&id)
        .await?
        .ok_or_else(|| unknown_repair(&id))?;
    if repair.department != department.code {
        return Err(ApiError::new(
            ErrorCode::NotOwner,
            "only the department that made the finding decides its repair",
        ));
    }
    let decided_already = || {
        ApiError::new(
            ErrorCode::RepairDecided,
            format!("repair application {id} is already decided"),
        )
    };
    if repair.status != RepairStatus::Pending {
        return Err(decided_already());
    }
    text_checked("reason", &body.reason)?;
    let decided = RepairApplication {
        status: match body.outcome {
            RepairOutcome::Granted => RepairStatus::Granted,
            RepairOutcome::Refused => RepairStatus::Refused,
        },
        decision_reason: Some(body.reason),
        decided_at: Some(now()),
        ..repair
    };
    let commitment = if decided.status == RepairStatus::Granted {
        let record = state
            .store
            .record(decided.record.as_str())
            .await?
            .ok_or_else(|| unknown_record(decided.record.as_str()))?;
        let category_name = state
            .catalogue
            .category(&record.category)
            .map_or(record.category.clone(), |c| c.name_zh.clone());
        let raw = commitment_record(
            &decided,
            &record,
            &category_name,
            &department.name,
            state.today(),
        );
        Some(
            state
                .catalogue
                .validate(&raw, state.today())
                .map_err(ApiError::invalid_fields)?,
        )
    } else {
        None
    };
    let record = state
        .store
        .decide_repair(&decided, commitment.as_ref())
        .await?
        .ok_or_else(decided_already)?;
    state
        .lists
        .refresh(&*state.store, &[record.id.to_string()])
        .await?;
    crate::grading::after_write(&state, &[record.subject_code.as_str()]).await;
    Ok(Json(Decided {
        record_status: record.status,
        repair: decided,
    }))
}

/// Marks a minor-tier record of the calling department repaired because the obligation is
/// fulfilled: minor-tier information is repaired without an application.
#[utoipa::path(post, path = "/api/v1/records/{id}/fulfilment", tag = "rights",
    params(("id" = String, Path, description = "Id of a minor-tier record of the caller")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record is repaired", body = Fulfilled),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
        (status = 404, description = "No record with this id of the calling department", body = crate::error::Problem),
        (status = 422, description = "Not a minor-tier record in force", body = crate::error::Problem),
    ))]
pub async fn fulfilment(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Fulfilled>, ApiError> {
    let record = state
        .store
        .record(&id)
        .await?
        .filter(|r| r.department == department.code)
        .ok_or_else(|| unknown_record(&id))?;
    if record.tier != Some(Tier::Minor) || record.status != RecordStatus::Active {
        return Err(ApiError::Ineligible(Ineligible {
            reason: "only a minor-tier record in force is repaired on fulfilment; others need \
                     the subject's application"
                .into(),
            earliest: None,
        }));
    }
    let change = RecordChange {
        status: Some(RecordStatus::Repaired),
        publicity_until: None,
        status_note: Some("obligation fulfilled: minor-tier information repaired".into()),
    };
    let record = state
        .store
        .change_record(&department.code, &id, &change)
        .await?
        .ok_or_else(|| unknown_record(&id))?;
    state
        .lists
        .refresh(&*state.store, std::slice::from_ref(&id))
        .await?;
    crate::grading::after_write(&state, &[record.subject_code.as_str()]).await;
    Ok(Json(Fulfilled {
        id,
        status: record.status,
        version: record.version,
    }))
}

/// A record repaired on fulfilment.
#[derive(Serialize, ToSchema)]
pub struct Fulfilled {
    id: String,
    status: RecordStatus,
    version: u32,
}
