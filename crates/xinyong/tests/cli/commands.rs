//! The `xinyong` command as a user runs it: a real binary, a real SQLite file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use xinyong_store::SqliteStore;
use xinyong_store::prelude::*;

pub(crate) const DEPT: &str = "SZ-SAMR";
pub(crate) const COMPANY: &str = "91110000600037341L";
const OTHER: &str = "91110108551385082Q";

pub(crate) struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = env.run(&[
            "department",
            "add",
            "--code",
            DEPT,
            "--name",
            "深圳市市场监督管理局",
            "--category",
            "admin_penalty",
            "--category",
            "admin_license",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        env
    }

    pub(crate) fn db(&self) -> String {
        crate::common::db_url(self.dir.path())
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn cmd(&self) -> Command {
        crate::common::xinyong(self.dir.path())
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub(crate) fn import(&self, extra: &[&str], file: &Path) -> Output {
        let mut args = vec!["import", "--department", DEPT];
        args.extend_from_slice(extra);
        let f = file.to_str().unwrap().to_owned();
        args.push(&f);
        self.run(&args)
    }

    pub(crate) fn records(&self, code: &str) -> Vec<xinyong_domain::Record> {
        let db = self.db();
        let code = code.to_owned();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                // With the directory's data keys, so that a person's number finds its records.
                let key = std::path::Path::new(db.trim_start_matches("sqlite://"))
                    .with_file_name("xinyong-data.key");
                let (vault, _) = xinyong_store::vault::Vault::load_or_generate(&key).unwrap();
                let store = SqliteStore::open_with(&db, std::sync::Arc::new(vault))
                    .await
                    .unwrap();
                store.records_of_subject(&code).await.unwrap()
            })
    }
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ZH_HEADER: &str = "行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,失信严重程度,处罚机关,备注\n";

fn zh_row(code: &str, doc: &str) -> String {
    format!(
        "北京示例科技有限公司,法人及非法人组织,{code},张三,{doc},广告监管,发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款人民币二万元,2.0,2026-09-01,一般,深圳市市场监督管理局,\n"
    )
}

/// Issue #16: an import written to a log (no terminal) showed no progress at all.
#[test]
fn an_import_without_a_terminal_says_how_far_it_is_in_plain_lines() {
    let env = Env::new();
    let mut bytes = ZH_HEADER.as_bytes().to_vec();
    let shenzhen = xinyong_domain::code::DivisionCode::parse("440305").unwrap();
    for i in 0..4500 {
        let code =
            xinyong_domain::code::UnifiedCode::build('9', '1', &shenzhen, &format!("{i:08}"))
                .unwrap();
        let code = code.as_str();
        bytes.extend(zh_row(code, &format!("深市监罚〔2026〕{i}号")).as_bytes());
    }
    let file = env.write("many.csv", &bytes);
    let out = env
        .cmd()
        .env("XINYONG_PROGRESS_EVERY_MS", "0")
        .args([
            "import",
            "--department",
            DEPT,
            "--category",
            "admin_penalty",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("rows stored so far"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no terminal escapes in a log: {err:?}"
    );
}

#[test]
fn csv_with_chinese_standard_headers_and_bom_is_imported() {
    let env = Env::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(ZH_HEADER.as_bytes());
    bytes.extend(zh_row(COMPANY, "深市监罚〔2026〕1号").as_bytes());
    bytes.extend(zh_row(OTHER, "深市监罚〔2026〕2号").as_bytes());
    let file = env.write("penalties.csv", &bytes);
    let out = env.import(&["--category", "admin_penalty"], &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 rows: 2 created"),
        "{}",
        stderr(&out)
    );
    let recs = env.records(COMPANY);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].document_no, "深市监罚〔2026〕1号");
    assert_eq!(recs[0].fields["fine_10k_yuan"], "2.0");
    assert_eq!(recs[0].fields["legal_representative"], "张三");
    assert_eq!(recs[0].tier, Some(xinyong_domain::Tier::General));
}

#[test]
fn gbk_encoded_csv_is_detected_and_imported() {
    let env = Env::new();
    let text = format!("{ZH_HEADER}{}", zh_row(COMPANY, "深市监罚〔2026〕9号"));
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let file = env.write("gbk.csv", &gbk);
    let out = env.import(&["--category", "admin_penalty"], &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = env.records(COMPANY);
    assert_eq!(recs[0].subject_name, "北京示例科技有限公司");
    assert_eq!(recs[0].fields["facts"], "发布虚假广告");
}

#[test]
fn nothing_is_silently_lost_a_file_mixing_utf8_and_gbk_is_refused_naming_the_row() {
    let env = Env::new();
    let mut bytes = format!("{ZH_HEADER}{}", zh_row(COMPANY, "深市监罚〔2026〕11号")).into_bytes();
    let gbk_row = zh_row(OTHER, "深市监罚〔2026〕12号").replace("北京示例", "混合编码一");
    bytes.extend(encoding_rs::GBK.encode(&gbk_row).0.iter());
    let file = env.write("mixed.csv", &bytes);
    let out = env.import(&["--category", "admin_penalty"], &file);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("line 3") && stderr(&out).contains("mixes encodings"),
        "{}",
        stderr(&out)
    );
    assert!(env.records(COMPANY).is_empty() && env.records(OTHER).is_empty());
}

#[test]
fn nothing_is_silently_lost_gbk_text_after_64_kib_of_ascii_is_decoded_not_replaced() {
    let env = Env::new();
    // ASCII rows (English field names) fill the first 64 KiB, then a GBK row.
    let header = "category,subject_code,subject_name,subject_kind,document_no,decided_on,legal_basis,tier,facts,penalty_kind,content,authority\n";
    let mut text = header.to_owned();
    let mut n = 0;
    while text.len() < 70 * 1024 {
        n += 1;
        text.push_str(&format!(
            "admin_penalty,{COMPANY},Beijing Example Co,legal_person,DOC-{n},2026-09-01,Law art. 28,general,facts,fine,content,SAMR\n"
        ));
    }
    text.push_str(&format!(
        "admin_penalty,{OTHER},北京示例二有限公司,legal_person,深市监罚〔2026〕13号,2026-09-01,《中华人民共和国行政处罚法》第二十八条,general,发布虚假广告,罚款,罚款人民币二万元,深圳市市场监督管理局\n"
    ));
    let file = env.write("late-gbk.csv", &encoding_rs::GBK.encode(&text).0);
    let out = env.import(&[], &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let recs = env.records(OTHER);
    assert_eq!(recs[0].document_no, "深市监罚〔2026〕13号");
    assert_eq!(
        recs[0].legal_basis,
        "《中华人民共和国行政处罚法》第二十八条"
    );
}

#[test]
fn csv_with_english_headers_and_category_column_is_imported() {
    let env = Env::new();
    let csv = format!(
        "category,subject_code,subject_name,subject_kind,document_no,decided_on,legal_basis,tier,facts,penalty_kind,content,authority\n\
         admin_penalty,{COMPANY},示例公司,legal_person,罚E1,2026-08-01,《行政处罚法》,serious,事实,罚款,罚款一万元,市场监管局\n"
    );
    let file = env.write("en.csv", csv.as_bytes());
    let out = env.import(&[], &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        env.records(COMPANY)[0].tier,
        Some(xinyong_domain::Tier::Serious)
    );
}

#[test]
fn jsonl_is_imported_and_reimport_is_a_no_op() {
    let env = Env::new();
    let line = serde_json::json!({
        "category": "admin_penalty",
        "subject": {"code": COMPANY, "name": "示例公司", "kind": "legal_person"},
        "document_no": "罚J1", "decided_on": "2026-07-01", "legal_basis": "《行政处罚法》", "tier": "general",
        "fields": {"facts": "事实", "penalty_kind": "罚款", "content": "罚款", "authority": "市场监管局"}
    });
    let file = env.write("r.jsonl", format!("{line}\n\n").as_bytes());
    let out = env.import(&[], &file);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = env.import(&[], &file);
    assert!(
        stderr(&again).contains("0 created, 0 new versions, 1 unchanged"),
        "{}",
        stderr(&again)
    );
    assert_eq!(env.records(COMPANY).len(), 1);

    // Each import names in the audit log the catalogue that validated it.
    let db = env.db();
    let rows = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            let store = SqliteStore::open(&db).await.unwrap();
            store.ledger_rows(0, 100).await.unwrap()
        });
    let catalogue = serde_json::to_value(xinyong_domain::Catalogue::shipped()).unwrap();
    let loaded: Vec<_> = rows
        .iter()
        .filter(|r| r.entry.kind == "catalogue.loaded")
        .collect();
    assert_eq!(loaded.len(), 2, "one per import run");
    assert!(loaded.iter().all(|r| r.entry.actor == "import"
        && r.entry.payload_hash == xinyong_store::ledger::json_digest(&catalogue)));
}

