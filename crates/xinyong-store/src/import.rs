//! Bulk writes of records: an [`ImportSession`] is one transaction that takes records in
//! chunks of multi-row statements ([`CHUNK`] rows each), versions them against what is stored
//! and appends every new version to the audit log in the same transaction.
//!
//! Invariant (a rejected batch leaves no partial state): nothing a session wrote is visible or
//! durable before [`ImportSession::commit`]; dropping a session rolls it back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Transaction;
use xinyong_domain::{RecordStatus, SubjectKind, ValidRecord};

use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, fits};
use crate::events::{Event, LedgerEvent, Version};
use crate::model::{Outcome, Submitted};
use crate::record_rows::{bump_generation, seal_fields, seal_listing, write_version};
use crate::vault::Vault;
use crate::{StoreError, new_id};

/// Rows per multi-row statement: records has 19 columns, and SQLite allows 32,766 bound
/// parameters per statement (19 × 1500 = 28,500). Fewer, larger statements make imports
/// about 1.3× faster than chunks of 500 (`xinyong bench import`).
pub(crate) const CHUNK: usize = 1500;

/// One transaction that accepts records in chunks; nothing is visible to readers and nothing
/// is durable until [`ImportSession::commit`]. Dropping a session without committing rolls it
/// back, so an interrupted import leaves no partial state.
#[async_trait]
pub trait ImportSession: Send {
    /// Stores a chunk of records submitted by `department` within the session's transaction.
    async fn add(
        &mut self,
        department: &str,
        records: &[ValidRecord],
    ) -> Result<Vec<Submitted>, StoreError>;
    /// Makes every chunk durable at once.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    /// Discards every chunk.
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}

/// The state of an existing record identity, as far as a chunk being added needs it.
struct Existing {
    id: String,
    version: u32,
    hash: String,
}

