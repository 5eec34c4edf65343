//! Errors at the edge. [`ErrorCode`] is the one table of every error a client can meet: its
//! stable code, HTTP status, problem type (`/problems/{code}`) and title. Handlers return
//! [`ApiError`]: a domain or store error, or a web error naming its code; [`ApiError::code`]
//! maps each onto the table, and the response is an RFC 9457 problem document
//! (`application/problem+json`) that carries the code.
//!
//! Architecture invariant: this is the only place that maps errors to HTTP statuses. The
//! website's error pages take their statuses from the same table (`site/errors.rs`).

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Serialize, Serializer};
use serde_json::json;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use xinyong_domain::FieldError;
use xinyong_domain::access::AccessError;
use xinyong_domain::code::CodeError;
use xinyong_domain::search::QueryError;
use xinyong_store::StoreError;

/// Declares [`ErrorCode`] from one table: variant, code, status and title, with the doc
/// comment of each row as its description. A row is the whole definition of a code, so no code
/// can lack a status, a title or a place in [`ErrorCode::ALL`].
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = ($code:literal, $status:ident, $title:literal);)+) => {
        /// Every error a client can meet. Stable: a code is never renamed or given another
        /// status; a new kind of error gets a new code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as clients see it (snake_case), in `code` and in `type`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            /// The HTTP status every response with this code has.
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }

            /// The problem document's `title`: the same for every occurrence.
            pub fn title(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $title,)+
                }
            }

            /// When a client meets this code, as published in the API document.
            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

