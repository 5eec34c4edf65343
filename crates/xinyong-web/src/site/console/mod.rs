//! The console (issue #16): the website's pages for signed-in departments and operators, so
//! that clerks upload files, correct records, manage list entries, run checks and decide cases
//! without curl, and operators manage tokens, decide special applications and watch the audit
//! log and data quality.
//!
//! Sign-in keeps a department or operator token in a cookie for `/console` pages only
//! (`session.rs`: HttpOnly, SameSite=Strict, Secure off loopback); operators may sign in with
//! name and password, which opens an 8-hour session token through the API's own sign-in.
//! Every form carries the session's CSRF token and is refused from another site. Actions and
//! most reads go through the API's own routes ([`Console::call`]) with the session's token as
//! the bearer token, so the console can do nothing the API would refuse, and every write is in
//! the audit log exactly as if it came through the API. The few reads the API has no endpoint
//! for (a department's own records, tokens) are checked against the session's role here.

mod casework;
mod department;
mod labels;
mod operator;
mod upload;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt;
use xinyong_domain::Department;

use self::labels::{ConsoleLabels, EN, ZH};
use super::context::Ctx;
use super::session::{csrf_matches, csrf_of, private, same_origin, session_cookie, session_secret};
use crate::AppState;
use crate::auth::Caller;

