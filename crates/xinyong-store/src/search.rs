//! Public read paths of the website (issue #3): name search over the segmented `search_terms`
//! column, current entries of a list category, statistics and the open-data export.
//!
//! Search semantics, identical on both backends (the conformance suite proves it):
//! - A name query matches a subject whose terms contain every query token (SQLite: FTS5
//!   `unicode61` over an external-content table; PostgreSQL: GIN over
//!   `to_tsvector('simple', search_terms)`).
//! - At most [`SEARCH_CANDIDATES`] matches are ranked; above that the page says there are more
//!   (`more`), and which candidates are ranked may differ by backend. Ranking: exact name, then
//!   the number of the query's words that are words of the name, then the shorter name, then
//!   the code.
//! - A code query finds the code itself, or (with at least 8 characters, organisations only,
//!   so that identity numbers cannot be enumerated) every code it begins.

use chrono::NaiveDate;
use xinyong_domain::Record;
use xinyong_domain::search::{SECTION_SEPARATOR, Token};

use crate::StoredSubject;

/// Most matches ranked for one query.
pub const SEARCH_CANDIDATES: u32 = 500;

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

/// The parts of search SQL that differ between backends.
pub(crate) trait SearchSql {
    /// Opens the candidate query; the match expression is bound right after it.
    const HITS_OPEN: &'static str;
    /// Closes the candidate query.
    const HITS_CLOSE: &'static str;
    /// Joins a candidate (`hits.rid`) to its subject row `s`.
    const JOIN: &'static str;
    /// `YYYY-MM` of `decided_on`.
    const MONTH: &'static str;
    /// The engine's query text for tokens that must all match.
    fn match_expr(tokens: &[Token]) -> String;
}