#[test]
fn one_bad_row_rejects_the_whole_file_naming_row_and_column() {
    let env = Env::new();
    let text = format!(
        "{ZH_HEADER}{}{}{}",
        zh_row(COMPANY, "罚1"),
        zh_row("91110108551385082A", "罚2"),
        zh_row(OTHER, "罚3").replace("2026-09-01", "2026-13-01")
    );
    let file = env.write("bad.csv", text.as_bytes());
    let out = env.import(&["--category", "admin_penalty"], &file);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("row 3: 统一社会信用代码: character 18"),
        "{err}"
    );
    assert!(err.contains("row 4: 处罚决定日期"), "{err}");
    assert!(err.contains("nothing from this file was stored"), "{err}");
    assert!(
        env.records(COMPANY).is_empty(),
        "the good row was not stored either"
    );
}

#[test]
fn partial_import_stores_good_rows_and_writes_rejects() {
    let env = Env::new();
    let text = format!(
        "{ZH_HEADER}{}{}",
        zh_row(COMPANY, "罚1"),
        zh_row("91110108551385082A", "罚2")
    );
    let file = env.write("mixed.csv", text.as_bytes());
    let rejects = env.path("rejects.jsonl");
    let out = env.import(
        &[
            "--category",
            "admin_penalty",
            "--partial",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
        &file,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.records(COMPANY).len(), 1);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["row"], 3);
    assert_eq!(lines[0]["errors"][0]["field"], "统一社会信用代码");
    assert_eq!(lines[0]["input"]["行政处罚决定书文号"], "罚2");
}

