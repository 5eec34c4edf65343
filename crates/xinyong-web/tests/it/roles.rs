//! People in regulated roles (issue #13, SPEC row 14): registered by the departments given
//! their profession; professional records attach only to a role their subject holds; a public
//! profession's roles are public without the identity number; civil servants' integrity
//! records are read only by the person's own organisation.

use axum::http::StatusCode;
use serde_json::{Value, json};
use xinyong_store::Role;

use crate::common::{App, COMPANY, OTHER_COMPANY, PERSON, SAMR, issue_token};

const LAWYER: &str = "440305198507265865";
const LICENCE: &str = "14403201510123456";
/// 《社会保险法》第八十六条, a statute that opens restricted information for supervision.
const RESTRICTED: &str = "purpose=supervision&legal_basis=%E3%80%8A%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%B3%95%E3%80%8B%E7%AC%AC%E5%85%AB%E5%8D%81%E5%85%AD%E6%9D%A1";

fn lawyer_role(person: &str, firm: &str, since: &str) -> Value {
    json!({
        "person_code": person, "person_name": "张律师", "organisation_code": firm,
        "profession": "lawyer", "licence_no": LICENCE, "since": since
    })
}

fn discipline(licence: &str, decided_on: &str) -> Value {
    json!({"records": [{
        "category": "professional_discipline",
        "subject": {"code": LAWYER, "name": "张律师", "kind": "natural_person"},
        "document_no": format!("深司惩〔2026〕{decided_on}号"),
        "decided_on": decided_on,
        "legal_basis": "《中华人民共和国律师法》第四十八条",
        "tier": "general",
        "fields": {
            "licence_no": licence, "organisation_code": COMPANY, "measure": "警告",
            "facts": "同时在两个律师事务所执业", "authority": "深圳市司法局"
        }
    }]})
}

async fn justice(app: &App) -> String {
    app.department_registering("JUSTICE01", &["professional_discipline"], &[], &["lawyer"])
        .await
}

