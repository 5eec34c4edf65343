//! Authentication: bearer tokens and the extractors that say, in a handler's signature, who
//! may call it.
//!
//! Tokens are random, prefixed `xy_`, shown once and stored only as their SHA-256; a request
//! that presents an invalid token is refused (401), never served as anonymous.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use xinyong_domain::Department;
use xinyong_domain::access::{AccessError, Clearance, Grant, ReaderKind, clearance};
use xinyong_store::{Role, Token};

use crate::AppState;
use crate::error::{ApiError, ErrorCode, Query};

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
    hex::encode(token_digest(secret))
}

/// The SHA-256 of a token: [`hash_token`] before it is written out in hex.
fn token_digest(secret: &str) -> TokenDigest {
    Sha256::digest(secret.as_bytes()).into()
}

/// The fewest characters an operator's password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a password cannot be set.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters; this one has {0}")]
    TooShort(usize),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
}

/// Hashes an operator's password with Argon2id (the `argon2` crate's defaults: 19 MiB, 2
/// passes, 1 lane) and a random 16-byte salt, as a PHC string that records the algorithm and
/// its parameters. Refuses passwords shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    use argon2::PasswordHasher;
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort(chars));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = argon2::password_hash::SaltString::encode_b64(&salt)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (constant-time comparison of the
/// outputs). An unreadable hash matches nothing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::password_hash::PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password with the same parameters as real ones: signing in with an
/// unknown name verifies against it, so that the answer takes as long as with a known name.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        hash_password(&hex::encode(bytes)).unwrap_or_default()
    })
}

/// Who a valid token belongs to. Shared ([`Arc`]) between the cache and the requests that
/// present the token: a request copies out only what its extractor hands to the handler.
pub(crate) struct Principal {
    token: Token,
    department: Option<Department>,
}

impl Principal {
    /// The id of the token (a `String`: the key type of the per-token rate limits).
    pub(crate) fn token_id(&self) -> &String {
        &self.token.id
    }
}

/// How long a verified token (and its department) is trusted without asking the store again.
/// Bounds how late a revocation made by another process takes effect.
pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(5);

/// A token's SHA-256, as the verified-token cache is keyed (the store keeps its hex).
type TokenDigest = [u8; 32];

/// Verified tokens by hash, so that each request does not cost four queries.
#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<TokenDigest, (Instant, Arc<Principal>)>>,
}

impl AuthCache {
    fn get(&self, hash: &TokenDigest) -> Option<Arc<Principal>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(hash)
            .filter(|(at, _)| at.elapsed() < AUTH_CACHE_TTL)
            .map(|(_, p)| p.clone())
    }

    fn put(&self, hash: TokenDigest, principal: Arc<Principal>) {
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

/// The token of this request, verified once by the limits middleware ([`verify_presented`]),
/// so that the extractors after it do not verify it again.
#[derive(Clone)]
struct Verified(Arc<Principal>);

/// Verifies the token a request presents before it is routed, for the rate limits
/// (`limits.rs`), which must know whether a presented token is valid: a valid token is
/// budgeted per token and never refused for its address's failures, an invalid one spends the
/// address's failure budget. `Ok(Some(holder))` for a valid token, `Ok(None)` without an
/// `Authorization` header, and the 401 (or, if the store failed, 500) otherwise.
pub(crate) async fn verify_presented(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<Arc<Principal>>, ApiError> {
    let Some(principal) = authenticate(parts, state).await? else {
        return Ok(None);
    };
    parts.extensions.insert(Verified(principal.clone()));
    Ok(Some(principal))
}

/// Verifies the token a request presents, if it presents one.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Arc<Principal>>, ApiError> {
    if let Some(Verified(principal)) = parts.extensions.get::<Verified>() {
        return Ok(Some(principal.clone()));
    }
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::TokenMalformed,
                "expected Authorization: Bearer TOKEN",
            )
        })?;
    principal_of(secret, state).await.map(Some)
}

/// The holder of the token `secret`, if it is a current token.
async fn principal_of(secret: &str, state: &AppState) -> Result<Arc<Principal>, ApiError> {
    let invalid = || ApiError::new(ErrorCode::TokenInvalid, "invalid, expired or revoked token");
    if !secret.starts_with(TOKEN_PREFIX) {
        return Err(invalid());
    }
    // Lookup is by hash: the database index compares hashes, never the secret itself.
    let digest = token_digest(secret);
    let principal = match state.auth.get(&digest) {
        Some(p) => p,
        None => {
            let token = state
                .store
                .token_by_hash(&hex::encode(digest))
                .await?
                .ok_or_else(invalid)?;
            let department = match &token.department {
                Some(code) => state.store.department(code).await?,
                None => None,
            };
            let p = Arc::new(Principal { token, department });
            state.auth.put(digest, p.clone());
            p
        }
    };
    let now = chrono::Utc::now();
    if principal.token.revoked_at.is_some() || principal.token.expires_at.is_some_and(|e| e <= now)
    {
        return Err(invalid());
    }
    Ok(principal)
}

