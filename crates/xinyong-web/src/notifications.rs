//! The subject's notifications (issue #12): its `me` feed and the webhook it registers.
//!
//! A notification is an audit-log entry about the subject of a kind the subject is told of: a
//! negative record published or changed, a step of its objection or repair, a non-public read
//! of its file, a credit check about it, its own grants and webhook. Reading them from the log
//! means there is no queue to lose: a webhook keeps only how far it was delivered, every
//! notification carries the index that proves it (`/api/v1/ledger/proof/inclusion`), and a
//! delivery that fails is retried, with exponential back-off, from the same place.
//!
//! Deliveries are `POST`ed as JSON and signed: `Xinyong-Signature: t=UNIX,v1=HEX`, where HEX is
//! HMAC-SHA256 under the webhook's secret of `t`, `.` and the body. The secret is shown once,
//! when the webhook is registered. Receivers must be `https` on public addresses (names are
//! resolved, checked and pinned for the connection, so a name cannot be re-pointed at an
//! internal address); `--webhook-allow-local` lifts both for development.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::{IntoParams, ToSchema};
use xinyong_domain::FieldError;
use xinyong_store::{Delivery, Webhook};

use crate::AppState;
use crate::auth::SubjectCaller;
use crate::error::{ApiError, ErrorCode, JsonBody, Query};
use crate::rights::now;

/// Most notifications in one page of the feed, and in one delivery.
const PAGE: u32 = 100;
/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// First retry after a failure; each further failure doubles it, up to [`MAX_BACKOFF_S`].
const FIRST_BACKOFF_S: i64 = 30;
const MAX_BACKOFF_S: i64 = 6 * 3600;

/// Where webhooks may point.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookPolicy {
    /// Allow `http` and loopback or private addresses (development and tests only).
    pub allow_local: bool,
}

/// Something the subject is told of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    /// The audit-log entry that records it (and proves it).
    pub ledger_index: u64,
    /// The entry's kind: `record.created`, `record.version`, `objection.filed`,
    /// `objection.decided`, `objection.escalated`, `objection.rescheduled`,
    /// `repair.rescheduled`, `repair.filed`, `repair.decided`, `read.shared`,
    /// `read.restricted`, `check`, `grant.given`, `grant.revoked`, `webhook.put`.
    pub event: String,
    pub at: DateTime<Utc>,
    /// What it is about: `RECORD@VERSION`, `objection:ID`, `repair:ID`, `check:ID`,
    /// `grant:ID`, `webhook:ID` (none for a read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// For a record, its catalogue category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// For a read or a check, who: a department code or a token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Kinds of entry the subject is told of, besides records of negative categories.
const TOLD: [&str; 14] = [
    "objection.filed",
    "objection.decided",
    "objection.escalated",
    "objection.rescheduled",
    "repair.rescheduled",
    "repair.filed",
    "repair.decided",
    "read.shared",
    "read.restricted",
    "check",
    "grant.given",
    "grant.revoked",
    "webhook.put",
    "webhook.removed",
];

/// The subject's notifications from audit-log index `from` on, oldest first, and the index
/// to continue from (past every entry looked at, notification or not).
pub async fn notifications_from(
    state: &AppState,
    code: &str,
    from: u64,
    limit: u32,
) -> Result<(Vec<Notification>, u64), ApiError> {
    let rows = state
        .store
        .ledger_rows_of_subject_from(code, from, limit)
        .await?;
    let next = rows.last().map_or(from, |r| r.index + 1);
    let mut categories: Option<HashMap<String, String>> = None;
    let mut out = Vec::new();
    for row in rows {
        let kind = row.entry.kind.as_str();
        let category = if kind == "record.created" || kind == "record.version" {
            if categories.is_none() {
                let records = state.store.records_of_subject(code).await?;
                categories = Some(
                    records
                        .into_iter()
                        .map(|r| (r.id.as_str().to_owned(), r.category))
                        .collect(),
                );
            }
            let id = row.ref_id.as_deref().and_then(|r| r.split('@').next());
            let category = id.and_then(|id| categories.as_ref().and_then(|c| c.get(id)));
            match category {
                Some(c) if state.catalogue.category(c).is_some_and(|c| c.negative) => {
                    Some(c.clone())
                }
                _ => continue,
            }
        } else if TOLD.contains(&kind) {
            None
        } else {
            continue;
        };
        let by = (kind.starts_with("read.") || kind == "check").then(|| row.entry.actor.clone());
        out.push(Notification {
            ledger_index: row.index,
            event: row.entry.kind,
            at: DateTime::from_timestamp_millis(row.entry.at_ms as i64).unwrap_or_default(),
            about: row.ref_id,
            category,
            by,
        });
    }
    Ok((out, next))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// First audit-log index to look at (default 0: from the beginning); pass the answer's
    /// `next_from` to continue.
    #[serde(default)]
    from: Option<u64>,
}

/// A page of the feed.
#[derive(Serialize, ToSchema)]
pub struct Feed {
    notifications: Vec<Notification>,
    /// Where the next page starts: pass it as `from`. Equal to `from` when nothing is new.
    next_from: u64,
}

