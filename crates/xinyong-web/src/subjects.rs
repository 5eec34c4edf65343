//! Public disclosure of subjects and their records.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::disclosure::{
    FileRecord, PublicRecord, disclosed_record, file_record, in_force, public_record,
    public_subject_code, public_subject_name, public_visibility,
};
use xinyong_domain::role::may_read;
use xinyong_domain::{Disclosure, SubjectKind};

use crate::AppState;
use crate::access::{AccessNote, note_access};
use crate::auth::{Caller, FileReader, PublicCaller, ReadRequest, SubjectCaller};
use crate::error::{ApiError, ErrorCode, Path, Query};

pub const DEFAULT_PAGE: u32 = 50;

/// Whether a path key is a subject's opaque id (a ULID: 26 Crockford base-32 characters)
/// rather than a code (18 characters).
pub fn is_subject_id(key: &str) -> bool {
    key.len() == 26 && key.bytes().all(|b| b.is_ascii_alphanumeric())
}
pub const MAX_PAGE: u32 = 1000;

/// A subject as the public sees it: natural persons' identity numbers are masked.
#[derive(Serialize, ToSchema)]
pub struct SubjectSummary {
    /// The subject's opaque id: `GET /api/v1/subjects/{id}` reads its file without naming an
    /// identity number.
    id: String,
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
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Cursor from the previous page's `next`.
    #[param(pattern = "^[0-9A-Za-z]{26}$")]
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
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("limit must be an integer from 1 to {MAX_PAGE}, found {s:?}"),
                )
            })?,
    };
    if let Some(after) = &q.after {
        // Cursors are ULIDs: 26 Crockford base-32 characters.
        if after.len() != 26 || !after.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("after {after:?} is not a cursor from a previous page"),
            ));
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
                id: s.id,
                code: public_subject_code(s.kind, s.code.as_str()),
                name: public_subject_name(&s.name),
                kind: s.kind,
            })
            .collect(),
        next,
    }))
}

/// A subject's file as the caller may see it.
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
    /// The purpose stated for a non-public read.
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<String>,
    /// With a stated purpose: `shared` records in force (masked for credit service bodies).
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<Vec<PublicRecord>>,
    /// With a purpose and a legal basis or approved special application: `restricted` records
    /// in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    restricted: Option<Vec<PublicRecord>>,
}

/// A subject's credit file, computed at read time. Without a purpose: the public part, for
/// anyone. With `purpose` (department or credit service token): also shared records; with a
/// purpose and `legal_basis` or `application` (department only): also restricted records.
/// Every non-public read is logged.
#[utoipa::path(get, path = "/api/v1/subjects/{code}", tag = "disclosure",
    params(("code" = String, Path, description = "Unified Social Credit Code, the subject's opaque id (`id` in listings and search results), or a citizen identity number (found only with a department, operator or credit service token, or the person's own subject token)"), ReadRequest),
    responses(
        (status = 200, description = "The subject's file as far as the caller may see it", body = PublicFile),
        (status = 400, description = "Not a valid code (the message names the position), unknown purpose or bad legal basis", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented, or a purpose was stated without a token", body = crate::error::Problem),
        (status = 403, description = "The caller's role may not read this class for this purpose, or the special application does not grant it", body = crate::error::Problem),
        (status = 404, description = "No such subject", body = crate::error::Problem),
    ))]
