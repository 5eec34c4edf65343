//! The search page: subjects by name, words or code.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use serde::Deserialize;
use xinyong_store::search::SEARCH_CANDIDATES;

use super::context::{Ctx, encode};
use super::errors::{Page, PageError};
use super::view::{PAGE_SIZE, Pager, SubjectRow, page_number, subject_row};
use crate::AppState;
use crate::auth::Visitor;
use crate::error::{ApiError, ErrorCode};

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
            });
        }
        let page = page_number(p.page.as_deref())?;
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        if offset >= SEARCH_CANDIDATES {
            return Err(PageError::new(
                ErrorCode::InvalidParameter,
                format!("only the first {SEARCH_CANDIDATES} results can be shown"),
            ));
        }
        let offset_s = offset.to_string();
        let limit_s = PAGE_SIZE.to_string();
        let (query, limit, offset) =
            crate::search::parse_params(Some(&q), Some(&limit_s), Some(&offset_s))?;
        let found = crate::search::find(&state, &caller, &query, limit, offset).await?;
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
            q,
            ctx,
        })
    }
    .await;
    Page::new(&state, uri, result)
}
