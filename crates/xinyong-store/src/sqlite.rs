//! SQLite: the embedded default. One file, created and migrated on open; WAL journal with
//! `synchronous = FULL`, so that a commit is on disk before the caller acknowledges it.
//! Everything that differs from PostgreSQL is the [`Engine`] implementation below.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use xinyong_domain::search::Token;

use crate::StoreError;
use crate::engine::{Engine, RowsAffected, SqlStore};
use crate::vault::Vault;

/// The SQLite store.
pub type SqliteStore = SqlStore<Sqlite>;

impl RowsAffected for SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        SqliteQueryResult::rows_affected(self)
    }
}

impl Engine for Sqlite {
    /// `?` in order, not `$N`: SQLite looks a named parameter up by a linear scan, at prepare
    /// and (through sqlx) at bind time, which makes a 28,500-value import statement quadratic.
    const NUMBERED: bool = false;
    const JSON_CAST: &'static str = "";
    /// With the write lock, so that a second writer waits (busy timeout) instead of failing
    /// with SQLITE_BUSY_SNAPSHOT when its read snapshot went stale, as a deferred transaction
    /// that reads first and then writes does.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const COMPACT: &'static [&'static str] = &[
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "VACUUM",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ];
    /// SQLite's planner uses the indexes without statistics; nothing to refresh.
    const REFRESH_STATS: Option<&'static str> = None;
    const MONTH: &'static str = "substr(decided_on, 1, 7)";
    const CHINA_DAY_OF_RECORDED_AT: &'static str = "date(recorded_at, '+8 hours')";
    const HITS_OPEN: &'static str =
        "SELECT rowid AS rid FROM subjects_fts WHERE subjects_fts MATCH ";
    const HITS_CLOSE: &'static str = "";
    const HITS_JOIN: &'static str = "s.rowid = hits.rid";

    const BACKUP_INTO: Option<&'static str> = Some("VACUUM INTO ");

    fn migrator() -> &'static sqlx::migrate::Migrator {
        static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
        &MIGRATOR
    }

    fn match_expr(tokens: &[Token]) -> String {
        // Tokens hold only letters, digits and Chinese characters: quoting cannot be escaped.
        tokens
            .iter()
            .map(|t| format!("\"{}\"{}", t.text, if t.prefix { "*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl SqlStore<Sqlite> {
    /// Opens `sqlite://PATH` (creating the file) or `sqlite::memory:` and migrates it, with
    /// keys held in memory only (tests, throw-away databases: see [`SqliteStore::open_with`]).
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(url, Arc::new(Vault::ephemeral())).await
    }

    /// Opens `sqlite://PATH` or `sqlite::memory:` with the keys that seal personal data.
    pub async fn open_with(url: &str, vault: Arc<Vault>) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Bulk imports are one transaction: a larger page cache keeps its index pages in
            // memory instead of spilling them to the WAL before commit (64 MiB per connection).
            .pragma("cache_size", "-65536");
        // An in-memory database exists per connection: keep exactly one, forever.
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(if memory { 1 } else { 4 })
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(if memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(options)
            .await?;
        <sqlx::Sqlite as Engine>::migrator().run(&pool).await?;
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
        assert_eq!(Sqlite::match_expr(&tokens), "\"腾讯\" \"深\"*");
    }
}
