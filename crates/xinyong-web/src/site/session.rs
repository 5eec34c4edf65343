//! What the website's signed-in pages share (the subject's `/me`, the departments' and
//! operators' `/console`): a bearer token kept in a cookie that scripts cannot read
//! (`HttpOnly`), that no other site's page can make the browser send (`SameSite=Strict`), that
//! only its own pages receive (`Path`), and that travels only over TLS except on a loopback
//! host; a CSRF token derived from it; and the same-origin test every form post passes first.
//! The JSON API never honours these cookies: it keeps to bearer tokens.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The session token from the request's cookie `name`, if any.
pub(super) fn session_secret(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// The CSRF token of a session: only who holds the session token can compute it.
pub(super) fn csrf_of(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"xinyong csrf\0");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// Whether a form's CSRF token is the session's (compared as hex digests of equal length; the
/// token is not secret from its own holder).
pub(super) fn csrf_matches(csrf: &str, secret: &str) -> bool {
    csrf.len() == 64 && csrf == csrf_of(secret)
}

/// Whether a `POST` comes from this site. Browsers say so in `Sec-Fetch-Site`; where it is
/// missing, an `Origin` other than `null` must name the request's `Host`. (The site's
/// `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on its own forms.)
pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text("origin").filter(|o| *o != "null") else {
        return true;
    };
    let host = text("host").unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, h)| !host.is_empty() && h == host)
}

fn is_loopback_host(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

/// The `Set-Cookie` value of session cookie `name` for the pages under `path`; `max_age` 0
/// clears it.
pub(super) fn session_cookie(
    name: &str,
    path: &str,
    value: &str,
    max_age: i64,
    headers: &HeaderMap,
) -> HeaderValue {
    let secure = if is_loopback_host(headers) {
        ""
    } else {
        "; Secure"
    };
    let text = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""))
}

/// A signed-in page: no cache keeps it.
pub(super) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
