//! Credit repair applications (issue #12): a subject applies with a commitment, the department
//! that made the finding decides. Granting is one transaction: the application's decision, the
//! record's `repaired` version, the published commitment record and their audit-log entries.

use async_trait::async_trait;
use xinyong_domain::rights::{RepairApplication, RepairStatus};
use xinyong_domain::{Record, RecordStatus, ValidRecord};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::import::{ImportSession, SqlImportSession};
use crate::record_rows::bump_generation;
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Repair applications.
#[async_trait]
pub trait RepairStore: Send + Sync {
    /// Files a pending application; `false` (nothing written) when its record already has a
    /// pending one.
    async fn file_repair(&self, application: &RepairApplication) -> Result<bool, StoreError>;
    /// An application by id.
    async fn repair(&self, id: &str) -> Result<Option<RepairApplication>, StoreError>;
    /// Every application a subject filed, newest first.
    async fn repairs_of_subject(&self, code: &str) -> Result<Vec<RepairApplication>, StoreError>;
    /// Pending applications, oldest first: one department's, or (`None`) everyone's.
    async fn pending_repairs(
        &self,
        department: Option<&str>,
    ) -> Result<Vec<RepairApplication>, StoreError>;
    /// Replaces the deadlines of the pending application `rescheduled`, with its
    /// `repair.rescheduled` entry; `Ok(false)` when it is not pending any more.
    async fn reschedule_repair(&self, rescheduled: &RepairApplication) -> Result<bool, StoreError>;
    /// Applications by id after `after` (every state), at most `limit`: for `ledger verify`.
    async fn repairs_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<RepairApplication>, StoreError>;
    /// Records the decision `decided` (status granted or refused, reason and time set). A
    /// grant makes the record `repaired` and publishes `commitment` (submitted by the deciding
    /// department) in the same transaction. Returns the record as it then stands; `Ok(None)`
    /// when the application is not pending any more.
    async fn decide_repair(
        &self,
        decided: &RepairApplication,
        commitment: Option<&ValidRecord>,
    ) -> Result<Option<Record>, StoreError>;
}

const REPAIR_COLUMNS: &str = "id, record_id, subject_code, subject_sealed, department, \
     details_sealed, filed_at, deadlines, status, decision_reason, decided_at";

fn details_context(id: &str) -> String {
    format!("repair:{id}:details")
}

/// What is sealed of an application: the commitment and the evidence.
#[derive(serde::Serialize, serde::Deserialize)]
struct Details {
    commitment: String,
    evidence: Vec<String>,
    /// Absent in applications filed before attachments existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<String>,
}

fn decode_repair(row: &impl DbRow, vault: &Vault) -> Result<RepairApplication, StoreError> {
    let id = row.text("id")?;
    let subject_code = row_subject(row, vault, SUBJECT, ("subject of repair", &id))?;
    let details: Details =
        serde_json::from_str(&vault.open(&row.text("details_sealed")?, &details_context(&id))?)
            .map_err(|_| corrupt("details of repair", &id))?;
    let status = row.text("status")?;
    Ok(RepairApplication {
        record: row.text("record_id")?.into(),
        subject_code,
        department: row.text("department")?,
        commitment: details.commitment,
        evidence: details.evidence,
        filed_at: row.time("filed_at")?,
        deadlines: row.json_as("deadlines")?,
        status: RepairStatus::parse(&status).ok_or_else(|| corrupt("repair status", &status))?,
        decision_reason: row.opt_text("decision_reason")?,
        decided_at: row.opt_time("decided_at")?,
        attachments: details.attachments,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_repairs(&self, sql: Sql) -> Result<Vec<RepairApplication>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_repair(r, &self.vault)).collect()
    }
}

