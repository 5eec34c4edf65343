//! Errors at the edge: every failure becomes an RFC 9457 problem document
//! (`application/problem+json`) with a stable `type`. This is the only place that maps errors
//! to HTTP statuses.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_domain::access::AccessError;
use xinyong_store::StoreError;

/// One problem with one record of a batch (or one row of a file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecordError {
    /// Position of the record in the submitted batch, from 0.
    pub index: usize,
    pub field: String,
    pub message: String,
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
    /// For `422`: every problem found, each naming the record and field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RecordError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{} invalid record(s); nothing was stored", distinct_records(.0))]
    Invalid(Vec<RecordError>),
    #[error(transparent)]
    Access(#[from] AccessError),
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
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
            ),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
            ),
            ApiError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-records",
                "Invalid records",
            ),
            ApiError::Access(e) => match e {
                AccessError::UnknownPurpose(_)
                | AccessError::GrantWithoutPurpose
                | AccessError::BadLegalBasis
                | AccessError::UnknownLegalBasis(_) => {
                    (StatusCode::BAD_REQUEST, "bad-request", "Bad request")
                }
                AccessError::PurposeNotForReader { .. }
                | AccessError::LegalBasisNotForPurpose { .. }
                | AccessError::GrantNotForReader
                | AccessError::ApplicationDoesNotGrant(..) => {
                    (StatusCode::FORBIDDEN, "forbidden", "Not allowed")
                }
            },
            ApiError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, title) = self.parts();
        if let ApiError::Store(e) = &self {
            // The cause goes to the operator's log, never to the client.
            tracing::error!(error = %e, "storage failure");
        }
        let detail = self.to_string();
        let errors = match self {
            ApiError::Invalid(errors) => errors,
            _ => Vec::new(),
        };
        let problem = Problem {
            problem_type: format!("/problems/{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
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

/// The fallback for unknown paths.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no such endpoint: {}", uri.path()))
}

/// JSON body extractor whose rejections are problem documents too.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "expected Content-Type: application/json".into(),
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::PayloadTooLarge(format!(
                    "request body is larger than {} bytes",
                    crate::MAX_BODY_BYTES
                )))
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}
