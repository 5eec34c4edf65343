//! Evidence and escalation (issue #12): a subject's evidence file is checked on upload, named
//! by its cases, read only by the parties (each non-subject read logged and shown to the
//! subject), never public; an objection left open past its deadlines is escalated once and
//! its subject told.

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

fn download(token: &str, id: &str) -> Request<Body> {
    Request::get(format!("/api/v1/attachments/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn an_upload_is_refused_unless_it_is_a_small_document_of_its_declared_type() {
    let w = world().await;
    let subject = &w.tokens[&Who::SubjectSelf];
    let (status, body) =
        upload_as(&w.app, subject, "image/png", b"<script>alert(1)</script>").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "content", "{body}");
    let (status, body) = upload_as(&w.app, subject, "text/html", b"<html>").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["code"], "unsupported_media_type");
    let (status, _) = upload_as(&w.app, subject, "application/pdf", b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(xinyong_domain::attachment::MAX_ATTACHMENT_BYTES + 1, b' ');
    let (status, body) = upload_as(&w.app, subject, "application/pdf", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // A department has no evidence to upload.
    let (status, _) = upload_as(
        &w.app,
        &w.tokens[&Who::DepartmentOwn],
        "application/pdf",
        PDF,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let stored = upload(&w.app, subject, "application/pdf; charset=binary", PDF).await;
    assert_eq!(stored["media_type"], "application/pdf");
    assert_eq!(stored["size"], PDF.len());
    assert_eq!(
        stored["sha256"],
        xinyong_domain::attachment::content_digest(PDF)
    );
    assert_eq!(stored["name"], "缴款凭证.pdf");
    let (_, mine) = w.app.get_as(subject, "/api/v1/me/attachments").await;
    assert_eq!(mine["attachments"].as_array().unwrap().len(), 2, "{mine}");
}

#[tokio::test]
async fn evidence_is_read_only_by_its_parties_and_every_other_read_is_shown_to_the_subject() {
    let w = world().await;
    let subject = &w.tokens[&Who::SubjectSelf];
    let own = &w.tokens[&Who::DepartmentOwn];
    let (_, case) = w
        .app
        .get_as(own, &format!("/api/v1/objections/{}", w.objection))
        .await;
    assert_eq!(case["attachments"], json!([w.attachment]), "{case}");

    let (status, headers, bytes) = respond(&w.app.state, download(own, &w.attachment)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&bytes[..], PDF);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let (status, _, _) = respond(
        &w.app.state,
        download(&w.tokens[&Who::DepartmentOther], &w.attachment),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another department");

    // The department's read is among the subject's notifications, with who read.
    let (_, feed) = w.app.get_as(subject, "/api/v1/me/notifications").await;
    let reads: Vec<_> = feed["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "read.restricted" && n["by"] == OWN)
        .collect();
    assert_eq!(reads.len(), 1, "{feed}");
    // The subject's own download is not a read by someone else.
    let (status, _, _) = respond(&w.app.state, download(subject, &w.attachment)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = w.app.get_as(subject, "/api/v1/me/notifications").await;
    assert_eq!(again["notifications"], feed["notifications"]);

    // Never public: not in the public file, its page or the open data.
    for uri in [
        format!("/api/v1/subjects/{COMPANY}"),
        format!("/subjects/{COMPANY}"),
        "/open-data/records.csv".to_owned(),
    ] {
        let (_, _, bytes) = respond(
            &w.app.state,
            Request::get(&uri).body(Body::empty()).unwrap(),
        )
        .await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&w.attachment),
            "{uri} shows the attachment id"
        );
    }
}

#[tokio::test]
async fn a_case_names_only_the_subjects_own_evidence() {
    let w = world().await;
    let others = upload(
        &w.app,
        &w.tokens[&Who::SubjectOther],
        "application/pdf",
        PDF,
    )
    .await;
    let (_, file) = w
        .app
        .get_as(&w.tokens[&Who::SubjectSelf], "/api/v1/me/records")
        .await;
    let penalty = &w.penalty;
    assert!(file.to_string().contains(penalty.as_str()));
    let (status, body) = w
        .app
        .post_json(
            &w.tokens[&Who::SubjectSelf],
            "/api/v1/objections",
            json!({"record": penalty, "what": "content", "reason": "当事人有误",
                   "attachments": [others["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "attachments[0]", "{body}");
    // Nothing was filed: the record is not under objection.
    let (_, mine) = w
        .app
        .get_as(&w.tokens[&Who::SubjectSelf], "/api/v1/objections")
        .await;
    assert_eq!(mine["objections"].as_array().unwrap().len(), 1, "{mine}");
}

#[tokio::test]
async fn an_overdue_objection_is_escalated_once_and_its_subject_told() {
    let w = world().await;
    let state = &w.app.state;
    assert_eq!(
        xinyong_web::objections::escalate_overdue(state)
            .await
            .unwrap(),
        0,
        "nothing overdue yet"
    );
    // Two months on, every deadline of the world's open objection has passed.
    *w.app.today.lock().unwrap() = chrono::NaiveDate::from_ymd_opt(2027, 1, 29).unwrap();
    assert_eq!(
        xinyong_web::objections::escalate_overdue(state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        xinyong_web::objections::escalate_overdue(state)
            .await
            .unwrap(),
        0,
        "once"
    );
    let (_, cases) = w
        .app
        .get_as(&w.tokens[&Who::Operator], "/api/v1/objections")
        .await;
    let case = &cases["objections"][0];
    assert_eq!(case["id"], w.objection.as_str());
    assert_eq!(case["overdue"], true);
    assert!(case["escalated_at"].is_string(), "{case}");
    let (_, feed) = w
        .app
        .get_as(&w.tokens[&Who::SubjectSelf], "/api/v1/me/notifications")
        .await;
    let told = feed["notifications"].as_array().unwrap().iter().any(|n| {
        n["event"] == "objection.escalated"
            && n["about"] == format!("objection-escalation:{}", w.objection)
    });
    assert!(told, "{feed}");
}

#[tokio::test]
async fn provisional_deadlines_settle_when_the_next_years_calendar_is_loaded() {
    use xinyong_domain::rights::{
        Objection, ObjectionGround, ObjectionStatus, objection_deadlines,
    };
    let mut app = App::new().await;
    let (status, posted) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-04-01")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    let record = app
        .state
        .store
        .record(posted["ids"][0].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    // Filed on 21 December 2026 (10:00 in China): its last steps reach into 2027, whose
    // holidays the shipped calendar does not hold yet.
    let filed_at = chrono::DateTime::parse_from_rfc3339("2026-12-21T02:00:00Z")
        .unwrap()
        .to_utc();
    let filed_on = chrono::NaiveDate::from_ymd_opt(2026, 12, 21).unwrap();
    let deadlines =
        objection_deadlines(&app.state.catalogue, &app.state.calendar, filed_on).unwrap();
    assert!(deadlines.iter().any(|d| d.deadline.provisional));
    let case = Objection {
        id: "01KCASEPROVISIONAL00000000".into(),
        record: record.id.clone(),
        subject_code: record.subject_code.clone(),
        department: record.department.clone(),
        ground: ObjectionGround::Content,
        reason: "当事人有误".into(),
        filed_at,
        deadlines: deadlines.clone(),
        status: ObjectionStatus::Open,
        outcome: None,
        decision_reason: None,
        decided_at: None,
        attachments: Vec::new(),
        escalated_at: None,
    };
    app.state
        .store
        .file_objection(&case, record.status, record.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        xinyong_web::rights::settle_deadlines(&app.state)
            .await
            .unwrap(),
        0,
        "the calendar knows nothing new"
    );

    // The operator starts the server with the 2027 notice loaded.
    let with_2027 = format!(
        "{}\n[[years]]\nyear = 2027\ndays_off = [\"2027-01-01\"]\nworking_weekends = []\n",
        include_str!("../../../../data/calendar/working-days.toml")
    );
    app.state.calendar = std::sync::Arc::new(
        xinyong_domain::calendar::WorkingCalendar::from_toml_str(&with_2027).unwrap(),
    );
    assert_eq!(
        xinyong_web::rights::settle_deadlines(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        xinyong_web::rights::settle_deadlines(&app.state)
            .await
            .unwrap(),
        0,
        "settled once"
    );
    let settled = app.state.store.objection(&case.id).await.unwrap().unwrap();
    assert!(settled.deadlines.iter().all(|d| !d.deadline.provisional));
    assert_ne!(settled.deadlines, deadlines);
    let subject = issue_token(
        &*app.state.store,
        xinyong_store::Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let (_, feed) = app.get_as(&subject, "/api/v1/me/notifications").await;
    assert!(
        feed["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["event"] == "objection.rescheduled"),
        "{feed}"
    );
    xinyong_store::ledger::verify(&*app.state.store, None, |_| {})
        .await
        .unwrap();
}