#[async_trait]
impl<E: Engine> RepairStore for SqlStore<E> {
    async fn file_repair(&self, a: &RepairApplication) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("SELECT id FROM repairs WHERE record_id = ");
        sql.bind(a.record.as_str().to_owned())
            .push(" AND status = 'pending'");
        if E::fetch_optional(&mut tx, sql).await?.is_some() {
            return Ok(false);
        }
        let subject = self.vault.store_code(a.subject_code.as_str());
        let details = serde_json::to_string(&Details {
            commitment: a.commitment.clone(),
            evidence: a.evidence.clone(),
            attachments: a.attachments.clone(),
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut sql = Sql::new::<E>("INSERT INTO repairs (");
        sql.push(REPAIR_COLUMNS).push(") ");
        sql.values([a], |t, a| {
            t.bind(a.id.clone())
                .bind(a.record.as_str().to_owned())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(a.department.clone())
                .bind(self.vault.seal(&details, &details_context(&a.id)))
                .bind(a.filed_at)
                .bind_json(serde_json::to_string(&a.deadlines).unwrap_or_default())
                .bind(RepairStatus::Pending.as_str())
                .bind(None::<String>)
                .bind(None::<chrono::DateTime<chrono::Utc>>);
        });
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(a.subject_code.as_str());
        let entry = LedgerEvent::new(Event::RepairFiled(a, &pseudonym), &actor);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn repair(&self, id: &str) -> Result<Option<RepairApplication>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPAIR_COLUMNS).push(" FROM repairs WHERE id = ");
        sql.bind(id.to_owned());
        Ok(self.fetch_repairs(sql).await?.into_iter().next())
    }

    async fn repairs_of_subject(&self, code: &str) -> Result<Vec<RepairApplication>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPAIR_COLUMNS)
            .push(" FROM repairs WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY filed_at DESC, id DESC");
        self.fetch_repairs(sql).await
    }

    async fn reschedule_repair(&self, r: &RepairApplication) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE repairs SET deadlines = ");
        sql.bind_json(serde_json::to_string(&r.deadlines).unwrap_or_default());
        sql.push(" WHERE id = ").bind(r.id.clone());
        sql.push(" AND status = 'pending'");
        if E::execute(&mut tx, sql).await? == 0 {
            return Ok(false);
        }
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entry = LedgerEvent::new(Event::RepairRescheduled(r, &pseudonym), "platform");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn repairs_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<RepairApplication>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPAIR_COLUMNS).push(" FROM repairs WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        self.fetch_repairs(sql).await
    }

    async fn pending_repairs(
        &self,
        department: Option<&str>,
    ) -> Result<Vec<RepairApplication>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPAIR_COLUMNS)
            .push(" FROM repairs WHERE status = 'pending'");
        if let Some(d) = department {
            sql.push(" AND department = ").bind(d.to_owned());
        }
        sql.push(" ORDER BY filed_at, id");
        self.fetch_repairs(sql).await
    }

    async fn decide_repair(
        &self,
        a: &RepairApplication,
        commitment: Option<&ValidRecord>,
    ) -> Result<Option<Record>, StoreError> {
        // The import session's transaction holds the whole decision, so that the published
        // commitment goes through the one write path of records (subjects, versions, log).
        let mut session = SqlImportSession::begin(self).await?;
        let mut sql = Sql::new::<E>("SELECT category FROM records WHERE id = ");
        sql.bind(a.record.as_str().to_owned())
            .push(" AND EXISTS (SELECT 1 FROM repairs WHERE status = 'pending' AND id = ")
            .bind(a.id.clone())
            .push(")");
        let Some(row) = E::fetch_optional(&mut session.tx, sql).await? else {
            return Ok(None);
        };
        let category = row.text("category")?;
        let mut sql = Sql::new::<E>("UPDATE repairs SET status = ");
        sql.bind(a.status.as_str());
        sql.push(", decision_reason = ")
            .bind(a.decision_reason.clone());
        sql.push(", decided_at = ").bind(a.decided_at);
        sql.push(" WHERE id = ").bind(a.id.clone());
        E::execute(&mut session.tx, sql).await?;
        let id = a.record.as_str();
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let mut entries = vec![LedgerEvent::new(
            Event::RepairDecided(a, &pseudonym),
            &a.department,
        )];
        let record = if a.status == RepairStatus::Granted {
            let record = self
                .restatus(
                    &mut session.tx,
                    id,
                    RecordStatus::Repaired,
                    Some(format!("repair {} granted", a.id)),
                )
                .await?;
            bump_generation::<E>(&mut session.tx, &[category.as_str()]).await?;
            entries.push(self.version_entry(&record, &a.department));
            record
        } else {
            self.reread(&mut session.tx, id).await?
        };
        append::<E>(&mut session.tx, &self.vault, &entries).await?;
        if let Some(commitment) = commitment {
            session
                .add(&a.department, std::slice::from_ref(commitment))
                .await?;
        }
        Box::new(session).commit().await?;
        Ok(Some(record))
    }
}