/// The caller's notifications, oldest first, 100 audit-log entries at a time.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "rights",
    params(FeedQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Notifications from `from` on", body = Feed),
        (status = 400, description = "Malformed query", body = crate::error::Problem),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
    ))]
pub async fn feed(
    caller: SubjectCaller,
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Json<Feed>, ApiError> {
    let from = q.from.unwrap_or(0);
    let (notifications, next_from) = notifications_from(&state, &caller.code, from, PAGE).await?;
    Ok(Json(Feed {
        notifications,
        next_from,
    }))
}

/// Where to deliver.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://` URL of the receiver, on a public address.
    url: String,
}

/// A subject's webhook and how its deliveries stand.
#[derive(Serialize, ToSchema)]
pub struct WebhookState {
    id: String,
    url: String,
    created_at: DateTime<Utc>,
    /// Every notification below this audit-log index has been delivered.
    delivered_before: u64,
    /// Failed attempts since the last success.
    attempts: u32,
    next_attempt_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

impl From<Webhook> for WebhookState {
    fn from(w: Webhook) -> WebhookState {
        WebhookState {
            id: w.id,
            url: w.url,
            created_at: w.created_at,
            delivered_before: w.delivered_size,
            attempts: w.attempts,
            next_attempt_at: w.next_attempt_at,
            last_error: w.last_error,
        }
    }
}

/// A webhook just registered, with its secret (shown this once).
#[derive(Serialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    webhook: WebhookState,
    /// Hex HMAC-SHA256 key: `Xinyong-Signature: t=UNIX,v1=HEX` is the HMAC of `t`, `.` and
    /// the body under it.
    secret: String,
}

/// Why a URL may not receive deliveries, if it may not.
pub fn refuse_url(url: &str, policy: WebhookPolicy) -> Option<String> {
    let parsed = match Url::parse(url) {
        Ok(u) if url.len() <= 2000 => u,
        Ok(_) => return Some("longer than 2000 characters".into()),
        Err(e) => return Some(format!("not a URL: {e}")),
    };
    match parsed.scheme() {
        "https" => {}
        "http" if policy.allow_local => {}
        s => return Some(format!("scheme {s:?}: deliveries go to https only")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(
            "credentials in the URL: put them nowhere, the signature authenticates".into(),
        );
    }
    match parsed.host() {
        None => Some("no host".into()),
        Some(url::Host::Ipv4(ip)) if !policy.allow_local && !is_public(IpAddr::V4(ip)) => {
            Some(format!("{ip} is not a public address"))
        }
        Some(url::Host::Ipv6(ip)) if !policy.allow_local && !is_public(IpAddr::V6(ip)) => {
            Some(format!("{ip} is not a public address"))
        }
        Some(_) => None,
    }
}

/// Whether an address is on the public internet (not loopback, private, link-local, shared,
/// documentation or unspecified).
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

/// Registers (or replaces) the caller's webhook. The answer holds its secret, shown once.
#[utoipa::path(put, path = "/api/v1/me/webhook", tag = "rights",
    request_body = NewWebhook,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered; deliveries start with what happens from now", body = RegisteredWebhook),
        (status = 400, description = "Malformed JSON", body = crate::error::Problem),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 415, description = "Not JSON", body = crate::error::Problem),
        (status = 422, description = "The URL may not receive deliveries", body = crate::error::Problem),
    ))]
pub async fn register(
    caller: SubjectCaller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewWebhook>,
) -> Result<(StatusCode, Json<RegisteredWebhook>), ApiError> {
    let url = body.url.trim().to_owned();
    if let Some(why) = refuse_url(&url, state.webhooks) {
        return Err(ApiError::invalid_fields(vec![FieldError::new("url", why)]));
    }
    let code = xinyong_domain::code::SubjectCode::parse(&caller.code)
        .map_err(|e| ApiError::new(ErrorCode::InvalidCode, e.to_string()))?;
    let at = now();
    let hook = Webhook {
        id: xinyong_store::new_id(),
        subject_code: code,
        url,
        created_at: at,
        delivered_size: 0,
        attempts: 0,
        next_attempt_at: at,
        last_error: None,
    };
    let stored = state.store.put_webhook(&hook).await?;
    let secret = hex::encode(state.store.webhook_secret(&stored.id));
    Ok((
        StatusCode::CREATED,
        Json(RegisteredWebhook {
            webhook: stored.into(),
            secret,
        }),
    ))
}

fn no_webhook() -> ApiError {
    ApiError::new(ErrorCode::NoWebhook, "you have registered no webhook")
}

/// The caller's webhook and how its deliveries stand (never its secret).
#[utoipa::path(get, path = "/api/v1/me/webhook", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The webhook", body = WebhookState),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "No webhook registered", body = crate::error::Problem),
    ))]
