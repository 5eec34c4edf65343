//! Errors as pages: the website's error pages, whose statuses come from the same table of
//! error codes as the API's problem documents ([`ErrorCode`]).

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use xinyong_domain::Catalogue;
use xinyong_store::StoreError;

use super::context::Ctx;
use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// Why a page could not be shown: the error's code, and what the visitor is told.
pub struct PageError {
    code: ErrorCode,
    message: String,
}

impl PageError {
    pub(super) fn new(code: ErrorCode, message: impl Into<String>) -> PageError {
        PageError {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        tracing::error!(error = %e, "store error on a public page");
        PageError::new(ErrorCode::Internal, "")
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e {
            ApiError::Store(e) => e.into(),
            e => PageError::new(e.code(), e.to_string()),
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
pub(super) struct Page<T> {
    catalogue: Arc<Catalogue>,
    uri: Uri,
    result: Result<T, PageError>,
}

impl<T> Page<T> {
    pub(super) fn new(state: &AppState, uri: Uri, result: Result<T, PageError>) -> Page<T> {
        Page {
            catalogue: state.catalogue.clone(),
            uri,
            result,
        }
    }
}

impl<T: IntoResponse> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        let e = match self.result {
            Ok(page) => return page.into_response(),
            Err(e) => e,
        };
        let ctx = Ctx::with_catalogue(self.catalogue, &self.uri, "");
        let status = e.code.status();
        let (title, message) = match status {
            StatusCode::BAD_REQUEST => (ctx.l.bad_query, e.message),
            StatusCode::NOT_FOUND => (ctx.l.not_found, e.message),
            // A server failure says nothing of its cause.
            _ => (ctx.l.error_heading, String::new()),
        };
        let page = ErrorPage {
            ctx,
            q: String::new(),
            title: title.to_owned(),
            // A message may quote what the visitor typed: no identity number leaves whole.
            message: crate::public::text(&message),
        };
        match page.render() {
            Ok(html) => (status, html_headers(), html).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// The page a browser gets for a path that is nothing (issue #16: a mistyped address showed a
/// raw problem document): the site's not-found page, in the visitor's language, with its
/// links home, to search and to the lists.
pub fn not_found_page(state: &AppState, uri: Uri) -> Response {
    let path = crate::public::text(&crate::public::percent_decode(uri.path()));
    let error = PageError::new(ErrorCode::NotFoundEndpoint, path);
    Page::<Response>::new(state, uri, Err(error)).into_response()
}

fn html_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )]
}
