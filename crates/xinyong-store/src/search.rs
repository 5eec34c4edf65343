//! Subjects and the public read paths of the website (issue #3): subjects by code, id and
//! page, name search over the segmented `search_terms` column, current entries of a list
//! category, statistics and the open-data export.
//!
//! Search semantics, identical on both engines (the conformance suite proves it):
//! - A name query matches a subject whose terms contain every query token (SQLite: FTS5
//!   `unicode61` over an external-content table; PostgreSQL: GIN over the stored column
//!   `search_vector`, `to_tsvector('simple', search_terms)`).
//! - At most [`SEARCH_CANDIDATES`] matches are ranked; above that the page says there are more
//!   (`more`), and which candidates are ranked may differ by engine. Ranking: exact name, then
//!   the number of the query's words that are words of the name, then the shorter name, then
//!   the code.
//! - A code query finds the code itself, or (with at least 8 characters, organisations only,
//!   so that identity numbers cannot be enumerated) every code it begins.

use async_trait::async_trait;
use chrono::NaiveDate;
use xinyong_domain::Record;
use xinyong_domain::search::{SECTION_SEPARATOR, SearchQuery};

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::model::{FormerName, StoredSubject};
use crate::record_rows::{RECORD_COLUMNS, parse_kind, row_subject};
use crate::vault::Vault;

/// Most matches ranked for one query.
pub const SEARCH_CANDIDATES: u32 = 500;

/// Subjects, and what the public sees of records.
#[async_trait]
pub trait SubjectStore: Send + Sync {
    /// A subject by its code.
    async fn subject(&self, code: &str) -> Result<Option<StoredSubject>, StoreError>;
    /// The names a subject had before its registrar renamed it, newest first (issue #11,
    /// item 5: name changes keep their history).
    async fn former_names(&self, code: &str) -> Result<Vec<FormerName>, StoreError>;
    /// A subject by its opaque id (links to natural persons use it, never the identity number).
    async fn subject_by_id(&self, id: &str) -> Result<Option<StoredSubject>, StoreError>;
    /// Subjects in a stable order, starting after the subject with id `after`.
    async fn subjects_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StoredSubject>, StoreError>;
    /// Subjects whose name or code matches a public search query, best first (see
    /// [`crate::search`] for the semantics, identical on both engines).
    async fn search_subjects(
        &self,
        query: &SearchQuery,
        limit: u32,
        offset: u32,
    ) -> Result<SearchPage, StoreError>;
    /// Current records of one category (active or under objection, not minor, publicity
    /// running on `filter.today`), newest decision first: the public list pages.
    async fn current_records_in_category(
        &self,
        filter: &CategoryFilter,
        limit: u32,
        offset: u32,
    ) -> Result<RecordPage, StoreError>;
    /// Counts of current records of these categories by category, month and province.
    async fn record_stats(
        &self,
        categories: &[String],
        today: NaiveDate,
    ) -> Result<Vec<StatRow>, StoreError>;
    /// Current records of these categories in id order, after the record with id `after`:
    /// the open-data export, page by page.
    async fn current_records_after(
        &self,
        categories: &[String],
        today: NaiveDate,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError>;
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// Matches (at most [`SEARCH_CANDIDATES`]).
    pub total: u64,
    /// More than [`SEARCH_CANDIDATES`] subjects match.
    pub more: bool,
    pub subjects: Vec<StoredSubject>,
}

/// Which current records of a category to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFilter {
    pub category: String,
    /// Records whose publicity runs on this day (`publicity_until` after it).
    pub today: NaiveDate,
    /// A division code prefix (2, 4 or 6 digits) of the subject's code.
    pub region: Option<String>,
    /// The submitting department's code.
    pub department: Option<String>,
}

/// A page of records with the number of all that match.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    pub total: u64,
    pub records: Vec<Record>,
}

/// Count of current public records of one category, decided in one month, about subjects of
/// one province.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatRow {
    pub category: String,
    /// `YYYY-MM` of the decision.
    pub month: String,
    /// First two digits of the subject's division code.
    pub province: String,
    pub count: u64,
}

/// `LIKE` pattern that holds when `word` is in the words part of `' ' || search_terms`.
fn word_pattern(word: &str) -> String {
    format!("% {word} %{SECTION_SEPARATOR}%")
}

/// Upper bound (inclusive) of the codes that begin with `prefix`: codes are 18 characters of
/// digits and capitals, and `Z` sorts after all of them in every collation.
fn code_upper_bound(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    while s.len() < 18 {
        s.push('Z');
    }
    s
}

/// The SQL expression for the province of a record's subject.
const PROVINCE: &str = "CASE WHEN subject_kind = 'natural_person' \
     THEN substr(subject_code, 1, 2) ELSE substr(subject_code, 3, 2) END";

/// Records that count on the public side before the catalogue's rules are applied: active or
/// under objection, not minor, publicity running. The caller binds today's date after it.
const CURRENT: &str = "status IN ('active', 'under_objection') \
     AND (tier IS NULL OR tier <> 'minor') AND publicity_until > ";

