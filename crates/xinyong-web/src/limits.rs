//! Per-client rate limits, all of them configuration ([`LimitsConfig`], `xinyong serve`'s
//! `--rate-*` flags):
//!
//! - anonymous requests get a budget per client address (429 with Retry-After when spent);
//! - a request with a valid token is budgeted per token instead, and is never refused because
//!   of what others did from its address;
//! - failed authentication (an invalid, expired or revoked token, a malformed `Authorization`
//!   header, a wrong operator password) spends a separate, small budget per address, so that
//!   guessing tokens and passwords is slow. A request without a token is not a guess: it is an
//!   anonymous request, whatever endpoint it calls.
//!
//! The client address is the socket's peer, or, when the peer is a configured reverse proxy
//! (`--trusted-proxy`), the address that proxy reports in `X-Forwarded-For` (or `Forwarded`):
//! the right-most address in it that is not itself a trusted proxy. IPv6 clients are budgeted
//! by /64, the block one subscriber gets. Every failed authentication is logged as a security
//! event (target `xinyong::security`), without the presented token and with any identity
//! number in the path masked.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use xinyong_domain::disclosure::mask_identity_numbers;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// An address or a block of addresses (`10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether `ip` is in this block (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<IpNet, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(IpNet { addr, prefix })
    }
}

impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Which header a trusted proxy reports the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, ...` (nginx's `$proxy_add_x_forwarded_for`).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

impl FromStr for ForwardedHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<ForwardedHeader, String> {
        match s.to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            _ => Err(format!("{s:?}: expected x-forwarded-for or forwarded")),
        }
    }
}

/// The limits as configured. `Default` holds the shipped values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Anonymous requests per second per client address...
    pub anonymous_per_second: u32,
    /// ... in bursts of at most this many.
    pub anonymous_burst: u32,
    /// Failed authentications per minute per client address; then 429 until the minute ends.
    pub failures_per_minute: u32,
    /// Requests per second per valid token...
    pub token_per_second: u32,
    /// ... in bursts of at most this many.
    pub token_burst: u32,
    /// Reverse proxies whose report of the client's address is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// The header they report it in.
    pub forwarded_header: ForwardedHeader,
}

impl Default for LimitsConfig {
    /// 20 anonymous requests a second per address in bursts of 60; 10 failed authentications
    /// a minute per address; 200 requests a second per token in bursts of 1,000; no proxy.
    fn default() -> LimitsConfig {
        LimitsConfig {
            anonymous_per_second: 20,
            anonymous_burst: 60,
            failures_per_minute: 10,
            token_per_second: 200,
            token_burst: 1000,
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::XForwardedFor,
        }
    }
}

impl LimitsConfig {
    /// No limits at all (benchmarks, whose load comes from one address).
    pub fn unlimited() -> LimitsConfig {
        LimitsConfig {
            anonymous_per_second: u32::MAX,
            anonymous_burst: u32::MAX,
            failures_per_minute: u32::MAX,
            token_per_second: u32::MAX,
            token_burst: u32::MAX,
            ..LimitsConfig::default()
        }
    }
}

/// The platform's limits.
pub struct Limits {
    config: LimitsConfig,
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    tokens: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    /// Failed authentications per address in the current window (fixed one-minute windows):
    /// looked at on every authenticated request, spent only by failures.
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn quota(per_second: u32, burst: u32) -> Quota {
    Quota::per_second(nonzero(per_second)).allow_burst(nonzero(burst))
}

impl Limits {
    /// `public_per_second` anonymous requests per address (bursts of `public_burst`), and
    /// `failures_per_minute` failed authentications per address; the other limits as shipped.
    pub fn new(public_per_second: u32, public_burst: u32, failures_per_minute: u32) -> Limits {
        Limits::with(LimitsConfig {
            anonymous_per_second: public_per_second,
            anonymous_burst: public_burst,
            failures_per_minute,
            ..LimitsConfig::default()
        })
    }

    /// The limits of `config`.
    pub fn with(config: LimitsConfig) -> Limits {
        Limits {
            anonymous: DefaultKeyedRateLimiter::keyed(quota(
                config.anonymous_per_second,
                config.anonymous_burst,
            )),
            tokens: DefaultKeyedRateLimiter::keyed(quota(
                config.token_per_second,
                config.token_burst,
            )),
            clock: DefaultClock::default(),
            failures: Mutex::new(HashMap::new()),
            config,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &LimitsConfig {
        &self.config
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.config
            .trusted_proxies
            .iter()
            .any(|net| net.contains(ip))
    }

    /// The client a request comes from: `peer`, unless `peer` is a trusted proxy; then the
    /// right-most address of the forwarding header that is not a trusted proxy (the left part
    /// of the header is whatever the client sent, and proves nothing).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusted(peer) {
            return peer;
        }
        let hops = forwarded_hops(headers, self.config.forwarded_header);
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = hop else {
                // A hop the trusted proxy could not name: the proxy is the client we know.
                break;
            };
            client = *ip;
            if !self.trusted(client) {
                break;
            }
        }
        client
    }

    /// How long `ip` must wait because of its recent failures, if at all.
    fn failure_wait(&self, ip: IpAddr) -> Option<Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (start, count) = failures.get(&ip)?;
        let elapsed = start.elapsed();
        (elapsed < WINDOW && *count >= self.config.failures_per_minute).then(|| WINDOW - elapsed)
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
        entry.1 = entry.1.saturating_add(1);
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
    /// The shipped limits ([`LimitsConfig::default`]).
    fn default() -> Limits {
        Limits::with(LimitsConfig::default())
    }
}

/// The key a client's budgets are kept under: its address, or for IPv6 its /64.
fn budget_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let block = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(block))
        }
        v4 => v4,
    }
}

/// The addresses of a forwarding header, left (the first client) to right (the last proxy);
/// `None` for an entry that is not an address (`unknown`, an obfuscated name, garbage).
fn forwarded_hops(headers: &HeaderMap, which: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let name = match which {
        ForwardedHeader::XForwardedFor => "x-forwarded-for",
        ForwardedHeader::Forwarded => "forwarded",
    };
    let mut hops = Vec::new();
    // Several header lines are one list, in order.
    for value in headers.get_all(name) {
        let Ok(value) = value.to_str() else {
            hops.push(None);
            continue;
        };
        for element in value.split(',') {
            let node = match which {
                ForwardedHeader::XForwardedFor => Some(element),
                ForwardedHeader::Forwarded => element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then_some(v)
                }),
            };
            hops.push(node.and_then(node_address));
        }
    }
    hops
}

/// The address of one forwarding node: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`,
/// `2001:db8::1`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

