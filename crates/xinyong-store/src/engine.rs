//! The engine layer: how a statement built once in plain Rust reaches SQLite or PostgreSQL.
//!
//! - [`Sql`] is an owned statement: text plus the [`Arg`]s bound to its placeholders. Every
//!   capability builds its statements with it, from one text for both engines.
//! - [`Exec`] runs a [`Sql`] on a connection. It is implemented once, for every sqlx database
//!   that has what it needs; the sqlx bounds that make that so are written in that one
//!   `where` clause and nowhere else.
//! - [`DbRow`] reads a row's columns by name, implemented once the same way.
//! - [`Engine`] is what differs between the engines, as constants and two small functions,
//!   implemented in `sqlite.rs` and `postgres.rs`.
//! - [`SqlStore`] is the store over one engine; each capability file implements its trait
//!   for `SqlStore<E>` for every `E: Engine`.
//!
//! These items are `pub` inside a private module so that [`SqlStore`] can name [`Engine`] in
//! its public signature; nothing outside the crate can reach or implement them.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{
    Arguments, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row,
    Transaction, Type,
};
use xinyong_domain::search::Token;

use crate::StoreError;
use crate::vault::Vault;

/// A value bound to a placeholder. Owned, so that a statement can be built before any
/// connection is at hand and moved into it whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    /// A constant text (a status, a kind), bound without copying.
    Str(&'static str),
    OptText(Option<String>),
    OptStr(Option<&'static str>),
    Int(i64),
    /// A 32-bit integer, where PostgreSQL wants `integer` (function arguments such as
    /// `substr`'s, which an `int8` would not match).
    Int32(i32),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    OptDate(Option<NaiveDate>),
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(v.clone())
    }
}
impl From<&xinyong_domain::RecordId> for Arg {
    fn from(v: &xinyong_domain::RecordId) -> Arg {
        Arg::Text(v.as_str().to_owned())
    }
}
impl From<xinyong_domain::RecordId> for Arg {
    fn from(v: xinyong_domain::RecordId) -> Arg {
        Arg::Text(v.as_str().to_owned())
    }
}
impl From<&'static str> for Arg {
    fn from(v: &'static str) -> Arg {
        Arg::Str(v)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::OptText(v)
    }
}
impl From<Option<&'static str>> for Arg {
    fn from(v: Option<&'static str>) -> Arg {
        Arg::OptStr(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Arg {
        Arg::Int(i64::from(v))
    }
}
impl From<i32> for Arg {
    fn from(v: i32) -> Arg {
        Arg::Int32(v)
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Arg {
        Arg::Date(v)
    }
}
impl From<Option<NaiveDate>> for Arg {
    fn from(v: Option<NaiveDate>) -> Arg {
        Arg::OptDate(v)
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Arg {
        Arg::Time(v)
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Arg {
        Arg::OptTime(v)
    }
}

/// A statement: SQL text with numbered placeholders and the values bound to them.
///
/// Placeholders are only ever written by [`Sql::bind`] (never by hand), one per value, in
/// order; how they are spelled is the engine's ([`Engine::NUMBERED`]), so the same building
/// code gives each engine the same statement.
#[derive(Debug, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
    numbered: bool,
    json_cast: &'static str,
}

impl Sql {
    /// A statement for engine `E` that begins with `text`.
    pub fn new<E: Engine>(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
            numbered: E::NUMBERED,
            json_cast: E::JSON_CAST,
        }
    }

    /// Appends SQL text (never a value: values are bound).
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Sql {
        self.args.push(value.into());
        if self.numbered {
            use std::fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(self.text, "${}", self.args.len());
        } else {
            self.text.push('?');
        }
        self
    }

    /// Appends a placeholder bound to JSON text, as the column's JSON type.
    pub fn bind_json(&mut self, json: impl Into<Arg>) -> &mut Sql {
        self.bind(json);
        self.text.push_str(self.json_cast);
        self
    }

    /// Appends `$1, $2, ...` bound to each item (an `IN (...)` list; the caller writes the
    /// parentheses).
    pub fn bind_list<T: Into<Arg>>(&mut self, items: impl IntoIterator<Item = T>) -> &mut Sql {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(item);
        }
        self
    }

    /// Appends `VALUES (...), (...)`: one tuple per item, whose values `tuple` binds.
    pub fn values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut tuple: impl FnMut(&mut Tuple<'_>, T),
    ) -> &mut Sql {
        self.text.push_str("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.text.push_str(if i == 0 { "(" } else { ", (" });
            let mut t = Tuple {
                sql: self,
                first: true,
            };
            tuple(&mut t, item);
            self.text.push(')');
        }
        self
    }

    /// How many values are bound.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// The text as sent (for tests and error messages).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The values of one tuple of [`Sql::values`], separated by commas.
pub struct Tuple<'s> {
    sql: &'s mut Sql,
    first: bool,
}

impl Tuple<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.sql.text.push_str(", ");
        }
        self.first = false;
    }

    /// The next value.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.comma();
        self.sql.bind(value);
        self
    }

    /// The next value, JSON text as the column's JSON type.
    pub fn bind_json(&mut self, json: impl Into<Arg>) -> &mut Self {
        self.comma();
        self.sql.bind_json(json);
        self
    }
}

