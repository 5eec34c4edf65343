//! Fixtures shared by the capability modules: records, departments, accounts, log events, and raw SQL access below the store.

use chrono::NaiveDate;
use rand::SeedableRng;
use serde_json::json;
use xinyong_domain::code::{DivisionCode, UnifiedCode};
use xinyong_domain::{Catalogue, Department, RawRecord, ValidRecord};
use xinyong_store::ledger::{Event, LedgerEvent};
use xinyong_store::{OperatorAccount, Role, Store, Token};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn codes(n: usize) -> Vec<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let div = DivisionCode::parse("440305").unwrap();
    (0..n)
        .map(|_| {
            UnifiedCode::generate(&mut rng, '9', '1', &div)
                .as_str()
                .to_owned()
        })
        .collect()
}

pub fn penalty(doc: &str, code: &str, facts: &str) -> ValidRecord {
    let raw = RawRecord::from_json(&json!({
        "category": "admin_penalty",
        "subject": {"code": code, "name": "深圳市示例科技有限公司", "kind": "legal_person"},
        "document_no": doc,
        "decided_on": "2026-03-01",
        "legal_basis": "《中华人民共和国行政处罚法》第二十八条",
        "tier": "general",
        "fields": {"facts": facts, "penalty_kind": "罚款", "content": "罚款人民币一万元", "authority": "深圳市市场监督管理局"}
    }))
    .unwrap();
    Catalogue::shipped().validate(&raw, today()).unwrap()
}

pub fn department(code: &str, categories: &[&str]) -> Department {
    Department {
        code: code.to_owned(),
        name: format!("部门{code}"),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        lists: Default::default(),
        professions: Default::default(),
    }
}

pub async fn with_department(store: &dyn Store, code: &str) {
    store
        .put_department(&department(code, &["admin_penalty", "admin_license"]))
        .await
        .unwrap();
}

pub fn operator_account(id: &str, name: &str) -> OperatorAccount {
    OperatorAccount {
        id: id.into(),
        name: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g".into(),
        created_at: chrono::Utc::now(),
        disabled_at: None,
        last_session_at: None,
    }
}

pub fn session_token(id: &str, hash: &str) -> Token {
    let now = chrono::Utc::now();
    Token {
        id: id.into(),
        hash: hash.into(),
        role: Role::Operator,
        department: None,
        subject: None,
        label: "session of operator alice".into(),
        created_at: now,
        expires_at: Some(now + chrono::Duration::hours(8)),
        revoked_at: None,
    }
}

/// Who the padding reads are about: an organisation no case writes about.
pub const PAD_SUBJECT: &str = "91440300MA5EXAMPLE";

/// A read of shared information by department `D` about `subject`, distinct per `i`.
pub fn read_event(i: u64, subject: &str) -> LedgerEvent {
    LedgerEvent::new(
        Event::Read {
            clearance: xinyong_domain::Disclosure::Shared,
            subject,
            payload: &json!([i]),
        },
        "D",
    )
}

/// Raw SQL access below the [`Store`] trait, for tampering.
pub enum Raw {
    Lite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Raw {
    pub async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Raw::Lite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            Raw::Pg(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    }
}

impl Raw {
    /// Every `table.column` whose text contains `needle`, over every table of the schema.
    pub async fn columns_containing(&self, needle: &str) -> Vec<String> {
        let pattern = format!("%{needle}%");
        let mut hits = Vec::new();
        match self {
            Raw::Lite(p) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                     AND name NOT LIKE '%fts%'",
                )
                .fetch_all(p)
                .await
                .unwrap();
                for t in tables {
                    let cols: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT name FROM pragma_table_info('{t}')"
                    )))
                    .fetch_all(p)
                    .await
                    .unwrap();
                    for c in cols {
                        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT COUNT(*) FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE ?1"
                        )))
                        .bind(&pattern)
                        .fetch_one(p)
                        .await
                        .unwrap();
                        if n > 0 {
                            hits.push(format!("{t}.{c}"));
                        }
                    }
                }
            }
            Raw::Pg(p) => {
                let cols: Vec<(String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                )
                .fetch_all(p)
                .await
                .unwrap();
                for (t, c) in cols {
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM \"{t}\" WHERE \"{c}\"::text LIKE $1"
                    )))
                    .bind(&pattern)
                    .fetch_one(p)
                    .await
                    .unwrap();
                    if n > 0 {
                        hits.push(format!("{t}.{c}"));
                    }
                }
            }
        }
        hits
    }
}
