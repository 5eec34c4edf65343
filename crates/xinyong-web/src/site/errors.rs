//! Errors as pages: the one place where the website maps errors to statuses.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use xinyong_domain::Catalogue;
use xinyong_store::StoreError;

use super::context::Ctx;
use crate::AppState;
use crate::error::ApiError;

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
