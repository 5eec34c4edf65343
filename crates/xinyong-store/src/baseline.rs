//! Baselines for benchmarks: the same rows written the plainest way the database allows, so a
//! benchmark can print "ours ÷ bare" measured on the same machine in the same run.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sqlx::QueryBuilder;

use crate::{SqliteStore, StoreError};

/// One row as the baseline writes it: the columns of a record version, already extracted.
pub struct BareRow {
    pub id: String,
    pub category: String,
    pub document_no: String,
    pub subject_code: String,
    pub subject_name: String,
    pub decided_on: NaiveDate,
    pub legal_basis: String,
    pub tier: Option<String>,
    pub fields: String,
}

/// Inserts `rows` into a plain table of a fresh SQLite database (same connection settings as
/// the store: WAL, synchronous FULL) in one transaction with multi-row statements, and
/// returns the time taken. The table has the indexes `records` has (an identity, by subject,
/// by category); there is no validation, versioning, sealing, subject table, search index or
/// audit log: what the import adds to the bare insert is exactly what the ratio measures.
pub async fn bare_sqlite_insert(url: &str, rows: &[BareRow]) -> Result<Duration, StoreError> {
    let store = SqliteStore::open(url).await?;
    let pool = store.pool();
    sqlx::query(
        "CREATE TABLE bare (id TEXT PRIMARY KEY, category TEXT NOT NULL, document_no TEXT NOT NULL, \
         subject_code TEXT NOT NULL, subject_name TEXT NOT NULL, decided_on TEXT NOT NULL, \
         legal_basis TEXT NOT NULL, tier TEXT, fields TEXT NOT NULL, \
         UNIQUE (document_no, category))",
    )
    .execute(pool)
    .await?;
    // The same indexes as `records` has: its identity above, by subject, by category.
    for index in [
        "CREATE INDEX bare_by_subject ON bare (subject_code)",
        "CREATE INDEX bare_by_category ON bare (category, decided_on)",
    ] {
        sqlx::query(index).execute(pool).await?;
    }
    let start = Instant::now();
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(crate::import::CHUNK) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO bare (id, category, document_no, subject_code, subject_name, decided_on, legal_basis, tier, fields) ",
        );
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(r.id.clone())
                .push_bind(r.category.clone())
                .push_bind(r.document_no.clone())
                .push_bind(r.subject_code.clone())
                .push_bind(r.subject_name.clone())
                .push_bind(r.decided_on)
                .push_bind(r.legal_basis.clone())
                .push_bind(r.tier.clone())
                .push_bind(r.fields.clone());
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(start.elapsed())
}

/// The baseline for the audit log's append: the same entry rows (leaf index, kind, subject,
/// actor, time, payload hash, leaf hash) inserted into a plain table, `batch` rows per
/// transaction, with no tree, no frontier and no secondary index. Returns the time taken.
pub async fn bare_sqlite_entries(
    url: &str,
    entries: &[crate::events::LedgerEvent],
    batch: usize,
) -> Result<Duration, StoreError> {
    let store = SqliteStore::open(url).await?;
    let pool = store.pool();
    sqlx::query(
        "CREATE TABLE bare_entries (leaf_index INTEGER PRIMARY KEY, kind TEXT NOT NULL, \
         subject TEXT, actor TEXT NOT NULL, at_ms INTEGER NOT NULL, payload_hash TEXT NOT NULL, \
         leaf_hash TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let start = Instant::now();
    let mut index = 0i64;
    for chunk in entries.chunks(batch.max(1)) {
        let mut tx = pool.begin().await?;
        for rows in chunk.chunks(2000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO bare_entries (leaf_index, kind, subject, actor, at_ms, payload_hash, leaf_hash) ",
            );
            qb.push_values(rows, |mut b, e| {
                index += 1;
                b.push_bind(index)
                    .push_bind(e.kind().as_str())
                    .push_bind(e.subject().map(str::to_owned))
                    .push_bind(e.actor().to_owned())
                    .push_bind(0i64)
                    .push_bind(hex::encode(e.payload_hash()))
                    .push_bind(hex::encode(e.payload_hash()));
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(start.elapsed())
}