/// The subject whose token `secret` is (the website's signed-in subject, whose token travels
/// in a cookie rather than an `Authorization` header); `None` for any other or no token.
pub(crate) async fn subject_of(secret: &str, state: &AppState) -> Option<SubjectCaller> {
    let principal = principal_of(secret, state).await.ok()?;
    match (principal.token.role, &principal.token.subject) {
        (Role::Subject, Some(code)) => Some(SubjectCaller {
            token: principal.token.id.clone(),
            code: code.clone(),
        }),
        _ => None,
    }
}

/// Who a request comes from, once the token it presents (if any) is verified.
#[derive(Clone)]
pub enum Caller {
    Anonymous,
    Operator {
        token: String,
    },
    Department {
        token: String,
        department: Department,
    },
    /// A licensed credit service body, named by its token's label.
    Service {
        token: String,
        label: String,
    },
    /// A data subject, by its subject code.
    Subject {
        token: String,
        code: String,
    },
}

impl std::fmt::Debug for Caller {
    // A subject's code may be a citizen identity number: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.role())
    }
}

impl Caller {
    /// The caller's role, as tokens name it (`anonymous` without a token).
    pub fn role(&self) -> &'static str {
        match self {
            Caller::Anonymous => "anonymous",
            Caller::Operator { .. } => Role::Operator.as_str(),
            Caller::Department { .. } => Role::Department.as_str(),
            Caller::Service { .. } => Role::Service.as_str(),
            Caller::Subject { .. } => Role::Subject.as_str(),
        }
    }

    /// Whether the caller may find a natural person by the full identity number: a guess of
    /// a number must not be confirmed (with the person's name) to just anyone. Departments,
    /// operators and credit service bodies hold tokens the operator issued and answer for
    /// their use; a subject finds itself. The public and other subjects are answered as if
    /// no one had the number (SECURITY.md, "Searching by identity number").
    pub fn finds_persons_by_number(&self, number: &str) -> bool {
        match self {
            Caller::Department { .. } | Caller::Operator { .. } | Caller::Service { .. } => true,
            Caller::Subject { code, .. } => code == number,
            Caller::Anonymous => false,
        }
    }

    /// The id of the token the caller presented.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Caller::Anonymous => None,
            Caller::Operator { token }
            | Caller::Department { token, .. }
            | Caller::Service { token, .. }
            | Caller::Subject { token, .. } => Some(token),
        }
    }
}

/// Verifies the request's token and says who it belongs to.
async fn caller(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    match authenticate(parts, state).await? {
        None => Ok(Caller::Anonymous),
        Some(principal) => caller_of(&principal),
    }
}

/// Who holds the token `secret` (the console's signed-in department or operator, whose token
/// travels in a cookie rather than an `Authorization` header); `None` for no current token.
pub(crate) async fn caller_of_secret(secret: &str, state: &AppState) -> Option<Caller> {
    let principal = principal_of(secret, state).await.ok()?;
    caller_of(&principal).ok()
}

/// The caller a token's holder is: copies of what the handler needs, out of the shared
/// [`Principal`].
fn caller_of(principal: &Principal) -> Result<Caller, ApiError> {
    let token = principal.token.id.clone();
    Ok(match principal.token.role {
        Role::Operator => Caller::Operator { token },
        Role::Department => match &principal.department {
            Some(department) => Caller::Department {
                token,
                department: department.clone(),
            },
            None => {
                return Err(ApiError::new(
                    ErrorCode::TokenInvalid,
                    "the token's department no longer exists",
                ));
            }
        },
        Role::Service => Caller::Service {
            token,
            label: principal.token.label.clone(),
        },
        Role::Subject => match &principal.token.subject {
            Some(code) => Caller::Subject {
                token,
                code: code.clone(),
            },
            None => {
                return Err(ApiError::new(
                    ErrorCode::TokenInvalid,
                    "the subject token names no subject",
                ));
            }
        },
    })
}

/// Refuses a caller of the wrong kind: 401 without a token, 403 with another role's token.
fn refuse(caller: &Caller, needed: &str) -> ApiError {
    let message = format!("this endpoint needs {needed} token");
    match caller {
        Caller::Anonymous => ApiError::new(ErrorCode::TokenMissing, message),
        _ => ApiError::new(ErrorCode::WrongRole, message),
    }
}

/// A caller authenticated as a department. Handlers that take this may only be called with a
/// department token.
pub struct DepartmentCaller(pub Department);

