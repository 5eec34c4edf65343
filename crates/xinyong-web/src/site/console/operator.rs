//! The operator's console pages: special applications, the audit log's head and a full
//! verification, each department's data quality, departments and their tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use xinyong_store::{Role, Token};

use super::department::not_allowed;
use super::labels::ConsoleLabels;
use super::{Console, Frame, OperatorPage, Refusal, page, text, when};
use crate::AppState;
use crate::site::context::Ctx;

async fn operator_post(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Console, Response> {
    let console = Console::posted(state, uri, headers, csrf, "console").await?;
    if console.department().is_some() {
        return Err(not_allowed(console));
    }
    Ok(console)
}

// ---- Special applications ----

pub(super) struct ApplicationView {
    pub id: String,
    pub department: String,
    pub subject: String,
    pub purpose: String,
    pub reason: String,
    pub legal_basis: String,
    pub filed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/applications.html")]
struct ApplicationsPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    applications: Vec<ApplicationView>,
}

async fn applications_page(
    console: Console,
    status: StatusCode,
    done: &str,
    error: String,
) -> Response {
    let pending = console
        .call(Method::GET, "/api/v1/special-applications", None)
        .await;
    let applications = pending
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|a| ApplicationView {
            id: text(a, "id"),
            department: text(a, "department"),
            subject: text(a, "subject_code"),
            purpose: text(a, "purpose"),
            reason: text(a, "reason"),
            legal_basis: text(a, "legal_basis"),
            filed: when(a.get("created_at").unwrap_or(&Value::Null)),
        })
        .collect();
    let f = console.frame(done, error);
    page(
        status,
        ApplicationsPage {
            ctx: console.ctx,
            c: console.c,
            f,
            applications,
        },
    )
}

/// `GET /console/applications`: pending special applications.
pub(super) async fn applications(OperatorPage(c): OperatorPage) -> Response {
    applications_page(c, StatusCode::OK, "", String::new()).await
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    csrf: String,
    approve: String,
    note: String,
    #[serde(default)]
    valid_days: String,
}

/// `POST /console/applications/{id}`: a decision through `POST /api/v1/special-applications/{id}/decision`.
pub(super) async fn decide(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let console = match operator_post(&state, &uri, &headers, &form.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut body = json!({"approve": form.approve == "yes", "note": form.note});
    if let Ok(days) = form.valid_days.trim().parse::<u32>() {
        body["valid_days"] = json!(days);
    }
    let path = format!(
        "/api/v1/special-applications/{}/decision",
        crate::public::encode_value(&id)
    );
    match console.call(Method::POST, &path, Some(body)).await {
        Ok(_) => {
            let done = console.c.decided;
            applications_page(console, StatusCode::OK, done, String::new()).await
        }
        Err(Refusal { status, message }) => applications_page(console, status, "", message).await,
    }
}

// ---- Audit log ----

#[derive(Template, WebTemplate)]
#[template(path = "console/ledger.html")]
struct LedgerPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    size: String,
    root: String,
    signed: String,
    /// The outcome of a verification run from this page: (passed, what it says).
    verified: Option<(bool, String)>,
}

async fn ledger_page(console: Console, verified: Option<(bool, String)>) -> Response {
    let head = console
        .call(Method::GET, "/api/v1/ledger/head", None)
        .await
        .unwrap_or(Value::Null);
    let number = |k: &str| head.get(k).and_then(Value::as_u64).unwrap_or(0);
    let size = (number("tree_size") + number("unsigned_entries")).to_string();
    let root = text(&head, "root_hash");
    let signed = if head.is_null() {
        console.c.none.to_owned()
    } else {
        let at = chrono::DateTime::from_timestamp_millis(number("timestamp") as i64)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        format!(
            "{} · {at} · key {}",
            number("tree_size"),
            text(&head, "key_id")
        )
    };
    let f = console.frame("", String::new());
    page(
        StatusCode::OK,
        LedgerPage {
            ctx: console.ctx,
            c: console.c,
            f,
            size,
            root,
            signed,
            verified,
        },
    )
}

/// `GET /console/ledger`: the log's head.
pub(super) async fn ledger(OperatorPage(c): OperatorPage) -> Response {
    ledger_page(c, None).await
}

