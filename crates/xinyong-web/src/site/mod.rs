//! The public website: server-rendered HTML (askama templates in `templates/`), Chinese by
//! default and English with `?lang=en`, one stylesheet served by the platform, no scripts.
//! One module per page; [`context`] holds what every page template needs, [`view`] the view
//! data pages share, [`errors`] the error pages.
//!
//! Invariants:
//! - Every record shown went through `public_visibility` and `public_record`; every subject
//!   code shown through `public_subject_code`; every name, message and echoed link through
//!   `crate::public`. Links to natural persons use the subject's opaque id, never the identity
//!   number, and a full identity number finds a person only for a caller who may look persons
//!   up by number (`Caller::finds_persons_by_number`).
//! - No page loads anything from elsewhere: the Content-Security-Policy (`default-src 'self'`)
//!   would block it, and there are no inline styles or scripts for it to allow.
//! - HTML error pages are mapped to statuses in [`errors`] ([`errors::PageError`]); the JSON
//!   API's in `error.rs`.

mod charts;
mod console;
mod context;
mod docs;
pub use docs::example_of;
mod errors;
mod grade_view;
pub use errors::not_found_page;
mod home;
mod labels;
mod lists;
mod me;
/// Where the website's sign-in forms post: the rate limiter treats them as sign-ins.
pub const SIGN_IN_PATHS: [&str; 2] = [me::SIGN_IN_PATH, console::SIGN_IN_PATH];
mod open_data;
mod rights;
mod search;
mod session;
mod stats;
mod subject;
mod view;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;

const CSS: &str = include_str!("../../static/site.css");
const ICON: &str = include_str!("../../static/icon.svg");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/search", get(search::search))
        .route("/subjects/{key}", get(subject::subject))
        .route("/lists", get(lists::lists_index))
        .route("/lists/{id}", get(lists::list))
        .route("/open-data", get(open_data::open_data))
        .route("/open-data/records.csv", get(open_data::export_csv))
        .route("/open-data/records.jsonl", get(open_data::export_jsonl))
        .route("/stats", get(stats::stats))
        .route("/rights", get(rights::rights))
        .route("/docs", get(docs::docs))
        .route("/me", get(me::page))
        .route(me::SIGN_IN_PATH, post(me::sign_in))
        .route("/me/sign-out", post(me::sign_out))
        .route("/me/objections", post(me::object))
        .route("/me/repairs", post(me::repair))
        .route("/me/attachments", post(me::attach))
        .route("/me/attachments/{id}", get(me::attachment))
        .route("/me/grants/{id}/revoke", post(me::revoke))
        .merge(console::routes())
        .route("/static/site.css", get(css))
        .route("/static/icon.svg", get(icon))
        .route("/favicon.ico", get(icon))
}

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
