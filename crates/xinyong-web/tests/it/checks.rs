//! Lists, the credit check and feedback over HTTP (issue #4), each test named after what it
//! proves.

use crate::common::{self, *};
use axum::http::StatusCode;
use serde_json::{Value, json};

const COURT: &str = "11440300COURT";
const BUYER: &str = "11440300BUYER";
/// A second company, whose legal representative is PERSON.
const FIRM: &str = "91350200MA2YJ1XR9G";

struct World {
    app: App,
    court: String,
    buyer: String,
}

async fn world() -> World {
    let app = App::new().await;
    let court = app
        .department(COURT, &["court_defaulter"], &["court_defaulter"])
        .await;
    let buyer = app.department(BUYER, &[], &[]).await;
    World { app, court, buyer }
}

/// A court-defaulter entry about the firm `code` that binds its legal representative PERSON;
/// tests set its `ground`.
fn defaulter(code: &str, doc: &str, starts_on: &str) -> Value {
    let mut entry = common::defaulter(
        code,
        "厦门示例贸易有限公司",
        "refuse_despite_ability",
        doc,
        starts_on,
    );
    entry["related_persons"] =
        json!([{"code": PERSON, "name": "张三", "role": "legal_representative"}]);
    entry["fields"]["obligation"] = json!("支付货款人民币三十万元");
    entry
}

