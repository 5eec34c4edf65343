//! The console for departments and operators (issue #16): sign-in into a cookie for
//! `/console` only, uploads read as `xinyong import` reads them and stored whole or not at
//! all, corrections as new versions, checks with feedback, list entries, token administration,
//! and forms refused from another site or without the session's CSRF token.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xinyong_store::Role;

use crate::common::forms::{csrf_of, form, page};
use crate::common::records::defaulter;
use crate::common::*;

/// Signs in with `body` (a token, or a name and password) and returns the cookie.
async fn console_cookie(app: &App, body: &str) -> String {
    let (status, headers, html) = form(app, "/console/sign-in", body, None, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let set = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console", "Secure"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

/// Posts a multipart form to `uri`: text `fields`, then `file` named `name`.
async fn multipart(
    app: &App,
    cookie: &str,
    uri: &str,
    fields: &[(&str, &str)],
    name: &str,
    file: &[u8],
) -> (StatusCode, String) {
    let boundary = "xinyongboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(uri)
        .header(header::HOST, "credit.example.cn")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = respond(&app.state, req).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Uploads `file` named `name` through the console's upload form.
async fn upload(
    app: &App,
    cookie: &str,
    csrf: &str,
    name: &str,
    file: &[u8],
) -> (StatusCode, String) {
    let fields = [("csrf", csrf), ("category", "")];
    multipart(app, cookie, "/console/upload", &fields, name, file).await
}

const HEADER: &str = "category,subject_code,subject_name,subject_kind,document_no,decided_on,legal_basis,tier,facts,penalty_kind,content,authority,fine_10k_yuan\n";

fn penalty_row(code: &str, doc: &str, decided_on: &str) -> String {
    format!(
        "admin_penalty,{code},北京示例科技有限公司,legal_person,{doc},{decided_on},《中华人民共和国行政处罚法》第二十八条,general,未按规定公示年度报告,罚款,罚款人民币一万元,深圳市市场监督管理局,1.5\n"
    )
}

#[tokio::test]
async fn a_department_uploads_a_file_whole_or_not_at_all_and_sees_every_bad_row() {
    let app = App::new().await;
    let (status, _, html) = page(&app, "/console", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"token\"") && html.contains("name=\"password\""),
        "both sign-in forms"
    );
    let cookie = console_cookie(&app, &format!("token={}", app.token)).await;
    let (status, _, html) = page(&app, "/console/upload", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&html);

    // One bad row (a wrong check character on line 3): nothing stored, the row and field named.
    let bad_code = format!("{}X", &OTHER_COMPANY[..17]);
    let file = format!(
        "{HEADER}{}{}",
        penalty_row(COMPANY, "罚〔2026〕1号", "2026-04-01"),
        penalty_row(&bad_code, "罚〔2026〕2号", "2026-04-02")
    );
    let (status, html) = upload(&app, &cookie, &csrf, "penalties.csv", file.as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("<td>3</td><td>subject_code</td>"),
        "line 3, subject_code: {html}"
    );
    assert!(
        html.contains("第18位校验码应为“Q”，输入的是“X”"),
        "in the page's language: {html}"
    );
    assert_eq!(
        app.state.store.counts().await.unwrap().records,
        0,
        "nothing stored"
    );
    let at = html.find("/console/upload/").expect("a rejects link");
    let link = &html[at..at + html[at..].find('"').unwrap()];
    let (status, headers, rejects) = page(&app, link, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let line: serde_json::Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert_eq!(line["row"], 3);
    assert_eq!(line["input"]["document_no"], "罚〔2026〕2号");
    // Another department cannot fetch them.
    let other = app.department("DEPT2", &["admin_penalty"], &[]).await;
    let other_cookie = console_cookie(&app, &format!("token={other}")).await;
    let (status, _, _) = page(&app, link, Some(&other_cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The corrected file is stored whole, in GBK as well as UTF-8.
    let file = format!(
        "{HEADER}{}{}",
        penalty_row(COMPANY, "罚〔2026〕1号", "2026-04-01"),
        penalty_row(OTHER_COMPANY, "罚〔2026〕2号", "2026-04-02")
    );
    let gbk = encoding_rs::GBK.encode(&file).0.into_owned();
    let (status, html) = upload(&app, &cookie, &csrf, "penalties.csv", &gbk).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<dt>新增</dt><dd>2</dd>"), "{html}");
    assert_eq!(app.state.store.counts().await.unwrap().records, 2);

    // Browse, then correct a record: a new version, the old one kept.
    let (_, _, html) = page(&app, "/console/records", Some(&cookie)).await;
    assert!(
        html.contains("罚〔2026〕1号") && html.contains("罚〔2026〕2号"),
        "{html}"
    );
    let record = app
        .state
        .store
        .records_of_department(SAMR, None, 10)
        .await
        .unwrap();
    let first = record
        .iter()
        .find(|r| r.document_no == "罚〔2026〕1号")
        .unwrap();
    let uri = format!("/console/records/{}", first.id);
    let (status, _, html) = page(&app, &uri, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"fields.facts\""),
        "a field per catalogue field"
    );
    let correction = format!(
        "csrf={csrf}&subject_name=%E5%8C%97%E4%BA%AC%E7%A4%BA%E4%BE%8B%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&decided_on=2026-04-01&legal_basis=&tier=general&fields.facts=%E6%9B%B4%E6%AD%A3%E5%90%8E&fields.penalty_kind=%E7%BD%9A%E6%AC%BE&fields.content=x&fields.authority=y&fields.fine_10k_yuan=1.5"
    );
    let (status, _, html) = form(&app, &uri, &correction, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let history = app
        .state
        .store
        .record_history(first.id.as_str())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "a new version, the first kept");
    assert_eq!(history[1].fields["facts"], "更正后");
    // The other department cannot open it.
    let (status, _, _) = page(&app, &uri, Some(&other_cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn console_forms_are_refused_from_another_site_without_csrf_or_without_a_session() {
    let app = App::new().await;
    let cookie = console_cookie(&app, &format!("token={}", app.token)).await;
    let (_, _, html) = page(&app, "/console/checks", Some(&cookie)).await;
    let csrf = csrf_of(&html);
    let body = format!("csrf={csrf}&codes={COMPANY}&context=government_procurement");
    let wrong = body.replace(&csrf, &"0".repeat(64));
    let (status, _, _) = form(&app, "/console/checks", &wrong, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cross = [("sec-fetch-site", "cross-site")];
    let (status, _, _) = form(&app, "/console/checks", &body, Some(&cookie), &cross).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = form(&app, "/console/checks", &body, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, stats) = app.get_as(&app.token, "/api/v1/checks/stats").await;
    assert!(
        stats["departments"].as_object().unwrap().is_empty(),
        "no check was made: {stats}"
    );

    // A subject's token opens no console, and the console cookie opens no API.
    let subject = issue_token(
        &*app.state.store,
        Role::Subject,
        None,
        Some(COMPANY),
        None,
        None,
    )
    .await;
    let (status, _, _) = form(
        &app,
        "/console/sign-in",
        &format!("token={subject}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let req = Request::get("/api/v1/departments/me/quality")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _) = app.call(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A department cannot open the operator's pages.
    let (status, _, _) = page(&app, "/console/departments", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_department_checks_a_pasted_list_gives_feedback_and_manages_its_list_entries() {
    let app = App::new().await;
    let court = app
        .department("COURT", &["court_defaulter"], &["court_defaulter"])
        .await;
    let ground = ground_id(&app).await;
    let (status, added) = app
        .post_json(
            &court,
            "/api/v1/lists/court_defaulter/entries",
            defaulter(
                COMPANY,
                "北京示例科技有限公司",
                &ground,
                "（2026）粤03执1号",
                "2026-03-01",
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");

    // Checks by the market regulator: a pasted list of two codes.
    let cookie = console_cookie(&app, &format!("token={}", app.token)).await;
    let (_, _, html) = page(&app, "/console/checks", Some(&cookie)).await;
    let csrf = csrf_of(&html);
    let body =
        format!("csrf={csrf}&codes={COMPANY}%0A{OTHER_COMPANY}&context=government_procurement");
    let (status, _, html) = form(&app, "/console/checks", &body, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("court_defaulter"),
        "the listed subject's entry: {html}"
    );
    assert_eq!(
        html.matches("/feedback\"").count(),
        2,
        "a feedback form per check"
    );
    let end = html.find("/feedback\"").unwrap() + "/feedback".len();
    let at = html[..end].rfind("/console/checks/").unwrap();
    let action = &html[at..end];
    let (status, _, html) = form(&app, action, &format!("csrf={csrf}"), Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (_, stats) = app.get_as(&app.token, "/api/v1/checks/stats").await;
    assert_eq!(stats["departments"][SAMR]["checks"], 2, "{stats}");
    assert_eq!(stats["departments"][SAMR]["with_feedback"], 1, "{stats}");
    // A batch from a file: every code in it once, the header ignored.
    let file = format!("统一社会信用代码,名称\n{COMPANY},甲\n{OTHER_COMPANY},乙\n{COMPANY},甲\n");
    let fields = [
        ("csrf", csrf.as_str()),
        ("context", "government_procurement"),
    ];
    let (status, html) = multipart(
        &app,
        &cookie,
        "/console/checks/file",
        &fields,
        "codes.csv",
        file.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(html.matches("/feedback\"").count(), 2, "one check per code");
    let (_, stats) = app.get_as(&app.token, "/api/v1/checks/stats").await;
    assert_eq!(stats["departments"][SAMR]["checks"], 4, "{stats}");

    // The court sees its entry and removes it; then adds one through the form.
    let court_cookie = console_cookie(&app, &format!("token={court}")).await;
    let (_, _, html) = page(&app, "/console/lists", Some(&court_cookie)).await;
    assert!(html.contains("（2026）粤03执1号"), "{html}");
    let id = added["id"].as_str().unwrap();
    let removal = format!(
        "csrf={}&reason=%E5%B7%B2%E5%B1%A5%E8%A1%8C&document_no=X1",
        csrf_of(&html)
    );
    let uri = format!("/console/lists/court_defaulter/entries/{id}/removal");
    let (status, _, html) = form(&app, &uri, &removal, Some(&court_cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains("（2026）粤03执1号"), "no longer current");
    let entry = format!(
        "csrf={}&code={OTHER_COMPANY}&name=%E7%A4%BA%E4%BE%8B&kind=legal_person&ground={ground}&document_no=E2&starts_on=2026-03-01&fields.court=c&fields.case_no=E2&fields.obligation=o&fields.performance=%E5%85%A8%E9%83%A8%E6%9C%AA%E5%B1%A5%E8%A1%8C",
        csrf_of(&html)
    );
    let (status, _, html) = form(
        &app,
        "/console/lists/court_defaulter/entries",
        &entry,
        Some(&court_cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        app.state.lists.entries_for(OTHER_COMPANY).len() == 1,
        "the check sees the new entry at once"
    );
}

#[tokio::test]
async fn an_operator_signs_in_with_a_password_issues_and_revokes_a_token_and_verifies_the_log() {
    let app = App::new().await;
    app.add_operator("admin", "correct horse battery").await;
    let (status, _, _) = form(
        &app,
        "/console/sign-in",
        "name=admin&password=wrong",
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let cookie = console_cookie(&app, "name=admin&password=correct+horse+battery").await;
    let (status, _, html) = page(&app, "/console/departments", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(SAMR), "the departments");
    let csrf = csrf_of(&html);
    let (status, _, html) = form(
        &app,
        "/console/departments",
        &format!("csrf={csrf}&department={SAMR}&label=clerk&days=30"),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let at = html.find("id=\"issued-token\">").unwrap() + 18;
    let token = &html[at..at + html[at..].find('<').unwrap()];
    let (status, _) = app.get_as(token, "/api/v1/departments/me/quality").await;
    assert_eq!(status, StatusCode::OK, "the issued token works");
    let id = app
        .state
        .store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.label == "clerk")
        .unwrap()
        .id;
    let (status, _, _) = form(
        &app,
        &format!("/console/tokens/{id}/revoke"),
        &format!("csrf={csrf}"),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_as(token, "/api/v1/departments/me/quality").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked at once");

    // Registering a department, checked against the catalogue.
    let (status, _, _) = form(
        &app,
        "/console/departments/register",
        &format!("csrf={csrf}&code=SZ-NEW&name=%E6%96%B0&category=no_such"),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.state
            .store
            .department("SZ-NEW")
            .await
            .unwrap()
            .is_none()
    );
    let (status, _, _) = form(
        &app,
        "/console/departments/register",
        &format!(
            "csrf={csrf}&code=SZ-NEW&name=%E6%96%B0&category=admin_license&list=court_defaulter"
        ),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let registered = app.state.store.department("SZ-NEW").await.unwrap().unwrap();
    assert!(registered.may_submit("admin_license") && registered.manages_list("court_defaulter"));

    // The audit log: its head, and a full verification from the page.
    let (status, _, html) = form(
        &app,
        "/console/ledger/verify",
        &format!("csrf={csrf}"),
        Some(&cookie),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("校验通过"), "{html}");
    for uri in [
        "/console/applications",
        "/console/quality",
        "/console/ledger?lang=en",
    ] {
        let (status, _, html) = page(&app, uri, Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
    }
    // The operator has no department pages.
    let (status, _, _) = page(&app, "/console/upload", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_department_decides_an_objection_by_correcting_the_record_in_the_console() {
    let app = App::new().await;
    let (record, subject) = penalised_company(&app, "罚〔2026〕9号", "2026-04-01").await;
    let (status, filed) = app
        .post_json(
            &subject,
            "/api/v1/objections",
            serde_json::json!({"record": record, "what": "content", "reason": "违法事实有误"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let objection = filed["id"].as_str().unwrap().to_owned();

    let cookie = console_cookie(&app, &format!("token={}", app.token)).await;
    let (status, _, html) = page(&app, "/console/cases", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("违法事实有误"), "the open objection: {html}");
    assert!(
        html.contains("name=\"outcome\" value=\"corrected\""),
        "a correction form"
    );
    let csrf = csrf_of(&html);
    let body = format!(
        "csrf={csrf}&outcome=corrected&record={record}&subject_name=%E5%8C%97%E4%BA%AC%E7%A4%BA%E4%BE%8B%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&decided_on=2026-04-01&tier=general&fields.facts=%E6%9B%B4%E6%AD%A3&fields.penalty_kind=%E7%BD%9A%E6%AC%BE&fields.content=c&fields.authority=a&reason=%E7%BB%8F%E6%A0%B8%E5%AE%9E%E6%9B%B4%E6%AD%A3"
    );
    let uri = format!("/console/cases/objections/{objection}");
    let (status, _, html) = form(&app, &uri, &body, Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (_, decided) = app
        .get_as(&subject, &format!("/api/v1/objections/{objection}"))
        .await;
    assert_eq!(decided["outcome"], "corrected", "{decided}");
    let history = app.state.store.record_history(&record).await.unwrap();
    assert_eq!(
        history.last().unwrap().fields["facts"],
        "更正",
        "the corrected version"
    );
}

/// Issue #15: the national licence template has no legal-basis column and the penalty
/// template no tier column; the upload form gives both for the file, as `xinyong import
/// --legal-basis --tier` does, and a GBK export goes in as it is.
#[tokio::test]
async fn a_national_template_uploads_with_the_tier_and_legal_basis_given_in_the_form() {
    let app = App::new().await;
    let cookie = console_cookie(&app, &format!("token={}", app.token)).await;
    let (_, _, html) = page(&app, "/console/upload", Some(&cookie)).await;
    assert!(html.contains("name=\"tier\"") && html.contains("name=\"legal_basis\""));
    let csrf = csrf_of(&html);
    let file = "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政相对人代码_2(工商注册号),行政相对人代码_3(组织机构代码),法定代表人,法定代表人证件号码,行政许可决定文书名称,行政许可决定文书号,许可类别,许可内容,许可决定日期,有效期自,许可机关,当前状态\r\n\
        北京示例科技有限公司,法人及非法人组织,91110000600037341L,,60003734-1,张三,440305198001010013,食品经营许可决定书,深市监许〔2026〕88号,普通,预包装食品销售,2026-08-15,2026-08-15,深圳市市场监督管理局,1\r\n";
    let gbk = encoding_rs::GBK.encode(file).0.into_owned();
    let basis = "《中华人民共和国食品安全法》第三十五条";
    let fields = [
        ("csrf", csrf.as_str()),
        ("category", "admin_license"),
        ("tier", ""),
        ("legal_basis", basis),
    ];
    let (status, html) =
        multipart(&app, &cookie, "/console/upload", &fields, "许可.csv", &gbk).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let records = app.state.store.records_of_subject(COMPANY).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].legal_basis, basis);
    assert_eq!(
        records[0].fields["decision_document_name"],
        "食品经营许可决定书"
    );
    assert!(
        !serde_json::to_string(&records[0].fields)
            .unwrap()
            .contains("440305198001010013")
    );
}
