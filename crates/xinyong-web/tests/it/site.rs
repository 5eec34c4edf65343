//! The public website through the real router over a real SQLite file filled with the demo data
//! set: a crawler visits every page reachable from the home page and the list pages, and proves
//! the privacy invariants on each; the search API refuses bad queries with problem documents.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use serde_json::Value;
use tower::ServiceExt;
use xinyong_domain::code::CitizenId;
use xinyong_domain::disclosure::public_visibility;
use xinyong_domain::synthetic::Synthetic;
use xinyong_domain::{Catalogue, Disclosure, RecordStatus, ValidRecord};
use xinyong_store::{RecordChange, Store};
use xinyong_web::{AppState, router};

use crate::common::{respond, sqlite};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

struct Site {
    state: AppState,
    _dir: tempfile::TempDir,
}

/// A site over the demo data set of `subjects` subjects.
async fn demo_site(subjects: usize) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite(&dir, "site.db").await);
    let catalogue = Catalogue::shipped();
    let mut synthetic = Synthetic::new(&catalogue, 9, today());
    for d in synthetic.departments() {
        store.put_department(d).await.unwrap();
    }
    let mut by_department: BTreeMap<String, Vec<ValidRecord>> = BTreeMap::new();
    for _ in 0..subjects {
        for (dept, raw) in synthetic.next_subject().records {
            by_department
                .entry(dept)
                .or_default()
                .push(catalogue.validate(&raw, today()).unwrap());
        }
    }
    for (dept, records) in &by_department {
        store.submit(dept, records).await.unwrap();
    }
    let mut state = AppState::new(store, catalogue);
    state.clock = Arc::new(today);
    Site { state, _dir: dir }
}

impl Site {
    async fn get(&self, uri: &str) -> (StatusCode, String, String) {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let (status, headers, bytes) = respond(&self.state, request).await;
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (
            status,
            content_type,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }
}

/// Every valid citizen identity number in `text`, however it is embedded.
fn identity_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for w in chars.windows(18) {
        if w[..17].iter().all(char::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == 'X' || w[17] == 'x')
        {
            let s: String = w.iter().collect();
            if CitizenId::parse(&s.to_uppercase()).is_ok() {
                found.push(s);
            }
        }
    }
    found
}