#[tokio::test]
async fn a_professional_record_attaches_only_to_a_role_its_subject_holds() {
    let app = App::new().await;
    let justice = justice(&app).await;
    let (status, role) = app
        .post_json(
            &justice,
            "/api/v1/roles",
            lawyer_role(LAWYER, COMPANY, "2015-10-01"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let id = role["id"].as_str().unwrap().to_owned();

    let (status, body) = app
        .post_json(
            &justice,
            "/api/v1/records",
            discipline("99999", "2026-03-01"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "fields.licence_no", "{body}");
    let (status, body) = app
        .post_json(
            &justice,
            "/api/v1/records",
            discipline(LICENCE, "2014-03-01"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "decided_on", "{body}");
    let (status, body) = app
        .post_json(
            &justice,
            "/api/v1/records",
            discipline(LICENCE, "2026-03-01"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The public sees the role, its profession and the record attached to it, never the
    // person's number.
    let (status, file) = app.get(&format!("/api/v1/roles/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(file["profession_name_zh"], "律师");
    assert_eq!(file["records"].as_array().unwrap().len(), 1, "{file}");
    assert_eq!(file["records"][0]["category"], "professional_discipline");
    assert!(!file.to_string().contains(LAWYER), "{file}");
    let (status, at_firm) = app.get(&format!("/api/v1/subjects/{COMPANY}/roles")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(at_firm["roles"][0]["id"], id.as_str(), "{at_firm}");
    assert!(!at_firm.to_string().contains(LAWYER));
    let (_, elsewhere) = app
        .get(&format!("/api/v1/subjects/{OTHER_COMPANY}/roles"))
        .await;
    assert_eq!(elsewhere["roles"], json!([]));

    // The person sees the role in their own file.
    let store = &*app.state.store;
    let own = issue_token(store, Role::Subject, None, Some(LAWYER), None, None).await;
    let (status, mine) = app.get_as(&own, "/api/v1/me/records").await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["roles"][0]["licence_no"], LICENCE, "{mine}");
}

#[tokio::test]
async fn a_department_registers_only_its_professions_and_a_licence_once_at_a_time() {
    let app = App::new().await;
    let justice = justice(&app).await;
    let mut doctor = lawyer_role(LAWYER, COMPANY, "2015-10-01");
    doctor["profession"] = json!("doctor");
    let (status, body) = app.post_json(&justice, "/api/v1/roles", doctor).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "profession_not_allowed");
    let mut bad = lawyer_role("110105194912310021", COMPANY, "2099-01-01");
    bad["organisation_code"] = json!("not a code");
    let (status, body) = app.post_json(&justice, "/api/v1/roles", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["person_code", "organisation_code", "since"],
        "{body}"
    );

    let (_, first) = app
        .post_json(
            &justice,
            "/api/v1/roles",
            lawyer_role(LAWYER, COMPANY, "2015-10-01"),
        )
        .await;
    let first = first["id"].as_str().unwrap().to_owned();
    let moved = lawyer_role(LAWYER, OTHER_COMPANY, "2024-03-01");
    let (status, body) = app
        .post_json(&justice, "/api/v1/roles", moved.clone())
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "licence_held");

    let other = app
        .department_registering("JUSTICE02", &[], &[], &["lawyer"])
        .await;
    let end = json!({"until": "2024-02-29"});
    let uri = format!("/api/v1/roles/{first}/end");
    let (status, body) = app.post_json(&other, &uri, end.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app
        .post_json(&justice, &uri, json!({"until": "2010-01-01"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, ended) = app.post_json(&justice, &uri, end).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["until"], "2024-02-29");
    let (status, body) = app.post_json(&justice, "/api/v1/roles", moved).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = app.get("/api/v1/roles/NO-SUCH-ROLE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn civil_servant_integrity_records_are_read_only_by_the_persons_own_organisation() {
    let app = App::new().await;
    // The organisation (its department code is its unified code) registers its own civil
    // servant and keeps the integrity file.
    let own = app
        .department_registering(SAMR, &["civil_servant_integrity"], &[], &["civil_servant"])
        .await;
    let (status, role) = app
        .post_json(
            &own,
            "/api/v1/roles",
            json!({
                "person_code": PERSON, "person_name": "李科员", "organisation_code": SAMR,
                "profession": "civil_servant", "licence_no": "GWY-2010-0042", "since": "2010-07-01"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let id = role["id"].as_str().unwrap().to_owned();
    let (status, body) = app
        .post_json(
            &own,
            "/api/v1/records",
            json!({"records": [{
                "category": "civil_servant_integrity",
                "subject": {"code": PERSON, "name": "李科员", "kind": "natural_person"},
                "document_no": "深市监人〔2026〕3号",
                "decided_on": "2026-01-15",
                "legal_basis": "《中华人民共和国公务员法》第五十九条",
                "fields": {
                    "licence_no": "GWY-2010-0042", "organisation_code": SAMR,
                    "entry_type": "年度考核结果", "content": "2025年度考核：优秀", "year": 2025
                }
            }]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let restricted = |body: &Value| -> Vec<String> {
        body["restricted"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["category"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let uri = format!("/api/v1/subjects/{PERSON}?{RESTRICTED}");
    let (status, mine) = app.get_as(&own, &uri).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(restricted(&mine), ["civil_servant_integrity"], "{mine}");
    // The civil servant reads their own file in full.
    let person = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(PERSON),
        None,
        None,
    )
    .await;
    let (_, mine_all) = app.get_as(&person, "/api/v1/me/records").await;
    assert!(
        mine_all.to_string().contains("civil_servant_integrity"),
        "{mine_all}"
    );
    // Another department with a statute that opens restricted information still does not
    // see it.
    let audit = app.department("AUDIT01", &["admin_penalty"], &[]).await;
    let (status, theirs) = app.get_as(&audit, &uri).await;
    assert_eq!(status, StatusCode::OK, "{theirs}");
    assert!(restricted(&theirs).is_empty(), "{theirs}");

    // Nor does the public learn who the organisation's civil servants are.
    let (status, _) = app.get(&format!("/api/v1/roles/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, public) = app.get(&format!("/api/v1/subjects/{SAMR}/roles")).await;
    assert_eq!(public["roles"], json!([]), "{public}");
    let (_, listed) = app
        .get_as(&own, &format!("/api/v1/subjects/{SAMR}/roles"))
        .await;
    assert_eq!(listed["roles"][0]["id"], id.as_str(), "{listed}");
    let (_, other) = app.get_as(&audit, &format!("/api/v1/roles/{id}")).await;
    assert_eq!(other["code"], "unknown_role");
}

#[tokio::test]
async fn an_organisations_page_lists_its_public_people_in_roles_and_no_civil_servant() {
    let app = App::new().await;
    crate::common::penalised_company(&app, "罚〔2026〕1号", "2026-03-01").await;
    let justice = justice(&app).await;
    let (status, body) = app
        .post_json(
            &justice,
            "/api/v1/roles",
            lawyer_role(LAWYER, COMPANY, "2015-10-01"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let personnel = app
        .department_registering("PERSONNEL01", &[], &[], &["civil_servant"])
        .await;
    let (status, body) = app
        .post_json(
            &personnel,
            "/api/v1/roles",
            json!({
                "person_code": PERSON, "person_name": "李科员", "organisation_code": COMPANY,
                "profession": "civil_servant", "licence_no": "GWY-1", "since": "2010-07-01"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let request = axum::http::Request::get(format!("/subjects/{COMPANY}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, bytes) = crate::common::respond(&app.state, request).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        page.contains("执业人员") && page.contains("张律师"),
        "{page}"
    );
    assert!(page.contains(LICENCE));
    assert!(!page.contains("李科员"), "a civil servant is not published");
    assert!(!page.contains(LAWYER), "never the number");
}

#[tokio::test]
async fn an_objection_cannot_correct_a_professional_record_onto_a_role_not_held() {
    let app = App::new().await;
    let justice = justice(&app).await;
    app.post_json(
        &justice,
        "/api/v1/roles",
        lawyer_role(LAWYER, COMPANY, "2015-10-01"),
    )
    .await;
    let (status, body) = app
        .post_json(
            &justice,
            "/api/v1/records",
            discipline(LICENCE, "2026-03-01"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let record = body["ids"][0].as_str().unwrap().to_owned();
    let store = &*app.state.store;
    let own = issue_token(store, Role::Subject, None, Some(LAWYER), None, None).await;
    let (status, case) = app
        .post_json(
            &own,
            "/api/v1/objections",
            json!({"record": record, "what": "content", "reason": "我不在该所执业"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let mut moved = discipline(LICENCE, "2026-03-01")["records"][0].clone();
    moved["fields"]["organisation_code"] = json!(OTHER_COMPANY);
    let uri = format!(
        "/api/v1/objections/{}/decision",
        case["id"].as_str().unwrap()
    );
    let (status, body) = app
        .post_json(
            &justice,
            &uri,
            json!({"outcome": "corrected", "reason": "执业机构有误", "record": moved}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "fields.licence_no", "{body}");
}

#[tokio::test]
async fn an_end_moves_only_earlier_and_a_past_role_registers_beside_the_current_one() {
    let app = App::new().await;
    let justice = justice(&app).await;
    let (_, current) = app
        .post_json(
            &justice,
            "/api/v1/roles",
            lawyer_role(LAWYER, COMPANY, "2020-01-01"),
        )
        .await;
    // The same licence earlier, at another firm, ended before: no overlap, registered.
    let mut past = lawyer_role(LAWYER, OTHER_COMPANY, "2012-01-01");
    past["until"] = json!("2019-12-31");
    let (status, body) = app.post_json(&justice, "/api/v1/roles", past).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let uri = format!("/api/v1/roles/{}/end", current["id"].as_str().unwrap());
    let (status, _) = app
        .post_json(&justice, &uri, json!({"until": "2025-06-30"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(&justice, &uri, json!({"until": "2026-06-30"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .post_json(&justice, &uri, json!({"until": "2025-01-31"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // A record of the earlier period attaches to the earlier role.
    let mut earlier = discipline(LICENCE, "2018-05-01");
    earlier["records"][0]["fields"]["organisation_code"] = json!(OTHER_COMPANY);
    earlier["records"][0]["publicity_until"] = json!("2019-05-01");
    let (status, body) = app.post_json(&justice, "/api/v1/records", earlier).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
