//! PostgreSQL: the production backend. Same queries as SQLite (see `backend.rs`), its own
//! migrations with native types (DATE, TIMESTAMPTZ, JSONB).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::StoreError;
use crate::access::impl_access;
use crate::backend::impl_store;
use crate::ledger::impl_ledger;
use crate::operators::impl_operators;
use crate::reseal::impl_reseal;
use crate::search::impl_search;

/// The PostgreSQL implementation of [`crate::Store`].
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    vault: std::sync::Arc<crate::vault::Vault>,
}

impl PgStore {
    /// What turns a bound JSON text into the column's JSON type.
    const JSON_CAST: &'static str = "::jsonb";
    /// How a transaction that writes begins (PostgreSQL takes row locks as it goes).
    /// What [`crate::Store::compact`] runs.
    const COMPACT: &'static [&'static str] =
        &["VACUUM FULL subjects, records, record_history, checks, tokens, special_applications"];
    const BEGIN_WRITE: &'static str = "BEGIN";
    const P1: &'static str = "$1";
    /// Refreshes the planner's statistics inside a long import transaction: autovacuum cannot
    /// see uncommitted rows, so without this the planner keeps the empty table's statistics,
    /// scans `records` sequentially for every chunk's lookup and a large import turns quadratic.
    const REFRESH_STATS: Option<&'static str> = Some("ANALYZE subjects, records");

    /// Connects to `postgres://...` and migrates the database, with keys held in memory only
    /// (tests: see [`PgStore::open_with`]).
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect(PgConnectOptions::from_str(url)?).await
    }

    /// Connects to `postgres://...` with the keys that seal personal data.
    pub async fn open_with(
        url: &str,
        vault: std::sync::Arc<crate::vault::Vault>,
    ) -> Result<PgStore, StoreError> {
        PgStore::connect_with(PgConnectOptions::from_str(url)?, vault).await
    }

    /// Connects with explicit options (tests use them to give each run its own schema) and
    /// in-memory keys.
    pub async fn connect(options: PgConnectOptions) -> Result<PgStore, StoreError> {
        PgStore::connect_with(
            options,
            std::sync::Arc::new(crate::vault::Vault::ephemeral()),
        )
        .await
    }

    /// Connects with explicit options and keys.
    pub async fn connect_with(
        options: PgConnectOptions,
        vault: std::sync::Arc<crate::vault::Vault>,
    ) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let store = PgStore { pool, vault };
        // Names stored before search existed get their search terms now (a no-op after).
        store.segment_unsegmented().await?;
        store.adopt_ledger_subject_key().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl_store!(
    PgStore,
    PgImportSession,
    sqlx::Postgres,
    sqlx::postgres::PgRow
);

impl_search!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);
impl_ledger!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);

impl_access!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);
impl_reseal!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);
impl_operators!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);