/// Where the console's sign-in form posts (the rate limiter treats it as a sign-in).
pub const SIGN_IN_PATH: &str = "/console/sign-in";
const COOKIE: &str = "xinyong_console";
/// Largest file the console's upload takes (the API's batches are smaller; the CLI has none).
const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route(SIGN_IN_PATH, post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route(
            "/console/upload",
            get(upload::upload_page)
                .post(upload::upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/console/upload/{id}/rejects.jsonl", get(upload::rejects))
        .route("/console/records", get(department::records))
        .route(
            "/console/records/{id}",
            get(department::record).post(department::correct),
        )
        .route("/console/lists", get(casework::lists))
        .route("/console/lists/{list}/entries", post(casework::add_entry))
        .route(
            "/console/lists/{list}/entries/{id}/{action}",
            post(casework::change_entry),
        )
        .route(
            "/console/checks",
            get(casework::checks_page).post(casework::check),
        )
        .route(
            "/console/checks/file",
            post(casework::check_file).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/console/checks/{id}/feedback", post(casework::feedback))
        .route("/console/cases", get(casework::cases))
        .route("/console/cases/{kind}/{id}", post(casework::decide))
        .route("/console/applications", get(operator::applications))
        .route("/console/applications/{id}", post(operator::decide))
        .route("/console/ledger", get(operator::ledger))
        .route("/console/ledger/verify", post(operator::verify))
        .route("/console/quality", get(operator::quality))
        .route(
            "/console/departments",
            get(operator::departments).post(operator::issue_token),
        )
        .route(
            "/console/departments/register",
            post(operator::register_department),
        )
        .route("/console/tokens/{id}/revoke", post(operator::revoke_token))
}

/// Who is signed in.
#[derive(Clone)]
pub(super) enum Role {
    Department(Department),
    Operator,
}

/// A signed-in console session.
pub(super) struct Console {
    secret: String,
    pub role: Role,
    pub state: AppState,
    pub ctx: Ctx,
    pub c: &'static ConsoleLabels,
}

/// What every console page shows around its content.
pub(super) struct Frame {
    pub who: String,
    pub operator: bool,
    pub csrf: String,
    /// A success note or a refusal to show above the page.
    pub done: String,
    pub error: String,
}

/// A refusal of the API, as a page shows it.
pub(super) struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

impl Console {
    /// The session of a request, or `None` without a current department or operator token.
    async fn of(
        state: &AppState,
        uri: &Uri,
        headers: &HeaderMap,
        nav: &'static str,
    ) -> Option<Console> {
        let secret = session_secret(headers, COOKIE)?;
        let role = match crate::auth::caller_of_secret(&secret, state).await? {
            Caller::Department { department, .. } => Role::Department(department),
            Caller::Operator { .. } => Role::Operator,
            _ => return None,
        };
        let ctx = Ctx::new(state, uri, nav);
        let c = if ctx.is_en() { &EN } else { &ZH };
        Some(Console {
            secret,
            role,
            state: state.clone(),
            ctx,
            c,
        })
    }

    /// The session of a form post: refused from another site or with a wrong CSRF token.
    async fn posted(
        state: &AppState,
        uri: &Uri,
        headers: &HeaderMap,
        csrf: &str,
        nav: &'static str,
    ) -> Result<Console, Response> {
        let forbidden = || (StatusCode::FORBIDDEN, "cross-site form refused").into_response();
        if !same_origin(headers) {
            return Err(forbidden());
        }
        let Some(console) = Console::of(state, uri, headers, nav).await else {
            return Err((StatusCode::UNAUTHORIZED, Redirect::to("/console")).into_response());
        };
        if !csrf_matches(csrf, &console.secret) {
            return Err(forbidden());
        }
        Ok(console)
    }

    pub fn department(&self) -> Option<&Department> {
        match &self.role {
            Role::Department(d) => Some(d),
            Role::Operator => None,
        }
    }

    pub fn frame(&self, done: &str, error: String) -> Frame {
        Frame {
            who: match &self.role {
                Role::Department(d) => crate::public::text(&format!("{} · {}", d.name, d.code)),
                Role::Operator => self.c.operator.to_owned(),
            },
            operator: matches!(self.role, Role::Operator),
            csrf: csrf_of(&self.secret),
            done: done.to_owned(),
            error,
        }
    }

    /// Calls the API's route `method path` with `body` as the signed-in user: the JSON answer,
    /// or the refusal with its status and message (every field problem listed).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Refusal> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.secret));
        let body = match body {
            Some(v) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let failed = |message: String| Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
        };
        let request = request.body(body).map_err(|e| failed(e.to_string()))?;
        let response = crate::api_routes()
            .with_state(self.state.clone())
            .oneshot(request)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), crate::MAX_BODY_BYTES)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let zh = !self.ctx.is_en();
        let mut message = format!("{}: {}", text(&value, "title"), text(&value, "detail"));
        if let Some(errors) = value.get("errors").and_then(Value::as_array) {
            let fields: Vec<String> = errors
                .iter()
                .map(|e| {
                    let m = text(e, "message");
                    let m = if zh {
                        super::errors::field_message_zh(&m)
                    } else {
                        m
                    };
                    format!("{}: {m}", text(e, "field"))
                })
                .collect();
            if zh {
                message = format!("提交的内容有误，未作任何更改（{}）", fields.join("；"));
            } else {
                message = format!("{message} ({})", fields.join("; "));
            }
        }
        Err(Refusal {
            status,
            message: crate::public::text(&message),
        })
    }
}

/// A console page of the signed-in department: anyone else gets the sign-in page (no
/// session) or a refusal (an operator), before the handler runs.
pub(super) struct DepartmentPage(pub Console);

impl FromRequestParts<AppState> for DepartmentPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        department::department_console(state, &parts.uri, &parts.headers)
            .await
            .map(DepartmentPage)
    }
}

/// A console page of the signed-in operator (a department is refused).
pub(super) struct OperatorPage(pub Console);

impl FromRequestParts<AppState> for OperatorPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Console::of(state, &parts.uri, &parts.headers, "console").await {
            Some(c) if c.department().is_none() => Ok(OperatorPage(c)),
            Some(c) => Err(department::not_allowed(c)),
            None => Err(needs_sign_in()),
        }
    }
}

/// The page for a console path when no one (or someone who may not use it) is signed in.
fn needs_sign_in() -> Response {
    (StatusCode::UNAUTHORIZED, Redirect::to("/console")).into_response()
}

