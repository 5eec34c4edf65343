//! A world with one of everything, shared by the tests that need more than a bare app: a
//! department that owns a commitment, a list entry, a check and special applications (one
//! approved, one pending), all about COMPANY, which has a record of every class; and a token
//! of every kind of caller.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use xinyong_store::{Role, Store};
use xinyong_web::auth;

use super::records::{commitment, defaulter, penalty, record};
use super::{App, COMPANY, OTHER_COMPANY, ground_id, issue_token};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    Operator,
    /// The department that owns the resource (made the record, manages the list, made the
    /// check, applied).
    DepartmentOwn,
    /// Another department, which manages no list and owns nothing of the fixtures.
    DepartmentOther,
    Service,
    /// The subject the fixtures are about (COMPANY).
    SubjectSelf,
    /// Another subject (OTHER_COMPANY).
    SubjectOther,
    /// A token that was never issued.
    Invalid,
    Expired,
    Revoked,
}

/// The operator account every world has, for the sign-in row.
pub const OPERATOR_NAME: &str = "matrix";
pub const OPERATOR_PASSWORD: &str = "matrix password 2026";

pub const OWN: &str = "11440300OWNDEPT";
/// The registered name of the world's credit service body (its token's label).
pub const SERVICE: &str = "test service";
pub const OTHER: &str = "11440300OTHERDEPT";

/// The fixtures every cell runs against: a department that owns a commitment, a list entry, a
/// check and special applications, all about COMPANY, which has a record of every class.
pub struct World {
    pub app: App,
    pub tokens: BTreeMap<Who, String>,
    pub commitment: String,
    pub entry: String,
    pub check: String,
    pub approved: String,
    pub pending: String,
    /// COMPANY's administrative penalty (no objection on it).
    pub penalty: String,
    /// An open objection of COMPANY against its tax credit rating.
    pub objection: String,
    /// A pending repair application of COMPANY for its social insurance arrears.
    pub repair: String,
    /// COMPANY's minor-tier penalty (repaired on fulfilment, without an application).
    pub minor: String,
    /// COMPANY's grant to the service body of `Who::Service` for `credit_report`.
    pub grant: String,
    /// A report about COMPANY routed to OWN, and its tracking number.
    pub report: String,
    pub tracking: String,
    /// COMPANY's evidence file, named by `objection` (which OWN decides).
    pub attachment: String,
}

/// The court-defaulter entry of the world, on `ground`.
pub fn defaulter_entry(ground: &str) -> Value {
    defaulter(
        COMPANY,
        "北京示例科技有限公司",
        ground,
        "(2026)粤03执9号",
        "2026-06-01",
    )
}

pub async fn ok(app: &App, token: &str, uri: &str, body: Value) -> Value {
    let (status, body) = app.post_json(token, uri, body).await;
    assert!(status.is_success(), "fixture {uri}: {status} {body}");
    body
}

