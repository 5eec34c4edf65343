//! Per-client rate limits: anonymous requests get a budget per IP address (429 with
//! Retry-After when spent), and failed authentication (a bad token, a wrong operator password)
//! spends a separate, small budget, so that guessing tokens and passwords is slow while
//! departments with valid tokens are never throttled. Every
//! failed authentication is logged as a security event (target `xinyong::security`), without
//! the presented token and with any identity number in the path masked.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use xinyong_domain::disclosure::mask_identity_numbers;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// The platform's limits.
pub struct Limits {
    public: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    /// Failed authentications per address in the current window (fixed one-minute windows):
    /// looked at on every authenticated request, spent only by failures.
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    failures_per_minute: u32,
}

const WINDOW: Duration = Duration::from_secs(60);

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limits {
    /// `public_per_second` anonymous requests per IP (bursts of `public_burst`), and
    /// `failures_per_minute` failed authentications per IP.
    pub fn new(public_per_second: u32, public_burst: u32, failures_per_minute: u32) -> Limits {
        Limits {
            public: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(nonzero(public_per_second)).allow_burst(nonzero(public_burst)),
            ),
            clock: DefaultClock::default(),
            failures: Mutex::new(HashMap::new()),
            failures_per_minute,
        }
    }

    /// How long `ip` must wait because of its recent failures, if at all.
    fn failure_wait(&self, ip: IpAddr) -> Option<Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (start, count) = failures.get(&ip)?;
        let elapsed = start.elapsed();
        (elapsed < WINDOW && *count >= self.failures_per_minute).then(|| WINDOW - elapsed)
    }

    fn record_failure(&self, ip: IpAddr) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > 100_000 {
            failures.retain(|_, (start, _)| start.elapsed() < WINDOW);
        }
        let entry = failures.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    fn refuse(&self, wait: std::time::Duration) -> Response {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = ApiError::new(
            ErrorCode::RateLimited,
            format!("too many requests; retry in {secs} s"),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl Default for Limits {
    /// 20 anonymous requests per second per address with bursts of 60; 10 failed
    /// authentications per minute per address.
    fn default() -> Limits {
        Limits::new(20, 60, 10)
    }
}

/// The middleware. Requests without a known peer address (in-process tests) are not limited.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(ip) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    let limits = &state.limits;
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    // Signing in carries credentials in the body: it spends and obeys the failure budget too.
    let signs_in = req.uri().path() == crate::sessions::PATH;
    if (authenticated || signs_in)
        && let Some(wait) = limits.failure_wait(ip)
    {
        return limits.refuse(wait);
    }
    if !authenticated && let Err(not_until) = limits.public.check_key(&ip) {
        return limits.refuse(not_until.wait_time_from(limits.clock.now()));
    }
    let path = loggable_path(req.uri().path());
    let response = next.run(req).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        tracing::warn!(target: "xinyong::security", %ip, %path, "authentication failed");
        limits.record_failure(ip);
    }
    response
}

/// A request path as it may be logged: percent-decoded (so that an encoded identity number is
/// recognised) and with every citizen identity number masked. Paths such as
/// `/api/v1/subjects/{code}` carry one, and logs are copied far more widely than the database.
/// Control characters (line breaks above all) are escaped, so that a path cannot end the log
/// line and write a forged one after it.
fn loggable_path(path: &str) -> String {
    let decoded = crate::public::percent_decode(path);
    let masked = mask_identity_numbers(&decoded);
    let forges = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !masked.contains(forges) {
        return masked.into_owned();
    }
    masked
        .chars()
        .map(|c| {
            if forges(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_paths_never_hold_a_whole_identity_number() {
        assert_eq!(
            loggable_path("/api/v1/subjects/11010519491231002X"),
            "/api/v1/subjects/110105********002X"
        );
        assert_eq!(
            loggable_path("/subjects/11010519491231002x"),
            "/subjects/110105********002X"
        );
        // Encoded digits are decoded first.
        assert_eq!(
            loggable_path("/subjects/%3110105194912310%302X"),
            "/subjects/110105********002X"
        );
        // Organisations' codes and other paths stay as they are.
        assert_eq!(
            loggable_path("/api/v1/subjects/91110000600037341L"),
            "/api/v1/subjects/91110000600037341L"
        );
        assert_eq!(loggable_path("/a%zz/%e4%b8%ad"), "/a%zz/中");
        // A decoded line break cannot start a forged log line (issue #11, item 6).
        assert_eq!(
            loggable_path("/api/v1/records/x%0A2026-12-02T00:00:00Z%20INFO%20FORGED%0D"),
            "/api/v1/records/x\\n2026-12-02T00:00:00Z INFO FORGED\\r"
        );
        assert_eq!(loggable_path("/%ff"), "/%ff");
    }
}
