//! The one implementation of [`crate::Store`], stamped out for each sqlx database by
//! [`impl_store!`]. SQLite and PostgreSQL share every query: statements are built with
//! `QueryBuilder` (which writes each backend's placeholders) and use only SQL both accept
//! (`ON CONFLICT`, multi-row `VALUES`). Only the connection set-up and the migrations differ,
//! in `sqlite.rs` and `postgres.rs`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sqlx::types::Json;
use xinyong_domain::{Listing, Record, RecordStatus, SubjectKind, Tier, ValidRecord};

use crate::{Outcome, StoreError, Submitted, new_id};

/// Rows per multi-row statement: records has 17 columns, and SQLite allows 32,766 bound
/// parameters per statement (17 × 1500 = 25,500). Fewer, larger statements make imports
/// about 1.3× faster than chunks of 500 (`xinyong bench import`).
pub(crate) const CHUNK: usize = 1500;

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub(crate) fn parse_kind(s: &str) -> Result<SubjectKind, StoreError> {
    SubjectKind::parse(s).ok_or_else(|| corrupt("subject kind", s))
}

/// One version row as read back, before conversion into a domain [`Record`].
pub(crate) struct RecordRow {
    pub id: String,
    pub version: i64,
    pub status: String,
    pub department: String,
    pub category: String,
    pub subject_code: String,
    pub subject_name: String,
    pub subject_kind: String,
    pub document_no: String,
    pub decided_on: NaiveDate,
    pub legal_basis: String,
    pub tier: Option<String>,
    pub publicity_until: NaiveDate,
    pub fields: Json<BTreeMap<String, Value>>,
    pub content_hash: String,
    pub recorded_at: DateTime<Utc>,
    pub listing: Option<Json<Listing>>,
    pub status_note: Option<String>,
}

impl TryFrom<RecordRow> for Record {
    type Error = StoreError;
    fn try_from(r: RecordRow) -> Result<Record, StoreError> {
        Ok(Record {
            version: u32::try_from(r.version)
                .map_err(|_| corrupt("version", &r.version.to_string()))?,
            status: RecordStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            subject_kind: parse_kind(&r.subject_kind)?,
            tier: match r.tier.as_deref() {
                None => None,
                Some(t) => Some(Tier::parse(t).ok_or_else(|| corrupt("tier", t))?),
            },
            id: r.id,
            department: r.department,
            category: r.category,
            subject_code: r.subject_code,
            subject_name: r.subject_name,
            document_no: r.document_no,
            decided_on: r.decided_on,
            legal_basis: r.legal_basis,
            publicity_until: r.publicity_until,
            fields: r.fields.0,
            content_hash: r.content_hash,
            recorded_at: r.recorded_at,
            listing: r.listing.map(|l| l.0),
            status_note: r.status_note,
        })
    }
}

/// The state of an existing record identity, as far as a chunk being added needs it.
pub(crate) struct Existing {
    pub id: String,
    pub version: u32,
    pub hash: String,
}

/// What a chunk turns into: rows to insert, then versions to apply in order.
#[derive(Default)]
pub(crate) struct Plan<'a> {
    /// New record identities: (id, first version's record, content hash).
    pub inserts: Vec<(String, &'a ValidRecord, String)>,
    /// New versions of identities, in submission order: (id, version, record, content hash).
    /// Applied after the inserts, each one moving the current row to history first.
    pub updates: Vec<(String, u32, &'a ValidRecord, String)>,
    pub out: Vec<Submitted>,
}

/// Decides, record by record and in order, whether each is new, a new version or unchanged.
/// `existing` holds the identities already stored; it is updated as the chunk is planned so
/// that the same identity twice in one chunk is versioned correctly.
/// `stored_hash` turns a record's content hash into the form stored (keyed: see
/// [`crate::vault::Vault::content_key`]).
pub(crate) fn plan<'a>(
    records: &'a [ValidRecord],
    existing: &mut BTreeMap<(String, String), Existing>,
    stored_hash: impl Fn(&str) -> String,
) -> Plan<'a> {
    let mut plan = Plan::default();
    for rec in records {
        let hash = stored_hash(&rec.content_hash);
        let key = (rec.category.clone(), rec.document_no.clone());
        match existing.get_mut(&key) {
            Some(e) if e.hash == hash => plan.out.push(Submitted {
                id: e.id.clone(),
                version: e.version,
                outcome: Outcome::Unchanged,
            }),
            Some(e) => {
                e.version += 1;
                e.hash = hash.clone();
                plan.updates.push((e.id.clone(), e.version, rec, hash));
                plan.out.push(Submitted {
                    id: e.id.clone(),
                    version: e.version,
                    outcome: Outcome::NewVersion,
                });
            }
            None => {
                let id = new_id();
                plan.inserts.push((id.clone(), rec, hash.clone()));
                plan.out.push(Submitted {
                    id: id.clone(),
                    version: 1,
                    outcome: Outcome::Created,
                });
                existing.insert(
                    key,
                    Existing {
                        id,
                        version: 1,
                        hash,
                    },
                );
            }
        }
    }
    plan
}

/// Columns of `records` and `record_history`, in the order [`RecordRow`] reads them.
pub(crate) const RECORD_COLUMNS: &str = "id, version, status, department, category, \
    subject_code, subject_name, subject_kind, document_no, decided_on, legal_basis, \
    tier, publicity_until, fields, content_hash, recorded_at, listing, status_note, \
    subject_sealed, fields_sealed";

/// The `fields` and `fields_sealed` columns of a record: a restricted record's fields are
/// sealed (bound to the record id) and `fields` holds `{}`.
pub(crate) fn seal_fields(
    vault: &crate::vault::Vault,
    id: &str,
    rec: &ValidRecord,
) -> (String, Option<String>) {
    if rec.restricted {
        (
            "{}".to_owned(),
            Some(vault.seal(&rec.fields_json, &fields_context(id))),
        )
    } else {
        (rec.fields_json.clone(), None)
    }
}

/// What a record's sealed fields are bound to.
pub(crate) fn fields_context(id: &str) -> String {
    format!("fields:{id}")
}

