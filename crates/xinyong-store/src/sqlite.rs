//! SQLite: the embedded default. One file, created and migrated on open; WAL journal with
//! `synchronous = FULL`, so that a commit is on disk before the caller acknowledges it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::StoreError;
use crate::access::impl_access;
use crate::backend::impl_store;
use crate::ledger::impl_ledger;
use crate::operators::impl_operators;
use crate::reseal::impl_reseal;
use crate::search::impl_search;

/// The SQLite implementation of [`crate::Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    vault: std::sync::Arc<crate::vault::Vault>,
}

impl SqliteStore {
    /// What turns a bound JSON text into the column's JSON type.
    const JSON_CAST: &'static str = "";
    /// How a transaction that writes begins: with the write lock, so that a second writer waits
    /// (busy timeout) instead of failing with SQLITE_BUSY_SNAPSHOT when its read snapshot
    /// went stale, as a deferred transaction that reads first and then writes does.
    /// What [`crate::Store::compact`] runs.
    const COMPACT: &'static [&'static str] = &[
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "VACUUM",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    ];
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const P1: &'static str = "?1";
    /// SQLite's planner uses the indexes without statistics; nothing to refresh.
    const REFRESH_STATS: Option<&'static str> = None;

    /// Opens `sqlite://PATH` (creating the file) or `sqlite::memory:` and migrates it, with
    /// keys held in memory only (tests, throw-away databases: see [`SqliteStore::open_with`]).
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(url, std::sync::Arc::new(crate::vault::Vault::ephemeral())).await
    }

    /// Opens `sqlite://PATH` or `sqlite::memory:` with the keys that seal personal data.
    pub async fn open_with(
        url: &str,
        vault: std::sync::Arc<crate::vault::Vault>,
    ) -> Result<SqliteStore, StoreError> {
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
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let store = SqliteStore { pool, vault };
        // Names stored before search existed get their search terms now (a no-op after).
        store.segment_unsegmented().await?;
        store.adopt_ledger_subject_key().await?;
        Ok(store)
    }

    /// The connection pool, for tests and benchmarks that must reach below the trait.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl_store!(
    SqliteStore,
    SqliteImportSession,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow
);

impl_search!(SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
impl_ledger!(SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow);

impl_access!(SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
impl_reseal!(SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
impl_operators!(SqliteStore, sqlx::Sqlite, sqlx::sqlite::SqliteRow);
