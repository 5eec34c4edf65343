//! The subject's own pages on the website (issue #12): sign-in into an HttpOnly,
//! SameSite=Strict cookie, the complete file, and forms that are refused from another site or
//! without the session's CSRF token, and that do exactly what the API does.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xinyong_store::Role;

use crate::common::forms::{csrf_of, form, page};
use crate::common::world::{Who, world};
use crate::common::*;

/// Signs `token` in and returns the cookie to send back.
async fn signed_in(app: &App, token: &str) -> String {
    let (status, headers, body) =
        form(app, "/me/sign-in", &format!("token={token}"), None, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let set = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/me", "Secure"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_subject_signs_in_with_its_token_and_objects_through_a_csrf_safe_form() {
    let app = App::new().await;
    let (status, posted) = app
        .post(serde_json::json!([penalty(
            COMPANY,
            "罚1",
            "general",
            "2026-04-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    let record = posted["ids"][0].as_str().unwrap().to_owned();
    let me = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;

    let (status, headers, html) = page(&app, "/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"token\""), "the sign-in form");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // A department's token is not a subject's.
    let (status, _, html) = form(
        &app,
        "/me/sign-in",
        &format!("token={}", app.token),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("notice-error"));

    let cookie = signed_in(&app, &me).await;
    let (status, _, html) = page(&app, "/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("罚1"), "the subject's own record");
    let csrf = csrf_of(&html);
    let objection = format!(
        "csrf={csrf}&record={record}&what=content&reason=%E4%BA%8B%E5%AE%9E%E6%9C%89%E8%AF%AF"
    );

    // Refused: no CSRF token, another site's origin, no session.
    let wrong = objection.replace(&csrf, &"0".repeat(64));
    let (status, _, _) = form(&app, "/me/objections", &wrong, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = form(
        &app,
        "/me/objections",
        &objection,
        Some(&cookie),
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = form(
        &app,
        "/me/objections",
        &objection,
        Some(&cookie),
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = form(&app, "/me/objections", &objection, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, file) = app.get_as(&me, "/api/v1/me").await;
    assert!(
        file["objections"].as_array().unwrap().is_empty(),
        "nothing was filed"
    );

    // The session's own form, from this site.
    let (status, headers, _) = form(
        &app,
        "/me/objections",
        &objection,
        Some(&cookie),
        &[("origin", "https://credit.example.cn")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/me?done=objection");
    let (_, file) = app.get_as(&me, "/api/v1/me").await;
    assert_eq!(file["objections"].as_array().unwrap().len(), 1);
    let (_, _, html) = page(&app, "/me?done=objection", Some(&cookie)).await;
    assert!(html.contains("异议处理中"), "the record is marked");
    // What the API refuses, the page refuses, saying why.
    let (status, _, html) = form(&app, "/me/objections", &objection, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("notice-error"), "{html}");

    // The cookie opens the website's pages only, never the JSON API.
    let req = Request::get("/api/v1/me")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _) = app.call(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, headers, _) = form(
        &app,
        "/me/sign-out",
        &format!("csrf={csrf}"),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn a_grant_is_revoked_from_the_website_at_once() {
    let w = world().await;
    let cookie = signed_in(&w.app, &w.tokens[&Who::SubjectSelf]).await;
    let (_, _, html) = page(&w.app, "/me", Some(&cookie)).await;
    assert!(
        html.contains(crate::common::world::SERVICE),
        "the grant is listed"
    );
    let csrf = csrf_of(&html);
    let uri = format!("/me/grants/{}/revoke", w.grant);
    let (status, headers, _) =
        form(&w.app, &uri, &format!("csrf={csrf}"), Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/me?done=revoked");
    let (_, grants) = w
        .app
        .get_as(&w.tokens[&Who::SubjectSelf], "/api/v1/me/grants")
        .await;
    let grant = grants["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == w.grant.as_str())
        .unwrap();
    assert!(grant["revoked_at"].is_string(), "{grant}");
    // Another subject's session cannot revoke it (the API finds no such grant).
    let other = signed_in(&w.app, &w.tokens[&Who::SubjectOther]).await;
    let (_, _, html) = page(&w.app, "/me", Some(&other)).await;
    let (status, _, _) = form(
        &w.app,
        &uri,
        &format!("csrf={}", csrf_of(&html)),
        Some(&other),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A multipart form of the session's CSRF token and one file.
fn multipart(csrf: &str, file_name: &str, content_type: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----xinyong-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_subject_uploads_evidence_on_the_website_and_attaches_it_to_a_repair() {
    let w = world().await;
    let me = &w.tokens[&Who::SubjectSelf];
    let cookie = signed_in(&w.app, me).await;
    let (_, _, html) = page(&w.app, "/me", Some(&cookie)).await;
    let csrf = csrf_of(&html);
    // The world's subject already stored one file; the page lists it with a download link.
    assert!(
        html.contains(&format!("/me/attachments/{}", w.attachment)),
        "{html}"
    );

    let upload = |csrf: String, content: &'static [u8], kind: &'static str| {
        let (content_type, body) = multipart(&csrf, "收据.pdf", kind, content);
        let req = Request::post("/me/attachments")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::HOST, "credit.example.cn")
            .header(header::COOKIE, cookie.clone())
            .body(Body::from(body))
            .unwrap();
        respond(&w.app.state, req)
    };
    // A file that is not what it says is refused, saying why, and nothing is stored.
    let (status, _, bytes) = upload(csrf.clone(), b"<html>", "application/pdf").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&bytes).contains("notice-error"));
    let (status, _, _) = upload("0".repeat(64), crate::common::world::PDF, "application/pdf").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "without the session's CSRF token"
    );
    let (status, headers, _) =
        upload(csrf.clone(), crate::common::world::PDF, "application/pdf").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/me?done=attachment");
    let (_, mine) = w.app.get_as(me, "/api/v1/me/attachments").await;
    let stored = mine["attachments"].as_array().unwrap();
    assert_eq!(stored.len(), 2, "{mine}");
    assert_eq!(stored[0]["name"], "收据.pdf");
    let new_id = stored[0]["id"].as_str().unwrap().to_owned();

    // Its own file downloads with the session; another subject's id is unknown.
    let (status, headers, bytes) =
        page(&w.app, &format!("/me/attachments/{new_id}"), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.as_bytes(), crate::common::world::PDF);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );

    // The repair form ticks both files: the application names them.
    let (_, _, html) = page(&w.app, "/me", Some(&cookie)).await;
    assert!(
        html.contains("name=\"attachments\""),
        "evidence boxes on the forms"
    );
    let body = format!(
        "csrf={csrf}&record={}&commitment=%E4%BE%9D%E6%B3%95%E7%BB%8F%E8%90%A5&attachments={}&attachments={new_id}",
        w.penalty, w.attachment
    );
    let (status, _, html) = form(&w.app, "/me/repairs", &body, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, file) = w.app.get_as(me, "/api/v1/me").await;
    let repair = file["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record"] == w.penalty.as_str())
        .expect("the new application");
    assert_eq!(
        repair["attachments"],
        serde_json::json!([w.attachment, new_id])
    );
}
