//! Access to non-public information: the purposes list, special applications, and
//! [`note_access`], the one place every non-public read passes through before it is answered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use xinyong_domain::Disclosure;
use xinyong_domain::access::{
    ApplicationStatus, Grant, MAX_APPLICATION_DAYS, MAX_TEXT, Purposes, ReaderKind,
    SpecialApplication,
};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::disclosure::mask_identity_numbers;
use xinyong_store::ApplicationDecision;
use xinyong_store::ledger::{Event, LedgerEvent};

use crate::AppState;
use crate::auth::{CaseworkCaller, DepartmentCaller, OperatorCaller, PublicCaller};
use crate::error::{ApiError, ErrorCode, JsonBody, Path, RecordError};

/// One read of a subject's non-public information.
pub struct AccessNote<'a> {
    /// Role of the reader (`department`, `service`, `subject`).
    pub role: &'static str,
    /// Who read: a department code, or the reader's token id.
    pub reader: &'a str,
    pub subject_code: &'a str,
    /// The most closed class the reader was cleared for.
    pub clearance: Disclosure,
    pub purpose: Option<&'a str>,
    pub grant: Option<&'a Grant>,
    /// How many non-public records were returned.
    pub records: usize,
}

/// Records a non-public read before it is answered. Every handler that returns non-public
/// information calls this, and only this, so that the audit ledger is wired in one place.
pub async fn note_access(state: &AppState, note: AccessNote<'_>) -> Result<(), ApiError> {
    let basis = match note.grant {
        // The statute's canonical citation ([`crate::auth::FileReader::clearance`] made it so).
        Some(Grant::LegalBasis(citation)) => citation.as_str(),
        _ => "-",
    };
    let grant = match note.grant {
        None => "none",
        Some(Grant::LegalBasis(_)) => "legal_basis",
        Some(Grant::SpecialApplication(_)) => "special_application",
        Some(Grant::SubjectGrant(_)) => "subject_grant",
    };
    // The read is in the audit log before it is answered: a read that cannot be logged is not
    // answered. The store pseudonymises natural persons; the payload binds what was read.
    let payload = serde_json::json!([
        note.role,
        note.reader,
        note.subject_code,
        note.clearance.as_str(),
        note.purpose,
        grant,
        match note.grant {
            Some(Grant::LegalBasis(b)) => Some(b.as_str()),
            Some(Grant::SpecialApplication(a)) | Some(Grant::SubjectGrant(a)) => Some(a.as_str()),
            None => None,
        },
        note.records,
    ]);
    state
        .store
        .append_events(&[LedgerEvent::new(
            Event::Read {
                clearance: note.clearance,
                subject: note.subject_code,
                payload: &payload,
            },
            note.reader,
        )])
        .await?;
    tracing::info!(
        target: "xinyong::access",
        role = note.role,
        reader = note.reader,
        // Never a whole identity number in the log.
        subject = %mask_identity_numbers(note.subject_code),
        clearance = ?note.clearance,
        purpose = note.purpose.unwrap_or("-"),
        grant,
        legal_basis = basis,
        records = note.records,
        "non-public read"
    );
    Ok(())
}

/// The purposes for which non-public information may be read.
#[utoipa::path(get, path = "/api/v1/purposes", tag = "access",
    responses(
        (status = 200, description = "The enumerated purposes", body = Purposes),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn purposes(_: PublicCaller, State(state): State<AppState>) -> Json<Purposes> {
    Json(state.purposes.as_ref().clone())
}

/// A department's request to read one subject's restricted information once.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// The subject's Unified Social Credit Code or citizen identity number.
    subject: String,
    /// A purpose id a department may state.
    purpose: String,
    /// Why the usual grounds do not suffice.
    reason: String,
    /// The statute the department relies on.
    legal_basis: String,
}

fn text_error(field: &str, value: &str) -> Option<RecordError> {
    let n = value.trim().chars().count();
    (n == 0 || n > MAX_TEXT).then(|| RecordError {
        index: 0,
        field: field.to_owned(),
        message: format!("must be 1 to {MAX_TEXT} characters"),
    })
}

/// Applies for one-off access to a subject's restricted information. An operator decides;
/// an approval is valid for a limited time.
#[utoipa::path(post, path = "/api/v1/special-applications", tag = "access",
    request_body = ApplicationRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The application, pending", body = SpecialApplication),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a department token", body = crate::error::Problem),
        (status = 404, description = "No such subject", body = crate::error::Problem),
        (status = 422, description = "Invalid application; each problem names its field", body = crate::error::Problem),
    ))]
