//! The subject's own pages (issue #12): sign in with a subject token, see the complete file
//! (every record and its status, who looked with the proof of each read, objections, repairs,
//! grants), object, apply for repair and revoke a grant, without curl.
//!
//! Sign-in puts the subject token in a cookie that scripts cannot read (`HttpOnly`), that no
//! other site's page can make the browser send (`SameSite=Strict`), that only `/me` pages
//! receive (`Path=/me`), and that travels only over TLS except on a loopback host. Every form
//! carries a CSRF token derived from the session token, and a `POST` whose `Origin` is another
//! site is refused before anything is done. The cookie is honoured here only, never by the
//! JSON API, which keeps to bearer tokens. The actions call the API's own handlers, so the
//! website can do nothing the API would refuse.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::RawForm;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::context::Ctx;
use super::session::{csrf_matches, csrf_of, private, same_origin, session_cookie, session_secret};
use crate::AppState;
use crate::auth::{SubjectCaller, subject_of};
use crate::error::{ApiError, JsonBody};

/// Where the website's sign-in form posts (the rate limiter treats it as a sign-in).
pub const SIGN_IN_PATH: &str = "/me/sign-in";
const COOKIE: &str = "xinyong_me";

/// The signed-in subject and its session secret.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(SubjectCaller, String)> {
    let secret = session_secret(headers, COOKIE)?;
    let caller = subject_of(&secret, state).await?;
    Some((caller, secret))
}

fn cookie(value: &str, max_age: i64, headers: &HeaderMap) -> HeaderValue {
    session_cookie(COOKIE, "/me", value, max_age, headers)
}

#[derive(Template, WebTemplate)]
#[template(path = "me_sign_in.html")]
struct SignInPage {
    ctx: Ctx,
    error: bool,
}

/// A record as the subject sees it on its own page.
pub struct RecordRow {
    pub id: String,
    pub category: String,
    pub document_no: String,
    pub decided_on: String,
    pub status: &'static str,
    pub public: bool,
    pub ledger_index: String,
}

pub struct ReadRow {
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub proof: String,
}

pub struct CaseRow {
    pub record: String,
    pub status: String,
    pub deadline: String,
}

pub struct GrantRow {
    pub id: String,
    pub service: String,
    pub purpose: String,
    pub until: String,
    pub current: bool,
}

