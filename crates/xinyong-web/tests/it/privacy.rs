//! SPEC: "Public HTML and public API responses never contain an unmasked citizen identity
//! number." Issue #11 found numbers that masking missed; this module plants identity numbers in
//! every free-text place a submitter controls, in every form a person might type them, then
//! visits every public page, public API response and both open-data exports and asks whether any
//! planted number appears whole.

use std::collections::{BTreeSet, VecDeque};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use serde_json::{Value, json};
use xinyong_domain::code::{CitizenId, DivisionCode, UnifiedCode};

use xinyong_store::Role;

use crate::common::{App, COMPANY, PERSON, issue_token, respond};
use crate::site::{encode, links};

const COURT: &str = "11440300PRIVCOURT";
const TAX: &str = "11440300PRIVTAX";

/// How a department may type an identity number into free text.
#[derive(Debug, Clone, Copy)]
enum Form {
    Plain,
    /// Directly after an ASCII letter: `A440305198507265865`.
    AfterLetter,
    /// Directly before letters: `440305195604206361abc`.
    BeforeLetters,
    /// In fullwidth digits, as Chinese input methods type them.
    Fullwidth,
    /// With a lower-case check character `x`.
    LowerX,
    /// Inside a longer run of digits.
    InDigitRun,
}

const FORMS: [Form; 6] = [
    Form::Plain,
    Form::AfterLetter,
    Form::BeforeLetters,
    Form::Fullwidth,
    Form::LowerX,
    Form::InDigitRun,
];

impl Form {
    fn write(self, id: &str) -> String {
        match self {
            Form::Plain => id.to_owned(),
            Form::AfterLetter => format!("A{id}"),
            Form::BeforeLetters => format!("{id}abc"),
            Form::Fullwidth => id
                .chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap(),
                    'X' => '\u{FF38}',
                    c => c,
                })
                .collect(),
            Form::LowerX => id.to_ascii_lowercase(),
            Form::InDigitRun => format!("0{id}9"),
        }
    }
}

/// Valid identity numbers, each one different, handed out in turn; every one is remembered,
/// so that the crawl can look for all of them.
#[derive(Default)]
struct Numbers {
    planted: Vec<String>,
}

impl Numbers {
    /// A fresh valid number; with a check character `X` when `x` is set (for [`Form::LowerX`]).
    fn next(&mut self, x: bool) -> String {
        let divisions = ["440305", "110105", "310101", "440106", "513428"];
        let n = self.planted.len();
        let division = DivisionCode::parse(divisions[n % divisions.len()]).unwrap();
        let birth = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(n as u64 * 97);
        let id = (100..1000u16)
            .map(|seq| CitizenId::build(&division, birth, seq).unwrap())
            .find(|id| id.as_str().ends_with('X') == x)
            .unwrap()
            .as_str()
            .to_owned();
        self.planted.push(id.clone());
        id
    }

    /// A fresh number written in `form`.
    fn text(&mut self, form: Form) -> String {
        let id = self.next(matches!(form, Form::LowerX));
        form.write(&id)
    }

    /// Every planted number found whole in `text`, after the forms a reader would see through
    /// are undone: percent-encoding decoded, fullwidth digits made ASCII, `x` upper-cased.
    fn whole_in(&self, text: &str) -> Vec<String> {
        let normal = normalise(text);
        self.planted
            .iter()
            .filter(|id| normal.contains(id.as_str()))
            .cloned()
            .collect()
    }
}

fn normalise(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                decoded.push(u8::try_from(hi * 16 + lo).unwrap());
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded)
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap(),
            'x' | '\u{FF38}' | '\u{FF58}' => 'X',
            c => c,
        })
        .collect()
}

/// The `i`th organisation of the test.
fn org(i: usize) -> String {
    let division = DivisionCode::parse("440300").unwrap();
    UnifiedCode::build('9', '1', &division, &format!("PLNT{i:04}"))
        .unwrap()
        .as_str()
        .to_owned()
}

struct Planted {
    app: App,
    numbers: Numbers,
    orgs: Vec<String>,
    names: Vec<String>,
    /// Natural persons who are subjects, by their (planted) numbers.
    persons: Vec<String>,
}

async fn submitted(app: &App, token: &str, uri: &str, body: Value) {
    let (status, answer) = app.post_json(token, uri, body).await;
    assert!(status.is_success(), "{uri}: {status} {answer}");
}