pub async fn world() -> World {
    let mut app = App::new().await;
    app.state.ledger_key = Some(std::sync::Arc::new(xinyong_ledger::SigningKey::from_bytes(
        &[7; 32],
    )));
    let categories = [
        "admin_penalty",
        "tax_credit_rating",
        "social_insurance_arrears",
        "credit_commitment",
        "commitment_breach",
        "court_defaulter",
    ];
    // Tax violations go to OWN alone, so that reports of them are routed there.
    let own_categories = [&categories[..], &["tax_violation"]].concat();
    let own = app
        .department(OWN, &own_categories, &["court_defaulter"])
        .await;
    let other = app.department(OTHER, &categories, &[]).await;
    let store = &*app.state.store;
    let mut tokens = BTreeMap::new();
    tokens.insert(Who::Operator, token(store, Role::Operator, None).await);
    tokens.insert(Who::DepartmentOwn, own.clone());
    tokens.insert(Who::DepartmentOther, other);
    tokens.insert(Who::Service, token(store, Role::Service, None).await);
    tokens.insert(
        Who::SubjectSelf,
        token(store, Role::Subject, Some(COMPANY)).await,
    );
    tokens.insert(
        Who::SubjectOther,
        token(store, Role::Subject, Some(OTHER_COMPANY)).await,
    );
    tokens.insert(Who::Invalid, auth::new_token().secret);
    app.add_operator(OPERATOR_NAME, OPERATOR_PASSWORD).await;
    let past = chrono::Utc::now() - chrono::Duration::days(1);
    tokens.insert(
        Who::Expired,
        App::token_for(store, OWN, Some(past), None).await,
    );
    tokens.insert(
        Who::Revoked,
        App::token_for(store, OWN, None, Some(past)).await,
    );

    let records = json!({"records": [
        penalty(COMPANY, "罚1", "general", "2026-04-01"),
        penalty(OTHER_COMPANY, "罚2", "general", "2026-04-01"),
        record("tax_credit_rating", COMPANY, "评1", json!({"rating": "A", "year": 2025}), None),
        record("social_insurance_arrears", COMPANY, "社1",
               json!({"insurance_type": "养老保险", "amount_yuan": "1200.50", "arrears_period": "2025年",
                      "social_security_office": "深圳市社保局"}), Some("general")),
        commitment(COMPANY),
        penalty(COMPANY, "罚3", "minor", "2026-04-01"),
    ]});
    let accepted = ok(&app, &own, "/api/v1/records", records).await;
    let commitment = accepted["ids"][4].as_str().unwrap().to_owned();
    let penalty = accepted["ids"][0].as_str().unwrap().to_owned();
    let (status, filed) = app
        .call(
            axum::http::Request::post("/api/v1/reports")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"category": "tax_violation", "subject": COMPANY,
                           "content": "该公司于2026年多次虚开增值税发票", "contact": "13800000000"})
                    .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{filed}");
    let tracking = filed["tracking_number"].as_str().unwrap().to_owned();
    let (_, reports) = app.get_as(&own, "/api/v1/reports").await;
    let report = reports["reports"][0]["id"].as_str().unwrap().to_owned();
    let grant = ok(
        &app,
        &tokens[&Who::SubjectSelf],
        "/api/v1/me/grants",
        json!({"service": SERVICE, "purpose": "credit_report"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let minor = accepted["ids"][5].as_str().unwrap().to_owned();
    let repair = ok(
        &app,
        &tokens[&Who::SubjectSelf],
        "/api/v1/repairs",
        json!({"record": accepted["ids"][3], "commitment": "按期足额缴纳社会保险费",
               "evidence": ["社保缴费凭证 2026-10"]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attachment = upload(&app, &tokens[&Who::SubjectSelf], "application/pdf", PDF).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let objection = ok(
        &app,
        &tokens[&Who::SubjectSelf],
        "/api/v1/objections",
        json!({"record": accepted["ids"][2], "what": "content", "reason": "评级年度有误",
               "attachments": [attachment]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let ground = ground_id(&app).await;
    let entry = ok(
        &app,
        &own,
        "/api/v1/lists/court_defaulter/entries",
        defaulter_entry(&ground),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let check = ok(
        &app,
        &own,
        "/api/v1/checks",
        json!({"subject": COMPANY, "context": "government_procurement"}),
    )
    .await["check_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let apply = json!({"subject": COMPANY, "purpose": "supervision", "reason": "核查社保欠缴",
                       "legal_basis": "《社会保险法》第八十六条"});
    let approved = ok(&app, &own, "/api/v1/special-applications", apply.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let operator = tokens[&Who::Operator].clone();
    ok(
        &app,
        &operator,
        &format!("/api/v1/special-applications/{approved}/decision"),
        json!({"approve": true, "note": "同意", "valid_days": 3}),
    )
    .await;
    let pending = ok(&app, &own, "/api/v1/special-applications", apply).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        app,
        tokens,
        commitment,
        entry,
        check,
        approved,
        pending,
        penalty,
        objection,
        repair,
        minor,
        grant,
        report,
        tracking,
        attachment,
    }
}

/// A small PDF, as a subject's evidence.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// Uploads `content` as an evidence file of the subject of `token`; returns the answer.
pub async fn upload(app: &App, token: &str, content_type: &str, content: &[u8]) -> Value {
    let (status, body) = upload_as(app, token, content_type, content).await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "upload: {body}");
    body
}

/// Uploads `content` as `content_type` with `token`; returns status and body.
pub async fn upload_as(
    app: &App,
    token: &str,
    content_type: &str,
    content: &[u8],
) -> (axum::http::StatusCode, Value) {
    app.call(
        axum::http::Request::post(
            "/api/v1/me/attachments?name=%E7%BC%B4%E6%AC%BE%E5%87%AD%E8%AF%81.pdf",
        )
        .header("content-type", content_type)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(content.to_vec()))
        .unwrap(),
    )
    .await
}

async fn token(store: &dyn Store, role: Role, subject: Option<&str>) -> String {
    issue_token(store, role, None, subject, None, None).await
}
