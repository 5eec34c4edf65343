//! The public website: server-rendered HTML (askama templates in `templates/`), Chinese by
//! default and English with `?lang=en`, one stylesheet served by the platform, no scripts.
//!
//! Invariants:
//! - Every record shown went through `public_visibility` and `public_record`; every subject
//!   code shown through `public_subject_code`. Links to natural persons use the subject's
//!   opaque id, never the identity number.
//! - No page loads anything from elsewhere: the Content-Security-Policy (`default-src 'self'`)
//!   would block it, and there are no inline styles or scripts for it to allow.
//! - HTML error pages are mapped to statuses here ([`PageError`]); the JSON API's in `error.rs`.

mod charts;
mod labels;

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::Value;
use xinyong_domain::code::{DivisionCode, SubjectCode, divisions};
use xinyong_domain::disclosure::{
    PublicRecord, mask_identity_numbers, public_record, public_subject_code, public_visibility,
};
use xinyong_domain::list::DayCount;
use xinyong_domain::{Category, Disclosure, Record, RecordStatus, SubjectKind, Tier};
use xinyong_store::search::SEARCH_CANDIDATES;
use xinyong_store::{CategoryFilter, StoreError, StoredSubject};

use self::charts::{BarChart, ColumnChart};
use self::labels::{EN, Labels, ZH};
use crate::AppState;
use crate::error::ApiError;
use crate::search::subject_url;

const CSS: &str = include_str!("../static/site.css");
const ICON: &str = include_str!("../static/icon.svg");

/// The public list categories, in the order the site shows them.
pub const LISTS: &[&str] = &[
    "court_defaulter",
    "tax_violation",
    "procurement_serious",
    "abnormal_operation",
    "red_a_taxpayer",
];

/// Report sections in the order of the Credit China public credit report (V2.0); the
/// catalogue's `section` of each category says where its records go.
const SECTIONS: &[&str] = &[
    "administrative",
    "honours",
    "serious_dishonesty",
    "abnormal_operations",
    "commitments",
    "evaluations",
    "judicial",
    "other",
];

const PAGE_SIZE: u32 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/subjects/{key}", get(subject))
        .route("/lists", get(lists_index))
        .route("/lists/{id}", get(list))
        .route("/open-data", get(open_data))
        .route("/open-data/records.csv", get(export_csv))
        .route("/open-data/records.jsonl", get(export_jsonl))
        .route("/stats", get(stats))
        .route("/rights", get(rights))
        .route("/static/site.css", get(css))
        .route("/static/icon.svg", get(icon))
        .route("/favicon.ico", get(icon))
}

// ---------------------------------------------------------------------------------------------
// Language and links.

/// A value or a reference to one, however deep: templates hand either to [`Ctx`]'s helpers.
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}

impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}

impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}

impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// What every page template needs: the language, its labels, and links that keep the language.
pub struct Ctx {
    pub lang: Lang,
    pub l: &'static Labels,
    /// The current path and query without `lang`, for the language toggle.
    here: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
}

