//! Objections (issue #12): a subject contests a record, the record's source department decides.
//! Filing marks the record `under_objection` and deciding sets its status after the outcome;
//! each is one transaction holding the case row, the record's new version and both audit-log
//! entries, so a case and the mark it puts on its record never disagree.

use async_trait::async_trait;
use xinyong_domain::rights::{Objection, ObjectionGround, ObjectionOutcome, ObjectionStatus};
use xinyong_domain::{Record, RecordStatus, ValidRecord};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::record_rows::{SUBJECT, bump_generation, row_subject, write_version};
use crate::vault::Vault;

/// Objection cases.
#[async_trait]
pub trait ObjectionStore: Send + Sync {
    /// Files `objection` (status open) against its record and marks the record
    /// `under_objection` in a new version. `Ok(None)` when the record is no longer in the
    /// state the objection was checked against (`objection.status_before` at version
    /// `version`) or already has an open case: nothing is written.
    async fn file_objection(
        &self,
        objection: &Objection,
        status_before: RecordStatus,
        version: u32,
    ) -> Result<Option<Record>, StoreError>;
    /// A case by id.
    async fn objection(&self, id: &str) -> Result<Option<Objection>, StoreError>;
    /// Every case a subject filed, newest first.
    async fn objections_of_subject(&self, code: &str) -> Result<Vec<Objection>, StoreError>;
    /// Open cases, oldest first: one department's, or (`None`) everyone's for the operator.
    async fn open_objections(&self, department: Option<&str>)
    -> Result<Vec<Objection>, StoreError>;
    /// Marks the open case `escalated` (its `escalated_at` set) as escalated, with its
    /// `objection.escalated` entry, in one transaction. `Ok(false)` when the case is no
    /// longer open or was escalated already: nothing is written.
    async fn escalate_objection(&self, escalated: &Objection) -> Result<bool, StoreError>;
    /// Replaces the deadlines of the open case `rescheduled` (recomputed with a calendar that
    /// holds their year), with its `objection.rescheduled` entry; `Ok(false)` when the case is
    /// not open any more: nothing is written.
    async fn reschedule_objection(&self, rescheduled: &Objection) -> Result<bool, StoreError>;
    /// Cases by id after `after` (every state), at most `limit`: for `ledger verify`.
    async fn objections_after(&self, after: &str, limit: u32)
    -> Result<Vec<Objection>, StoreError>;
    /// Records the decision `decided` (an open case with outcome, reason and time set) and
    /// gives its record the status the outcome leaves; `corrected` is the record's corrected
    /// content for a `corrected` outcome. `Ok(None)` when the case is not open any more.
    async fn decide_objection(
        &self,
        decided: &Objection,
        corrected: Option<&ValidRecord>,
    ) -> Result<Option<Record>, StoreError>;
}

/// The columns [`decode_objection`] reads.
const OBJECTION_COLUMNS: &str = "id, record_id, subject_code, subject_sealed, department, \
     ground, reason_sealed, filed_at, deadlines, status, outcome, decision_reason, decided_at, \
     attachments, escalated_at";

fn reason_context(id: &str) -> String {
    format!("objection:{id}:reason")
}

fn decode_objection(row: &impl DbRow, vault: &Vault) -> Result<Objection, StoreError> {
    let id = row.text("id")?;
    let subject_code = row_subject(row, vault, SUBJECT, ("subject of objection", &id))?;
    let ground = row.text("ground")?;
    let status = row.text("status")?;
    let outcome = row.opt_text("outcome")?;
    Ok(Objection {
        record: row.text("record_id")?.into(),
        subject_code,
        department: row.text("department")?,
        ground: ObjectionGround::parse(&ground)
            .ok_or_else(|| corrupt("objection ground", &ground))?,
        reason: vault.open(&row.text("reason_sealed")?, &reason_context(&id))?,
        filed_at: row.time("filed_at")?,
        deadlines: row.json_as("deadlines")?,
        status: ObjectionStatus::parse(&status)
            .ok_or_else(|| corrupt("objection status", &status))?,
        outcome: match outcome {
            None => None,
            Some(o) => {
                Some(ObjectionOutcome::parse(&o).ok_or_else(|| corrupt("objection outcome", &o))?)
            }
        },
        decision_reason: row.opt_text("decision_reason")?,
        decided_at: row.opt_time("decided_at")?,
        attachments: row.json_as("attachments")?,
        escalated_at: row.opt_time("escalated_at")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_objections(&self, sql: Sql) -> Result<Vec<Objection>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|r| decode_objection(r, &self.vault))
            .collect()
    }
}

