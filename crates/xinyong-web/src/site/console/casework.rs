//! The department's casework in the console: its list entries (add, extend, remove), credit
//! checks of one subject or a pasted list with feedback, and the objections and repair
//! applications it decides, each through the API's own route.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, RawForm, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use xinyong_domain::measure::DecisionContext;

use super::department::{
    Input, RecordRow, corrected_record, department_post, field_inputs, inputs_of, managed_lists,
    own_record, posted_fields, record_row,
};
use super::labels::ConsoleLabels;
use super::{Console, DepartmentPage, Frame, Refusal, page, text, when};
use crate::AppState;
use crate::site::context::Ctx;

// ---- Lists ----

pub(super) struct EntryRow {
    pub record: RecordRow,
    pub ends_on: String,
    pub ground: String,
}

pub(super) struct ListView {
    pub id: String,
    pub name: String,
    pub entries: Vec<EntryRow>,
    pub grounds: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
    /// The list category's published fields, for a new entry.
    pub fields: Vec<Input>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/lists.html")]
struct ListsPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    lists: Vec<ListView>,
    today: String,
}

async fn lists_page(console: Console, status: StatusCode, done: &str, error: String) -> Response {
    let state = console.state.clone();
    let code = console
        .department()
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let today = state.today();
    let mut lists = Vec::new();
    for t in managed_lists(&console) {
        let records = state
            .store
            .records_in_categories(std::slice::from_ref(&t.category), today)
            .await
            .unwrap_or_default();
        let mut entries: Vec<EntryRow> = records
            .iter()
            .filter(|r| {
                r.department == code && r.listing.as_ref().is_some_and(|l| l.list_type == t.id)
            })
            .map(|r| EntryRow {
                record: record_row(&console.ctx, &state, r),
                ends_on: r.publicity_until.to_string(),
                ground: r
                    .listing
                    .as_ref()
                    .map(|l| crate::public::text(&l.ground))
                    .unwrap_or_default(),
            })
            .collect();
        entries.sort_by(|a, b| b.record.id.cmp(&a.record.id));
        entries.truncate(200);
        lists.push(ListView {
            id: t.id.clone(),
            name: console.ctx.pick(&t.name_zh, &t.name_en).to_owned(),
            entries,
            grounds: t
                .grounds
                .iter()
                .map(|g| {
                    (
                        g.id.clone(),
                        console.ctx.pick(&g.name_zh, &g.name_en).to_owned(),
                    )
                })
                .collect(),
            kinds: t
                .subject_kinds
                .iter()
                .map(|k| (k.as_str().to_owned(), console.ctx.kind(*k).to_owned()))
                .collect(),
            fields: field_inputs(&state, &t.category, &BTreeMap::new()),
        });
    }
    let f = console.frame(done, error);
    page(
        status,
        ListsPage {
            ctx: console.ctx,
            c: console.c,
            f,
            lists,
            today: today.to_string(),
        },
    )
}

/// `GET /console/lists`: the department's current entries of each list it manages.
pub(super) async fn lists(DepartmentPage(console): DepartmentPage) -> Response {
    lists_page(console, StatusCode::OK, "", String::new()).await
}

/// `POST /console/lists/{list}/entries`: adds an entry through `POST /api/v1/lists/{list}/entries`.
pub(super) async fn add_entry(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(list): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").cloned().unwrap_or_default();
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut body = json!({
        "subject": {"code": get("code"), "name": get("name"), "kind": get("kind")},
        "ground": get("ground"),
        "document_no": get("document_no"),
        "starts_on": get("starts_on"),
    });
    for optional in ["ends_on", "legal_basis"] {
        if !get(optional).is_empty() {
            body[optional] = Value::String(get(optional));
        }
    }
    body["fields"] = Value::Object(posted_fields(&form));
    let path = format!(
        "/api/v1/lists/{}/entries",
        crate::public::encode_value(&list)
    );
    after_call(console, console_call(&path, body), "lists").await
}

/// A call the console makes, not yet made.
struct Call {
    path: String,
    body: Value,
}

fn console_call(path: &str, body: Value) -> Call {
    Call {
        path: path.to_owned(),
        body,
    }
}

/// Makes a `POST` and shows the page it belongs to with the outcome.
async fn after_call(console: Console, call: Call, back: &str) -> Response {
    let outcome = console
        .call(Method::POST, &call.path, Some(call.body))
        .await;
    let (status, done, error) = match outcome {
        Ok(_) => (StatusCode::OK, console.c.decided, String::new()),
        Err(Refusal { status, message }) => (status, "", message),
    };
    match back {
        "lists" => lists_page(console, status, done, error).await,
        _ => cases_page(console, status, done, error).await,
    }
}

