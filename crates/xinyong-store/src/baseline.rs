//! Baselines for benchmarks: the same rows written the plainest way the database allows, so a
//! benchmark can print "ours ÷ bare" measured on the same machine in the same run.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sqlx::QueryBuilder;

use crate::{PgStore, SqliteStore, StoreError};

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

/// The table the PostgreSQL baselines write: the columns and indexes of `records`, as for
/// SQLite, under `name`.
async fn bare_pg_table(pool: &sqlx::PgPool, name: &str) -> Result<(), StoreError> {
    for statement in [
        format!("DROP TABLE IF EXISTS {name}"),
        format!(
            "CREATE TABLE {name} (id TEXT PRIMARY KEY, category TEXT NOT NULL, \
             document_no TEXT NOT NULL, subject_code TEXT NOT NULL, subject_name TEXT NOT NULL, \
             decided_on DATE NOT NULL, legal_basis TEXT NOT NULL, tier TEXT, fields JSONB NOT NULL, \
             UNIQUE (document_no, category))"
        ),
        format!("CREATE INDEX {name}_by_subject ON {name} (subject_code)"),
        format!("CREATE INDEX {name}_by_category ON {name} (category, decided_on)"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// PostgreSQL's plainest multi-row insert of `rows` (the same chunks as the import), in one
/// transaction, into a table with the indexes of `records`. Returns the time taken.
pub async fn bare_postgres_insert(url: &str, rows: &[BareRow]) -> Result<Duration, StoreError> {
    let store = PgStore::open(url).await?;
    let pool = store.pool();
    bare_pg_table(pool, "bare").await?;
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
                .push_bind(r.fields.clone())
                .push_unseparated("::jsonb");
        });
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(start.elapsed())
}

/// `COPY ... FROM STDIN` of the same rows (text format) into a table with the indexes of
/// `records`: the fastest way PostgreSQL loads rows. Returns the time taken.
pub async fn bare_postgres_copy(url: &str, rows: &[BareRow]) -> Result<Duration, StoreError> {
    let store = PgStore::open(url).await?;
    let pool = store.pool();
    bare_pg_table(pool, "bare_copy").await?;
    // COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
    let field = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r")
    };
    let start = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY bare_copy (id, category, document_no, subject_code, subject_name, decided_on, \
             legal_basis, tier, fields) FROM STDIN",
        )
        .await?;
    let mut buffer = String::with_capacity(1 << 20);
    for r in rows {
        use std::fmt::Write;
        let _ = writeln!(
            buffer,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            field(&r.id),
            field(&r.category),
            field(&r.document_no),
            field(&r.subject_code),
            field(&r.subject_name),
            r.decided_on,
            field(&r.legal_basis),
            r.tier.as_deref().map_or_else(|| "\\N".to_owned(), field),
            field(&r.fields),
        );
        if buffer.len() >= 1 << 20 {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.into_bytes()).await?;
    }
    copy.finish().await?;
    Ok(start.elapsed())
}

/// Reads every current record row once, in subject order, the plainest way: one statement
/// over the columns an evaluation reads, each row streamed and each value touched undecoded
/// (no JSON, no dates, no sealed values opened). The baseline of `bench evaluate`: what a
/// full re-grade adds to it is decoding, grading and writing the grades. Returns the rows
/// read and the time taken.
pub async fn scan_records(url: &str) -> Result<(u64, Duration), StoreError> {
    use futures_util::TryStreamExt;
    use sqlx::{Row, ValueRef};
    let sql = format!(
        "SELECT {} FROM records ORDER BY subject_code",
        crate::record_rows::RECORD_COLUMNS
    );
    let mut rows = 0u64;
    let mut present = 0u64;
    let start = Instant::now();
    if url.starts_with("sqlite:") {
        let store = SqliteStore::open(url).await?;
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch(store.pool());
        while let Some(row) = stream.try_next().await? {
            rows += 1;
            for i in 0..row.len() {
                present += u64::from(!row.try_get_raw(i)?.is_null());
            }
        }
    } else {
        let store = PgStore::open(url).await?;
        let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch(store.pool());
        while let Some(row) = stream.try_next().await? {
            rows += 1;
            for i in 0..row.len() {
                present += u64::from(!row.try_get_raw(i)?.is_null());
            }
        }
    }
    let took = start.elapsed();
    // Every row has an id: a scan that saw fewer values than rows read nothing.
    debug_assert!(present >= rows);
    Ok((rows, took))
}