impl SearchSql for crate::SqliteStore {
    const HITS_OPEN: &'static str =
        "SELECT rowid AS rid FROM subjects_fts WHERE subjects_fts MATCH ";
    const HITS_CLOSE: &'static str = "";
    const JOIN: &'static str = "s.rowid = hits.rid";
    const MONTH: &'static str = "substr(decided_on, 1, 7)";
    fn match_expr(tokens: &[Token]) -> String {
        // Tokens hold only letters, digits and Chinese characters: quoting cannot be escaped.
        tokens
            .iter()
            .map(|t| format!("\"{}\"{}", t.text, if t.prefix { "*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl SearchSql for crate::PgStore {
    const HITS_OPEN: &'static str = "SELECT id AS rid FROM subjects \
         WHERE to_tsvector('simple', search_terms) @@ to_tsquery('simple', ";
    const HITS_CLOSE: &'static str = ")";
    const JOIN: &'static str = "s.id = hits.rid";
    const MONTH: &'static str = "to_char(decided_on, 'YYYY-MM')";
    fn match_expr(tokens: &[Token]) -> String {
        tokens
            .iter()
            .map(|t| format!("'{}'{}", t.text, if t.prefix { ":*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// `LIKE` pattern that holds when `word` is in the words part of `' ' || search_terms`.
pub(crate) fn word_pattern(word: &str) -> String {
    format!("% {word} %{SECTION_SEPARATOR}%")
}

/// Upper bound (inclusive) of the codes that begin with `prefix`: codes are 18 characters of
/// digits and capitals, and `Z` sorts after all of them in every collation.
pub(crate) fn code_upper_bound(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    while s.len() < 18 {
        s.push('Z');
    }
    s
}

/// The SQL expression for the province of a record's subject.
pub(crate) const PROVINCE: &str = "CASE WHEN subject_kind = 'natural_person' \
     THEN substr(subject_code, 1, 2) ELSE substr(subject_code, 3, 2) END";

/// Records that count on the public side before the catalogue's rules are applied: active or
/// under objection, not minor, publicity running. The caller binds today's date after it.
pub(crate) const CURRENT: &str = "status IN ('active', 'under_objection') \
     AND (tier IS NULL OR tier <> 'minor') AND publicity_until > ";

/// Implements the search and public read paths for one store type, as inherent methods that
/// the `Store` implementation in `backend.rs` calls.
macro_rules! impl_search {
    ($store:ident, $db:ty, $row:ty) => {
        impl $store {
            /// Segments the names of subjects stored before search existed (or by an older
            /// version): their `search_terms` is empty.
            pub(crate) async fn segment_unsegmented(&self) -> Result<u64, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut done = 0u64;
                loop {
                    let rows = sqlx::query_as::<_, (String, String)>(
                        "SELECT id, name FROM subjects WHERE search_terms = '' LIMIT 1000",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    if rows.is_empty() {
                        return Ok(done);
                    }
                    let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                    for (id, name) in &rows {
                        let mut qb = QueryBuilder::<$db>::new("UPDATE subjects SET search_terms = ");
                        qb.push_bind(xinyong_domain::search::index_terms(name));
                        qb.push(" WHERE id = ").push_bind(id.clone());
                        qb.build().execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    done += rows.len() as u64;
                }
            }

            pub(crate) async fn subject_by_id_impl(
                &self,
                id: &str,
            ) -> Result<Option<$crate::StoredSubject>, $crate::StoreError> {
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new("SELECT id, code, name, kind, code_sealed FROM subjects WHERE id = ");
                qb.push_bind(id.to_owned());
                let row = qb.build().fetch_optional(&self.pool).await?;
                row.as_ref().map(|r| self.subject_from_row(r)).transpose()
            }

            pub(crate) async fn search_subjects_impl(
                &self,
                query: &xinyong_domain::search::SearchQuery,
                limit: u32,
                offset: u32,
            ) -> Result<$crate::search::SearchPage, $crate::StoreError> {
                use sqlx::{QueryBuilder, Row};
                use xinyong_domain::search::SearchQuery;
                use $crate::search::{SearchSql, SEARCH_CANDIDATES};
                let cap = i64::from(SEARCH_CANDIDATES) + 1;
                let mut qb;
                match query {
                    SearchQuery::Code { code, exact } => {
                        // A person is found by the lookup code of the full number only.
                        let code = &if *exact { self.vault.lookup_code(code) } else { code.clone() };
                        qb = QueryBuilder::<$db>::new(
                            "WITH hits AS (SELECT id, code, name, kind, code_sealed FROM subjects WHERE ",
                        );
                        if *exact {
                            qb.push("code = ").push_bind(code.clone());
                        } else {
                            qb.push("code >= ").push_bind(code.clone());
                            qb.push(" AND code <= ")
                                .push_bind($crate::search::code_upper_bound(code));
                            qb.push(" AND kind <> 'natural_person'");
                        }
                        qb.push(" ORDER BY code LIMIT ").push_bind(cap);
                        qb.push(") SELECT id, code, name, kind, COUNT(*) OVER (), code_sealed FROM hits \
                                 ORDER BY CASE WHEN code = ");
                        qb.push_bind(code.clone());
                        qb.push(" THEN 0 ELSE 1 END, code");
                    }
                    SearchQuery::Name { exact_name, tokens, words } => {
                        qb = QueryBuilder::<$db>::new("WITH hits AS (");
                        qb.push(<$store as SearchSql>::HITS_OPEN);
                        qb.push_bind(<$store as SearchSql>::match_expr(tokens));
                        qb.push(<$store as SearchSql>::HITS_CLOSE);
                        qb.push(" LIMIT ").push_bind(cap);
                        qb.push("), ranked AS (SELECT s.id, s.code, s.name, s.kind, s.code_sealed, \
                                 CASE WHEN s.name = ");
                        qb.push_bind(exact_name.clone());
                        qb.push(" THEN 0 ELSE 1 END AS exact, (0");
                        for w in words {
                            qb.push(" + CASE WHEN (' ' || s.search_terms) LIKE ");
                            qb.push_bind($crate::search::word_pattern(w));
                            qb.push(" THEN 1 ELSE 0 END");
                        }
                        qb.push(") AS score, length(s.name) AS len FROM hits JOIN subjects s ON ");
                        qb.push(<$store as SearchSql>::JOIN);
                        qb.push(") SELECT id, code, name, kind, COUNT(*) OVER (), code_sealed FROM ranked \
                                 ORDER BY exact, score DESC, len, code");
                    }
                }
                qb.push(" LIMIT ").push_bind(i64::from(limit));
                qb.push(" OFFSET ").push_bind(i64::from(offset));
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut found: i64 = match rows.first() {
                    Some(r) => r.try_get(4)?,
                    None => 0,
                };
                if rows.is_empty() && offset > 0 {
                    // Past the last page: count without ranking.
                    let first = $crate::Store::search_subjects(self, query, 1, 0).await?;
                    found = i64::try_from(first.total).unwrap_or(0) + i64::from(first.more);
                }
                let subjects = rows
                    .iter()
                    .map(|r| self.subject_from_row(r))
                    .collect::<Result<Vec<_>, _>>()?;
                let found = u64::try_from(found).unwrap_or(0);
                let max = u64::from(SEARCH_CANDIDATES);
                Ok($crate::search::SearchPage {
                    total: found.min(max),
                    more: found > max,
                    subjects,
                })
            }

            /// Adds the filter of current public records of a category to `qb`.
            fn push_category_filter(
                qb: &mut sqlx::QueryBuilder<$db>,
                f: &$crate::search::CategoryFilter,
            ) {
                qb.push(" WHERE category = ").push_bind(f.category.clone());
                qb.push(" AND ").push($crate::search::CURRENT).push_bind(f.today);
                if let Some(region) = &f.region {
                    let n = i32::try_from(region.len()).unwrap_or(6);
                    qb.push(" AND CASE WHEN subject_kind = 'natural_person' THEN substr(subject_code, 1, ");
                    qb.push_bind(n).push(") ELSE substr(subject_code, 3, ").push_bind(n);
                    qb.push(") END = ").push_bind(region.clone());
                }
                if let Some(d) = &f.department {
                    qb.push(" AND department = ").push_bind(d.clone());
                }
            }

            pub(crate) async fn current_records_in_category_impl(
                &self,
                filter: &$crate::search::CategoryFilter,
                limit: u32,
                offset: u32,
            ) -> Result<$crate::search::RecordPage, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM records");
                Self::push_category_filter(&mut qb, filter);
                let total: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
                let mut qb = QueryBuilder::<$db>::new("SELECT ");
                qb.push($crate::backend::RECORD_COLUMNS).push(" FROM records");
                Self::push_category_filter(&mut qb, filter);
                qb.push(" ORDER BY decided_on DESC, id LIMIT ").push_bind(i64::from(limit));
                qb.push(" OFFSET ").push_bind(i64::from(offset));
                let rows = qb.build().fetch_all(&self.pool).await?;
                Ok($crate::search::RecordPage {
                    total: u64::try_from(total).unwrap_or(0),
                    records: rows.iter().map(|r| self.decode_record(r)).collect::<Result<_, _>>()?,
                })
            }

            pub(crate) async fn record_stats_impl(
                &self,
                categories: &[String],
                today: chrono::NaiveDate,
            ) -> Result<Vec<$crate::search::StatRow>, $crate::StoreError> {
                use sqlx::{QueryBuilder, Row};
                use $crate::search::SearchSql;
                if categories.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT category, ");
                qb.push(<$store as SearchSql>::MONTH).push(" AS month, ");
                qb.push($crate::search::PROVINCE).push(" AS province, COUNT(*) FROM records WHERE category IN (");
                let mut sep = qb.separated(", ");
                for c in categories {
                    sep.push_bind(c.clone());
                }
                qb.push(") AND ").push($crate::search::CURRENT).push_bind(today);
                qb.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|row| {
                        let count: i64 = row.try_get(3)?;
                        Ok($crate::search::StatRow {
                            category: row.try_get(0)?,
                            month: row.try_get(1)?,
                            province: row.try_get(2)?,
                            count: u64::try_from(count).unwrap_or(0),
                        })
                    })
                    .collect()
            }

            pub(crate) async fn current_records_after_impl(
                &self,
                categories: &[String],
                today: chrono::NaiveDate,
                after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                use sqlx::QueryBuilder;
                if categories.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = QueryBuilder::<$db>::new("SELECT ");
                qb.push($crate::backend::RECORD_COLUMNS).push(" FROM records WHERE category IN (");
                let mut sep = qb.separated(", ");
                for c in categories {
                    sep.push_bind(c.clone());
                }
                qb.push(") AND ").push($crate::search::CURRENT).push_bind(today);
                if let Some(after) = after {
                    qb.push(" AND id > ").push_bind(after.to_owned());
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(|r| self.decode_record(r)).collect()
            }
        }
    };
}

pub(crate) use impl_search;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn match_expressions_quote_every_token() {
        let tokens = vec![
            Token {
                text: "腾讯".into(),
                prefix: false,
            },
            Token {
                text: "深".into(),
                prefix: true,
            },
        ];
        assert_eq!(
            <crate::SqliteStore as SearchSql>::match_expr(&tokens),
            "\"腾讯\" \"深\"*"
        );
        assert_eq!(
            <crate::PgStore as SearchSql>::match_expr(&tokens),
            "'腾讯' & '深':*"
        );
        assert_eq!(code_upper_bound("91440300"), "91440300ZZZZZZZZZZ");
    }
}
