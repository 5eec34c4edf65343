//! Public name and code search: `GET /api/v1/search`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_domain::SubjectKind;
use xinyong_domain::disclosure::{public_subject_code, public_subject_name};
use xinyong_domain::search::{SearchQuery, parse_query};
use xinyong_store::StoredSubject;
use xinyong_store::search::SEARCH_CANDIDATES;
use xinyong_store::search::SearchPage;

use crate::AppState;
use crate::auth::{Caller, Visitor};
use crate::error::{ApiError, ErrorCode, Query};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A name, part of a name (two or more consecutive characters), several words separated by
    /// spaces, a full credit code, or a code prefix of at least 8 characters. At most 100
    /// characters. A full citizen identity number finds the person only with a department,
    /// operator or credit service token (or the person's own subject token); otherwise it
    /// finds no one.
    #[param(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    q: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// Results to skip, 0-499 (default 0).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 499)]
    offset: Option<String>,
}

/// One subject found.
#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    /// The subject's opaque id: `GET /api/v1/subjects/{id}` reads its public file without
    /// naming an identity number.
    id: String,
    /// Natural persons' identity numbers are masked.
    code: String,
    name: String,
    kind: SubjectKind,
    /// The subject's public page on the website.
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// Subjects found (at most 500 are ranked).
    total: u64,
    /// More than 500 subjects match: add a word to narrow the search.
    more: bool,
    /// Another page of ranked results follows this one (`offset + limit < total`).
    next: bool,
    limit: u32,
    offset: u32,
    /// Best first: exact code, exact name, then the best match of the query's words.
    results: Vec<SearchResult>,
}

/// The website address of a subject's page: by code, except natural persons, whose pages are
/// addressed by an opaque id so that no identity number appears in a link.
pub fn subject_url(s: &StoredSubject) -> String {
    if s.kind == SubjectKind::NaturalPerson {
        format!("/subjects/{}", s.id)
    } else {
        format!("/subjects/{}", s.code)
    }
}

fn number(
    name: &str,
    value: Option<&str>,
    default: u32,
    range: (u32, u32),
) -> Result<u32, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (range.0..=range.1).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!(
                        "{name} must be an integer from {} to {}, found {s:?}",
                        range.0, range.1
                    ),
                )
            }),
    }
}

/// What a search finds, as far as `caller` may see it. A full citizen identity number finds a
/// natural person only for a caller that may look persons up by number
/// ([`Caller::finds_persons_by_number`]); anyone else is answered as if nothing matched, so
/// that the public search cannot confirm a guessed number or tie it to a name.
pub async fn find(
    state: &AppState,
    caller: &Caller,
    query: &SearchQuery,
    limit: u32,
    offset: u32,
) -> Result<SearchPage, ApiError> {
    let mut page = state.store.search_subjects(query, limit, offset).await?;
    if let SearchQuery::Code { code, exact: true } = query {
        let before = page.subjects.len();
        page.subjects.retain(|s| {
            s.kind != SubjectKind::NaturalPerson || caller.finds_persons_by_number(code)
        });
        if page.subjects.len() != before {
            page.total = page.subjects.len() as u64;
            page.more = false;
        }
    }
    Ok(page)
}

/// Parses the parameters shared by the API and the website's search page.
pub fn parse_params(
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> Result<(SearchQuery, u32, u32), ApiError> {
    let query = parse_query(q.unwrap_or(""))?;
    let limit = number("limit", limit, DEFAULT_LIMIT, (1, MAX_LIMIT))?;
    let offset = number("offset", offset, 0, (0, SEARCH_CANDIDATES - 1))?;
    Ok((query, limit, offset))
}

/// Finds subjects by name, short name, words or credit code.
#[utoipa::path(get, path = "/api/v1/search", tag = "disclosure",
    params(SearchParams),
    responses(
        (status = 200, description = "Subjects found, best first", body = SearchResults),
        (status = 400, description = "Empty, overlong or malformed query, or bad limit/offset", body = crate::error::Problem),
        (status = 401, description = "An invalid token was presented", body = crate::error::Problem),
    ))]
pub async fn search(
    Visitor(caller): Visitor,
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let (query, limit, offset) =
        parse_params(p.q.as_deref(), p.limit.as_deref(), p.offset.as_deref())?;
    let page = find(&state, &caller, &query, limit, offset).await?;
    Ok(Json(SearchResults {
        total: page.total,
        more: page.more,
        next: u64::from(offset) + u64::from(limit) < page.total,
        limit,
        offset,
        results: page
            .subjects
            .iter()
            .map(|s| SearchResult {
                id: s.id.clone(),
                code: public_subject_code(s.kind, s.code.as_str()),
                name: public_subject_name(&s.name),
                kind: s.kind,
                url: subject_url(s),
            })
            .collect(),
    }))
}
