//! The subject's rights over the API (issue #12): objections walked end to end as the subject
//! and as the source department, with deadlines from the working-day calendar.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use xinyong_store::Role;

/// An app with a penalty about COMPANY decided on 2026-01-10, today 2026-02-11 (the Wednesday
/// before the 2026 Spring Festival), and a subject token of COMPANY.
async fn contested() -> (App, String, String) {
    let app = App::new().await;
    app.set_today(2026, 2, 11);
    let (status, body) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-01-10")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let record = body["ids"][0].as_str().unwrap().to_owned();
    let subject = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    (app, subject, record)
}

async fn file(app: &App, subject: &str, record: &str) -> Value {
    let (status, body) = app
        .post_json(
            subject,
            "/api/v1/objections",
            json!({"record": record, "what": "content", "reason": "处罚所认定的事实与本公司无关"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn page(app: &App, uri: &str) -> String {
    let (status, _, bytes) =
        respond(&app.state, Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn public_record(app: &App) -> Option<Value> {
    let (_, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    file["records"].as_array().unwrap().first().cloned()
}

#[tokio::test]
async fn an_objection_marks_the_record_everywhere_until_the_source_department_decides() {
    let (app, subject, record) = contested().await;
    let filed = file(&app, &subject, &record).await;
    assert_eq!(filed["status"], "open");
    assert_eq!(filed["record_status"], "under_objection");
    // Working days across the Spring Festival: Saturday 14 February is an adjusted working
    // day, 15-23 February are holidays, Saturday 28 February works again.
    let deadlines: Vec<(&str, &str)> = filed["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["step"].as_str().unwrap(), d["date"].as_str().unwrap()))
        .collect();
    assert_eq!(
        deadlines,
        [
            ("acceptance", "2026-02-13"),
            ("platform_check", "2026-02-24"),
            ("source_verification", "2026-03-09"),
        ]
    );

    // Marked on the public file, the website and the open data.
    assert_eq!(
        public_record(&app).await.unwrap()["status"],
        "under_objection"
    );
    assert!(
        page(&app, &format!("/subjects/{COMPANY}"))
            .await
            .contains("异议处理中")
    );
    assert!(
        page(&app, "/open-data/records.jsonl")
            .await
            .contains("under_objection")
    );

    // The department sees the case to decide; another department and the subject may not decide.
    let id = filed["id"].as_str().unwrap();
    let (status, open) = app.get_as(&app.token, "/api/v1/objections").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(open["objections"][0]["id"], id);
    assert_eq!(open["objections"][0]["overdue"], false);
    let decision = format!("/api/v1/objections/{id}/decision");
    let tax = app.department("TAX440300", &["admin_penalty"], &[]).await;
    let upheld = json!({"outcome": "upheld", "reason": "经核实无误"});
    let (status, body) = app.post_json(&tax, &decision, upheld.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_owner"))
    );
    let (status, _) = app.post_json(&subject, &decision, upheld.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Corrected: a new version with the corrected facts, in force and unmarked.
    let mut fixed = penalty(COMPANY, "罚1", "general", "2026-01-10");
    fixed["fields"]["facts"] = json!("更正后的违法事实");
    let (status, decided) = app
        .post_json(
            &app.token,
            &decision,
            json!({"outcome": "corrected", "reason": "事实认定有误，已更正", "record": fixed}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "decided");
    assert_eq!(decided["record_status"], "active");
    assert_eq!(decided["record_version"], 3);
    let shown = public_record(&app).await.unwrap();
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["fields"]["facts"], "更正后的违法事实");
    let (_, again) = app.post_json(&app.token, &decision, upheld).await;
    assert_eq!(again["code"], "objection_decided");

    // The subject follows every state of its cases.
    let (_, mine) = app.get_as(&subject, "/api/v1/objections").await;
    assert_eq!(mine["objections"][0]["outcome"], "corrected");
    assert_eq!(
        mine["objections"][0]["decision_reason"],
        "事实认定有误，已更正"
    );
}

#[tokio::test]
async fn a_removed_objection_revokes_the_record_and_an_upheld_one_restores_it() {
    let (app, subject, record) = contested().await;
    let id = file(&app, &subject, &record).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .post_json(
            &app.token,
            &format!("/api/v1/objections/{id}/decision"),
            json!({"outcome": "upheld", "reason": "经核实无误"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record_status"], "active");
    assert_eq!(public_record(&app).await.unwrap()["status"], "active");

    let id = file(&app, &subject, &record).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .post_json(
            &app.token,
            &format!("/api/v1/objections/{id}/decision"),
            json!({"outcome": "removed", "reason": "处罚决定已撤销"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record_status"], "revoked");
    assert!(
        public_record(&app).await.is_none(),
        "a revoked record leaves the public file"
    );
    // A revoked record cannot be contested again.
    let (status, body) = app
        .post_json(
            &subject,
            "/api/v1/objections",
            json!({"record": record, "what": "content", "reason": "再次异议"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_contestable"))
    );
}

#[tokio::test]
async fn a_corrected_record_keeps_the_contested_identity_and_a_case_past_its_deadline_is_overdue() {
    let (app, subject, record) = contested().await;
    let id = file(&app, &subject, &record).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut other = penalty(COMPANY, "罚2", "general", "2026-01-10");
    other["fields"]["facts"] = json!("另一份文书");
    let (status, body) = app
        .post_json(
            &app.token,
            &format!("/api/v1/objections/{id}/decision"),
            json!({"outcome": "corrected", "reason": "更正", "record": other}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "record.document_no");
    // Without a corrected record, a corrected outcome is refused too.
    let (status, _) = app
        .post_json(
            &app.token,
            &format!("/api/v1/objections/{id}/decision"),
            json!({"outcome": "corrected", "reason": "更正"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // After the source verification deadline the operator sees it overdue.
    app.set_today(2026, 3, 10);
    let operator = issue_token(&*app.state.store, Role::Operator, None, None, None, None).await;
    let (status, open) = app.get_as(&operator, "/api/v1/objections").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(open["objections"][0]["id"], id.as_str());
    assert_eq!(open["objections"][0]["overdue"], true);
}