impl Ctx {
    fn new(uri: &Uri, nav: &'static str) -> Ctx {
        let mut lang = Lang::Zh;
        let mut kept = Vec::new();
        for pair in uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.strip_prefix("lang=") {
                Some("en") => lang = Lang::En,
                Some(_) => {}
                None => kept.push(pair),
            }
        }
        let mut here = uri.path().to_owned();
        if !kept.is_empty() {
            here.push('?');
            here.push_str(&kept.join("&"));
        }
        // A typed identity number does not travel on in the language link.
        let here = mask_identity_numbers(&here).into_owned();
        Ctx {
            lang,
            l: if lang == Lang::En { &EN } else { &ZH },
            here,
            nav,
        }
    }

    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// `path` (which may carry a query) in the current language.
    pub fn url(&self, path: &str) -> String {
        with_lang(path, self.lang)
    }

    /// This page in the other language.
    pub fn toggle_url(&self) -> String {
        with_lang(
            &self.here,
            if self.lang == Lang::En {
                Lang::Zh
            } else {
                Lang::En
            },
        )
    }

    pub fn current(&self, nav: &str) -> &'static str {
        if self.nav == nav { "page" } else { "false" }
    }

    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.is_en() { en } else { zh }
    }

    /// A Chinese name shown on an English page is marked as Chinese.
    pub fn data_lang(&self) -> &'static str {
        "zh-CN"
    }

    pub fn kind(&self, kind: impl Val<SubjectKind>) -> &'static str {
        match (kind.val(), self.lang) {
            (SubjectKind::LegalPerson, Lang::Zh) => "法人",
            (SubjectKind::LegalPerson, Lang::En) => "Legal person",
            (SubjectKind::OtherOrg, Lang::Zh) => "非法人组织",
            (SubjectKind::OtherOrg, Lang::En) => "Other organisation",
            (SubjectKind::IndividualBusiness, Lang::Zh) => "个体工商户",
            (SubjectKind::IndividualBusiness, Lang::En) => "Individual business",
            (SubjectKind::NaturalPerson, Lang::Zh) => "自然人",
            (SubjectKind::NaturalPerson, Lang::En) => "Natural person",
            (SubjectKind::GovernmentBody, Lang::Zh) => "机关",
            (SubjectKind::GovernmentBody, Lang::En) => "Government body",
        }
    }

    pub fn tier(&self, tier: impl Val<Tier>) -> &'static str {
        match (tier.val(), self.lang) {
            (Tier::Minor, Lang::Zh) => "轻微",
            (Tier::Minor, Lang::En) => "Minor",
            (Tier::General, Lang::Zh) => "一般",
            (Tier::General, Lang::En) => "General",
            (Tier::Serious, Lang::Zh) => "严重",
            (Tier::Serious, Lang::En) => "Serious",
        }
    }

    pub fn section(&self, id: &str) -> &'static str {
        let l = self.l;
        match id {
            "basics" => l.sec_basics,
            "administrative" => l.sec_administrative,
            "honours" => l.sec_honours,
            "serious_dishonesty" => l.sec_serious_dishonesty,
            "abnormal_operations" => l.sec_abnormal_operations,
            "commitments" => l.sec_commitments,
            "evaluations" => l.sec_evaluations,
            "judicial" => l.sec_judicial,
            "suggestions" => l.sec_suggestions,
            _ => l.sec_other,
        }
    }

    pub fn category_name<'a>(&self, c: &'a Category) -> &'a str {
        self.pick(&c.name_zh, &c.name_en)
    }

    pub fn date(&self, d: impl Val<NaiveDate>) -> String {
        let d = d.val();
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => d.format("%-d %b %Y").to_string(),
        }
    }

    pub fn number(&self, n: impl Val<u64>) -> String {
        let n = n.val();
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => path.to_owned(),
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Errors as pages.

/// Why a page could not be shown.
pub enum PageError {
    BadRequest(String),
    NotFound(String),
    Internal,
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        tracing::error!(error = %e, "store error on a public page");
        PageError::Internal
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e {
            ApiError::BadRequest(m) => PageError::BadRequest(m),
            ApiError::NotFound(m) => PageError::NotFound(m),
            _ => PageError::Internal,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    q: String,
    title: String,
    message: String,
}

/// A page, or an error page with its status, in the visitor's language.
struct Page<T>(Uri, Result<T, PageError>);

impl<T: IntoResponse> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        let e = match self.1 {
            Ok(page) => return page.into_response(),
            Err(e) => e,
        };
        let ctx = Ctx::new(&self.0, "");
        let (status, title, message) = match e {
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, ctx.l.bad_query, m),
            PageError::NotFound(m) => (StatusCode::NOT_FOUND, ctx.l.not_found, m),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ctx.l.error_heading,
                String::new(),
            ),
        };
        let page = ErrorPage {
            ctx,
            q: String::new(),
            title: title.to_owned(),
            message,
        };
        match page.render() {
            Ok(html) => (status, html_headers(), html).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

fn html_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )]
}

// ---------------------------------------------------------------------------------------------
// Shared view data.

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

