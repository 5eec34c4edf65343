//! Evidence attachments over the API (issue #12). The subject uploads a file (PDF, PNG or
//! JPEG, at most 5 MiB, its content checked against its declared type), gets its id and
//! names it in an objection or repair application. Nobody else reads it but an operator and
//! the department deciding a case that names it, and each of their reads is in the audit log
//! (the subject sees it among "who looked"). Never public, never cached, always downloaded
//! (never rendered in the platform's origin).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_domain::attachment::{
    Attachment, AttachmentError, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_CASE,
    MAX_ATTACHMENTS_PER_SUBJECT, check_upload, content_digest,
};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::{Disclosure, FieldError};

use crate::AppState;
use crate::access::{AccessNote, note_access};
use crate::auth::{PartyCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode, Path, Query};
use crate::rights::now;

/// How an upload names itself.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the subject knows it (at most 200 characters; never public).
    name: Option<String>,
}

fn refused(e: AttachmentError) -> ApiError {
    match e {
        AttachmentError::TooLarge { .. } => ApiError::new(ErrorCode::BodyTooLarge, e.to_string()),
        AttachmentError::TypeNotAccepted(_) => {
            ApiError::new(ErrorCode::UnsupportedMediaType, e.to_string())
        }
        AttachmentError::Name(m) => ApiError::invalid_fields(vec![FieldError::new("name", m)]),
        AttachmentError::Empty | AttachmentError::ContentMismatch(_) => {
            ApiError::invalid_fields(vec![FieldError::new("content", e.to_string())])
        }
    }
}

/// Stores an evidence file of the calling subject: the body is the file itself, sent with
/// its `Content-Type`. Answers its description; its id goes into `attachments` of
/// `POST /api/v1/objections` or `POST /api/v1/repairs`.
#[utoipa::path(post, path = "/api/v1/me/attachments", tag = "rights",
    params(UploadQuery),
    request_body(description = "The file (at most 5 MiB)", content(
        ("application/pdf"), ("image/png"), ("image/jpeg"))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored; its SHA-256 is in the audit log", body = Attachment),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 409, description = "The subject already holds 100 attachments", body = crate::error::Problem),
        (status = 413, description = "Larger than 5 MiB", body = crate::error::Problem),
        (status = 415, description = "Not a PDF, PNG or JPEG", body = crate::error::Problem),
        (status = 422, description = "Empty, content not of its declared type, or a bad name", body = crate::error::Problem),
    ))]
pub async fn upload(
    caller: SubjectCaller,
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // Read one byte past the limit, so that a larger file is told apart from a full one.
    let bytes = axum::body::to_bytes(body, MAX_ATTACHMENT_BYTES + 1)
        .await
        .map_err(|_| {
            refused(AttachmentError::TooLarge {
                size: MAX_ATTACHMENT_BYTES + 1,
                max: MAX_ATTACHMENT_BYTES,
            })
        })?;
    let attachment = store_upload(&state, &caller, &declared, q.name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Checks and stores one upload of `caller` (the API's and the website's path alike).
pub async fn store_upload(
    state: &AppState,
    caller: &SubjectCaller,
    declared: &str,
    name: Option<String>,
    bytes: &[u8],
) -> Result<Attachment, ApiError> {
    let name = name.filter(|n| !n.trim().is_empty());
    let media_type = check_upload(declared, name.as_deref(), bytes).map_err(refused)?;
    let attachment = Attachment {
        id: xinyong_store::new_id(),
        subject_code: SubjectCode::parse(&caller.code)?,
        media_type,
        name,
        size: bytes.len() as u64,
        sha256: content_digest(bytes),
        stored_at: now(),
    };
    if !state
        .store
        .store_attachment(&attachment, bytes, MAX_ATTACHMENTS_PER_SUBJECT)
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::AttachmentQuota,
            format!(
                "you already hold {MAX_ATTACHMENTS_PER_SUBJECT} attachments, the most one \
                 subject may"
            ),
        ));
    }
    Ok(attachment)
}

/// The calling subject's attachments.
#[derive(Serialize, ToSchema)]
pub struct Attachments {
    /// Newest first.
    attachments: Vec<Attachment>,
}