#[test]
fn categories_the_department_may_not_submit_are_refused() {
    let env = Env::new();
    let out = env.import(
        &["--category", "court_defaulter"],
        &env.write("x.csv", ZH_HEADER.as_bytes()),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("may not submit"), "{}", stderr(&out));
}

#[test]
fn unknown_columns_are_refused_before_anything_is_read() {
    let env = Env::new();
    let text = format!(
        "{}{}",
        ZH_HEADER.replace("备注", "小道消息"),
        zh_row(COMPANY, "罚1")
    );
    let out = env.import(
        &["--category", "admin_penalty"],
        &env.write("x.csv", text.as_bytes()),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("小道消息"), "{}", stderr(&out));
}

#[test]
fn department_add_is_idempotent_and_checks_categories() {
    let env = Env::new();
    let again = env.run(&[
        "department",
        "add",
        "--code",
        DEPT,
        "--name",
        "深圳市市场监督管理局",
        "--category",
        "admin_penalty",
    ]);
    assert!(again.status.success());
    let list = env.run(&["department", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text.lines().count(), 1);
    assert!(
        text.contains("admin_license,admin_penalty"),
        "categories are only ever added: {text}"
    );
    let bad = env.run(&[
        "department",
        "add",
        "--code",
        DEPT,
        "--name",
        "x",
        "--category",
        "rumours",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("rumours"));
}

#[test]
fn token_create_prints_the_token_alone() {
    let env = Env::new();
    let out = env.run(&[
        "token",
        "create",
        "--role",
        "department",
        "--department",
        DEPT,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(
        stdout.trim().starts_with("xy_") && stdout.trim().len() == 67,
        "{stdout}"
    );
    let unknown = env.run(&[
        "token",
        "create",
        "--role",
        "department",
        "--department",
        "NOPE",
    ]);
    assert!(!unknown.status.success());
}

#[test]
fn subject_tokens_name_a_valid_subject_and_other_roles_name_none() {
    let env = Env::new();
    let ok = |args: &[&str]| {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    ok(&[
        "token",
        "create",
        "--role",
        "service",
        "--label",
        "某征信公司",
    ]);
    ok(&[
        "token",
        "create",
        "--role",
        "subject",
        "--subject",
        "91110000600037341L",
    ]);
    let list = String::from_utf8(env.run(&["token", "list"]).stdout).unwrap();
    assert!(
        list.contains("\tservice\t") && list.contains("\tsubject\t"),
        "{list}"
    );
    assert!(
        !list.contains("91110000600037341L"),
        "the listing does not name subjects"
    );
    for (args, names) in [
        (vec!["--role", "subject"], "--subject"),
        (
            vec!["--role", "subject", "--subject", "91110000600037341X"],
            "--subject",
        ),
        (
            vec!["--role", "service", "--subject", "91110000600037341L"],
            "--subject",
        ),
        (
            vec!["--role", "service", "--department", DEPT],
            "--department",
        ),
        (vec!["--role", "auditor"], "--role"),
    ] {
        let out = env.run(&[&["token", "create"][..], &args[..]].concat());
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(stderr(&out).contains(names), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn db_flag_goes_before_or_after_the_subcommand() {
    let env = Env::new();
    let other = format!("sqlite://{}", env.path("other.db").display());
    for args in [
        vec![
            "--db",
            other.as_str(),
            "department",
            "add",
            "--code",
            "A1",
            "--name",
            "甲",
            "--category",
            "honour",
        ],
        vec![
            "department",
            "add",
            "--code",
            "B2",
            "--name",
            "乙",
            "--category",
            "honour",
            "--db",
            other.as_str(),
        ],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .env_remove("XINYONG_DB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let list = env
        .cmd()
        .args(["department", "list", "--db", other.as_str()])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 2);
}

#[test]
fn code_check_reports_each_code_and_exits_1_on_any_invalid() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .args(["code", "check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"91350200MA2YJ1XR9G\n11010519491231002X\n91350200MA2YJ1XR9X\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "91350200MA2YJ1XR9G\tvalid\tunified_social_credit_code"
    );
    assert_eq!(lines[1], "11010519491231002X\tvalid\tcitizen_id");
    assert_eq!(
        lines[2],
        "91350200MA2YJ1XR9X\tinvalid\tcharacter 18: check character should be 'G', found 'X'"
    );
    let ok = env.run(&["code", "check", "12100000400009880K"]);
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn demo_fills_an_empty_database_once_and_is_deterministic() {
    let env = Env::new();
    let out = env.run(&["demo", "--subjects", "300", "--seed", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("300 subjects"));
    let again = env.run(&["demo", "--subjects", "300"]);
    assert!(
        stderr(&again).contains("already holds"),
        "{}",
        stderr(&again)
    );
    let a = env.run(&[
        "demo",
        "--subjects",
        "50",
        "--seed",
        "5",
        "--jsonl",
        env.path("a.jsonl").to_str().unwrap(),
    ]);
    let b = env.run(&[
        "demo",
        "--subjects",
        "50",
        "--seed",
        "5",
        "--jsonl",
        env.path("b.jsonl").to_str().unwrap(),
    ]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(
        std::fs::read(env.path("a.jsonl")).unwrap(),
        std::fs::read(env.path("b.jsonl")).unwrap()
    );
}

#[test]
fn tokens_are_listed_without_secrets_and_revoked_by_id() {
    let env = Env::new();
    let out = env.run(&[
        "token",
        "create",
        "--role",
        "department",
        "--department",
        DEPT,
        "--label",
        "上报系统",
    ]);
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let list = String::from_utf8(env.run(&["token", "list"]).stdout).unwrap();
    assert!(
        !list.contains(&secret) && !list.contains(&secret[3..]),
        "no secret in the listing"
    );
    let row = list.lines().find(|l| l.contains("上报系统")).unwrap();
    assert!(row.ends_with("\tactive"), "{row}");
    let id = row.split('\t').next().unwrap().to_owned();
    let revoke = env.run(&["token", "revoke", &id]);
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    let list = String::from_utf8(env.run(&["token", "list"]).stdout).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with(&id) && l.ends_with("\trevoked")),
        "{list}"
    );
    let again = env.run(&["token", "revoke", &id]);
    assert!(!again.status.success(), "revoking twice is an error");
}

#[test]
fn operator_accounts_take_a_password_on_stdin_and_are_listed_and_disabled_by_name() {
    let env = Env::new();
    let add = |name: &str, password: &str| {
        let mut child = env
            .cmd()
            .args(["operator", "add", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add("alice", "elevenchars");
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 12 characters; this one has 11"),
        "{}",
        stderr(&short)
    );
    let ok = add("alice", "twelve chars");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(ok.stdout.is_empty());
    let twice = add("alice", "another password");
    assert!(!twice.status.success());
    assert!(
        stderr(&twice).contains("already exists"),
        "{}",
        stderr(&twice)
    );
    let spaced = add("al ice", "a long enough password");
    assert!(!spaced.status.success());

    let list = String::from_utf8(env.run(&["operator", "list"]).stdout).unwrap();
    assert_eq!(list.lines().count(), 2, "{list}");
    let row = list.lines().nth(1).unwrap();
    assert!(
        row.contains("\talice\t") && row.ends_with("\t-\tactive"),
        "{row}"
    );
    assert!(
        !list.contains("argon2") && !list.contains("twelve"),
        "no hash, no password: {list}"
    );
    let account = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = SqliteStore::open(&env.db()).await.unwrap();
        store.operator("alice").await.unwrap().unwrap()
    });
    assert!(
        account.password_hash.starts_with("$argon2id$"),
        "stored as an Argon2id PHC string"
    );
    assert!(xinyong_web::auth::verify_password(
        &account.password_hash,
        "twelve chars"
    ));

    let disable = env.run(&["operator", "disable", "alice"]);
    assert!(disable.status.success(), "{}", stderr(&disable));
    assert!(
        stderr(&disable).contains("0 open sessions revoked"),
        "{}",
        stderr(&disable)
    );
    let list = String::from_utf8(env.run(&["operator", "list"]).stdout).unwrap();
    assert!(
        list.lines().nth(1).unwrap().ends_with("\tdisabled"),
        "{list}"
    );
    assert!(!env.run(&["operator", "disable", "alice"]).status.success());
    assert!(!env.run(&["operator", "disable", "bob"]).status.success());
}

#[test]
fn logs_to_a_file_are_plain_text_or_json_lines() {
    let env = Env::new();
    let args = [
        "department",
        "add",
        "--code",
        "SZ-TAX",
        "--name",
        "深圳市税务局",
        "--category",
        "admin_penalty",
    ];
    let out = env
        .cmd()
        .env("XINYONG_LOG", "debug")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("DEBUG"), "the debug filter applies: {text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes outside a terminal: {text:?}"
    );

    let out = env
        .cmd()
        .env("XINYONG_LOG", "debug")
        .env("XINYONG_LOG_FORMAT", "json")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let events: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["level"].is_string() && e["timestamp"].is_string())
    );
}

#[test]
fn calendar_answers_only_from_its_data_and_loads_a_new_year_from_a_file() {
    let env = Env::new();
    let answer = |args: &[&str]| {
        let out = env.run(args);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            stderr(&out),
        )
    };
    assert_eq!(
        answer(&["calendar", "is-working-day", "2026-02-14"]).1,
        "yes"
    );
    assert_eq!(
        answer(&["calendar", "is-working-day", "2026-02-16"]).1,
        "no"
    );
    assert_eq!(
        answer(&["calendar", "add", "2026-02-13", "10"]).1,
        "2026-03-05"
    );
    let (ok, _, err) = answer(&["calendar", "is-working-day", "2027-01-04"]);
    assert!(
        !ok && err.contains("2027") && err.contains("--calendar"),
        "{err}"
    );

    // The operator loads a newly published year without a release.
    let mut text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/calendar/working-days.toml"
    ))
    .unwrap();
    text.push_str("\n[[years]]\nyear = 2027\ndays_off = [\"2027-01-01\"]\nworking_weekends = []\n");
    let file = env.write("calendar.toml", text.as_bytes());
    let file = file.to_str().unwrap();
    assert_eq!(
        answer(&[
            "--calendar",
            file,
            "calendar",
            "is-working-day",
            "2027-01-01"
        ])
        .1,
        "no"
    );
    assert_eq!(
        answer(&["--calendar", file, "calendar", "add", "2026-12-31", "1"]).1,
        "2027-01-04"
    );
}

#[test]
fn a_command_without_the_databases_key_file_refuses_before_writing() {
    let env = Env::new();
    let person = |doc: &str| {
        serde_json::json!({
            "category": "admin_penalty",
            "subject": {"code": "11010519491231002X", "name": "张三", "kind": "natural_person"},
            "document_no": doc, "decided_on": "2026-09-01",
            "legal_basis": "《中华人民共和国行政处罚法》第二十八条", "tier": "general",
            "fields": {"facts": "无证经营", "penalty_kind": "罚款", "content": "罚款人民币二千元",
                       "authority": "深圳市市场监督管理局"}
        })
        .to_string()
    };
    let file = env.write(
        "person.jsonl",
        format!("{}\n", person("深市监罚〔2026〕31号")).as_bytes(),
    );
    let out = env.import(&[], &file);
    assert!(out.status.success(), "{}", stderr(&out));

    // The same database from another directory, where no key file is.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = elsewhere.path().join("other.jsonl");
    std::fs::write(&other, format!("{}\n", person("深市监罚〔2026〕32号"))).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .env("XINYONG_DB", env.db())
        .env_remove("XINYONG_DATA_KEYRING")
        .current_dir(elsewhere.path())
        .args(["import", "--department", DEPT, other.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--data-key") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(
        !elsewhere.path().join("xinyong-data.key").exists(),
        "no key file is made for an existing database"
    );
    // Nothing was written: one record about the person, and the log verifies with the real key.
    let verify = env.run(&["ledger", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    let list = env.run(&["keys", "status"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let rows = env.run(&["import", "--department", DEPT, file.to_str().unwrap()]);
    assert!(stderr(&rows).contains("1 unchanged"), "{}", stderr(&rows));
}

/// Issue #16: a server started on a busy port made its keys and database before failing.
#[test]
fn a_server_on_a_busy_port_fails_before_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = crate::common::xinyong(dir.path())
        .args(["serve", "--addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("binding {addr}")), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing created: {left:?}");
}

/// Issue #16: a command run where there is no database (not the server's directory) says that
/// it created a new, empty one, and where; on an existing database it says nothing of the kind.
#[test]
fn a_command_that_creates_a_new_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let first = crate::common::xinyong(dir.path())
        .args(["token", "list"])
        .output()
        .unwrap();
    assert!(first.status.success());
    let said = String::from_utf8_lossy(&first.stderr);
    assert!(said.contains("created a new, empty database"), "{said}");
    assert!(said.contains("x.db"), "names the file: {said}");
    let again = crate::common::xinyong(dir.path())
        .args(["token", "list"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(!said.contains("created a new"), "{said}");
}
