//! Records: a current row in `records` plus every superseded version in `record_history`
//! (rows there are only ever inserted), and the write counter (`generations`) that tells a
//! reader whether records of some categories changed. Bulk writes are `import.rs`.
//!
//! Invariant (nothing is silently lost or overwritten): a version is copied to
//! `record_history` before the current row changes, in the same transaction, which also
//! bumps the categories' generations and appends the new version to the audit log.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use serde_json::Value;
use xinyong_domain::{Listing, Record, RecordStatus, Tier, ValidRecord};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt, fits};
use crate::events::{Event, LedgerEvent, Version};
use crate::import::{ImportSession, SqlImportSession};
use crate::model::{Counts, RecordChange, Submitted};
use crate::vault::Vault;

/// Records and their versions.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Opens a transaction for records.
    async fn begin_import(&self) -> Result<Box<dyn ImportSession>, StoreError>;

    /// Stores a batch of records in one transaction: all or nothing.
    async fn submit(
        &self,
        department: &str,
        records: &[ValidRecord],
    ) -> Result<Vec<Submitted>, StoreError> {
        let mut session = self.begin_import().await?;
        let out = session.add(department, records).await?;
        session.commit().await?;
        Ok(out)
    }

    /// The current version of every record about a subject, from every department.
    async fn records_of_subject(&self, code: &str) -> Result<Vec<Record>, StoreError>;
    /// Every version of a record, oldest first.
    async fn record_history(&self, id: &str) -> Result<Vec<Record>, StoreError>;
    /// The current version of a record.
    async fn record(&self, id: &str) -> Result<Option<Record>, StoreError>;
    /// Moves a record to a new version that differs from the current one only as `change`
    /// says (status, publicity end), copying the current version to history first. Returns the
    /// new current version, or `None` if no record of `department` has this id.
    async fn change_record(
        &self,
        department: &str,
        id: &str,
        change: &RecordChange,
    ) -> Result<Option<Record>, StoreError>;
    /// Every record of these categories that still counts on `running_on` (active or under
    /// objection, publicity not ended): what the in-memory list index is built from.
    async fn records_in_categories(
        &self,
        categories: &[String],
        running_on: NaiveDate,
    ) -> Result<Vec<Record>, StoreError>;
    /// Counter of writes to records of these categories, bumped in the same transaction as
    /// each write: unchanged means nothing to reload.
    async fn generation(&self, categories: &[String]) -> Result<i64, StoreError>;
    /// Stored record versions in (id, version) order after `after`: current rows, or with
    /// `history` the superseded ones (for verification).
    async fn record_versions_after(
        &self,
        history: bool,
        after: Option<&(String, u32)>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError>;
    /// Headline figures.
    async fn counts(&self) -> Result<Counts, StoreError>;
}

/// Columns of `records` and `record_history` (the same in both), as [`decode_record`] reads
/// them by name and as a version is copied to history.
pub(crate) const RECORD_COLUMNS: &str = "id, version, status, department, category, \
    subject_code, subject_name, subject_kind, document_no, decided_on, legal_basis, \
    tier, publicity_until, fields, content_hash, recorded_at, listing, status_note, \
    subject_sealed, fields_sealed";

/// Decodes a row selected with [`RECORD_COLUMNS`], opening its sealed identity number and
/// fields.
pub(crate) fn decode_record(row: &impl DbRow, vault: &Vault) -> Result<Record, StoreError> {
    let id = row.text("id")?;
    let subject_sealed = row.opt_text("subject_sealed")?;
    let subject_code = vault.open_code(row.text("subject_code")?, subject_sealed.as_deref())?;
    let fields: BTreeMap<String, Value> = match row.opt_text("fields_sealed")? {
        None => row.json_as("fields")?,
        Some(sealed) => {
            let json = vault.open(&sealed, &fields_context(&id))?;
            serde_json::from_str(&json).map_err(|_| corrupt("sealed fields of", &id))?
        }
    };
    let status = row.text("status")?;
    let kind = row.text("subject_kind")?;
    let tier = row.opt_text("tier")?;
    Ok(Record {
        version: fits("version", row.int("version")?)?,
        status: RecordStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        subject_kind: parse_kind(&kind)?,
        tier: match tier.as_deref() {
            None => None,
            Some(t) => Some(Tier::parse(t).ok_or_else(|| corrupt("tier", t))?),
        },
        department: row.text("department")?,
        category: row.text("category")?,
        subject_code,
        subject_name: row.text("subject_name")?,
        document_no: row.text("document_no")?,
        decided_on: row.date("decided_on")?,
        legal_basis: row.text("legal_basis")?,
        publicity_until: row.date("publicity_until")?,
        fields,
        content_hash: row.text("content_hash")?,
        recorded_at: row.time("recorded_at")?,
        listing: row.opt_json_as::<Listing>("listing")?,
        status_note: row.opt_text("status_note")?,
        id,
    })
}

pub(crate) fn parse_kind(s: &str) -> Result<xinyong_domain::SubjectKind, StoreError> {
    xinyong_domain::SubjectKind::parse(s).ok_or_else(|| corrupt("subject kind", s))
}

