//! Operator sign-in: a name and a password give a short-lived operator token, so that the rest
//! of the API keeps to bearer tokens. Wrong name, wrong password and disabled account get the
//! same answer after the same work; every failure spends the address's failed-authentication
//! budget (`limits.rs`: 429 with Retry-After once spent) and is logged as a security event,
//! never with the password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinyong_store::{Role, Token};

use crate::AppState;
use crate::auth::{PublicCaller, dummy_password_hash, new_token, verify_password};
use crate::error::{ApiError, ErrorCode, JsonBody};

/// Where sessions are opened (the throttle looks at it: it carries credentials in its body).
pub const PATH: &str = "/api/v1/sessions";

/// How long a session lasts: a working day, then sign in again.
pub const SESSION_HOURS: i64 = 8;

/// The one answer to every failed sign-in: it does not say whether the name exists.
const REFUSED: &str = "wrong name or password, or the account is disabled";

/// An operator's credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// The account's name (`xinyong operator add NAME`).
    name: String,
    /// The account's password.
    #[schema(format = Password)]
    password: String,
}

/// A session: an operator token, shown this once.
#[derive(Serialize, ToSchema)]
pub struct Session {
    /// The bearer token (`xy_...`); send it as `Authorization: Bearer TOKEN`.
    token: String,
    /// The token's id, as `xinyong token list` shows it (and `xinyong token revoke` takes it).
    token_id: String,
    /// When the token stops working.
    expires_at: DateTime<Utc>,
}

/// Signs an operator in: the name and password of an enabled operator account give an operator
/// token valid for 8 hours. Failed attempts are rate-limited per address.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "access",
    request_body = SessionRequest,
    responses(
        (status = 201, description = "Signed in: the token, shown once", body = Session),
        (status = 400, description = "The body is not a name and a password", body = crate::error::Problem),
        (status = 401, description = "Wrong name or password, or a disabled account (one answer for all); or an invalid token was presented", body = crate::error::Problem),
        (status = 429, description = "Too many failed authentications from this address; see Retry-After", body = crate::error::Problem),
    ))]
pub async fn sign_in(
    _: PublicCaller,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SessionRequest>,
) -> Result<Response, ApiError> {
    let SessionRequest { name, password } = request;
    // An unknown name is verified against a dummy hash, so that it takes as long as a known
    // one; made before the lookup, so that the first sign-in after start tells nothing either.
    let dummy = dummy_password_hash();
    let account = state.store.operator(&name).await?;
    let hash = account
        .as_ref()
        .map_or_else(|| dummy.to_owned(), |a| a.password_hash.clone());
    // Argon2 takes tens of milliseconds of CPU: off the async threads.
    let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    let refuse = |reason: &str| {
        // A name typed in is only logged if it names an account: a password typed into the
        // name field by mistake must not reach the log.
        let account = account.as_ref().map_or("(unknown)", |a| a.name.as_str());
        tracing::warn!(target: "xinyong::security", account, reason, "operator sign-in refused");
        ApiError::new(ErrorCode::SignInRefused, REFUSED)
    };
    let account = match &account {
        None => return Err(refuse("no such account")),
        Some(_) if !matches => return Err(refuse("wrong password")),
        Some(a) if a.disabled_at.is_some() => return Err(refuse("account disabled")),
        Some(a) => a,
    };
    let now = Utc::now();
    let secret = new_token();
    let token = Token {
        id: xinyong_store::new_id(),
        hash: secret.hash.clone(),
        role: Role::Operator,
        department: None,
        subject: None,
        label: format!("session of operator {}", account.name),
        created_at: now,
        expires_at: Some(now + chrono::Duration::hours(SESSION_HOURS)),
        revoked_at: None,
    };
    if !state
        .store
        .open_operator_session(&account.id, &token)
        .await?
    {
        // Disabled between the lookup and now.
        return Err(refuse("account disabled"));
    }
    tracing::info!(
        target: "xinyong::security",
        account = %account.name,
        token = %token.id,
        "operator session opened"
    );
    let mut response = (
        StatusCode::CREATED,
        Json(Session {
            token: secret.secret,
            token_id: token.id,
            expires_at: token.expires_at.unwrap_or(now),
        }),
    )
        .into_response();
    // A secret: no cache keeps it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
