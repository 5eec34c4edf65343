//! The open-data page and the exports it links: every current public record as CSV or JSONL,
//! streamed.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::Value;
use xinyong_domain::disclosure::{public_record, public_subject_code, public_visibility};
use xinyong_domain::{Disclosure, Record};

use super::context::Ctx;
use super::errors::{Page, PageError};
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    ctx: Ctx,
    q: String,
    version: String,
    columns: Vec<(&'static str, &'static str)>,
    /// The data dictionary: each public category with its fields, from the catalogue in force.
    dictionary: Vec<DictionaryEntry>,
}

/// One public category of the data dictionary.
struct DictionaryEntry {
    id: String,
    name: String,
    /// (column, Chinese header, type, required)
    fields: Vec<(String, String, &'static str, bool)>,
}

/// Columns of the export, with a description.
const EXPORT_COLUMNS: &[(&str, &str, &str)] = &[
    ("id", "记录标识", "Record id"),
    ("version", "版本", "Version"),
    ("category", "信息类别代码", "Category id"),
    ("category_name", "信息类别名称", "Category name (Chinese)"),
    ("section", "报告章节", "Report section"),
    (
        "subject_code",
        "统一社会信用代码（自然人证件号码已脱敏）",
        "Credit code (identity numbers masked)",
    ),
    ("subject_name", "主体名称", "Subject name"),
    ("subject_kind", "主体类别", "Subject kind"),
    ("department", "报送部门代码", "Submitting department code"),
    ("department_name", "报送部门名称", "Submitting department"),
    ("document_no", "决定文书号", "Decision document number"),
    ("decided_on", "决定日期", "Decision date"),
    ("legal_basis", "法律依据", "Legal basis"),
    ("tier", "失信程度", "Severity"),
    (
        "publicity_until",
        "公示截止日期（不含）",
        "Published until (exclusive)",
    ),
    ("status", "状态", "Status"),
    (
        "fields",
        "各类别的字段：CSV 中每个字段一列（fields.字段名），JSONL 中为一个对象",
        "The category's fields: one column each in the CSV (fields.NAME), one object in JSONL",
    ),
    ("catalogue_version", "目录版本", "Catalogue version"),
];

pub(super) async fn open_data(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let ctx = Ctx::new(&state, &uri, "open-data");
    let columns = EXPORT_COLUMNS
        .iter()
        .map(|(name, zh, en)| (*name, if ctx.is_en() { *en } else { *zh }))
        .collect();
    let dictionary = state
        .catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure == Disclosure::Public)
        .map(|c| DictionaryEntry {
            id: c.id.clone(),
            name: ctx.category_name(c).to_owned(),
            fields: c
                .fields
                .iter()
                .map(|f| {
                    let kind = match f.field_type {
                        xinyong_domain::FieldType::String => "string",
                        xinyong_domain::FieldType::Text => "text",
                        xinyong_domain::FieldType::Date => "date (YYYY-MM-DD)",
                        xinyong_domain::FieldType::Decimal => "decimal",
                        xinyong_domain::FieldType::Integer => "integer",
                        xinyong_domain::FieldType::Enum => "enum",
                        xinyong_domain::FieldType::Code => "code",
                    };
                    (
                        format!("fields.{}", f.name),
                        f.header_zh.clone(),
                        kind,
                        f.required,
                    )
                })
                .collect(),
        })
        .collect();
    Page::new(
        &state,
        uri,
        Ok(OpenDataPage {
            ctx,
            q: String::new(),
            version: state.catalogue.version.clone(),
            columns,
            dictionary,
        }),
    )
}

pub(super) fn public_categories(state: &AppState) -> Vec<String> {
    state
        .catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure == Disclosure::Public)
        .map(|c| c.id.clone())
        .collect()
}