/// The middleware. Requests without a known peer address (in-process tests) are not limited.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    let limits = &state.limits;
    let ip = budget_key(limits.client(peer, req.headers()));
    // Signing in carries a password in the body: it obeys and spends the failure budget,
    // whatever token the request also presents.
    let signs_in = crate::sessions::PATH == req.uri().path()
        || crate::site::SIGN_IN_PATHS.contains(&req.uri().path());
    if signs_in && let Some(wait) = limits.failure_wait(ip) {
        return limits.refuse(wait);
    }
    // The path as it may be logged after the response (made only for a sign-in: for every
    // other request it is made, from `parts`, only when a failure is logged).
    let sign_in_path = signs_in.then(|| loggable_path(req.uri().path()));
    let (mut parts, body) = req.into_parts();
    match crate::auth::verify_presented(&mut parts, &state).await {
        // A valid token has its own budget, and others' failures never stop it.
        Ok(Some(holder)) => {
            if let Err(not_until) = limits.tokens.check_key(holder.token_id()) {
                return limits.refuse(not_until.wait_time_from(limits.clock.now()));
            }
        }
        // No token: an anonymous request, even to an endpoint that needs one.
        Ok(None) => {
            if let Err(not_until) = limits.anonymous.check_key(&ip) {
                return limits.refuse(not_until.wait_time_from(limits.clock.now()));
            }
        }
        // A token that is not valid: a guess, as far as anyone can tell.
        Err(e) if e.code().status() == StatusCode::UNAUTHORIZED => {
            if let Some(wait) = limits.failure_wait(ip) {
                return limits.refuse(wait);
            }
            let path = loggable_path(parts.uri.path());
            tracing::warn!(target: "xinyong::security", %ip, %path, "authentication failed");
            limits.record_failure(ip);
            return e.into_response();
        }
        Err(e) => return e.into_response(),
    }
    let response = next.run(Request::from_parts(parts, body)).await;
    if let Some(path) = sign_in_path
        && response.status() == StatusCode::UNAUTHORIZED
    {
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
#[allow(clippy::unwrap_used)] // test fixtures: a bad literal is a bug in the test
mod tests {
    use super::*;

    fn limits(proxies: &[&str], header: ForwardedHeader) -> Limits {
        Limits::with(LimitsConfig {
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            forwarded_header: header,
            ..LimitsConfig::default()
        })
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_blocks_parse_and_contain() {
        let net: IpNet = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.255.3")) && !net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        let one: IpNet = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")) && !all.contains(ip("::1")));
        let v6: IpNet = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        for bad in ["10.0.0.0/33", "nope", "10.0.0/8", "::/129", ""] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let xff = headers(&[("x-forwarded-for", "198.51.100.9")]);
        // No proxy configured: the header is the client's word, and ignored.
        let none = limits(&[], ForwardedHeader::XForwardedFor);
        assert_eq!(none.client(ip("10.0.0.1"), &xff), ip("10.0.0.1"));
        let proxied = limits(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        // From an untrusted peer: ignored.
        assert_eq!(proxied.client(ip("203.0.113.5"), &xff), ip("203.0.113.5"));
        // From the proxy: believed.
        assert_eq!(proxied.client(ip("10.0.0.1"), &xff), ip("198.51.100.9"));
        // What the client wrote itself (left of what the proxy added) proves nothing.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.9")]);
        assert_eq!(proxied.client(ip("10.0.0.1"), &forged), ip("198.51.100.9"));
        // Chains of trusted proxies are walked from the right.
        let chain = headers(&[
            ("x-forwarded-for", "198.51.100.9, 10.0.0.2"),
            ("x-forwarded-for", "10.0.0.3"),
        ]);
        assert_eq!(proxied.client(ip("10.0.0.1"), &chain), ip("198.51.100.9"));
        // No header, or garbage where the proxy's report should be: the proxy itself.
        assert_eq!(
            proxied.client(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        let garbage = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(proxied.client(ip("10.0.0.1"), &garbage), ip("10.0.0.1"));
        // The other header is not read.
        let forwarded = headers(&[("forwarded", "for=198.51.100.9")]);
        assert_eq!(proxied.client(ip("10.0.0.1"), &forwarded), ip("10.0.0.1"));
    }

    #[test]
    fn rfc_7239_forwarded_is_read_when_configured() {
        let proxied = limits(&["10.0.0.0/8"], ForwardedHeader::Forwarded);
        for (value, client) in [
            ("for=198.51.100.9", "198.51.100.9"),
            ("for=198.51.100.9;proto=https;by=10.0.0.1", "198.51.100.9"),
            ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            ("for=192.0.2.43, for=198.51.100.9", "198.51.100.9"),
            ("for=198.51.100.9:8080", "198.51.100.9"),
            ("for=_hidden", "10.0.0.1"),
        ] {
            let h = headers(&[("forwarded", value)]);
            assert_eq!(proxied.client(ip("10.0.0.1"), &h), ip(client), "{value}");
        }
    }

    #[test]
    fn ipv6_clients_are_budgeted_by_their_slash_64() {
        assert_eq!(budget_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(budget_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(budget_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }

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
