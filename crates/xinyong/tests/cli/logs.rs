//! What the platform writes to its logs, captured from the real binary at the most verbose
//! filter it supports (issue #5: "no secrets or identity numbers in logs"). Logs are copied to
//! log servers, tickets and chat; they must never hold a token, an Authorization header, a
//! password, a key or a full citizen identity number, whatever the requests were.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::Server;
use xinyong_domain::code::CitizenId;

const DEPT: &str = "11440300LOGDEPT";
const COMPANY: &str = "91110000600037341L";
/// The natural person the department reports on, who also holds a subject token.
const PERSON: &str = "11010519491231002X";
/// A natural person named only inside free text, in checks and in a bad imported row.
const RELATIVE: &str = "440305198001010013";
/// An operator's password, and a wrong one.
const PASSWORD: &str = "日志 never-log-this 2026";
const WRONG_PASSWORD: &str = "wrong-password-never-log-this";

/// Runs the CLI in one directory, collecting everything it prints (but for the secrets that
/// a command prints on stdout by design, such as `token create`).
struct Cli<'a> {
    dir: &'a Path,
    log: &'a mut String,
}

impl Cli<'_> {
    fn cmd(&self) -> Command {
        let mut c = crate::common::xinyong(self.dir);
        c.env("XINYONG_LOG", "trace")
            .env("XINYONG_LEDGER_KEY", self.dir.join("ledger.key"))
            .current_dir(self.dir);
        c
    }

    /// Runs a command that must succeed; all it prints is log. Returns its stdout.
    fn run(&mut self, args: &[&str]) -> String {
        let stdout = self.run_quietly(args);
        self.log.push_str(&stdout);
        stdout
    }

    /// Runs a command that must succeed and prints a secret on stdout by design: only its
    /// stderr is log.
    fn run_quietly(&mut self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        self.log.push_str(&stderr);
        assert!(out.status.success(), "xinyong {args:?}: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must succeed with `input` on its stdin.
    fn run_with_stdin(&mut self, args: &[&str], input: &str) -> String {
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        self.log.push_str(&stdout);
        self.log.push_str(&stderr);
        assert!(out.status.success(), "xinyong {args:?}: {stderr}");
        stdout
    }

    /// Creates a token and returns its secret.
    fn token(&mut self, args: &[&str]) -> String {
        let secret = self.run_quietly(&[&["token", "create"][..], args].concat());
        secret.trim().to_owned()
    }
}

impl Server {
    fn start(cli: &Cli<'_>) -> Server {
        Server::spawn(cli.cmd().args([
            "serve",
            "--demo",
            "--subjects",
            "120",
            "--addr",
            "127.0.0.1:0",
            "--sth-interval",
            "1",
        ]))
    }
}

/// Every full citizen identity number in `text`: each run of 17 digits and a check character
/// (not part of a longer run of digits) that passes the GB 11643 checks.
fn identity_numbers(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for i in 0..bytes.len().saturating_sub(17) {
        let w = &bytes[i..i + 18];
        let shaped = w[..17].iter().all(u8::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == b'X' || w[17] == b'x');
        let alone = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 18).is_none_or(|b| !b.is_ascii_digit());
        if shaped && alone {
            let candidate = std::str::from_utf8(w).unwrap().to_ascii_uppercase();
            if CitizenId::parse(&candidate).is_ok() {
                found.push(candidate);
            }
        }
    }
    found
}

/// `text` with every `%XX` decoded, so that an encoded identity number is found too.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every token-shaped string in `text` (`xy_` and 64 hexadecimal digits).
fn token_shaped(text: &str) -> Vec<String> {
    text.match_indices("xy_")
        .filter_map(|(i, _)| {
            let rest = text.get(i + 3..i + 3 + 64)?;
            rest.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| format!("xy_{rest}"))
        })
        .collect()
}