fn subject_row(s: &StoredSubject) -> SubjectRow {
    SubjectRow {
        name: s.name.clone(),
        code: public_subject_code(s.kind, &s.code),
        kind: s.kind,
        url: subject_url(s),
        region: region_name(region_of(s.kind, &s.code)),
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
    fn new(total: u64, page: u32, link: impl Fn(u32) -> String) -> Pager {
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

fn page_number(s: Option<&str>) -> Result<u32, PageError> {
    match s {
        None | Some("") => Ok(1),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1 && *n <= 100_000)
            .ok_or_else(|| {
                PageError::BadRequest(format!("page must be a number from 1, found {s:?}"))
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

async fn list_links(state: &AppState, ctx: &Ctx) -> Result<Vec<ListLink>, PageError> {
    let today = state.today();
    let mut out = Vec::new();
    for id in LISTS {
        let Some(c) = public_category(state, id) else {
            continue;
        };
        let filter = CategoryFilter {
            category: (*id).to_owned(),
            today,
            region: None,
            department: None,
        };
        let page = state
            .store
            .current_records_in_category(&filter, 0, 0)
            .await?;
        out.push(ListLink {
            id: (*id).to_owned(),
            name: ctx.category_name(c).to_owned(),
            negative: c.negative,
            count: page.total,
        });
    }
    Ok(out)
}

fn public_category<'a>(state: &'a AppState, id: &str) -> Option<&'a Category> {
    state
        .catalogue
        .category(id)
        .filter(|c| c.disclosure == Disclosure::Public)
}

// ---------------------------------------------------------------------------------------------
// Home.

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    q: String,
    subjects: u64,
    records: u64,
    departments: u64,
    list_entries: u64,
    lists: Vec<ListLink>,
    catalogue_version: String,
}

async fn home(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "home");
        let counts = state.store.counts().await?;
        let lists = list_links(&state, &ctx).await?;
        Ok(HomePage {
            list_entries: lists.iter().map(|l| l.count).sum(),
            lists,
            q: String::new(),
            subjects: counts.subjects,
            records: counts.records,
            departments: counts.departments,
            catalogue_version: state.catalogue.version.clone(),
            ctx,
        })
    }
    .await;
    Page(uri, result)
}

// ---------------------------------------------------------------------------------------------
// Search.

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    searched: bool,
    total: u64,
    more: bool,
    results: Vec<SubjectRow>,
    pager: Pager,
}

async fn search(
    State(state): State<AppState>,
    uri: Uri,
    Query(p): Query<SearchParams>,
) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "home");
        let q = p.q.clone().unwrap_or_default();
        if q.trim().is_empty() {
            return Ok(SearchPage {
                ctx,
                q,
                searched: false,
                total: 0,
                more: false,
                results: Vec::new(),
                pager: Pager::new(0, 1, |_| String::new()),
            });
        }
        let page = page_number(p.page.as_deref())?;
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        if offset >= SEARCH_CANDIDATES {
            return Err(PageError::BadRequest(format!(
                "only the first {SEARCH_CANDIDATES} results can be shown"
            )));
        }
        let offset_s = offset.to_string();
        let limit_s = PAGE_SIZE.to_string();
        let (query, limit, offset) =
            crate::search::parse_params(Some(&q), Some(&limit_s), Some(&offset_s))?;
        let found = state.store.search_subjects(&query, limit, offset).await?;
        let link = |n: u32| ctx.url(&format!("/search?q={}&page={n}", encode(&q)));
        let pager = Pager::new(found.total, page, link);
        // An identity number typed by the visitor is not echoed back in full either.
        let q = mask_identity_numbers(&q).into_owned();
        Ok(SearchPage {
            searched: true,
            total: found.total,
            more: found.more,
            results: found.subjects.iter().map(subject_row).collect(),
            pager,
            q,
            ctx,
        })
    }
    .await;
    Page(uri, result)
}

// ---------------------------------------------------------------------------------------------
// Subject page: the public credit report.

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

fn record_view(
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
        department: departments
            .get(&r.department)
            .cloned()
            .unwrap_or_else(|| r.department.clone()),
        legal_basis: r.legal_basis.clone(),
        tier: r.tier,
        publicity_until: r.publicity_until,
        under_objection: r.status == RecordStatus::UnderObjection,
        repaired: r.status == RecordStatus::Repaired,
        fields,
    }
}

pub struct SectionView {
    pub id: String,
    pub number: usize,
    pub title: String,
    pub records: Vec<RecordView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "subject.html")]
struct SubjectPage {
    ctx: Ctx,
    q: String,
    subject: SubjectRow,
    as_of: NaiveDate,
    sections: Vec<SectionView>,
    negative_count: usize,
}

async fn department_names(state: &AppState) -> Result<BTreeMap<String, String>, PageError> {
    Ok(state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect())
}

