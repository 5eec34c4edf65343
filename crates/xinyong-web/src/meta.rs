//! Health and the catalogue.

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
