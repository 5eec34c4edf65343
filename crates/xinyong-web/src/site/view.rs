//! View data that several pages share: subject rows, pagers, list links and records as shown.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;
use xinyong_domain::code::{DivisionCode, divisions};
use xinyong_domain::disclosure::{
    PublicRecord, public_record, public_subject_code, public_visibility,
};
use xinyong_domain::{Category, Disclosure, Record, RecordStatus, SubjectKind, Tier};
use xinyong_store::{CategoryFilter, StoredSubject};

use super::context::Ctx;
use super::errors::PageError;
use crate::AppState;
use crate::error::ErrorCode;
use crate::search::subject_url;

/// Results per page of the search and list pages.
pub const PAGE_SIZE: u32 = 20;

/// A subject in a result list.
pub struct SubjectRow {
    pub name: String,
    pub code: String,
    pub kind: SubjectKind,
    pub url: String,
    pub region: String,
}

fn region_of(kind: SubjectKind, code: &str) -> Option<DivisionCode> {
    let digits = if kind == SubjectKind::NaturalPerson {
        code.get(0..6)?
    } else {
        code.get(2..8)?
    };
    DivisionCode::parse(digits).ok()
}

/// The name of a division and its province ("广东省 深圳市").
fn region_name(code: Option<DivisionCode>) -> String {
    let Some(code) = code else {
        return String::new();
    };
    let table = divisions();
    let mut parts: Vec<&str> = Vec::new();
    for d in [code.province(), code.prefecture(), code] {
        if let Some(info) = table.get(d) {
            let generic = matches!(info.name, "市辖区" | "县");
            if !generic && !parts.contains(&info.name) {
                parts.push(info.name);
            }
        }
    }
    parts.join(" ")
}

pub(super) fn subject_row(s: &StoredSubject) -> SubjectRow {
    SubjectRow {
        name: crate::public::text(&s.name),
        code: public_subject_code(s.kind, s.code.as_str()),
        kind: s.kind,
        url: subject_url(s),
        region: region_name(region_of(s.kind, s.code.as_str())),
    }
}

/// Page links: numbers around the current one.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub(super) fn new(total: u64, page: u32, link: impl Fn(u32) -> String) -> Pager {
        let pages = u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)))
            .unwrap_or(u32::MAX)
            .max(1);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

pub(super) fn page_number(s: Option<&str>) -> Result<u32, PageError> {
    match s {
        None | Some("") => Ok(1),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1 && *n <= 100_000)
            .ok_or_else(|| {
                PageError::bilingual(
                    ErrorCode::InvalidParameter,
                    format!("page must be a number from 1, found {s:?}"),
                    format!("页码应为从1开始的数字，输入的是{s:?}"),
                )
            }),
    }
}

/// A list category as a link on the home and list pages.
pub struct ListLink {
    pub id: String,
    pub name: String,
    pub negative: bool,
    pub count: u64,
}

pub(super) async fn list_links(state: &AppState, ctx: &Ctx) -> Result<Vec<ListLink>, PageError> {
    let today = state.today();
    let mut out = Vec::new();
    for id in list_categories(state) {
        let Some(c) = public_category(state, id) else {
            continue;
        };
        let filter = CategoryFilter {
            category: id.to_owned(),
            today,
            region: None,
            department: None,
        };
        let page = state
            .store
            .current_records_in_category(&filter, 0, 0)
            .await?;
        out.push(ListLink {
            id: id.to_owned(),
            name: ctx.category_name(c).to_owned(),
            negative: c.negative,
            count: page.total,
        });
    }
    Ok(out)
}

/// The categories of the list types in force (`data/lists.toml`), in their order there: the
/// lists the site publishes. A category that two list types share is listed once.
pub(super) fn list_categories(state: &AppState) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for t in state.list_types.iter() {
        if !out.contains(&t.category.as_str()) {
            out.push(&t.category);
        }
    }
    out
}

pub(super) fn public_category<'a>(state: &'a AppState, id: &str) -> Option<&'a Category> {
    state
        .catalogue
        .category(id)
        .filter(|c| c.disclosure == Disclosure::Public)
}

/// One field of a record, labelled.
pub struct FieldView {
    pub label: String,
    pub value: String,
}

/// A record as shown on a report or list page.
pub struct RecordView {
    pub category: String,
    pub negative: bool,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub department: String,
    pub legal_basis: String,
    pub tier: Option<Tier>,
    pub publicity_until: NaiveDate,
    pub under_objection: bool,
    pub repaired: bool,
    pub fields: Vec<FieldView>,
}

fn field_label(ctx: &Ctx, c: &Category, name: &str) -> String {
    match c.field(name) {
        Some(spec) if !ctx.is_en() => spec.header_zh.clone(),
        _ => {
            let mut s = name.replace('_', " ");
            if let Some(first) = s.get(0..1) {
                let upper = first.to_uppercase();
                s.replace_range(0..1, &upper);
            }
            s.replace("10k yuan", "(10,000 yuan)")
        }
    }
}

pub(super) fn record_view(
    ctx: &Ctx,
    c: &Category,
    r: &PublicRecord,
    departments: &BTreeMap<String, String>,
) -> RecordView {
    let mut fields = Vec::new();
    // Catalogue order first, then anything else the record carries.
    let ordered = c
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| r.fields.contains_key(*n));
    for name in ordered {
        let value = match &r.fields[name] {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        if value.is_empty() {
            continue;
        }
        fields.push(FieldView {
            label: field_label(ctx, c, name),
            value,
        });
    }
    RecordView {
        category: ctx.category_name(c).to_owned(),
        negative: c.negative,
        document_no: r.document_no.clone(),
        decided_on: r.decided_on,
        department: crate::public::text(
            departments
                .get(&r.department)
                .map_or(r.department.as_str(), String::as_str),
        ),
        legal_basis: r.legal_basis.clone(),
        tier: r.tier,
        publicity_until: r.publicity_until,
        under_objection: r.status == RecordStatus::UnderObjection,
        repaired: r.status == RecordStatus::Repaired,
        fields,
    }
}

pub(super) async fn department_names(
    state: &AppState,
) -> Result<BTreeMap<String, String>, PageError> {
    Ok(state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// Only what the public may see today, in public form.
pub(super) fn visible(state: &AppState, records: &[Record]) -> Vec<(PublicRecord, &'static str)> {
    let today = state.today();
    records
        .iter()
        .filter_map(|r| {
            let c = state.catalogue.category(&r.category)?;
            public_visibility(r, c, today).ok()?;
            Some((public_record(r, c), ""))
        })
        .collect()
}