impl FromRequestParts<AppState> for DepartmentCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Department { department, .. } => Ok(DepartmentCaller(department)),
            other => Err(refuse(&other, "a department")),
        }
    }
}

/// A caller authenticated as the platform operator (token administration, decisions on
/// special applications).
pub struct OperatorCaller {
    /// The operator's token id, recorded with each decision.
    pub token: String,
}

impl FromRequestParts<AppState> for OperatorCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Operator { token } => Ok(OperatorCaller { token }),
            other => Err(refuse(&other, "an operator")),
        }
    }
}

/// Whoever may follow a special application: an operator (any application) or a department
/// (its own; the handler matches the application's department against it).
pub enum CaseworkCaller {
    Operator { token: String },
    Department(Department),
}

impl FromRequestParts<AppState> for CaseworkCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Operator { token } => Ok(CaseworkCaller::Operator { token }),
            Caller::Department { department, .. } => Ok(CaseworkCaller::Department(department)),
            other => Err(refuse(&other, "an operator or department")),
        }
    }
}

/// Whoever may be party to a subject-rights case (an objection): the subject that filed it,
/// the department that decides it, or an operator who oversees every case. The handler
/// matches the case against the caller.
pub enum PartyCaller {
    Operator,
    Department(Department),
    Subject { code: String },
}

impl FromRequestParts<AppState> for PartyCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Operator { .. } => Ok(PartyCaller::Operator),
            Caller::Department { department, .. } => Ok(PartyCaller::Department(department)),
            Caller::Subject { code, .. } => Ok(PartyCaller::Subject { code }),
            other => Err(refuse(&other, "a subject, department or operator")),
        }
    }
}

/// A caller authenticated as a licensed credit service body.
pub struct ServiceCaller {
    pub token: String,
    pub label: String,
}

impl FromRequestParts<AppState> for ServiceCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Service { token, label } => Ok(ServiceCaller { token, label }),
            other => Err(refuse(&other, "a credit service")),
        }
    }
}

/// A data subject reading or acting on its own file. `code` comes from the token, never from
/// the request, so a subject can only ever reach its own file.
#[derive(Clone)]
pub struct SubjectCaller {
    pub token: String,
    pub code: String,
}

impl FromRequestParts<AppState> for SubjectCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match caller(parts, state).await? {
            Caller::Subject { token, code } => Ok(SubjectCaller { token, code }),
            other => Err(refuse(&other, "a subject")),
        }
    }
}

/// What a reader of a subject's file states in the query string.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadRequest {
    /// Why non-public information is read: an id from `GET /api/v1/purposes`. Without it only
    /// public information is returned. Needs a department or credit service token.
    pub purpose: Option<String>,
    /// The statute a department cites to read restricted information (with `purpose`): the id,
    /// citation or an alias of one of the statutes of `GET /api/v1/purposes`. The read is
    /// logged with the statute's citation, however it was spelled here.
    pub legal_basis: Option<String>,
    /// An approved, unexpired special application of the calling department for this subject
    /// and purpose: opens restricted information (with `purpose`).
    pub application: Option<String>,
}

/// A reader of a subject's file: who calls, and the purpose and grant stated. The handler asks
/// [`FileReader::clearance`] once how far the reader may see; every refusal is decided there.
pub struct FileReader {
    pub caller: Caller,
    pub request: ReadRequest,
}

impl FromRequestParts<AppState> for FileReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = caller(parts, state).await?;
        let Query(request) = Query::<ReadRequest>::from_request_parts(parts, state).await?;
        Ok(FileReader { caller, request })
    }
}

/// How far a reader may see into one subject's file, and on what grounds.
#[derive(Debug)]
pub struct Access {
    pub clearance: Clearance,
    pub reader: Option<ReaderKind>,
    pub purpose: Option<String>,
    pub grant: Option<Grant>,
}

impl Access {
    /// Whether outputs for this reader mask personal data: the public and credit service
    /// bodies get masked data, departments reading for a stated purpose get it whole.
    pub fn masks(&self) -> bool {
        self.reader != Some(ReaderKind::Department)
    }
}