/// The columns [`decode_subject`] reads.
const SUBJECT_COLUMNS: &str = "id, code, name, kind, code_sealed";

/// Decodes a row with [`SUBJECT_COLUMNS`], opening a sealed identity number.
pub(crate) fn decode_subject(row: &impl DbRow, vault: &Vault) -> Result<StoredSubject, StoreError> {
    let id = row.text("id")?;
    Ok(StoredSubject {
        code: row_subject(
            row,
            vault,
            ("code", "code_sealed"),
            ("code of subject", &id),
        )?,
        id,
        name: row.text("name")?,
        kind: parse_kind(&row.text("kind")?)?,
    })
}

/// Adds the filter of current public records of a category to `sql`.
fn push_category_filter(sql: &mut Sql, f: &CategoryFilter) {
    sql.push(" WHERE category = ").bind(&f.category);
    sql.push(" AND ").push(CURRENT).bind(f.today);
    if let Some(region) = &f.region {
        let n = i32::try_from(region.len()).unwrap_or(6);
        sql.push(" AND CASE WHEN subject_kind = 'natural_person' THEN substr(subject_code, 1, ");
        sql.bind(n).push(") ELSE substr(subject_code, 3, ").bind(n);
        sql.push(") END = ").bind(region);
    }
    if let Some(d) = &f.department {
        sql.push(" AND department = ").bind(d);
    }
}

impl<E: Engine> SqlStore<E> {
    /// Segments the names of subjects stored before search existed (or by an older
    /// version): their `search_terms` is empty.
    pub(crate) async fn segment_unsegmented(&self) -> Result<u64, StoreError> {
        let mut done = 0u64;
        loop {
            let rows = self
                .fetch_all(Sql::new::<E>(
                    "SELECT id, name FROM subjects WHERE search_terms = '' LIMIT 1000",
                ))
                .await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut tx = self.begin_write().await?;
            for row in &rows {
                let mut sql = Sql::new::<E>("UPDATE subjects SET search_terms = ");
                sql.bind(xinyong_domain::search::index_terms(&row.text("name")?));
                sql.push(" WHERE id = ").bind(row.text("id")?);
                E::execute(&mut tx, sql).await?;
            }
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }

    async fn fetch_subject(&self, sql: Sql) -> Result<Option<StoredSubject>, StoreError> {
        let row = self.fetch_optional(sql).await?;
        row.as_ref()
            .map(|r| decode_subject(r, &self.vault))
            .transpose()
    }

    /// The ranked search statement (without `LIMIT`/`OFFSET`): matches, each with the number
    /// of all matches as `total`.
    fn search_sql(&self, query: &SearchQuery) -> Sql {
        let cap = i64::from(SEARCH_CANDIDATES) + 1;
        match query {
            SearchQuery::Code { code, exact } => {
                // A person is found by the lookup code of the full number only.
                let code = if *exact {
                    self.vault.lookup_code(code)
                } else {
                    code.clone()
                };
                let mut sql = Sql::new::<E>("WITH hits AS (SELECT ");
                sql.push(SUBJECT_COLUMNS).push(" FROM subjects WHERE ");
                if *exact {
                    sql.push("code = ").bind(&code);
                } else {
                    sql.push("code >= ").bind(&code);
                    sql.push(" AND code <= ").bind(code_upper_bound(&code));
                    sql.push(" AND kind <> 'natural_person'");
                }
                sql.push(" ORDER BY code LIMIT ").bind(cap);
                sql.push(
                    ") SELECT id, code, name, kind, COUNT(*) OVER () AS total, code_sealed \
                     FROM hits ORDER BY CASE WHEN code = ",
                );
                sql.bind(code).push(" THEN 0 ELSE 1 END, code");
                sql
            }
            SearchQuery::Name {
                exact_name,
                tokens,
                words,
            } => {
                let mut sql = Sql::new::<E>("WITH hits AS (");
                sql.push(E::HITS_OPEN).bind(E::match_expr(tokens));
                sql.push(E::HITS_CLOSE).push(" LIMIT ").bind(cap);
                sql.push(
                    "), ranked AS (SELECT s.id, s.code, s.name, s.kind, s.code_sealed, \
                     CASE WHEN s.name = ",
                );
                sql.bind(exact_name).push(" THEN 0 ELSE 1 END AS exact, (0");
                for w in words {
                    sql.push(" + CASE WHEN (' ' || s.search_terms) LIKE ");
                    sql.bind(word_pattern(w)).push(" THEN 1 ELSE 0 END");
                }
                sql.push(") AS score, length(s.name) AS len FROM hits JOIN subjects s ON ");
                sql.push(E::HITS_JOIN);
                sql.push(
                    ") SELECT id, code, name, kind, COUNT(*) OVER () AS total, code_sealed \
                     FROM ranked ORDER BY exact, score DESC, len, code",
                );
                sql
            }
        }
    }

    /// Current records of these categories (not empty) on `today`: the start of a statement.
    fn current_in(categories: &[String], today: NaiveDate) -> Sql {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(RECORD_COLUMNS)
            .push(" FROM records WHERE category IN (");
        sql.bind_list(categories).push(") AND ").push(CURRENT);
        sql.bind(today);
        sql
    }
}

#[async_trait]
impl<E: Engine> SubjectStore for SqlStore<E> {
    async fn subject(&self, code: &str) -> Result<Option<StoredSubject>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(SUBJECT_COLUMNS)
            .push(" FROM subjects WHERE code = ");
        sql.bind(self.vault.lookup_code(code));
        self.fetch_subject(sql).await
    }

