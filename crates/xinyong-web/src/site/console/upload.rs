//! The department's upload: a CSV or JSONL file read exactly as `xinyong import` reads it
//! (`record_file`), validated row by row, stored whole or (if any row is bad) not at all, with
//! every bad row and field on the page and the bad rows to download.

use std::sync::Mutex;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use xinyong_domain::catalogue::CoreAttribute;
use xinyong_domain::record_file::{self, Format};
use xinyong_domain::{FieldError, ValidRecord};

use super::department::{department_post, not_allowed};
use super::labels::ConsoleLabels;
use super::{Console, DepartmentPage, Frame, page};
use crate::AppState;
use crate::error::ApiError;
use crate::site::context::Ctx;
use crate::site::errors::field_message_zh;

// ---- Upload ----

#[derive(Template, WebTemplate)]
#[template(path = "console/upload.html")]
struct UploadPage {
    ctx: Ctx,
    c: &'static ConsoleLabels,
    f: Frame,
    categories: Vec<(String, String)>,
    report: Option<UploadReport>,
}

/// What an upload did, or why it stored nothing.
struct UploadReport {
    file: String,
    rows: usize,
    created: usize,
    new_versions: usize,
    unchanged: usize,
    /// Every problem of every bad row: (line, field, message).
    problems: Vec<(u64, String, String)>,
    bad_rows: usize,
    /// Where the bad rows can be downloaded, when there are any.
    rejects: Option<String>,
}

fn upload_form(console: &Console) -> Vec<(String, String)> {
    let Some(department) = console.department() else {
        return Vec::new();
    };
    department
        .categories
        .iter()
        .filter_map(|id| console.state.catalogue.category(id))
        .map(|c| (c.id.clone(), console.ctx.category_name(c).to_owned()))
        .collect()
}

fn upload_page_with(
    console: Console,
    status: StatusCode,
    report: Option<UploadReport>,
    error: String,
) -> Response {
    let f = console.frame("", error);
    let categories = upload_form(&console);
    page(
        status,
        UploadPage {
            ctx: console.ctx,
            c: console.c,
            f,
            categories,
            report,
        },
    )
}

/// `GET /console/upload`.
pub(super) async fn upload_page(DepartmentPage(console): DepartmentPage) -> Response {
    upload_page_with(console, StatusCode::OK, None, String::new())
}

/// Bad rows of recent uploads, for download: (department, JSONL), by a random id. Bounded,
/// oldest dropped first; lost on restart (the department uploads the file again).
static REJECTS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
const KEPT_REJECTS: usize = 64;

fn keep_rejects(department: &str, jsonl: String) -> String {
    let id = xinyong_store::new_id();
    let mut kept = REJECTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if kept.len() >= KEPT_REJECTS {
        kept.remove(0);
    }
    kept.push((id.clone(), department.to_owned(), jsonl));
    id
}