#[async_trait]
impl<E: Engine> ObjectionStore for SqlStore<E> {
    async fn file_objection(
        &self,
        o: &Objection,
        status_before: RecordStatus,
        version: u32,
    ) -> Result<Option<Record>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("SELECT category FROM records WHERE id = ");
        sql.bind(o.record.as_str().to_owned())
            .push(" AND version = ")
            .bind(version)
            .push(" AND status = ")
            .bind(status_before.as_str());
        let Some(row) = E::fetch_optional(&mut tx, sql).await? else {
            return Ok(None);
        };
        let category = row.text("category")?;
        let mut sql = Sql::new::<E>("SELECT id FROM objections WHERE record_id = ");
        sql.bind(o.record.as_str().to_owned())
            .push(" AND status = 'open'");
        if E::fetch_optional(&mut tx, sql).await?.is_some() {
            return Ok(None);
        }
        let subject = self.vault.store_code(o.subject_code.as_str());
        let mut sql = Sql::new::<E>("INSERT INTO objections (");
        sql.push(OBJECTION_COLUMNS).push(", status_before) ");
        sql.values([o], |t, o| {
            t.bind(o.id.clone())
                .bind(o.record.as_str().to_owned())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(o.department.clone())
                .bind(o.ground.as_str())
                .bind(self.vault.seal(&o.reason, &reason_context(&o.id)))
                .bind(o.filed_at)
                .bind_json(serde_json::to_string(&o.deadlines).unwrap_or_default())
                .bind(ObjectionStatus::Open.as_str())
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<chrono::DateTime<chrono::Utc>>)
                .bind_json(serde_json::to_string(&o.attachments).unwrap_or_default())
                .bind(None::<chrono::DateTime<chrono::Utc>>)
                .bind(status_before.as_str());
        });
        E::execute(&mut tx, sql).await?;
        let record = self
            .restatus(
                &mut tx,
                o.record.as_str(),
                RecordStatus::UnderObjection,
                Some(format!("objection {}", o.id)),
            )
            .await?;
        bump_generation::<E>(&mut tx, &[category.as_str()]).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(o.subject_code.as_str());
        let entries = [
            LedgerEvent::new(Event::ObjectionFiled(o, &pseudonym), &actor),
            self.version_entry(&record, &actor),
        ];
        append::<E>(&mut tx, &self.vault, &entries).await?;
        tx.commit().await?;
        Ok(Some(record))
    }

    async fn objection(&self, id: &str) -> Result<Option<Objection>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(OBJECTION_COLUMNS)
            .push(" FROM objections WHERE id = ");
        sql.bind(id.to_owned());
        Ok(self.fetch_objections(sql).await?.into_iter().next())
    }

    async fn objections_of_subject(&self, code: &str) -> Result<Vec<Objection>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(OBJECTION_COLUMNS)
            .push(" FROM objections WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY filed_at DESC, id DESC");
        self.fetch_objections(sql).await
    }

    async fn open_objections(
        &self,
        department: Option<&str>,
    ) -> Result<Vec<Objection>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(OBJECTION_COLUMNS)
            .push(" FROM objections WHERE status = 'open'");
        if let Some(d) = department {
            sql.push(" AND department = ").bind(d.to_owned());
        }
        sql.push(" ORDER BY filed_at, id");
        self.fetch_objections(sql).await
    }

    async fn escalate_objection(&self, o: &Objection) -> Result<bool, StoreError> {
        let Some(at) = o.escalated_at else {
            return Ok(false);
        };
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE objections SET escalated_at = ");
        sql.bind(at).push(" WHERE id = ").bind(o.id.clone());
        sql.push(" AND status = 'open' AND escalated_at IS NULL");
        if E::execute(&mut tx, sql).await? == 0 {
            return Ok(false);
        }
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entry = LedgerEvent::new(Event::ObjectionEscalated(o, &pseudonym), "platform");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn reschedule_objection(&self, o: &Objection) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE objections SET deadlines = ");
        sql.bind_json(serde_json::to_string(&o.deadlines).unwrap_or_default());
        sql.push(" WHERE id = ").bind(o.id.clone());
        sql.push(" AND status = 'open'");
        if E::execute(&mut tx, sql).await? == 0 {
            return Ok(false);
        }
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entry = LedgerEvent::new(Event::ObjectionRescheduled(o, &pseudonym), "platform");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn objections_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Objection>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(OBJECTION_COLUMNS)
            .push(" FROM objections WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        self.fetch_objections(sql).await
    }

    async fn decide_objection(
        &self,
        o: &Objection,
        corrected: Option<&ValidRecord>,
    ) -> Result<Option<Record>, StoreError> {
        let Some(outcome) = o.outcome else {
            return Ok(None);
        };
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>(
            "SELECT o.status_before, r.version, r.category FROM objections o \
             JOIN records r ON r.id = o.record_id WHERE o.status = 'open' AND o.id = ",
        );
        sql.bind(o.id.clone());
        let Some(row) = E::fetch_optional(&mut tx, sql).await? else {
            return Ok(None);
        };
        let before = row.text("status_before")?;
        let before = RecordStatus::parse(&before)
            .ok_or_else(|| corrupt("status before objection", &before))?;
        let version: u32 = crate::engine::fits("version", row.int("version")?)?;
        let category = row.text("category")?;
        let mut sql = Sql::new::<E>("UPDATE objections SET status = ");
        sql.bind(ObjectionStatus::Decided.as_str());
        sql.push(", outcome = ").bind(outcome.as_str());
        sql.push(", decision_reason = ")
            .bind(o.decision_reason.clone());
        sql.push(", decided_at = ").bind(o.decided_at);
        sql.push(" WHERE id = ").bind(o.id.clone());
        E::execute(&mut tx, sql).await?;
        let id = o.record.as_str();
        let record = match (outcome, corrected) {
            (ObjectionOutcome::Corrected, Some(rec)) => {
                let hash = self.vault.content_key(&rec.content_hash);
                let now = chrono::Utc::now();
                write_version::<E>(&mut tx, &self.vault, id, version + 1, rec, &hash, now).await?;
                self.reread(&mut tx, id).await?
            }
            _ => {
                let status = xinyong_domain::rights::status_after(outcome, before);
                let note = format!("objection {} {}", o.id, outcome.as_str());
                self.restatus(&mut tx, id, status, Some(note)).await?
            }
        };
        bump_generation::<E>(&mut tx, &[category.as_str()]).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entries = [
            LedgerEvent::new(Event::ObjectionDecided(o, &pseudonym), &o.department),
            self.version_entry(&record, &o.department),
        ];
        append::<E>(&mut tx, &self.vault, &entries).await?;
        tx.commit().await?;
        Ok(Some(record))
    }
}