pub async fn show(
    reader: FileReader,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<PublicFile>, ApiError> {
    let unknown = || ApiError::new(ErrorCode::UnknownSubject, "no subject with this code");
    let (subject, access) = if is_subject_id(&key) {
        let subject = state.store.subject_by_id(&key).await?.ok_or_else(unknown)?;
        let access = reader.clearance(&state, subject.code.as_str()).await?;
        (subject, access)
    } else {
        let code = SubjectCode::parse(&key)?;
        let access = reader.clearance(&state, code.as_str()).await?;
        // A full identity number is answered as if no one had it unless the caller may look
        // persons up by number: the public cannot confirm a guess or learn a name from it.
        let hidden = matches!(code, SubjectCode::Citizen(_))
            && !reader.caller.finds_persons_by_number(code.as_str());
        let subject = if hidden {
            None
        } else {
            state.store.subject(code.as_str()).await?
        };
        (subject.ok_or_else(unknown)?, access)
    };
    let today = state.today();
    let all = state
        .store
        .records_of_subject(subject.code.as_str())
        .await?;
    let with_category = || {
        all.iter()
            .filter_map(|r| Some((r, state.catalogue.category(&r.category)?)))
    };
    let records = with_category()
        .filter(|(r, c)| public_visibility(r, c, today).is_ok())
        .map(|(r, c)| public_record(r, c))
        .collect();
    // Categories kept within the subject's own organisation (civil servants' integrity
    // records) are read only by that organisation and the department that made the record,
    // whatever purpose or grant another reader states.
    let reader_department = match &reader.caller {
        Caller::Department { department, .. } => Some(department.code.as_str()),
        _ => None,
    };
    let of_class = |class: Disclosure| {
        (access.clearance >= class).then(|| {
            with_category()
                .filter(|(r, c)| c.disclosure == class && in_force(r, today))
                .filter(|(r, c)| may_read(r, c, reader_department))
                .map(|(r, c)| disclosed_record(r, c, access.masks()))
                .collect::<Vec<_>>()
        })
    };
    let shared = of_class(Disclosure::Shared);
    let restricted = of_class(Disclosure::Restricted);
    if access.clearance > Disclosure::Public {
        let (role, who) = match &reader.caller {
            Caller::Department { department, .. } => ("department", department.code.as_str()),
            other => (other.role(), other.token_id().unwrap_or("-")),
        };
        note_access(
            &state,
            AccessNote {
                role,
                reader: who,
                subject_code: subject.code.as_str(),
                clearance: access.clearance,
                purpose: access.purpose.as_deref(),
                grant: access.grant.as_ref(),
                records: shared.as_ref().map_or(0, Vec::len)
                    + restricted.as_ref().map_or(0, Vec::len),
            },
        )
        .await?;
    }
    Ok(Json(PublicFile {
        code: public_subject_code(subject.kind, subject.code.as_str()),
        name: public_subject_name(&subject.name),
        kind: subject.kind,
        as_of: today,
        records,
        purpose: access.purpose,
        shared,
        restricted,
    }))
}

/// A subject's own full file.
#[derive(Serialize, ToSchema)]
pub struct OwnFile {
    code: String,
    name: String,
    kind: SubjectKind,
    as_of: NaiveDate,
    /// Every current record about the subject, of every class and status, unmasked, each
    /// saying whether the public sees it today.
    records: Vec<FileRecord>,
    /// Every objection the subject filed, newest first, in whatever state.
    objections: Vec<xinyong_domain::rights::Objection>,
    /// Every repair application the subject filed, newest first, in whatever state.
    repairs: Vec<xinyong_domain::rights::RepairApplication>,
    /// Every regulated role a natural person holds or held (lawyer, doctor, civil
    /// servant...), newest first; empty for an organisation.
    roles: Vec<xinyong_domain::role::PersonInRole>,
}

/// The calling subject's own full file: every class, every status, nothing masked. The
/// subject comes from the token, so no subject can read another's file here.
#[utoipa::path(get, path = "/api/v1/me/records", tag = "disclosure",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's own full file", body = OwnFile),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "The platform holds nothing about this subject", body = crate::error::Problem),
    ))]
pub async fn own_file(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<Json<OwnFile>, ApiError> {
    let subject = state.store.subject(&caller.code).await?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownSubject,
            "the platform holds no file about you",
        )
    })?;
    let today = state.today();
    let records: Vec<FileRecord> = state
        .store
        .records_of_subject(subject.code.as_str())
        .await?
        .iter()
        .filter_map(|r| {
            Some(file_record(
                r,
                state.catalogue.category(&r.category)?,
                today,
            ))
        })
        .collect();
    note_access(
        &state,
        AccessNote {
            role: "subject",
            reader: &caller.token,
            subject_code: subject.code.as_str(),
            clearance: Disclosure::Restricted,
            purpose: None,
            grant: None,
            records: records.len(),
        },
    )
    .await?;
    let objections = state
        .store
        .objections_of_subject(subject.code.as_str())
        .await?;
    let repairs = state
        .store
        .repairs_of_subject(subject.code.as_str())
        .await?;
    let roles = state.store.roles_of_person(subject.code.as_str()).await?;
    Ok(Json(OwnFile {
        code: subject.code.to_string(),
        name: subject.name,
        kind: subject.kind,
        as_of: today,
        records,
        objections,
        repairs,
        roles,
    }))
}
