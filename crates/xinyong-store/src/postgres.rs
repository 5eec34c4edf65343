//! PostgreSQL: the production engine. Same statements as SQLite (built once, see `engine.rs`),
//! its own migrations with native types (DATE, TIMESTAMPTZ, JSONB). Everything that differs
//! from SQLite is the [`Engine`] implementation below.

use std::str::FromStr;
use std::sync::Arc;

use sqlx::Postgres;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgQueryResult};
use xinyong_domain::search::Token;

use crate::StoreError;
use crate::engine::{Engine, RowsAffected, SqlStore};
use crate::vault::Vault;

/// The PostgreSQL store.
pub type PgStore = SqlStore<Postgres>;

impl RowsAffected for PgQueryResult {
    fn rows_affected(&self) -> u64 {
        PgQueryResult::rows_affected(self)
    }
}

impl Engine for Postgres {
    const NUMBERED: bool = true;
    const JSON_CAST: &'static str = "::jsonb";
    /// PostgreSQL takes row locks as it goes.
    const BEGIN_WRITE: &'static str = "BEGIN";
    const COMPACT: &'static [&'static str] =
        &["VACUUM FULL subjects, records, record_history, checks, tokens, special_applications"];
    /// Refreshes the planner's statistics inside a long import transaction: autovacuum cannot
    /// see uncommitted rows, so without this the planner keeps the empty table's statistics,
    /// scans `records` sequentially for every chunk's lookup and a large import turns quadratic.
    const REFRESH_STATS: Option<&'static str> = Some("ANALYZE subjects, records");
    const MONTH: &'static str = "to_char(decided_on, 'YYYY-MM')";
    const CHINA_DAY_OF_RECORDED_AT: &'static str =
        "to_char(recorded_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')";
    const HITS_OPEN: &'static str = "SELECT id AS rid FROM subjects \
         WHERE search_vector @@ to_tsquery('simple', ";
    const HITS_CLOSE: &'static str = ")";
    const HITS_JOIN: &'static str = "s.id = hits.rid";

    // pg_dump and pg_basebackup are PostgreSQL's backup tools; a connection cannot write a file.
    const BACKUP_INTO: Option<&'static str> = None;

    fn migrator() -> &'static sqlx::migrate::Migrator {
        static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
        &MIGRATOR
    }

    fn match_expr(tokens: &[Token]) -> String {
        tokens
            .iter()
            .map(|t| format!("'{}'{}", t.text, if t.prefix { ":*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

impl SqlStore<Postgres> {
    /// Connects to `postgres://...` and migrates the database, with keys held in memory only
    /// (tests: see [`PgStore::open_with`]).
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect(PgConnectOptions::from_str(url)?).await
    }

    /// Connects to `postgres://...` with the keys that seal personal data.
    pub async fn open_with(url: &str, vault: Arc<Vault>) -> Result<PgStore, StoreError> {
        PgStore::connect_with(PgConnectOptions::from_str(url)?, vault).await
    }

    /// Connects with explicit options (tests use them to give each run its own schema) and
    /// in-memory keys.
    pub async fn connect(options: PgConnectOptions) -> Result<PgStore, StoreError> {
        PgStore::connect_with(options, Arc::new(Vault::ephemeral())).await
    }

    /// Connects with explicit options and keys.
    pub async fn connect_with(
        options: PgConnectOptions,
        vault: Arc<Vault>,
    ) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        <sqlx::Postgres as Engine>::migrator().run(&pool).await?;
        let store = SqlStore::new(pool, vault);
        // Rows written by earlier versions: names stored before search existed get their
        // search terms, the log's subject key moves to the key file (no-ops after).
        // Keys of an older database are adopted, then checked, before anything else writes.
        store.adopt_ledger_subject_key().await?;
        store.check_keys().await?;
        store.segment_unsegmented().await?;
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expressions_quote_every_token() {
        let tokens = [
            Token {
                text: "腾讯".into(),
                prefix: false,
            },
            Token {
                text: "深".into(),
                prefix: true,
            },
        ];
        assert_eq!(Postgres::match_expr(&tokens), "'腾讯' & '深':*");
    }
}