error_codes! {
    /// The body is not JSON, or not JSON of the shape the endpoint takes.
    MalformedJson = ("malformed_json", BAD_REQUEST, "Malformed JSON body");
    /// The query string does not parse into the endpoint's parameters.
    MalformedQuery = ("malformed_query", BAD_REQUEST, "Malformed query string");
    /// A path segment does not parse (for example, it is not UTF-8 once percent-decoded).
    MalformedPath = ("malformed_path", BAD_REQUEST, "Malformed path");
    /// A parameter is outside its documented range: a page size, offset, cursor or page number,
    /// an audit-log index or size, a list filter.
    InvalidParameter = ("invalid_parameter", BAD_REQUEST, "Invalid parameter");
    /// The search query is empty, too long or holds nothing to search for.
    InvalidSearch = ("invalid_search", BAD_REQUEST, "Invalid search query");
    /// Not a valid Unified Social Credit Code or citizen identity number; the detail names the
    /// position of the first bad character.
    InvalidCode = ("invalid_code", BAD_REQUEST, "Invalid subject code");
    /// A batch of records holds no record.
    EmptyBatch = ("empty_batch", BAD_REQUEST, "Empty batch");
    /// A credit check names neither `subject` nor `subjects`, names both, or names more
    /// subjects than one batch may hold.
    CheckSubjects = ("check_subjects", BAD_REQUEST, "Invalid subject list");
    /// The stated purpose is not one of `GET /api/v1/purposes`.
    UnknownPurpose = ("unknown_purpose", BAD_REQUEST, "Unknown purpose");
    /// A legal basis or special application was given without a purpose.
    GrantWithoutPurpose = ("grant_without_purpose", BAD_REQUEST, "Grant without a purpose");
    /// The stated legal basis is empty or too long.
    InvalidLegalBasis = ("invalid_legal_basis", BAD_REQUEST, "Invalid legal basis");
    /// The stated legal basis is not one of the statutes of `GET /api/v1/purposes`.
    UnknownLegalBasis = ("unknown_legal_basis", BAD_REQUEST, "Unknown legal basis");
    /// Both a legal basis and a special application were given: a read rests on one of them.
    ConflictingGrants = ("conflicting_grants", BAD_REQUEST, "Conflicting grants");
    /// The endpoint needs a token and the request presents none.
    TokenMissing = ("token_missing", UNAUTHORIZED, "Token required");
    /// The `Authorization` header is not `Bearer TOKEN`.
    TokenMalformed = ("token_malformed", UNAUTHORIZED, "Malformed Authorization header");
    /// The token is unknown, expired or revoked, or what it names no longer exists.
    TokenInvalid = ("token_invalid", UNAUTHORIZED, "Invalid token");
    /// Wrong operator name or password, or a disabled account: one answer for all three.
    SignInRefused = ("sign_in_refused", UNAUTHORIZED, "Sign-in refused");
    /// The token's role may not call this endpoint, or may not read other subjects'
    /// non-public information.
    WrongRole = ("wrong_role", FORBIDDEN, "Not allowed for this role");
    /// The reader's kind (department, credit service) may not state this purpose.
    PurposeNotForReader = ("purpose_not_for_reader", FORBIDDEN, "Purpose not open to this reader");
    /// The cited statute does not open restricted information for the stated purpose.
    LegalBasisNotForPurpose = ("legal_basis_not_for_purpose", FORBIDDEN, "Legal basis not for this purpose");
    /// A credit service body reads restricted information only with the subject's
    /// authorisation, not with a legal basis or special application.
    GrantNotForReader = ("grant_not_for_reader", FORBIDDEN, "Grant not open to this reader");
    /// A credit service body states a purpose for a subject that has not authorised it (for
    /// that purpose, now): `POST /api/v1/me/grants` is the subject's to make.
    NoSubjectGrant = ("no_subject_grant", FORBIDDEN, "No authorisation from the subject");
    /// The special application does not exist, is not approved, has expired, or is for another
    /// department, subject or purpose.
    ApplicationDoesNotGrant = ("application_does_not_grant", FORBIDDEN, "Application does not grant this read");
    /// The department may not submit records of this category.
    CategoryNotAllowed = ("category_not_allowed", FORBIDDEN, "Category not allowed");
    /// The department does not manage this list.
    ListNotManaged = ("list_not_managed", FORBIDDEN, "List not managed by this department");
    /// The resource belongs to another department: a commitment it did not accept, a check it
    /// did not make.
    NotOwner = ("not_owner", FORBIDDEN, "Another department's resource");
    /// The department is not given the profession it registers a person in.
    ProfessionNotAllowed = ("profession_not_allowed", FORBIDDEN, "Profession not registered by this department");
    /// No endpoint or page at this path.
    NotFoundEndpoint = ("not_found_endpoint", NOT_FOUND, "No such endpoint");
    /// The platform holds no subject with this code.
    UnknownSubject = ("unknown_subject", NOT_FOUND, "Unknown subject");
    /// No special application with this id (that the caller may see).
    UnknownApplication = ("unknown_application", NOT_FOUND, "Unknown special application");
    /// No credit commitment record with this id.
    UnknownCommitment = ("unknown_commitment", NOT_FOUND, "Unknown commitment");
    /// No record with this id that the caller may act on (a subject's own records only).
    UnknownRecord = ("unknown_record", NOT_FOUND, "Unknown record");
    /// No objection with this id that the caller is party to.
    UnknownObjection = ("unknown_objection", NOT_FOUND, "Unknown objection");
    /// No repair application with this id that the caller is party to.
    UnknownRepair = ("unknown_repair", NOT_FOUND, "Unknown repair application");
    /// No grant with this id among the calling subject's.
    UnknownGrant = ("unknown_grant", NOT_FOUND, "Unknown grant");
    /// No registered credit service body of this name (a current service token's label).
    UnknownService = ("unknown_service", NOT_FOUND, "Unknown credit service body");
    /// No report with this tracking number (or, for a department, this id among its own).
    UnknownReport = ("unknown_report", NOT_FOUND, "Unknown report");
    /// No evidence attachment with this id that the caller may see (its subject's own, or
    /// named by a case the calling department decides).
    UnknownAttachment = ("unknown_attachment", NOT_FOUND, "Unknown attachment");
    /// No person in a role has this id, or not one the caller may see.
    UnknownRole = ("unknown_role", NOT_FOUND, "Unknown role");
    /// No grading model grades this subject for this caller (natural persons are never
    /// graded by the shipped models; a model that is not public grades for departments only).
    NoGrade = ("no_grade", NOT_FOUND, "No grade");
    /// The calling subject has registered no webhook (`PUT /api/v1/me/webhook`).
    NoWebhook = ("no_webhook", NOT_FOUND, "No webhook registered");
    /// No credit check with this id.
    UnknownCheck = ("unknown_check", NOT_FOUND, "Unknown check");
    /// No list type (or published list) with this id.
    UnknownListType = ("unknown_list_type", NOT_FOUND, "Unknown list");
    /// No entry with this id on this list, of the calling department.
    UnknownListEntry = ("unknown_list_entry", NOT_FOUND, "Unknown list entry");
    /// The catalogue in force lacks a category that this request needs.
    UnknownCategory = ("unknown_category", NOT_FOUND, "Category not in the catalogue");
    /// The audit log has no signed tree head yet, or this server has no signing key.
    NoSignedHead = ("no_signed_head", NOT_FOUND, "No signed tree head");
    /// The path exists but not with this method; `Allow` lists the methods it takes.
    MethodNotAllowed = ("method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed");
    /// The special application has already been decided.
    ApplicationDecided = ("application_decided", CONFLICT, "Application already decided");
    /// The record cannot be contested now: it is revoked or removed, or already under
    /// objection.
    NotContestable = ("not_contestable", CONFLICT, "Record cannot be contested now");
    /// The objection has already been decided.
    ObjectionDecided = ("objection_decided", CONFLICT, "Objection already decided");
    /// The record already has a pending repair application.
    RepairPending = ("repair_pending", CONFLICT, "Repair already applied for");
    /// The repair application has already been decided.
    RepairDecided = ("repair_decided", CONFLICT, "Repair already decided");
    /// The subject already holds as many evidence attachments as one subject may.
    AttachmentQuota = ("attachment_quota", CONFLICT, "Attachment quota reached");
    /// The licence is held by an open role of the profession: that role must end first.
    LicenceHeld = ("licence_held", CONFLICT, "Licence held by an open role");
    /// The check already has its feedback.
    FeedbackGiven = ("feedback_given", CONFLICT, "Feedback already given");
    /// The list entry is already removed.
    EntryRemoved = ("entry_removed", CONFLICT, "Entry already removed");
    /// The request body is larger than the server accepts.
    BodyTooLarge = ("body_too_large", PAYLOAD_TOO_LARGE, "Body too large");
    /// The batch holds more records than one request may; files go through `xinyong import`.
    BatchTooLarge = ("batch_too_large", PAYLOAD_TOO_LARGE, "Batch too large");
    /// The body is not sent as `Content-Type: application/json`.
    UnsupportedMediaType = ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type");
    /// Records fail validation; `errors` names each record and field, and nothing was stored.
    InvalidRecords = ("invalid_records", UNPROCESSABLE_ENTITY, "Invalid records");
    /// Fields of a request fail validation; `errors` names each field, and nothing was stored.
    InvalidFields = ("invalid_fields", UNPROCESSABLE_ENTITY, "Invalid fields");
    /// No registered department handles the reported category.
    NoCompetentDepartment = ("no_competent_department", UNPROCESSABLE_ENTITY, "No competent department");
    /// The record cannot be repaired (yet): `detail` says why, and `earliest` names the first
    /// day an application becomes possible where waiting is all it takes.
    RepairIneligible = ("repair_ineligible", UNPROCESSABLE_ENTITY, "Not repairable now");
    /// Too many requests, or too many failed authentications, from this address; see
    /// `Retry-After`.
    RateLimited = ("rate_limited", TOO_MANY_REQUESTS, "Too many requests");
    /// The platform's storage is full: nothing of the request was stored; reads go on, and
    /// writes resume once an operator has freed space (no restart needed).
    StorageFull = ("storage_full", INSUFFICIENT_STORAGE, "Storage full");
    /// The server failed (storage, for instance); the cause is in the operator's log only.
    Internal = ("internal", INTERNAL_SERVER_ERROR, "Internal error");
}