/// An evidence file the subject stored.
pub struct AttachmentRow {
    pub id: String,
    pub name: String,
    pub media_type: &'static str,
    pub size: String,
    pub stored: String,
    /// The first 16 hex digits of its SHA-256 (the whole digest is in the API).
    pub digest: String,
    pub ledger_index: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct FilePage {
    ctx: Ctx,
    name: String,
    csrf: String,
    done: String,
    error: String,
    records: Vec<RecordRow>,
    reads: Vec<ReadRow>,
    objections: Vec<CaseRow>,
    repairs: Vec<CaseRow>,
    grants: Vec<GrantRow>,
    attachments: Vec<AttachmentRow>,
}

#[derive(Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /me`: the complete file when signed in, else the sign-in form.
pub(super) async fn page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Response {
    let ctx = Ctx::new(&state, &uri, "me");
    let Some((caller, secret)) = signed_in(&state, &headers).await else {
        return private(sign_in_page(ctx, false, StatusCode::OK));
    };
    let done = match q.done.as_deref() {
        Some("objection") => ctx.l.me_done_objection,
        Some("repair") => ctx.l.me_done_repair,
        Some("revoked") => ctx.l.me_done_revoked,
        Some("attachment") => ctx.l.me_done_attachment,
        _ => "",
    };
    let done = done.to_owned();
    private(
        file_page(
            &state,
            ctx,
            caller,
            &secret,
            done,
            String::new(),
            StatusCode::OK,
        )
        .await,
    )
}

fn sign_in_page(ctx: Ctx, error: bool, status: StatusCode) -> Response {
    let page = SignInPage { ctx, error };
    (status, page).into_response()
}

async fn file_page(
    state: &AppState,
    ctx: Ctx,
    caller: SubjectCaller,
    secret: &str,
    done: String,
    error: String,
    status: StatusCode,
) -> Response {
    let file = match crate::me::complete_file(caller, State(state.clone())).await {
        Ok(axum::Json(file)) => file,
        Err(e) => return e.into_response(),
    };
    let size = file.signed_tree_size;
    let index = |i: Option<u64>| i.map_or_else(|| "—".to_owned(), |i| i.to_string());
    let records = file
        .records
        .iter()
        .map(|p| {
            let r = &p.item.record;
            RecordRow {
                id: r.id.to_string(),
                category: ctx
                    .pick(&r.category_name_zh, &r.category_name_en)
                    .to_owned(),
                document_no: r.document_no.clone(),
                decided_on: ctx.date(r.decided_on),
                status: status_label(&ctx, r.status.as_str()),
                public: p.item.on_public_view,
                ledger_index: index(p.ledger_index),
            }
        })
        .collect();
    let at = |ms: u64| {
        chrono::DateTime::from_timestamp_millis(ms as i64)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let reads = file
        .reads
        .iter()
        .map(|r| ReadRow {
            kind: r.kind.clone(),
            actor: r.actor.clone(),
            at: at(r.at_ms),
            proof: format!(
                "/api/v1/ledger/proof/inclusion?leaf={}&size={}",
                r.ledger_index,
                size.max(r.ledger_index + 1)
            ),
        })
        .collect();
    let deadline = |d: &[xinyong_domain::rights::StepDeadline]| {
        d.last().map_or_else(String::new, |s| {
            let mark = if s.deadline.provisional { " *" } else { "" };
            format!("{}{mark}", ctx.date(s.deadline.date))
        })
    };
    // A case names its record by what the subject recognises: the document number.
    let document = |id: &xinyong_domain::RecordId| {
        file.records
            .iter()
            .find(|p| &p.item.record.id == id)
            .map_or_else(|| id.to_string(), |p| p.item.record.document_no.clone())
    };
    let objections = file
        .objections
        .iter()
        .map(|o| CaseRow {
            record: document(&o.item.record),
            status: case_label(
                &ctx,
                o.item
                    .outcome
                    .map_or(o.item.status.as_str(), |outcome| outcome.as_str()),
            )
            .to_owned(),
            deadline: deadline(&o.item.deadlines),
        })
        .collect();
    let repairs = file
        .repairs
        .iter()
        .map(|r| CaseRow {
            record: document(&r.item.record),
            status: case_label(&ctx, r.item.status.as_str()).to_owned(),
            deadline: deadline(&r.item.deadlines),
        })
        .collect();
    let now = chrono::Utc::now();
    let grants = file
        .grants
        .iter()
        .map(|g| GrantRow {
            id: g.item.id.clone(),
            service: g.item.service.clone(),
            purpose: g.item.purpose.clone(),
            until: ctx.date(g.item.valid_until.date_naive()),
            current: g.item.revoked_at.is_none() && now < g.item.valid_until,
        })
        .collect();
    let attachments = file
        .attachments
        .iter()
        .map(|p| {
            let a = &p.item;
            AttachmentRow {
                id: a.id.clone(),
                name: a
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{}.{}", a.id, a.media_type.extension())),
                media_type: a.media_type.as_str(),
                size: match a.size {
                    n if n < 1024 => format!("{n} B"),
                    n if n < 1024 * 1024 => format!("{:.1} KB", n as f64 / 1024.0),
                    n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
                },
                stored: ctx.date(a.stored_at.date_naive()),
                digest: a.sha256.chars().take(16).collect(),
                ledger_index: index(p.ledger_index),
            }
        })
        .collect();
    let page = FilePage {
        name: file.name.clone(),
        csrf: csrf_of(secret),
        ctx,
        done,
        error,
        records,
        reads,
        objections,
        repairs,
        grants,
        attachments,
    };
    (status, page).into_response()
}

fn case_label(ctx: &Ctx, status: &str) -> &'static str {
    match status {
        "open" => ctx.l.case_open,
        "upheld" => ctx.l.case_upheld,
        "corrected" => ctx.l.case_corrected,
        "removed" => ctx.l.case_removed,
        "pending" => ctx.l.case_pending,
        "granted" => ctx.l.case_granted,
        "refused" => ctx.l.case_refused,
        _ => ctx.l.case_decided,
    }
}

fn status_label(ctx: &Ctx, status: &str) -> &'static str {
    match status {
        "active" => ctx.l.status_active,
        "under_objection" => ctx.l.under_objection,
        "repaired" => ctx.l.status_repaired,
        "revoked" => ctx.l.status_revoked,
        _ => ctx.l.status_other,
    }
}