/// Only what the public may see today, in public form.
fn visible(state: &AppState, records: &[Record]) -> Vec<(PublicRecord, &'static str)> {
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

async fn subject(
    State(state): State<AppState>,
    uri: Uri,
    Path(key): Path<String>,
) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "");
        let stored = if key.len() == 26 && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            state.store.subject_by_id(&key).await?
        } else {
            let code = SubjectCode::parse(&key.to_ascii_uppercase())
                .map_err(|e| PageError::BadRequest(format!("{}: {e}", ctx.l.bad_code)))?;
            state.store.subject(code.as_str()).await?
        };
        let stored = stored.ok_or_else(|| PageError::NotFound(ctx.l.not_found_text.to_owned()))?;
        let records = state.store.records_of_subject(&stored.code).await?;
        let departments = department_names(&state).await?;
        let mut by_section: BTreeMap<&str, Vec<RecordView>> = BTreeMap::new();
        let mut negative_count = 0;
        for (r, _) in visible(&state, &records) {
            let Some(c) = state.catalogue.category(&r.category) else {
                continue;
            };
            let section = SECTIONS
                .iter()
                .find(|s| **s == c.section)
                .copied()
                .unwrap_or("other");
            negative_count += usize::from(c.negative);
            by_section
                .entry(section)
                .or_default()
                .push(record_view(&ctx, c, &r, &departments));
        }
        let sections = SECTIONS
            .iter()
            .enumerate()
            .map(|(i, id)| SectionView {
                id: (*id).to_owned(),
                number: i + 2,
                title: ctx.section(id).to_owned(),
                records: by_section.remove(id).unwrap_or_default(),
            })
            .collect();
        Ok(SubjectPage {
            subject: subject_row(&stored),
            q: String::new(),
            as_of: state.today(),
            sections,
            negative_count,
            ctx,
        })
    }
    .await;
    Page(uri, result)
}

// ---------------------------------------------------------------------------------------------
// Lists.

#[derive(Template, WebTemplate)]
#[template(path = "lists.html")]
struct ListsIndex {
    ctx: Ctx,
    q: String,
    lists: Vec<ListLink>,
}

async fn lists_index(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "lists");
        let lists = list_links(&state, &ctx).await?;
        Ok(ListsIndex {
            ctx,
            q: String::new(),
            lists,
        })
    }
    .await;
    Page(uri, result)
}

#[derive(Deserialize)]
struct ListParams {
    region: Option<String>,
    department: Option<String>,
    page: Option<String>,
}

pub struct ListRow {
    pub subject: String,
    pub code: String,
    pub url: Option<String>,
    pub record: RecordView,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "list.html")]
struct ListPage {
    ctx: Ctx,
    q: String,
    id: String,
    name: String,
    negative: bool,
    legal_basis: String,
    region: String,
    departments: Vec<Choice>,
    total: u64,
    rows: Vec<ListRow>,
    pager: Pager,
    lists: Vec<ListLink>,
}

async fn list(
    State(state): State<AppState>,
    uri: Uri,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "lists");
        let category = LISTS
            .iter()
            .find(|l| **l == id)
            .and_then(|l| public_category(&state, l))
            .ok_or_else(|| PageError::NotFound(id.clone()))?;
        let region = p.region.clone().unwrap_or_default().trim().to_owned();
        let region_ok = region.is_empty()
            || (matches!(region.len(), 2 | 4 | 6) && region.bytes().all(|b| b.is_ascii_digit()));
        if !region_ok {
            return Err(PageError::BadRequest(format!(
                "{}: {region:?}",
                ctx.l.filter_region
            )));
        }
        let all_departments = state.store.departments().await?;
        let department = p.department.clone().unwrap_or_default();
        if !department.is_empty() && !all_departments.iter().any(|d| d.code == department) {
            return Err(PageError::BadRequest(format!(
                "{}: {department:?}",
                ctx.l.filter_department
            )));
        }
        let page = page_number(p.page.as_deref())?;
        let filter = CategoryFilter {
            category: id.clone(),
            today: state.today(),
            region: (!region.is_empty()).then(|| region.clone()),
            department: (!department.is_empty()).then(|| department.clone()),
        };
        let found = state
            .store
            .current_records_in_category(&filter, PAGE_SIZE, (page - 1).saturating_mul(PAGE_SIZE))
            .await?;
        let names: BTreeMap<String, String> = all_departments
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect();
        let mut rows = Vec::new();
        for r in &found.records {
            if public_visibility(r, category, state.today()).is_err() {
                continue;
            }
            let public = public_record(r, category);
            let url = if r.subject_kind == SubjectKind::NaturalPerson {
                None
            } else {
                Some(format!("/subjects/{}", r.subject_code))
            };
            rows.push(ListRow {
                subject: r.subject_name.clone(),
                code: public_subject_code(r.subject_kind, &r.subject_code),
                url,
                record: record_view(&ctx, category, &public, &names),
            });
        }
        let departments = all_departments
            .iter()
            .filter(|d| d.categories.contains(&id))
            .map(|d| Choice {
                selected: d.code == department,
                value: d.code.clone(),
                label: d.name.clone(),
            })
            .collect();
        let link = |n: u32| {
            ctx.url(&format!(
                "/lists/{id}?region={}&department={}&page={n}",
                encode(&region),
                encode(&department)
            ))
        };
        let pager = Pager::new(found.total, page, link);
        let lists = list_links(&state, &ctx).await?;
        Ok(ListPage {
            name: ctx.category_name(category).to_owned(),
            negative: category.negative,
            legal_basis: category.legal_basis.clone(),
            id,
            region,
            departments,
            total: found.total,
            rows,
            pager,
            lists,
            q: String::new(),
            ctx,
        })
    }
    .await;
    Page(uri, result)
}

