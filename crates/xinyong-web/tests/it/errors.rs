//! The error table (SPEC "one table of stable error codes, each with its status and problem
//! type; every problem document carries its code"): every code of `ErrorCode::ALL` is met by a
//! real request, and its problem document carries the code with the table's status, type and
//! title. A code added to the table without a scenario here does not compile (the match in
//! `scenario` is exhaustive); one that no request can produce has no place in the table.

use std::sync::Arc;

use crate::common::world::*;
use crate::common::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_store::prelude::*;
use xinyong_web::error::ErrorCode;
use xinyong_web::{AppState, router};

/// One request that meets a code, and the application it is sent to.
struct Scenario {
    state: AppState,
    request: Request<Body>,
    /// Keeps a scenario's own database alive until the request is answered.
    _dir: Option<tempfile::TempDir>,
}

fn request(method: Method, uri: &str, token: Option<&str>, body: Option<Body>) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    req.body(body.unwrap_or_default()).unwrap()
}

fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    request(Method::GET, uri, token, None)
}

/// A lawyer's registration under `licence`.
fn lawyer(licence: &str) -> Value {
    json!({
        "person_code": "440305198507265865", "person_name": "张律师",
        "organisation_code": COMPANY, "profession": "lawyer", "licence_no": licence,
        "since": "2015-10-01"
    })
}

fn post(uri: &str, token: Option<&str>, body: Value) -> Request<Body> {
    request(Method::POST, uri, token, Some(Body::from(body.to_string())))
}

fn breach() -> Value {
    json!({"document_no": "违诺〔2026〕1号", "decided_on": "2026-10-01", "tier": "general",
           "breach": "未按承诺纳税"})
}

impl World {
    fn token(&self, who: Who) -> &str {
        &self.tokens[&who]
    }

    fn send(&self, request: Request<Body>) -> Scenario {
        self.send_to(self.app.state.clone(), request)
    }

    fn send_to(&self, state: AppState, request: Request<Body>) -> Scenario {
        Scenario {
            state,
            request,
            _dir: None,
        }
    }