/// What a chunk turns into: rows to insert, then versions to apply in order.
#[derive(Default)]
struct Plan<'a> {
    /// New record identities: (id, first version's record, content hash).
    inserts: Vec<(String, &'a ValidRecord, String)>,
    /// New versions of identities, in submission order: (id, version, record, content hash).
    /// Applied after the inserts, each one moving the current row to history first.
    updates: Vec<(String, u32, &'a ValidRecord, String)>,
    out: Vec<Submitted>,
}

/// Decides, record by record and in order, whether each is new, a new version or unchanged.
/// `existing` holds the identities already stored; it is updated as the chunk is planned so
/// that the same identity twice in one chunk is versioned correctly.
/// `stored_hash` turns a record's content hash into the form stored (keyed: see
/// [`Vault::content_key`]).
fn plan<'a>(
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

/// An open transaction of records.
pub(crate) struct SqlImportSession<E: Engine> {
    pub(crate) tx: Transaction<'static, E>,
    /// Departments already known to exist in this transaction.
    departments: BTreeSet<String>,
    /// Records written in this transaction, and the count at which the planner's
    /// statistics are next refreshed (growing geometrically: a handful per import).
    written: u64,
    refresh_stats_at: u64,
    vault: Arc<Vault>,
}

impl<E: Engine> SqlImportSession<E> {
    pub(crate) async fn begin(store: &SqlStore<E>) -> Result<Self, StoreError> {
        Ok(SqlImportSession {
            tx: store.begin_write().await?,
            departments: BTreeSet::new(),
            written: 0,
            refresh_stats_at: 10_000,
            vault: store.vault.clone(),
        })
    }

    /// Fails unless `department` exists (checked once per session).
    async fn check_department(&mut self, department: &str) -> Result<(), StoreError> {
        if self.departments.contains(department) {
            return Ok(());
        }
        let mut sql = Sql::new::<E>("SELECT code FROM departments WHERE code = ");
        sql.bind(department.to_owned());
        if E::fetch_optional(&mut self.tx, sql).await?.is_none() {
            return Err(StoreError::UnknownDepartment(department.to_owned()));
        }
        self.departments.insert(department.to_owned());
        Ok(())
    }

    /// Writes the subjects of a chunk. A new subject takes the name and kind submitted and the
    /// submitting department as its registrar; afterwards only the registrar renames or
    /// reclassifies it, and each rename keeps the name it replaced in `subject_names`. Other
    /// departments' records carry the name as submitted, and a difference shows in their
    /// data-quality report (issue #11, item 5: any department could rename any subject).
    async fn put_subjects(
        &mut self,
        department: &str,
        chunk: &[ValidRecord],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        // The latest record of a subject in the chunk speaks for it. Only the lookup code is
        // computed here (a keyed hash); a person's number is sealed only for the rows written.
        let mut by_code = BTreeMap::new();
        for r in chunk {
            by_code.insert(r.subject.code.as_str(), (&r.subject.name, r.subject.kind));
        }
        let submitted: BTreeMap<String, (&str, &String, SubjectKind)> = by_code
            .into_iter()
            .map(|(code, (name, kind))| (self.vault.lookup_code(code), (code, name, kind)))
            .collect();
        let mut sql =
            Sql::new::<E>("SELECT id, code, name, kind, registrar FROM subjects WHERE code IN (");
        sql.bind_list(submitted.keys().cloned()).push(")");
        let mut known = BTreeMap::new();
        for row in E::fetch_all(&mut self.tx, sql).await? {
            known.insert(row.text("code")?, row);
        }
        let mut writes = Vec::new();
        let mut renamed = Vec::new();
        for (lookup, &(code, name, kind)) in &submitted {
            let Some(row) = known.get(lookup) else {
                writes.push((code, name, kind));
                continue;
            };
            let registrar = row.opt_text("registrar")?;
            let changed = row.text("name")? != *name || row.text("kind")? != kind.as_str();
            match registrar.as_deref() {
                // A subject from before registrars (no record left) is claimed by the next.
                None => writes.push((code, name, kind)),
                Some(r) if r == department && changed => {
                    renamed.push((
                        row.text("id")?,
                        row.text("name")?,
                        row.text("kind")?,
                        registrar,
                    ));
                    writes.push((code, name, kind));
                }
                Some(_) => {}
            }
        }
        if !renamed.is_empty() {
            let mut sql = Sql::new::<E>(
                "INSERT INTO subject_names (subject_id, name, kind, department, replaced_at) ",
            );
            sql.values(&renamed, |t, (id, name, kind, registrar)| {
                t.bind(id)
                    .bind(name)
                    .bind(kind)
                    .bind(registrar.clone())
                    .bind(now);
            });
            E::execute(&mut self.tx, sql).await?;
        }
        if writes.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new::<E>(
            "INSERT INTO subjects (id, code, name, kind, created_at, updated_at, \
             search_terms, code_sealed, registrar) ",
        );
        sql.values(writes, |t, (code, name, kind)| {
            let stored = self.vault.store_code(code);
            t.bind(new_id())
                .bind(stored.lookup)
                .bind(name)
                .bind(kind.as_str())
                .bind(now)
                .bind(now)
                .bind(xinyong_domain::search::index_terms(name))
                .bind(stored.sealed)
                .bind(department.to_owned());
        });
        // Only rows decided above reach here: new subjects, the registrar's changes, and
        // subjects without a registrar, which the submitting department becomes.
        sql.push(
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
             kind = excluded.kind, updated_at = excluded.updated_at, \
             search_terms = excluded.search_terms, registrar = excluded.registrar",
        );
        E::execute(&mut self.tx, sql).await?;
        Ok(())
    }

    /// The identities of a chunk that already exist, with their current hash.
    async fn existing(
        &mut self,
        department: &str,
        chunk: &[ValidRecord],
    ) -> Result<BTreeMap<(String, String), Existing>, StoreError> {
        let mut sql = Sql::new::<E>(
            "SELECT id, category, document_no, version, content_hash \
             FROM records WHERE department = ",
        );
        sql.bind(department.to_owned())
            .push(" AND document_no IN (");
        let docs: BTreeSet<&str> = chunk.iter().map(|r| r.document_no.as_str()).collect();
        sql.bind_list(docs.into_iter().map(str::to_owned)).push(")");
        let mut existing = BTreeMap::new();
        for row in E::fetch_all(&mut self.tx, sql).await? {
            existing.insert(
                (row.text("category")?, row.text("document_no")?),
                Existing {
                    id: row.text("id")?,
                    version: fits("version", row.int("version")?)?,
                    hash: row.text("content_hash")?,
                },
            );
        }
        Ok(existing)
    }

    /// The first versions of new identities, in one statement.
    fn inserts_sql(
        &self,
        department: &str,
        inserts: &[(String, &ValidRecord, String)],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Sql {
        let mut sql = Sql::new::<E>(
            "INSERT INTO records (id, department, category, document_no, version, \
             status, subject_code, subject_name, subject_kind, decided_on, \
             legal_basis, tier, publicity_until, fields, content_hash, recorded_at, \
             listing, subject_sealed, fields_sealed, listing_sealed) ",
        );
        sql.values(inserts, |t, (id, rec, hash)| {
            let subject = self.vault.store_code(rec.subject.code.as_str());
            let (fields, fields_sealed) = seal_fields(&self.vault, id, rec);
            let (listing, listing_sealed) = seal_listing(&self.vault, id, rec.listing.as_ref());
            t.bind(id)
                .bind(department.to_owned())
                .bind(&rec.category)
                .bind(&rec.document_no)
                .bind(1i64)
                .bind(RecordStatus::Active.as_str())
                .bind(subject.lookup)
                .bind(&rec.subject.name)
                .bind(rec.subject.kind.as_str())
                .bind(rec.decided_on)
                .bind(&rec.legal_basis)
                .bind(rec.tier.map(|t| t.as_str()))
                .bind(rec.publicity_until)
                .bind_json(fields)
                .bind(hash)
                .bind(now)
                .bind_json(listing)
                .bind(subject.sealed)
                .bind(fields_sealed)
                .bind(listing_sealed);
        });
        sql
    }

    /// Moves record `id` to `version` with `rec`'s content (see [`write_version`]).
    async fn update(
        &mut self,
        (id, version, rec, hash): &(String, u32, &ValidRecord, String),
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        write_version::<E>(&mut self.tx, &self.vault, id, *version, rec, hash, now).await
    }

    /// The audit-log entries of a planned chunk: every new version (SPEC: tamper-evident).
    fn entries(&self, department: &str, plan: &Plan<'_>) -> Vec<LedgerEvent> {
        let created = plan.inserts.iter().map(|(id, rec, _)| (true, id, 1, *rec));
        let versions = plan
            .updates
            .iter()
            .map(|(id, v, rec, _)| (false, id, *v, *rec));
        created
            .chain(versions)
            .map(|(first, id, version, rec)| {
                let subject = rec.subject.code.as_str();
                let pseudonym = self.vault.pseudonym(subject);
                let version = Version::Written {
                    subject,
                    state: rec.version_state(id, version, department, &pseudonym),
                };
                let event = if first {
                    Event::RecordCreated(version)
                } else {
                    Event::RecordVersion(version)
                };
                LedgerEvent::new(event, department)
            })
            .collect()
    }
}

#[async_trait]
impl<E: Engine> ImportSession for SqlImportSession<E> {
    async fn add(
        &mut self,
        department: &str,
        records: &[ValidRecord],
    ) -> Result<Vec<Submitted>, StoreError> {
        self.check_department(department).await?;
        let now = chrono::Utc::now();
        let mut out = Vec::with_capacity(records.len());
        for chunk in records.chunks(CHUNK) {
            self.put_subjects(department, chunk, now).await?;
            let mut existing = self.existing(department, chunk).await?;
            let plan = plan(chunk, &mut existing, |h| self.vault.content_key(h));
            if !plan.inserts.is_empty() {
                let sql = self.inserts_sql(department, &plan.inserts, now);
                E::execute(&mut self.tx, sql).await?;
            }
            for update in &plan.updates {
                self.update(update, now).await?;
            }
            let entries = self.entries(department, &plan);
            append::<E>(&mut self.tx, &self.vault, &entries).await?;
            out.extend(plan.out);
            self.written += chunk.len() as u64;
            if let Some(refresh) = E::REFRESH_STATS
                && self.written >= self.refresh_stats_at
            {
                E::execute(&mut self.tx, Sql::new::<E>(refresh)).await?;
                self.refresh_stats_at = self.written.saturating_mul(4);
            }
        }
        let categories: BTreeSet<&str> = records.iter().map(|r| r.category.as_str()).collect();
        let categories: Vec<&str> = categories.into_iter().collect();
        bump_generation::<E>(&mut self.tx, &categories).await?;
        Ok(out)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }
}