pub async fn show(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<Json<WebhookState>, ApiError> {
    let hook = state.store.webhook_of_subject(&caller.code).await?;
    Ok(Json(hook.ok_or_else(no_webhook)?.into()))
}

/// Removes the caller's webhook: nothing more is delivered.
#[utoipa::path(delete, path = "/api/v1/me/webhook", tag = "rights",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Missing or invalid token", body = crate::error::Problem),
        (status = 403, description = "Not a subject token", body = crate::error::Problem),
        (status = 404, description = "No webhook registered", body = crate::error::Problem),
    ))]
pub async fn remove(
    caller: SubjectCaller,
    State(state): State<AppState>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .remove_webhook(&caller.code)
        .await?
        .ok_or_else(no_webhook)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `Xinyong-Signature` header of a delivery of `body` at `t` (Unix seconds).
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length: this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        unreachable!("HMAC rejected a key")
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// When to try again after the `attempts`-th failure in a row.
fn retry_at(attempts: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let wait = FIRST_BACKOFF_S
        .saturating_mul(1i64 << attempts.min(20))
        .min(MAX_BACKOFF_S);
    now + chrono::Duration::seconds(wait)
}

/// One delivery attempt to `hook`: what is new since it was last delivered, in one request.
async fn attempt(state: &AppState, hook: &Webhook) -> Delivery {
    let failed = |error: String| Delivery::Failed {
        error,
        retry_at: retry_at(hook.attempts, Utc::now()),
    };
    let code = hook.subject_code.as_str();
    let (items, next) = match notifications_from(state, code, hook.delivered_size, PAGE).await {
        Ok(page) => page,
        Err(e) => {
            tracing::warn!(webhook = %hook.id, "reading notifications: {e:?}");
            return failed("the platform could not read the notifications".into());
        }
    };
    if items.is_empty() {
        return Delivery::Delivered { size: next };
    }
    let body = serde_json::json!({"webhook": hook.id, "notifications": items}).to_string();
    let client = match pinned_client(&hook.url, state.webhooks).await {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let secret = state.store.webhook_secret(&hook.id);
    let sent = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("xinyong-webhook", &hook.id)
        .header(
            "xinyong-signature",
            signature(&secret, Utc::now().timestamp(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Delivery::Delivered { size: next },
        Ok(r) => failed(format!(
            "the receiver answered HTTP {}",
            r.status().as_u16()
        )),
        Err(e) => failed(format!("not delivered: {e}")),
    }
}

/// A client for one delivery that connects only to the addresses checked here.
async fn pinned_client(url: &str, policy: WebhookPolicy) -> Result<reqwest::Client, String> {
    if let Some(why) = refuse_url(url, policy) {
        return Err(why);
    }
    let parsed = Url::parse(url).map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or_default().to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("resolving {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if !policy.allow_local
        && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip()))
    {
        return Err(format!(
            "{host} resolves to {}, not a public address",
            bad.ip()
        ));
    }
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|e| e.to_string())
}

/// Delivers to every webhook due now; returns how many were attempted.
pub async fn deliver_due(state: &AppState) -> Result<usize, ApiError> {
    let due = state.store.due_webhooks(Utc::now(), 32).await?;
    let n = due.len();
    for hook in due {
        let outcome = attempt(state, &hook).await;
        if let Delivery::Failed { error, .. } = &outcome {
            tracing::info!(webhook = %hook.id, "webhook delivery failed: {error}");
        }
        state.store.webhook_attempted(&hook.id, &outcome).await?;
    }
    Ok(n)
}

/// Delivers due webhooks every `every`, for as long as the server runs.
pub async fn deliver_forever(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&state).await {
            tracing::warn!("delivering webhooks: {e:?}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_https_on_public_addresses_unless_local_is_allowed() {
        let strict = WebhookPolicy::default();
        let local = WebhookPolicy { allow_local: true };
        assert_eq!(refuse_url("https://hooks.example.cn/x", strict), None);
        assert!(refuse_url("http://hooks.example.cn/x", strict).is_some());
        for url in [
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.0.1/x",
            "https://169.254.169.254/latest",
            "https://100.64.0.1/",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
        ] {
            assert!(refuse_url(url, strict).is_some(), "{url}");
            assert_eq!(refuse_url(url, local), None, "{url}");
        }
        assert!(refuse_url("https://user:pw@hooks.example.cn/", local).is_some());
        assert!(refuse_url("ftp://hooks.example.cn/", local).is_some());
        assert!(refuse_url("not a url", local).is_some());
    }

    #[test]
    fn the_signature_is_the_hmac_of_time_dot_body() {
        // RFC 4231-style check against an independent computation of the same construction.
        let sig = signature(b"key", 1700000000, b"{}");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"key").unwrap();
        mac.update(b"1700000000.{}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(sig, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn back_off_doubles_up_to_six_hours() {
        let t0 = DateTime::from_timestamp(0, 0).unwrap();
        let waits: Vec<i64> = (0..12)
            .map(|a| (retry_at(a, t0) - t0).num_seconds())
            .collect();
        assert_eq!(&waits[..4], &[30, 60, 120, 240]);
        assert_eq!(waits[11], 6 * 3600);
    }
}
