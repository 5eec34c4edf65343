//! The department's console pages: who may use them, and its own records (browse, see the
//! versions, correct). Uploads are [`super::upload`]; list entries, checks and cases
//! [`super::casework`].

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use xinyong_domain::Record;
use xinyong_domain::disclosure::public_subject_code;
use xinyong_domain::list::ListType;

use super::labels::ConsoleLabels;
use super::{Console, DepartmentPage, Frame, Refusal, needs_sign_in, page};
use crate::AppState;
use crate::site::context::Ctx;

/// The list types the signed-in department manages.
pub(super) fn managed_lists(console: &Console) -> Vec<&ListType> {
    let Some(department) = console.department() else {
        return Vec::new();
    };
    console
        .state
        .list_types
        .list_types
        .iter()
        .filter(|t| department.manages_list(&t.id))
        .collect()
}

/// The signed-in department's session, or the answer for anyone else.
pub(super) async fn department_console(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Console, Response> {
    match Console::of(state, uri, headers, "console").await {
        Some(c) if c.department().is_some() => Ok(c),
        Some(c) => Err(not_allowed(c)),
        None => Err(needs_sign_in()),
    }
}

/// A form post of the signed-in department.
pub(super) async fn department_post(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    csrf: &str,
    nav: &'static str,
) -> Result<Console, Response> {
    let console = Console::posted(state, uri, headers, csrf, nav).await?;
    if console.department().is_none() {
        return Err(not_allowed(console));
    }
    Ok(console)
}

#[derive(Template, WebTemplate)]
#[template(path = "console/not_allowed.html")]
struct NotAllowedPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
}

pub(super) fn not_allowed(console: Console) -> Response {
    let f = console.frame("", String::new());
    page(
        StatusCode::FORBIDDEN,
        NotAllowedPage {
            ctx: console.ctx,
            c: console.c,
            f,
        },
    )
}

// ---- Records ----

/// A record as the department's console lists it.
pub(super) struct RecordRow {
    pub id: String,
    pub document_no: String,
    pub category: String,
    pub subject: String,
    pub decided_on: String,
    pub status: String,
    pub version: u32,
    pub recorded: String,
}

