//! Rate limits (issues #11 and #15): SPEC "A valid token is never throttled by other callers'
//! failures; limits are configuration and work behind a reverse proxy."

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use xinyong_web::AppState;
use xinyong_web::limits::{Limits, LimitsConfig};

use crate::common::{App, COMPANY, from_address, respond};

/// The app's state with `config` as its limits.
fn limited(app: &App, config: LimitsConfig) -> AppState {
    let mut state = app.state.clone();
    state.limits = Arc::new(Limits::with(config));
    state
}

fn get(uri: &str, token: Option<&str>) -> axum::http::request::Builder {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b
}

fn post(uri: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// Sends `req` from the peer `ip`: status, and the Retry-After header if any.
async fn send(state: &AppState, ip: [u8; 4], req: Request<Body>) -> (StatusCode, Option<String>) {
    let (status, headers, _) = respond(state, from_address(ip, req)).await;
    let retry = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry)
}

async fn status(state: &AppState, ip: [u8; 4], req: Request<Body>) -> StatusCode {
    send(state, ip, req).await.0
}

/// An anonymous GET of `/healthz` through the proxy `peer` for the visitor `visitor`.
fn via_proxy(visitor: &str) -> Request<Body> {
    get("/healthz", None)
        .header("x-forwarded-for", format!("203.0.113.77, {visitor}"))
        .body(Body::empty())
        .unwrap()
}

fn check(token: Option<&str>) -> Request<Body> {
    post(
        "/api/v1/checks",
        token,
        &json!({"subject": COMPANY, "context": "government_procurement"}),
    )
}