    /// An objection as its subject sees it.
    async fn objection_of(&self, id: &str) -> Value {
        let (status, body) = self
            .app
            .get_as(
                self.token(Who::SubjectSelf),
                &format!("/api/v1/objections/{id}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The request that meets `code`. Exhaustive: every code has one.
    async fn scenario(&self, code: ErrorCode) -> Scenario {
        let own = self.token(Who::DepartmentOwn);
        let other = self.token(Who::DepartmentOther);
        let operator = self.token(Who::Operator);
        let service = self.token(Who::Service);
        let file = format!("/api/v1/subjects/{COMPANY}");
        match code {
            ErrorCode::MalformedJson => self.send(request(
                Method::POST,
                "/api/v1/records",
                Some(own),
                Some(Body::from("{not json")),
            )),
            ErrorCode::MalformedQuery => self.send(get("/api/v1/ledger/entries?start=x", None)),
            ErrorCode::MalformedPath => self.send(get("/api/v1/subjects/%FF", None)),
            ErrorCode::InvalidParameter => self.send(get("/api/v1/subjects?limit=0", None)),
            ErrorCode::InvalidSearch => self.send(get("/api/v1/search?q=", None)),
            ErrorCode::InvalidCode => self.send(get("/api/v1/subjects/9111000060003734", None)),
            ErrorCode::EmptyBatch => {
                self.send(post("/api/v1/records", Some(own), json!({"records": []})))
            }
            ErrorCode::CheckSubjects => self.send(post(
                "/api/v1/checks",
                Some(own),
                json!({"context": "government_procurement"}),
            )),
            ErrorCode::UnknownPurpose => {
                self.send(get(&format!("{file}?purpose=gossip"), Some(own)))
            }
            ErrorCode::GrantWithoutPurpose => {
                self.send(get(&format!("{file}?legal_basis=law"), Some(own)))
            }
            ErrorCode::InvalidLegalBasis => self.send(get(
                &format!("{file}?purpose=supervision&legal_basis=%20"),
                Some(own),
            )),
            ErrorCode::UnknownLegalBasis => self.send(get(
                &format!("{file}?purpose=supervision&legal_basis=law"),
                Some(own),
            )),
            ErrorCode::LegalBasisNotForPurpose => self.send(get(
                // 《社会保险法》第八十六条, which opens supervision only.
                &format!(
                    "{file}?purpose=government_procurement&legal_basis=%E3%80%8A%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%B3%95%E3%80%8B%E7%AC%AC%E5%85%AB%E5%8D%81%E5%85%AD%E6%9D%A1"
                ),
                Some(own),
            )),
            ErrorCode::ConflictingGrants => self.send(get(
                &format!(
                    "{file}?purpose=supervision&legal_basis=law&application={}",
                    self.approved
                ),
                Some(own),
            )),
            ErrorCode::TokenMissing => self.send(post(
                "/api/v1/records",
                None,
                json!({"records": [penalty(COMPANY, "罚9", "general", "2026-04-01")]}),
            )),
            ErrorCode::TokenMalformed => self.send(
                Request::get("/api/v1/subjects")
                    .header(header::AUTHORIZATION, "Basic bWU6c2VjcmV0")
                    .body(Body::empty())
                    .unwrap(),
            ),
            ErrorCode::TokenInvalid => {
                self.send(get("/api/v1/subjects", Some(self.token(Who::Invalid))))
            }
            ErrorCode::SignInRefused => self.send(post(
                "/api/v1/sessions",
                None,
                json!({"name": OPERATOR_NAME, "password": "not the password"}),
            )),
            ErrorCode::WrongRole => self.send(get("/api/v1/special-applications", Some(own))),
            ErrorCode::PurposeNotForReader => {
                self.send(get(&format!("{file}?purpose=supervision"), Some(service)))
            }
            ErrorCode::GrantNotForReader => self.send(get(
                &format!("{file}?purpose=credit_report&legal_basis=law"),
                Some(service),
            )),
            ErrorCode::ApplicationDoesNotGrant => self.send(get(
                &format!("{file}?purpose=supervision&application={}", self.pending),
                Some(own),
            )),
            ErrorCode::CategoryNotAllowed => self.send(post(
                "/api/v1/records",
                Some(own),
                json!({"records": [record("honour", COMPANY, "荣1", json!({}), None)]}),
            )),
            ErrorCode::ListNotManaged => self.send(post(
                "/api/v1/lists/court_defaulter/entries",
                Some(other),
                defaulter_entry("able_but_refuses"),
            )),
            ErrorCode::NotOwner => self.send(post(
                &format!("/api/v1/checks/{}/feedback", self.check),
                Some(other),
                json!({}),
            )),
            ErrorCode::ProfessionNotAllowed => self.send(post(
                "/api/v1/roles",
                Some(own),
                lawyer("L-1"),
            )),
            ErrorCode::UnknownRole => self.send(get("/api/v1/roles/01J00000000000000000000000", None)),
            ErrorCode::LicenceHeld => {
                let justice = self
                    .app
                    .department_registering("JUSTICE01", &[], &[], &["lawyer"])
                    .await;
                let (status, _) = self
                    .app
                    .post_json(&justice, "/api/v1/roles", lawyer("L-2"))
                    .await;
                assert_eq!(status, StatusCode::CREATED);
                self.send(post("/api/v1/roles", Some(&justice), lawyer("L-2")))
            }
            ErrorCode::NotFoundEndpoint => self.send(get("/nowhere", None)),
            ErrorCode::UnknownSubject => {
                self.send(get(&format!("/api/v1/subjects/{PERSON}"), None))
            }
            ErrorCode::UnknownApplication => self.send(get(
                "/api/v1/special-applications/01J00000000000000000000000",
                Some(operator),
            )),
            ErrorCode::UnknownCommitment => self.send(post(
                "/api/v1/records/01J00000000000000000000000/breach",
                Some(own),
                breach(),
            )),
            ErrorCode::UnknownRecord => self.send(post(
                "/api/v1/objections",
                Some(self.token(Who::SubjectSelf)),
                json!({"record": "01J00000000000000000000000", "what": "content", "reason": "有误"}),
            )),
            ErrorCode::UnknownObjection => {
                self.send(get("/api/v1/objections/01J00000000000000000000000", Some(operator)))
            }
            ErrorCode::NotContestable => {
                let case = self.objection_of(self.objection.as_str()).await;
                self.send(post(
                    "/api/v1/objections",
                    Some(self.token(Who::SubjectSelf)),
                    json!({"record": case["record"], "what": "content", "reason": "再次异议"}),
                ))
            }
            ErrorCode::ObjectionDecided => {
                let filed = ok(
                    &self.app,
                    self.token(Who::SubjectSelf),
                    "/api/v1/objections",
                    json!({"record": self.penalty, "what": "content", "reason": "处罚事实有误"}),
                )
                .await;
                let uri = format!("/api/v1/objections/{}/decision", filed["id"].as_str().unwrap());
                let decision = json!({"outcome": "upheld", "reason": "经核实无误"});
                ok(&self.app, own, &uri, decision.clone()).await;
                self.send(post(&uri, Some(own), decision))
            }
            ErrorCode::UnknownRepair => {
                self.send(get("/api/v1/repairs/01J00000000000000000000000", Some(operator)))
            }
            ErrorCode::RepairPending => {
                let (_, repair) = self
                    .app
                    .get_as(operator, &format!("/api/v1/repairs/{}", self.repair))
                    .await;
                self.send(post(
                    "/api/v1/repairs",
                    Some(self.token(Who::SubjectSelf)),
                    json!({"record": repair["record"], "commitment": "再次申请"}),
                ))
            }
            ErrorCode::RepairDecided => {
                let uri = format!("/api/v1/repairs/{}/decision", self.repair);
                let decision = json!({"outcome": "refused", "reason": "材料不全"});
                ok(&self.app, own, &uri, decision.clone()).await;
                self.send(post(&uri, Some(own), decision))
            }
            ErrorCode::RepairIneligible => {
                // A tax credit rating is not negative information: nothing to repair.
                let case = self.objection_of(self.objection.as_str()).await;
                self.send(post(
                    "/api/v1/repairs",
                    Some(self.token(Who::SubjectSelf)),
                    json!({"record": case["record"], "commitment": "承诺"}),
                ))
            }
            ErrorCode::UnknownGrant => self.send(request(
                Method::DELETE,
                "/api/v1/me/grants/01J00000000000000000000000",
                Some(self.token(Who::SubjectSelf)),
                None,
            )),
            ErrorCode::UnknownService => self.send(post(
                "/api/v1/me/grants",
                Some(self.token(Who::SubjectSelf)),
                json!({"service": "无此征信机构", "purpose": "credit_report"}),
            )),
            ErrorCode::NoSubjectGrant => self.send(get(
                &format!("/api/v1/subjects/{OTHER_COMPANY}?purpose=credit_report"),
                Some(service),
            )),
            ErrorCode::UnknownReport => self.send(get("/api/v1/reports/AAAA-AAAA-AAAA-AAAA", None)),
            ErrorCode::NoCompetentDepartment => self.send(post(
                "/api/v1/reports",
                None,
                // No department of the world handles abnormal operation.
                json!({"category": "abnormal_operation", "subject": COMPANY,
                       "content": "该公司长期未经营且无法联系", "anonymous": true}),
            )),
            ErrorCode::NoGrade => {
                // No shipped model grades natural persons.
                let mut person = penalty("11010519491231002X", "罚人1", "general", "2026-04-01");
                person["subject"]["name"] = json!("张三");
                person["subject"]["kind"] = json!("natural_person");
                ok(&self.app, own, "/api/v1/records", json!({"records": [person]})).await;
                self.send(get("/api/v1/subjects/11010519491231002X/grade", None))
            }
            ErrorCode::UnknownAttachment => self.send(get(
                "/api/v1/attachments/01J00000000000000000000000",
                Some(self.token(Who::SubjectSelf)),
            )),
            ErrorCode::AttachmentQuota => {
                let subject = self.token(Who::SubjectOther);
                let quota = xinyong_domain::attachment::MAX_ATTACHMENTS_PER_SUBJECT;
                for _ in 0..quota {
                    upload(&self.app, subject, "application/pdf", PDF).await;
                }
                self.send(
                    Request::post("/api/v1/me/attachments")
                        .header(header::AUTHORIZATION, format!("Bearer {subject}"))
                        .header(header::CONTENT_TYPE, "application/pdf")
                        .body(Body::from(PDF))
                        .unwrap(),
                )
            }
            ErrorCode::NoWebhook => self.send(request(
                Method::DELETE,
                "/api/v1/me/webhook",
                Some(self.token(Who::SubjectSelf)),
                None,
            )),
            ErrorCode::UnknownCheck => self.send(post(
                "/api/v1/checks/01J00000000000000000000000/feedback",
                Some(own),
                json!({}),
            )),
            ErrorCode::UnknownListType => self.send(post(
                "/api/v1/lists/no_such_list/entries",
                Some(own),
                defaulter_entry("able_but_refuses"),
            )),
            ErrorCode::UnknownListEntry => self.send(post(
                "/api/v1/lists/court_defaulter/entries/01J00000000000000000000000/removal",
                Some(own),
                json!({"reason": "已履行", "document_no": "(2026)粤03执9号之一"}),
            )),
            ErrorCode::UnknownCategory => {
                // A catalogue in force without the category that a breach becomes.
                let mut state = self.app.state.clone();
                let mut catalogue = (*state.catalogue).clone();
                catalogue.categories.retain(|c| c.id != "commitment_breach");
                state.catalogue = Arc::new(catalogue);
                let uri = format!("/api/v1/records/{}/breach", self.commitment);
                self.send_to(state, post(&uri, Some(own), breach()))
            }
            ErrorCode::NoSignedHead => {
                // A server without a signing key, before any head was signed.
                let mut state = self.app.state.clone();
                state.ledger_key = None;
                self.send_to(state, get("/api/v1/ledger/head", None))
            }
            ErrorCode::MethodNotAllowed => {
                self.send(request(Method::DELETE, "/api/v1/records", Some(own), None))
            }
            ErrorCode::ApplicationDecided => self.send(post(
                &format!("/api/v1/special-applications/{}/decision", self.approved),
                Some(operator),
                json!({"approve": false, "note": "再议"}),
            )),
            ErrorCode::FeedbackGiven => {
                let check = ok(
                    &self.app,
                    own,
                    "/api/v1/checks",
                    json!({"subject": COMPANY, "context": "bidding"}),
                )
                .await["check_id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let uri = format!("/api/v1/checks/{check}/feedback");
                ok(&self.app, own, &uri, json!({})).await;
                self.send(post(&uri, Some(own), json!({})))
            }
            ErrorCode::EntryRemoved => {
                let mut entry = defaulter_entry("able_but_refuses");
                entry["document_no"] = json!("(2026)粤03执10号");
                let id = ok(
                    &self.app,
                    own,
                    "/api/v1/lists/court_defaulter/entries",
                    entry,
                )
                .await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let uri = format!("/api/v1/lists/court_defaulter/entries/{id}/removal");
                let removal = json!({"reason": "已履行", "document_no": "(2026)粤03执10号之一"});
                ok(&self.app, own, &uri, removal.clone()).await;
                self.send(post(&uri, Some(own), removal))
            }
            ErrorCode::BodyTooLarge => self.send(request(
                Method::POST,
                "/api/v1/records",
                Some(own),
                Some(Body::from(vec![b' '; xinyong_web::MAX_BODY_BYTES + 1])),
            )),
            ErrorCode::BatchTooLarge => {
                // One more than `records::MAX_BATCH`.
                let records = vec![json!({}); 10_001];
                self.send(post(
                    "/api/v1/records",
                    Some(own),
                    json!({ "records": records }),
                ))
            }
            ErrorCode::UnsupportedMediaType => self.send(
                Request::post("/api/v1/records")
                    .header(header::AUTHORIZATION, format!("Bearer {own}"))
                    .body(Body::from("{}"))
                    .unwrap(),
            ),
            ErrorCode::InvalidRecords => {
                self.send(post("/api/v1/records", Some(own), json!({"records": [1]})))
            }
            ErrorCode::InvalidFields => self.send(post(
                "/api/v1/checks",
                Some(own),
                json!({"subject": COMPANY, "context": "lunch"}),
            )),
            ErrorCode::RateLimited => {
                // One anonymous request a second from this address, and it has had it.
                let mut state = self.app.state.clone();
                state.limits = Arc::new(xinyong_web::limits::Limits::new(1, 1, 10));
                let from = |req: Request<Body>| {
                    let mut req = req;
                    req.extensions_mut().insert(axum::extract::ConnectInfo(
                        std::net::SocketAddr::from(([10, 9, 8, 7], 40000)),
                    ));
                    req
                };
                let first = router(state.clone())
                    .oneshot(from(get("/healthz", None)))
                    .await
                    .unwrap();
                assert_eq!(first.status(), StatusCode::OK);
                self.send_to(state, from(get("/healthz", None)))
            }
            ErrorCode::StorageFull => {
                // SQLite's answer when its disk is full (SQLITE_FULL), without filling a disk:
                // every connection of the pool may grow the file by no further page.
                let dir = tempfile::tempdir().unwrap();
                let store = sqlite(&dir, "full.db").await;
                store
                    .put_department(&xinyong_domain::Department {
                        code: SAMR.into(),
                        name: "深圳市市场监督管理局".into(),
                        categories: ["admin_penalty".to_owned()].into_iter().collect(),
                        lists: Default::default(),
                        professions: Default::default(),
                    })
                    .await
                    .unwrap();
                let token = App::make_token(&store, None, None).await;
                let mut held = Vec::new();
                for _ in 0..4 {
                    let mut connection = store.pool().acquire().await.unwrap();
                    sqlx::query("PRAGMA max_page_count = 1")
                        .execute(&mut *connection)
                        .await
                        .unwrap();
                    held.push(connection);
                }
                drop(held);
                let records: Vec<Value> = (0..300)
                    .map(|i| {
                        let doc = format!("深市监罚〔2026〕{i}号");
                        let mut r = penalty(COMPANY, &doc, "general", "2026-06-01");
                        r["fields"]["facts"] = json!("发布虚假广告".repeat(40));
                        r
                    })
                    .collect();
                let state =
                    AppState::new(Arc::new(store), self.app.state.catalogue.as_ref().clone());
                Scenario {
                    state,
                    request: post("/api/v1/records", Some(&token), json!({ "records": records })),
                    _dir: Some(dir),
                }
            }
            ErrorCode::Internal => {
                // A store that has failed: its connections are closed.
                let dir = tempfile::tempdir().unwrap();
                let store = sqlite(&dir, "closed.db").await;
                store.pool().close().await;
                let state =
                    AppState::new(Arc::new(store), self.app.state.catalogue.as_ref().clone());
                Scenario {
                    state,
                    request: get("/api/v1/subjects", None),
                    _dir: Some(dir),
                }
            }
        }
    }
}

#[tokio::test]
async fn every_error_code_is_met_by_a_request_and_carries_the_table_s_status_type_and_title() {
    let w = world().await;
    let mut met = Vec::new();
    for &code in ErrorCode::ALL {
        let scenario = w.scenario(code).await;
        let uri = scenario.request.uri().clone();
        let (status, headers, bytes) = respond(&scenario.state, scenario.request).await;
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "{code}: {uri} answered {status} {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(body["code"], code.as_str(), "{uri}: {body}");
        assert_eq!(status, code.status(), "{code}: {uri}: {body}");
        assert_eq!(body["status"], code.status().as_u16(), "{code}: {body}");
        assert_eq!(body["type"], format!("/problems/{code}"), "{code}: {body}");
        assert_eq!(body["title"], code.title(), "{code}: {body}");
        assert!(
            !body["detail"].as_str().unwrap().is_empty(),
            "{code}: {body}"
        );
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{code}"
        );
        met.push(code);
    }
    assert_eq!(met, ErrorCode::ALL, "every code of the table is met");
}

#[tokio::test]
async fn a_method_not_allowed_says_which_methods_are_and_echoes_no_identity_number() {
    let app = App::new().await;
    let request = Request::delete("/api/v1/records")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = respond(&app.state, request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    // The path is echoed, but never a whole identity number in it.
    for req in [
        Request::delete(format!("/api/v1/subjects/{PERSON}")),
        Request::get(format!("/nowhere/{PERSON}")),
    ] {
        let (status, body) = app.call(req.body(Body::empty()).unwrap()).await;
        assert!(status.is_client_error(), "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("110105********002X"), "{detail}");
        assert!(!detail.contains(PERSON), "{detail}");
    }
}

#[test]
fn the_api_document_publishes_the_whole_table() {
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let schema = &doc["components"]["schemas"]["ErrorCode"];
    let published: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(published, codes);
    for code in ErrorCode::ALL {
        let row = &schema["x-error-codes"][code.as_str()];
        assert_eq!(row["status"], code.status().as_u16(), "{code}");
        assert_eq!(row["type"], format!("/problems/{code}"), "{code}");
        assert_eq!(row["title"], code.title(), "{code}");
    }
    assert_eq!(
        doc["components"]["schemas"]["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let required = doc["components"]["schemas"]["Problem"]["required"]
        .as_array()
        .unwrap();
    assert!(required.contains(&json!("code")));
}