/// The listing of a record as JSON text, or NULL.
pub(crate) fn listing_json(rec: &ValidRecord) -> Option<String> {
    rec.listing
        .as_ref()
        .and_then(|l| serde_json::to_string(l).ok())
}

/// Bumps the write counter of each category in `$categories` inside the transaction `$tx`:
/// a reader interested in some categories (the list index) reloads only when those moved.
macro_rules! bump_generation {
    ($tx:expr, $db:ty, $categories:expr) => {
        for category in $categories {
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO generations (topic, generation) VALUES (",
            );
            qb.push_bind(category.to_string());
            qb.push(
                ", 1) ON CONFLICT (topic) DO UPDATE SET generation = generations.generation + 1",
            );
            qb.build().execute(&mut *$tx).await?;
        }
    };
}
pub(crate) use bump_generation;

/// Implements [`crate::Store`] and [`crate::ImportSession`] for one sqlx database.
macro_rules! impl_store {
    ($store:ident, $session:ident, $db:ty, $row:ty) => {
        /// An open transaction of records from one department.
        pub struct $session {
            tx: sqlx::Transaction<'static, $db>,
            /// Departments already known to exist in this transaction.
            departments: std::collections::BTreeSet<String>,
            /// Records written in this transaction, and the count at which the planner's
            /// statistics are next refreshed (growing geometrically: a handful per import).
            written: u64,
            refresh_stats_at: u64,
            vault: std::sync::Arc<$crate::vault::Vault>,
        }

        #[async_trait::async_trait]
        impl $crate::ImportSession for $session {
            async fn add(
                &mut self,
                department: &str,
                records: &[xinyong_domain::ValidRecord],
            ) -> Result<Vec<$crate::Submitted>, $crate::StoreError> {
                use std::collections::BTreeMap;
                use sqlx::{QueryBuilder, Row};
                use $crate::backend::*;

                if !self.departments.contains(department) {
                    let known: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT code FROM departments WHERE code = {}",
                        $store::P1
                    )))
                    .bind(department)
                    .fetch_optional(&mut *self.tx)
                    .await?;
                    if known.is_none() {
                        return Err($crate::StoreError::UnknownDepartment(department.to_owned()));
                    }
                    self.departments.insert(department.to_owned());
                }

                let now = chrono::Utc::now();
                let mut out = Vec::with_capacity(records.len());
                for chunk in records.chunks(CHUNK) {
                    // Subjects: the latest name and kind submitted win; one row per code.
                    let mut subjects = BTreeMap::new();
                    for r in chunk {
                        subjects.insert(r.subject.code.as_str(), (&r.subject.name, r.subject.kind));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO subjects (id, code, name, kind, created_at, updated_at, search_terms, code_sealed) ",
                    );
                    let vault = &self.vault;
                    qb.push_values(subjects, |mut b, (code, (name, kind))| {
                        let stored = vault.store_code(code);
                        b.push_bind($crate::new_id())
                            .push_bind(stored.lookup)
                            .push_bind(name.to_string())
                            .push_bind(kind.as_str())
                            .push_bind(now)
                            .push_bind(now)
                            .push_bind(xinyong_domain::search::index_terms(name))
                            .push_bind(stored.sealed);
                    });
                    qb.push(
                        " ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                         kind = excluded.kind, updated_at = excluded.updated_at, \
                         search_terms = excluded.search_terms \
                         WHERE subjects.name <> excluded.name OR subjects.kind <> excluded.kind",
                    );
                    qb.build().execute(&mut *self.tx).await?;

                    // Identities of this chunk that already exist, with their current hash.
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT id, category, document_no, version, content_hash \
                         FROM records WHERE department = ",
                    );
                    qb.push_bind(department.to_owned());
                    qb.push(" AND document_no IN (");
                    let mut sep = qb.separated(", ");
                    let docs: std::collections::BTreeSet<&str> =
                        chunk.iter().map(|r| r.document_no.as_str()).collect();
                    for d in docs {
                        sep.push_bind(d.to_owned());
                    }
                    qb.push(")");
                    let mut existing = BTreeMap::new();
                    for row in qb.build().fetch_all(&mut *self.tx).await? {
                        let version: i64 = row.try_get(3)?;
                        existing.insert(
                            (row.try_get::<String, _>(1)?, row.try_get::<String, _>(2)?),
                            Existing {
                                id: row.try_get(0)?,
                                version: u32::try_from(version)
                                    .map_err(|_| corrupt("version", &version.to_string()))?,
                                hash: row.try_get(4)?,
                            },
                        );
                    }
                    let plan = plan(chunk, &mut existing, |h| self.vault.content_key(h));

                    if !plan.inserts.is_empty() {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO records (id, department, category, document_no, version, \
                             status, subject_code, subject_name, subject_kind, decided_on, \
                             legal_basis, tier, publicity_until, fields, content_hash, recorded_at, \
                             listing, subject_sealed, fields_sealed) ",
                        );
                        let vault = &self.vault;
                        qb.push_values(&plan.inserts, |mut b, (id, rec, hash)| {
                            let subject = vault.store_code(rec.subject.code.as_str());
                            let (fields, fields_sealed) = seal_fields(vault, id, rec);
                            b.push_bind(id.clone())
                                .push_bind(department.to_owned())
                                .push_bind(rec.category.clone())
                                .push_bind(rec.document_no.clone())
                                .push_bind(1i64)
                                .push_bind(xinyong_domain::RecordStatus::Active.as_str())
                                .push_bind(subject.lookup)
                                .push_bind(rec.subject.name.clone())
                                .push_bind(rec.subject.kind.as_str())
                                .push_bind(rec.decided_on)
                                .push_bind(rec.legal_basis.clone())
                                .push_bind(rec.tier.map(|t| t.as_str()))
                                .push_bind(rec.publicity_until)
                                .push_bind(fields);
                            b.push_unseparated($store::JSON_CAST)
                                .push_bind(hash.clone())
                                .push_bind(now)
                                .push_bind(listing_json(rec));
                            b.push_unseparated($store::JSON_CAST)
                                .push_bind(subject.sealed)
                                .push_bind(fields_sealed);
                        });
                        qb.build().execute(&mut *self.tx).await?;
                    }
                    for (id, version, rec, hash) in &plan.updates {
                        // History first: the superseded version is kept, never overwritten.
                        let mut qb = QueryBuilder::<$db>::new("INSERT INTO record_history (");
                        qb.push(RECORD_COLUMNS).push(") SELECT ").push(RECORD_COLUMNS);
                        qb.push(" FROM records WHERE id = ").push_bind(id.clone());
                        qb.build().execute(&mut *self.tx).await?;
                        let mut qb = QueryBuilder::<$db>::new("UPDATE records SET version = ");
                        qb.push_bind(i64::from(*version));
                        qb.push(", status = ").push_bind(xinyong_domain::RecordStatus::Active.as_str());
                        let subject = self.vault.store_code(rec.subject.code.as_str());
                        let (fields, fields_sealed) = seal_fields(&self.vault, id, rec);
                        qb.push(", subject_code = ").push_bind(subject.lookup);
                        qb.push(", subject_sealed = ").push_bind(subject.sealed);
                        qb.push(", fields_sealed = ").push_bind(fields_sealed);
                        qb.push(", subject_name = ").push_bind(rec.subject.name.clone());
                        qb.push(", subject_kind = ").push_bind(rec.subject.kind.as_str());
                        qb.push(", decided_on = ").push_bind(rec.decided_on);
                        qb.push(", legal_basis = ").push_bind(rec.legal_basis.clone());
                        qb.push(", tier = ").push_bind(rec.tier.map(|t| t.as_str()));
                        qb.push(", publicity_until = ").push_bind(rec.publicity_until);
                        qb.push(", fields = ").push_bind(fields).push($store::JSON_CAST);
                        qb.push(", content_hash = ").push_bind(hash.clone());
                        qb.push(", recorded_at = ").push_bind(now);
                        qb.push(", listing = ").push_bind(listing_json(rec)).push($store::JSON_CAST);
                        qb.push(", status_note = NULL WHERE id = ").push_bind(id.clone());
                        qb.build().execute(&mut *self.tx).await?;
                    }
                    // Every new version is logged in this transaction (SPEC: tamper-evident).
                    let created = plan.inserts.iter().map(|(id, rec, _)| ("record.created", id, 1, *rec));
                    let versions = plan.updates.iter().map(|(id, v, rec, _)| ("record.version", id, *v, *rec));
                    let entries: Vec<$crate::ledger::LedgerEvent> = created
                        .chain(versions)
                        .map(|(kind, id, version, rec)| {
                            let code = rec.subject.code.as_str();
                            let pseudonym = self.vault.pseudonym(code);
                            let digest = rec.version_state(id, version, department, &pseudonym).digest();
                            $crate::ledger::LedgerEvent::new(kind, Some(code), department, digest, Some(format!("{id}@{version}")))
                        })
                        .collect();
                    $store::ledger_append(&mut self.tx, &self.vault, &entries).await?;
                    out.extend(plan.out);
                    self.written += chunk.len() as u64;
                    if let Some(sql) = $store::REFRESH_STATS
                        && self.written >= self.refresh_stats_at
                    {
                        sqlx::query(sql).execute(&mut *self.tx).await?;
                        self.refresh_stats_at = self.written.saturating_mul(4);
                    }
                }
                let categories: std::collections::BTreeSet<&str> =
                    records.iter().map(|r| r.category.as_str()).collect();
                bump_generation!(self.tx, $db, categories);
                Ok(out)
            }

            async fn commit(self: Box<Self>) -> Result<(), $crate::StoreError> {
                Ok(self.tx.commit().await?)
            }

            async fn rollback(self: Box<Self>) -> Result<(), $crate::StoreError> {
                Ok(self.tx.rollback().await?)
            }
        }

        impl $store {
            async fn read_department(
                &self,
                code: &str,
                name: String,
            ) -> Result<xinyong_domain::Department, $crate::StoreError> {
                let categories = sqlx::query_scalar::<_, String>(
                    sqlx::AssertSqlSafe(format!("SELECT category FROM department_categories WHERE department = {} ORDER BY category", Self::P1)),
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                let lists = sqlx::query_scalar::<_, String>(
                    sqlx::AssertSqlSafe(format!("SELECT list_type FROM department_lists WHERE department = {} ORDER BY list_type", Self::P1)),
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                Ok(xinyong_domain::Department {
                    code: code.to_owned(),
                    name,
                    categories: categories.into_iter().collect(),
                    lists: lists.into_iter().collect(),
                })
            }

            async fn fetch_records(
                &self,
                sql: &str,
                key: &str,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                    .bind(key)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|r| self.decode_record(r)).collect()
            }

            /// Decodes a row selected with [`RECORD_COLUMNS`](crate::backend::RECORD_COLUMNS),
            /// opening its sealed identity number and fields.
            fn decode_record(&self, row: &$row) -> Result<xinyong_domain::Record, $crate::StoreError> {
                use sqlx::Row;
                let id: String = row.try_get(0)?;
                let subject_sealed: Option<String> = row.try_get(18)?;
                let fields_sealed: Option<String> = row.try_get(19)?;
                let subject_code = self.vault.open_code(row.try_get(5)?, subject_sealed.as_deref())?;
                let fields = match fields_sealed {
                    None => row.try_get(13)?,
                    Some(sealed) => {
                        let json = self.vault.open(&sealed, &$crate::backend::fields_context(&id))?;
                        sqlx::types::Json(serde_json::from_str(&json).map_err(|_| $crate::backend::corrupt("sealed fields of", &id))?)
                    }
                };
                let r = $crate::backend::RecordRow {
                    id,
                    version: row.try_get(1)?,
                    status: row.try_get(2)?,
                    department: row.try_get(3)?,
                    category: row.try_get(4)?,
                    subject_code,
                    subject_name: row.try_get(6)?,
                    subject_kind: row.try_get(7)?,
                    document_no: row.try_get(8)?,
                    decided_on: row.try_get(9)?,
                    legal_basis: row.try_get(10)?,
                    tier: row.try_get(11)?,
                    publicity_until: row.try_get(12)?,
                    fields,
                    content_hash: row.try_get(14)?,
                    recorded_at: row.try_get(15)?,
                    listing: row.try_get(16)?,
                    status_note: row.try_get(17)?,
                };
                xinyong_domain::Record::try_from(r)
            }

            /// The stored nodes at these addresses (level 0: leaf hashes from the entries).
            async fn stored_ledger_nodes(
                &self,
                ids: &[xinyong_ledger::NodeId],
            ) -> Result<std::collections::HashMap<xinyong_ledger::NodeId, xinyong_ledger::Hash>, $crate::StoreError> {
                use sqlx::Row;
                let mut out = std::collections::HashMap::new();
                for chunk in ids.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT CAST(0 AS BIGINT), leaf_index, leaf_hash FROM ledger_entries WHERE leaf_index IN (",
                    );
                    let mut sep = qb.separated(", ");
                    sep.push_bind(-1i64);
                    for (_, index) in chunk.iter().filter(|(l, _)| *l == 0) {
                        sep.push_bind(i64::try_from(*index).unwrap_or(-1));
                    }
                    qb.push(")");
                    // One indexed IN list per level (an OR per node defeats SQLite's planner).
                    let mut by_level: std::collections::BTreeMap<u8, Vec<u64>> = Default::default();
                    for (level, index) in chunk.iter().filter(|(l, _)| *l > 0) {
                        by_level.entry(*level).or_default().push(*index);
                    }
                    for (level, indices) in by_level {
                        qb.push(" UNION ALL SELECT CAST(level AS BIGINT), idx, hash FROM ledger_nodes WHERE level = ");
                        qb.push_bind(i64::from(level)).push(" AND idx IN (");
                        let mut sep = qb.separated(", ");
                        for i in indices {
                            sep.push_bind(i64::try_from(i).unwrap_or(-1));
                        }
                        qb.push(")");
                    }
                    for row in qb.build().fetch_all(&self.pool).await? {
                        let level: i64 = row.try_get(0)?;
                        let index: i64 = row.try_get(1)?;
                        let hash: String = row.try_get(2)?;
                        out.insert(
                            (u8::try_from(level).unwrap_or(u8::MAX), u64::try_from(index).unwrap_or(u64::MAX)),
                            $crate::ledger::hash_from_hex("ledger node", &hash)?,
                        );
                    }
                }
                Ok(out)
            }

            const TOKEN_SELECT: &'static str =
                "SELECT id, hash, role, department, label, created_at, expires_at, revoked_at, subject, subject_sealed FROM tokens";

            async fn fetch_tokens(&self, sql: &str, key: Option<&str>) -> Result<Vec<$crate::Token>, $crate::StoreError> {
                use sqlx::Row;
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                if let Some(key) = key {
                    query = query.bind(key.to_owned());
                }
                let rows = query.fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|row: &$row| {
                        let role: String = row.try_get(2)?;
                        let subject: Option<String> = row.try_get(8)?;
                        let sealed: Option<String> = row.try_get(9)?;
                        let subject = match subject {
                            Some(s) => Some(self.vault.open_code(s, sealed.as_deref())?),
                            None => None,
                        };
                        Ok($crate::Token {
                            id: row.try_get(0)?,
                            hash: row.try_get(1)?,
                            role: $crate::Role::parse(&role).ok_or_else(|| $crate::backend::corrupt("role", &role))?,
                            department: row.try_get(3)?,
                            label: row.try_get(4)?,
                            created_at: row.try_get(5)?,
                            expires_at: row.try_get(6)?,
                            revoked_at: row.try_get(7)?,
                            subject,
                        })
                    })
                    .collect()
            }

            /// Decodes `id, department, subject_code, context, result, created_at` and the
            /// `subject_sealed`, `result_sealed` columns (found by name).
            fn check_from_row(&self, row: &$row) -> Result<$crate::CheckRow, $crate::StoreError> {
                use sqlx::Row;
                let id: String = row.try_get(0)?;
                let subject_sealed: Option<String> = row.try_get("subject_sealed")?;
                let result_sealed: Option<String> = row.try_get("result_sealed")?;
                let result = match result_sealed {
                    None => row.try_get::<sqlx::types::Json<serde_json::Value>, _>(4)?.0,
                    Some(sealed) => {
                        let json = self.vault.open(&sealed, &format!("check:{id}"))?;
                        serde_json::from_str(&json).map_err(|_| $crate::backend::corrupt("sealed result of check", &id))?
                    }
                };
                Ok($crate::CheckRow {
                    department: row.try_get(1)?,
                    subject_code: self.vault.open_code(row.try_get(2)?, subject_sealed.as_deref())?,
                    context: row.try_get(3)?,
                    result,
                    created_at: row.try_get(5)?,
                    id,
                })
            }

            async fn fetch_checks(&self, sql: &str, key: &str) -> Result<Vec<$crate::CheckRow>, $crate::StoreError> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).bind(key).fetch_all(&self.pool).await?;
                rows.iter().map(|r| self.check_from_row(r)).collect()
            }

            /// Decodes `id, code, name, kind` and a `code_sealed` column (found by name).
            fn subject_from_row(&self, row: &$row) -> Result<$crate::StoredSubject, $crate::StoreError> {
                use sqlx::Row;
                let kind: String = row.try_get(3)?;
                let sealed: Option<String> = row.try_get("code_sealed")?;
                Ok($crate::StoredSubject {
                    id: row.try_get(0)?,
                    code: self.vault.open_code(row.try_get(1)?, sealed.as_deref())?,
                    name: row.try_get(2)?,
                    kind: $crate::backend::parse_kind(&kind)?,
                })
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            async fn put_department(
                &self,
                d: &xinyong_domain::Department,
            ) -> Result<(), $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let mut qb = QueryBuilder::<$db>::new("INSERT INTO departments (code, name, created_at) VALUES (");
                qb.push_bind(d.code.clone()).push(", ").push_bind(d.name.clone()).push(", ").push_bind(chrono::Utc::now());
                qb.push(") ON CONFLICT (code) DO UPDATE SET name = excluded.name");
                qb.build().execute(&mut *tx).await?;
                if !d.categories.is_empty() {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO department_categories (department, category) ");
                    qb.push_values(&d.categories, |mut b, c| {
                        b.push_bind(d.code.clone()).push_bind(c.clone());
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
                if !d.lists.is_empty() {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO department_lists (department, list_type) ");
                    qb.push_values(&d.lists, |mut b, l| {
                        b.push_bind(d.code.clone()).push_bind(l.clone());
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *tx).await?;
                }
                let digest = $crate::ledger::json_digest(&serde_json::json!([
                    d.code, d.name, d.categories, d.lists,
                ]));
                let entry = $crate::ledger::LedgerEvent::new("department.put", None, "operator", digest, Some(format!("department:{}", d.code)));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn department(
                &self,
                code: &str,
            ) -> Result<Option<xinyong_domain::Department>, $crate::StoreError> {
                let name = sqlx::query_scalar::<_, String>(
                    sqlx::AssertSqlSafe(format!("SELECT name FROM departments WHERE code = {}", Self::P1)),
                )
                .bind(code)
                .fetch_optional(&self.pool)
                .await?;
                match name {
                    Some(name) => Ok(Some(self.read_department(code, name).await?)),
                    None => Ok(None),
                }
            }

            async fn departments(&self) -> Result<Vec<xinyong_domain::Department>, $crate::StoreError> {
                let rows = sqlx::query_as::<_, (String, String)>(
                    "SELECT code, name FROM departments ORDER BY code",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for (code, name) in rows {
                    out.push(self.read_department(&code, name).await?);
                }
                Ok(out)
            }

            async fn put_special_application(
                &self,
                application: &$crate::SpecialApplication,
            ) -> Result<(), $crate::StoreError> {
                self.put_special_application_impl(application).await
            }

            async fn special_application(
                &self,
                id: &str,
            ) -> Result<Option<$crate::SpecialApplication>, $crate::StoreError> {
                self.special_application_impl(id).await
            }

            async fn pending_special_applications(
                &self,
            ) -> Result<Vec<$crate::SpecialApplication>, $crate::StoreError> {
                self.pending_special_applications_impl().await
            }

            async fn decide_special_application(
                &self,
                id: &str,
                decision: &$crate::ApplicationDecision,
            ) -> Result<bool, $crate::StoreError> {
                self.decide_special_application_impl(id, decision).await
            }

            async fn put_token(&self, t: &$crate::Token) -> Result<(), $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO tokens (id, hash, role, department, label, created_at, expires_at, revoked_at, subject, subject_sealed) ",
                );
                let subject = t.subject.as_deref().map(|c| self.vault.store_code(c));
                qb.push_values([t], |mut b, t| {
                    b.push_bind(t.id.clone())
                        .push_bind(t.hash.clone())
                        .push_bind(t.role.as_str())
                        .push_bind(t.department.clone())
                        .push_bind(t.label.clone())
                        .push_bind(t.created_at)
                        .push_bind(t.expires_at)
                        .push_bind(t.revoked_at)
                        .push_bind(subject.as_ref().map(|s| s.lookup.clone()))
                        .push_bind(subject.as_ref().and_then(|s| s.sealed.clone()));
                });
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                qb.build().execute(&mut *tx).await?;
                let entry = $crate::ledger::LedgerEvent::new("token.created", None, t.department.as_deref().unwrap_or("operator"), $crate::ledger::token_digest(t, |c| self.vault.pseudonym(c)), Some(format!("token:{}", t.id)));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn token_by_hash(&self, hash: &str) -> Result<Option<$crate::Token>, $crate::StoreError> {
                let rows = self.fetch_tokens(&format!("{} WHERE hash = {}", Self::TOKEN_SELECT, Self::P1), Some(hash)).await?;
                Ok(rows.into_iter().next())
            }

            async fn tokens(&self) -> Result<Vec<$crate::Token>, $crate::StoreError> {
                self.fetch_tokens(&format!("{} ORDER BY created_at, id", Self::TOKEN_SELECT), None).await
            }

            async fn revoke_token(&self, id: &str, at: chrono::DateTime<chrono::Utc>) -> Result<bool, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let Some(mut token) = self
                    .fetch_tokens(&format!("{} WHERE id = {}", Self::TOKEN_SELECT, Self::P1), Some(id))
                    .await?
                    .into_iter()
                    .next()
                else {
                    return Ok(false);
                };
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let mut qb = QueryBuilder::<$db>::new("UPDATE tokens SET revoked_at = ");
                qb.push_bind(at).push(" WHERE id = ").push_bind(id.to_owned()).push(" AND revoked_at IS NULL");
                if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(false);
                }
                token.revoked_at = Some(at);
                let entry = $crate::ledger::LedgerEvent::new("token.revoked", None, "operator", $crate::ledger::token_digest(&token, |c| self.vault.pseudonym(c)), Some(format!("token:{id}")));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn begin_import(
                &self,
            ) -> Result<Box<dyn $crate::ImportSession>, $crate::StoreError> {
                let tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                Ok(Box::new($session {
                    tx,
                    departments: Default::default(),
                    written: 0,
                    refresh_stats_at: 10_000,
                    vault: self.vault.clone(),
                }))
            }

            async fn subject(&self, code: &str) -> Result<Option<$crate::StoredSubject>, $crate::StoreError> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT id, code, name, kind, code_sealed FROM subjects WHERE code = {}",
                    Self::P1
                )))
                .bind(self.vault.lookup_code(code))
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(|r| self.subject_from_row(r)).transpose()
            }

            async fn subjects_page(
                &self,
                after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<$crate::StoredSubject>, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new("SELECT id, code, name, kind, code_sealed FROM subjects ");
                if let Some(after) = after {
                    qb.push("WHERE id > ").push_bind(after.to_owned());
                }
                qb.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(|r| self.subject_from_row(r)).collect()
            }

            async fn records_of_subject(
                &self,
                code: &str,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM records WHERE subject_code = {} ORDER BY decided_on DESC, id",
                    $crate::backend::RECORD_COLUMNS,
                    Self::P1
                );
                self.fetch_records(&sql, &self.vault.lookup_code(code)).await
            }

            async fn record_history(
                &self,
                id: &str,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {cols} FROM record_history WHERE id = {p} \
                     UNION ALL SELECT {cols} FROM records WHERE id = {p} ORDER BY version",
                    cols = $crate::backend::RECORD_COLUMNS,
                    p = Self::P1
                );
                self.fetch_records(&sql, id).await
            }

            async fn counts(&self) -> Result<$crate::Counts, $crate::StoreError> {
                let (s, r, d) = sqlx::query_as::<_, (i64, i64, i64)>(
                    "SELECT (SELECT COUNT(*) FROM subjects), (SELECT COUNT(*) FROM records), \
                     (SELECT COUNT(*) FROM departments)",
                )
                .fetch_one(&self.pool)
                .await?;
                let n = |x: i64| u64::try_from(x).unwrap_or(0);
                Ok($crate::Counts { subjects: n(s), records: n(r), departments: n(d) })
            }

            async fn subject_by_id(
                &self,
                id: &str,
            ) -> Result<Option<$crate::StoredSubject>, $crate::StoreError> {
                self.subject_by_id_impl(id).await
            }

            async fn search_subjects(
                &self,
                query: &xinyong_domain::search::SearchQuery,
                limit: u32,
                offset: u32,
            ) -> Result<$crate::SearchPage, $crate::StoreError> {
                self.search_subjects_impl(query, limit, offset).await
            }

            async fn current_records_in_category(
                &self,
                filter: &$crate::CategoryFilter,
                limit: u32,
                offset: u32,
            ) -> Result<$crate::RecordPage, $crate::StoreError> {
                self.current_records_in_category_impl(filter, limit, offset).await
            }

            async fn record_stats(
                &self,
                categories: &[String],
                today: chrono::NaiveDate,
            ) -> Result<Vec<$crate::StatRow>, $crate::StoreError> {
                self.record_stats_impl(categories, today).await
            }

            async fn current_records_after(
                &self,
                categories: &[String],
                today: chrono::NaiveDate,
                after: Option<&str>,
                limit: u32,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                self.current_records_after_impl(categories, today, after, limit).await
            }

            async fn change_record(
                &self,
                department: &str,
                id: &str,
                change: &$crate::RecordChange,
            ) -> Result<Option<xinyong_domain::Record>, $crate::StoreError> {
                use sqlx::QueryBuilder;
                use $crate::backend::RECORD_COLUMNS;
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let mut qb = QueryBuilder::<$db>::new("SELECT version, category FROM records WHERE id = ");
                qb.push_bind(id.to_owned()).push(" AND department = ").push_bind(department.to_owned());
                let Some((version, category)): Option<(i64, String)> =
                    qb.build_query_as().fetch_optional(&mut *tx).await?
                else {
                    return Ok(None);
                };
                // History first: the superseded version is kept, never overwritten.
                let mut qb = QueryBuilder::<$db>::new("INSERT INTO record_history (");
                qb.push(RECORD_COLUMNS).push(") SELECT ").push(RECORD_COLUMNS);
                qb.push(" FROM records WHERE id = ").push_bind(id.to_owned());
                qb.build().execute(&mut *tx).await?;
                let mut qb = QueryBuilder::<$db>::new("UPDATE records SET version = ");
                qb.push_bind(version + 1);
                qb.push(", recorded_at = ").push_bind(chrono::Utc::now());
                qb.push(", status_note = ").push_bind(change.status_note.clone());
                if let Some(status) = change.status {
                    qb.push(", status = ").push_bind(status.as_str());
                }
                if let Some(until) = change.publicity_until {
                    qb.push(", publicity_until = ").push_bind(until);
                }
                qb.push(" WHERE id = ").push_bind(id.to_owned());
                qb.build().execute(&mut *tx).await?;
                $crate::backend::bump_generation!(tx, $db, [category]);
                let sql = format!("SELECT {} FROM records WHERE id = {}", RECORD_COLUMNS, Self::P1);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *tx).await?;
                let record = self.decode_record(&row)?;
                let entry = $crate::ledger::LedgerEvent::new("record.version", Some(&record.subject_code), department, record.version_digest(&self.vault.pseudonym(&record.subject_code)), Some(format!("{}@{}", record.id, record.version)));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(Some(record))
            }

            async fn record(&self, id: &str) -> Result<Option<xinyong_domain::Record>, $crate::StoreError> {
                let sql = format!(
                    "SELECT {} FROM records WHERE id = {}",
                    $crate::backend::RECORD_COLUMNS,
                    Self::P1
                );
                Ok(self.fetch_records(&sql, id).await?.into_iter().next())
            }

            async fn records_in_categories(
                &self,
                categories: &[String],
                running_on: chrono::NaiveDate,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut out = Vec::new();
                for category in categories {
                    let mut qb = QueryBuilder::<$db>::new("SELECT ");
                    qb.push($crate::backend::RECORD_COLUMNS);
                    qb.push(" FROM records WHERE category = ").push_bind(category.clone());
                    qb.push(" AND status IN ('active', 'under_objection') AND publicity_until > ");
                    qb.push_bind(running_on);
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    for row in &rows {
                        out.push(self.decode_record(row)?);
                    }
                }
                Ok(out)
            }

            async fn generation(&self, categories: &[String]) -> Result<i64, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new("SELECT generation FROM generations WHERE topic IN (");
                let mut sep = qb.separated(", ");
                for c in categories {
                    sep.push_bind(c.clone());
                }
                qb.push(")");
                if categories.is_empty() {
                    return Ok(0);
                }
                let gs: Vec<i64> = qb.build_query_scalar().fetch_all(&self.pool).await?;
                Ok(gs.iter().sum())
            }

            async fn put_checks(&self, checks: &[$crate::CheckRow]) -> Result<(), $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                for chunk in checks.chunks($crate::backend::CHUNK) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO checks (id, department, subject_code, context, result, created_at, subject_sealed, result_sealed) ",
                    );
                    let vault = &self.vault;
                    qb.push_values(chunk, |mut b, c| {
                        let subject = vault.store_code(&c.subject_code);
                        // A check about a person keeps its result sealed: it names the person.
                        let (result, result_sealed) = match subject.sealed {
                            Some(_) => ("{}".to_owned(), Some(vault.seal(&c.result.to_string(), &format!("check:{}", c.id)))),
                            None => (c.result.to_string(), None),
                        };
                        b.push_bind(c.id.clone())
                            .push_bind(c.department.clone())
                            .push_bind(subject.lookup)
                            .push_bind(c.context.clone())
                            .push_bind(result);
                        b.push_unseparated($store::JSON_CAST)
                            .push_bind(c.created_at)
                            .push_bind(subject.sealed)
                            .push_bind(result_sealed);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                // A credit check reads a subject's non-public standing: it is logged.
                let entries: Vec<$crate::ledger::LedgerEvent> = checks
                    .iter()
                    .map(|c| $crate::ledger::LedgerEvent::new("check", Some(&c.subject_code), &c.department, $crate::ledger::check_digest(c, |s| self.vault.pseudonym(s)), Some(format!("check:{}", c.id))))
                    .collect();
                Self::ledger_append(&mut tx, &self.vault, &entries).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn check(&self, id: &str) -> Result<Option<$crate::CheckRow>, $crate::StoreError> {
                let rows = self
                    .fetch_checks(&format!("SELECT id, department, subject_code, context, result, created_at, subject_sealed, result_sealed FROM checks WHERE id = {}", Self::P1), id)
                    .await?;
                Ok(rows.into_iter().next())
            }

            async fn checks_of_subject(&self, code: &str) -> Result<Vec<$crate::CheckRow>, $crate::StoreError> {
                self.fetch_checks(
                    &format!("SELECT id, department, subject_code, context, result, created_at, subject_sealed, result_sealed FROM checks WHERE subject_code = {} ORDER BY created_at DESC, id DESC", Self::P1),
                    &self.vault.lookup_code(code),
                )
                .await
            }

            async fn put_feedback(&self, f: &$crate::FeedbackRow) -> Result<bool, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO check_feedback (check_id, department, applied, not_applied, created_at) VALUES (",
                );
                qb.push_bind(f.check_id.clone()).push(", ").push_bind(f.department.clone()).push(", ");
                qb.push_bind(f.applied.to_string()).push($store::JSON_CAST).push(", ");
                qb.push_bind(f.not_applied.to_string()).push($store::JSON_CAST).push(", ");
                qb.push_bind(f.created_at).push(") ON CONFLICT (check_id) DO NOTHING");
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let done = qb.build().execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                let digest = $crate::ledger::json_digest(&serde_json::json!([
                    f.check_id, f.department, f.applied, f.not_applied, f.created_at.timestamp_millis(),
                ]));
                let entry = $crate::ledger::LedgerEvent::new("check.feedback", None, &f.department, digest, Some(format!("feedback:{}", f.check_id)));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn check_summaries(
                &self,
            ) -> Result<Vec<($crate::CheckRow, Option<$crate::FeedbackRow>)>, $crate::StoreError> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "SELECT c.id, c.department, c.subject_code, c.context, c.result, c.created_at, \
                     f.department, f.applied, f.not_applied, f.created_at, c.subject_sealed, c.result_sealed \
                     FROM checks c LEFT JOIN check_feedback f ON f.check_id = c.id ORDER BY c.id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let check = self.check_from_row(row)?;
                        let dept: Option<String> = row.try_get(6)?;
                        let feedback = match dept {
                            None => None,
                            Some(department) => {
                                let applied: sqlx::types::Json<serde_json::Value> = row.try_get(7)?;
                                let not_applied: sqlx::types::Json<serde_json::Value> = row.try_get(8)?;
                                Some($crate::FeedbackRow {
                                    check_id: check.id.clone(),
                                    department,
                                    applied: applied.0,
                                    not_applied: not_applied.0,
                                    created_at: row.try_get(9)?,
                                })
                            }
                        };
                        Ok((check, feedback))
                    })
                    .collect()
            }

            async fn append_events(
                &self,
                events: &[$crate::ledger::LedgerEvent],
            ) -> Result<u64, $crate::StoreError> {
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let first = Self::ledger_append(&mut tx, &self.vault, events).await?;
                tx.commit().await?;
                Ok(first)
            }

            async fn ledger_size(&self) -> Result<u64, $crate::StoreError> {
                let size: i64 = sqlx::query_scalar("SELECT size FROM ledger_state WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                u64::try_from(size).map_err(|_| $crate::StoreError::Corrupt("ledger size".into()))
            }

            async fn ledger_rows(
                &self,
                start: u64,
                limit: u32,
            ) -> Result<Vec<$crate::ledger::LedgerRow>, $crate::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT leaf_index, kind, subject, actor, at_ms, payload_hash, leaf_hash, ref_id \
                     FROM ledger_entries WHERE leaf_index >= ",
                );
                qb.push_bind(i64::try_from(start).unwrap_or(i64::MAX));
                qb.push(" ORDER BY leaf_index LIMIT ").push_bind(i64::from(limit));
                qb.build().fetch_all(&self.pool).await?.iter().map(Self::decode_ledger_row).collect()
            }

            async fn ledger_rows_of_subject(
                &self,
                code: &str,
                limit: u32,
            ) -> Result<Vec<$crate::ledger::LedgerRow>, $crate::StoreError> {
                // The subject index trails the log; bring it up to date first.
                $crate::Store::index_ledger_subjects(self).await?;
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT e.leaf_index, e.kind, e.subject, e.actor, e.at_ms, e.payload_hash, e.leaf_hash, e.ref_id \
                     FROM ledger_subjects s JOIN ledger_entries e ON e.leaf_index = s.leaf_index WHERE s.subject = ",
                );
                qb.push_bind(self.vault.pseudonym(code));
                qb.push(" ORDER BY s.leaf_index DESC LIMIT ").push_bind(i64::from(limit));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(Self::decode_ledger_row).collect()
            }

            async fn index_ledger_subjects(&self) -> Result<u64, $crate::StoreError> {
                const STATE: &str = "SELECT subjects_indexed, size FROM ledger_state WHERE id = 1";
                // A plain read first: a subject's view of a current index takes no write lock.
                let (indexed, size): (i64, i64) = sqlx::query_as(STATE).fetch_one(&self.pool).await?;
                if indexed >= size {
                    return Ok(0);
                }
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let (indexed, size): (i64, i64) = sqlx::query_as(STATE).fetch_one(&mut *tx).await?;
                if indexed >= size {
                    return Ok(0);
                }
                // One sorted batch: each index page is written once, not once per append.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO ledger_subjects (subject, leaf_index) SELECT subject, leaf_index \
                     FROM ledger_entries WHERE subject IS NOT NULL AND leaf_index >= ",
                );
                qb.push_bind(indexed).push(" AND leaf_index < ").push_bind(size);
                qb.push(" ORDER BY subject, leaf_index ON CONFLICT DO NOTHING");
                qb.build().execute(&mut *tx).await?;
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE ledger_state SET subjects_indexed = ");
                qb.push_bind(size).push(" WHERE id = 1 AND subjects_indexed < ").push_bind(size);
                qb.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(u64::try_from(size - indexed).unwrap_or(0))
            }

            async fn ledger_nodes(
                &self,
                ids: &[xinyong_ledger::NodeId],
            ) -> Result<std::collections::HashMap<xinyong_ledger::NodeId, xinyong_ledger::Hash>, $crate::StoreError> {
                // Only every NODE_STRIDE-th level is stored: compute the others from the
                // stored level below them (at most 2^(NODE_STRIDE - 1) hashes each).
                let mut base = Vec::new();
                for &id in ids {
                    base.extend($crate::ledger::stored_base(id));
                }
                base.sort_unstable();
                base.dedup();
                let stored = self.stored_ledger_nodes(&base).await?;
                let mut out = std::collections::HashMap::with_capacity(ids.len());
                for &id in ids {
                    let parts: Option<Vec<xinyong_ledger::Hash>> =
                        $crate::ledger::stored_base(id).map(|b| stored.get(&b).copied()).collect();
                    if let Some(parts) = parts {
                        out.insert(id, $crate::ledger::fold(parts));
                    }
                }
                Ok(out)
            }

            async fn ledger_nodes_all(&self) -> Result<Vec<xinyong_ledger::Node>, $crate::StoreError> {
                use sqlx::Row;
                let rows = sqlx::query("SELECT CAST(level AS BIGINT), idx, hash FROM ledger_nodes").fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|row| {
                        let level: i64 = row.try_get(0)?;
                        let index: i64 = row.try_get(1)?;
                        let hash: String = row.try_get(2)?;
                        Ok(xinyong_ledger::Node {
                            level: u8::try_from(level).map_err(|_| $crate::StoreError::Corrupt("ledger node level".into()))?,
                            index: u64::try_from(index).map_err(|_| $crate::StoreError::Corrupt("ledger node index".into()))?,
                            hash: $crate::ledger::hash_from_hex("ledger node", &hash)?,
                        })
                    })
                    .collect()
            }

            async fn put_tree_head(&self, head: &xinyong_ledger::SignedTreeHead) -> Result<(), $crate::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO ledger_heads (tree_size, timestamp_ms, root_hash, signature) VALUES (",
                );
                qb.push_bind(i64::try_from(head.size).unwrap_or(i64::MAX)).push(", ");
                qb.push_bind(i64::try_from(head.timestamp_ms).unwrap_or(i64::MAX)).push(", ");
                qb.push_bind(hex::encode(head.root)).push(", ");
                qb.push_bind(hex::encode(head.signature));
                qb.push(") ON CONFLICT (tree_size) DO NOTHING");
                qb.build().execute(&self.pool).await?;
                Ok(())
            }

            async fn tree_heads(&self) -> Result<Vec<xinyong_ledger::SignedTreeHead>, $crate::StoreError> {
                let rows = sqlx::query(
                    "SELECT tree_size, timestamp_ms, root_hash, signature FROM ledger_heads ORDER BY tree_size",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::decode_tree_head).collect()
            }

            async fn latest_tree_head(&self) -> Result<Option<xinyong_ledger::SignedTreeHead>, $crate::StoreError> {
                let row = sqlx::query(
                    "SELECT tree_size, timestamp_ms, root_hash, signature FROM ledger_heads \
                     ORDER BY tree_size DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(Self::decode_tree_head).transpose()
            }

            async fn record_versions_after(
                &self,
                history: bool,
                after: Option<&(String, u32)>,
                limit: u32,
            ) -> Result<Vec<xinyong_domain::Record>, $crate::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT ");
                qb.push($crate::backend::RECORD_COLUMNS);
                qb.push(if history { " FROM record_history" } else { " FROM records" });
                if let Some((id, version)) = after {
                    if history {
                        qb.push(" WHERE id > ").push_bind(id.clone());
                        qb.push(" OR (id = ").push_bind(id.clone());
                        qb.push(" AND version > ").push_bind(i64::from(*version)).push(")");
                    } else {
                        qb.push(" WHERE id > ").push_bind(id.clone());
                    }
                }
                qb.push(" ORDER BY id, version LIMIT ").push_bind(i64::from(limit));
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter().map(|r| self.decode_record(r)).collect()
            }

            fn pseudonym(&self, code: &str) -> String {
                self.vault.pseudonym(code)
            }

            async fn reseal(&self, restricted_categories: &[String], limit: u32) -> Result<u64, $crate::StoreError> {
                self.reseal_impl(restricted_categories, limit).await
            }

            async fn compact(&self) -> Result<(), $crate::StoreError> {
                for statement in $store::COMPACT {
                    sqlx::query(*statement).execute(&self.pool).await?;
                }
                Ok(())
            }

            async fn has_clear_values(&self) -> Result<bool, $crate::StoreError> {
                self.has_clear_values_impl().await
            }

            async fn count_sealed_with(&self, key_id: u32) -> Result<u64, $crate::StoreError> {
                self.count_sealed_with_impl(key_id).await
            }

            // Operator accounts: `operators.rs`.
            async fn put_operator(&self, account: &$crate::OperatorAccount) -> Result<bool, $crate::StoreError> {
                self.put_operator_impl(account).await
            }

            async fn operator(&self, name: &str) -> Result<Option<$crate::OperatorAccount>, $crate::StoreError> {
                self.operator_impl(name).await
            }

            async fn operators(&self) -> Result<Vec<$crate::OperatorAccount>, $crate::StoreError> {
                self.operators_impl().await
            }

            async fn disable_operator(&self, name: &str, at: chrono::DateTime<chrono::Utc>) -> Result<Option<u64>, $crate::StoreError> {
                self.disable_operator_impl(name, at).await
            }

            async fn open_operator_session(&self, operator: &str, token: &$crate::Token) -> Result<bool, $crate::StoreError> {
                self.open_operator_session_impl(operator, token).await
            }
        }
    };
}

pub(crate) use impl_store;