impl FileReader {
    /// Decides how far this reader may see into `subject_code`'s file now.
    pub async fn clearance(
        &self,
        state: &AppState,
        subject_code: &str,
    ) -> Result<Access, ApiError> {
        let r = &self.request;
        let stated = r.purpose.is_some() || r.legal_basis.is_some() || r.application.is_some();
        if !stated {
            return Ok(Access {
                clearance: Clearance::Public,
                reader: None,
                purpose: None,
                grant: None,
            });
        }
        let (reader, department, service) = match &self.caller {
            Caller::Department { department, .. } => {
                (ReaderKind::Department, Some(department), None)
            }
            Caller::Service { label, .. } => (ReaderKind::Service, None, Some(label)),
            Caller::Anonymous => {
                return Err(ApiError::new(
                    ErrorCode::TokenMissing,
                    "reading non-public information needs a department or credit service token",
                ));
            }
            Caller::Operator { .. } => {
                return Err(ApiError::new(
                    ErrorCode::WrongRole,
                    "an operator does not read subjects' non-public information; a department \
                     or credit service reads it for a stated purpose",
                ));
            }
            Caller::Subject { code, .. } if code == subject_code => {
                return Err(ApiError::new(
                    ErrorCode::WrongRole,
                    "this is your own file: read all of it, without a purpose, at \
                     GET /api/v1/me/records",
                ));
            }
            Caller::Subject { .. } => {
                return Err(ApiError::new(
                    ErrorCode::WrongRole,
                    "a subject does not read other subjects' non-public information",
                ));
            }
        };
        let grant = match (&r.legal_basis, &r.application) {
            (Some(_), Some(_)) => {
                return Err(ApiError::new(
                    ErrorCode::ConflictingGrants,
                    "give either legal_basis or application, not both",
                ));
            }
            (Some(basis), None) => Some(Grant::LegalBasis(basis.clone())),
            (None, Some(id)) => Some(Grant::SpecialApplication(id.clone())),
            (None, None) => None,
        };

        let mut clearance = clearance(
            &state.purposes,
            reader,
            r.purpose.as_deref(),
            grant.as_ref(),
        )?;
        // A service reads nothing non-public without the subject's current grant, looked up
        // now (never cached: a revocation takes effect at the next read).
        let grant = match (service, &r.purpose, grant) {
            (Some(label), Some(purpose), None) => {
                let now = chrono::Utc::now();
                let grants = state.store.grants_to(subject_code, label).await?;
                let Some(g) = grants
                    .iter()
                    .find(|g| g.permits(label, subject_code, purpose, now))
                else {
                    tracing::warn!(
                        target: "xinyong::security",
                        service = %crate::public::text(label),
                        purpose = %purpose,
                        "credit service read refused: no current grant of the subject"
                    );
                    return Err(AccessError::NoSubjectGrant {
                        service: label.clone(),
                        purpose: purpose.clone(),
                    }
                    .into());
                };
                let grant = Grant::SubjectGrant(g.id.clone());
                // The domain rule says what the grant opens.
                clearance = xinyong_domain::access::clearance(
                    &state.purposes,
                    reader,
                    Some(purpose),
                    Some(&grant),
                )?;
                Some(grant)
            }
            (_, _, grant) => grant,
        };
        if let (Some(Grant::SpecialApplication(id)), Some(department), Some(purpose)) =
            (&grant, department, &r.purpose)
        {
            let application = state.store.special_application(id).await?.ok_or_else(|| {
                AccessError::ApplicationDoesNotGrant(id.clone(), "there is no such application")
            })?;
            application.grants(&department.code, subject_code, purpose, chrono::Utc::now())?;
        }
        // What is recorded of the read is the statute (its canonical citation), however the
        // caller spelled it: one read, one entry, whichever alias or spacing was typed.
        let grant = match grant {
            Some(Grant::LegalBasis(cited)) => Some(Grant::LegalBasis(
                state
                    .purposes
                    .statute(&cited)
                    .map_or(cited, |statute| statute.citation.clone()),
            )),
            other => other,
        };
        Ok(Access {
            clearance,
            reader: Some(reader),
            purpose: r.purpose.clone(),
            grant,
        })
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

/// The caller of a public endpoint whose answer depends on who asks (a search or a subject
/// looked up by a full identity number): anonymous, or the holder of a valid token.
pub struct Visitor(pub Caller);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Visitor(caller(parts, state).await?))
    }
}

/// Middleware for routes that take no caller extractor (the website): a presented token must be
/// valid there too, so a bad token is refused everywhere rather than served as anonymous.
pub async fn refuse_bad_tokens(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    if let Err(e) = authenticate(&parts, &state).await {
        return e.into_response();
    }
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
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

    #[test]
    #[allow(clippy::unwrap_used)]
    fn passwords_are_argon2id_phc_strings_and_verify_only_themselves() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert_ne!(
            hash,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterx"));
        assert!(!verify_password(
            "not a phc string",
            "correct horse battery"
        ));
        assert!(!verify_password(dummy_password_hash(), ""));
        assert!(dummy_password_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches!(
            hash_password("elevenchars"),
            Err(PasswordError::TooShort(11))
        ));
        // Characters, not bytes: twelve Chinese characters are enough.
        assert!(hash_password("一二三四五六七八九十百千").is_ok());
    }
}