/// `POST /console/ledger/verify`: `xinyong ledger verify`, run now, its outcome shown.
pub(super) async fn verify(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<super::Csrf>,
) -> Response {
    let console = match operator_post(&state, &uri, &headers, &form.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let key = state.ledger_key.as_ref().map(|k| k.verifying_key());
    let outcome = xinyong_store::ledger::verify(&*state.store, key.as_ref(), |_| {}).await;
    let verified = match outcome {
        Ok(r) => (
            true,
            format!(
                "{} entries, {} signed heads, {} record versions, {} tokens, {} checks, {} cases",
                r.size,
                r.heads_checked,
                r.record_versions_checked,
                r.tokens_checked,
                r.checks_checked,
                r.cases_checked
            ),
        ),
        Err(e) => (false, crate::public::text(&e.to_string())),
    };
    ledger_page(console, Some(verified)).await
}

// ---- Data quality ----

pub(super) struct QualityRow {
    pub department: String,
    pub records: u64,
    pub timeliness: String,
    pub rejection: String,
    pub objection: String,
    pub overturn: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/quality.html")]
struct QualityPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    rows: Vec<QualityRow>,
}

/// `GET /console/quality`: every department's figures from `GET /api/v1/stats/departments`.
pub(super) async fn quality(OperatorPage(console): OperatorPage) -> Response {
    let figures = console
        .call(Method::GET, "/api/v1/stats/departments", None)
        .await;
    let (figures, error) = match figures {
        Ok(v) => (v.as_array().cloned().unwrap_or_default(), String::new()),
        Err(r) => (Vec::new(), r.message),
    };
    let percent = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_f64)
            .map_or_else(|| "—".to_owned(), |x| format!("{:.1}%", x * 100.0))
    };
    let rows = figures
        .iter()
        .map(|d| QualityRow {
            department: format!("{} · {}", text(d, "name"), text(d, "department")),
            records: d.get("records").and_then(Value::as_u64).unwrap_or(0),
            timeliness: percent(d, "timeliness"),
            rejection: percent(d, "rejection_rate"),
            objection: percent(d, "objection_rate"),
            overturn: percent(d, "overturn_rate"),
        })
        .collect();
    let f = console.frame("", error);
    page(
        StatusCode::OK,
        QualityPage {
            ctx: console.ctx,
            c: console.c,
            f,
            rows,
        },
    )
}

// ---- Departments and tokens ----

pub(super) struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub categories: String,
    pub lists: String,
}

pub(super) struct TokenRow {
    pub id: String,
    pub role: &'static str,
    pub department: String,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub state: &'static str,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/departments.html")]
struct DepartmentsPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    departments: Vec<DepartmentRow>,
    tokens: Vec<TokenRow>,
    /// A token just issued, shown this once.
    issued: String,
    /// What a department may be allowed: (id, name) of each category and list type.
    categories: Vec<(String, String)>,
    list_types: Vec<(String, String)>,
}

