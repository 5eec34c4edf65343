//! Special applications (issue #5): a department's one-off request to read a subject's
//! restricted information, decided once by an operator. Stamped out for both backends as
//! `impl_access!` and called from the `Store` implementation, like `search.rs`.

macro_rules! impl_access {
    ($store:ident, $db:ty, $row:ty) => {
        impl $store {
            const APPLICATION_SELECT: &'static str = "SELECT id, department, subject_code, purpose, reason, legal_basis, status, \
                 created_at, decided_at, decision_note, valid_until, subject_sealed FROM special_applications";

            async fn fetch_applications(
                &self,
                sql: &str,
                key: Option<&str>,
            ) -> Result<Vec<$crate::SpecialApplication>, $crate::StoreError> {
                use sqlx::Row;
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
                if let Some(key) = key {
                    query = query.bind(key.to_owned());
                }
                let rows = query.fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|row: &$row| {
                        let status: String = row.try_get(6)?;
                        let sealed: Option<String> = row.try_get(11)?;
                        Ok($crate::SpecialApplication {
                            id: row.try_get(0)?,
                            department: row.try_get(1)?,
                            subject_code: self.vault.open_code(row.try_get(2)?, sealed.as_deref())?,
                            purpose: row.try_get(3)?,
                            reason: row.try_get(4)?,
                            legal_basis: row.try_get(5)?,
                            status: xinyong_domain::access::ApplicationStatus::parse(&status)
                                .ok_or_else(|| $crate::backend::corrupt("application status", &status))?,
                            created_at: row.try_get(7)?,
                            decided_at: row.try_get(8)?,
                            decision_note: row.try_get(9)?,
                            valid_until: row.try_get(10)?,
                        })
                    })
                    .collect()
            }

            async fn put_special_application_impl(
                &self,
                a: &$crate::SpecialApplication,
            ) -> Result<(), $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO special_applications (id, department, subject_code, purpose, reason, \
                     legal_basis, status, created_at, decided_at, decision_note, valid_until, subject_sealed) ",
                );
                let subject = self.vault.store_code(&a.subject_code);
                qb.push_values([a], |mut b, a| {
                    b.push_bind(a.id.clone())
                        .push_bind(a.department.clone())
                        .push_bind(subject.lookup.clone())
                        .push_bind(a.purpose.clone())
                        .push_bind(a.reason.clone())
                        .push_bind(a.legal_basis.clone())
                        .push_bind(a.status.as_str())
                        .push_bind(a.created_at)
                        .push_bind(a.decided_at)
                        .push_bind(a.decision_note.clone())
                        .push_bind(a.valid_until)
                        .push_bind(subject.sealed.clone());
                });
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                qb.build().execute(&mut *tx).await?;
                let digest = $crate::ledger::json_digest(&serde_json::json!([
                    a.id, a.department, self.vault.pseudonym(&a.subject_code), a.purpose, a.reason, a.legal_basis,
                ]));
                let entry = $crate::ledger::LedgerEvent::new("application.filed", Some(&a.subject_code), &a.department, digest, Some(format!("application:{}", a.id)));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn special_application_impl(
                &self,
                id: &str,
            ) -> Result<Option<$crate::SpecialApplication>, $crate::StoreError> {
                let sql = format!("{} WHERE id = {}", Self::APPLICATION_SELECT, Self::P1);
                Ok(self.fetch_applications(&sql, Some(id)).await?.into_iter().next())
            }

            async fn pending_special_applications_impl(
                &self,
            ) -> Result<Vec<$crate::SpecialApplication>, $crate::StoreError> {
                let sql = format!(
                    "{} WHERE status = 'pending' ORDER BY created_at, id",
                    Self::APPLICATION_SELECT
                );
                self.fetch_applications(&sql, None).await
            }

            async fn decide_special_application_impl(
                &self,
                id: &str,
                d: &$crate::ApplicationDecision,
            ) -> Result<bool, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new("UPDATE special_applications SET status = ");
                qb.push_bind(d.status.as_str())
                    .push(", decided_at = ")
                    .push_bind(d.decided_at)
                    .push(", decided_by = ")
                    .push_bind(d.decided_by.clone())
                    .push(", decision_note = ")
                    .push_bind(d.note.clone())
                    .push(", valid_until = ")
                    .push_bind(d.valid_until)
                    .push(" WHERE id = ")
                    .push_bind(id.to_owned())
                    .push(" AND status = 'pending'");
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(false);
                }
                let (lookup, sealed): (String, Option<String>) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT subject_code, subject_sealed FROM special_applications WHERE id = {}",
                    Self::P1
                )))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let subject = self.vault.open_code(lookup, sealed.as_deref())?;
                let digest = $crate::ledger::json_digest(&serde_json::json!([
                    id, d.status.as_str(), d.decided_by, d.note,
                    d.decided_at.timestamp_millis(), d.valid_until.map(|v| v.timestamp_millis()),
                ]));
                let entry = $crate::ledger::LedgerEvent::new("application.decided", Some(&subject), &d.decided_by, digest, Some(format!("decision:{id}")));
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

pub(crate) use impl_access;