// ---------------------------------------------------------------------------------------------
// Open data.

#[derive(Template, WebTemplate)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    ctx: Ctx,
    q: String,
    version: String,
    columns: Vec<(&'static str, &'static str)>,
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
    ("fields", "其他字段（JSON）", "Other fields (JSON)"),
    ("catalogue_version", "目录版本", "Catalogue version"),
];

async fn open_data(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let ctx = Ctx::new(&uri, "open-data");
    let columns = EXPORT_COLUMNS
        .iter()
        .map(|(name, zh, en)| (*name, if ctx.is_en() { *en } else { *zh }))
        .collect();
    Page(
        uri,
        Ok(OpenDataPage {
            ctx,
            q: String::new(),
            version: state.catalogue.version.clone(),
            columns,
        }),
    )
}

fn public_categories(state: &AppState) -> Vec<String> {
    state
        .catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure == Disclosure::Public)
        .map(|c| c.id.clone())
        .collect()
}

fn export_row(state: &AppState, r: &Record) -> Option<serde_json::Map<String, Value>> {
    let c = state.catalogue.category(&r.category)?;
    public_visibility(r, c, state.today()).ok()?;
    let p = public_record(r, c);
    let mut m = serde_json::Map::new();
    m.insert("id".into(), Value::from(p.id));
    m.insert("version".into(), Value::from(p.version));
    m.insert("category".into(), Value::from(p.category));
    m.insert("category_name".into(), Value::from(p.category_name_zh));
    m.insert("section".into(), Value::from(p.section));
    m.insert(
        "subject_code".into(),
        Value::from(public_subject_code(r.subject_kind, &r.subject_code)),
    );
    m.insert("subject_name".into(), Value::from(r.subject_name.clone()));
    m.insert("subject_kind".into(), Value::from(r.subject_kind.as_str()));
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

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Jsonl,
}

fn encode_chunk(format: Format, rows: &[serde_json::Map<String, Value>], header: bool) -> Vec<u8> {
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
            let mut w = csv::Writer::from_writer(Vec::new());
            if header {
                let _ = w.write_record(EXPORT_COLUMNS.iter().map(|c| c.0));
            }
            for row in rows {
                let cells = EXPORT_COLUMNS
                    .iter()
                    .map(|(name, _, _)| match row.get(*name) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(v) => v.to_string(),
                    });
                let _ = w.write_record(cells);
            }
            w.into_inner().unwrap_or_default()
        }
    }
}

