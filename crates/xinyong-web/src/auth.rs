//! Authentication: bearer tokens and the extractors that say, in a handler's signature, who
//! may call it.
//!
//! Tokens are random, prefixed `xy_`, shown once and stored only as their SHA-256; a request
//! that presents an invalid token is refused (401), never served as anonymous.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use xinyong_domain::Department;
use xinyong_store::{Role, Token};

use crate::AppState;
use crate::error::ApiError;

/// Prefix of every Xinyong token: makes leaked tokens easy to find by secret scanners.
pub const TOKEN_PREFIX: &str = "xy_";

/// A freshly made token: the secret to show once, and what to store.
pub struct NewToken {
    pub secret: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewToken { secret: <redacted>, .. }")
    }
}

/// Makes a new random token (256 bits from the OS generator).
pub fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = hash_token(&secret);
    NewToken { secret, hash }
}

/// The stored form of a token.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Looks up the token a request presents, if it presents one.
async fn presented_token(parts: &Parts, state: &AppState) -> Result<Option<Token>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || ApiError::Unauthorized("invalid, expired or revoked token".into());
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::Unauthorized("expected Authorization: Bearer TOKEN".into()))?;
    if !secret.starts_with(TOKEN_PREFIX) {
        return Err(invalid());
    }
    // Lookup is by hash: the database index compares hashes, never the secret itself.
    let token = state
        .store
        .token_by_hash(&hash_token(secret))
        .await?
        .ok_or_else(invalid)?;
    let now = chrono::Utc::now();
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|e| e <= now) {
        return Err(invalid());
    }
    Ok(Some(token))
}

/// A caller authenticated as a department. Handlers that take this may only be called with a
/// department token.
pub struct DepartmentCaller(pub Department);

impl FromRequestParts<AppState> for DepartmentCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = presented_token(parts, state).await?.ok_or_else(|| {
            ApiError::Unauthorized("this endpoint needs a department token".into())
        })?;
        match (token.role, token.department) {
            (Role::Department, Some(code)) => {
                let department = state.store.department(&code).await?.ok_or_else(|| {
                    ApiError::Unauthorized("the token's department no longer exists".into())
                })?;
                Ok(DepartmentCaller(department))
            }
            _ => Err(ApiError::Forbidden(
                "this endpoint needs a department token".into(),
            )),
        }
    }
}

/// An anonymous or authenticated caller of a public endpoint. A presented token must be valid:
/// a bad token is refused, not silently downgraded to anonymous.
pub struct PublicCaller;

impl FromRequestParts<AppState> for PublicCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        presented_token(parts, state).await?;
        Ok(PublicCaller)
    }
}

/// Declares the bearer scheme in the OpenAPI document.
pub struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert!(a.secret.starts_with("xy_") && a.secret.len() == 3 + 64);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash_token(&a.secret));
        assert!(!format!("{a:?}").contains(&a.secret));
    }
}
