//! Notifications (issue #12): the subject's feed and its signed webhook, both read from the
//! audit log, so that nothing is lost between a write and its notification.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use xinyong_store::Role;
use xinyong_web::notifications::{WebhookPolicy, deliver_due};

use crate::common::world::{Who, world};
use crate::common::*;

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A receiver on loopback that answers `status` and keeps what it was sent.
async fn receiver(status: StatusCode) -> (String, Received) {
    let got: Received = Arc::default();
    let kept = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push((headers, body));
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

async fn send(
    app: &App,
    method: &str,
    token: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    app.call(req.body(body).unwrap()).await
}

fn events(body: &Value) -> Vec<String> {
    body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks a delivery's signature as a receiver would, and returns its JSON body.
fn verified(secret: &str, headers: &HeaderMap, body: &Bytes) -> Value {
    let sig = headers["xinyong-signature"].to_str().unwrap();
    let (t, v1) = sig.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&hex::decode(secret).unwrap()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&hex::decode(v1).unwrap())
        .expect("the signature verifies under the secret given at registration");
    serde_json::from_slice(body).unwrap()
}

#[tokio::test]
async fn a_subject_is_told_of_negative_records_and_its_cases_by_a_signed_webhook() {
    let mut app = App::new().await;
    app.set_today(2026, 4, 20);
    let me = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let (url, got) = receiver(StatusCode::OK).await;

    // By default a receiver must be https on a public address.
    let (status, body) = send(
        &app,
        "PUT",
        &me,
        "/api/v1/me/webhook",
        Some(json!({"url": url})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "url");
    app.state.webhooks = WebhookPolicy { allow_local: true };
    let (status, hook) = send(
        &app,
        "PUT",
        &me,
        "/api/v1/me/webhook",
        Some(json!({"url": url})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);

    // A negative record is told of; a licence is not.
    let (status, posted) = app
        .post(json!([
            penalty(COMPANY, "罚1", "general", "2026-01-10"),
            record(
                "admin_license",
                COMPANY,
                "许1",
                json!({"certificate_name": "食品经营许可证", "license_category": "普通",
                       "content": "食品销售", "valid_from": "2026-01-10",
                       "authority": "深圳市市场监督管理局"}),
                None,
            ),
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    let penalty_id = posted["ids"][0].as_str().unwrap().to_owned();
    let (status, filed) = app
        .post_json(
            &me,
            "/api/v1/objections",
            json!({"record": penalty_id, "what": "content", "reason": "处罚所认定的事实与本公司无关"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");

    assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
    let first = {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 1, "one delivery for everything new");
        verified(&secret, &got[0].0, &got[0].1)
    };
    assert_eq!(first["webhook"], hook["id"]);
    let told = events(&first);
    assert_eq!(
        told.first().map(String::as_str),
        Some("webhook.put"),
        "{told:?}"
    );
    assert!(told.contains(&"objection.filed".to_owned()), "{told:?}");
    let records: Vec<&Value> = first["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"].as_str().unwrap().starts_with("record."))
        .collect();
    assert!(!records.is_empty());
    assert!(
        records.iter().all(|n| n["category"] == "admin_penalty"),
        "only the negative record: {records:?}"
    );
    // Nothing new, nothing sent.
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);

    // The decision is the next delivery, and only what is new.
    let (status, _) = app
        .post_json(
            &app.token,
            &format!(
                "/api/v1/objections/{}/decision",
                filed["id"].as_str().unwrap()
            ),
            json!({"outcome": "upheld", "reason": "经核实，处罚事实清楚"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
    let second = {
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 2);
        verified(&secret, &got[1].0, &got[1].1)
    };
    assert!(
        events(&second).contains(&"objection.decided".to_owned()),
        "{second}"
    );
    let last_first = first["notifications"].as_array().unwrap().last().unwrap()["ledger_index"]
        .as_u64()
        .unwrap();
    assert!(
        second["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["ledger_index"].as_u64().unwrap() > last_first)
    );

    let (status, state) = send(&app, "GET", &me, "/api/v1/me/webhook", None).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["attempts"], 0);
    assert!(state.get("secret").is_none(), "the secret is shown once");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_later_from_the_same_place() {
    let mut app = App::new().await;
    app.state.webhooks = WebhookPolicy { allow_local: true };
    let me = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let (url, got) = receiver(StatusCode::SERVICE_UNAVAILABLE).await;
    let (status, _) = send(
        &app,
        "PUT",
        &me,
        "/api/v1/me/webhook",
        Some(json!({"url": url})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
    let (_, state) = send(&app, "GET", &me, "/api/v1/me/webhook", None).await;
    assert_eq!(state["attempts"], 1, "{state}");
    assert!(
        state["last_error"].as_str().unwrap().contains("503"),
        "{state}"
    );
    let before = state["delivered_before"].clone();
    // Not due again before its back-off ends, and nothing was skipped.
    assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
    assert_eq!(got.lock().unwrap().len(), 1);
    let (_, state) = send(&app, "GET", &me, "/api/v1/me/webhook", None).await;
    assert_eq!(state["delivered_before"], before);

    let (status, _) = send(&app, "DELETE", &me, "/api/v1/me/webhook", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = send(&app, "GET", &me, "/api/v1/me/webhook", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_webhook"))
    );
}

#[tokio::test]
async fn the_feed_tells_the_subject_of_every_non_public_read_with_who_read() {
    let w = world().await;
    let me = &w.tokens[&Who::SubjectSelf];
    let (status, _) = w
        .app
        .get_as(
            &w.tokens[&Who::Service],
            &format!("/api/v1/subjects/{COMPANY}?purpose=credit_report"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, feed) = w.app.get_as(me, "/api/v1/me/notifications").await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let told = events(&feed);
    for kind in [
        "record.created",
        "objection.filed",
        "repair.filed",
        "grant.given",
        "check",
        "read.restricted",
    ] {
        assert!(told.contains(&kind.to_owned()), "{kind} in {told:?}");
    }
    assert!(
        !told
            .iter()
            .any(|k| k.starts_with("token.") || k.starts_with("report.")),
        "{told:?}"
    );
    let read = feed["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["event"] == "read.restricted")
        .unwrap();
    assert!(read["by"].is_string(), "{read}");
    let indices: Vec<u64> = feed["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["ledger_index"].as_u64().unwrap())
        .collect();
    assert!(indices.windows(2).all(|p| p[0] < p[1]), "oldest first");
    // From where it stopped, nothing is new.
    let next = feed["next_from"].as_u64().unwrap();
    let (_, again) = w
        .app
        .get_as(me, &format!("/api/v1/me/notifications?from={next}"))
        .await;
    assert!(
        again["notifications"].as_array().unwrap().is_empty(),
        "{again}"
    );
    assert_eq!(again["next_from"], next);
    // Another subject's feed holds none of it.
    let (_, other) = w
        .app
        .get_as(&w.tokens[&Who::SubjectOther], "/api/v1/me/notifications")
        .await;
    assert!(
        !events(&other).contains(&"objection.filed".to_owned()),
        "{other}"
    );
}