/// A world whose every free-text value holds identity numbers, in every form.
async fn planted() -> Planted {
    let app = App::new().await;
    let court = app
        .department(COURT, &["court_defaulter"], &["court_defaulter"])
        .await;
    let tax = app.department(TAX, &["tax_violation"], &[]).await;
    let samr = app.token.clone();
    let (_, lists) = app.get("/api/v1/lists").await;
    let ground = lists["list_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "court_defaulter")
        .unwrap()["grounds"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut n = Numbers::default();
    let mut orgs = Vec::new();
    let mut names = Vec::new();
    let mut persons = Vec::new();
    for (i, form) in FORMS.into_iter().enumerate() {
        // An organisation whose name holds a number, with a penalty whose every text holds one.
        let code = org(i);
        let name = format!("深圳{}科技有限公司", n.text(form));
        let penalty = json!({
            "category": "admin_penalty",
            "subject": {"code": code, "name": name, "kind": "legal_person"},
            "document_no": format!("深市监罚〔2026〕{}号", n.text(form)),
            "decided_on": "2026-04-01",
            "legal_basis": format!("《中华人民共和国行政处罚法》第二十八条{}", n.text(form)),
            "tier": "general",
            "fields": {
                "violation_type": format!("虚假宣传{}", n.text(form)),
                "facts": format!("当事人{}发布虚假广告", n.text(form)),
                "penalty_kind": format!("罚款{}", n.text(form)),
                "content": format!("罚款人民币二万元，经办人{}", n.text(form)),
                "revoked_licence": n.text(form),
                "authority": format!("深圳市市场监督管理局{}", n.text(form)),
                "authority_code": n.next(false),
                "legal_representative": format!("张三{}", n.text(form)),
                "source_unit": n.text(form),
                "source_unit_code": n.next(false),
                "remarks": format!("备注：{}", n.text(form)),
            }
        });
        // A licence: its own string and text fields.
        let licence = json!({
            "category": "admin_license",
            "subject": {"code": code, "name": name, "kind": "legal_person"},
            "document_no": format!("深市监许〔2026〕{}号", n.text(form)),
            "decided_on": "2026-04-01",
            "legal_basis": format!("《中华人民共和国行政许可法》{}", n.text(form)),
            "fields": {
                "license_category": "普通",
                "valid_from": "2026-04-01",
                "certificate_name": n.text(form),
                "license_no": n.text(form),
                "content": format!("许可{}", n.text(form)),
                "authority": format!("深圳市市场监督管理局{}", n.text(form)),
                "legal_representative": n.text(form),
                "remarks": n.text(form),
            }
        });
        // A natural person with a public penalty, the person's name holding a number too.
        let person = n.next(false);
        let person_name = format!("王五{}", n.text(form));
        let about_person = json!({
            "category": "admin_penalty",
            "subject": {"code": person, "name": person_name, "kind": "natural_person"},
            "document_no": format!("深市监罚〔2026〕P{i}号"),
            "decided_on": "2026-04-01",
            "legal_basis": "《中华人民共和国行政处罚法》第二十八条",
            "tier": "general",
            "fields": {"facts": "无照经营", "penalty_kind": "罚款", "content": "罚款",
                       "authority": "深圳市市场监督管理局"}
        });
        submitted(
            &app,
            &samr,
            "/api/v1/records",
            json!({"records": [penalty, licence, about_person]}),
        )
        .await;
        // A tax violation: a personal code field and the person's name beside it.
        let violation = json!({
            "category": "tax_violation",
            "subject": {"code": code, "name": name, "kind": "legal_person"},
            "document_no": format!("深税稽罚〔2026〕{}号", n.text(form)),
            "decided_on": "2026-04-01",
            "legal_basis": format!("《中华人民共和国税收征收管理法》第六十三条{}", n.text(form)),
            "tier": "serious",
            "fields": {
                "violation_type": "偷税",
                "facts": n.text(form),
                "handling": format!("追缴税款{}", n.text(form)),
                "tax_authority": format!("国家税务总局深圳市税务局{}", n.text(form)),
                "responsible_person": format!("赵六{}", n.text(form)),
                "responsible_person_id": n.next(false),
            }
        });
        submitted(
            &app,
            &tax,
            "/api/v1/records",
            json!({"records": [violation]}),
        )
        .await;
        // A court-defaulter list entry: every field, an integer field, related persons.
        let age: i64 = n.next(false).parse().unwrap();
        let entry = json!({
            "subject": {"code": code, "name": name, "kind": "legal_person"},
            "ground": ground,
            "document_no": format!("(2026)粤03执{}号", n.text(form)),
            "starts_on": "2026-06-01",
            "legal_basis": format!("《最高人民法院关于公布失信被执行人名单信息的若干规定》{}", n.text(form)),
            "related_persons": [{"code": n.next(false), "name": format!("李四{}", n.text(form)),
                                 "role": "legal_representative"}],
            "fields": {
                "court": format!("深圳市中级人民法院{}", n.text(form)),
                "case_no": n.text(form),
                "obligation": format!("支付货款{}", n.text(form)),
                "performance": "全部未履行",
                "behaviour": format!("被执行人{}拒不履行", n.text(form)),
                "legal_representative": n.text(form),
                "basis_document_no": n.text(form),
                "basis_unit": n.text(form),
                "age": age,
            }
        });
        submitted(&app, &court, "/api/v1/lists/court_defaulter/entries", entry).await;
        orgs.push(code);
        names.push(name);
        names.push(person_name);
        persons.push(person);
    }
    Planted {
        app,
        numbers: n,
        orgs,
        names,
        persons,
    }
}

/// Sends an anonymous GET: status, content type, headers as text, and body.
async fn visit(app: &App, uri: &str) -> (StatusCode, String, String, String) {
    let request = Request::get(uri).body(Body::empty()).unwrap();
    let (status, headers, bytes) = respond(&app.state, request).await;
    let mut head = String::new();
    for (name, value) in &headers {
        head.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    (status, content_type, head, body)
}

#[tokio::test]
async fn no_public_output_holds_a_whole_identity_number() {
    let w = planted().await;
    let app = &w.app;
    let mut queue: VecDeque<String> = [
        "/",
        "/?lang=en",
        "/lists",
        "/lists/court_defaulter",
        "/lists/court_defaulter?lang=en",
        "/stats",
        "/rights",
        "/open-data",
        "/open-data/records.csv",
        "/open-data/records.jsonl",
        "/openapi.json",
        "/healthz",
        "/api/v1/catalogue",
        "/api/v1/purposes",
        "/api/v1/lists",
        "/api/v1/lists/court_defaulter/entries?limit=200",
        "/api/v1/memoranda",
        "/api/v1/subjects?limit=1000",
        "/api/v1/ledger/head",
        "/api/v1/ledger/entries?start=0&end=1000",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for q in ["科技有限公司", "王五", "深圳"] {
        queue.push_back(format!("/search?q={}", encode(q)));
        queue.push_back(format!("/api/v1/search?q={}&limit=100", encode(q)));
    }
    for name in &w.names {
        queue.push_back(format!("/search?q={}", encode(name)));
        queue.push_back(format!("/api/v1/search?q={}", encode(name)));
    }
    for code in &w.orgs {
        queue.push_back(format!("/subjects/{code}"));
        queue.push_back(format!("/subjects/{code}?lang=en"));
        queue.push_back(format!("/api/v1/subjects/{code}"));
        queue.push_back(format!("/api/v1/subjects/{code}/grade"));
    }
    // A visitor types a person's number, in every form, plain and percent-encoded, into every
    // place a URL takes one: no answer echoes it or links it whole.
    for person in &w.persons {
        for form in FORMS {
            let typed = form.write(person);
            for value in [typed.clone(), encode(&typed)] {
                for uri in [
                    format!("/search?q={value}"),
                    format!("/search?q={value}&lang=en"),
                    format!("/search?q={}%20{value}", encode("王五")),
                    format!("/api/v1/search?q={value}"),
                    format!("/subjects/{value}"),
                    format!("/subjects/{value}?lang=en"),
                    format!("/api/v1/subjects/{value}"),
                    format!("/lists/court_defaulter?department={value}"),
                    format!("/lists/court_defaulter?region={value}"),
                    format!("/lists/court_defaulter?page={value}"),
                    format!("/nowhere/{value}"),
                    format!("/stats?x={value}"),
                ] {
                    queue.push_back(uri);
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut subject_pages = 0;
    let mut leaks = Vec::new();
    while let Some(uri) = queue.pop_front() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let (status, content_type, head, text) = visit(app, &uri).await;
        assert!(!status.is_server_error(), "{uri}: {status}");
        let whole = w.numbers.whole_in(&format!("{head}\n{text}"));
        if !whole.is_empty() {
            leaks.push(format!("{uri} ({status}): {whole:?}"));
        }
        if status == StatusCode::OK && uri.starts_with("/subjects/") {
            subject_pages += 1;
        }
        if content_type.starts_with("text/html") {
            for link in links(&text) {
                let path = link.split('?').next().unwrap_or("");
                if !path.starts_with("/static/") && !seen.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
        if content_type.starts_with("application/json") {
            // Follow the API's own links (search results name each subject's page).
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            for r in v["results"].as_array().into_iter().flatten() {
                if let Some(url) = r["url"].as_str() {
                    queue.push_back(url.to_owned());
                    let key = url.trim_start_matches("/subjects/");
                    queue.push_back(format!("/api/v1/subjects/{key}"));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} public outputs hold whole identity numbers:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // The crawl reached what it had to: every organisation's and every person's page.
    assert!(
        subject_pages >= 2 * w.orgs.len() + w.persons.len(),
        "{subject_pages} subject pages"
    );
    assert!(seen.len() > 300, "{} outputs visited", seen.len());
}

/// An App holding one natural person, PERSON, with a public penalty; returns the person's
/// opaque id.
async fn one_person(app: &App) -> String {
    let (status, body) = app
        .post(json!([{
            "category": "admin_penalty",
            "subject": {"code": PERSON, "name": "张三", "kind": "natural_person"},
            "document_no": "深市监罚〔2026〕9号", "decided_on": "2026-04-01",
            "legal_basis": "《中华人民共和国行政处罚法》第二十八条", "tier": "general",
            "fields": {"facts": "无照经营", "penalty_kind": "罚款", "content": "罚款",
                       "authority": "深圳市市场监督管理局"}
        }]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, list) = app.get("/api/v1/subjects").await;
    list["subjects"][0]["id"].as_str().unwrap().to_owned()
}

/// GET `uri` with `token` (or none): status and body text.
async fn get_text(app: &App, token: Option<&str>, uri: &str) -> (StatusCode, String) {
    let mut request = Request::get(uri);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, _, bytes) = respond(&app.state, request.body(Body::empty()).unwrap()).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn a_full_identity_number_confirms_no_one_to_the_public() {
    let app = App::new().await;
    let id = one_person(&app).await;
    let store = &*app.state.store;
    let own = issue_token(store, Role::Subject, None, Some(PERSON), None, None).await;
    let other = issue_token(store, Role::Subject, None, Some(COMPANY), None, None).await;
    let operator = issue_token(store, Role::Operator, None, None, None, None).await;
    let service = issue_token(store, Role::Service, None, None, None, None).await;
    // Never issued: answers for it are the answers for an unknown person.
    let nobody = CitizenId::build(
        &DivisionCode::parse("110105").unwrap(),
        NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(),
        3,
    )
    .unwrap();
    let nobody = nobody.as_str();
    for number in [PERSON, "11010519491231002x"] {
        let search = format!("/api/v1/search?q={number}");
        let file = format!("/api/v1/subjects/{number}");
        let page = format!("/subjects/{number}");
        // The public, and a subject asking about someone else, learn nothing: the answers are
        // those for a number no one has.
        for token in [None, Some(other.as_str())] {
            let (status, body) = get_text(&app, token, &search).await;
            assert_eq!(status, StatusCode::OK);
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["total"], 0, "{body}");
            assert!(!body.contains("张三"), "{body}");
            let (status, body) = get_text(&app, token, &file).await;
            let (unknown_status, unknown_body) =
                get_text(&app, token, &format!("/api/v1/subjects/{nobody}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert_eq!(
                (status, body.as_str()),
                (unknown_status, unknown_body.as_str())
            );
            let (status, body) = get_text(&app, token, &page).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert!(!body.contains("张三"), "{body}");
            let (_, body) = get_text(&app, token, &format!("/search?q={number}")).await;
            assert!(!body.contains("张三"), "{body}");
        }
        // Token holders who answer for their use, and the person itself, find the person.
        for token in [&app.token, &operator, &service, &own] {
            let (status, body) = get_text(&app, Some(token), &search).await;
            assert_eq!(status, StatusCode::OK);
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["results"][0]["name"], "张三", "{body}");
            assert_eq!(v["results"][0]["id"], id.as_str(), "{body}");
            let (status, body) = get_text(&app, Some(token), &file).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (status, _) = get_text(&app, Some(token), &page).await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    // By name, and by the opaque id, the public finds the person's public file, masked.
    let (_, body) = get_text(&app, None, &format!("/api/v1/search?q={}", encode("张三"))).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["results"][0]["id"], id.as_str(), "{body}");
    assert_eq!(v["results"][0]["code"], "110105********002X", "{body}");
    let (status, body) = get_text(&app, None, &format!("/api/v1/subjects/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], "110105********002X");
    assert_eq!(v["records"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_person_s_language_toggle_links_its_opaque_id() {
    let app = App::new().await;
    let id = one_person(&app).await;
    // A department looks the person up by number; the toggle must lead to a page that exists.
    for uri in [
        format!("/subjects/{PERSON}"),
        format!("/subjects/{PERSON}?lang=en"),
    ] {
        let (status, body) = get_text(&app, Some(&app.token), &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let toggle = body
            .split("class=\"lang-toggle\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .replace("&amp;", "&");
        let expected = if uri.contains("lang=en") {
            format!("/subjects/{id}")
        } else {
            format!("/subjects/{id}?lang=en")
        };
        assert_eq!(toggle, expected, "{uri}");
        let (status, _) = get_text(&app, None, &toggle).await;
        assert_eq!(status, StatusCode::OK, "{toggle}");
    }
}