impl World {
    async fn list(&self, body: Value) -> (StatusCode, Value) {
        self.app
            .post_json(&self.court, "/api/v1/lists/court_defaulter/entries", body)
            .await
    }
    async fn check(&self, subject: &str, context: &str) -> Value {
        let (status, body) = self
            .app
            .post_json(
                &self.buyer,
                "/api/v1/checks",
                json!({"subject": subject, "context": context}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

fn measure_ids(check: &Value) -> Vec<String> {
    check["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_types_and_memoranda_are_served() {
    let w = world().await;
    let (status, lists) = w.app.get("/api/v1/lists").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = lists["list_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "court_defaulter",
        "tax_serious",
        "procurement_serious",
        "abnormal_operation",
        "red_a_taxpayer",
    ] {
        assert!(ids.contains(&id), "{id} missing");
    }
    let (status, memoranda) = w.app.get("/api/v1/memoranda").await;
    assert_eq!(status, StatusCode::OK);
    let measures: Vec<&Value> = memoranda["memoranda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["measures"].as_array().unwrap())
        .collect();
    assert!(measures.len() >= 20);
    assert!(
        measures
            .iter()
            .all(|m| !m["legal_basis"].as_str().unwrap().trim().is_empty())
    );
}

#[tokio::test]
async fn listed_subject_gets_measures_each_with_its_legal_basis() {
    let w = world().await;
    let mut entry = defaulter(FIRM, "(2026)粤03执1号", "2026-06-01");
    entry["ground"] = json!(ground_id(&w.app).await);
    let (status, body) = w.list(entry).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let entry_id = body["id"].as_str().unwrap().to_owned();
    let check = w.check(FIRM, "government_procurement").await;
    assert_eq!(check["lists"].as_array().unwrap().len(), 1);
    assert!(!measure_ids(&check).is_empty());
    for m in check["measures"].as_array().unwrap() {
        assert!(!m["legal_basis"].as_str().unwrap().is_empty(), "{m}");
        assert_eq!(m["because"], entry_id.as_str());
    }
    // The entry is a record of the court_defaulter category: the public file shows it.
    let (_, file) = w.app.get(&format!("/api/v1/subjects/{FIRM}")).await;
    assert_eq!(file["records"][0]["category"], "court_defaulter");
}

#[tokio::test]
async fn related_person_binding_reaches_the_legal_representative() {
    let w = world().await;
    let mut entry = defaulter(FIRM, "(2026)粤03执2号", "2026-06-01");
    entry["ground"] = json!(ground_id(&w.app).await);
    assert_eq!(w.list(entry).await.0, StatusCode::CREATED);
    let person = w.check(PERSON, "high_consumption").await;
    let ids = measure_ids(&person);
    assert!(
        ids.len() >= 9,
        "the nine high-consumption restrictions bind the legal representative: {ids:?}"
    );
    assert_eq!(
        person["lists"][0]["via"]["type"], "related_person",
        "{person}"
    );
    // Organisation-only measures do not reach the person.
    let procurement = w.check(PERSON, "government_procurement").await;
    assert!(measure_ids(&procurement).is_empty(), "{procurement}");
}

#[tokio::test]
async fn removed_and_expired_entries_never_produce_measures() {
    let w = world().await;
    let ground = ground_id(&w.app).await;
    let mut a = defaulter(FIRM, "(2026)粤03执3号", "2026-06-01");
    a["ground"] = json!(ground);
    let (_, body) = w.list(a).await;
    let id = body["id"].as_str().unwrap().to_owned();
    assert!(!measure_ids(&w.check(FIRM, "bidding").await).is_empty());

    // Expiry is computed at read time: the default listing is two years.
    w.app.set_today(2028, 6, 1);
    assert!(measure_ids(&w.check(FIRM, "bidding").await).is_empty());
    w.app.set_today(2026, 11, 26);
    assert!(!measure_ids(&w.check(FIRM, "bidding").await).is_empty());

    let uri = format!("/api/v1/lists/court_defaulter/entries/{id}/removal");
    let (status, body) = w
        .app
        .post_json(
            &w.court,
            &uri,
            json!({"reason": "已全部履行", "document_no": "(2026)粤03执3号之一"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    let after = w.check(FIRM, "bidding").await;
    assert!(
        measure_ids(&after).is_empty() && after["lists"].as_array().unwrap().is_empty(),
        "{after}"
    );
    assert!(measure_ids(&w.check(PERSON, "high_consumption").await).is_empty());
    // Removing twice is a conflict; the history keeps both versions.
    let (status, _) = w
        .app
        .post_json(&w.court, &uri, json!({"reason": "x", "document_no": "y"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        w.app.state.store.record_history(&id).await.unwrap().len(),
        2
    );
    // And the public file no longer shows it.
    let (_, file) = w.app.get(&format!("/api/v1/subjects/{FIRM}")).await;
    assert!(file["records"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn extension_stays_within_the_allowed_period() {
    let w = world().await;
    let mut a = defaulter(FIRM, "(2026)粤03执4号", "2026-06-01");
    a["ground"] = json!(ground_id(&w.app).await);
    let (_, body) = w.list(a).await;
    let id = body["id"].as_str().unwrap();
    let uri = format!("/api/v1/lists/court_defaulter/entries/{id}/extension");
    let (status, body) = w
        .app
        .post_json(
            &w.court,
            &uri,
            json!({"ends_on": "2040-01-01", "document_no": "延1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = w
        .app
        .post_json(
            &w.court,
            &uri,
            json!({"ends_on": "2029-06-01", "document_no": "延1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entry"]["ends_on"], "2029-06-01");
    w.app.set_today(2028, 12, 1);
    assert!(
        !measure_ids(&w.check(FIRM, "bidding").await).is_empty(),
        "the extension counts"
    );
}

#[tokio::test]
async fn only_the_managing_authority_may_list() {
    let w = world().await;
    let mut a = defaulter(FIRM, "(2026)粤03执5号", "2026-06-01");
    a["ground"] = json!(ground_id(&w.app).await);
    let (status, _) = w
        .app
        .post_json(&w.buyer, "/api/v1/lists/court_defaulter/entries", a.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .app
        .post_json(&w.court, "/api/v1/lists/no_such_list/entries", a)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_entries_name_their_fields() {
    let w = world().await;
    let mut a = defaulter(FIRM, "(2026)粤03执6号", "2026-06-01");
    a["ground"] = json!("made_up");
    a["related_persons"][0]["role"] = json!("cousin");
    let (status, body) = w.list(a).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.iter().any(|f| f.contains("ground")) && fields.iter().any(|f| f.contains("role")),
        "{fields:?}"
    );
    // The category's published fields are required too: one mechanism, one validation.
    let mut b = defaulter(FIRM, "(2026)粤03执7号", "2026-06-01");
    b["ground"] = json!(ground_id(&w.app).await);
    b["fields"] = json!({});
    let (status, body) = w.list(b).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("fields.court"), "{body}");
}

#[tokio::test]
async fn records_submitted_in_list_categories_count_at_once() {
    // A court's ordinary submission of a defaulter record is a list entry too.
    let w = world().await;
    let record = json!({
        "category": "court_defaulter",
        "subject": {"code": FIRM, "name": "厦门示例贸易有限公司", "kind": "legal_person"},
        "document_no": "(2026)粤03执8号", "decided_on": "2026-05-01",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "fields": {"ground": "有履行能力而拒不履行", "court": "深圳市中级人民法院", "case_no": "(2026)粤03执8号",
                   "obligation": "支付货款", "performance": "全部未履行"}
    });
    let (status, body) = w
        .app
        .post_json(&w.court, "/api/v1/records", json!({"records": [record]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(!measure_ids(&w.check(FIRM, "bidding").await).is_empty());
}

#[tokio::test]
async fn checks_are_recorded_and_batch_screening_works() {
    let w = world().await;
    let mut a = defaulter(FIRM, "(2026)粤03执9号", "2026-06-01");
    a["ground"] = json!(ground_id(&w.app).await);
    w.list(a).await;
    let (status, body) = w
        .app
        .post_json(
            &w.buyer,
            "/api/v1/checks",
            json!({"subjects": [FIRM, COMPANY], "context": "bidding"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let checks = body["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert!(!checks[0]["measures"].as_array().unwrap().is_empty());
    assert!(
        checks[1]["measures"].as_array().unwrap().is_empty(),
        "an unlisted bidder is clear"
    );
    let recorded = w.app.state.store.checks_of_subject(FIRM).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].department, BUYER);
    assert_eq!(recorded[0].context, "bidding");
    // Bad input is a 4xx naming the problem.
    let (status, body) = w
        .app
        .post_json(
            &w.buyer,
            "/api/v1/checks",
            json!({"subject": FIRM, "context": "lunch"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().contains("government_procurement"),
        "lists the allowed contexts: {body}"
    );
    let (status, _) = w
        .app
        .post_json(
            &w.buyer,
            "/api/v1/checks",
            json!({"subject": "91350200MA2YJ1XR9X", "context": "bidding"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn feedback_is_validated_against_the_checks_measures() {
    let w = world().await;
    let mut a = defaulter(FIRM, "(2026)粤03执10号", "2026-06-01");
    a["ground"] = json!(ground_id(&w.app).await);
    w.list(a).await;
    let check = w.check(FIRM, "government_procurement").await;
    let ids = measure_ids(&check);
    let uri = format!(
        "/api/v1/checks/{}/feedback",
        check["check_id"].as_str().unwrap()
    );
    let (status, body) = w
        .app
        .post_json(
            &w.buyer,
            &uri,
            json!({"applied": ["not_a_returned_measure"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = w
        .app
        .post_json(&w.court, &uri, json!({"applied": [ids[0]]}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the checking department reports back"
    );
    let not_applied: Vec<Value> = ids[1..]
        .iter()
        .map(|m| json!({"measure": m, "reason": "本次采购不适用"}))
        .collect();
    let (status, body) = w
        .app
        .post_json(
            &w.buyer,
            &uri,
            json!({"applied": [ids[0]], "not_applied": not_applied}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = w
        .app
        .post_json(&w.buyer, &uri, json!({"applied": []}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "feedback is given once");
    let (status, stats) = w.app.get_as(&w.buyer, "/api/v1/checks/stats").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["departments"][BUYER]["checks"], 1);
    assert_eq!(stats["departments"][BUYER]["feedback_rate"], 1.0);
    let applied: u64 = stats["memoranda"]
        .as_object()
        .unwrap()
        .values()
        .map(|m| m["applied"].as_u64().unwrap())
        .sum();
    assert_eq!(applied, 1);
}

#[tokio::test]
async fn interleaved_writes_and_checks_stay_consistent() {
    // The in-memory index answers every check; after each committed write the next check
    // must see it, and after a reload from the store it must see the same thing.
    let w = world().await;
    let ground = ground_id(&w.app).await;
    let codes = [
        "91110000600037341L",
        "91110108551385082Q",
        "91350200MA2YJ1XR9G",
        "12100000400009880K",
    ];
    let mut ids = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let mut e = defaulter(code, &format!("(2026)粤03执2{i}号"), "2026-06-01");
        e["ground"] = json!(ground);
        e["subject"]["kind"] = json!(if code.starts_with("12") {
            "other_org"
        } else {
            "legal_person"
        });
        let (status, body) = w.list(e).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
        assert!(
            !measure_ids(&w.check(code, "bidding").await).is_empty(),
            "visible right after its write"
        );
        if i % 2 == 1 {
            let uri = format!(
                "/api/v1/lists/court_defaulter/entries/{}/removal",
                ids[i - 1]
            );
            let (status, _) = w
                .app
                .post_json(
                    &w.court,
                    &uri,
                    json!({"reason": "履行完毕", "document_no": "结1"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                measure_ids(&w.check(codes[i - 1], "bidding").await).is_empty(),
                "gone right after removal"
            );
        }
    }
    let before: Vec<Vec<String>> = {
        let mut v = Vec::new();
        for c in codes {
            v.push(measure_ids(&w.check(c, "bidding").await));
        }
        v
    };
    w.app
        .state
        .lists
        .reload(&*w.app.state.store, w.app.state.today())
        .await
        .unwrap();
    for (c, want) in codes.iter().zip(before) {
        assert_eq!(
            measure_ids(&w.check(c, "bidding").await),
            want,
            "index and store agree for {c}"
        );
    }
}

#[tokio::test]
async fn a_broken_commitment_becomes_a_linked_negative_record() {
    let w = world().await;
    let office = w
        .app
        .department(
            "11440300OFFICE",
            &["credit_commitment", "commitment_breach"],
            &[],
        )
        .await;
    let commitment = json!({
        "category": "credit_commitment",
        "subject": {"code": FIRM, "name": "厦门示例贸易有限公司", "kind": "legal_person"},
        "document_no": "承诺〔2026〕7号", "decided_on": "2026-03-01",
        "legal_basis": "《国家发展改革委办公厅关于进一步完善信用承诺制度的通知》",
        "fields": {"commitment_type": "审批替代型", "matter": "申请食品经营许可",
                   "content": "本单位未被列入严重失信主体名单，已依法纳税", "accepting_unit": "深圳市市场监督管理局"}
    });
    let (status, body) = w
        .app
        .post_json(&office, "/api/v1/records", json!({"records": [commitment]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let commitment_id = body["ids"][0].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/records/{commitment_id}/breach");
    let breach = json!({"document_no": "违诺〔2026〕1号", "decided_on": "2026-10-01", "tier": "general",
                        "breach": "承诺已纳税，经查欠缴税款十二万元"});
    let (status, _) = w.app.post_json(&w.buyer, &uri, breach.clone()).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the accepting department"
    );
    let (status, body) = w.app.post_json(&office, &uri, breach.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, file) = w.app.get(&format!("/api/v1/subjects/{FIRM}")).await;
    let records = file["records"].as_array().unwrap();
    let breach_record = records
        .iter()
        .find(|r| r["category"] == "commitment_breach")
        .unwrap();
    assert_eq!(
        breach_record["fields"]["commitment_record"],
        commitment_id.as_str()
    );
    assert_eq!(
        breach_record["fields"]["commitment_document_no"],
        "承诺〔2026〕7号"
    );
    assert!(breach_record["negative"].as_bool().unwrap());
    assert!(
        records.iter().any(|r| r["category"] == "credit_commitment"),
        "the commitment itself stays"
    );
    // Only commitments can be broken.
    let (status, _) = w
        .app
        .post_json(
            &office,
            &format!("/api/v1/records/{}/breach", xinyong_store::new_id()),
            breach,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