fn export_row(
    state: &AppState,
    departments: &std::collections::BTreeMap<String, String>,
    r: &Record,
) -> Option<serde_json::Map<String, Value>> {
    let c = state.catalogue.category(&r.category)?;
    public_visibility(r, c, state.today()).ok()?;
    let p = public_record(r, c);
    let mut m = serde_json::Map::new();
    m.insert("id".into(), Value::from(p.id.to_string()));
    m.insert("version".into(), Value::from(p.version));
    m.insert("category".into(), Value::from(p.category));
    m.insert("category_name".into(), Value::from(p.category_name_zh));
    m.insert("section".into(), Value::from(p.section));
    m.insert(
        "subject_code".into(),
        Value::from(public_subject_code(r.subject_kind, r.subject_code.as_str())),
    );
    m.insert(
        "subject_name".into(),
        Value::from(crate::public::text(&r.subject_name)),
    );
    m.insert("subject_kind".into(), Value::from(r.subject_kind.as_str()));
    m.insert(
        "department_name".into(),
        departments
            .get(&p.department)
            .map_or(Value::Null, |n| Value::from(crate::public::text(n))),
    );
    m.insert("department".into(), Value::from(p.department));
    m.insert("document_no".into(), Value::from(p.document_no));
    m.insert("decided_on".into(), Value::from(p.decided_on.to_string()));
    m.insert("legal_basis".into(), Value::from(p.legal_basis));
    m.insert(
        "tier".into(),
        p.tier.map_or(Value::Null, |t| Value::from(t.as_str())),
    );
    m.insert(
        "publicity_until".into(),
        Value::from(p.publicity_until.to_string()),
    );
    m.insert("status".into(), Value::from(p.status.as_str()));
    m.insert(
        "fields".into(),
        Value::Object(p.fields.into_iter().collect()),
    );
    m.insert(
        "catalogue_version".into(),
        Value::from(state.catalogue.version.clone()),
    );
    Some(m)
}

/// A CSV cell that a spreadsheet will not run: a value starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return is read as a formula by Excel, LibreOffice and others
/// (`=HYPERLINK(...)` in a subject's name becomes a link on the reader's machine), so it is
/// prefixed with `'`, which they show as text (OWASP, "CSV Injection"). Every CSV the platform
/// writes passes its cells through this.
pub fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Jsonl,
}

/// The CSV's field columns: every field of the exported categories that is not personal, in
/// catalogue order, once each (issue #16: the fields were one JSON cell, which a spreadsheet
/// cannot sort or filter). A record leaves the columns of other categories' fields empty.
fn field_columns(state: &AppState, categories: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for id in categories {
        for f in state
            .catalogue
            .category(id)
            .map(|c| c.fields.as_slice())
            .unwrap_or_default()
        {
            if !f.personal && !names.contains(&f.name) {
                names.push(f.name.clone());
            }
        }
    }
    names
}

fn encode_chunk(
    format: Format,
    rows: &[serde_json::Map<String, Value>],
    header: bool,
    fields: &[String],
) -> Vec<u8> {
    match format {
        Format::Jsonl => {
            let mut out = Vec::new();
            for row in rows {
                if serde_json::to_writer(&mut out, row).is_ok() {
                    out.push(b'\n');
                }
            }
            out
        }
        Format::Csv => {
            // A byte-order mark first: Excel on Chinese Windows reads a CSV without one as
            // GBK and shows the names as mojibake.
            let start = if header {
                "\u{FEFF}".as_bytes().to_vec()
            } else {
                Vec::new()
            };
            let mut w = csv::Writer::from_writer(start);
            // The field columns stand where `fields` stands: the catalogue version stays last.
            let (before, after) = EXPORT_COLUMNS.split_at(
                EXPORT_COLUMNS
                    .iter()
                    .position(|c| c.0 == "fields")
                    .unwrap_or(EXPORT_COLUMNS.len()),
            );
            let after = after.get(1..).unwrap_or_default();
            if header {
                let names = before
                    .iter()
                    .map(|c| c.0.to_owned())
                    .chain(fields.iter().map(|f| format!("fields.{f}")))
                    .chain(after.iter().map(|c| c.0.to_owned()));
                let _ = w.write_record(names);
            }
            let cell = |v: Option<&Value>| match v {
                Some(Value::String(s)) => spreadsheet_safe(s),
                Some(Value::Null) | None => String::new(),
                Some(v) => spreadsheet_safe(&v.to_string()),
            };
            for row in rows {
                let cells = before
                    .iter()
                    .map(|(name, _, _)| cell(row.get(*name)))
                    .chain(fields.iter().map(|f| cell(row["fields"].get(f))))
                    .chain(after.iter().map(|(name, _, _)| cell(row.get(*name))));
                let _ = w.write_record(cells);
            }
            w.into_inner().unwrap_or_default()
        }
    }
}

/// What an export may be narrowed to.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExportQuery {
    /// One public category (`?category=admin_penalty`).
    category: Option<String>,
    /// Records decided on or after this day (`YYYY-MM-DD`).
    decided_from: Option<String>,
    /// Records decided on or before this day (`YYYY-MM-DD`).
    decided_until: Option<String>,
}