#[tokio::test]
async fn a_valid_token_is_never_throttled_by_others_failures() {
    let app = App::new().await;
    let state = limited(&app, LimitsConfig::default());
    let ip = [10, 3, 0, 1];
    // The probe of issue #11: ten token-less requests to a protected endpoint.
    for _ in 0..10 {
        let req = post("/api/v1/checks", None, &json!({}));
        assert_eq!(status(&state, ip, req).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        status(&state, ip, check(Some(&app.token))).await,
        StatusCode::OK,
        "token-less requests locked a valid token out"
    );
    // Now real guesses from the same address, until its failure budget is spent.
    let mut refused = 0;
    for n in 0..15 {
        let req = get("/api/v1/subjects", Some(&format!("xy_guess{n}")))
            .body(Body::empty())
            .unwrap();
        match send(&state, ip, req).await {
            (StatusCode::UNAUTHORIZED, _) => {}
            (StatusCode::TOO_MANY_REQUESTS, Some(_)) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        refused, 5,
        "ten guesses a minute, then 429 with Retry-After"
    );
    // A wrong password is refused, and so is the right one now: passwords can be guessed.
    let right = json!({"name": "nobody", "password": "whatever it is"});
    assert_eq!(
        status(&state, ip, post("/api/v1/sessions", None, &right)).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The valid token from the same address goes on working, on every kind of endpoint.
    assert_eq!(
        status(&state, ip, check(Some(&app.token))).await,
        StatusCode::OK
    );
    let req = get("/api/v1/subjects", Some(&app.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(status(&state, ip, req).await, StatusCode::OK);
    let req = get("/", Some(&app.token)).body(Body::empty()).unwrap();
    assert_eq!(status(&state, ip, req).await, StatusCode::OK);
}

#[tokio::test]
async fn token_less_requests_do_not_spend_the_failure_budget() {
    let app = App::new().await;
    let state = limited(
        &app,
        LimitsConfig {
            failures_per_minute: 3,
            ..LimitsConfig::default()
        },
    );
    let ip = [10, 3, 0, 2];
    for uri in [
        "/api/v1/checks",
        "/api/v1/records",
        "/api/v1/special-applications",
        "/api/v1/checks/stats",
        "/api/v1/me/records",
    ] {
        for _ in 0..3 {
            let req = if uri.ends_with("stats") || uri.contains("/me/") {
                get(uri, None).body(Body::empty()).unwrap()
            } else {
                post(uri, None, &json!({}))
            };
            assert_eq!(
                status(&state, ip, req).await,
                StatusCode::UNAUTHORIZED,
                "{uri}"
            );
        }
    }
    // The budget is whole: three guesses are answered, the fourth waits.
    for n in 0..4 {
        let req = get("/api/v1/subjects", Some(&format!("xy_guess{n}")))
            .body(Body::empty())
            .unwrap();
        let expected = if n < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status(&state, ip, req).await, expected, "guess {n}");
    }
}

#[tokio::test]
async fn a_token_s_budget_is_its_own() {
    let app = App::new().await;
    let other = app.department("11440300OTHER", &[], &[]).await;
    let state = limited(
        &app,
        LimitsConfig {
            token_per_second: 1,
            token_burst: 3,
            anonymous_per_second: 1,
            anonymous_burst: 2,
            ..LimitsConfig::default()
        },
    );
    let ip = [10, 3, 0, 3];
    let subjects =
        |token: Option<&str>| get("/api/v1/subjects", token).body(Body::empty()).unwrap();
    for _ in 0..3 {
        assert_eq!(
            status(&state, ip, subjects(Some(&app.token))).await,
            StatusCode::OK
        );
    }
    let (code, retry) = send(&state, ip, subjects(Some(&app.token))).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
    // Another token from the same address, and the address's anonymous budget, are untouched;
    // and spending the anonymous budget does not touch a token's.
    for _ in 0..3 {
        assert_eq!(
            status(&state, ip, subjects(Some(&other))).await,
            StatusCode::OK
        );
    }
    for _ in 0..2 {
        assert_eq!(status(&state, ip, subjects(None)).await, StatusCode::OK);
    }
    assert_eq!(
        status(&state, ip, subjects(None)).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

fn small_anonymous_budget(proxies: &[&str]) -> LimitsConfig {
    LimitsConfig {
        anonymous_per_second: 1,
        anonymous_burst: 5,
        failures_per_minute: 3,
        trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
        ..LimitsConfig::default()
    }
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_from_an_untrusted_peer() {
    let app = App::new().await;
    // A proxy is configured, but this peer is not it.
    let state = limited(&app, small_anonymous_budget(&["10.9.0.0/16"]));
    let mut ok = 0;
    for n in 0..10 {
        // A client that claims to be someone new each time is still one client.
        if status(&state, [10, 4, 0, 1], via_proxy(&format!("198.51.100.{n}"))).await
            == StatusCode::OK
        {
            ok += 1;
        }
    }
    assert_eq!(ok, 5);
    // Nor can it escape its failure budget by claiming other addresses.
    for n in 0..4 {
        let req = get("/api/v1/subjects", Some(&format!("xy_guess{n}")))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .body(Body::empty())
            .unwrap();
        let expected = if n < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status(&state, [10, 4, 0, 2], req).await, expected, "{n}");
    }
}

#[tokio::test]
async fn x_forwarded_for_is_honoured_from_a_trusted_proxy() {
    let app = App::new().await;
    let state = limited(&app, small_anonymous_budget(&["10.4.0.0/16"]));
    let proxy = [10, 4, 0, 9];
    // Failed authentication is counted per visitor behind the proxy.
    for n in 0..4 {
        let req = get("/api/v1/subjects", Some(&format!("xy_guess{n}")))
            .header("x-forwarded-for", "198.51.100.1")
            .body(Body::empty())
            .unwrap();
        let expected = if n < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status(&state, proxy, req).await, expected, "{n}");
    }
    let req = get("/api/v1/subjects", Some("xy_guess_b"))
        .header("x-forwarded-for", "198.51.100.2")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        status(&state, proxy, req).await,
        StatusCode::UNAUTHORIZED,
        "another visitor behind the same proxy has its own budget"
    );
    // And a forged left part does not buy a new budget.
    let req = get("/api/v1/subjects", Some("xy_guess_c"))
        .header("x-forwarded-for", "192.0.2.200, 198.51.100.1")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        status(&state, proxy, req).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_crawl_behind_a_configured_proxy_is_not_throttled_while_per_visitor_limits_hold() {
    let app = App::new().await;
    let state = limited(&app, small_anonymous_budget(&["10.4.0.9"]));
    let proxy = [10, 4, 0, 9];
    // Many visitors, one socket address (the proxy's): none is refused for the others.
    for n in 0..200u32 {
        let visitor = format!("198.51.{}.{}", 100 + n / 250, n % 250);
        assert_eq!(
            status(&state, proxy, via_proxy(&visitor)).await,
            StatusCode::OK,
            "visitor {visitor}"
        );
    }
    // One visitor is still held to its own budget.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send(&state, proxy, via_proxy("198.51.200.1")).await);
    }
    assert!(
        statuses[..5].iter().all(|(s, _)| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[5].0, StatusCode::TOO_MANY_REQUESTS);
    assert!(statuses[5].1.is_some(), "Retry-After");
    // Without the proxy configured, the same crawl is one client and is throttled.
    let unconfigured = limited(&app, small_anonymous_budget(&[]));
    let mut refused = 0;
    for n in 0..20u32 {
        if status(&unconfigured, proxy, via_proxy(&format!("198.51.100.{n}"))).await
            == StatusCode::TOO_MANY_REQUESTS
        {
            refused += 1;
        }
    }
    assert!(refused >= 14, "{refused}");
}