/// The number of rows a statement changed (sqlx has no engine-neutral way to ask).
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

/// Runs statements on a connection of one sqlx database. Implemented once, below.
#[async_trait]
pub trait Exec: Database {
    /// Runs a statement; returns how many rows it changed.
    async fn execute(conn: &mut Self::Connection, sql: Sql) -> Result<u64, StoreError>;
    async fn fetch_all(conn: &mut Self::Connection, sql: Sql)
    -> Result<Vec<Self::Row>, StoreError>;
    async fn fetch_optional(
        conn: &mut Self::Connection,
        sql: Sql,
    ) -> Result<Option<Self::Row>, StoreError>;
    /// The one row a statement returns (an error if none).
    async fn fetch_one(conn: &mut Self::Connection, sql: Sql) -> Result<Self::Row, StoreError>;
}

/// Binds every value of `sql` to the database's argument buffer.
fn arguments<DB>(args: Vec<Arg>) -> Result<DB::Arguments, StoreError>
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> &'static str: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'static str>: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> i32: Encode<'t, DB> + Type<DB>,
    for<'t> NaiveDate: Encode<'t, DB> + Type<DB>,
    for<'t> DateTime<Utc>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<DateTime<Utc>>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<NaiveDate>: Encode<'t, DB> + Type<DB>,
{
    let mut out = DB::Arguments::default();
    out.reserve(args.len(), 0);
    for arg in args {
        let added = match arg {
            Arg::Text(v) => out.add(v),
            Arg::Str(v) => out.add(v),
            Arg::OptText(v) => out.add(v),
            Arg::OptStr(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Int32(v) => out.add(v),
            Arg::Date(v) => out.add(v),
            Arg::Time(v) => out.add(v),
            Arg::OptTime(v) => out.add(v),
            Arg::OptDate(v) => out.add(v),
        };
        added.map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
    }
    Ok(out)
}

// The sqlx bounds live here, once: every database that has them runs `Sql`.
#[async_trait]
impl<DB> Exec for DB
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    DB::QueryResult: RowsAffected,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> &'static str: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'static str>: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> i32: Encode<'t, DB> + Type<DB>,
    for<'t> NaiveDate: Encode<'t, DB> + Type<DB>,
    for<'t> DateTime<Utc>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<DateTime<Utc>>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<NaiveDate>: Encode<'t, DB> + Type<DB>,
{
    async fn execute(conn: &mut DB::Connection, sql: Sql) -> Result<u64, StoreError> {
        let args = arguments::<DB>(sql.args)?;
        let done = sqlx::query_with(sqlx::AssertSqlSafe(sql.text), args)
            .execute(conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(conn: &mut DB::Connection, sql: Sql) -> Result<Vec<DB::Row>, StoreError> {
        let args = arguments::<DB>(sql.args)?;
        Ok(sqlx::query_with(sqlx::AssertSqlSafe(sql.text), args)
            .fetch_all(conn)
            .await?)
    }

    async fn fetch_optional(
        conn: &mut DB::Connection,
        sql: Sql,
    ) -> Result<Option<DB::Row>, StoreError> {
        let args = arguments::<DB>(sql.args)?;
        Ok(sqlx::query_with(sqlx::AssertSqlSafe(sql.text), args)
            .fetch_optional(conn)
            .await?)
    }

    async fn fetch_one(conn: &mut DB::Connection, sql: Sql) -> Result<DB::Row, StoreError> {
        let args = arguments::<DB>(sql.args)?;
        Ok(sqlx::query_with(sqlx::AssertSqlSafe(sql.text), args)
            .fetch_one(conn)
            .await?)
    }
}

/// A row's columns by name: positions depend on the order of a select list, names do not.
pub trait DbRow {
    fn text(&self, column: &str) -> Result<String, StoreError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, column: &str) -> Result<i64, StoreError>;
    fn date(&self, column: &str) -> Result<NaiveDate, StoreError>;
    fn time(&self, column: &str) -> Result<DateTime<Utc>, StoreError>;
    fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, StoreError>;
    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, StoreError>;
    /// A JSON column (SQLite: text; PostgreSQL: `jsonb`).
    fn json(&self, column: &str) -> Result<serde_json::Value, StoreError>;
    fn opt_json(&self, column: &str) -> Result<Option<serde_json::Value>, StoreError>;

    /// A JSON column as `T`.
    fn json_as<T: serde::de::DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        serde_json::from_value(self.json(column)?)
            .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
    }

    /// A nullable JSON column as `T`.
    fn opt_json_as<T: serde::de::DeserializeOwned>(
        &self,
        column: &str,
    ) -> Result<Option<T>, StoreError> {
        self.opt_json(column)?
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
            })
            .transpose()
    }
}