impl ErrorCode {
    /// The problem `type`: a URI reference naming the kind of problem.
    pub fn problem_type(self) -> String {
        format!("/problems/{}", self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl utoipa::PartialSchema for ErrorCode {
    /// The table as published: a string enum of every code (what client generators turn into
    /// an enum type), `x-enum-descriptions` for their doc comments, and `x-error-codes` with
    /// the status, type and title of each code.
    fn schema() -> RefOr<Schema> {
        let described: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| format!("{} {}: {}", c.status().as_u16(), c.title(), c.description()))
            .collect();
        let table: serde_json::Map<String, serde_json::Value> = ErrorCode::ALL
            .iter()
            .map(|c| {
                let row = json!({
                    "status": c.status().as_u16(),
                    "type": c.problem_type(),
                    "title": c.title(),
                    "description": c.description(),
                });
                (c.as_str().to_owned(), row)
            })
            .collect();
        let extensions = Extensions::builder()
            .add("x-enum-descriptions", described)
            .add("x-error-codes", table)
            .build();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A stable error code. Each code has one HTTP status, the problem type \
                 `/problems/{code}` and one title (`x-error-codes`).",
            ))
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .extensions(Some(extensions))
            .into()
    }
}

impl ToSchema for ErrorCode {}

/// One problem with one record of a batch (or one row of a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecordError {
    /// Position of the record in the submitted batch, from 0.
    pub index: usize,
    pub field: String,
    pub message: String,
}