pub async fn apply(
    DepartmentCaller(department): DepartmentCaller,
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ApplicationRequest>,
) -> Result<(StatusCode, Json<SpecialApplication>), ApiError> {
    let mut errors = Vec::new();
    let code = match SubjectCode::parse(req.subject.trim()) {
        Ok(code) => Some(code),
        Err(e) => {
            errors.push(RecordError {
                index: 0,
                field: "subject".into(),
                message: e.to_string(),
            });
            None
        }
    };
    let purpose_ok = state
        .purposes
        .get(&req.purpose)
        .is_some_and(|p| p.readers.contains(&ReaderKind::Department));
    if !purpose_ok {
        errors.push(RecordError {
            index: 0,
            field: "purpose".into(),
            message: format!(
                "{:?} is not a purpose a department may state (see GET /api/v1/purposes)",
                req.purpose
            ),
        });
    }
    errors.extend(text_error("reason", &req.reason));
    errors.extend(text_error("legal_basis", &req.legal_basis));
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidFields(errors));
    };
    let subject = state
        .store
        .subject(code.as_str())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownSubject, "no subject with this code"))?;
    let application = SpecialApplication {
        id: xinyong_store::new_id(),
        department: department.code,
        subject_code: subject.code.to_string(),
        purpose: req.purpose,
        reason: req.reason.trim().to_owned(),
        legal_basis: req.legal_basis.trim().to_owned(),
        status: ApplicationStatus::Pending,
        created_at: Utc::now(),
        decided_at: None,
        decision_note: None,
        valid_until: None,
    };
    state.store.put_special_application(&application).await?;
    Ok((StatusCode::CREATED, Json(application)))
}

/// Special applications waiting for a decision, oldest first.
#[utoipa::path(get, path = "/api/v1/special-applications", tag = "access",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pending applications", body = Vec<SpecialApplication>),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not an operator token", body = crate::error::Problem),
    ))]
pub async fn pending(
    _: OperatorCaller,
    State(state): State<AppState>,
) -> Result<Json<Vec<SpecialApplication>>, ApiError> {
    Ok(Json(state.store.pending_special_applications().await?))
}

/// One special application: its applicant department follows it here, and operators see any.
#[utoipa::path(get, path = "/api/v1/special-applications/{id}", tag = "access",
    params(("id" = String, Path, description = "The application's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The application and its decision, if any", body = SpecialApplication),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not an operator or department token", body = crate::error::Problem),
        (status = 404, description = "No such application of this department", body = crate::error::Problem),
    ))]
pub async fn show(
    caller: CaseworkCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SpecialApplication>, ApiError> {
    let application = state
        .store
        .special_application(&id)
        .await?
        .filter(|a| match &caller {
            CaseworkCaller::Operator { .. } => true,
            // Another department's application is not acknowledged to exist.
            CaseworkCaller::Department(d) => a.department == d.code,
        })
        .ok_or_else(|| unknown_application(&id))?;
    Ok(Json(application))
}

/// An operator's decision on a special application.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    approve: bool,
    /// Why.
    note: String,
    /// How many days an approval is valid, 1 to 30 (default 7).
    #[schema(minimum = 1, maximum = 30)]
    valid_days: Option<u32>,
}

/// Approves or rejects a pending special application. An approval lets the department read
/// the subject's restricted information for the stated purpose until it expires.
#[utoipa::path(post, path = "/api/v1/special-applications/{id}/decision", tag = "access",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DecisionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decided application", body = SpecialApplication),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not an operator token", body = crate::error::Problem),
        (status = 404, description = "No such application", body = crate::error::Problem),
        (status = 409, description = "Already decided", body = crate::error::Problem),
        (status = 422, description = "Invalid decision", body = crate::error::Problem),
    ))]
pub async fn decide(
    operator: OperatorCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<DecisionRequest>,
) -> Result<Json<SpecialApplication>, ApiError> {
    let mut errors: Vec<RecordError> = text_error("note", &req.note).into_iter().collect();
    let days = req.valid_days.unwrap_or(7);
    // Checked whatever the decision: a refusal naming 0 days is a malformed decision too.
    if !(1..=MAX_APPLICATION_DAYS).contains(&days) {
        errors.push(RecordError {
            index: 0,
            field: "valid_days".into(),
            message: format!("must be 1 to {MAX_APPLICATION_DAYS}"),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    let now = Utc::now();
    let decision = ApplicationDecision {
        status: if req.approve {
            ApplicationStatus::Approved
        } else {
            ApplicationStatus::Rejected
        },
        decided_by: operator.token,
        decided_at: now,
        note: req.note.trim().to_owned(),
        valid_until: req
            .approve
            .then(|| now + chrono::Duration::days(i64::from(days))),
    };
    if !state
        .store
        .decide_special_application(&id, &decision)
        .await?
    {
        return Err(match state.store.special_application(&id).await? {
            None => unknown_application(&id),
            Some(a) => ApiError::new(
                ErrorCode::ApplicationDecided,
                format!("application {id} is already {}", a.status),
            ),
        });
    }
    state
        .store
        .special_application(&id)
        .await?
        .map(Json)
        .ok_or_else(|| unknown_application(&id))
}

fn unknown_application(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownApplication,
        format!("no special application {id}"),
    )
}