async fn departments_page(
    console: Console,
    status: StatusCode,
    done: &str,
    error: String,
    issued: String,
) -> Response {
    let store = &console.state.store;
    let departments = store.departments().await.unwrap_or_default();
    let tokens = store.tokens().await.unwrap_or_default();
    let now = chrono::Utc::now();
    let departments = departments
        .iter()
        .map(|d| DepartmentRow {
            code: d.code.clone(),
            name: crate::public::text(&d.name),
            categories: d.categories.iter().cloned().collect::<Vec<_>>().join(", "),
            lists: d.lists.iter().cloned().collect::<Vec<_>>().join(", "),
        })
        .collect();
    let c = console.c;
    let tokens = tokens
        .iter()
        .rev()
        .map(|t| {
            let state = if t.revoked_at.is_some() {
                c.revoked
            } else if t.expires_at.is_some_and(|e| e <= now) {
                c.expired
            } else {
                c.active
            };
            TokenRow {
                id: t.id.clone(),
                role: t.role.as_str(),
                department: t.department.clone().unwrap_or_default(),
                label: crate::public::text(&t.label),
                created: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                expires: t
                    .expires_at
                    .map(|e| e.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                state,
                current: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            }
        })
        .collect();
    let ctx = &console.ctx;
    let categories = console
        .state
        .catalogue
        .categories
        .iter()
        .map(|k| (k.id.clone(), ctx.category_name(k).to_owned()))
        .collect();
    let list_types = console
        .state
        .list_types
        .list_types
        .iter()
        .map(|t| (t.id.clone(), ctx.pick(&t.name_zh, &t.name_en).to_owned()))
        .collect();
    let f = console.frame(done, error);
    page(
        status,
        DepartmentsPage {
            ctx: console.ctx,
            c,
            f,
            departments,
            tokens,
            issued,
            categories,
            list_types,
        },
    )
}

/// `GET /console/departments`: departments and every token.
pub(super) async fn departments(OperatorPage(c): OperatorPage) -> Response {
    departments_page(c, StatusCode::OK, "", String::new(), String::new()).await
}

#[derive(Deserialize)]
pub(super) struct IssueForm {
    csrf: String,
    department: String,
    label: String,
    #[serde(default)]
    days: String,
}

/// `POST /console/departments`: issues a department token (as `xinyong token create
/// --role department` does), shown once.
pub(super) async fn issue_token(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<IssueForm>,
) -> Response {
    let console = match operator_post(&state, &uri, &headers, &form.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let code = form.department.trim();
    let known = matches!(state.store.department(code).await, Ok(Some(_)));
    if !known {
        let m = crate::public::text(&format!("no such department: {code}"));
        return departments_page(
            console,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            m,
            String::new(),
        )
        .await;
    }
    let days = form.days.trim();
    let days: Option<i64> = match days {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(n) if n > 0 => Some(i64::from(n)),
            _ => {
                let m = format!("{}: {d}", console.c.days);
                return departments_page(
                    console,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "",
                    m,
                    String::new(),
                )
                .await;
            }
        },
    };
    let label = match form.label.trim() {
        "" => format!("department {code} (console)"),
        l => l.to_owned(),
    };
    let now = chrono::Utc::now();
    let secret = crate::auth::new_token();
    let token = Token {
        id: xinyong_store::new_id(),
        hash: secret.hash.clone(),
        role: Role::Department,
        department: Some(code.to_owned()),
        subject: None,
        label,
        created_at: now,
        expires_at: days.map(|d| now + chrono::Duration::days(d)),
        revoked_at: None,
    };
    match state.store.put_token(&token).await {
        Ok(()) => {
            tracing::info!(target: "xinyong::security", token = %token.id, department = code, "token issued in the console");
            departments_page(
                console,
                StatusCode::CREATED,
                "",
                String::new(),
                secret.secret,
            )
            .await
        }
        Err(e) => {
            departments_page(
                console,
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
                crate::public::text(&e.to_string()),
                String::new(),
            )
            .await
        }
    }
}

/// `POST /console/departments/register`: registers a department, or adds categories and lists
/// to one (as `xinyong department add` does), checked against the catalogue and list types.
pub(super) async fn register_department(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Response {
    let (mut csrf, mut code, mut name) = (String::new(), String::new(), String::new());
    let (mut categories, mut lists) = (
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for (k, v) in url::form_urlencoded::parse(&raw) {
        match &*k {
            "csrf" => csrf = v.into_owned(),
            "code" => code = v.trim().to_owned(),
            "name" => name = v.trim().to_owned(),
            "category" => {
                categories.insert(v.into_owned());
            }
            "list" => {
                lists.insert(v.into_owned());
            }
            _ => {}
        }
    }
    let console = match operator_post(&state, &uri, &headers, &csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let refuse = |m: String| (StatusCode::UNPROCESSABLE_ENTITY, crate::public::text(&m));
    let problem = if let Err(e) = xinyong_domain::Department::check_code(&code) {
        Some(refuse(format!("{code}: {e}")))
    } else if name.is_empty() {
        Some(refuse(format!("{}: —", console.c.col_name)))
    } else if let Some(c) = categories
        .iter()
        .find(|c| state.catalogue.category(c).is_none())
    {
        Some(refuse(format!("{}: {c}", console.c.may_submit)))
    } else {
        lists
            .iter()
            .find(|l| state.list_types.get(l).is_none())
            .map(|l| refuse(format!("{}: {l}", console.c.manages_lists)))
    };
    if let Some((status, message)) = problem {
        return departments_page(console, status, "", message, String::new()).await;
    }
    let department = xinyong_domain::Department {
        code,
        name,
        categories,
        lists,
        professions: Default::default(),
    };
    match state.store.put_department(&department).await {
        Ok(()) => {
            // Its name is in the statistics.
            state.statistics.changed();
            tracing::info!(target: "xinyong::security", department = %department.code, "department registered in the console");
            let done = console.c.decided;
            departments_page(console, StatusCode::OK, done, String::new(), String::new()).await
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// `POST /console/tokens/{id}/revoke`: revokes a token at once (the verified-token cache is
/// cleared, so no request after this one passes with it).
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<super::Csrf>,
) -> Response {
    let console = match operator_post(&state, &uri, &headers, &form.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match state.store.revoke_token(&id, chrono::Utc::now()).await {
        Ok(true) => {
            state.auth.clear();
            tracing::info!(target: "xinyong::security", token = %id, "token revoked in the console");
            let done = console.c.revoked_done;
            departments_page(console, StatusCode::OK, done, String::new(), String::new()).await
        }
        Ok(false) => (StatusCode::NOT_FOUND, "no such current token").into_response(),
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}
