//! The search page: subjects by name, words or code.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use serde::Deserialize;
use xinyong_store::search::SEARCH_CANDIDATES;

use super::context::{Ctx, encode};
use super::errors::{Page, PageError, code_error_zh};
use super::view::{PAGE_SIZE, Pager, SubjectRow, page_number, subject_row};
use crate::AppState;
use crate::auth::Visitor;
use crate::error::{ApiError, ErrorCode};
use xinyong_domain::code::{CodeError, SubjectCode};
use xinyong_domain::search::SearchQuery;

#[derive(Deserialize)]
pub(super) struct SearchParams {
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
    /// For a full-length code that finds nothing: why it is not a valid code.
    hint: String,
    /// For a credit code whose only fault is its check character: the code it was probably
    /// meant to be, where the platform holds it.
    suggestion: Option<String>,
}

/// The hint and suggestion of a search that found nothing.
async fn code_hint(state: &AppState, ctx: &Ctx, query: &SearchQuery) -> (String, Option<String>) {
    let SearchQuery::Code { code, exact: true } = query else {
        return (String::new(), None);
    };
    let Err(e) = SubjectCode::parse(code) else {
        return (String::new(), None);
    };
    let hint = format!(
        "{}{}",
        ctx.l.code_invalid,
        if ctx.is_en() {
            e.to_string()
        } else {
            code_error_zh(&e)
        }
    );
    // Only a credit code is suggested: a person's number is never offered to the public.
    let suggestion = match e {
        CodeError::Check {
            position: 18,
            expected,
            ..
        } => {
            let fixed: String = code.chars().take(17).chain([expected]).collect();
            match SubjectCode::parse(&fixed) {
                Ok(SubjectCode::Unified(_)) => match state.store.subject(&fixed).await {
                    Ok(Some(_)) => Some(fixed),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    };
    (hint, suggestion)
}

pub(super) async fn search(
    State(state): State<AppState>,
    visitor: Result<Visitor, ApiError>,
    uri: Uri,
    Query(p): Query<SearchParams>,
) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&state, &uri, "home");
        let Visitor(caller) = visitor?;
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
                hint: String::new(),
                suggestion: None,
            });
        }
        let page = page_number(p.page.as_deref())?;
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        if offset >= SEARCH_CANDIDATES {
            return Err(PageError::bilingual(
                ErrorCode::InvalidParameter,
                format!("only the first {SEARCH_CANDIDATES} results can be shown"),
                format!("最多只能显示前{SEARCH_CANDIDATES}条结果，请使用更具体的关键词"),
            ));
        }
        let offset_s = offset.to_string();
        let limit_s = PAGE_SIZE.to_string();
        let (query, limit, offset) =
            crate::search::parse_params(Some(&q), Some(&limit_s), Some(&offset_s))?;
        let found = crate::search::find(&state, &caller, &query, limit, offset).await?;
        let (hint, suggestion) = if found.total == 0 {
            code_hint(&state, &ctx, &query).await
        } else {
            (String::new(), None)
        };
        // An identity number typed by the visitor is not echoed back in full, in the search
        // box or in the pager's links.
        let q = crate::public::text(&q);
        let link = |n: u32| ctx.url(&format!("/search?q={}&page={n}", encode(&q)));
        let pager = Pager::new(found.total, page, link);
        Ok(SearchPage {
            searched: true,
            total: found.total,
            more: found.more,
            results: found.subjects.iter().map(subject_row).collect(),
            pager,
            hint,
            suggestion,
            q,
            ctx,
        })
    }
    .await;
    Page::new(&state, uri, result)
}