/// Same-site links of an HTML page (`href="/..."`), with `&amp;` decoded.
pub(crate) fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn no_public_page_shows_an_identity_number_a_restricted_field_an_expired_or_minor_record() {
    let site = demo_site(300).await;
    let store = &site.state.store;
    let catalogue = &site.state.catalogue;

    // What must never appear: document numbers of hidden records (not public class, minor,
    // expired, repaired) that no visible record shares, and the names of non-public categories.
    let mut hidden = BTreeSet::new();
    let mut visible = BTreeSet::new();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut persons = Vec::new();
    let mut names = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.subjects_page(after.as_deref(), 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        for s in &page {
            names.insert(s.name.clone());
            if s.kind == xinyong_domain::SubjectKind::NaturalPerson {
                persons.push(s.clone());
            }
            for r in store.records_of_subject(s.code.as_str()).await.unwrap() {
                let c = catalogue.category(&r.category).unwrap();
                match public_visibility(&r, c, today()) {
                    Ok(()) => {
                        visible.insert(r.document_no.clone());
                    }
                    Err(why) => {
                        *by_reason.entry(format!("{why:?}")).or_default() += 1;
                        hidden.insert(r.document_no.clone());
                    }
                }
            }
        }
    }
    let hidden: BTreeSet<String> = hidden.difference(&visible).cloned().collect();
    for reason in ["NotPublicClass", "NotPublished", "Expired"] {
        assert!(
            by_reason.get(reason).copied().unwrap_or(0) > 0,
            "the demo data has records hidden as {reason}: {by_reason:?}"
        );
    }
    assert!(persons.len() > 3, "the demo data has natural persons");
    let restricted_names: Vec<String> = catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure != Disclosure::Public)
        .flat_map(|c| [c.name_zh.clone(), c.name_en.clone()])
        .collect();

    // A repaired record leaves every page.
    let repaired = store
        .records_of_subject(persons[0].code.as_str())
        .await
        .unwrap()
        .into_iter()
        .find(|r| public_visibility(r, catalogue.category(&r.category).unwrap(), today()).is_ok());
    let mut hidden = hidden;
    if let Some(r) = repaired {
        let change = RecordChange {
            status: Some(RecordStatus::Repaired),
            ..Default::default()
        };
        store
            .change_record(&r.department, r.id.as_str(), &change)
            .await
            .unwrap();
        let shared = store
            .records_of_subject(persons[0].code.as_str())
            .await
            .unwrap()
            .iter()
            .any(|o| o.id != r.id && o.document_no == r.document_no);
        if !shared {
            hidden.insert(r.document_no.clone());
        }
    }

    // Crawl.
    let mut queue: VecDeque<String> = ["/", "/?lang=en", "/lists", "/stats", "/rights"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    // A visitor searching each subject by name (persons included) reaches every subject page.
    for name in &names {
        queue.push_back(format!("/search?q={}", encode(name)));
    }
    queue.push_back(format!("/search?q={}", persons[0].code));
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    let mut subject_pages = 0;
    while let Some(uri) = queue.pop_front() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let (status, content_type, body) = site.get(&uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        pages += 1;
        subject_pages += usize::from(uri.starts_with("/subjects/"));
        let ids = identity_numbers(&body);
        assert!(ids.is_empty(), "{uri} shows identity numbers {ids:?}");
        for doc in &hidden {
            assert!(
                !body.contains(doc.as_str()),
                "{uri} shows hidden record {doc}"
            );
        }
        for name in &restricted_names {
            assert!(
                !body.contains(name.as_str()),
                "{uri} names the non-public category {name}"
            );
        }
        if content_type.starts_with("text/html") {
            assert!(body.starts_with("<!doctype html>"), "{uri}");
            for link in links(&body) {
                let path = link.split('?').next().unwrap_or("");
                let followed = !path.starts_with("/api/")
                    && path != "/openapi.json"
                    && !path.starts_with("/static/");
                if followed && !seen.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
    }
    assert!(
        pages > 300,
        "crawled {pages} pages, {subject_pages} subject pages"
    );
    assert!(subject_pages > 100, "{subject_pages} subject pages");
    assert!(seen.contains("/open-data/records.csv"));
    assert!(seen.contains("/open-data/records.jsonl"));

    // The public search finds no one by a full identity number; a token holder's search
    // finds the person, masks the code and links the page by id.
    let (status, _, body) = site
        .get(&format!("/api/v1/search?q={}", persons[0].code))
        .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 0, "{v}");
    let operator = crate::common::issue_token(
        &**store,
        xinyong_store::Role::Operator,
        None,
        None,
        None,
        None,
    )
    .await;
    let request = Request::get(format!("/api/v1/search?q={}", persons[0].code))
        .header(header::AUTHORIZATION, format!("Bearer {operator}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = respond(&site.state, request).await;
    assert_eq!(status, StatusCode::OK);
    let body = String::from_utf8(bytes.to_vec()).unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    let hit = &v["results"][0];
    assert_eq!(hit["name"], persons[0].name.as_str());
    assert!(hit["code"].as_str().unwrap().contains('*'));
    assert!(
        !hit["url"]
            .as_str()
            .unwrap()
            .contains(persons[0].code.as_str())
    );
    assert!(identity_numbers(&body).is_empty());
}

pub(crate) fn encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn bad_search_queries_get_a_400_problem_never_a_5xx() {
    let site = demo_site(20).await;
    let long = "长".repeat(101);
    for uri in [
        "/api/v1/search".to_owned(),
        "/api/v1/search?q=".to_owned(),
        "/api/v1/search?q=%20%20".to_owned(),
        format!("/api/v1/search?q={}", encode(&long)),
        "/api/v1/search?q=a%00b".to_owned(),
        "/api/v1/search?q=%EF%BC%88%EF%BC%89".to_owned(),
        "/api/v1/search?q=abc&limit=0".to_owned(),
        "/api/v1/search?q=abc&limit=101".to_owned(),
        "/api/v1/search?q=abc&offset=1000".to_owned(),
        "/api/v1/search?q=abc&offset=-1".to_owned(),
    ] {
        let (status, content_type, body) = site.get(&uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(!v["detail"].as_str().unwrap().is_empty(), "{uri}");
    }
    for uri in [
        "/search?q=%00",
        "/search?q=x&page=0",
        "/lists/court_defaulter?region=4",
        "/lists/court_defaulter?department=nope",
        "/subjects/123",
    ] {
        let (status, content_type, body) = site.get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(content_type.starts_with("text/html"), "{uri}");
        assert!(body.contains("<h1>"), "{uri}");
    }
    for uri in [
        "/lists/social_insurance_arrears",
        "/lists/nope",
        "/subjects/91110000600037341L",
    ] {
        let (status, _, _) = site.get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn a_record_under_objection_is_visibly_marked_and_pages_speak_both_languages() {
    let site = demo_site(60).await;
    let store = &site.state.store;
    // A subject with a visible adverse record.
    let (status, _, body) = site.get("/lists/abnormal_operation").await;
    assert_eq!(status, StatusCode::OK);
    let link = links(&body)
        .into_iter()
        .find(|l| l.starts_with("/subjects/"))
        .expect("an abnormal-operations entry");
    let code = link.trim_start_matches("/subjects/").to_owned();
    let record = store
        .records_of_subject(&code)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.category == "abnormal_operation")
        .unwrap();
    let change = RecordChange {
        status: Some(RecordStatus::UnderObjection),
        ..Default::default()
    };
    store
        .change_record(&record.department, record.id.as_str(), &change)
        .await
        .unwrap();
    let (_, _, zh) = site.get(&link).await;
    assert!(zh.contains("异议处理中"), "Chinese mark");
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("href=\"/rights\""));
    let (_, _, en) = site.get(&format!("{link}?lang=en")).await;
    assert!(en.contains("Under objection"), "English mark");
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("Is this wrong? Object / apply for credit repair"));
    assert!(en.contains("href=\"/rights?lang=en\""));
    let (_, _, list) = site.get("/lists/abnormal_operation?lang=en").await;
    assert!(list.contains("Under objection"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_load_only_the_platform_s_own_files() {
    let site = demo_site(5).await;
    let response = router(site.state.clone())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let h = response.headers();
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(h.contains_key(header::REFERRER_POLICY));
    for uri in [
        "/",
        "/stats",
        "/rights",
        "/open-data",
        "/lists/court_defaulter",
    ] {
        let (_, _, body) = site.get(uri).await;
        for attr in ["src=\"", "href=\""] {
            for rest in body.split(attr).skip(1) {
                let target = rest.split('"').next().unwrap();
                assert!(
                    target.starts_with('/') || target.starts_with('#'),
                    "{uri} refers to {target}"
                );
            }
        }
        assert!(!body.contains("style=\""), "{uri} has an inline style");
        assert!(!body.contains("<script"), "{uri} has a script");
    }
    let (status, content_type, css) = site.get("/static/site.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/css"));
    assert!(!css.contains("url(http"));
}

#[tokio::test]
async fn rights_page_shows_the_deadlines_of_the_catalogue_data() {
    let mut site = demo_site(1).await;
    let (_, _, zh) = site.get("/rights").await;
    assert!(zh.contains("数据来源部门核实"), "{zh}");
    assert!(zh.contains("10 个工作日"), "{zh}");
    // A city that publishes other deadlines changes the data, and the page follows.
    let mut catalogue = (*site.state.catalogue).clone();
    let objection = catalogue
        .procedures
        .iter_mut()
        .find(|p| p.id == "objection")
        .unwrap();
    objection.steps[2].days = 7;
    objection.steps[2].name_en = "Source check".into();
    site.state.catalogue = Arc::new(catalogue);
    let (_, _, en) = site.get("/rights?lang=en").await;
    assert!(en.contains("Source check"), "{en}");
    assert!(en.contains("7 working days"), "{en}");
    // Only the repair intake step still takes 10 days.
    assert_eq!(en.matches(">10 working days<").count(), 1, "{en}");
}

#[tokio::test]
async fn lists_and_labels_on_the_pages_come_from_the_data_files() {
    let mut site = demo_site(40).await;
    let (_, _, home) = site.get("/").await;
    assert!(
        home.contains("href=\"/lists/abnormal_operation\""),
        "{home}"
    );
    // Another list set (data/lists.toml) and other labels (catalogue.toml): the pages follow.
    let mut list_types = (*site.state.list_types).clone();
    list_types
        .list_types
        .retain(|t| t.category != "abnormal_operation");
    site.state.list_types = Arc::new(list_types);
    let mut catalogue = (*site.state.catalogue).clone();
    for l in &mut catalogue.subject_kinds {
        l.name_zh = format!("{}（数据）", l.name_zh);
        l.name_en = format!("{} (data)", l.name_en);
    }
    for l in &mut catalogue.tiers {
        l.name_en = format!("{} (data)", l.name_en);
    }
    site.state.catalogue = Arc::new(catalogue);
    let (_, _, home) = site.get("/").await;
    assert!(!home.contains("/lists/abnormal_operation"), "{home}");
    assert!(home.contains("href=\"/lists/court_defaulter\""), "{home}");
    let (status, _, _) = site.get("/lists/abnormal_operation").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, zh) = site.get(&format!("/search?q={}", encode("有限公司"))).await;
    assert!(zh.contains("法人（数据）"), "{zh}");
    let (_, _, en) = site.get("/rights?lang=en").await;
    assert!(en.contains("Serious (data)"), "{en}");
    let (_, _, list) = site.get("/lists/court_defaulter?lang=en").await;
    assert!(!list.contains("abnormal_operation"), "{list}");
}

#[tokio::test]
async fn open_data_csv_cells_never_start_a_formula() {
    let app = crate::common::App::new().await;
    let formulas = [
        "=HYPERLINK(\"http://127.0.0.1/x\",\"点击\")有限公司",
        "-2+3公式科技有限公司",
        "+1公式科技有限公司",
        "@SUM(A1)科技有限公司",
    ];
    let records: Vec<Value> = formulas
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let division = xinyong_domain::code::DivisionCode::parse("440300").unwrap();
            let code = xinyong_domain::code::UnifiedCode::build(
                '9',
                '1',
                &division,
                &format!("CXFM{i:04}"),
            )
            .unwrap();
            let code = code.as_str();
            let mut r = crate::common::penalty(code, &format!("={i}+1"), "general", "2026-04-01");
            r["subject"]["name"] = Value::from(*name);
            r["legal_basis"] = Value::from(format!("-《某法》第{i}条"));
            r["fields"]["facts"] = Value::from(format!("@事实{i}"));
            r["fields"]["content"] = Value::from(format!("+内容{i}"));
            r
        })
        .collect();
    let (status, body) = app.post(Value::Array(records)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let request = Request::get("/open-data/records.csv")
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = respond(&app.state, request).await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let headers = reader.headers().unwrap().clone();
    let mut rows = 0;
    let mut names = BTreeSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        rows += 1;
        for (column, cell) in headers.iter().zip(row.iter()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{column} starts a formula: {cell:?}"
            );
        }
        let name = &row[headers.iter().position(|h| h == "subject_name").unwrap()];
        names.insert(name.to_owned());
        let doc = &row[headers.iter().position(|h| h == "document_no").unwrap()];
        assert!(doc.starts_with("'="), "{doc}");
    }
    assert_eq!(rows, formulas.len());
    // Neutralised, not rewritten: the text is all there behind the quote.
    let expected: BTreeSet<String> = formulas.iter().map(|f| format!("'{f}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn open_data_opens_in_excel_names_departments_and_narrows_to_a_category() {
    let app = crate::common::App::new().await;
    let (status, body) = app
        .post(Value::Array(vec![
            crate::common::penalty(crate::common::COMPANY, "罚1", "general", "2026-04-01"),
            crate::common::record(
                "admin_license",
                crate::common::COMPANY,
                "许1",
                serde_json::json!({"certificate_name": "食品经营许可证", "license_category": "普通",
                                    "content": "食品销售", "valid_from": "2026-04-01",
                                    "authority": "深圳市市场监督管理局"}),
                None,
            ),
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (status, _, bytes) = respond(&app.state, get("/open-data/records.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        bytes.starts_with("\u{FEFF}id,".as_bytes()),
        "a UTF-8 BOM for Excel"
    );
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        text.contains("深圳市市场监督管理局"),
        "department names: {text}"
    );
    // Each field in a column of its own, not one JSON cell.
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let header = reader.headers().unwrap().clone();
    assert!(!header.iter().any(|h| h == "fields"), "{header:?}");
    let column = header
        .iter()
        .position(|h| h == "fields.certificate_name")
        .unwrap();
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[column].to_owned())
        .collect();
    assert!(cells.contains(&"食品经营许可证".to_owned()), "{cells:?}");
    assert!(
        cells.contains(&String::new()),
        "a penalty has no certificate name"
    );
    let (_, _, bytes) = respond(
        &app.state,
        get("/open-data/records.csv?category=admin_penalty"),
    )
    .await;
    let penalties = String::from_utf8(bytes.to_vec()).unwrap();
    let first = penalties.lines().next().unwrap();
    assert!(
        first.contains("fields.facts") && !first.contains("fields.certificate_name"),
        "{first}"
    );

    let (status, _, bytes) = respond(
        &app.state,
        get("/open-data/records.jsonl?category=admin_penalty"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<Value> = std::str::from_utf8(&bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["category"], "admin_penalty");
    assert_eq!(lines[0]["department_name"], "深圳市市场监督管理局");

    let (status, _, _) = respond(
        &app.state,
        get("/open-data/records.csv?category=tax_credit_rating"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not a public category");
}

#[tokio::test]
async fn a_mistyped_address_shows_a_page_to_a_browser_and_a_problem_to_a_client() {
    let app = crate::common::App::new().await;
    let browser = Request::get("/subjcts/91110000600037341L")
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = respond(&app.state, browser).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        html.contains("href=\"/\"") && html.contains("/subjcts/"),
        "{html}"
    );
    let client = Request::get("/subjcts/x").body(Body::empty()).unwrap();
    let (status, headers, _) = respond(&app.state, client).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    let api = Request::get("/api/v1/nothing")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = respond(&app.state, api).await;
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "the API answers problems"
    );
}

#[tokio::test]
async fn a_list_filters_by_a_region_named_in_words() {
    let w = crate::common::world::world().await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let page = |bytes: axum::body::Bytes| String::from_utf8(bytes.to_vec()).unwrap();
    // The world's defaulter is registered in Beijing (code 91110000...).
    let (status, _, beijing) = respond(
        &w.app.state,
        get("/lists/court_defaulter?region=%E5%8C%97%E4%BA%AC"), // 北京
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page(beijing).contains("北京示例科技有限公司"));
    let (status, _, anhui) = respond(
        &w.app.state,
        get("/lists/court_defaulter?region=%E5%AE%89%E5%BE%BD"), // 安徽
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page(anhui).contains("北京示例科技有限公司"));
    let (status, _, _) = respond(
        &w.app.state,
        get("/lists/court_defaulter?region=%E7%81%AB%E6%98%9F"), // 火星
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Issue #16: a mistyped 18-character code found "0" with no hint that its check character
/// was wrong.
#[tokio::test]
async fn a_mistyped_code_in_search_says_what_is_wrong_and_suggests_the_code_meant() {
    let app = crate::common::App::new().await;
    let (status, body) = app
        .post(serde_json::json!([crate::common::penalty(
            crate::common::COMPANY,
            "罚1",
            "general",
            "2026-04-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page = |uri: &str| html_of(&app.state, uri.to_owned());
    let (status, html) = page("/search?q=91110000600037341M").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("第18位校验码应为“L”"), "{html}");
    assert!(
        html.contains("href=\"/search?q=91110000600037341L\""),
        "the code meant is offered: {html}"
    );
    let (_, html) = page("/search?q=91110000600037341M&lang=en").await;
    assert!(html.contains("check character should be"), "{html}");
    // A mistyped identity number is explained, never completed into a person's number.
    let (_, html) = page("/search?q=110105194912310021").await;
    assert!(html.contains("校验码应为"), "{html}");
    assert!(
        !html.contains("href=\"/search?q=11010519491231002X"),
        "{html}"
    );
}

/// Issue #16: no interactive API page. `/docs` lists every operation of the OpenAPI
/// document, with an example request for each.
#[tokio::test]
async fn the_docs_page_shows_every_operation_of_the_api_with_an_example() {
    let app = crate::common::App::new().await;
    let request = Request::get("/docs").body(Body::empty()).unwrap();
    let (status, _, bytes) = respond(&app.state, request).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(bytes.to_vec()).unwrap();
    let doc = serde_json::to_value(xinyong_web::openapi()).unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                operations += 1;
                let shown = format!("{}</span> <code>{path}</code>", method.to_uppercase());
                assert!(html.contains(&shown), "{method} {path} missing from /docs");
            }
        }
    }
    assert_eq!(
        html.matches("<pre class=\"example\"><code>curl").count(),
        operations
    );
    // A body example is built from the schema: a check names its context and subject.
    assert!(
        html.contains("&quot;context&quot;:&quot;government_procurement&quot;")
            || html.contains("government_procurement"),
        "{html}"
    );
    let (status, _, bytes) = respond(
        &app.state,
        Request::get("/docs?lang=en").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .contains("API reference")
    );
}

/// Issue #16: error pages on the Chinese site showed English detail.
#[tokio::test]
async fn error_pages_speak_the_language_of_the_site() {
    let app = crate::common::App::new().await;
    let page = |uri: &str| html_of(&app.state, uri.to_owned());
    let (status, html) = page("/subjects/91110000600037341M").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("第18位校验码应为“L”"), "{html}");
    assert!(!html.contains("check character should be"), "{html}");
    let (_, html) = page("/subjects/91110000600037341M?lang=en").await;
    assert!(html.contains("check character should be"), "{html}");
    let (status, html) = page("/search?q=%E8%85%BE%E8%AE%AF&page=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("页码应为从1开始的数字"), "{html}");
    let (_, html) = page("/search?q=%E8%85%BE%E8%AE%AF&page=999").await;
    assert!(html.contains("最多只能显示前"), "{html}");
    let (status, html) = page(&format!("/search?q={}", "%E9%95%BF".repeat(101))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("最多可输入100个字符"), "{html}");
}

/// Issue #16: court defaulters appeared under 司法判决及执行信息 while 严重失信主体名单信息
/// showed none; the national serious-dishonesty lists include them.
#[tokio::test]
async fn a_court_defaulter_is_shown_among_the_seriously_dishonest() {
    let w = crate::common::world::world().await;
    let request = Request::get(format!("/subjects/{}", crate::common::COMPANY))
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = respond(&w.app.state, request).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(bytes.to_vec()).unwrap();
    let start = html
        .find("<section id=\"serious_dishonesty\"")
        .expect("the section");
    let end = start + html[start..].find("</section>").unwrap();
    assert!(
        html[start..end].contains("(2026)粤03执9号"),
        "{}",
        &html[start..end]
    );
}

/// Issue #16: on the English statistics page province names stayed Chinese, and long category
/// names were cut at the chart's edge.
#[tokio::test]
async fn the_english_statistics_name_provinces_in_english_and_labels_are_whole() {
    let app = crate::common::App::new().await;
    let (status, body) = app
        .post(serde_json::json!([crate::common::penalty(
            crate::common::COMPANY,
            "罚1",
            "general",
            "2026-04-01"
        )]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, _, bytes) = respond(
        &app.state,
        Request::get("/stats?lang=en").body(Body::empty()).unwrap(),
    )
    .await;
    let html = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(html.contains(">Beijing</text>"), "{html}");
    assert!(!html.contains(">北京市</text>"), "{html}");
    // Labels start at the left edge, above their bars: nothing is anchored off the image.
    let labels = html.matches("class=\"chart-label\"").count();
    assert!(labels > 0);
    assert_eq!(
        html.matches("class=\"chart-label\" x=\"0\"").count(),
        labels,
        "{html}"
    );
    let (_, _, bytes) = respond(
        &app.state,
        Request::get("/stats").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .contains(">北京市</text>")
    );
}

/// A page's status and HTML.
pub(crate) async fn html_of(state: &AppState, uri: String) -> (StatusCode, String) {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    let (status, _, bytes) = respond(state, request).await;
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Issue #16: the basic information of a subject page shows the latest registration (legal
/// representative, date of establishment, registration authority, address), in both
/// languages, and the registration is not repeated among the other records.
#[tokio::test]
async fn the_basic_information_shows_the_latest_registration() {
    let app = crate::common::App::new().await;
    let registrar = app.department("SZ-REG", &["registration"], &[]).await;
    let registration = |doc: &str, decided_on: &str, representative: &str| {
        let mut r = crate::common::records::record(
            "registration",
            crate::common::COMPANY,
            doc,
            serde_json::json!({"legal_representative": representative, "established_on": "2008-05-12",
                   "registration_authority": "深圳市市场监督管理局", "address": "深圳市南山区科技园路1号",
                   "registration_status": "存续"}),
            None,
        );
        r["decided_on"] = serde_json::json!(decided_on);
        r
    };
    let (status, body) = app
        .post_as(
            Some(&registrar),
            serde_json::json!([
                registration("登记1", "2025-03-01", "张三"),
                registration("登记2", "2026-02-01", "李四")
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, zh) = html_of(&app.state, format!("/subjects/{}", crate::common::COMPANY)).await;
    assert_eq!(status, StatusCode::OK);
    let start = zh.find("id=\"basics\"").unwrap();
    let basics = &zh[start..start + zh[start..].find("</dl>").unwrap()];
    for shown in [
        "法定代表人",
        "李四",
        "成立日期",
        "2008年5月12日",
        "登记机关",
        "深圳市南山区科技园路1号",
        "核准日期",
        "2026年2月1日",
    ] {
        assert!(basics.contains(shown), "{shown} in {basics}");
    }
    assert!(!basics.contains("张三"), "only the latest registration");
    assert!(
        !zh.contains("登记1") && !zh.contains("登记2"),
        "not listed again as records"
    );
    let (_, en) = html_of(
        &app.state,
        format!("/subjects/{}?lang=en", crate::common::COMPANY),
    )
    .await;
    assert!(
        en.contains("Legal representative") && en.contains("12 May 2008"),
        "English labels"
    );
}

/// Issue #16: open data narrows by decision date as well as category, refuses a date that is
/// not one, and its page carries a data dictionary generated from the catalogue.
#[tokio::test]
async fn open_data_filters_by_decision_date_and_documents_every_public_field() {
    let app = crate::common::App::new().await;
    let (status, body) = app
        .post(serde_json::json!([
            crate::common::records::penalty(
                crate::common::COMPANY,
                "罚早",
                "general",
                "2026-03-01"
            ),
            crate::common::records::penalty(
                crate::common::COMPANY,
                "罚晚",
                "general",
                "2026-09-01"
            ),
        ]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (status, _, bytes) = respond(
        &app.state,
        get("/open-data/records.jsonl?category=admin_penalty&decided_from=2026-06-01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains("罚晚") && !text.contains("罚早"), "{text}");
    let (status, _, bytes) = respond(
        &app.state,
        get("/open-data/records.csv?decided_until=2026-06-01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains("罚早") && !text.contains("罚晚"), "{text}");
    let (status, _, _) = respond(&app.state, get("/open-data/records.csv?decided_from=June")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, html) = html_of(&app.state, "/open-data".to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    let catalogue = xinyong_domain::Catalogue::shipped();
    for c in catalogue
        .categories
        .iter()
        .filter(|c| c.disclosure == xinyong_domain::Disclosure::Public)
    {
        assert!(
            html.contains(&format!("id=\"dict-{}\"", c.id)),
            "{} in the dictionary",
            c.id
        );
        for f in &c.fields {
            assert!(
                html.contains(&format!("fields.{}", f.name)),
                "{}.{}",
                c.id,
                f.name
            );
        }
    }
    assert!(
        !html.contains("dict-social_insurance_arrears"),
        "restricted categories are not open data"
    );
}
