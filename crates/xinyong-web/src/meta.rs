//! Health (liveness and readiness) and the catalogue.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_domain::Catalogue;

use crate::AppState;
use crate::auth::PublicCaller;
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness: answers without touching the database, so it measures the server itself.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses(
        (status = 200, description = "The server is up", body = Health),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn healthz(_: PublicCaller) -> Json<Health> {
    Json(Health { status: "ok" })
}

/// What `/readyz` found.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready` or `not_ready`.
    status: &'static str,
    /// The database answered.
    database: bool,
    /// The newest migration applied, and the newest this build carries: equal when current.
    migrations_applied: i64,
    migrations_expected: i64,
    /// The data keys are the database's own.
    keys: bool,
}

/// Readiness, for orchestrators: the database answers, its migrations are current and the
/// data keys are the database's own. 503 (with the same body) when any is not.
#[utoipa::path(get, path = "/readyz", tag = "meta",
    responses(
        (status = 200, description = "Ready to serve", body = Ready),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
        (status = 503, description = "Not ready: what failed is false or behind", body = Ready),
    ))]
pub async fn readyz(
    _: PublicCaller,
    State(state): State<AppState>,
) -> (axum::http::StatusCode, Json<Ready>) {
    let r = state.store.readiness().await;
    let ready = r.is_ready();
    (
        if ready {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        },
        Json(Ready {
            status: if ready { "ready" } else { "not_ready" },
            database: r.database,
            migrations_applied: r.migrations_applied,
            migrations_expected: r.migrations_expected,
            keys: r.keys,
        }),
    )
}

/// The catalogue of information categories: the whitelist every record is checked against.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "catalogue",
    responses(
        (status = 200, description = "The catalogue in force", body = Catalogue),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn catalogue(
    _: PublicCaller,
    State(state): State<AppState>,
) -> Result<Json<Catalogue>, ApiError> {
    Ok(Json(state.catalogue.as_ref().clone()))
}