impl RecordError {
    /// `error`, found in the record at `index`.
    pub fn at(index: usize, error: FieldError) -> RecordError {
        RecordError {
            index,
            field: error.field,
            message: error.message,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The problem's stable code; `type` is `/problems/{code}`.
    pub code: ErrorCode,
    /// For `422`: every problem found, each naming the record and field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RecordError>,
    /// For `repair_ineligible`: the first day a repair application becomes possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest: Option<chrono::NaiveDate>,
}

/// Everything a handler can fail with: a web error naming its code, invalid input listing
/// every problem, or a domain or store error, which [`ApiError::code`] maps onto the table.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// What the request did wrong, by its code; `detail` says it for this request.
    #[error("{detail}")]
    Web { code: ErrorCode, detail: String },
    /// Records that fail validation (`invalid_records`).
    #[error("{} invalid record(s); nothing was stored", distinct_records(.0))]
    InvalidRecords(Vec<RecordError>),
    /// Fields of a request that fail validation (`invalid_fields`).
    #[error("{} invalid field(s); nothing was stored", .0.len())]
    InvalidFields(Vec<RecordError>),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("invalid code: {0}")]
    Code(#[from] CodeError),
    #[error("q: {0}")]
    Search(#[from] QueryError),
    /// A repair that the catalogue's rules do not allow now (`repair_ineligible`).
    #[error("{0}")]
    Ineligible(#[from] xinyong_domain::rights::Ineligible),
    #[error("internal error")]
    Store(#[from] StoreError),
}

fn distinct_records(errors: &[RecordError]) -> usize {
    errors
        .iter()
        .map(|e| e.index)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

impl ApiError {
    /// The error `code`, with `detail` for the client.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError::Web {
            code,
            detail: detail.into(),
        }
    }

    /// The fields of one record (index 0) that fail validation.
    pub fn invalid_record(errors: Vec<FieldError>) -> ApiError {
        ApiError::InvalidRecords(errors.into_iter().map(|e| RecordError::at(0, e)).collect())
    }

    /// The fields of a request that fail validation.
    pub fn invalid_fields(errors: Vec<FieldError>) -> ApiError {
        ApiError::InvalidFields(errors.into_iter().map(|e| RecordError::at(0, e)).collect())
    }

    /// Where this error is in the table.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Web { code, .. } => *code,
            ApiError::InvalidRecords(_) => ErrorCode::InvalidRecords,
            ApiError::InvalidFields(_) => ErrorCode::InvalidFields,
            ApiError::Access(e) => match e {
                AccessError::UnknownPurpose(_) => ErrorCode::UnknownPurpose,
                AccessError::PurposeNotForReader { .. } => ErrorCode::PurposeNotForReader,
                AccessError::GrantWithoutPurpose => ErrorCode::GrantWithoutPurpose,
                AccessError::BadLegalBasis => ErrorCode::InvalidLegalBasis,
                AccessError::UnknownLegalBasis(_) => ErrorCode::UnknownLegalBasis,
                AccessError::LegalBasisNotForPurpose { .. } => ErrorCode::LegalBasisNotForPurpose,
                AccessError::GrantNotForReader => ErrorCode::GrantNotForReader,
                AccessError::NoSubjectGrant { .. } => ErrorCode::NoSubjectGrant,
                AccessError::ApplicationDoesNotGrant(..) => ErrorCode::ApplicationDoesNotGrant,
            },
            ApiError::Code(_) => ErrorCode::InvalidCode,
            ApiError::Search(_) => ErrorCode::InvalidSearch,
            ApiError::Ineligible(_) => ErrorCode::RepairIneligible,
            ApiError::Store(StoreError::Full(_)) => ErrorCode::StorageFull,
            ApiError::Store(_) => ErrorCode::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status = code.status();
        if let ApiError::Store(e) = &self {
            // The cause goes to the operator's log, never to the client.
            tracing::error!(error = %e, "storage failure");
        }
        // A detail may quote what the caller sent: no identity number leaves whole.
        let detail = match code {
            ErrorCode::StorageFull => {
                "the platform's storage is full: nothing of this request was stored; try again \
                 later"
                    .to_owned()
            }
            _ => crate::public::text(&self.to_string()),
        };
        let earliest = match &self {
            ApiError::Ineligible(e) => e.earliest,
            _ => None,
        };
        let errors = match self {
            ApiError::InvalidRecords(errors) | ApiError::InvalidFields(errors) => errors
                .into_iter()
                .map(|e| RecordError {
                    field: crate::public::text(&e.field),
                    message: crate::public::text(&e.message),
                    ..e
                })
                .collect(),
            _ => Vec::new(),
        };
        let problem = Problem {
            problem_type: code.problem_type(),
            title: code.title().to_owned(),
            status: status.as_u16(),
            detail,
            code,
            errors,
            earliest,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// A request's path as a public answer may quote it: percent-decoded (an encoded number is a
/// number all the same) and masked.
fn public_path(uri: &axum::http::Uri) -> String {
    crate::public::text(&crate::public::percent_decode(uri.path()))
}

/// The fallback for unknown paths. The path is echoed with any identity number masked: it is
/// a public response.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorCode::NotFoundEndpoint,
        format!("no such endpoint: {}", public_path(&uri)),
    )
}

/// The fallback for known paths called with a method they do not take (axum adds `Allow`).
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{} does not take {method}", public_path(&uri)),
    )
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        match e {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "expected Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    ErrorCode::BodyTooLarge,
                    format!(
                        "request body is larger than {} bytes",
                        crate::MAX_BODY_BYTES
                    ),
                )
            }
            e => ApiError::new(ErrorCode::MalformedJson, e.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> ApiError {
        ApiError::new(ErrorCode::MalformedQuery, e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> ApiError {
        ApiError::new(ErrorCode::MalformedPath, e.body_text())
    }
}

/// JSON body extractor whose rejections are problem documents too.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(JsonBody(v))
    }
}

/// Query string extractor whose rejections are problem documents too. Named as axum's, so
/// that utoipa (`axum_extras`) documents its fields as query parameters just the same.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(v))
    }
}

/// Path extractor whose rejections are problem documents too. Named as axum's, so that utoipa
/// (`axum_extras`) reads its parameters just the same.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(v) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s} is not snake_case"
            );
            assert!(
                code.status().is_client_error() || code.status().is_server_error(),
                "{s}"
            );
            assert!(
                !code.title().is_empty() && !code.description().is_empty(),
                "{s}"
            );
            assert_eq!(code.problem_type(), format!("/problems/{s}"));
        }
    }
}
