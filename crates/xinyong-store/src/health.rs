//! Readiness (issue #15): whether this store can serve — the database answers, every
//! migration this build carries is applied, and the data keys given are the database's own.
//! What orchestrators poll before sending traffic (`GET /readyz`).

use async_trait::async_trait;

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore};

/// What readiness found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The database answered a query.
    pub database: bool,
    /// The newest migration applied, and the newest this build carries.
    pub migrations_applied: i64,
    pub migrations_expected: i64,
    /// The data keys match the database's fingerprint.
    pub keys: bool,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database && self.keys && self.migrations_applied == self.migrations_expected
    }
}

/// Readiness of the store, and its backup.
#[async_trait]
pub trait HealthStore: Send + Sync {
    /// Checks the database, the migrations and the keys; never fails: what fails is reported.
    async fn readiness(&self) -> Readiness;
    /// Writes a consistent copy of the whole database to the new file `to` while it stays in
    /// use (SQLite's `VACUUM INTO`: one read transaction, so the copy is one moment's state).
    /// `Ok(false)` on an engine that backs up with its own tools (PostgreSQL: `pg_dump`).
    async fn backup_to(&self, to: &str) -> Result<bool, StoreError>;
}

#[async_trait]
impl<E: Engine> HealthStore for SqlStore<E> {
    async fn readiness(&self) -> Readiness {
        let expected = E::migrator().iter().map(|m| m.version).max().unwrap_or(0);
        let sql = Sql::new::<E>(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM _sqlx_migrations \
             WHERE success",
        );
        let applied = match self.fetch_optional(sql).await {
            Ok(Some(row)) => row.int("v").ok(),
            Ok(None) => Some(0),
            Err(_) => None,
        };
        Readiness {
            database: applied.is_some(),
            migrations_applied: applied.unwrap_or(0),
            migrations_expected: expected,
            keys: applied.is_some() && self.check_keys().await.is_ok(),
        }
    }

    async fn backup_to(&self, to: &str) -> Result<bool, StoreError> {
        let Some(statement) = E::BACKUP_INTO else {
            return Ok(false);
        };
        let mut sql = Sql::new::<E>(statement);
        sql.bind(to.to_owned());
        self.execute(sql).await?;
        Ok(true)
    }
}

/// A failure while checking readiness is a "not ready", not an error of the caller.
impl From<StoreError> for Readiness {
    fn from(_: StoreError) -> Readiness {
        Readiness {
            database: false,
            migrations_applied: 0,
            migrations_expected: 0,
            keys: false,
        }
    }
}