/// A page of the console: never cached.
pub(super) fn page(status: StatusCode, page: impl IntoResponse) -> Response {
    private((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    error: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/home.html")]
struct HomePage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    may_submit: Vec<String>,
    lists: Vec<String>,
}

fn sign_in_page(state: &AppState, uri: &Uri, error: bool, status: StatusCode) -> Response {
    let ctx = Ctx::new(state, uri, "console");
    let c = if ctx.is_en() { &EN } else { &ZH };
    page(status, SignInPage { ctx, c, error })
}

/// `GET /console`: the overview when signed in, else the sign-in forms.
async fn home(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(console) = Console::of(&state, &uri, &headers, "console").await else {
        return sign_in_page(&state, &uri, false, StatusCode::OK);
    };
    let (may_submit, lists) = match console.department() {
        Some(d) => (
            d.categories
                .iter()
                .map(|id| {
                    state
                        .catalogue
                        .category(id)
                        .map_or_else(|| id.clone(), |c| console.ctx.category_name(c).to_owned())
                })
                .collect(),
            department::managed_lists(&console)
                .iter()
                .map(|l| console.ctx.pick(&l.name_zh, &l.name_en).to_owned())
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let f = console.frame("", String::new());
    page(
        StatusCode::OK,
        HomePage {
            ctx: console.ctx,
            c: console.c,
            f,
            may_submit,
            lists,
        },
    )
}

#[derive(Deserialize)]
struct SignIn {
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/sign-in`: a department or operator token, or an operator's name and
/// password (through the API's `POST /api/v1/sessions`), becomes the session cookie. A wrong
/// one answers 401, which spends the address's failed-authentication budget (`limits.rs`).
async fn sign_in(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    if !same_origin(&headers) {
        return sign_in_page(&state, &uri, true, StatusCode::FORBIDDEN);
    }
    let secret = if form.token.trim().is_empty() {
        let body = serde_json::json!({"name": form.name.trim(), "password": form.password});
        let request = Request::post(crate::sessions::PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()));
        let Ok(request) = request else {
            return sign_in_page(&state, &uri, true, StatusCode::BAD_REQUEST);
        };
        let answer = crate::api_routes()
            .with_state(state.clone())
            .oneshot(request)
            .await;
        let session = match answer {
            Ok(r) if r.status() == StatusCode::CREATED => {
                axum::body::to_bytes(r.into_body(), 64 * 1024).await.ok()
            }
            _ => None,
        };
        let token = session
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned));
        match token {
            Some(t) => t,
            None => return sign_in_page(&state, &uri, true, StatusCode::UNAUTHORIZED),
        }
    } else {
        form.token.trim().to_owned()
    };
    match crate::auth::caller_of_secret(&secret, &state).await {
        Some(Caller::Department { .. } | Caller::Operator { .. }) => {}
        _ => return sign_in_page(&state, &uri, true, StatusCode::UNAUTHORIZED),
    }
    let ctx = Ctx::new(&state, &uri, "console");
    let mut response = Redirect::to(&ctx.url("/console")).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(COOKIE, "/console", &secret, 8 * 3600, &headers),
    );
    response
}

#[derive(Deserialize)]
pub(super) struct Csrf {
    pub csrf: String,
}

/// `POST /console/sign-out`: the cookie is cleared.
async fn sign_out(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<Csrf>,
) -> Response {
    let console = match Console::posted(&state, &uri, &headers, &form.csrf, "console").await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let mut response = Redirect::to(&console.ctx.url("/console")).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(COOKIE, "/console", "", 0, &headers),
    );
    response
}

/// A date-time as the console shows it.
pub(super) fn when(value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A string member of a JSON answer, masked as every displayed text is.
pub(super) fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => crate::public::text(s),
        Some(Value::Null) | None => String::new(),
        Some(other) => crate::public::text(&other.to_string()),
    }
}
