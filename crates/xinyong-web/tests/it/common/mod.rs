//! Test harness shared by the HTTP tests: a real router over a real SQLite file, a
//! movable clock, tokens of every role, operator accounts, requests from an address, and (in
//! `records`) the bodies tests submit; `world` builds a world with one of everything.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_domain::{Catalogue, Department};
use xinyong_store::{OperatorAccount, Role, SqliteStore, Store, Token};
use xinyong_web::{AppState, auth, router};

pub mod forms;
pub mod records;
pub mod world;

pub use records::*;

pub const SAMR: &str = "114403005Y928J5N4R";
pub const COMPANY: &str = "91110000600037341L";
pub const OTHER_COMPANY: &str = "91110108551385082Q";
pub const PERSON: &str = "11010519491231002X";

pub struct App {
    pub state: AppState,
    pub today: Arc<Mutex<NaiveDate>>,
    pub token: String,
    _dir: tempfile::TempDir,
}

impl App {
    pub async fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(sqlite(&dir, "t.db").await);
        store
            .put_department(&Department {
                code: SAMR.into(),
                name: "深圳市市场监督管理局".into(),
                categories: [
                    "admin_penalty",
                    "admin_license",
                    "court_defaulter",
                    "tax_credit_rating",
                    "social_insurance_arrears",
                ]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
                lists: Default::default(),
                professions: Default::default(),
            })
            .await
            .unwrap();
        let token = Self::make_token(&*store, None, None).await;
        let today = Arc::new(Mutex::new(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
        let mut state = AppState::new(store, Catalogue::shipped());
        let t = today.clone();
        state.clock = Arc::new(move || *t.lock().unwrap());
        App {
            state,
            today,
            token,
            _dir: dir,
        }
    }

    /// Registers another department and returns a token for it.
    pub async fn department(&self, code: &str, categories: &[&str], lists: &[&str]) -> String {
        self.department_registering(code, categories, lists, &[])
            .await
    }

    /// Registers another department that also registers people in `professions`, and returns
    /// a token for it.
    pub async fn department_registering(
        &self,
        code: &str,
        categories: &[&str],
        lists: &[&str],
        professions: &[&str],
    ) -> String {
        let store = &*self.state.store;
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        store
            .put_department(&Department {
                code: code.into(),
                name: format!("部门{code}"),
                categories: owned(categories),
                lists: owned(lists),
                professions: owned(professions),
            })
            .await
            .unwrap();
        Self::token_for(store, code, None, None).await
    }

    /// POSTs JSON as the holder of `token`.
    pub async fn post_json(&self, token: &str, uri: &str, body: Value) -> (StatusCode, Value) {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        self.call(req).await
    }

    /// GETs as the holder of `token`.
    pub async fn get_as(&self, token: &str, uri: &str) -> (StatusCode, Value) {
        let req = Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.call(req).await
    }

    /// A token for the test department SAMR, optionally expired or revoked.
    pub async fn make_token(
        store: &dyn Store,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> String {
        Self::token_for(store, SAMR, expires_at, revoked_at).await
    }

    /// Stores a department token and returns its secret.
    pub async fn token_for(
        store: &dyn Store,
        department: &str,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> String {
        issue_token(
            store,
            Role::Department,
            Some(department),
            None,
            expires_at,
            revoked_at,
        )
        .await
    }

    /// Adds an enabled operator account.
    pub async fn add_operator(&self, name: &str, password: &str) {
        let added = self
            .state
            .store
            .put_operator(&OperatorAccount {
                id: xinyong_store::new_id(),
                name: name.into(),
                password_hash: auth::hash_password(password).unwrap(),
                created_at: chrono::Utc::now(),
                disabled_at: None,
                last_session_at: None,
            })
            .await
            .unwrap();
        assert!(added);
    }

    pub fn set_today(&self, y: i32, m: u32, d: u32) {
        *self.today.lock().unwrap() = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    }

    pub async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (status, _, bytes) = respond(&self.state, req).await;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_as(&self, token: Option<&str>, records: Value) -> (StatusCode, Value) {
        let mut req =
            Request::post("/api/v1/records").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.call(
            req.body(Body::from(json!({"records": records}).to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, records: Value) -> (StatusCode, Value) {
        let token = self.token.clone();
        self.post_as(Some(&token), records).await
    }
}

/// A SQLite store in `dir`.
pub async fn sqlite(dir: &tempfile::TempDir, file: &str) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join(file).display());
    SqliteStore::open(&url).await.unwrap()
}

/// Stores a token of `role` (for `department` or `subject`, optionally expired or revoked)
/// and returns its secret.
pub async fn issue_token(
    store: &dyn Store,
    role: Role,
    department: Option<&str>,
    subject: Option<&str>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let t = auth::new_token();
    store
        .put_token(&Token {
            id: xinyong_store::new_id(),
            hash: t.hash.clone(),
            role,
            department: department.map(str::to_owned),
            subject: subject.map(str::to_owned),
            label: format!("test {}", role.as_str()),
            created_at: chrono::Utc::now(),
            expires_at,
            revoked_at,
        })
        .await
        .unwrap();
    t.secret
}

/// `req` as if it came from `ip`, so that the per-address limits apply.
pub fn from_address(ip: [u8; 4], mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    req
}

/// Sends `req` through the whole application of `state`: status, headers and body.
pub async fn respond(state: &AppState, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes)
}

/// The id of the first ground of the court-defaulter list, as `GET /api/v1/lists` serves it.
pub async fn ground_id(app: &App) -> String {
    let (_, lists) = app.get("/api/v1/lists").await;
    let court = lists["list_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "court_defaulter")
        .unwrap()
        .clone();
    court["grounds"][0]["id"].as_str().unwrap().to_owned()
}

/// Posts a general penalty `doc` about COMPANY decided on `decided_on` as the test department,
/// and issues COMPANY a subject token: the record's id and the token.
pub async fn penalised_company(app: &App, doc: &str, decided_on: &str) -> (String, String) {
    let (status, body) = app
        .post(json!([records::penalty(
            COMPANY, doc, "general", decided_on
        )]))
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
    (record, subject)
}
