//! Operator sign-in (issue #5: "Operator accounts may use passwords (argon2). Failed
//! authentication is rate-limited and logged as a security event."): a name and a password give
//! a short-lived operator token; every failure looks the same from outside and is throttled.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_store::Role;
use xinyong_web::{AppState, auth, router};

const PASSWORD: &str = "长城 correct horse 2026";

/// POSTs credentials from `ip`, so that the per-address limits apply.
async fn sign_in(
    state: &AppState,
    ip: [u8; 4],
    body: Value,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let req = Request::post("/api/v1/sessions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, bytes) = respond(state, from_address(ip, req)).await;
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn the_right_password_opens_a_short_lived_operator_session() {
    let app = App::new().await;
    app.add_operator("alice", PASSWORD).await;
    let (status, headers, body) = sign_in(
        &app.state,
        [10, 1, 0, 1],
        json!({"name": "alice", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("xy_") && token.len() == 67, "{body}");
    // The session is an ordinary operator token: operator endpoints open, others refuse.
    let (status, _) = app.get_as(token, "/api/v1/special-applications").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_as(token, "/api/v1/checks/stats").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Stored like every token: by hash, with its role, its account and an 8-hour expiry.
    let stored = app
        .state
        .store
        .token_by_hash(&auth::hash_token(token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, body["token_id"]);
    assert_eq!(stored.role, Role::Operator);
    assert_eq!(stored.label, "session of operator alice");
    let expires = stored.expires_at.unwrap();
    let hours = (expires - stored.created_at).num_minutes() as f64 / 60.0;
    assert!((hours - 8.0).abs() < 0.01, "{hours}");
    assert_eq!(
        body["expires_at"].as_str().unwrap(),
        serde_json::to_value(expires).unwrap()
    );
}

#[tokio::test]
async fn wrong_password_unknown_name_and_disabled_account_get_one_answer() {
    let app = App::new().await;
    app.add_operator("alice", PASSWORD).await;
    app.add_operator("bob", PASSWORD).await;
    let (status, _, session) = sign_in(
        &app.state,
        [10, 1, 0, 2],
        json!({"name": "bob", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let bob_token = session["token"].as_str().unwrap();
    assert_eq!(
        app.get_as(bob_token, "/api/v1/special-applications")
            .await
            .0,
        StatusCode::OK
    );
    let disabled = app
        .state
        .store
        .disable_operator("bob", chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(disabled, Some(1));

    let mut answers = Vec::new();
    for (what, name, password) in [
        ("wrong password", "alice", "not the password at all"),
        ("wrong case", "alice", &PASSWORD.to_uppercase()),
        ("unknown name", "mallory", PASSWORD),
        ("disabled account", "bob", PASSWORD),
        ("empty", "", ""),
    ] {
        let (status, headers, body) = sign_in(
            &app.state,
            [10, 1, 0, 3],
            json!({"name": name, "password": password}),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer", "{what}");
        answers.push(body);
    }
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "every failure answers alike: {answers:?}"
    );
    // Disabling the account ended its open session too (once the 5-second cache of verified
    // tokens has forgotten it).
    app.state.auth.clear();
    assert_eq!(
        app.get_as(bob_token, "/api/v1/special-applications")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Not a name and a password: a client error, not a failed sign-in.
    let (status, _, body) = sign_in(&app.state, [10, 1, 0, 4], json!({"name": "alice"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_address_with_retry_after() {
    let app = App::new().await;
    app.add_operator("alice", PASSWORD).await;
    let mut state = app.state.clone();
    state.limits = std::sync::Arc::new(xinyong_web::limits::Limits::new(100, 100, 3));
    let wrong = json!({"name": "alice", "password": "guess guess guess"});
    let right = json!({"name": "alice", "password": PASSWORD});
    for _ in 0..3 {
        let (status, _, _) = sign_in(&state, [10, 2, 0, 1], wrong.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Budget spent: even the right password waits, so guessing cannot go on.
    let (status, headers, body) = sign_in(&state, [10, 2, 0, 1], right.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let retry: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // The budget is per address and shared with token authentication: until the window ends,
    // this address's token guesses are refused too; a valid token is not (issue #11: a valid
    // token is never throttled by others' failures).
    let with = |token: &str| {
        from_address(
            [10, 2, 0, 1],
            Request::get("/api/v1/subjects")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
    };
    assert_eq!(
        router(state.clone())
            .oneshot(with("xy_guess"))
            .await
            .unwrap()
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        router(state.clone())
            .oneshot(with(&app.token))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (status, _, body) = sign_in(&state, [10, 2, 0, 2], right).await;
    assert_eq!(status, StatusCode::CREATED, "another address: {body}");
}