/// The `fields` and `fields_sealed` columns of a record: a restricted record's fields are
/// sealed (bound to the record id) and `fields` holds `{}`.
pub(crate) fn seal_fields(vault: &Vault, id: &str, rec: &ValidRecord) -> (String, Option<String>) {
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

/// Copies the current version of record `id` to `record_history` (before it changes).
pub(crate) async fn keep_history<E: Engine>(
    conn: &mut E::Connection,
    id: &str,
) -> Result<(), StoreError> {
    let mut sql = Sql::new::<E>("INSERT INTO record_history (");
    sql.push(RECORD_COLUMNS)
        .push(") SELECT ")
        .push(RECORD_COLUMNS);
    sql.push(" FROM records WHERE id = ").bind(id.to_owned());
    E::execute(conn, sql).await?;
    Ok(())
}

/// Bumps the write counter of each category inside the transaction on `conn`: a reader
/// interested in some categories (the list index) reloads only when those moved.
pub(crate) async fn bump_generation<E: Engine>(
    conn: &mut E::Connection,
    categories: &[&str],
) -> Result<(), StoreError> {
    for category in categories {
        let mut sql = Sql::new::<E>("INSERT INTO generations (topic, generation) VALUES (");
        sql.bind((*category).to_owned());
        sql.push(", 1) ON CONFLICT (topic) DO UPDATE SET generation = generations.generation + 1");
        E::execute(conn, sql).await?;
    }
    Ok(())
}

impl<E: Engine> SqlStore<E> {
    /// Every record a statement selects with [`RECORD_COLUMNS`].
    pub(crate) async fn fetch_records(&self, sql: Sql) -> Result<Vec<Record>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_record(r, &self.vault)).collect()
    }

    fn select_records(from: &str) -> Sql {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(RECORD_COLUMNS).push(" FROM ").push(from);
        sql
    }
}

#[async_trait]
impl<E: Engine> RecordStore for SqlStore<E> {
    async fn begin_import(&self) -> Result<Box<dyn ImportSession>, StoreError> {
        Ok(Box::new(SqlImportSession::<E>::begin(self).await?))
    }

    async fn records_of_subject(&self, code: &str) -> Result<Vec<Record>, StoreError> {
        let mut sql = Self::select_records("records WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY decided_on DESC, id");
        self.fetch_records(sql).await
    }

    async fn record_history(&self, id: &str) -> Result<Vec<Record>, StoreError> {
        let mut sql = Self::select_records("record_history WHERE id = ");
        sql.bind(id.to_owned()).push(" UNION ALL SELECT ");
        sql.push(RECORD_COLUMNS).push(" FROM records WHERE id = ");
        sql.bind(id.to_owned()).push(" ORDER BY version");
        self.fetch_records(sql).await
    }

    async fn record(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let mut sql = Self::select_records("records WHERE id = ");
        sql.bind(id.to_owned());
        Ok(self.fetch_records(sql).await?.into_iter().next())
    }

    async fn change_record(
        &self,
        department: &str,
        id: &str,
        change: &RecordChange,
    ) -> Result<Option<Record>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("SELECT version, category FROM records WHERE id = ");
        sql.bind(id.to_owned())
            .push(" AND department = ")
            .bind(department.to_owned());
        let Some(row) = E::fetch_optional(&mut tx, sql).await? else {
            return Ok(None);
        };
        let (version, category) = (row.int("version")?, row.text("category")?);
        // History first: the superseded version is kept, never overwritten.
        keep_history::<E>(&mut tx, id).await?;
        let mut sql = Sql::new::<E>("UPDATE records SET version = ");
        sql.bind(version + 1);
        sql.push(", recorded_at = ").bind(Utc::now());
        sql.push(", status_note = ")
            .bind(change.status_note.clone());
        if let Some(status) = change.status {
            sql.push(", status = ").bind(status.as_str());
        }
        if let Some(until) = change.publicity_until {
            sql.push(", publicity_until = ").bind(until);
        }
        sql.push(" WHERE id = ").bind(id.to_owned());
        E::execute(&mut tx, sql).await?;
        bump_generation::<E>(&mut tx, &[category.as_str()]).await?;
        let mut sql = Self::select_records("records WHERE id = ");
        sql.bind(id.to_owned());
        let record = decode_record(&E::fetch_one(&mut tx, sql).await?, &self.vault)?;
        let pseudonym = self.vault.pseudonym(&record.subject_code);
        let version = Version::Stored {
            record: &record,
            pseudonym: &pseudonym,
        };
        let entry = LedgerEvent::new(Event::RecordVersion(version), department);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(Some(record))
    }

    async fn records_in_categories(
        &self,
        categories: &[String],
        running_on: NaiveDate,
    ) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        for category in categories {
            let mut sql = Self::select_records("records WHERE category = ");
            sql.bind(category)
                .push(" AND status IN ('active', 'under_objection') AND publicity_until > ")
                .bind(running_on);
            out.extend(self.fetch_records(sql).await?);
        }
        Ok(out)
    }

    async fn generation(&self, categories: &[String]) -> Result<i64, StoreError> {
        if categories.is_empty() {
            return Ok(0);
        }
        let mut sql = Sql::new::<E>("SELECT generation FROM generations WHERE topic IN (");
        sql.bind_list(categories).push(")");
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| r.int("generation")).sum()
    }

    async fn record_versions_after(
        &self,
        history: bool,
        after: Option<&(String, u32)>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        let mut sql = Self::select_records(if history { "record_history" } else { "records" });
        if let Some((id, version)) = after {
            sql.push(" WHERE id > ").bind(id);
            if history {
                sql.push(" OR (id = ").bind(id);
                sql.push(" AND version > ").bind(*version).push(")");
            }
        }
        sql.push(" ORDER BY id, version LIMIT ").bind(limit);
        self.fetch_records(sql).await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let row = self
            .fetch_one(Sql::new::<E>(
                "SELECT (SELECT COUNT(*) FROM subjects) AS subjects, \
                 (SELECT COUNT(*) FROM records) AS records, \
                 (SELECT COUNT(*) FROM departments) AS departments",
            ))
            .await?;
        let n = |column: &str| row.int(column).map(|x| u64::try_from(x).unwrap_or(0));
        Ok(Counts {
            subjects: n("subjects")?,
            records: n("records")?,
            departments: n("departments")?,
        })
    }
}
