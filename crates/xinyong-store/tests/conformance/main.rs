//! The storage conformance suite: the behavioural definition of a store. Every case is
//! registered once, in its capability's module, with [`cases!`], which makes a SQLite and a
//! PostgreSQL test of it; each test gets a fresh database (SQLite: a file in a temporary
//! directory; PostgreSQL: a schema of its own).
//!
//! PostgreSQL is reached at `XINYONG_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). An unreachable server fails the PostgreSQL
//! half. `XINYONG_TEST_POSTGRES=off` skips it on a machine without one, saying so for every
//! case skipped; with `XINYONG_REQUIRE_POSTGRES=1` (CI) a skip is a failure too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;
use xinyong_store::vault::Vault;
use xinyong_store::{PgStore, SqliteStore, Store};

mod fixtures;

mod access;
mod at_rest;
mod case_rows;
mod checks;
mod departments;
mod grades;
mod grants;
mod ledger;
mod objections;
mod operators;
mod records;
mod repairs;
mod reports;
mod roles;
mod search;
mod stats;
mod tokens;
mod webhooks;

/// Registers cases: for each, a test `sqlite::CASE` and a test `postgres::CASE` that run it on
/// a fresh database of that engine. A case is an `async fn(Db)` of the invoking module. (A
/// macro because a test is an item: the body only hands the case to [`run`].)
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    $crate::run($crate::Engine::Sqlite, stringify!($case), super::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    $crate::run($crate::Engine::Postgres, stringify!($case), super::$case).await;
                }
            )*
        }
    };
}
pub(crate) use cases;

/// The engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh database for one case: opened as a store as often as the case likes (each open is
/// another process, as far as the store can tell), and reachable below the store for
/// tampering and inspection.
pub struct Db {
    target: Target,
    /// Holds the SQLite file and the case's key files.
    dir: tempfile::TempDir,
}

enum Target {
    Lite(String),
    Pg(Box<PgConnectOptions>),
}

impl Db {
    /// The store with keys held in memory.
    pub async fn store(&self) -> Arc<dyn Store> {
        self.open(Arc::new(Vault::ephemeral())).await
    }

    /// The store with these keys.
    pub async fn open(&self, vault: Arc<Vault>) -> Arc<dyn Store> {
        self.try_open(vault).await.unwrap()
    }

    /// The store with these keys, or why it does not open.
    pub async fn try_open(
        &self,
        vault: Arc<Vault>,
    ) -> Result<Arc<dyn Store>, xinyong_store::StoreError> {
        Ok(match &self.target {
            Target::Lite(url) => Arc::new(SqliteStore::open_with(url, vault).await?),
            Target::Pg(options) => {
                Arc::new(PgStore::connect_with((**options).clone(), vault).await?)
            }
        })
    }

    /// Raw SQL access below the store.
    pub async fn raw(&self) -> fixtures::Raw {
        match &self.target {
            Target::Lite(url) => fixtures::Raw::Lite(sqlx::SqlitePool::connect(url).await.unwrap()),
            Target::Pg(options) => fixtures::Raw::Pg(
                sqlx::PgPool::connect_with((**options).clone())
                    .await
                    .unwrap(),
            ),
        }
    }

    /// A path for a data key file of this case (not created).
    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("data.key")
    }
}

/// A fresh SQLite database.
pub fn sqlite_db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    Db {
        target: Target::Lite(url),
        dir,
    }
}

/// What to do about PostgreSQL, from `XINYONG_TEST_POSTGRES` and `XINYONG_REQUIRE_POSTGRES`.
#[derive(Debug, PartialEq, Eq)]
enum Gate {
    /// Run at this URL (an unreachable server fails the case).
    Run(String),
    /// Switched off: say so and pass.
    Skip,
    /// Switched off although required: fail.
    Refuse,
}

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

fn gate(test_postgres: Option<&str>, require: Option<&str>) -> Gate {
    let required = require.is_some_and(|r| !matches!(r, "" | "0" | "false"));
    match test_postgres {
        Some("off") if required => Gate::Refuse,
        Some("off") => Gate::Skip,
        Some(url) => Gate::Run(url.to_owned()),
        None => Gate::Run(DEFAULT_POSTGRES.to_owned()),
    }
}

/// A fresh schema of the test PostgreSQL for `case` and the URL it is in, or `None` when
/// PostgreSQL is switched off (after saying so). Panics when it is required or unreachable:
/// a PostgreSQL half that did not run never passes silently.
pub async fn postgres_db(case: &str) -> Option<(Db, String)> {
    let test = std::env::var("XINYONG_TEST_POSTGRES").ok();
    let require = std::env::var("XINYONG_REQUIRE_POSTGRES").ok();
    let url = match gate(test.as_deref(), require.as_deref()) {
        Gate::Run(url) => url,
        Gate::Skip => {
            // Straight to stderr, not `eprintln!`: the test harness captures that for passing
            // tests, and a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED on PostgreSQL (XINYONG_TEST_POSTGRES=off): {case}"
            );
            return None;
        }
        Gate::Refuse => panic!(
            "{case}: XINYONG_REQUIRE_POSTGRES is set, so the PostgreSQL half may not be \
             skipped (XINYONG_TEST_POSTGRES=off)"
        ),
    };
    // One plain connection: an unreachable server says why at once (a pool waits 30 s).
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "{case}: PostgreSQL at {url} is needed for the conformance suite ({e}); set \
             XINYONG_TEST_POSTGRES to its URL, or to `off` to skip the PostgreSQL half"
        )
    });
    let schema = format!("xy_test_{}", ulid::Ulid::new().to_string().to_lowercase());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let db = Db {
        target: Target::Pg(Box::new(options)),
        dir: tempfile::tempdir().unwrap(),
    };
    Some((db, schema))
}

/// Drops a case's schema (left in place when the case failed, for inspection).
pub async fn drop_schema(schema: &str) {
    let url = std::env::var("XINYONG_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.into());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// Runs `case` on a fresh database of `engine`.
pub async fn run<F, Fut>(engine: Engine, name: &str, case: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    match engine {
        Engine::Sqlite => case(sqlite_db()).await,
        Engine::Postgres => {
            if let Some((db, schema)) = postgres_db(name).await {
                case(db).await;
                drop_schema(&schema).await;
            }
        }
    }
}

#[test]
fn postgres_is_skipped_only_when_switched_off_and_not_required() {
    assert_eq!(gate(None, None), Gate::Run(DEFAULT_POSTGRES.into()));
    assert_eq!(
        gate(Some("postgres://x@h/db"), Some("1")),
        Gate::Run("postgres://x@h/db".into())
    );
    assert_eq!(gate(Some("off"), None), Gate::Skip);
    assert_eq!(gate(Some("off"), Some("0")), Gate::Skip);
    assert_eq!(gate(Some("off"), Some("1")), Gate::Refuse);
    assert_eq!(gate(Some("off"), Some("yes")), Gate::Refuse);
}