#[derive(Deserialize)]
pub(super) struct SignIn {
    token: String,
}

/// `POST /me/sign-in`: a subject token becomes the session cookie. A wrong token answers
/// 401, which spends the address's failed-authentication budget (`limits.rs`).
pub(super) async fn sign_in(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let ctx = Ctx::new(&state, &uri, "me");
    if !same_origin(&headers) {
        return sign_in_page(ctx, true, StatusCode::FORBIDDEN);
    }
    let secret = form.token.trim();
    if subject_of(secret, &state).await.is_none() {
        return private(sign_in_page(ctx, true, StatusCode::UNAUTHORIZED));
    }
    let mut response = Redirect::to(&ctx.url("/me")).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(secret, 8 * 3600, &headers));
    response
}

#[derive(Deserialize)]
pub(super) struct Csrf {
    csrf: String,
}

/// `POST /me/sign-out`: the cookie is cleared.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<Csrf>,
) -> Response {
    let ctx = Ctx::new(&state, &uri, "me");
    if let Err(refused) = checked(&state, &headers, &form.csrf).await {
        return refused;
    }
    let mut response = Redirect::to(&ctx.url("/me")).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie("", 0, &headers));
    response
}

/// The signed-in subject of a form post, or the answer that refuses it: another site's
/// `Origin` or a wrong CSRF token (403), no session (the sign-in page, 401).
async fn checked(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(SubjectCaller, String), Response> {
    let forbidden = || (StatusCode::FORBIDDEN, "cross-site form refused").into_response();
    if !same_origin(headers) {
        return Err(forbidden());
    }
    let Some((caller, secret)) = signed_in(state, headers).await else {
        return Err((StatusCode::UNAUTHORIZED, Redirect::to("/me")).into_response());
    };
    if !csrf_matches(csrf, &secret) {
        return Err(forbidden());
    }
    Ok((caller, secret))
}

/// Runs an API handler for the signed-in subject: success redirects to the file with a note,
/// a refusal shows the file again with the reason, in the status the API gives.
async fn act<T>(
    state: AppState,
    uri: Uri,
    headers: HeaderMap,
    csrf: String,
    done: &str,
    run: impl AsyncFnOnce(SubjectCaller, AppState) -> Result<T, ApiError>,
) -> Response {
    let (caller, secret) = match checked(&state, &headers, &csrf).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let again = caller.clone();
    let ctx = Ctx::new(&state, &uri, "me");
    match run(caller, state.clone()).await {
        Ok(_) => Redirect::to(&ctx.url(&format!("/me?done={done}"))).into_response(),
        Err(e) => {
            let status = e.code().status();
            let message = crate::public::text(&format!("{}: {e}", e.code().title()));
            let message = match &e {
                ApiError::InvalidFields(errors) | ApiError::InvalidRecords(errors) => {
                    let fields: Vec<String> = errors
                        .iter()
                        .map(|f| crate::public::text(&format!("{}: {}", f.field, f.message)))
                        .collect();
                    format!("{message} ({})", fields.join("; "))
                }
                _ => message,
            };
            private(file_page(&state, ctx, again, &secret, String::new(), message, status).await)
        }
    }
}

/// A form's fields as the body the API's handler takes.
fn api_body<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::new(crate::error::ErrorCode::MalformedJson, e.to_string()))
}