/// `POST /console/lists/{list}/entries/{id}/{extension|removal}`.
pub(super) async fn change_entry(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path((list, id, action)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").cloned().unwrap_or_default();
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let body = match action.as_str() {
        "extension" => json!({"ends_on": get("ends_on"), "document_no": get("document_no")}),
        "removal" => json!({"reason": get("reason"), "document_no": get("document_no")}),
        _ => return (StatusCode::NOT_FOUND, "no such action").into_response(),
    };
    let path = format!(
        "/api/v1/lists/{}/entries/{}/{action}",
        crate::public::encode_value(&list),
        crate::public::encode_value(&id)
    );
    after_call(console, console_call(&path, body), "lists").await
}

// ---- Checks ----

pub(super) struct CheckView {
    pub check_id: String,
    pub subject: String,
    pub lists: Vec<String>,
    pub measures: Vec<(String, String)>,
    pub grade: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/checks.html")]
struct ChecksPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    /// Decision contexts: (id, name in the page's language).
    contexts: Vec<(&'static str, String)>,
    results: Vec<CheckView>,
}

fn checks_page_with(
    console: Console,
    status: StatusCode,
    results: Vec<CheckView>,
    done: &str,
    error: String,
) -> Response {
    let f = console.frame(done, error);
    let contexts = DecisionContext::ALL
        .iter()
        .map(|c| {
            let name = if console.ctx.is_en() {
                c.as_str().replace('_', " ")
            } else {
                c.name_zh().to_owned()
            };
            (c.as_str(), name)
        })
        .collect();
    page(
        status,
        ChecksPage {
            ctx: console.ctx,
            c: console.c,
            f,
            contexts,
            results,
        },
    )
}

/// `GET /console/checks`.
pub(super) async fn checks_page(DepartmentPage(console): DepartmentPage) -> Response {
    checks_page_with(console, StatusCode::OK, Vec::new(), "", String::new())
}

#[derive(Deserialize)]
pub(super) struct CheckForm {
    csrf: String,
    codes: String,
    context: String,
}

fn check_view(v: &Value) -> CheckView {
    let items = |key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    CheckView {
        check_id: text(v, "check_id"),
        subject: text(v, "subject"),
        lists: items("lists")
            .iter()
            .map(|l| {
                format!(
                    "{} · {} · {}",
                    text(l, "list_type"),
                    text(l, "ground"),
                    text(l, "ends_on")
                )
            })
            .collect(),
        measures: items("measures")
            .iter()
            .map(|m| (text(m, "id"), text(m, "description")))
            .collect(),
        grade: v
            .get("grade")
            .and_then(|g| g.get("grade"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    }
}

/// `POST /console/checks`: one subject or a pasted list, through `POST /api/v1/checks`.
pub(super) async fn check(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<CheckForm>,
) -> Response {
    let console = match department_post(&state, &uri, &headers, &form.csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let codes: Vec<String> = form
        .codes
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    run_checks(console, codes, &form.context).await
}

/// Checks `codes` before a decision in `context` through `POST /api/v1/checks`.
async fn run_checks(console: Console, codes: Vec<String>, context: &str) -> Response {
    let body = match codes.as_slice() {
        [one] => json!({"subject": one, "context": context}),
        _ => json!({"subjects": codes, "context": context}),
    };
    match console
        .call(Method::POST, "/api/v1/checks", Some(body))
        .await
    {
        Ok(answer) => {
            let results = match answer.get("checks").and_then(Value::as_array) {
                Some(many) => many.iter().map(check_view).collect(),
                None => vec![check_view(&answer)],
            };
            checks_page_with(console, StatusCode::OK, results, "", String::new())
        }
        Err(Refusal { status, message }) => {
            checks_page_with(console, status, Vec::new(), "", message)
        }
    }
}

/// `POST /console/checks/file`: a batch check of the codes in a text or CSV file (a multipart
/// form of `csrf`, `context` and `file`): every 18-character code in it, in order, once;
/// headers and other columns are ignored.
pub(super) async fn check_file(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let bad = || (StatusCode::BAD_REQUEST, "not a file upload form").into_response();
    let Ok(mut multipart) = multipart else {
        return bad();
    };
    let (mut csrf, mut context, mut text) = (String::new(), String::new(), String::new());
    loop {
        match multipart.next_field().await {
            Ok(None) => break,
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let value = field.bytes().await.unwrap_or_default();
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&value).into_owned(),
                    "context" => context = String::from_utf8_lossy(&value).into_owned(),
                    // Codes are ASCII: a GBK file's Chinese header decodes to replacement
                    // characters, which no code contains.
                    "file" => text = String::from_utf8_lossy(&value).into_owned(),
                    _ => {}
                }
            }
            Err(_) => return bad(),
        }
    }
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut codes: Vec<String> = Vec::new();
    for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let token = token.to_ascii_uppercase();
        if token.len() == 18 && !codes.contains(&token) {
            codes.push(token);
        }
    }
    if codes.is_empty() {
        let message = format!("{}: —", console.c.codes);
        return checks_page_with(
            console,
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            "",
            message,
        );
    }
    run_checks(console, codes, &context).await
}

/// `POST /console/checks/{id}/feedback`: ticked measures applied, the others not.
pub(super) async fn feedback(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Response {
    let mut csrf = String::new();
    let (mut applied, mut offered) = (Vec::new(), Vec::new());
    for (k, v) in url::form_urlencoded::parse(&raw) {
        match &*k {
            "csrf" => csrf = v.into_owned(),
            "applied" => applied.push(v.into_owned()),
            "offered" => offered.push(v.into_owned()),
            _ => {}
        }
    }
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let not_applied: Vec<Value> = offered
        .iter()
        .filter(|m| !applied.contains(m))
        .map(|m| json!({"measure": m, "reason": "not applied (console)"}))
        .collect();
    let body = json!({"applied": applied, "not_applied": not_applied});
    let path = format!(
        "/api/v1/checks/{}/feedback",
        crate::public::encode_value(&id)
    );
    match console.call(Method::POST, &path, Some(body)).await {
        Ok(_) => {
            let done = console.c.feedback_done;
            checks_page_with(console, StatusCode::OK, Vec::new(), done, String::new())
        }
        Err(Refusal { status, message }) => {
            checks_page_with(console, status, Vec::new(), "", message)
        }
    }
}

// ---- Objections and repairs ----

pub(super) struct CaseView {
    pub id: String,
    pub record: String,
    pub what: String,
    pub reason: String,
    pub filed: String,
    pub deadline: String,
    /// For an objection: the contested record's correction inputs (a corrected outcome
    /// carries the corrected record).
    pub inputs: Vec<Input>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/cases.html")]
struct CasesPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    objections: Vec<CaseView>,
    repairs: Vec<CaseView>,
}

fn case_view(v: &Value, what: &str, reason: &str) -> CaseView {
    let deadline = v
        .get("deadlines")
        .and_then(Value::as_array)
        .and_then(|d| d.last())
        .and_then(|d| d.get("deadline"))
        .map(|d| text(d, "date"))
        .unwrap_or_default();
    CaseView {
        id: text(v, "id"),
        record: text(v, "record"),
        what: text(v, what),
        reason: text(v, reason),
        filed: when(v.get("filed_at").unwrap_or(&Value::Null)),
        deadline,
        inputs: Vec::new(),
    }
}

async fn cases_page(console: Console, status: StatusCode, done: &str, error: String) -> Response {
    let list = |v: Result<Value, Refusal>, key: &str| -> Vec<Value> {
        v.ok()
            .and_then(|v| v.get(key).and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let objections = list(
        console.call(Method::GET, "/api/v1/objections", None).await,
        "objections",
    );
    let repairs = list(
        console.call(Method::GET, "/api/v1/repairs", None).await,
        "repairs",
    );
    let mut open = Vec::new();
    for o in objections.iter().filter(|o| text(o, "status") == "open") {
        let mut view = case_view(o, "ground", "reason");
        if let Some(r) = own_record(&console, &view.record).await {
            view.inputs = inputs_of(&console, &r);
        }
        open.push(view);
    }
    let objections = open;
    let repairs = repairs
        .iter()
        .filter(|r| text(r, "status") == "pending")
        .map(|r| case_view(r, "status", "commitment"))
        .collect();
    let f = console.frame(done, error);
    page(
        status,
        CasesPage {
            ctx: console.ctx,
            c: console.c,
            f,
            objections,
            repairs,
        },
    )
}

/// `GET /console/cases`: the department's open objections and pending repair applications.
pub(super) async fn cases(DepartmentPage(console): DepartmentPage) -> Response {
    cases_page(console, StatusCode::OK, "", String::new()).await
}

/// `POST /console/cases/{objections|repairs}/{id}`: a decision through the API's.
pub(super) async fn decide(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let console = match department_post(&state, &uri, &headers, &get("csrf"), "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if kind != "objections" && kind != "repairs" {
        return (StatusCode::NOT_FOUND, "no such kind of case").into_response();
    }
    let path = format!(
        "/api/v1/{kind}/{}/decision",
        crate::public::encode_value(&id)
    );
    let mut body = json!({"outcome": get("outcome"), "reason": get("reason")});
    // A corrected outcome carries the corrected record, made from the form as a correction is.
    if kind == "objections" && get("outcome") == "corrected" {
        let Some(r) = own_record(&console, &get("record")).await else {
            return (StatusCode::NOT_FOUND, "no such record of this department").into_response();
        };
        body["record"] = corrected_record(&r, &form);
    }
    after_call(console, console_call(&path, body), "cases").await
}