// As for `Exec`: the sqlx bounds once, for every row type that has them.
impl<R> DbRow for R
where
    R: Row,
    for<'n> &'n str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<NaiveDate>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Json<serde_json::Value>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<Json<serde_json::Value>>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, column: &str) -> Result<String, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn int(&self, column: &str) -> Result<i64, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn date(&self, column: &str) -> Result<NaiveDate, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn time(&self, column: &str) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, StoreError> {
        Ok(self.try_get(column)?)
    }
    fn json(&self, column: &str) -> Result<serde_json::Value, StoreError> {
        Ok(self.try_get::<Json<serde_json::Value>, _>(column)?.0)
    }
    fn opt_json(&self, column: &str) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(self
            .try_get::<Option<Json<serde_json::Value>>, _>(column)?
            .map(|j| j.0))
    }
}

/// What differs between SQLite and PostgreSQL, and nothing else. Implemented by
/// `sqlx::Sqlite` (`sqlite.rs`) and `sqlx::Postgres` (`postgres.rs`).
pub trait Engine: Exec<Row: DbRow> {
    /// Placeholders as `$1, $2, ...` (true) or `?` in order (false).
    const NUMBERED: bool;
    /// What turns a bound JSON text into the column's JSON type.
    const JSON_CAST: &'static str;
    /// How a transaction that writes begins.
    const BEGIN_WRITE: &'static str;
    /// What [`crate::VaultStore::compact`] runs.
    const COMPACT: &'static [&'static str];
    /// Refreshes the planner's statistics inside a long import, if the engine needs it.
    const REFRESH_STATS: Option<&'static str>;
    /// `YYYY-MM` of `decided_on`.
    const MONTH: &'static str;
    /// `YYYY-MM-DD` of `recorded_at` in China's time zone (UTC+8, no daylight saving).
    const CHINA_DAY_OF_RECORDED_AT: &'static str;
    /// Opens the candidate query of a name search; the match expression is bound after it.
    const HITS_OPEN: &'static str;
    /// Closes the candidate query.
    const HITS_CLOSE: &'static str;
    /// Joins a candidate (`hits.rid`) to its subject row `s`.
    const HITS_JOIN: &'static str;
    /// The engine's full-text query for tokens that must all match.
    fn match_expr(tokens: &[Token]) -> String;
    /// The statement that copies the database into a new file (bound after it), if the
    /// engine can do it from a connection.
    const BACKUP_INTO: Option<&'static str>;
    /// The migrations this build carries for the engine.
    fn migrator() -> &'static sqlx::migrate::Migrator;
}

