//! Subjects' authorisations of credit service bodies (issue #12). Granting and revoking are
//! audit-logged in the same transaction; a read asks for current grants every time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use xinyong_domain::rights::SubjectGrant;

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::events::{Event, LedgerEvent};
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Subjects' grants.
#[async_trait]
pub trait GrantStore: Send + Sync {
    /// Stores a new grant.
    async fn put_grant(&self, grant: &SubjectGrant) -> Result<(), StoreError>;
    /// Every grant a subject made, newest first, revoked and expired ones included.
    async fn grants_of_subject(&self, code: &str) -> Result<Vec<SubjectGrant>, StoreError>;
    /// The subject's grants to `service` (revoked or not; the caller checks
    /// [`SubjectGrant::permits`]).
    async fn grants_to(&self, code: &str, service: &str) -> Result<Vec<SubjectGrant>, StoreError>;
    /// Grants by id after `after`, at most `limit`: for `ledger verify`.
    async fn grants_after(&self, after: &str, limit: u32) -> Result<Vec<SubjectGrant>, StoreError>;
    /// Revokes the subject's grant `id` at `at`; `None` if the subject has no such grant,
    /// else the grant as it now stands (revoking twice keeps the first time).
    async fn revoke_grant(
        &self,
        code: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<SubjectGrant>, StoreError>;
}

const GRANT_COLUMNS: &str =
    "id, subject_code, subject_sealed, service, purpose, granted_at, valid_until, revoked_at";

fn decode_grant(row: &impl DbRow, vault: &Vault) -> Result<SubjectGrant, StoreError> {
    let id = row.text("id")?;
    let subject_code = row_subject(row, vault, SUBJECT, ("subject of grant", &id))?;
    Ok(SubjectGrant {
        subject_code,
        service: row.text("service")?,
        purpose: row.text("purpose")?,
        granted_at: row.time("granted_at")?,
        valid_until: row.time("valid_until")?,
        revoked_at: row.opt_time("revoked_at")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_grants(&self, sql: Sql) -> Result<Vec<SubjectGrant>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_grant(r, &self.vault)).collect()
    }

    fn select_grants(&self, code: &str) -> Sql {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(GRANT_COLUMNS)
            .push(" FROM subject_grants WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code));
        sql
    }
}

#[async_trait]
impl<E: Engine> GrantStore for SqlStore<E> {
    async fn grants_after(&self, after: &str, limit: u32) -> Result<Vec<SubjectGrant>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(GRANT_COLUMNS)
            .push(" FROM subject_grants WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        self.fetch_grants(sql).await
    }

    async fn put_grant(&self, g: &SubjectGrant) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let subject = self.vault.store_code(g.subject_code.as_str());
        let mut sql = Sql::new::<E>("INSERT INTO subject_grants (");
        sql.push(GRANT_COLUMNS).push(") ");
        sql.values([g], |t, g| {
            t.bind(g.id.clone())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(g.service.clone())
                .bind(g.purpose.clone())
                .bind(g.granted_at)
                .bind(g.valid_until)
                .bind(g.revoked_at);
        });
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(g.subject_code.as_str());
        let entry = LedgerEvent::new(Event::GrantGiven(g, &pseudonym), &actor);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn grants_of_subject(&self, code: &str) -> Result<Vec<SubjectGrant>, StoreError> {
        let mut sql = self.select_grants(code);
        sql.push(" ORDER BY granted_at DESC, id DESC");
        self.fetch_grants(sql).await
    }

    async fn grants_to(&self, code: &str, service: &str) -> Result<Vec<SubjectGrant>, StoreError> {
        let mut sql = self.select_grants(code);
        sql.push(" AND service = ").bind(service.to_owned());
        self.fetch_grants(sql).await
    }

    async fn revoke_grant(
        &self,
        code: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<SubjectGrant>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE subject_grants SET revoked_at = ");
        sql.bind(at).push(" WHERE revoked_at IS NULL AND id = ");
        sql.bind(id.to_owned())
            .push(" AND subject_code = ")
            .bind(self.vault.lookup_code(code));
        let changed = E::execute(&mut tx, sql).await?;
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(GRANT_COLUMNS)
            .push(" FROM subject_grants WHERE id = ");
        sql.bind(id.to_owned())
            .push(" AND subject_code = ")
            .bind(self.vault.lookup_code(code));
        let Some(row) = E::fetch_optional(&mut tx, sql).await? else {
            return Ok(None);
        };
        let grant = decode_grant(&row, &self.vault)?;
        if changed > 0 {
            let pseudonym = |c: &str| self.vault.pseudonym(c);
            let actor = self.vault.pseudonym(code);
            let entry = LedgerEvent::new(Event::GrantRevoked(&grant, &pseudonym), &actor);
            append::<E>(&mut tx, &self.vault, &[entry]).await?;
        }
        tx.commit().await?;
        Ok(Some(grant))
    }
}
