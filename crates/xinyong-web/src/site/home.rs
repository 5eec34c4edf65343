//! The home page: figures, the published lists and the search form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::Uri;
use axum::response::IntoResponse;

use super::context::Ctx;
use super::errors::Page;
use super::view::{ListLink, list_links};
use crate::AppState;

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

pub(super) async fn home(State(state): State<AppState>, uri: Uri) -> impl IntoResponse {
    let result = async {
        let ctx = Ctx::new(&state, &uri, "home");
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
    Page::new(&state, uri, result)
}