/// The store over one engine: a pool and the keys that seal personal data. Every capability
/// trait is implemented for it, for both engines, by the same code.
pub struct SqlStore<E: Engine> {
    pub(crate) pool: Pool<E>,
    pub(crate) vault: Arc<Vault>,
}

impl<E: Engine> Clone for SqlStore<E> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
            vault: self.vault.clone(),
        }
    }
}

impl<E: Engine> SqlStore<E> {
    /// The connection pool, for tests and benchmarks that must reach below the traits.
    pub fn pool(&self) -> &Pool<E> {
        &self.pool
    }

    /// A store over a migrated pool.
    pub(crate) fn new(pool: Pool<E>, vault: Arc<Vault>) -> Self {
        SqlStore { pool, vault }
    }

    /// Begins a transaction that writes ([`Engine::BEGIN_WRITE`]).
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, E>, StoreError> {
        Ok(self.pool.begin_with(E::BEGIN_WRITE).await?)
    }

    /// Runs a statement on a connection of the pool; returns how many rows it changed.
    pub(crate) async fn execute(&self, sql: Sql) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        E::execute(&mut conn, sql).await
    }

    pub(crate) async fn fetch_all(&self, sql: Sql) -> Result<Vec<E::Row>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        E::fetch_all(&mut conn, sql).await
    }

    pub(crate) async fn fetch_optional(&self, sql: Sql) -> Result<Option<E::Row>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        E::fetch_optional(&mut conn, sql).await
    }

    pub(crate) async fn fetch_one(&self, sql: Sql) -> Result<E::Row, StoreError> {
        let mut conn = self.pool.acquire().await?;
        E::fetch_one(&mut conn, sql).await
    }
}

/// A `StoreError::Corrupt` naming what could not be read.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// A stored integer that must fit `T` (a version, a size, an index).
pub(crate) fn fits<T: TryFrom<i64>>(what: &str, value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| corrupt(what, &value.to_string()))
}

/// A count or index as the engines store it (`BIGINT`): saturates instead of wrapping.
pub(crate) fn stored_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_engine_spells_placeholders_its_way_from_one_building_code() {
        let build = |mut sql: Sql| {
            sql.push(" WHERE a = ").bind("x").push(" AND b IN (");
            sql.bind_list([1i64, 2]).push(") ");
            sql.values([("p", 1i64)], |t, (p, n)| {
                t.bind(p).bind_json("{}".to_owned()).bind(n);
            });
            (sql.text().to_owned(), sql.len())
        };
        let (lite, n) = build(Sql::new::<sqlx::Sqlite>("SELECT"));
        assert_eq!(lite, "SELECT WHERE a = ? AND b IN (?, ?) VALUES (?, ?, ?)");
        assert_eq!(n, 6);
        let (pg, _) = build(Sql::new::<sqlx::Postgres>("SELECT"));
        assert_eq!(
            pg,
            "SELECT WHERE a = $1 AND b IN ($2, $3) VALUES ($4, $5::jsonb, $6)"
        );
    }
}