fn record(category: &str, code: &str, name: &str, kind: &str, doc: &str, fields: Value) -> Value {
    let mut r = json!({
        "category": category,
        "subject": {"code": code, "name": name, "kind": kind},
        "document_no": doc, "decided_on": "2026-04-01", "legal_basis": "《某法》第一条",
        "fields": fields,
    });
    if ["admin_penalty", "social_insurance_arrears"].contains(&category) {
        r["tier"] = json!("general");
    }
    r
}

#[test]
fn logs_never_contain_secrets_or_identity_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    let mut cli = Cli {
        dir: dir.path(),
        log: &mut log,
    };
    // Every value that must never reach a log.
    let mut secrets: Vec<String> = Vec::new();

    cli.run(&[
        "department",
        "add",
        "--code",
        DEPT,
        "--name",
        "深圳市日志核查局",
        "--category",
        "admin_penalty",
        "--category",
        "court_defaulter",
        "--category",
        "tax_credit_rating",
        "--category",
        "social_insurance_arrears",
        "--list",
        "court_defaulter",
    ]);
    let dept = cli.token(&["--role", "department", "--department", DEPT]);
    let service = cli.token(&["--role", "service", "--label", "某征信公司"]);
    let operator = cli.token(&["--role", "operator"]);
    let subject = cli.token(&["--role", "subject", "--subject", PERSON]);
    let expired = cli.token(&[
        "--role",
        "department",
        "--department",
        DEPT,
        "--expires-in-days",
        "0",
    ]);
    let revoked = cli.token(&["--role", "service", "--label", "to be revoked"]);
    let listing = cli.run(&["token", "list"]);
    let revoked_id = listing
        .lines()
        .find(|l| l.contains("to be revoked"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_owned();
    cli.run(&["token", "revoke", &revoked_id]);
    cli.run_with_stdin(&["operator", "add", "ops-alice"], &format!("{PASSWORD}\n"));
    cli.run(&["operator", "list"]);
    secrets.push(PASSWORD.to_owned());
    secrets.push(WRONG_PASSWORD.to_owned());
    let never_issued = format!("xy_{}", "5a".repeat(32));
    for t in [
        &dept,
        &service,
        &operator,
        &subject,
        &expired,
        &revoked,
        &never_issued,
    ] {
        assert!(t.starts_with("xy_") && t.len() == 67, "{t}");
        secrets.push(t.clone());
        // The random part alone must not appear either (a log that strips the prefix).
        secrets.push(t[3..].to_owned());
    }

    let server = Server::start(&cli);

    // A department submits records about natural persons and organisations, in every class,
    // with an identity number inside free text too.
    let person = |category: &str, doc: &str, fields: Value| {
        record(category, PERSON, "张三", "natural_person", doc, fields)
    };
    let batch = json!({"records": [
        person("court_defaulter", "(2026)粤03执1号", json!({
            "ground": "有履行能力而拒不履行", "court": "深圳市中级人民法院", "case_no": "(2026)粤03执1号",
            "obligation": "支付货款", "performance": "全部未履行",
            "behaviour": format!("被执行人张三（{PERSON}）拒不履行，其亲属{RELATIVE}代为签收")})),
        person("social_insurance_arrears", "社1", json!({
            "insurance_type": "养老保险", "amount_yuan": "1200.50", "arrears_period": "2025年",
            "social_security_office": "深圳市社保局"})),
        record("admin_penalty", COMPANY, "北京示例科技有限公司", "legal_person", "罚1", json!({
            "facts": "未按规定公示年度报告", "penalty_kind": "罚款", "content": "罚款人民币一万元",
            "authority": "深圳市日志核查局", "legal_representative": "张三"})),
        record("tax_credit_rating", COMPANY, "北京示例科技有限公司", "legal_person", "评1",
               json!({"rating": "A", "year": 2025})),
    ]});
    server.expect(
        201,
        server.post("/api/v1/records", Some(&dept), &batch),
        "submission",
    );
    // An invalid record naming a person, and a body that is not a batch at all.
    let mut invalid = person("admin_penalty", "罚2", json!({"facts": RELATIVE}));
    invalid["decided_on"] = json!(format!("{RELATIVE}-01"));
    server.expect(
        422,
        server.post(
            "/api/v1/records",
            Some(&dept),
            &json!({"records": [invalid]}),
        ),
        "invalid record",
    );
    server.expect(
        400,
        server.post("/api/v1/records", Some(&dept), &json!({"records": PERSON})),
        "not a batch",
    );

    // Reads with purposes: shared, restricted by legal basis, restricted by an approved special
    // application; a credit service reads shared information masked.
    for path in [
        format!("/api/v1/subjects/{PERSON}?purpose=supervision"),
        format!(
            "/api/v1/subjects/{PERSON}?purpose=supervision&legal_basis=%E3%80%8A%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%B3%95%E3%80%8B%E7%AC%AC%E5%85%AB%E5%8D%81%E5%85%AD%E6%9D%A1"
        ),
        format!("/api/v1/subjects/{COMPANY}?purpose=supervision"),
    ] {
        server.expect(200, server.get(&path, Some(&dept)), &path);
    }
    // A credit service reads only with the subject's grant: refused, then granted by the
    // person, read, and the grant revoked.
    server.expect(
        403,
        server.get(
            &format!("/api/v1/subjects/{PERSON}?purpose=credit_report"),
            Some(&service),
        ),
        "service read without a grant",
    );
    let grant = server.expect(
        201,
        server.post(
            "/api/v1/me/grants",
            Some(&subject),
            &json!({"service": "某征信公司", "purpose": "credit_report"}),
        ),
        "grant",
    );
    server.expect(
        200,
        server.get(
            &format!("/api/v1/subjects/{PERSON}?purpose=credit_report"),
            Some(&service),
        ),
        "service read",
    );
    server.expect(
        200,
        server.call(
            "DELETE",
            &format!("/api/v1/me/grants/{}", grant["id"].as_str().unwrap()),
            Some(&format!("Bearer {subject}")),
            None,
        ),
        "revoke the grant",
    );
    let application = server.expect(
        201,
        server.post(
            "/api/v1/special-applications",
            Some(&dept),
            &json!({"subject": PERSON, "purpose": "supervision", "reason": format!("核查{PERSON}社保欠缴"),
                    "legal_basis": "《社会保险法》第八十六条"}),
        ),
        "special application",
    );
    let application = application["id"].as_str().unwrap().to_owned();
    // An operator signs in with a password and works with the session's token.
    let session = server.expect(
        201,
        server.post(
            "/api/v1/sessions",
            None,
            &json!({"name": "ops-alice", "password": PASSWORD}),
        ),
        "sign-in",
    );
    let session = session["token"].as_str().unwrap().to_owned();
    secrets.push(session.clone());
    secrets.push(session[3..].to_owned());
    server.expect(
        200,
        server.get("/api/v1/special-applications", Some(&session)),
        "pending applications",
    );
    server.expect(
        200,
        server.post(
            &format!("/api/v1/special-applications/{application}/decision"),
            Some(&operator),
            &json!({"approve": true, "note": "同意", "valid_days": 3}),
        ),
        "decision",
    );
    server.expect(
        200,
        server.get(
            &format!("/api/v1/special-applications/{application}"),
            Some(&dept),
        ),
        "follow the application",
    );
    server.expect(
        200,
        server.get(
            &format!("/api/v1/subjects/{PERSON}?purpose=supervision&application={application}"),
            Some(&dept),
        ),
        "read by application",
    );
    // A service may not state a department's purpose: refused, and logged without the number.
    server.expect(
        403,
        server.get(
            &format!("/api/v1/subjects/{PERSON}?purpose=supervision"),
            Some(&service),
        ),
        "service with a department purpose",
    );

    // A department imports a file while the server runs: one good row about a person, one bad
    // row with an identity number where a date belongs.
    let good = person(
        "admin_penalty",
        "罚导1",
        json!({
        "facts": format!("当事人{PERSON}无证经营"), "penalty_kind": "罚款", "content": "罚款人民币五千元",
        "authority": "深圳市日志核查局"}),
    );
    let mut bad = good.clone();
    bad["document_no"] = json!("罚导2");
    bad["decided_on"] = json!(RELATIVE);
    bad["subject"]["code"] = json!(format!("{}0", &RELATIVE[..17]));
    let file = dir.path().join("import.jsonl");
    std::fs::write(&file, format!("{good}\n{bad}\n")).unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    cli.run(&[
        "import",
        "--department",
        DEPT,
        "--partial",
        "--rejects",
        rejects.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);

    // Credit checks, one and a batch, and feedback.
    let check = server.expect(
        200,
        server.post(
            "/api/v1/checks",
            Some(&dept),
            &json!({"subject": PERSON, "context": "government_procurement"}),
        ),
        "check",
    );
    server.expect(
        200,
        server.post(
            "/api/v1/checks",
            Some(&dept),
            &json!({"subjects": [PERSON, RELATIVE, COMPANY], "context": "bidding"}),
        ),
        "batch check",
    );
    server.expect(
        422,
        server.post(
            "/api/v1/checks",
            Some(&dept),
            &json!({"subjects": [format!("{}0", &PERSON[..17]), PERSON], "context": "bidding"}),
        ),
        "check with a bad code",
    );
    let check_id = check["check_id"].as_str().unwrap();
    server.expect(
        201,
        server.post(
            &format!("/api/v1/checks/{check_id}/feedback"),
            Some(&dept),
            &json!({"applied": []}),
        ),
        "feedback",
    );
    server.expect(
        200,
        server.get("/api/v1/checks/stats", Some(&dept)),
        "stats",
    );

    // The subject reads its own full file.
    let own = server.expect(
        200,
        server.get("/api/v1/me/records", Some(&subject)),
        "own file",
    );
    assert_eq!(own["code"], PERSON, "the subject sees its own number");

    // The public: API and website. A full number finds no one publicly (SECURITY.md), but is
    // asked for all the same, and logged masked; the person is found by name and its page
    // reached by the opaque address.
    for path in [
        format!("/api/v1/subjects/{PERSON}"),
        format!("/subjects/{PERSON}"),
    ] {
        server.expect(404, server.get(&path, None), &path);
    }
    server.expect(
        200,
        server.get(&format!("/api/v1/search?q={PERSON}"), None),
        "API search",
    );
    let (_, page) = server.get(&format!("/search?q={PERSON}"), None);
    assert!(!page.contains(PERSON), "the search page masks the number");
    // 张三, percent-encoded.
    let (_, page) = server.get("/search?q=%E5%BC%A0%E4%B8%89", None);
    let opaque = page
        .split("/subjects/")
        .nth(1)
        .map(|s| s.chars().take(26).collect::<String>())
        .expect("a link to the person's page");
    for path in [
        format!("/subjects/{opaque}"),
        format!("/api/v1/subjects/{opaque}"),
        "/".to_owned(),
        "/lists/court_defaulter".to_owned(),
        "/open-data/records.jsonl".to_owned(),
        "/stats".to_owned(),
    ] {
        server.expect(200, server.get(&path, None), &path);
    }
    server.expect(
        400,
        server.get(&format!("/subjects/{}0", &PERSON[..17]), None),
        "a mistyped number on the website",
    );

    // The audit log, as a monitor reads it (heads are signed every second).
    std::thread::sleep(Duration::from_millis(1500));
    let head = server.expect(200, server.get("/api/v1/ledger/head", None), "head");
    let size = head["tree_size"].as_u64().unwrap();
    assert!(size > 2, "{head}");
    for path in [
        format!("/api/v1/ledger/entries?start=0&end={size}"),
        format!("/api/v1/ledger/proof/inclusion?leaf=1&size={size}"),
        format!("/api/v1/ledger/proof/consistency?from=1&to={size}"),
    ] {
        server.expect(200, server.get(&path, None), &path);
    }

    // Failed authentication last: it spends the address's failure budget (10 a minute), after
    // which guesses and sign-ins from it are refused for the rest of the minute.
    let malformed = "Bearer not-a-token-at-all".to_owned();
    let basic = "Basic ZGVwdDpodW50ZXIyLXBhc3N3b3Jk".to_owned();
    let failures: Vec<(String, String)> = vec![
        (
            format!("/api/v1/subjects/{PERSON}?purpose=supervision"),
            format!("Bearer {never_issued}"),
        ),
        (format!("/subjects/{PERSON}"), format!("Bearer {expired}")),
        ("/api/v1/me/records".into(), format!("Bearer {revoked}")),
        (format!("/api/v1/subjects/{PERSON}"), malformed.clone()),
        (format!("/subjects/{opaque}"), basic.clone()),
        (
            format!("/api/v1/search?q={PERSON}"),
            format!("Bearer {}", &dept[..40]),
        ),
        // The same number in lower case and percent-encoded.
        (
            format!("/subjects/{}", PERSON.to_ascii_lowercase()),
            format!("Bearer {never_issued}"),
        ),
        (
            format!(
                "/api/v1/subjects/{}",
                PERSON
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect::<String>()
            ),
            format!("Bearer {never_issued}"),
        ),
    ];
    for (path, authorization) in &failures {
        let (status, body) = server.call("GET", path, Some(authorization), None);
        assert_eq!(status, 401, "{path} with {authorization}: {body}");
        secrets.push(authorization.clone());
    }
    secrets.push(malformed["Bearer ".len()..].to_owned());
    secrets.push(basic["Basic ".len()..].to_owned());
    secrets.push(dept[..40].to_owned());
    // Failed sign-ins: a wrong password, and a password typed into the name field.
    for credentials in [
        json!({"name": "ops-alice", "password": WRONG_PASSWORD}),
        json!({"name": PASSWORD, "password": PASSWORD}),
    ] {
        let (status, body) = server.post("/api/v1/sessions", None, &credentials);
        assert_eq!(status, 401, "{body}");
    }
    // Ten failures spent the budget: now even the right password waits.
    let (status, body) = server.post(
        "/api/v1/sessions",
        None,
        &json!({"name": "ops-alice", "password": PASSWORD}),
    );
    assert_eq!(status, 429, "{body}");
    cli.run(&["operator", "disable", "ops-alice"]);

    let output = server.stop();
    // `serve --demo` prints one token of each role on stdout by design (shown once, as
    // `token create` does); everything else it printed is log.
    let demo_tokens = [
        "  OPERATOR=xy_",
        "  TOKEN=xy_",
        "  SERVICE=xy_",
        "  SELF=xy_",
    ];
    let (printed, output): (Vec<&str>, Vec<&str>) = output
        .lines()
        .partition(|l| demo_tokens.iter().any(|p| l.starts_with(p)));
    // Tokens existed before the server started here, so the demo issued none.
    assert!(printed.is_empty(), "{printed:?}");
    cli.log.push_str(&output.join("\n"));
    cli.run(&["ledger", "verify"]);
    assert!(
        log.contains("authentication failed")
            && log.contains("operator sign-in refused")
            && log.contains("wrong password"),
        "failed authentication is logged as a security event:\n{log}"
    );
    assert!(
        log.contains("non-public read") && log.contains("sqlx::query"),
        "the filter let through the platform's events and its libraries' traces:\n{log}"
    );

    // Key material: the data keys (base64 in a TOML keyring) and the ledger's signing key.
    let keyring = std::fs::read_to_string(dir.path().join("xinyong-data.key")).unwrap();
    let keys: Vec<&str> = keyring
        .split('"')
        .filter(|v| v.len() >= 40 && !v.contains(char::is_whitespace))
        .collect();
    assert!(
        keys.len() >= 2,
        "a lookup key and a data key: {}",
        keys.len()
    );
    secrets.extend(keys.iter().map(|k| (*k).to_owned()));
    let signing = std::fs::read(dir.path().join("ledger.key")).unwrap();
    secrets.push(hex::encode(&signing));

    let mut leaks = Vec::new();
    for s in &secrets {
        if log.contains(s.as_str()) {
            leaks.push(format!("secret {s:?}"));
        }
    }
    for t in token_shaped(&log) {
        leaks.push(format!("token-shaped string {t}"));
    }
    for id in identity_numbers(&log) {
        leaks.push(format!("identity number {id}"));
    }
    for id in identity_numbers(&percent_decoded(&log)) {
        leaks.push(format!("percent-encoded identity number {id}"));
    }
    for id in [PERSON, RELATIVE] {
        if log.contains(id) {
            leaks.push(format!("identity number {id} (known)"));
        }
    }
    if !leaks.is_empty() {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| {
                secrets.iter().any(|s| l.contains(s.as_str()))
                    || !identity_numbers(&percent_decoded(l)).is_empty()
                    || !token_shaped(l).is_empty()
            })
            .take(20)
            .collect();
        panic!(
            "{} leaks in {} bytes of logs: {leaks:?}\nfirst lines that leak:\n{}",
            leaks.len(),
            log.len(),
            lines.join("\n")
        );
    }
}

/// Issue #12: every deadline can be recomputed later, because the audit log names the
/// calendar (by its file's digest) that the server computed deadlines from. Issue #16: a fresh
/// demo prints a token of each role, and they work.
#[test]
fn a_demo_server_prints_a_token_per_role_and_logs_its_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    let cli = Cli {
        dir: dir.path(),
        log: &mut log,
    };
    let server = Server::start(&cli);
    std::thread::sleep(Duration::from_millis(300));
    let printed = String::from_utf8_lossy(&server.output.lock().unwrap()).into_owned();
    let token = |name: &str| -> String {
        let line = printed
            .lines()
            .find(|l| l.starts_with(&format!("  {name}=xy_")))
            .unwrap_or_else(|| panic!("no {name} token printed:\n{printed}"));
        line.split_whitespace().next().unwrap()[name.len() + 1..].to_owned()
    };
    let own = server.expect(
        200,
        server.get("/api/v1/me/records", Some(&token("SELF"))),
        "subject",
    );
    assert!(own["records"].is_array());
    server.expect(
        200,
        server.get("/api/v1/objections", Some(&token("TOKEN"))),
        "department",
    );
    server.expect(
        200,
        server.get("/api/v1/special-applications", Some(&token("OPERATOR"))),
        "operator",
    );
    server.expect(
        200,
        server.get("/api/v1/services", Some(&token("SERVICE"))),
        "service",
    );
    server.stop();
    let db = crate::common::db_url(dir.path());
    let rows = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            use xinyong_store::LedgerStore;
            let store = xinyong_store::SqliteStore::open(&db).await.unwrap();
            store.ledger_rows(0, 100).await.unwrap()
        });
    let calendar = xinyong_domain::calendar::WorkingCalendar::shipped();
    let loaded: Vec<_> = rows
        .iter()
        .filter(|r| r.entry.kind == "calendar.loaded")
        .collect();
    assert_eq!(loaded.len(), 1, "one per server start");
    assert_eq!(loaded[0].entry.actor, "serve");
    assert_eq!(
        loaded[0].ref_id.as_deref(),
        Some(format!("calendar:{}", calendar.digest()).as_str())
    );
}