/// A case form's fields, with its ticked evidence boxes (`attachments`, repeated) gathered
/// into a list; `None` for an incomplete form.
fn case_form<T: serde::de::DeserializeOwned>(raw: &[u8]) -> Option<(T, Vec<String>)> {
    let mut fields = serde_json::Map::new();
    let mut attachments = Vec::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        if key == "attachments" {
            attachments.push(value.into_owned());
        } else {
            fields.insert(key.into_owned(), value.into_owned().into());
        }
    }
    serde_json::from_value(fields.into())
        .ok()
        .map(|form| (form, attachments))
}

fn incomplete() -> Response {
    (StatusCode::BAD_REQUEST, "incomplete form").into_response()
}

#[derive(Deserialize)]
pub(super) struct ObjectionForm {
    csrf: String,
    record: String,
    what: String,
    reason: String,
}

/// `POST /me/objections`: files an objection through the API's handler.
pub(super) async fn object(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    RawForm(raw): RawForm,
) -> Response {
    let Some((f, attachments)) = case_form::<ObjectionForm>(&raw) else {
        return incomplete();
    };
    let body = json!({"record": f.record, "what": f.what, "reason": f.reason,
                      "attachments": attachments});
    act(
        state,
        uri,
        headers,
        f.csrf,
        "objection",
        async |caller, state| {
            let body = api_body(body)?;
            crate::objections::file(caller, State(state), JsonBody(body)).await
        },
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct RepairForm {
    csrf: String,
    record: String,
    commitment: String,
}

/// `POST /me/repairs`: applies for repair through the API's handler.
pub(super) async fn repair(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    RawForm(raw): RawForm,
) -> Response {
    let Some((f, attachments)) = case_form::<RepairForm>(&raw) else {
        return incomplete();
    };
    let body = json!({"record": f.record, "commitment": f.commitment,
                      "attachments": attachments});
    act(
        state,
        uri,
        headers,
        f.csrf,
        "repair",
        async |caller, state| {
            let body = api_body(body)?;
            crate::repairs::file(caller, State(state), JsonBody(body)).await
        },
    )
    .await
}

/// `POST /me/grants/{id}/revoke`: revokes a grant through the API's handler.
pub(super) async fn revoke(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Csrf>,
) -> Response {
    act(
        state,
        uri,
        headers,
        f.csrf,
        "revoked",
        async |caller, state| {
            crate::grants::revoke(caller, State(state), crate::error::Path(id)).await
        },
    )
    .await
}

/// `POST /me/attachments`: stores one evidence file (a multipart form of `csrf` and `file`)
/// through the path the API's upload takes.
pub(super) async fn attach(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let bad = || (StatusCode::BAD_REQUEST, "not a file upload form").into_response();
    let Ok(mut multipart) = multipart else {
        return bad();
    };
    let mut csrf = String::new();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(None) => break,
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let declared = field.content_type().unwrap_or("").to_owned();
                    let name = field.file_name().map(str::to_owned);
                    match field.bytes().await {
                        Ok(bytes) => file = Some((declared, name, bytes)),
                        Err(_) => return bad(),
                    }
                }
                _ => {}
            },
            Err(_) => return bad(),
        }
    }
    let Some((declared, name, bytes)) = file else {
        return bad();
    };
    act(
        state,
        uri,
        headers,
        csrf,
        "attachment",
        async |caller, state| {
            crate::attachments::store_upload(&state, &caller, &declared, name, &bytes).await
        },
    )
    .await
}

/// `GET /me/attachments/{id}`: the signed-in subject's own evidence file, as a download.
pub(super) async fn attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some((caller, _)) = signed_in(&state, &headers).await else {
        return (StatusCode::UNAUTHORIZED, Redirect::to("/me")).into_response();
    };
    let party = crate::auth::PartyCaller::Subject { code: caller.code };
    match crate::attachments::download(party, State(state), crate::error::Path(id)).await {
        Ok(file) => file,
        Err(e) => e.into_response(),
    }
}