/// Streams every current public record, a page at a time: memory stays flat however large
/// the database.
fn export(state: AppState, format: Format) -> Response {
    let categories = public_categories(&state);
    let today = state.today();
    let version = state.catalogue.version.clone();
    // (cursor, first chunk, done)
    let init: (Option<String>, bool, bool) = (None, true, false);
    let stream = futures_util::stream::unfold(init, move |(after, first, done)| {
        let state = state.clone();
        let categories = categories.clone();
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
            let last = page.last().map(|r| r.id.clone());
            let rows: Vec<_> = page.iter().filter_map(|r| export_row(&state, r)).collect();
            let bytes = encode_chunk(format, &rows, first);
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

async fn export_csv(State(state): State<AppState>) -> Response {
    export(state, Format::Csv)
}

async fn export_jsonl(State(state): State<AppState>) -> Response {
    export(state, Format::Jsonl)
}

// ---------------------------------------------------------------------------------------------
// Statistics.

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
struct StatsPage {
    ctx: Ctx,
    q: String,
    by_category: BarChart,
    by_month: ColumnChart,
    lists_by_month: ColumnChart,
    by_region: BarChart,
}

fn months_back(today: NaiveDate, n: u32) -> Vec<String> {
    let mut y = today.year();
    let mut m = today.month();
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(format!("{y:04}-{m:02}"));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

async fn stats(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&uri, "stats");
        let today = state.today();
        let rows = state
            .store
            .record_stats(&public_categories(&state), today)
            .await?;
        let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_month: BTreeMap<String, u64> = BTreeMap::new();
        let mut lists_by_month: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
        for r in &rows {
            *by_category.entry(r.category.clone()).or_default() += r.count;
            *by_month.entry(r.month.clone()).or_default() += r.count;
            if LISTS.contains(&r.category.as_str()) {
                *lists_by_month.entry(r.month.clone()).or_default() += r.count;
            }
            *by_region.entry(r.province.clone()).or_default() += r.count;
        }
        let mut categories: Vec<(String, u64)> = state
            .catalogue
            .categories
            .iter()
            .filter(|c| c.disclosure == Disclosure::Public)
            .map(|c| {
                (
                    ctx.category_name(c).to_owned(),
                    by_category.get(&c.id).copied().unwrap_or(0),
                )
            })
            .collect();
        categories.sort_by_key(|c| std::cmp::Reverse(c.1));
        let months = months_back(today, 24);
        let month_series = |m: &BTreeMap<String, u64>| -> Vec<(String, u64)> {
            months
                .iter()
                .map(|k| (k.clone(), m.get(k).copied().unwrap_or(0)))
                .collect()
        };
        let mut regions: Vec<(String, u64)> = by_region
            .into_iter()
            .map(|(p, n)| {
                let name = DivisionCode::parse(&format!("{p}0000"))
                    .ok()
                    .and_then(|d| divisions().get(d).map(|i| i.name.to_owned()))
                    .unwrap_or(p);
                (name, n)
            })
            .collect();
        regions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        regions.truncate(15);
        Ok(StatsPage {
            by_category: BarChart::new("chart-category", ctx.l.chart_by_category, categories),
            by_month: ColumnChart::new(
                "chart-month",
                ctx.l.chart_by_month,
                month_series(&by_month),
            ),
            lists_by_month: ColumnChart::new(
                "chart-lists",
                ctx.l.chart_lists_by_month,
                month_series(&lists_by_month),
            ),
            by_region: BarChart::new("chart-region", ctx.l.chart_by_region, regions),
            q: String::new(),
            ctx,
        })
    }
    .await;
    Page(uri, result)
}

// ---------------------------------------------------------------------------------------------
// Rights.

pub struct PeriodRow {
    pub category: String,
    pub tier: Option<Tier>,
    pub min_months: u32,
    pub max_months: u32,
    pub published: bool,
    pub repairable: bool,
}

pub struct Step {
    pub name: String,
    pub days: u32,
    pub unit: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "rights.html")]
struct RightsPage {
    ctx: Ctx,
    q: String,
    objection_steps: Vec<Step>,
    repair_steps: Vec<Step>,
    periods: Vec<PeriodRow>,
}

async fn rights(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let ctx = Ctx::new(&uri, "rights");
    // Deadlines are catalogue data: a city that publishes other deadlines edits the catalogue.
    let steps = |id: &str| -> Vec<Step> {
        let Some(p) = state.catalogue.procedure(id) else {
            return Vec::new();
        };
        let unit = match p.day_count {
            DayCount::Working => ctx.l.working_days,
            DayCount::Calendar => ctx.l.calendar_days,
        };
        p.steps
            .iter()
            .map(|s| Step {
                name: if ctx.is_en() { &s.name_en } else { &s.name_zh }.clone(),
                days: s.days,
                unit,
            })
            .collect()
    };
    let objection_steps = steps("objection");
    let repair_steps = steps("repair");
    let mut periods = Vec::new();
    for c in &state.catalogue.categories {
        if !c.negative || c.disclosure != Disclosure::Public {
            continue;
        }
        if c.tiers.is_empty() {
            if let Some(p) = c.period(None) {
                periods.push(PeriodRow {
                    category: ctx.category_name(c).to_owned(),
                    tier: None,
                    min_months: p.min_months,
                    max_months: p.max_months,
                    published: p.published,
                    repairable: c.repairable,
                });
            }
        } else {
            for t in &c.tiers {
                periods.push(PeriodRow {
                    category: ctx.category_name(c).to_owned(),
                    tier: Some(t.tier),
                    min_months: t.min_months,
                    max_months: t.max_months,
                    published: t.published,
                    repairable: c.repairable,
                });
            }
        }
    }
    Page(
        uri,
        Ok(RightsPage {
            ctx,
            q: String::new(),
            objection_steps,
            repair_steps,
            periods,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Static files.

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}
