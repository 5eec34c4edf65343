//! Authentication: bearer tokens and the extractors that say, in a handler's signature, who
//! may call it.
//!
//! Tokens are random, prefixed `xy_`, shown once and stored only as their SHA-256; a request
//! that presents an invalid token is refused (401), never served as anonymous.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Who a valid token belongs to.
#[derive(Clone)]
struct Principal {
    token: Token,
    department: Option<Department>,
}

/// How long a verified token (and its department) is trusted without asking the store again.
/// Bounds how late a revocation made by another process takes effect.
pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(5);

/// Verified tokens by hash, so that each request does not cost four queries.
#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<String, (Instant, Principal)>>,
}

impl AuthCache {
    fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(hash)
            .filter(|(at, _)| at.elapsed() < AUTH_CACHE_TTL)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, hash: String, principal: Principal) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: stale entries go whenever the map grows large.
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| at.elapsed() < AUTH_CACHE_TTL);
        }
        entries.insert(hash, (Instant::now(), principal));
    }

    /// Forgets every cached token (after a revocation in this process).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

/// Verifies the token a request presents, if it presents one.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
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
    let hash = hash_token(secret);
    let principal = match state.auth.get(&hash) {
        Some(p) => p,
        None => {
            let token = state
                .store
                .token_by_hash(&hash)
                .await?
                .ok_or_else(invalid)?;
            let department = match &token.department {
                Some(code) => state.store.department(code).await?,
                None => None,
            };
            let p = Principal { token, department };
            state.auth.put(hash, p.clone());
            p
        }
    };
    let now = chrono::Utc::now();
    if principal.token.revoked_at.is_some() || principal.token.expires_at.is_some_and(|e| e <= now)
    {
        return Err(invalid());
    }
    Ok(Some(principal))
}

/// A caller authenticated as a department. Handlers that take this may only be called with a
/// department token.
pub struct DepartmentCaller(pub Department);

impl FromRequestParts<AppState> for DepartmentCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = authenticate(parts, state).await?.ok_or_else(|| {
            ApiError::Unauthorized("this endpoint needs a department token".into())
        })?;
        match (principal.token.role, principal.department) {
            (Role::Department, Some(department)) => Ok(DepartmentCaller(department)),
            (Role::Department, None) => Err(ApiError::Unauthorized(
                "the token's department no longer exists".into(),
            )),
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
        authenticate(parts, state).await?;
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