    async fn former_names(&self, code: &str) -> Result<Vec<FormerName>, StoreError> {
        let mut sql = Sql::new::<E>(
            "SELECT n.name, n.kind, n.department, n.replaced_at FROM subject_names n \
             JOIN subjects s ON s.id = n.subject_id WHERE s.code = ",
        );
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY n.replaced_at DESC");
        let mut out = Vec::new();
        for row in self.fetch_all(sql).await? {
            out.push(FormerName {
                name: row.text("name")?,
                kind: parse_kind(&row.text("kind")?)?,
                department: row.opt_text("department")?,
                replaced_at: row.time("replaced_at")?,
            });
        }
        Ok(out)
    }

    async fn subject_by_id(&self, id: &str) -> Result<Option<StoredSubject>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(SUBJECT_COLUMNS).push(" FROM subjects WHERE id = ");
        sql.bind(id.to_owned());
        self.fetch_subject(sql).await
    }

    async fn subjects_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StoredSubject>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(SUBJECT_COLUMNS).push(" FROM subjects ");
        if let Some(after) = after {
            sql.push("WHERE id > ").bind(after.to_owned());
        }
        sql.push(" ORDER BY id LIMIT ").bind(limit);
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|r| decode_subject(r, &self.vault))
            .collect()
    }

    async fn search_subjects(
        &self,
        query: &SearchQuery,
        limit: u32,
        offset: u32,
    ) -> Result<SearchPage, StoreError> {
        let mut sql = self.search_sql(query);
        sql.push(" LIMIT ").bind(limit);
        sql.push(" OFFSET ").bind(offset);
        let rows = self.fetch_all(sql).await?;
        let mut found = match rows.first() {
            Some(r) => r.int("total")?,
            None => 0,
        };
        if rows.is_empty() && offset > 0 {
            // Past the last page: count without ranking.
            let first = self.search_subjects(query, 1, 0).await?;
            found = i64::try_from(first.total).unwrap_or(0) + i64::from(first.more);
        }
        let subjects = rows
            .iter()
            .map(|r| decode_subject(r, &self.vault))
            .collect::<Result<Vec<_>, _>>()?;
        let found = u64::try_from(found).unwrap_or(0);
        let max = u64::from(SEARCH_CANDIDATES);
        Ok(SearchPage {
            total: found.min(max),
            more: found > max,
            subjects,
        })
    }

    async fn current_records_in_category(
        &self,
        filter: &CategoryFilter,
        limit: u32,
        offset: u32,
    ) -> Result<RecordPage, StoreError> {
        let mut sql = Sql::new::<E>("SELECT COUNT(*) AS total FROM records");
        push_category_filter(&mut sql, filter);
        let total = self.fetch_one(sql).await?.int("total")?;
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(RECORD_COLUMNS).push(" FROM records");
        push_category_filter(&mut sql, filter);
        sql.push(" ORDER BY decided_on DESC, id LIMIT ").bind(limit);
        sql.push(" OFFSET ").bind(offset);
        Ok(RecordPage {
            total: u64::try_from(total).unwrap_or(0),
            records: self.fetch_records(sql).await?,
        })
    }

    async fn record_stats(
        &self,
        categories: &[String],
        today: NaiveDate,
    ) -> Result<Vec<StatRow>, StoreError> {
        if categories.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new::<E>("SELECT category, ");
        sql.push(E::MONTH).push(" AS month, ").push(PROVINCE);
        sql.push(" AS province, COUNT(*) AS n FROM records WHERE category IN (");
        sql.bind_list(categories).push(") AND ").push(CURRENT);
        sql.bind(today).push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|row| {
                Ok(StatRow {
                    category: row.text("category")?,
                    month: row.text("month")?,
                    province: row.text("province")?,
                    count: u64::try_from(row.int("n")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn current_records_after(
        &self,
        categories: &[String],
        today: NaiveDate,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        if categories.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Self::current_in(categories, today);
        if let Some(after) = after {
            sql.push(" AND id > ").bind(after.to_owned());
        }
        sql.push(" ORDER BY id LIMIT ").bind(limit);
        self.fetch_records(sql).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn upper_bound_covers_every_code_with_the_prefix() {
        assert_eq!(code_upper_bound("91440300"), "91440300ZZZZZZZZZZ");
        assert_eq!(
            word_pattern("科技"),
            format!("% 科技 %{SECTION_SEPARATOR}%")
        );
    }
}
