//! The website's forms as a browser sends them: a page, a form post with its cookie and
//! headers, the CSRF token a page's form carries.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};

use super::{App, respond};

/// POSTs a form to the website as a browser on `credit.example.cn` would, with `cookie`
/// and `extra` headers.
pub async fn form(
    app: &App,
    uri: &str,
    body: &str,
    cookie: Option<&str>,
    extra: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "credit.example.cn");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let (status, headers, bytes) =
        respond(&app.state, req.body(Body::from(body.to_owned())).unwrap()).await;
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// GETs a page as a browser on `credit.example.cn` would.
pub async fn page(app: &App, uri: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(uri).header(header::HOST, "credit.example.cn");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let (status, headers, bytes) = respond(&app.state, req.body(Body::empty()).unwrap()).await;
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..at + 64].to_owned()
}
