//! End-to-end tests of the HTTP API against a real SQLite store, each named after the SPEC
//! invariant or issue requirement it proves.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_store::Role;
use xinyong_web::router;

fn record_docs(file: &Value) -> Vec<String> {
    file["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["document_no"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_cloned_state_shares_everything_until_one_clone_has_a_field_set() {
    use std::sync::Arc;
    let app = App::new().await;
    let served = app.state.clone();
    // A clone is one reference: the same store, caches and recorder.
    assert!(Arc::ptr_eq(&served.store, &app.state.store));
    assert!(Arc::ptr_eq(&served.auth, &app.state.auth));
    // Setting a field of one clone leaves the other as it was (copy on write).
    let mut changed = served.clone();
    changed.ledger_key = Some(Arc::new(xinyong_ledger::generate_key().unwrap()));
    changed.limits = Arc::new(xinyong_web::limits::Limits::new(1, 1, 1));
    assert!(served.ledger_key.is_none() && app.state.ledger_key.is_none());
    assert!(!Arc::ptr_eq(&changed.limits, &served.limits));
    assert!(
        Arc::ptr_eq(&changed.store, &served.store),
        "the rest is shared"
    );
}

#[tokio::test]
async fn healthz_answers() {
    let app = App::new().await;
    assert_eq!(
        app.get("/healthz").await,
        (StatusCode::OK, json!({"status": "ok"}))
    );
}

#[tokio::test]
async fn accepted_records_are_disclosed_with_their_source() {
    let app = App::new().await;
    let (status, body) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-10-01")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["ids"].as_array().unwrap().len(), 1);
    let (status, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(file["name"], "北京示例科技有限公司");
    let r = &file["records"][0];
    assert_eq!(r["category"], "admin_penalty");
    assert_eq!(r["department"], SAMR);
    assert_eq!(r["document_no"], "罚1");
    assert_eq!(r["legal_basis"], "《中华人民共和国行政处罚法》第二十八条");
    assert_eq!(
        r["publicity_until"], "2027-10-01",
        "general tier: 12 months"
    );
    assert_eq!(
        r["fields"]["fine_10k_yuan"], "1.5",
        "decimals are kept exact, as strings"
    );
}

#[tokio::test]
async fn invalid_batch_is_rejected_whole_with_index_and_field() {
    let app = App::new().await;
    let mut bad = penalty(OTHER_COMPANY, "罚2", "general", "2026-10-01");
    bad["subject"]["code"] = json!("91110108551385082A");
    bad["fields"]["unknown_field"] = json!("x");
    let (status, body) = app
        .post(json!([
            penalty(COMPANY, "罚1", "general", "2026-10-01"),
            bad
        ]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| e["index"] == 1));
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"subject.code") && fields.contains(&"fields.unknown_field"),
        "{fields:?}"
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("character 18"),
        "{body}"
    );
    // Nothing from the batch was stored, not even the valid record.
    assert_eq!(
        app.get(&format!("/api/v1/subjects/{COMPANY}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.state.store.counts().await.unwrap().records, 0);
}

#[tokio::test]
async fn unknown_category_is_rejected() {
    let app = App::new().await;
    let mut r = penalty(COMPANY, "罚1", "general", "2026-10-01");
    r["category"] = json!("gossip");
    let (status, body) = app.post(json!([r])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "category");
}

#[tokio::test]
async fn department_may_submit_only_its_categories() {
    let app = App::new().await;
    let mut r = penalty(COMPANY, "罚1", "general", "2026-10-01");
    r["category"] = json!("honour");
    let (status, body) = app.post(json!([r])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("honour"));
    assert_eq!(app.state.store.counts().await.unwrap().records, 0);
}

#[tokio::test]
async fn submission_needs_a_valid_token() {
    let app = App::new().await;
    let record = json!([penalty(COMPANY, "罚1", "general", "2026-10-01")]);
    assert_eq!(
        app.post_as(None, record.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_as(Some("xy_0000"), record.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post_as(Some("not-a-token"), record.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    let expired = App::make_token(&*app.state.store, Some(past), None).await;
    assert_eq!(
        app.post_as(Some(&expired), record.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let revoked = App::make_token(&*app.state.store, None, Some(past)).await;
    assert_eq!(
        app.post_as(Some(&revoked), record).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn invalid_token_is_refused_on_public_endpoints_too() {
    let app = App::new().await;
    let req = Request::get("/api/v1/subjects")
        .header(header::AUTHORIZATION, "Bearer xy_forged")
        .body(Body::empty())
        .unwrap();
    let (status, body) = app.call(req).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "never silently downgraded to anonymous"
    );
    assert_eq!(body["status"], 401);
}

#[tokio::test]
async fn resubmission_is_a_no_op_and_new_content_a_new_version() {
    let app = App::new().await;
    let (_, first) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-10-01")]))
        .await;
    let (_, again) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-10-01")]))
        .await;
    assert_eq!(again["outcomes"], json!(["unchanged"]));
    assert_eq!(again["ids"], first["ids"]);
    let mut changed = penalty(COMPANY, "罚1", "general", "2026-10-01");
    changed["fields"]["facts"] = json!("更正后的违法事实");
    let (_, second) = app.post(json!([changed])).await;
    assert_eq!(second["outcomes"], json!(["new_version"]));
    assert_eq!(second["versions"], json!([2]));
    let history = app
        .state
        .store
        .record_history(first["ids"][0].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "the old version is kept");
    let (_, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert_eq!(file["records"][0]["fields"]["facts"], "更正后的违法事实");
}

#[tokio::test]
async fn expired_records_leave_public_view_at_read_time() {
    let app = App::new().await;
    app.post(json!([
        penalty(COMPANY, "一般", "general", "2026-01-15"),
        penalty(COMPANY, "严重", "serious", "2026-01-15"),
    ]))
    .await;
    async fn docs(app: &App) -> Vec<String> {
        record_docs(&app.get(&format!("/api/v1/subjects/{COMPANY}")).await.1)
    }
    assert_eq!(docs(&app).await.len(), 2);
    // The general tier ends after 12 months: the last public day is 2027-01-14.
    app.set_today(2027, 1, 14);
    assert_eq!(docs(&app).await.len(), 2);
    app.set_today(2027, 1, 15);
    assert_eq!(docs(&app).await, vec!["严重"]);
    // The serious tier ends after 36 months.
    app.set_today(2029, 1, 15);
    assert!(docs(&app).await.is_empty());
}

#[tokio::test]
async fn minor_tier_negative_records_are_not_public() {
    let app = App::new().await;
    let (status, _) = app
        .post(json!([penalty(COMPANY, "轻微", "minor", "2026-11-01")]))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert!(record_docs(&file).is_empty());
}

#[tokio::test]
async fn shared_and_restricted_categories_are_not_public() {
    let app = App::new().await;
    let rating = json!({
        "category": "tax_credit_rating",
        "subject": {"code": COMPANY, "name": "北京示例科技有限公司", "kind": "legal_person"},
        "document_no": "评1", "decided_on": "2026-04-01", "legal_basis": "《纳税信用管理办法》",
        "fields": {"rating": "A", "year": 2025}
    });
    let arrears = json!({
        "category": "social_insurance_arrears",
        "subject": {"code": PERSON, "name": "张三", "kind": "natural_person"},
        "document_no": "社1", "decided_on": "2026-04-01", "legal_basis": "《社会保险法》第八十六条", "tier": "general",
        "fields": {"insurance_type": "养老保险", "amount_yuan": "1200.50", "arrears_period": "2025年", "social_security_office": "深圳市社保局"}
    });
    let (status, body) = app.post(json!([rating, arrears])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(record_docs(&app.get(&format!("/api/v1/subjects/{COMPANY}")).await.1).is_empty());
    // The public reaches a person's file by its opaque id (a full number finds no one).
    let person = person_id(&app).await;
    assert!(record_docs(&app.get(&format!("/api/v1/subjects/{person}")).await.1).is_empty());
}

/// The opaque id of the one natural person in the public subject listing.
async fn person_id(app: &App) -> String {
    let (_, list) = app.get("/api/v1/subjects").await;
    list["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "natural_person")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn natural_person_identity_numbers_are_masked_on_public_outputs() {
    let app = App::new().await;
    let defaulter = json!({
        "category": "court_defaulter",
        "subject": {"code": PERSON, "name": "张三", "kind": "natural_person"},
        "document_no": "(2026)粤03执1号", "decided_on": "2026-06-01",
        "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        "fields": {"ground": "有履行能力而拒不履行", "court": "深圳市中级人民法院", "case_no": "(2026)粤03执1号",
                   "obligation": "支付货款", "performance": "全部未履行", "behaviour": "被执行人张三（11010519491231002X）拒不履行"}
    });
    let (status, body) = app.post(json!([defaulter])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, file) = app
        .get(&format!("/api/v1/subjects/{}", person_id(&app).await))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app.get("/api/v1/subjects").await;
    for body in [file.to_string(), list.to_string()] {
        assert!(
            !body.contains(PERSON),
            "full identity number leaked: {body}"
        );
        assert!(body.contains("110105********002X"), "{body}");
    }
    assert_eq!(file["records"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invalid_code_is_400_naming_the_position_and_unknown_subject_is_404() {
    let app = App::new().await;
    let (status, body) = app.get("/api/v1/subjects/91110000600037341M").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["detail"].as_str().unwrap().contains("character 18"),
        "{body}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/subjects/{OTHER_COMPANY}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn subject_list_pages_in_a_stable_order() {
    let app = App::new().await;
    let codes = [COMPANY, OTHER_COMPANY, "91350200MA2YJ1XR9G"];
    let batch: Vec<Value> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| penalty(c, &format!("罚{i}"), "general", "2026-10-01"))
        .collect();
    app.post(Value::Array(batch)).await;
    let (_, p1) = app.get("/api/v1/subjects?limit=2").await;
    let next = p1["next"].as_str().unwrap();
    let (_, p2) = app
        .get(&format!("/api/v1/subjects?limit=2&after={next}"))
        .await;
    assert!(p2["next"].is_null());
    let mut seen: Vec<String> = p1["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["subjects"].as_array().unwrap())
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    let mut want: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    want.sort();
    assert_eq!(seen, want);
    for bad in [
        "limit=0",
        "limit=abc",
        "limit=5000",
        "after=robert%27%29%3B%20DROP%20TABLE",
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/subjects?{bad}")).await.0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn catalogue_is_served_in_the_documented_shape() {
    let app = App::new().await;
    let (status, body) = app.get("/api/v1/catalogue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["version"].is_string());
    let penalty = body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "admin_penalty")
        .unwrap();
    for key in [
        "name_zh",
        "name_en",
        "subject_kinds",
        "disclosure",
        "negative",
        "tiers",
        "fields",
    ] {
        assert!(penalty.get(key).is_some(), "missing {key}");
    }
    let field = &penalty["fields"][0];
    for key in ["name", "header_zh", "type", "required"] {
        assert!(field.get(key).is_some(), "missing field.{key}");
    }
    let types: std::collections::BTreeSet<&str> = body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap())
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert!(
        types.is_subset(
            &[
                "string", "text", "date", "decimal", "integer", "enum", "code"
            ]
            .into()
        ),
        "{types:?}"
    );
}

#[tokio::test]
async fn malformed_requests_get_4xx_problems() {
    let app = App::new().await;
    let token = app.token.clone();
    let cases: Vec<(Request<Body>, StatusCode)> = vec![
        (
            Request::post("/api/v1/records")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Request::post("/api/v1/records")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from("{}"))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Request::post("/api/v1/records")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"records": []}"#))
                .unwrap(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Request::post("/api/v1/records")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"records": [1, "x", null]}"#))
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Request::get("/nowhere").body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (req, want) in cases {
        let uri = req.uri().clone();
        let (status, body) = app.call(req).await;
        assert_eq!(status, want, "{uri}: {body}");
        assert_eq!(body["status"], want.as_u16(), "problem document for {uri}");
    }
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = App::new().await;
    let resp = router(app.state.clone())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let h = resp.headers();
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(h.contains_key(header::CONTENT_SECURITY_POLICY));
    assert!(h.contains_key(header::REFERRER_POLICY));
}

#[test]
fn openapi_document_is_generated_from_the_code() {
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for p in [
        "/healthz",
        "/api/v1/catalogue",
        "/api/v1/records",
        "/api/v1/subjects",
        "/api/v1/subjects/{code}",
    ] {
        assert!(
            paths.iter().any(|x| x.as_str() == p),
            "{p} missing from {paths:?}"
        );
    }
    insta::assert_json_snapshot!("openapi", doc);
}

/// Issue #15 (schemathesis): utoipa names a schema after its type, and of two types with one
/// name the document keeps one, so `GET /api/v1/lists` answered a shape its document did not
/// describe (two `Removal`s) and an objection's decision was documented as a repair's. Every
/// type documented in the API must have a schema name of its own (`#[schema(as = ...)]`).
#[test]
fn openapi_schema_names_are_unique_so_none_is_overwritten() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut dirs = vec![
        root.join("xinyong-web/src"),
        root.join("xinyong-domain/src"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut seen: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut attributes = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[") || line.starts_with("///") {
                attributes.push_str(line);
                continue;
            }
            let item = line
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ")
                .strip_prefix("struct ")
                .or_else(|| line.trim_start_matches("pub ").strip_prefix("enum "));
            if let Some(item) = item
                && attributes.contains("ToSchema")
            {
                let own: String = item
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let name = attributes
                    .split("schema(as = ")
                    .nth(1)
                    .map(|rest| {
                        let path: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                            .collect();
                        path.rsplit("::").next().unwrap_or_default().to_owned()
                    })
                    .unwrap_or(own);
                if let Some(other) = seen.insert(name.clone(), file.clone()) {
                    panic!(
                        "schema {name} is both in {} and {}: give one #[schema(as = ...)]",
                        other.display(),
                        file.display()
                    );
                }
            }
            attributes.clear();
        }
    }
    assert!(
        seen.len() > 100,
        "found only {} documented types",
        seen.len()
    );
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let example = &doc["paths"]["/api/v1/objections/{id}/decision"]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    assert_eq!(example["outcome"], "upheld", "{example}");
}

fn from(ip: [u8; 4], req: axum::http::request::Builder) -> Request<Body> {
    from_address(ip, req.body(Body::empty()).unwrap())
}

#[tokio::test]
async fn anonymous_clients_are_rate_limited_with_retry_after() {
    let app = App::new().await;
    let mut state = app.state.clone();
    state.limits = std::sync::Arc::new(xinyong_web::limits::Limits::new(1, 5, 3));
    // One router for every request: building it (and its API document) per request took
    // long enough in a debug build for the bucket to refill between requests.
    let served = router(state);
    let call = |req: Request<Body>| {
        let served = served.clone();
        async move { served.oneshot(req).await.unwrap() }
    };
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            call(from([10, 0, 0, 1], Request::get("/healthz")))
                .await
                .status(),
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        5,
        "{statuses:?}"
    );
    let limited = call(from([10, 0, 0, 1], Request::get("/healthz"))).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key(header::RETRY_AFTER));
    // Another address has its own budget; a department with a valid token is not limited.
    assert_eq!(
        call(from([10, 0, 0, 2], Request::get("/healthz")))
            .await
            .status(),
        StatusCode::OK
    );
    for _ in 0..10 {
        let req = from(
            [10, 0, 0, 1],
            Request::get("/api/v1/subjects")
                .header(header::AUTHORIZATION, format!("Bearer {}", app.token)),
        );
        assert_eq!(call(req).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn failed_authentication_is_throttled_per_address() {
    let app = App::new().await;
    let mut state = app.state.clone();
    state.limits = std::sync::Arc::new(xinyong_web::limits::Limits::new(100, 100, 3));
    let call = |req: Request<Body>| {
        let state = state.clone();
        async move { router(state).oneshot(req).await.unwrap().status() }
    };
    let guess = |n: u32| {
        from(
            [10, 0, 0, 9],
            Request::get("/api/v1/subjects")
                .header(header::AUTHORIZATION, format!("Bearer xy_guess{n}")),
        )
    };
    for n in 0..3 {
        assert_eq!(call(guess(n)).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        call(guess(4)).await,
        StatusCode::TOO_MANY_REQUESTS,
        "guessing is slowed down"
    );
    let valid = from(
        [10, 0, 0, 10],
        Request::get("/api/v1/subjects")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token)),
    );
    assert_eq!(
        call(valid).await,
        StatusCode::OK,
        "other addresses are unaffected"
    );
}

#[tokio::test]
async fn a_refused_reader_is_told_why_in_words_that_fit_it() {
    let app = App::new().await;
    let (status, body) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-04-01")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let store = &*app.state.store;
    let operator = issue_token(store, Role::Operator, None, None, None, None).await;
    let own = issue_token(store, Role::Subject, None, Some(COMPANY), None, None).await;
    let other = issue_token(store, Role::Subject, None, Some(OTHER_COMPANY), None, None).await;
    let uri = format!("/api/v1/subjects/{COMPANY}?purpose=supervision");
    for (token, says) in [
        (
            &operator,
            "an operator does not read subjects' non-public information",
        ),
        (
            &own,
            "this is your own file: read all of it, without a purpose, at GET /api/v1/me/records",
        ),
        (
            &other,
            "a subject does not read other subjects' non-public information",
        ),
    ] {
        let (status, body) = app.get_as(token, &uri).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with(says), "{detail}");
    }
}

#[tokio::test]
async fn another_departments_record_does_not_rename_a_subject_and_shows_in_its_quality_report() {
    let app = App::new().await;
    let (status, body) = app
        .post(json!([penalty(COMPANY, "罚1", "general", "2026-10-01")]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let tax = app.department("TAX440300", &["admin_penalty"], &[]).await;
    let mut renamed = penalty(COMPANY, "税1", "general", "2026-10-02");
    renamed["subject"]["name"] = json!("被篡改的名称有限公司");
    let (status, body) = app
        .post_json(&tax, "/api/v1/records", json!({"records": [renamed]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (_, file) = app.get(&format!("/api/v1/subjects/{COMPANY}")).await;
    assert_eq!(file["name"], "北京示例科技有限公司");

    let (status, report) = app.get_as(&tax, "/api/v1/departments/me/quality").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let lines = report["name_mismatches"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{report}");
    assert_eq!(lines[0]["document_no"], "税1");
    assert_eq!(lines[0]["submitted_name"], "被篡改的名称有限公司");
    assert_eq!(lines[0]["registered_name"], "北京示例科技有限公司");
    assert_eq!(lines[0]["registrar"], SAMR);
    assert_eq!(report["truncated"], false);
}

#[tokio::test]
async fn a_kind_that_contradicts_the_code_is_refused() {
    let app = App::new().await;
    let mut bad = penalty(COMPANY, "罚1", "general", "2026-10-01");
    bad["subject"]["kind"] = json!("individual_business");
    let (status, body) = app.post(json!([bad])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("characters 1-2"), "{body}");
}

#[tokio::test]
async fn a_published_list_is_readable_as_json_page_by_page() {
    let w = crate::common::world::world().await;
    let (status, page) = w
        .app
        .get("/api/v1/lists/court_defaulter/entries?limit=1")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["next"], false);
    assert_eq!(page["entries"][0]["subject_code"], COMPANY);
    assert_eq!(page["entries"][0]["record"]["category"], "court_defaulter");
    let (status, _) = w.app.get("/api/v1/lists/no_such_list/entries").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = w
        .app
        .get("/api/v1/lists/court_defaulter/entries?limit=0")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_says_whether_another_page_follows() {
    let app = App::new().await;
    let (status, body) = app
        .post(json!([
            penalty(COMPANY, "罚1", "general", "2026-04-01"),
            penalty(OTHER_COMPANY, "罚2", "general", "2026-04-01"),
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let q = "/api/v1/search?q=%E7%A4%BA%E4%BE%8B%E7%A7%91%E6%8A%80"; // 示例科技
    let (_, first) = app.get(&format!("{q}&limit=1")).await;
    assert_eq!(
        (first["total"].as_u64(), first["next"].as_bool()),
        (Some(2), Some(true)),
        "{first}"
    );
    assert_eq!(
        first["more"], false,
        "more is about the 500 ranked, not the next page"
    );
    let (_, last) = app.get(&format!("{q}&limit=1&offset=1")).await;
    assert_eq!(last["next"], false, "{last}");
}

/// Issue #16: the OpenAPI document had no examples. Every JSON request body has one, built
/// from its schema, and the example of a credit check is a check the server accepts.
#[tokio::test]
async fn every_json_request_body_in_the_document_has_an_example() {
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put"] {
            if let Some(json) = item
                .get(method)
                .and_then(|o| o.get("requestBody"))
                .and_then(|b| b["content"].get("application/json"))
            {
                bodies += 1;
                assert!(
                    json.get("example").is_some(),
                    "{method} {path} has no example"
                );
            }
        }
    }
    assert!(bodies > 15, "{bodies} JSON bodies");
    let example = doc["paths"]["/api/v1/checks"]["post"]["requestBody"]["content"]
        ["application/json"]["example"]
        .clone();
    let app = App::new().await;
    let (status, body) = app.post_json(&app.token, "/api/v1/checks", example).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the documented example works: {body}"
    );
}

#[tokio::test]
async fn readiness_says_the_database_migrations_and_keys_are_in_order() {
    let app = App::new().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], true);
    assert_eq!(body["keys"], true);
    assert_eq!(body["migrations_applied"], body["migrations_expected"]);
}

#[tokio::test]
async fn the_document_says_problems_are_problem_json_and_lists_the_statuses_every_operation_can_give()
 {
    let app = App::new().await;
    let (_, doc) = app.get("/openapi.json").await;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("429"), "{method} {path}: no 429");
            for (status, r) in responses {
                if let Some(content) = r["content"].as_object() {
                    let problem = content
                        .values()
                        .any(|c| c["schema"]["$ref"] == "#/components/schemas/Problem");
                    if problem {
                        assert!(
                            content.contains_key("application/problem+json"),
                            "{method} {path} {status}: a problem documented as {content:?}"
                        );
                    }
                }
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                assert!(
                    responses.contains_key("400") && responses.contains_key("415"),
                    "{method} {path}: a JSON body without 400 and 415"
                );
            }
        }
    }
    assert!(operations > 50);
    // And the server does what the document says.
    let req = Request::post("/api/v1/records")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .body(Body::from("{}"))
        .unwrap();
    let (status, headers, _) = respond(&app.state, req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
}
