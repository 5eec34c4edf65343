//! Special applications (issue #5): a department's one-off request to read a subject's
//! restricted information, decided once by an operator. Filing and deciding are both in the
//! audit log.

use async_trait::async_trait;
use xinyong_domain::access::{ApplicationStatus, SpecialApplication};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::model::ApplicationDecision;
use crate::vault::Vault;

/// Special applications.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Stores a new special application.
    async fn put_special_application(
        &self,
        application: &SpecialApplication,
    ) -> Result<(), StoreError>;
    /// An application by id.
    async fn special_application(&self, id: &str)
    -> Result<Option<SpecialApplication>, StoreError>;
    /// Applications not yet decided, oldest first.
    async fn pending_special_applications(&self) -> Result<Vec<SpecialApplication>, StoreError>;
    /// Decides a pending application; `false` if there is none or it was already decided (an
    /// application is decided once).
    async fn decide_special_application(
        &self,
        id: &str,
        decision: &ApplicationDecision,
    ) -> Result<bool, StoreError>;
}

/// The columns [`decode_application`] reads.
const APPLICATION_COLUMNS: &str = "id, department, subject_code, purpose, reason, legal_basis, \
     status, created_at, decided_at, decision_note, valid_until, subject_sealed";

/// Decodes a row with [`APPLICATION_COLUMNS`], opening a sealed subject code.
fn decode_application(row: &impl DbRow, vault: &Vault) -> Result<SpecialApplication, StoreError> {
    let status = row.text("status")?;
    let sealed = row.opt_text("subject_sealed")?;
    Ok(SpecialApplication {
        id: row.text("id")?,
        department: row.text("department")?,
        subject_code: vault.open_code(row.text("subject_code")?, sealed.as_deref())?,
        purpose: row.text("purpose")?,
        reason: row.text("reason")?,
        legal_basis: row.text("legal_basis")?,
        status: ApplicationStatus::parse(&status)
            .ok_or_else(|| corrupt("application status", &status))?,
        created_at: row.time("created_at")?,
        decided_at: row.opt_time("decided_at")?,
        decision_note: row.opt_text("decision_note")?,
        valid_until: row.opt_time("valid_until")?,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_applications(
        &self,
        rest: impl FnOnce(&mut Sql),
    ) -> Result<Vec<SpecialApplication>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(APPLICATION_COLUMNS)
            .push(" FROM special_applications");
        rest(&mut sql);
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|r| decode_application(r, &self.vault))
            .collect()
    }
}

#[async_trait]
impl<E: Engine> AccessStore for SqlStore<E> {
    async fn put_special_application(&self, a: &SpecialApplication) -> Result<(), StoreError> {
        let mut sql = Sql::new::<E>(
            "INSERT INTO special_applications (id, department, subject_code, purpose, reason, \
             legal_basis, status, created_at, decided_at, decision_note, valid_until, \
             subject_sealed) ",
        );
        let subject = self.vault.store_code(&a.subject_code);
        sql.values([a], |t, a| {
            t.bind(&a.id)
                .bind(&a.department)
                .bind(subject.lookup.clone())
                .bind(&a.purpose)
                .bind(&a.reason)
                .bind(&a.legal_basis)
                .bind(a.status.as_str())
                .bind(a.created_at)
                .bind(a.decided_at)
                .bind(a.decision_note.clone())
                .bind(a.valid_until)
                .bind(subject.sealed.clone());
        });
        let mut tx = self.begin_write().await?;
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entry = LedgerEvent::new(Event::ApplicationFiled(a, &pseudonym), &a.department);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn special_application(
        &self,
        id: &str,
    ) -> Result<Option<SpecialApplication>, StoreError> {
        let found = self
            .fetch_applications(|sql| {
                sql.push(" WHERE id = ").bind(id.to_owned());
            })
            .await?;
        Ok(found.into_iter().next())
    }

    async fn pending_special_applications(&self) -> Result<Vec<SpecialApplication>, StoreError> {
        self.fetch_applications(|sql| {
            sql.push(" WHERE status = 'pending' ORDER BY created_at, id");
        })
        .await
    }

    async fn decide_special_application(
        &self,
        id: &str,
        d: &ApplicationDecision,
    ) -> Result<bool, StoreError> {
        let mut sql = Sql::new::<E>("UPDATE special_applications SET status = ");
        sql.bind(d.status.as_str());
        sql.push(", decided_at = ").bind(d.decided_at);
        sql.push(", decided_by = ").bind(&d.decided_by);
        sql.push(", decision_note = ").bind(&d.note);
        sql.push(", valid_until = ").bind(d.valid_until);
        sql.push(" WHERE id = ").bind(id.to_owned());
        sql.push(" AND status = 'pending'");
        let mut tx = self.begin_write().await?;
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(false);
        }
        let mut sql = Sql::new::<E>(
            "SELECT subject_code, subject_sealed FROM special_applications WHERE id = ",
        );
        sql.bind(id.to_owned());
        let row = E::fetch_one(&mut tx, sql).await?;
        let sealed = row.opt_text("subject_sealed")?;
        let subject = self
            .vault
            .open_code(row.text("subject_code")?, sealed.as_deref())?;
        let event = Event::ApplicationDecided {
            id,
            subject: &subject,
            decision: d,
        };
        let entry = LedgerEvent::new(event, &d.decided_by);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }
}
