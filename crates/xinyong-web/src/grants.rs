//! A subject's authorisations of credit service bodies (issue #12): the subject grants a
//! registered service body its non-public file for one purpose and a period, and revokes it at
//! will. A service's read with a purpose needs a current grant (`auth::FileReader`); the grant
//! is looked up at every read, so a revocation takes effect at the next one.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinyong_domain::access::{AccessError, ReaderKind};
use xinyong_domain::code::SubjectCode;
use xinyong_domain::rights::SubjectGrant;
use xinyong_store::Role;

use crate::AppState;
use crate::auth::{PublicCaller, SubjectCaller};
use crate::error::{ApiError, ErrorCode, JsonBody, Path};
use crate::rights::now;

/// Longest grant, in days.
const MAX_DAYS: u32 = 365;

/// The registered credit service bodies: the names of current service tokens.
async fn registered_services(state: &AppState) -> Result<BTreeSet<String>, ApiError> {
    let now = chrono::Utc::now();
    Ok(state
        .store
        .tokens()
        .await?
        .into_iter()
        .filter(|t| {
            t.role == Role::Service
                && t.revoked_at.is_none()
                && t.expires_at.is_none_or(|e| now < e)
        })
        .map(|t| t.label)
        .collect())
}

/// The credit service bodies a subject can authorise.
#[derive(Serialize, ToSchema)]
pub struct Services {
    /// Registered names, as `POST /api/v1/me/grants` takes them.
    services: Vec<String>,
}

/// The registered credit service bodies (public: a subject chooses among them).
#[utoipa::path(get, path = "/api/v1/services", tag = "rights",
    responses(
        (status = 200, description = "Registered credit service bodies", body = Services),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn services(
    _: PublicCaller,
    State(state): State<AppState>,
) -> Result<Json<Services>, ApiError> {
    Ok(Json(Services {
        services: registered_services(&state).await?.into_iter().collect(),
    }))
}

/// What a subject grants.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGrant {
    /// A registered credit service body (`GET /api/v1/services`).
    service: String,
    /// A purpose open to credit services (`GET /api/v1/purposes`).
    purpose: String,
    /// For how many days (1 to 365; default 30).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    valid_days: Option<u32>,
}

/// A subject's grants.
#[derive(Serialize, ToSchema)]
pub struct Grants {
    /// Newest first, revoked and expired ones included.
    grants: Vec<SubjectGrant>,
}

/// Authorises a credit service body to read the caller's non-public file for one purpose.
#[utoipa::path(post, path = "/api/v1/me/grants", tag = "rights",
    request_body = NewGrant,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The grant", body = SubjectGrant),
        (status = 400, description = "Unknown purpose, or a period out of range", body = crate::error::Problem),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token, or a purpose not open to credit services", body = crate::error::Problem),
        (status = 404, description = "No registered credit service body of this name", body = crate::error::Problem),
    ))]
pub async fn give(
    caller: SubjectCaller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewGrant>,
) -> Result<(StatusCode, Json<SubjectGrant>), ApiError> {
    let purpose = state
        .purposes
        .get(&body.purpose)
        .ok_or_else(|| AccessError::UnknownPurpose(body.purpose.clone()))?;
    if !purpose.readers.contains(&ReaderKind::Service) {
        return Err(AccessError::PurposeNotForReader {
            purpose: purpose.id.clone(),
            reader: ReaderKind::Service.as_str(),
        }
        .into());
    }
    let days = body.valid_days.unwrap_or(30);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("valid_days must be 1 to {MAX_DAYS}"),
        ));
    }
    if !registered_services(&state).await?.contains(&body.service) {
        return Err(ApiError::new(
            ErrorCode::UnknownService,
            format!(
                "no registered credit service body is named {:?}; see GET /api/v1/services",
                body.service
            ),
        ));
    }
    let granted_at = now();
    let grant = SubjectGrant {
        id: xinyong_store::new_id(),
        subject_code: SubjectCode::parse(&caller.code)?,
        service: body.service,
        purpose: purpose.id.clone(),
        granted_at,
        valid_until: granted_at + Duration::days(i64::from(days)),
        revoked_at: None,
    };
    state.store.put_grant(&grant).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// The caller's grants.
#[utoipa::path(get, path = "/api/v1/me/grants", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's grants", body = Grants),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
    ))]
pub async fn list(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<Json<Grants>, ApiError> {
    Ok(Json(Grants {
        grants: state.store.grants_of_subject(&caller.code).await?,
    }))
}

/// Revokes one of the caller's grants, at once.
#[utoipa::path(delete, path = "/api/v1/me/grants/{id}", tag = "rights",
    params(("id" = String, Path, description = "Grant id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The grant, revoked", body = SubjectGrant),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "No grant with this id among the caller's", body = crate::error::Problem),
    ))]
pub async fn revoke(
    caller: SubjectCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SubjectGrant>, ApiError> {
    let grant = state
        .store
        .revoke_grant(&caller.code, &id, now())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownGrant, format!("you have no grant {id}")))?;
    Ok(Json(grant))
}