/// Every evidence file the calling subject stored.
#[utoipa::path(get, path = "/api/v1/me/attachments", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subject's attachments", body = Attachments),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
    ))]
pub async fn list(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<Json<Attachments>, ApiError> {
    let attachments = state.store.attachments_of_subject(&caller.code).await?;
    Ok(Json(Attachments { attachments }))
}

fn unknown_attachment(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownAttachment,
        format!("no attachment {id} that you may see"),
    )
}

/// Checks the ids a case names: at most [`MAX_ATTACHMENTS_PER_CASE`], no repeats, each one
/// of `subject`'s own attachments (another subject's id is as unknown as a made-up one).
pub async fn own_attachments(
    state: &AppState,
    subject: &str,
    ids: &[String],
) -> Result<(), ApiError> {
    if ids.len() > MAX_ATTACHMENTS_PER_CASE {
        return Err(ApiError::invalid_fields(vec![FieldError::new(
            "attachments",
            format!("at most {MAX_ATTACHMENTS_PER_CASE} attachments"),
        )]));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(ApiError::invalid_fields(vec![FieldError::new(
                format!("attachments[{i}]"),
                "named twice",
            )]));
        }
        let owned = state
            .store
            .attachment(id)
            .await?
            .is_some_and(|a| a.subject_code.as_str().eq_ignore_ascii_case(subject));
        if !owned {
            return Err(ApiError::invalid_fields(vec![FieldError::new(
                format!("attachments[{i}]"),
                format!("you have no attachment {id} (POST /api/v1/me/attachments first)"),
            )]));
        }
    }
    Ok(())
}

/// Whether `department` decides a case of `subject` that names attachment `id`.
async fn names_it(
    state: &AppState,
    subject: &str,
    department: &str,
    id: &str,
) -> Result<bool, ApiError> {
    let names = |ids: &[String]| ids.iter().any(|a| a == id);
    let objections = state.store.objections_of_subject(subject).await?;
    if objections
        .iter()
        .any(|o| o.department == department && names(&o.attachments))
    {
        return Ok(true);
    }
    let repairs = state.store.repairs_of_subject(subject).await?;
    Ok(repairs
        .iter()
        .any(|r| r.department == department && names(&r.attachments)))
}

/// One evidence file, for its subject, an operator, or the department deciding a case that
/// names it. A department's or operator's read is written to the audit log before the file
/// is sent.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "rights",
    params(("id" = String, Path, description = "Attachment id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file, as a download", content(
            ("application/pdf"), ("image/png"), ("image/jpeg"))),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Anonymous callers and credit services see no evidence", body = crate::error::Problem),
        (status = 404, description = "No attachment with this id that the caller may see", body = crate::error::Problem),
    ))]
pub async fn download(
    caller: PartyCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let attachment = state
        .store
        .attachment(&id)
        .await?
        .ok_or_else(|| unknown_attachment(&id))?;
    let subject = attachment.subject_code.as_str();
    let reader = match &caller {
        PartyCaller::Subject { code } if subject.eq_ignore_ascii_case(code) => None,
        PartyCaller::Subject { .. } => return Err(unknown_attachment(&id)),
        PartyCaller::Operator => Some(("operator", "operator".to_owned())),
        PartyCaller::Department(d) => {
            if !names_it(&state, subject, &d.code, &id).await? {
                return Err(unknown_attachment(&id));
            }
            Some(("department", d.code.clone()))
        }
    };
    let content = state
        .store
        .attachment_content(&id)
        .await?
        .ok_or_else(|| unknown_attachment(&id))?;
    if let Some((role, who)) = reader {
        note_access(
            &state,
            AccessNote {
                role,
                reader: &who,
                subject_code: subject,
                clearance: Disclosure::Restricted,
                purpose: Some("evidence_review"),
                grant: None,
                records: 0,
            },
        )
        .await?;
    }
    let mut response = Body::from(content).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(attachment.media_type.as_str()),
    );
    // A download, never a page of this origin; never kept by a cache.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.{}\"",
        attachment.id,
        attachment.media_type.extension()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(response)
}
