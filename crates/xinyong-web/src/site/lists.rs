//! The list pages: the published red and black lists, and one list's current entries.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use serde::Deserialize;
use xinyong_domain::SubjectKind;
use xinyong_domain::disclosure::{public_record, public_subject_code, public_visibility};
use xinyong_store::CategoryFilter;

use super::context::{Ctx, encode};
use super::errors::{Page, PageError};
use super::view::{
    ListLink, PAGE_SIZE, Pager, RecordView, list_categories, list_links, page_number,
    public_category, record_view,
};
use crate::AppState;
use crate::error::ErrorCode;

#[derive(Template, WebTemplate)]
#[template(path = "lists.html")]
struct ListsIndex {
    ctx: Ctx,
    q: String,
    lists: Vec<ListLink>,
}

pub(super) async fn lists_index(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&state, &uri, "lists");
        let lists = list_links(&state, &ctx).await?;
        Ok(ListsIndex {
            ctx,
            q: String::new(),
            lists,
        })
    }
    .await;
    Page::new(&state, uri, result)
}

#[derive(Deserialize)]
pub(super) struct ListParams {
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

pub(super) async fn list(
    State(state): State<AppState>,
    uri: Uri,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&state, &uri, "lists");
        let category = list_categories(&state)
            .into_iter()
            .find(|l| *l == id)
            .and_then(|l| public_category(&state, l))
            .ok_or_else(|| PageError::new(ErrorCode::UnknownListType, id.clone()))?;
        // A division code (2, 4 or 6 digits) or a division's name (`安徽`, `深圳市`).
        let asked = p.region.clone().unwrap_or_default().trim().to_owned();
        let region = if asked.is_empty() {
            String::new()
        } else {
            xinyong_domain::code::divisions()
                .region_prefix(&asked)
                .ok_or_else(|| {
                    PageError::new(
                        ErrorCode::InvalidParameter,
                        format!("{}: {asked:?}", ctx.l.filter_region),
                    )
                })?
        };
        let all_departments = state.store.departments().await?;
        let department = p.department.clone().unwrap_or_default();
        if !department.is_empty() && !all_departments.iter().any(|d| d.code == department) {
            return Err(PageError::new(
                ErrorCode::InvalidParameter,
                format!("{}: {department:?}", ctx.l.filter_department),
            ));
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
                subject: crate::public::text(&r.subject_name),
                code: public_subject_code(r.subject_kind, r.subject_code.as_str()),
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
                label: crate::public::text(&d.name),
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
            // As typed: a name stays a name in the form.
            region: asked,
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
    Page::new(&state, uri, result)
}