/// A date filter of an export, or the page that refuses it.
fn export_date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, PageError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                PageError::bilingual(
                    crate::error::ErrorCode::InvalidParameter,
                    format!("{name}: {v:?} is not a date YYYY-MM-DD"),
                    format!("{name}：“{v}”不是 YYYY-MM-DD 格式的日期"),
                )
            }),
    }
}

/// Streams every current public record (of one category, if asked), a page at a time: memory
/// stays flat however large the database.
async fn export(state: AppState, format: Format, query: ExportQuery, uri: Uri) -> Response {
    let mut categories = public_categories(&state);
    if let Some(wanted) = query.category {
        if !categories.contains(&wanted) {
            let error = PageError::bilingual(
                crate::error::ErrorCode::InvalidParameter,
                format!(
                    "category: {wanted:?} is not a public category; the public ones are {}",
                    categories.join(", ")
                ),
                format!(
                    "类别 {wanted:?} 不是公开类别；公开类别为 {}",
                    categories.join("、")
                ),
            );
            return Page::<OpenDataPage>::new(&state, uri, Err(error)).into_response();
        }
        categories = vec![wanted];
    }
    let dates = export_date("decided_from", query.decided_from.as_deref()).and_then(|from| {
        Ok((
            from,
            export_date("decided_until", query.decided_until.as_deref())?,
        ))
    });
    let (from, until) = match dates {
        Ok(d) => d,
        Err(error) => return Page::<OpenDataPage>::new(&state, uri, Err(error)).into_response(),
    };
    let departments: std::collections::BTreeMap<String, String> =
        match state.store.departments().await {
            Ok(list) => list.into_iter().map(|d| (d.code, d.name)).collect(),
            Err(e) => {
                return Page::<OpenDataPage>::new(&state, uri, Err(e.into())).into_response();
            }
        };
    let today = state.today();
    let version = state.catalogue.version.clone();
    let fields = std::sync::Arc::new(field_columns(&state, &categories));
    // (cursor, first chunk, done)
    let init: (Option<String>, bool, bool) = (None, true, false);
    let stream = futures_util::stream::unfold(init, move |(after, first, done)| {
        let state = state.clone();
        let categories = categories.clone();
        let departments = departments.clone();
        let fields = fields.clone();
        async move {
            if done {
                return None;
            }
            let page = match state
                .store
                .current_records_after(&categories, today, after.as_deref(), 1000)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "open-data export failed");
                    return Some((
                        Err(std::io::Error::other("export failed")),
                        (None, false, true),
                    ));
                }
            };
            let last = page.last().map(|r| r.id.to_string());
            let rows: Vec<_> = page
                .iter()
                .filter(|r| from.is_none_or(|f| r.decided_on >= f))
                .filter(|r| until.is_none_or(|u| r.decided_on <= u))
                .filter_map(|r| export_row(&state, &departments, r))
                .collect();
            let bytes = encode_chunk(format, &rows, first, &fields);
            let done = last.is_none() || page.len() < 1000;
            Some((Ok::<_, std::io::Error>(bytes), (last, false, done)))
        }
    });
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Jsonl => ("application/jsonl; charset=utf-8", "jsonl"),
    };
    let disposition =
        format!("attachment; filename=\"xinyong-public-records-{version}-{today}.{ext}\"");
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&version) {
        headers.insert("x-catalogue-version", v);
    }
    response
}

pub(super) async fn export_csv(
    State(state): State<AppState>,
    crate::error::Query(query): crate::error::Query<ExportQuery>,
    uri: Uri,
) -> Response {
    export(state, Format::Csv, query, uri).await
}

pub(super) async fn export_jsonl(
    State(state): State<AppState>,
    crate::error::Query(query): crate::error::Query<ExportQuery>,
    uri: Uri,
) -> Response {
    export(state, Format::Jsonl, query, uri).await
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn csv_cells_never_start_a_formula() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://127.0.0.1/x\",\"点击\")有限公司",
                "'=HYPERLINK(\"http://127.0.0.1/x\",\"点击\")有限公司",
            ),
            ("-2+3公式科技有限公司", "'-2+3公式科技有限公司"),
            ("+86", "'+86"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("深圳示例科技有限公司", "深圳示例科技有限公司"),
            ("2026-04-01", "2026-04-01"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe, "{cell:?}");
        }
    }
}
