//! The public website. For now a home page with headline figures and the ways in; the full
//! site (search, subject pages, lists, open data) grows here.

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

use crate::AppState;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let counts = state.store.counts().await?;
    // Only numbers and fixed text are interpolated: nothing here needs escaping.
    Ok(Html(format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>信用信息公示平台 · Xinyong</title></head>
<body>
<main>
<h1>信用信息公示平台 <small lang="en">Xinyong public credit information</small></h1>
<p>主体 {subjects} 个 · 信用记录 {records} 条 · 报送部门 {departments} 个</p>
<ul>
<li><a href="/api/v1/subjects">主体列表（API）</a></li>
<li><a href="/api/v1/catalogue">信用信息目录 {version}（API）</a></li>
<li><a href="/openapi.json">OpenAPI</a></li>
</ul>
</main>
</body>
</html>
"#,
        subjects = counts.subjects,
        records = counts.records,
        departments = counts.departments,
        version = html_escape(&state.catalogue.version),
    )))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
