//! People in regulated roles (issue #13, SPEC row 14): who holds which licence at which
//! organisation. The person is stored as every table stores one (lookup code, sealed
//! number); each registration and each end of a role is in the audit log, and `ledger
//! verify` checks every row against the latest entry that recorded it.

use async_trait::async_trait;
use chrono::NaiveDate;
use xinyong_domain::code::SubjectCode;
use xinyong_domain::role::PersonInRole;

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Why a role was not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRefusal {
    /// The licence is held, in the same profession, by a role whose period overlaps the new
    /// one's: a role still open must end first.
    LicenceHeld { by: String },
}

/// People in roles.
#[async_trait]
pub trait RoleStore: Send + Sync {
    /// Registers `role`, unless its licence is held, in its profession, by a role whose
    /// period overlaps its own.
    async fn register_role(
        &self,
        role: &PersonInRole,
    ) -> Result<Result<(), RoleRefusal>, StoreError> {
        Ok(self
            .register_roles(std::slice::from_ref(role))
            .await?
            .map_err(|(_, refusal)| refusal))
    }
    /// Registers every role of `roles` in one transaction, or none: the first refused (by
    /// its index) leaves nothing stored. Roles earlier in the batch count as registered.
    async fn register_roles(
        &self,
        roles: &[PersonInRole],
    ) -> Result<Result<(), (usize, RoleRefusal)>, StoreError>;
    /// Ends the role `id` on `until` (its last day); `None` when there is no such role.
    async fn end_role(
        &self,
        id: &str,
        until: NaiveDate,
    ) -> Result<Option<PersonInRole>, StoreError>;
    /// A role by id.
    async fn role(&self, id: &str) -> Result<Option<PersonInRole>, StoreError>;
    /// Every role a person holds or held, newest first.
    async fn roles_of_person(&self, code: &str) -> Result<Vec<PersonInRole>, StoreError>;
    /// The roles at an organisation, by profession and licence, at most `limit`.
    async fn roles_at(
        &self,
        organisation: &str,
        limit: u32,
    ) -> Result<Vec<PersonInRole>, StoreError>;
    /// Roles by id after `after`, at most `limit`: for `ledger verify`.
    async fn roles_after(&self, after: &str, limit: u32) -> Result<Vec<PersonInRole>, StoreError>;
}

const COLUMNS: &str = "id, subject_code, subject_sealed, name, organisation, profession, \
    licence_no, since, until, department, registered_at";

fn decode(row: &impl DbRow, vault: &Vault) -> Result<PersonInRole, StoreError> {
    let id = row.text("id")?;
    let person = match row_subject(row, vault, SUBJECT, ("person of role", &id))? {
        SubjectCode::Citizen(p) => p,
        SubjectCode::Unified(_) => return Err(corrupt("person of role", &id)),
    };
    Ok(PersonInRole {
        person,
        name: row.text("name")?,
        organisation: row.text("organisation")?,
        profession: row.text("profession")?,
        licence_no: row.text("licence_no")?,
        since: row.date("since")?,
        until: row.opt_date("until")?,
        department: row.text("department")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_roles(&self, sql: Sql) -> Result<Vec<PersonInRole>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode(r, &self.vault)).collect()
    }

    fn role_entry(&self, role: &PersonInRole) -> LedgerEvent {
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        LedgerEvent::new(Event::RoleRegistered(role, &pseudonym), &role.department)
    }
}

#[async_trait]
impl<E: Engine> RoleStore for SqlStore<E> {
    async fn register_roles(
        &self,
        roles: &[PersonInRole],
    ) -> Result<Result<(), (usize, RoleRefusal)>, StoreError> {
        let mut tx = self.begin_write().await?;
        // Registrations queue on the audit log's row before they look (PostgreSQL's read
        // committed would otherwise let two registrations of one licence both pass).
        E::execute(
            &mut tx,
            Sql::new::<E>("UPDATE ledger_state SET size = size WHERE id = 1"),
        )
        .await?;
        let mut entries = Vec::with_capacity(roles.len());
        for (index, role) in roles.iter().enumerate() {
            // A licence is held by one role at a time: no two periods of it overlap (the
            // roles of this batch before this one included: they are in the transaction).
            let mut sql = Sql::new::<E>("SELECT id FROM persons_in_role WHERE profession = ");
            sql.bind(&role.profession)
                .push(" AND licence_no = ")
                .bind(&role.licence_no);
            sql.push(" AND (until IS NULL OR until >= ")
                .bind(role.since);
            sql.push(")");
            if let Some(until) = role.until {
                sql.push(" AND since <= ").bind(until);
            }
            sql.push(" LIMIT 1");
            if let Some(row) = E::fetch_optional(&mut tx, sql).await? {
                let by = row.text("id")?;
                return Ok(Err((index, RoleRefusal::LicenceHeld { by })));
            }
            let person = self.vault.store_code(role.person.as_str());
            let mut sql = Sql::new::<E>("INSERT INTO persons_in_role (");
            sql.push(COLUMNS).push(") ");
            sql.values([role], |t, r| {
                t.bind(&r.id)
                    .bind(person.lookup.clone())
                    .bind(person.sealed.clone())
                    .bind(&r.name)
                    .bind(&r.organisation)
                    .bind(&r.profession)
                    .bind(&r.licence_no)
                    .bind(r.since)
                    .bind(r.until)
                    .bind(&r.department)
                    .bind(chrono::Utc::now());
            });
            E::execute(&mut tx, sql).await?;
            entries.push(self.role_entry(role));
        }
        append::<E>(&mut tx, &self.vault, &entries).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn end_role(
        &self,
        id: &str,
        until: NaiveDate,
    ) -> Result<Option<PersonInRole>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM persons_in_role WHERE id = ");
        sql.bind(id.to_owned());
        let Some(row) = E::fetch_optional(&mut tx, sql).await? else {
            return Ok(None);
        };
        let mut role = decode(&row, &self.vault)?;
        role.until = Some(until);
        let mut sql = Sql::new::<E>("UPDATE persons_in_role SET until = ");
        sql.bind(until).push(" WHERE id = ").bind(id.to_owned());
        E::execute(&mut tx, sql).await?;
        append::<E>(&mut tx, &self.vault, &[self.role_entry(&role)]).await?;
        tx.commit().await?;
        Ok(Some(role))
    }

    async fn role(&self, id: &str) -> Result<Option<PersonInRole>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM persons_in_role WHERE id = ");
        sql.bind(id.to_owned());
        Ok(self.fetch_roles(sql).await?.into_iter().next())
    }

    async fn roles_of_person(&self, code: &str) -> Result<Vec<PersonInRole>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS)
            .push(" FROM persons_in_role WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY since DESC, id DESC");
        self.fetch_roles(sql).await
    }

    async fn roles_at(
        &self,
        organisation: &str,
        limit: u32,
    ) -> Result<Vec<PersonInRole>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS)
            .push(" FROM persons_in_role WHERE organisation = ");
        sql.bind(organisation.to_owned())
            .push(" ORDER BY profession, licence_no, since LIMIT ")
            .bind(i64::from(limit));
        self.fetch_roles(sql).await
    }

    async fn roles_after(&self, after: &str, limit: u32) -> Result<Vec<PersonInRole>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM persons_in_role WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        self.fetch_roles(sql).await
    }
}