/// `POST /console/upload`: a multipart form of `csrf`, `category`, `tier` and `legal_basis`
/// (each optional: for rows that name none) and `file`.
/// Read as `xinyong import` reads it; stored whole or not at all.
pub(super) async fn upload(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_owned()).into_response();
    let Ok(mut multipart) = multipart else {
        return bad("not a file upload form");
    };
    let (mut csrf, mut category, mut file) = (String::new(), String::new(), None);
    let (mut tier, mut legal_basis) = (String::new(), String::new());
    loop {
        match multipart.next_field().await {
            Ok(None) => break,
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("category") => category = field.text().await.unwrap_or_default(),
                Some("tier") => tier = field.text().await.unwrap_or_default(),
                Some("legal_basis") => legal_basis = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("upload").to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes)),
                        Err(_) => return bad("the file could not be read (too large?)"),
                    }
                }
                _ => {}
            },
            Err(_) => return bad("not a file upload form"),
        }
    }
    let console = match department_post(&state, &uri, &headers, &csrf, "console").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some((name, bytes)) = file else {
        return bad("no file");
    };
    let error = |console: Console, message: String| {
        upload_page_with(console, StatusCode::UNPROCESSABLE_ENTITY, None, message)
    };
    let Some(format) = Format::of_name(&name) else {
        let m = format!("{}: .csv, .jsonl or .ndjson", crate::public::text(&name));
        return error(console, m);
    };
    let Some(department) = console.department().cloned() else {
        return not_allowed(console);
    };
    let category = Some(category.trim()).filter(|c| !c.is_empty());
    let today = state.today();
    let zh = !console.ctx.is_en();
    let mut valid: Vec<ValidRecord> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut problems = Vec::new();
    let mut rejects = String::new();
    let mut rows = 0usize;
    let mut bad_rows = 0usize;
    let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let defaults = record_file::FileDefaults {
        category: category.map(str::to_owned),
        tier: given(&tier),
        legal_basis: given(&legal_basis),
    };
    let read = record_file::read_rows(&bytes[..], format, &defaults, &state.catalogue, |row| {
        rows += 1;
        let checked = row.record.and_then(|raw| {
            if let Some((key, c)) = raw.core.get(&CoreAttribute::Category) {
                let c = c.trim();
                if state.catalogue.category(c).is_some() && !department.may_submit(c) {
                    let m = format!("department {} may not submit category {c}", department.code);
                    return Err(vec![FieldError::new(key.as_str(), m)]);
                }
            }
            state.catalogue.validate(&raw, today)
        });
        match checked {
            Ok(v) => {
                valid.push(v);
                lines.push(row.line);
            }
            Err(errors) => {
                bad_rows += 1;
                for e in &errors {
                    let field = if e.field.is_empty() { "—" } else { &e.field };
                    let message = if zh {
                        field_message_zh(&e.message)
                    } else {
                        e.message.clone()
                    };
                    problems.push((
                        row.line,
                        crate::public::text(field),
                        crate::public::text(&message),
                    ));
                }
                let line =
                    json!({"file": name, "row": row.line, "errors": errors, "input": row.input});
                rejects.push_str(&line.to_string());
                rejects.push('\n');
            }
        }
    });
    if let Err(e) = read {
        return error(console, crate::public::text(&format!("{name}: {e}")));
    }
    if rows == 0 {
        return error(console, crate::public::text(&format!("{name}: no rows")));
    }
    // Professional records must attach to a role their subject holds: reported by line like
    // every other problem.
    if bad_rows == 0 {
        match crate::roles::check_attachments(&state, &valid).await {
            Ok(()) => {}
            Err(ApiError::InvalidRecords(errors)) => {
                let mut seen = std::collections::BTreeSet::new();
                for e in errors {
                    let line = lines.get(e.index).copied().unwrap_or_default();
                    if seen.insert(e.index) {
                        bad_rows += 1;
                    }
                    let entry = json!({"file": name, "row": line, "errors": [{"field": e.field, "message": e.message}]});
                    rejects.push_str(&entry.to_string());
                    rejects.push('\n');
                    problems.push((
                        line,
                        crate::public::text(&e.field),
                        crate::public::text(&e.message),
                    ));
                }
            }
            Err(e) => return error(console, crate::public::text(&e.to_string())),
        }
    }
    let mut report = UploadReport {
        file: crate::public::text(&name),
        rows,
        created: 0,
        new_versions: 0,
        unchanged: 0,
        problems,
        bad_rows,
        rejects: None,
    };
    if bad_rows > 0 {
        if let Err(e) = crate::records::count_rejected(&state, &department, bad_rows as u64).await {
            return error(console, crate::public::text(&e.to_string()));
        }
        let id = keep_rejects(&department.code, rejects);
        report.rejects = Some(
            console
                .ctx
                .url(&format!("/console/upload/{id}/rejects.jsonl")),
        );
        return upload_page_with(
            console,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(report),
            String::new(),
        );
    }
    match crate::records::store_valid(&state, &department, &valid).await {
        Ok(stored) => {
            for s in &stored {
                match s.outcome {
                    xinyong_store::Outcome::Created => report.created += 1,
                    xinyong_store::Outcome::NewVersion => report.new_versions += 1,
                    xinyong_store::Outcome::Unchanged => report.unchanged += 1,
                }
            }
            upload_page_with(console, StatusCode::OK, Some(report), String::new())
        }
        Err(e) => {
            let status = e.code().status();
            let f = crate::public::text(&format!("{}: {e}", e.code().title()));
            upload_page_with(console, status, None, f)
        }
    }
}

/// `GET /console/upload/{id}/rejects.jsonl`: an upload's bad rows, to the department that
/// uploaded it only.
pub(super) async fn rejects(
    DepartmentPage(console): DepartmentPage,
    Path(id): Path<String>,
) -> Response {
    let code = console
        .department()
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let kept = REJECTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match kept.iter().find(|(i, d, _)| *i == id && *d == code) {
        Some((_, _, jsonl)) => {
            let mut r = jsonl.clone().into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-ndjson; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"rejects.jsonl\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        None => (
            StatusCode::NOT_FOUND,
            "no such rejects file (kept until the server restarts)",
        )
            .into_response(),
    }
}
