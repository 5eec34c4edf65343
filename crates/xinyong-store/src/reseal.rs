//! Re-sealing (issue #5, key rotation): walks every table that holds sealed values in key
//! order, a batch per transaction, and re-seals what is not sealed under the active key,
//! including values stored in clear before encryption at rest existed. Stamped out for both
//! backends as `impl_reseal!`, like `search.rs`.

/// Every sealed column, as `(table, column)`: what [`crate::Store::count_sealed_with`] counts.
pub(crate) const SEALED_COLUMNS: [(&str, &str); 9] = [
    ("subjects", "code_sealed"),
    ("records", "subject_sealed"),
    ("records", "fields_sealed"),
    ("record_history", "subject_sealed"),
    ("record_history", "fields_sealed"),
    ("checks", "subject_sealed"),
    ("checks", "result_sealed"),
    ("tokens", "subject_sealed"),
    ("special_applications", "subject_sealed"),
];

macro_rules! impl_reseal {
    ($store:ident, $db:ty, $row:ty) => {
        impl $store {
            pub(crate) async fn count_sealed_with_impl(&self, key_id: u32) -> Result<u64, $crate::StoreError> {
                let pattern = $crate::vault::Vault::sealed_with_pattern(key_id);
                let mut total = 0u64;
                for (table, column) in $crate::reseal::SEALED_COLUMNS {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT COUNT(*) FROM {table} WHERE {column} LIKE "));
                    qb.push_bind(pattern.clone());
                    let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
                    total += u64::try_from(n).unwrap_or(0);
                }
                Ok(total)
            }

            /// Opens a value that may be sealed, or returns it as stored in clear.
            fn open_or_clear(&self, sealed: Option<&str>, clear: &str, context: &str) -> Result<String, $crate::StoreError> {
                match sealed {
                    Some(s) => Ok(self.vault.open(s, context)?),
                    None => Ok(clear.to_owned()),
                }
            }

            /// The plain code of a row: sealed, or (before encryption at rest) in clear.
            fn plain_code(&self, lookup: &str, sealed: Option<&str>) -> Result<String, $crate::StoreError> {
                Ok(self.vault.open_code(lookup.to_owned(), sealed)?)
            }

            pub(crate) async fn reseal_impl(
                &self,
                restricted: &[String],
                batch: u32,
            ) -> Result<u64, $crate::StoreError> {
                use sqlx::Row;
                let vault = &self.vault;
                let stale = |sealed: &Option<String>| sealed.as_deref().is_some_and(|s| !vault.is_current(s));
                let limit = i64::from(batch.max(1));
                let mut done = 0u64;

                // Records and their history: identity numbers, restricted fields, content keys.
                for table in ["records", "record_history"] {
                    let mut after = (String::new(), 0i64);
                    loop {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                            "SELECT id, version, subject_code, subject_sealed, subject_kind, category, \
                             fields, fields_sealed, content_hash FROM {table} WHERE id > "
                        ));
                        qb.push_bind(after.0.clone()).push(" OR (id = ").push_bind(after.0.clone());
                        qb.push(" AND version > ").push_bind(after.1);
                        qb.push(") ORDER BY id, version LIMIT ").push_bind(limit);
                        let rows = qb.build().fetch_all(&self.pool).await?;
                        let Some(last) = rows.last() else { break };
                        after = (last.try_get(0)?, last.try_get(1)?);
                        let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                        for row in &rows {
                            let id: String = row.try_get(0)?;
                            let version: i64 = row.try_get(1)?;
                            let code: String = row.try_get(2)?;
                            let subject_sealed: Option<String> = row.try_get(3)?;
                            let kind: String = row.try_get(4)?;
                            let category: String = row.try_get(5)?;
                            let fields: sqlx::types::Json<serde_json::Value> = row.try_get(6)?;
                            let fields_sealed: Option<String> = row.try_get(7)?;
                            let hash: String = row.try_get(8)?;
                            let legacy_subject = subject_sealed.is_none() && kind == "natural_person";
                            let legacy_fields = fields_sealed.is_none() && restricted.contains(&category);
                            let legacy_hash = !hash.starts_with("k:");
                            if !(legacy_subject || legacy_fields || legacy_hash || stale(&subject_sealed) || stale(&fields_sealed)) {
                                continue;
                            }
                            let stored = vault.store_code(&self.plain_code(&code, subject_sealed.as_deref())?);
                            let context = $crate::backend::fields_context(&id);
                            let (fields, fields_sealed) = if fields_sealed.is_some() || legacy_fields {
                                let plain = self.open_or_clear(fields_sealed.as_deref(), &fields.0.to_string(), &context)?;
                                ("{}".to_owned(), Some(vault.seal(&plain, &context)))
                            } else {
                                (fields.0.to_string(), None)
                            };
                            let hash = if legacy_hash { vault.content_key(&hash) } else { hash };
                            let mut qb = sqlx::QueryBuilder::<$db>::new(format!("UPDATE {table} SET subject_code = "));
                            qb.push_bind(stored.lookup).push(", subject_sealed = ").push_bind(stored.sealed);
                            qb.push(", fields = ").push_bind(fields).push($store::JSON_CAST);
                            qb.push(", fields_sealed = ").push_bind(fields_sealed);
                            qb.push(", content_hash = ").push_bind(hash);
                            qb.push(" WHERE id = ").push_bind(id).push(" AND version = ").push_bind(version);
                            qb.build().execute(&mut *tx).await?;
                            done += 1;
                        }
                        tx.commit().await?;
                    }
                }

                // Checks: the subject and, for persons, the result.
                let mut after = String::new();
                loop {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT id, subject_code, subject_sealed, result, result_sealed FROM checks WHERE id > ",
                    );
                    qb.push_bind(after.clone()).push(" ORDER BY id LIMIT ").push_bind(limit);
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    let Some(last) = rows.last() else { break };
                    after = last.try_get(0)?;
                    let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                    for row in &rows {
                        let id: String = row.try_get(0)?;
                        let code: String = row.try_get(1)?;
                        let sealed: Option<String> = row.try_get(2)?;
                        let result: sqlx::types::Json<serde_json::Value> = row.try_get(3)?;
                        let result_sealed: Option<String> = row.try_get(4)?;
                        let plain = self.plain_code(&code, sealed.as_deref())?;
                        let stored = vault.store_code(&plain);
                        let legacy = sealed.is_none() && stored.sealed.is_some();
                        if !(legacy || stale(&sealed) || stale(&result_sealed)) {
                            continue;
                        }
                        let context = format!("check:{id}");
                        let result_sealed = match (&stored.sealed, result_sealed) {
                            (None, _) => None,
                            (Some(_), rs) => {
                                let plain = self.open_or_clear(rs.as_deref(), &result.0.to_string(), &context)?;
                                Some(vault.seal(&plain, &context))
                            }
                        };
                        let result = if result_sealed.is_some() { "{}".to_owned() } else { result.0.to_string() };
                        let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE checks SET subject_code = ");
                        qb.push_bind(stored.lookup).push(", subject_sealed = ").push_bind(stored.sealed);
                        qb.push(", result = ").push_bind(result).push($store::JSON_CAST);
                        qb.push(", result_sealed = ").push_bind(result_sealed);
                        qb.push(" WHERE id = ").push_bind(id);
                        qb.build().execute(&mut *tx).await?;
                        done += 1;
                    }
                    tx.commit().await?;
                }

                // Subjects, tokens and special applications: the subject code only.
                for (table, column, sealed_column) in [
                    ("subjects", "code", "code_sealed"),
                    ("tokens", "subject", "subject_sealed"),
                    ("special_applications", "subject_code", "subject_sealed"),
                ] {
                    let mut after = String::new();
                    loop {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                            "SELECT id, {column}, {sealed_column} FROM {table} WHERE {column} IS NOT NULL AND id > "
                        ));
                        qb.push_bind(after.clone()).push(" ORDER BY id LIMIT ").push_bind(limit);
                        let rows = qb.build().fetch_all(&self.pool).await?;
                        let Some(last) = rows.last() else { break };
                        after = last.try_get(0)?;
                        let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                        for row in &rows {
                            let id: String = row.try_get(0)?;
                            let code: String = row.try_get(1)?;
                            let sealed: Option<String> = row.try_get(2)?;
                            let stored = vault.store_code(&self.plain_code(&code, sealed.as_deref())?);
                            let legacy = sealed.is_none() && stored.sealed.is_some();
                            if !(legacy || stale(&sealed)) {
                                continue;
                            }
                            let mut qb = sqlx::QueryBuilder::<$db>::new(format!("UPDATE {table} SET {column} = "));
                            qb.push_bind(stored.lookup).push(format!(", {sealed_column} = ")).push_bind(stored.sealed);
                            qb.push(" WHERE id = ").push_bind(id);
                            qb.build().execute(&mut *tx).await?;
                            done += 1;
                        }
                        tx.commit().await?;
                    }
                }
                // Every table walked: nothing written before encryption at rest is left in clear.
                sqlx::query("UPDATE vault_state SET clear_values = 0 WHERE id = 1")
                    .execute(&self.pool)
                    .await?;
                Ok(done)
            }

            pub(crate) async fn has_clear_values_impl(&self) -> Result<bool, $crate::StoreError> {
                let flag: Option<i64> = sqlx::query_scalar("SELECT CAST(clear_values AS BIGINT) FROM vault_state WHERE id = 1")
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(flag.unwrap_or(0) != 0)
            }
        }
    };
}

pub(crate) use impl_reseal;
