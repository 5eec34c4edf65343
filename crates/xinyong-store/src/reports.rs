//! Reports of trust-breaking (issue #12): filed by anyone, read by the competent department
//! alone, followed by the reporter with a tracking number whose hash is all that is stored.

use async_trait::async_trait;
use xinyong_domain::report::{Report, ReportStatus};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Reports.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Stores a new report under the hash of its tracking number.
    async fn file_report(&self, report: &Report, tracking_hash: &str) -> Result<(), StoreError>;
    /// The report a tracking number's hash names.
    async fn report_by_tracking(&self, tracking_hash: &str) -> Result<Option<Report>, StoreError>;
    /// The reports routed to `department`, newest first.
    async fn reports_for(&self, department: &str) -> Result<Vec<Report>, StoreError>;
    /// Reports by id after `after`, at most `limit`: for `ledger verify`.
    async fn reports_after(&self, after: &str, limit: u32) -> Result<Vec<Report>, StoreError>;
    /// Moves `department`'s report `id` to `status` with `note`; `None` if the department has
    /// no such report.
    async fn update_report(
        &self,
        department: &str,
        id: &str,
        status: ReportStatus,
        note: Option<&str>,
    ) -> Result<Option<Report>, StoreError>;
}

const REPORT_COLUMNS: &str = "id, category, subject_code, subject_sealed, content_sealed, \
     contact_sealed, department, status, status_note, filed_at, updated_at";

fn context(id: &str, part: &str) -> String {
    format!("report:{id}:{part}")
}

fn decode_report(row: &impl DbRow, vault: &Vault) -> Result<Report, StoreError> {
    let id = row.text("id")?;
    let subject_code = row_subject(row, vault, SUBJECT, ("subject of report", &id))?;
    let status = row.text("status")?;
    Ok(Report {
        category: row.text("category")?,
        subject_code,
        content: vault.open(&row.text("content_sealed")?, &context(&id, "content"))?,
        contact: match row.opt_text("contact_sealed")? {
            None => None,
            Some(sealed) => Some(vault.open(&sealed, &context(&id, "contact"))?),
        },
        department: row.text("department")?,
        status: ReportStatus::parse(&status).ok_or_else(|| corrupt("report status", &status))?,
        status_note: row.opt_text("status_note")?,
        filed_at: row.time("filed_at")?,
        updated_at: row.time("updated_at")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn one_report(
        conn: &mut E::Connection,
        vault: &Vault,
        sql: Sql,
    ) -> Result<Option<Report>, StoreError> {
        match E::fetch_optional(conn, sql).await? {
            Some(row) => Ok(Some(decode_report(&row, vault)?)),
            None => Ok(None),
        }
    }
}

#[async_trait]
impl<E: Engine> ReportStore for SqlStore<E> {
    async fn reports_after(&self, after: &str, limit: u32) -> Result<Vec<Report>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPORT_COLUMNS).push(" FROM reports WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_report(r, &self.vault)).collect()
    }

    async fn file_report(&self, r: &Report, tracking_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let subject = self.vault.store_code(r.subject_code.as_str());
        let mut sql = Sql::new::<E>("INSERT INTO reports (tracking_hash, ");
        sql.push(REPORT_COLUMNS).push(") ");
        sql.values([r], |t, r| {
            t.bind(tracking_hash.to_owned())
                .bind(r.id.clone())
                .bind(r.category.clone())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(self.vault.seal(&r.content, &context(&r.id, "content")))
                .bind(
                    r.contact
                        .as_ref()
                        .map(|c| self.vault.seal(c, &context(&r.id, "contact"))),
                )
                .bind(r.department.clone())
                .bind(r.status.as_str())
                .bind(r.status_note.clone())
                .bind(r.filed_at)
                .bind(r.updated_at);
        });
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let entry = LedgerEvent::new(Event::ReportFiled(r, &pseudonym), "reporter");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn report_by_tracking(&self, tracking_hash: &str) -> Result<Option<Report>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPORT_COLUMNS)
            .push(" FROM reports WHERE tracking_hash = ");
        sql.bind(tracking_hash.to_owned());
        Ok(self
            .fetch_all(sql)
            .await?
            .first()
            .map(|r| decode_report(r, &self.vault))
            .transpose()?)
    }

    async fn reports_for(&self, department: &str) -> Result<Vec<Report>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPORT_COLUMNS)
            .push(" FROM reports WHERE department = ");
        sql.bind(department.to_owned())
            .push(" ORDER BY filed_at DESC, id DESC");
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_report(r, &self.vault)).collect()
    }

    async fn update_report(
        &self,
        department: &str,
        id: &str,
        status: ReportStatus,
        note: Option<&str>,
    ) -> Result<Option<Report>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE reports SET status = ");
        sql.bind(status.as_str());
        sql.push(", status_note = ").bind(note.map(str::to_owned));
        sql.push(", updated_at = ").bind(chrono::Utc::now());
        sql.push(" WHERE id = ").bind(id.to_owned());
        sql.push(" AND department = ").bind(department.to_owned());
        if E::execute(&mut tx, sql).await? == 0 {
            return Ok(None);
        }
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(REPORT_COLUMNS).push(" FROM reports WHERE id = ");
        sql.bind(id.to_owned());
        let report = Self::one_report(&mut tx, &self.vault, sql).await?;
        if let Some(r) = &report {
            let pseudonym = |c: &str| self.vault.pseudonym(c);
            let entry = LedgerEvent::new(Event::ReportUpdated(r, &pseudonym), department);
            append::<E>(&mut tx, &self.vault, &[entry]).await?;
        }
        tx.commit().await?;
        Ok(report)
    }
}
