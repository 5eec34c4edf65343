//! Credit checks and the deciding department's feedback. A check reads a subject's
//! non-public standing, so each is in the audit log; a check about a person keeps its result
//! sealed (it names the person).

use async_trait::async_trait;

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::import::CHUNK;
use crate::model::{CheckRow, FeedbackRow};
use crate::vault::Vault;

/// Credit checks and feedback on them.
#[async_trait]
pub trait CheckStore: Send + Sync {
    /// Stores credit checks, in one transaction.
    async fn put_checks(&self, checks: &[CheckRow]) -> Result<(), StoreError>;
    /// A check by id.
    async fn check(&self, id: &str) -> Result<Option<CheckRow>, StoreError>;
    /// The checks made about a subject, newest first (a subject may see who checked it).
    async fn checks_of_subject(&self, code: &str) -> Result<Vec<CheckRow>, StoreError>;
    /// Stores feedback; `false` if the check already has feedback (it is given once).
    async fn put_feedback(&self, feedback: &FeedbackRow) -> Result<bool, StoreError>;
    /// Every check with its feedback, if any, for statistics.
    async fn check_summaries(&self) -> Result<Vec<(CheckRow, Option<FeedbackRow>)>, StoreError>;
}

/// The columns of `checks c` that [`decode_check`] reads.
const CHECK_COLUMNS: &str = "c.id, c.department, c.subject_code, c.context, c.result, \
     c.created_at, c.subject_sealed, c.result_sealed";

/// What a check's sealed result is bound to.
fn result_context(id: &str) -> String {
    format!("check:{id}")
}

/// Decodes a row with [`CHECK_COLUMNS`], opening a sealed subject and result.
fn decode_check(row: &impl DbRow, vault: &Vault) -> Result<CheckRow, StoreError> {
    let id = row.text("id")?;
    let subject_sealed = row.opt_text("subject_sealed")?;
    let result = match row.opt_text("result_sealed")? {
        None => row.json("result")?,
        Some(sealed) => {
            let json = vault.open(&sealed, &result_context(&id))?;
            serde_json::from_str(&json).map_err(|_| corrupt("sealed result of check", &id))?
        }
    };
    Ok(CheckRow {
        department: row.text("department")?,
        subject_code: vault.open_code(row.text("subject_code")?, subject_sealed.as_deref())?,
        context: row.text("context")?,
        result,
        created_at: row.time("created_at")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_checks(&self, rest: impl FnOnce(&mut Sql)) -> Result<Vec<CheckRow>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(CHECK_COLUMNS).push(" FROM checks c");
        rest(&mut sql);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_check(r, &self.vault)).collect()
    }
}

#[async_trait]
impl<E: Engine> CheckStore for SqlStore<E> {
    async fn put_checks(&self, checks: &[CheckRow]) -> Result<(), StoreError> {
        let vault = &self.vault;
        let mut tx = self.begin_write().await?;
        for chunk in checks.chunks(CHUNK) {
            let mut sql = Sql::new::<E>(
                "INSERT INTO checks (id, department, subject_code, context, result, created_at, \
                 subject_sealed, result_sealed) ",
            );
            sql.values(chunk, |t, c| {
                let subject = vault.store_code(&c.subject_code);
                // A check about a person keeps its result sealed: it names the person.
                let (result, result_sealed) = match subject.sealed {
                    Some(_) => (
                        "{}".to_owned(),
                        Some(vault.seal(&c.result.to_string(), &result_context(&c.id))),
                    ),
                    None => (c.result.to_string(), None),
                };
                t.bind(&c.id)
                    .bind(&c.department)
                    .bind(subject.lookup)
                    .bind(&c.context)
                    .bind_json(result)
                    .bind(c.created_at)
                    .bind(subject.sealed)
                    .bind(result_sealed);
            });
            E::execute(&mut tx, sql).await?;
        }
        // A credit check reads a subject's non-public standing: it is logged.
        let pseudonym = |s: &str| vault.pseudonym(s);
        let entries: Vec<LedgerEvent> = checks
            .iter()
            .map(|c| LedgerEvent::new(Event::Check(c, &pseudonym), &c.department))
            .collect();
        append::<E>(&mut tx, vault, &entries).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check(&self, id: &str) -> Result<Option<CheckRow>, StoreError> {
        let found = self
            .fetch_checks(|sql| {
                sql.push(" WHERE c.id = ").bind(id.to_owned());
            })
            .await?;
        Ok(found.into_iter().next())
    }

    async fn checks_of_subject(&self, code: &str) -> Result<Vec<CheckRow>, StoreError> {
        let lookup = self.vault.lookup_code(code);
        self.fetch_checks(|sql| {
            sql.push(" WHERE c.subject_code = ").bind(lookup);
            sql.push(" ORDER BY c.created_at DESC, c.id DESC");
        })
        .await
    }

    async fn put_feedback(&self, f: &FeedbackRow) -> Result<bool, StoreError> {
        let mut sql = Sql::new::<E>(
            "INSERT INTO check_feedback (check_id, department, applied, not_applied, created_at) ",
        );
        sql.values([f], |t, f| {
            t.bind(&f.check_id)
                .bind(&f.department)
                .bind_json(f.applied.to_string())
                .bind_json(f.not_applied.to_string())
                .bind(f.created_at);
        });
        sql.push(" ON CONFLICT (check_id) DO NOTHING");
        let mut tx = self.begin_write().await?;
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(false);
        }
        let entry = LedgerEvent::new(Event::CheckFeedback(f), &f.department);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn check_summaries(&self) -> Result<Vec<(CheckRow, Option<FeedbackRow>)>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(CHECK_COLUMNS).push(
            ", f.department AS feedback_department, f.applied, f.not_applied, \
             f.created_at AS feedback_at \
             FROM checks c LEFT JOIN check_feedback f ON f.check_id = c.id ORDER BY c.id",
        );
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|row| {
                let check = decode_check(row, &self.vault)?;
                let feedback = match row.opt_text("feedback_department")? {
                    None => None,
                    Some(department) => Some(FeedbackRow {
                        check_id: check.id.clone(),
                        department,
                        applied: row.json("applied")?,
                        not_applied: row.json("not_applied")?,
                        created_at: row.time("feedback_at")?,
                    }),
                };
                Ok((check, feedback))
            })
            .collect()
    }
}
