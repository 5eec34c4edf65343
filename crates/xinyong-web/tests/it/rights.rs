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
    let (record, subject) = penalised_company(&app, "罚1", "2026-01-10").await;
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

    // The subject follows every state of its cases, in its cases list and its own file.
    let (_, own) = app.get_as(&subject, "/api/v1/me/records").await;
    assert_eq!(own["objections"][0]["status"], "decided", "{own}");
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

#[tokio::test]
async fn a_repair_is_refused_before_the_minimum_period_and_granted_after_it_with_every_effect() {
    let (app, subject, record) = contested().await;
    let apply = json!({"record": record, "commitment": "本公司承诺依法经营，不再发生同类违法行为",
                       "evidence": ["罚款缴纳凭证 粤财 2026-01-20"]});
    // A general-tier penalty: three months from the decision of 10 January.
    let (status, body) = app
        .post_json(&subject, "/api/v1/repairs", apply.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "repair_ineligible");
    assert_eq!(body["earliest"], "2026-04-10");

    app.set_today(2026, 4, 20);
    let (status, filed) = app
        .post_json(&subject, "/api/v1/repairs", apply.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["status"], "pending");
    assert_eq!(filed["deadlines"].as_array().unwrap().len(), 2);
    let (status, again) = app.post_json(&subject, "/api/v1/repairs", apply).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("repair_pending"))
    );

    let decision = format!("/api/v1/repairs/{}/decision", filed["id"].as_str().unwrap());
    let grant = json!({"outcome": "granted", "reason": "已纠正失信行为并履行义务"});
    let tax = app.department("TAX440300", &["admin_penalty"], &[]).await;
    let (status, _) = app.post_json(&tax, &decision, grant.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, decided) = app.post_json(&app.token, &decision, grant).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "granted");
    assert_eq!(decided["record_status"], "repaired");

    // Out of the public file and the open data; the commitment is published instead.
    let (_, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    let categories: Vec<&str> = file["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["credit_commitment"], "{file}");
    assert_eq!(
        file["records"][0]["fields"]["commitment_type"],
        "信用修复型"
    );
    let open_data = page(&app, "/open-data/records.jsonl").await;
    assert!(!open_data.contains("\"罚1\""), "{open_data}");
    assert!(
        !page(&app, &format!("/subjects/{COMPANY}"))
            .await
            .contains("未按规定公示年度报告")
    );
    // The subject still sees it, repaired, in its own file.
    let (_, own) = app.get_as(&subject, "/api/v1/me/records").await;
    let mine = own["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["document_no"] == "罚1")
        .unwrap()
        .clone();
    assert_eq!(mine["status"], "repaired", "{own}");
    assert_eq!(own["repairs"][0]["status"], "granted", "{own}");
    assert_eq!(
        own["repairs"][0]["evidence"][0],
        "罚款缴纳凭证 粤财 2026-01-20"
    );
}

#[tokio::test]
async fn a_refused_repair_can_be_objected_to_and_minor_records_are_repaired_on_fulfilment() {
    let (app, subject, record) = contested().await;
    app.set_today(2026, 4, 20);
    let (status, filed) = app
        .post_json(
            &subject,
            "/api/v1/repairs",
            json!({"record": record, "commitment": "承诺依法经营"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let (status, decided) = app
        .post_json(
            &app.token,
            &format!("/api/v1/repairs/{}/decision", filed["id"].as_str().unwrap()),
            json!({"outcome": "refused", "reason": "罚款尚未缴清"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["record_status"], "active");
    let (status, body) = app
        .post_json(
            &subject,
            "/api/v1/objections",
            json!({"record": record, "what": "repair_decision", "reason": "罚款已于1月20日缴清"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Minor tier: no application; the department records the obligation fulfilled.
    let (_, body) = app
        .post(json!([penalty(COMPANY, "罚9", "minor", "2026-04-01")]))
        .await;
    let minor = body["ids"][0].as_str().unwrap();
    let (status, body) = app
        .post_json(
            &subject,
            "/api/v1/repairs",
            json!({"record": minor, "commitment": "承诺"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("repair_ineligible"))
    );
    let (status, body) = app
        .post_json(
            &app.token,
            &format!("/api/v1/records/{minor}/fulfilment"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "repaired");
}

#[tokio::test]
async fn a_service_reads_with_the_subjects_grant_and_is_refused_at_once_after_revocation() {
    let (app, subject, _) = contested().await;
    let store = &*app.state.store;
    let service = issue_token(store, Role::Service, None, None, None, None).await;
    let read = format!("/api/v1/subjects/{COMPANY}?purpose=credit_report");
    let (status, body) = app.get_as(&service, &read).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("no_subject_grant"))
    );

    let (_, services) = app.get("/api/v1/services").await;
    assert_eq!(services["services"], json!(["test service"]));
    let (status, grant) = app
        .post_json(
            &subject,
            "/api/v1/me/grants",
            json!({"service": "test service", "purpose": "credit_report", "valid_days": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    let (status, file) = app.get_as(&service, &read).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    // Another purpose is not granted.
    let (status, body) = app
        .get_as(
            &service,
            &format!("/api/v1/subjects/{COMPANY}?purpose=financing"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("no_subject_grant"))
    );

    let id = grant["id"].as_str().unwrap();
    let req = Request::delete(format!("/api/v1/me/grants/{id}"))
        .header("authorization", format!("Bearer {subject}"))
        .body(Body::empty())
        .unwrap();
    let (status, revoked) = app.call(req).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let (status, body) = app.get_as(&service, &read).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("no_subject_grant"))
    );
    let (_, mine) = app.get_as(&subject, "/api/v1/me/grants").await;
    assert_eq!(mine["grants"][0]["id"], id);
}

#[tokio::test]
async fn a_report_reaches_the_competent_department_alone_and_its_reporter_follows_it() {
    let app = App::new().await;
    let tax = app.department("TAX440300", &["tax_violation"], &[]).await;
    let report = json!({"category": "tax_violation", "subject": COMPANY,
                        "content": "该公司2026年虚开增值税发票", "contact": "举报人电话13800000000"});
    let req = Request::post("/api/v1/reports")
        .header("content-type", "application/json")
        .body(Body::from(report.to_string()))
        .unwrap();
    let (status, filed) = app.call(req).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["department"], "TAX440300", "routed by category");
    let tracking = filed["tracking_number"].as_str().unwrap();

    // The department reads content and contact; SAMR (another category) sees nothing.
    let (_, reports) = app.get_as(&tax, "/api/v1/reports").await;
    assert_eq!(reports["reports"][0]["contact"], "举报人电话13800000000");
    let (_, others) = app.get_as(&app.token, "/api/v1/reports").await;
    assert_eq!(others["reports"], json!([]));

    // The reporter follows it with the tracking number alone, and never sees the content.
    let (status, progress) = app.get(&format!("/api/v1/reports/{tracking}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress["status"], "received");
    assert!(progress.get("content").is_none() && progress.get("contact").is_none());
    let id = reports["reports"][0]["id"].as_str().unwrap();
    let (status, _) = app
        .post_json(
            &tax,
            &format!("/api/v1/reports/{id}/status"),
            json!({"status": "closed", "note": "经查属实，已立案处罚"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, progress) = app
        .get(&format!("/api/v1/reports/{}", tracking.to_lowercase()))
        .await;
    assert_eq!(progress["status"], "closed");
    assert_eq!(progress["status_note"], "经查属实，已立案处罚");

    // A report needs a contact unless it is anonymous.
    let req = Request::post("/api/v1/reports")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"category": "tax_violation", "subject": COMPANY, "content": "该公司2026年隐瞒收入偷逃税款"}).to_string(),
        ))
        .unwrap();
    let (status, body) = app.call(req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_subjects_complete_file_proves_every_item_with_its_audit_log_index() {
    let w = crate::common::world::world().await;
    let me = &w.tokens[&crate::common::world::Who::SubjectSelf];
    // A non-public read of the file, which the subject must see.
    let (status, _) = w
        .app
        .get_as(
            &w.tokens[&crate::common::world::Who::Service],
            &format!("/api/v1/subjects/{COMPANY}?purpose=credit_report"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, file) = w.app.get_as(me, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let size = file["signed_tree_size"].as_u64().unwrap();
    let proven = |key: &str| -> Vec<u64> {
        file[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                item["ledger_index"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{key} without an index: {item}"))
            })
            .collect()
    };
    for key in ["records", "checks", "objections", "repairs", "grants"] {
        let indices = proven(key);
        assert!(!indices.is_empty(), "{key}: {file}");
        assert!(
            indices.iter().all(|i| *i < size),
            "{key} covered by the signed head"
        );
    }
    let statuses: Vec<&str> = file["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"under_objection"), "{statuses:?}");
    let reads = file["reads"].as_array().unwrap();
    assert!(
        reads.iter().any(|r| r["kind"] == "read.restricted"),
        "the service's read: {reads:?}"
    );
    // Each index opens an inclusion proof against the signed head.
    let leaf = proven("objections")[0];
    let (status, proof) = w
        .app
        .get(&format!(
            "/api/v1/ledger/proof/inclusion?leaf={leaf}&size={size}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
}

#[tokio::test]
async fn a_grade_names_the_record_behind_each_key_factor_and_a_repaired_record_stops_counting() {
    let (app, subject, record) = contested().await;
    app.set_today(2026, 4, 20);
    let grade_uri = format!("/api/v1/subjects/{COMPANY}/grade");
    let (status, before) = app.get(&grade_uri).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["model"], "enterprise_general");
    let factors = before["key_factors"].as_array().unwrap();
    assert!(!factors.is_empty() && factors.len() <= 4, "{before}");
    assert_eq!(
        factors[0]["record"],
        record.as_str(),
        "the penalty is the key factor"
    );
    assert!(factors[0]["applied"].as_f64().unwrap() < 0.0);
    assert!(factors[0]["counts_until"].is_string());

    let (_, filed) = app
        .post_json(
            &subject,
            "/api/v1/repairs",
            json!({"record": record, "commitment": "依法经营，不再发生同类违法行为"}),
        )
        .await;
    let (status, _) = app
        .post_json(
            &app.token,
            &format!("/api/v1/repairs/{}/decision", filed["id"].as_str().unwrap()),
            json!({"outcome": "granted", "reason": "已纠正"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.get(&grade_uri).await;
    assert!(
        after["score"].as_f64().unwrap() > before["score"].as_f64().unwrap(),
        "{before} {after}"
    );
    assert!(
        !after
            .to_string()
            .contains(&format!("\"record\":\"{record}\"")),
        "a repaired record never counts: {after}"
    );
}

/// A credit check of COMPANY by `token`, for procurement.
async fn procurement_check(app: &App, token: &str) -> Value {
    let (status, body) = app
        .post_json(
            token,
            "/api/v1/checks",
            json!({"subject": COMPANY, "context": "government_procurement"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_listed_record_under_objection_is_marked_in_checks_and_once_repaired_triggers_none() {
    let app = App::new().await;
    let samr = app
        .department(
            "SAMR440300",
            &["abnormal_operation"],
            &["abnormal_operation"],
        )
        .await;
    let tax = app
        .department("TAX440300", &["tax_violation"], &["tax_serious"])
        .await;
    let buyer = app.department("CZJ440300", &["admin_penalty"], &[]).await;
    let subject_of =
        json!({"code": COMPANY, "name": "深圳市示例科技有限公司", "kind": "legal_person"});
    let (status, abnormal) = app
        .post_json(
            &samr,
            "/api/v1/lists/abnormal_operation/entries",
            json!({"subject": subject_of, "ground": "annual_report_not_filed",
                   "document_no": "深市监异〔2026〕7号", "starts_on": "2026-07-01",
                   "fields": {"authority": "深圳市市场监督管理局"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{abnormal}");
    let (status, serious) = app
        .post_json(
            &tax,
            "/api/v1/lists/tax_serious/entries",
            json!({"subject": subject_of, "ground": "special_vat_invoice_fraud",
                   "document_no": "深税稽罚〔2025〕12号", "starts_on": "2025-09-01",
                   "fields": {"violation_type": "虚开增值税专用发票", "facts": "虚开增值税专用发票30份",
                              "handling": "依法追缴税款并处罚款", "tax_authority": "国家税务总局深圳市税务局第一稽查局"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{serious}");
    let listed = procurement_check(&app, &buyer).await;
    let measures = listed["measures"].as_array().unwrap().clone();
    assert!(
        !measures.is_empty(),
        "the tax list restricts procurement: {listed}"
    );
    let entry = |check: &Value, list: &str| {
        check["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["list_type"] == list)
            .cloned()
    };
    assert_eq!(
        entry(&listed, "abnormal_operation").unwrap()["under_objection"],
        false
    );

    // Under objection: still shown, marked, and (as the catalogue says for this list) its
    // measures suspended until the decision.
    let subject = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let case = file(&app, &subject, abnormal["id"].as_str().unwrap()).await;
    let contested = procurement_check(&app, &buyer).await;
    let marked = entry(&contested, "abnormal_operation").unwrap();
    assert_eq!(marked["under_objection"], true, "{contested}");
    assert_eq!(marked["measures_suspended"], true, "{contested}");
    let decision = format!(
        "/api/v1/objections/{}/decision",
        case["id"].as_str().unwrap()
    );
    let (status, body) = app
        .post_json(
            &samr,
            &decision,
            json!({"outcome": "upheld", "reason": "经核实列入无误"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let upheld = procurement_check(&app, &buyer).await;
    assert_eq!(
        entry(&upheld, "abnormal_operation").unwrap()["under_objection"],
        false
    );

    // Repaired (its tier's minimum period, 12 months, has passed): the tax entry triggers
    // nothing any more.
    let apply = json!({"record": serious["id"], "commitment": "已缴清税款、滞纳金和罚款"});
    let (status, filed) = app.post_json(&subject, "/api/v1/repairs", apply).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a year after the decision: {filed}"
    );
    let decision = format!("/api/v1/repairs/{}/decision", filed["id"].as_str().unwrap());
    let (status, body) = app
        .post_json(
            &tax,
            &decision,
            json!({"outcome": "granted", "reason": "已缴清税款"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let repaired = procurement_check(&app, &buyer).await;
    assert!(
        repaired["measures"].as_array().unwrap().is_empty(),
        "{repaired}"
    );
    assert!(entry(&repaired, "tax_serious").is_none(), "{repaired}");
}
