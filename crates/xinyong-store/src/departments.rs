//! Departments: who submits, which categories and list types each may submit, and the
//! professions whose people in role each registers. A department
//! only ever gains categories and lists; every change is in the audit log.

use async_trait::async_trait;
use xinyong_domain::Department;

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::events::{Event, LedgerEvent};
use crate::model::NameMismatch;
use crate::record_rows::parse_kind;

/// Departments and what they may submit.
#[async_trait]
pub trait DepartmentStore: Send + Sync {
    /// Registers a department or adds categories to an existing one; never removes any.
    async fn put_department(&self, department: &Department) -> Result<(), StoreError>;
    /// A department by its code.
    async fn department(&self, code: &str) -> Result<Option<Department>, StoreError>;
    /// Every department, by code.
    async fn departments(&self) -> Result<Vec<Department>, StoreError>;
    /// The department's records whose subject name or kind differs from the registered ones,
    /// in record order, at most `limit`: its data-quality report.
    async fn quality_report(
        &self,
        department: &str,
        limit: u32,
    ) -> Result<Vec<NameMismatch>, StoreError>;
}

impl<E: Engine> SqlStore<E> {
    /// The department `code` named `name`, with its categories and lists.
    async fn read_department(&self, code: String, name: String) -> Result<Department, StoreError> {
        let mut sql =
            Sql::new::<E>("SELECT category FROM department_categories WHERE department = ");
        sql.bind(&code).push(" ORDER BY category");
        let categories = self.fetch_all(sql).await?;
        let mut sql = Sql::new::<E>("SELECT list_type FROM department_lists WHERE department = ");
        sql.bind(&code).push(" ORDER BY list_type");
        let lists = self.fetch_all(sql).await?;
        let mut sql =
            Sql::new::<E>("SELECT profession FROM department_professions WHERE department = ");
        sql.bind(&code).push(" ORDER BY profession");
        let professions = self.fetch_all(sql).await?;
        Ok(Department {
            code,
            name,
            categories: categories
                .iter()
                .map(|r| r.text("category"))
                .collect::<Result<_, _>>()?,
            lists: lists
                .iter()
                .map(|r| r.text("list_type"))
                .collect::<Result<_, _>>()?,
            professions: professions
                .iter()
                .map(|r| r.text("profession"))
                .collect::<Result<_, _>>()?,
        })
    }
}

#[async_trait]
impl<E: Engine> DepartmentStore for SqlStore<E> {
    async fn put_department(&self, d: &Department) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("INSERT INTO departments (code, name, created_at) ");
        sql.values([d], |t, d| {
            t.bind(&d.code).bind(&d.name).bind(chrono::Utc::now());
        });
        sql.push(" ON CONFLICT (code) DO UPDATE SET name = excluded.name");
        E::execute(&mut tx, sql).await?;
        if !d.categories.is_empty() {
            let mut sql =
                Sql::new::<E>("INSERT INTO department_categories (department, category) ");
            sql.values(&d.categories, |t, c| {
                t.bind(&d.code).bind(c);
            });
            sql.push(" ON CONFLICT DO NOTHING");
            E::execute(&mut tx, sql).await?;
        }
        if !d.lists.is_empty() {
            let mut sql = Sql::new::<E>("INSERT INTO department_lists (department, list_type) ");
            sql.values(&d.lists, |t, l| {
                t.bind(&d.code).bind(l);
            });
            sql.push(" ON CONFLICT DO NOTHING");
            E::execute(&mut tx, sql).await?;
        }
        if !d.professions.is_empty() {
            let mut sql =
                Sql::new::<E>("INSERT INTO department_professions (department, profession) ");
            sql.values(&d.professions, |t, p| {
                t.bind(&d.code).bind(p);
            });
            sql.push(" ON CONFLICT DO NOTHING");
            E::execute(&mut tx, sql).await?;
        }
        let entry = LedgerEvent::new(Event::DepartmentPut(d), "operator");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn department(&self, code: &str) -> Result<Option<Department>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT name FROM departments WHERE code = ");
        sql.bind(code.to_owned());
        match self.fetch_optional(sql).await? {
            Some(row) => Ok(Some(
                self.read_department(code.to_owned(), row.text("name")?)
                    .await?,
            )),
            None => Ok(None),
        }
    }

    async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let sql = Sql::new::<E>("SELECT code, name FROM departments ORDER BY code");
        let rows = self.fetch_all(sql).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(
                self.read_department(row.text("code")?, row.text("name")?)
                    .await?,
            );
        }
        Ok(out)
    }

    async fn quality_report(
        &self,
        department: &str,
        limit: u32,
    ) -> Result<Vec<NameMismatch>, StoreError> {
        let mut sql = Sql::new::<E>(
            "SELECT r.id, r.category, r.document_no, r.subject_name, r.subject_kind, \
             s.name, s.kind, s.registrar FROM records r \
             JOIN subjects s ON s.code = r.subject_code WHERE r.department = ",
        );
        sql.bind(department.to_owned());
        sql.push(
            " AND (r.subject_name <> s.name OR r.subject_kind <> s.kind) ORDER BY r.id LIMIT ",
        )
        .bind(i64::from(limit));
        let mut out = Vec::new();
        for row in self.fetch_all(sql).await? {
            out.push(NameMismatch {
                record_id: row.text("id")?,
                category: row.text("category")?,
                document_no: row.text("document_no")?,
                submitted_name: row.text("subject_name")?,
                submitted_kind: parse_kind(&row.text("subject_kind")?)?,
                registered_name: row.text("name")?,
                registered_kind: parse_kind(&row.text("kind")?)?,
                registrar: row.opt_text("registrar")?,
            });
        }
        Ok(out)
    }
}