pub(super) fn record_row(ctx: &Ctx, state: &AppState, r: &Record) -> RecordRow {
    RecordRow {
        id: r.id.to_string(),
        document_no: crate::public::text(&r.document_no),
        category: state
            .catalogue
            .category(&r.category)
            .map_or_else(|| r.category.clone(), |c| ctx.category_name(c).to_owned()),
        // The department submitted the record, but a page is no place for a full identity
        // number: persons appear masked, as everywhere on the website.
        subject: crate::public::text(&format!(
            "{} {}",
            r.subject_name,
            public_subject_code(r.subject_kind, r.subject_code.as_str())
        )),
        decided_on: ctx.date(r.decided_on),
        status: r.status.as_str().to_owned(),
        version: r.version,
        recorded: r.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/records.html")]
struct RecordsPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    records: Vec<RecordRow>,
    older: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Before {
    before: Option<String>,
}

const PAGE: u32 = 50;

/// `GET /console/records?before=ID`: the department's own records, newest first.
pub(super) async fn records(
    DepartmentPage(console): DepartmentPage,
    Query(q): Query<Before>,
) -> Response {
    let state = console.state.clone();
    let code = console
        .department()
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let before = q.before.as_deref().filter(|b| !b.is_empty());
    let found = match state.store.records_of_department(&code, before, PAGE).await {
        Ok(f) => f,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let older = (found.len() == PAGE as usize)
        .then(|| {
            found.last().map(|r| {
                console
                    .ctx
                    .url(&format!("/console/records?before={}", r.id))
            })
        })
        .flatten();
    let records = found
        .iter()
        .map(|r| record_row(&console.ctx, &state, r))
        .collect();
    let f = console.frame("", String::new());
    page(
        StatusCode::OK,
        RecordsPage {
            ctx: console.ctx,
            c: console.c,
            f,
            records,
            older,
        },
    )
}

/// One input of the correction form.
pub(super) struct Input {
    pub name: String,
    pub label: String,
    pub value: String,
    pub required: bool,
    /// Allowed values (a select) when the catalogue lists them.
    pub choices: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/record.html")]
struct RecordPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    record: RecordRow,
    history: Vec<RecordRow>,
    inputs: Vec<Input>,
    /// Where the correction form posts.
    action: String,
}

/// The department's own record, or `None`.
pub(super) async fn own_record(console: &Console, id: &str) -> Option<Record> {
    let code = &console.department()?.code;
    let record = console.state.store.record(id).await.ok()??;
    (&record.department == code).then_some(record)
}

/// An input per published field of `category`, holding `values`' (named `fields.NAME`).
pub(super) fn field_inputs(
    state: &AppState,
    category: &str,
    values: &BTreeMap<String, Value>,
) -> Vec<Input> {
    let value = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let Some(category) = state.catalogue.category(category) else {
        return Vec::new();
    };
    category
        .fields
        .iter()
        .map(|field| Input {
            name: format!("fields.{}", field.name),
            label: format!("{} · {}", field.header_zh, field.name),
            value: value(values.get(&field.name)),
            required: field.required,
            choices: field.values.clone(),
        })
        .collect()
}

pub(super) fn inputs_of(console: &Console, r: &Record) -> Vec<Input> {
    let l = console.c;
    let mut inputs = vec![
        Input {
            name: "subject_name".into(),
            label: l.subject_name.into(),
            value: r.subject_name.clone(),
            required: true,
            choices: vec![],
        },
        Input {
            name: "decided_on".into(),
            label: l.col_decided.into(),
            value: r.decided_on.to_string(),
            required: true,
            choices: vec![],
        },
        Input {
            name: "legal_basis".into(),
            label: l.legal_basis.into(),
            value: r.legal_basis.clone(),
            required: false,
            choices: vec![],
        },
    ];
    let category = console.state.catalogue.category(&r.category);
    if category.is_some_and(|c| !c.tiers.is_empty()) {
        let choices = category
            .map(|c| c.tiers.iter().map(|t| t.tier.as_str().to_owned()).collect())
            .unwrap_or_default();
        inputs.push(Input {
            name: "tier".into(),
            label: "tier".into(),
            value: r.tier.map(|t| t.as_str().to_owned()).unwrap_or_default(),
            required: true,
            choices,
        });
    }
    inputs.extend(field_inputs(&console.state, &r.category, &r.fields));
    inputs
}

async fn record_page(
    console: Console,
    r: &Record,
    status: StatusCode,
    done: &str,
    error: String,
) -> Response {
    let history = console
        .state
        .store
        .record_history(r.id.as_str())
        .await
        .unwrap_or_default();
    let history = history
        .iter()
        .rev()
        .map(|v| record_row(&console.ctx, &console.state, v))
        .collect();
    let inputs = inputs_of(&console, r);
    let record = record_row(&console.ctx, &console.state, r);
    let action = format!("/console/records/{}", record.id);
    let f = console.frame(done, error);
    page(
        status,
        RecordPage {
            ctx: console.ctx,
            c: console.c,
            f,
            record,
            history,
            inputs,
            action,
        },
    )
}

/// `GET /console/records/{id}`: a record of the department's, its versions and a correction form.
pub(super) async fn record(
    DepartmentPage(console): DepartmentPage,
    Path(id): Path<String>,
) -> Response {
    match own_record(&console, &id).await {
        Some(r) => record_page(console, &r, StatusCode::OK, "", String::new()).await,
        None => (StatusCode::NOT_FOUND, "no such record of this department").into_response(),
    }
}

/// The `fields.NAME` inputs of a form that hold something, as a record's `fields`.
pub(super) fn posted_fields(form: &HashMap<String, String>) -> Map<String, Value> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("fields.")?, v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect()
}

/// The record `r` as the correction form `form` changes it, in the API's record shape: its
/// identity (category, subject code and kind, document number) from the stored record, never
/// from the form; a legal basis left blank is the record's.
pub(super) fn corrected_record(r: &Record, form: &HashMap<String, String>) -> Value {
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut body = json!({
        "category": r.category,
        "subject": {"code": r.subject_code.as_str(), "name": get("subject_name"), "kind": r.subject_kind.as_str()},
        "document_no": r.document_no,
        "decided_on": get("decided_on"),
        "publicity_until": r.publicity_until.to_string(),
        "fields": posted_fields(form),
    });
    body["legal_basis"] = match get("legal_basis") {
        b if b.is_empty() => Value::String(r.legal_basis.clone()),
        b => Value::String(b),
    };
    if !get("tier").is_empty() {
        body["tier"] = Value::String(get("tier"));
    }
    body
}

/// `POST /console/records/{id}`: a correction, submitted through `POST /api/v1/records` as a
/// new version of the same record (its identity taken from the stored record, not the form).
pub(super) async fn correct(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&raw).into_owned().collect();
    let csrf = form.get("csrf").cloned().unwrap_or_default();
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(r) = own_record(&console, &id).await else {
        return (StatusCode::NOT_FOUND, "no such record of this department").into_response();
    };
    let body = corrected_record(&r, &form);
    match console
        .call(
            Method::POST,
            "/api/v1/records",
            Some(json!({"records": [body]})),
        )
        .await
    {
        Ok(_) => {
            let fresh = console
                .state
                .store
                .record(&id)
                .await
                .ok()
                .flatten()
                .unwrap_or(r);
            let done = console.c.decided;
            record_page(console, &fresh, StatusCode::OK, done, String::new()).await
        }
        Err(Refusal { status, message }) => record_page(console, &r, status, "", message).await,
    }
}
