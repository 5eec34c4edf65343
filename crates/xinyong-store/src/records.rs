//! Records: a current row in `records` plus every superseded version in `record_history`
//! (rows there are only ever inserted), and the write counter (`generations`) that tells a
//! reader whether records of some categories changed. Bulk writes are `import.rs`; how a
//! version row is written and read back is `record_rows.rs`.
//!
//! Invariant (nothing is silently lost or overwritten): a version is copied to
//! `record_history` before the current row changes, in the same transaction, which also
//! bumps the categories' generations and appends the new version to the audit log.

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use xinyong_domain::{Record, ValidRecord};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::events::{Event, LedgerEvent, Version};
use crate::import::{ImportSession, SqlImportSession};
use crate::model::{Counts, RecordChange, Submitted};
use crate::record_rows::{RECORD_COLUMNS, bump_generation, decode_record, keep_history};

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
    /// The current version of `department`'s own records, newest first (ids are ULIDs, so
    /// their order is the order of creation), at most `limit` of them, those older than the
    /// record `before` when given: the department's console pages through them.
    async fn records_of_department(
        &self,
        department: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError>;
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

impl<E: Engine> SqlStore<E> {
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

    async fn records_of_department(
        &self,
        department: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>, StoreError> {
        let mut sql = Self::select_records("records WHERE department = ");
        sql.bind(department.to_owned());
        if let Some(before) = before {
            sql.push(" AND id < ").bind(before.to_owned());
        }
        sql.push(" ORDER BY id DESC LIMIT ").bind(limit);
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
        let pseudonym = self.vault.pseudonym(record.subject_code.as_str());
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
