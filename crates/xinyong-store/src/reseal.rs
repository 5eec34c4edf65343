//! Encryption at rest as a capability (issue #5, key rotation): pseudonyms for the audit log,
//! re-sealing (walks every table that holds sealed values in key order, a batch per
//! transaction, and re-seals what is not sealed under the active key, including values stored
//! in clear before encryption at rest existed), compaction and key usage counts. The keys
//! themselves are `vault.rs`.

use async_trait::async_trait;

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::record_rows::{fields_context, listing_context, names_a_person, seal_listing};
use crate::vault::Vault;

/// Sealed values and the keys they are sealed under.
#[async_trait]
pub trait VaultStore: Send + Sync {
    /// How the audit log names a subject: organisations by code, persons by a keyed hash.
    fn pseudonym(&self, code: &str) -> String;
    /// Re-seals every stored value that is not sealed under the active key: values sealed
    /// under an older key (after a rotation), and values stored in clear before encryption at
    /// rest (identity numbers, and the fields of `restricted_categories`). Walks each table in
    /// key order, `batch` rows per short transaction, so the service keeps running; returns
    /// how many rows it rewrote.
    async fn reseal(&self, restricted_categories: &[String], batch: u32)
    -> Result<u64, StoreError>;
    /// Whether the database held data before encryption at rest existed and has not been
    /// re-sealed completely since (see [`VaultStore::reseal`]).
    async fn has_clear_values(&self) -> Result<bool, StoreError>;
    /// Rewrites the database files so that freed space keeps no copy of values since
    /// re-sealed (SQLite `VACUUM`; PostgreSQL `VACUUM FULL` of the tables holding them). Takes
    /// exclusive locks: for the one-time upgrade, not for rotations.
    async fn compact(&self) -> Result<(), StoreError>;
    /// How many stored values are sealed under key `key_id` (a key may be retired at 0).
    async fn count_sealed_with(&self, key_id: u32) -> Result<u64, StoreError>;
}

/// Every sealed column, as `(table, column)`: what [`VaultStore::count_sealed_with`] counts.
const SEALED_COLUMNS: [(&str, &str); 24] = [
    ("subjects", "code_sealed"),
    ("records", "subject_sealed"),
    ("records", "fields_sealed"),
    ("records", "listing_sealed"),
    ("record_history", "subject_sealed"),
    ("record_history", "fields_sealed"),
    ("record_history", "listing_sealed"),
    ("checks", "subject_sealed"),
    ("checks", "result_sealed"),
    ("tokens", "subject_sealed"),
    ("special_applications", "subject_sealed"),
    ("objections", "subject_sealed"),
    ("objections", "reason_sealed"),
    ("repairs", "subject_sealed"),
    ("repairs", "details_sealed"),
    ("subject_grants", "subject_sealed"),
    ("reports", "subject_sealed"),
    ("reports", "content_sealed"),
    ("reports", "contact_sealed"),
    ("webhooks", "subject_sealed"),
    ("attachments", "subject_sealed"),
    ("attachments", "name_sealed"),
    ("attachments", "content_sealed"),
    ("persons_in_role", "subject_sealed"),
];

/// Rights cases with sealed free text or files: `(table, column, context kind, context
/// part, most rows per transaction)`.
const CASE_TABLES: [(&str, &str, &str, &str, Option<i64>); 6] = [
    ("objections", "reason_sealed", "objection", "reason", None),
    ("repairs", "details_sealed", "repair", "details", None),
    ("reports", "content_sealed", "report", "content", None),
    ("reports", "contact_sealed", "report", "contact", None),
    ("attachments", "name_sealed", "attachment", "name", None),
    // A row of files is up to 5 MiB: a few rows per transaction.
    (
        "attachments",
        "content_sealed",
        "attachment",
        "content",
        Some(8),
    ),
];

/// Tables whose only sealed value is a subject code: `(table, code column, sealed column)`.
const CODE_TABLES: [(&str, &str, &str); 6] = [
    ("subjects", "code", "code_sealed"),
    ("tokens", "subject", "subject_sealed"),
    ("special_applications", "subject_code", "subject_sealed"),
    ("subject_grants", "subject_code", "subject_sealed"),
    ("webhooks", "subject_code", "subject_sealed"),
    ("persons_in_role", "subject_code", "subject_sealed"),
];

/// Opens a value that may be sealed, or returns it as stored in clear.
fn open_or_clear(
    vault: &Vault,
    sealed: Option<&str>,
    clear: &str,
    context: &str,
) -> Result<String, StoreError> {
    match sealed {
        Some(s) => Ok(vault.open(s, context)?),
        None => Ok(clear.to_owned()),
    }
}

/// Whether a sealed value is sealed under an older key.
fn stale(vault: &Vault, sealed: &Option<String>) -> bool {
    sealed.as_deref().is_some_and(|s| !vault.is_current(s))
}

impl<E: Engine> SqlStore<E> {
    /// Records and their history: identity numbers, restricted fields, content keys.
    async fn reseal_records(&self, restricted: &[String], limit: i64) -> Result<u64, StoreError> {
        let vault = &self.vault;
        let mut done = 0;
        for table in ["records", "record_history"] {
            let mut after = (String::new(), 0i64);
            loop {
                let mut sql = Sql::new::<E>(
                    "SELECT id, version, subject_code, subject_sealed, subject_kind, category, \
                     fields, fields_sealed, listing, listing_sealed, content_hash FROM ",
                );
                sql.push(table).push(" WHERE id > ").bind(&after.0);
                sql.push(" OR (id = ").bind(&after.0);
                sql.push(" AND version > ").bind(after.1);
                sql.push(") ORDER BY id, version LIMIT ").bind(limit);
                let rows = self.fetch_all(sql).await?;
                let Some(last) = rows.last() else { break };
                after = (last.text("id")?, last.int("version")?);
                let mut tx = self.begin_write().await?;
                for row in &rows {
                    let id = row.text("id")?;
                    let code = row.text("subject_code")?;
                    let subject_sealed = row.opt_text("subject_sealed")?;
                    let fields_sealed = row.opt_text("fields_sealed")?;
                    let hash = row.text("content_hash")?;
                    let legacy_subject =
                        subject_sealed.is_none() && row.text("subject_kind")? == "natural_person";
                    let clear = row.json("fields")?.to_string();
                    let legacy_fields = fields_sealed.is_none()
                        && (restricted.contains(&row.text("category")?) || names_a_person(&clear));
                    let listing_sealed = row.opt_text("listing_sealed")?;
                    let listing: Option<xinyong_domain::Listing> = match &listing_sealed {
                        Some(sealed) => Some(
                            serde_json::from_str(&vault.open(sealed, &listing_context(&id))?)
                                .map_err(|_| crate::engine::corrupt("sealed listing of", &id))?,
                        ),
                        None => row.opt_json_as("listing")?,
                    };
                    let legacy_listing = listing_sealed.is_none()
                        && listing
                            .as_ref()
                            .is_some_and(|l| !l.related_persons.is_empty());
                    let legacy_hash = !hash.starts_with("k:");
                    if !(legacy_subject
                        || legacy_fields
                        || legacy_listing
                        || legacy_hash
                        || stale(vault, &subject_sealed)
                        || stale(vault, &fields_sealed)
                        || stale(vault, &listing_sealed))
                    {
                        continue;
                    }
                    let (listing, listing_sealed) = seal_listing(vault, &id, listing.as_ref());
                    let stored =
                        vault.store_code(&vault.open_code(code, subject_sealed.as_deref())?);
                    let context = fields_context(&id);
                    let (fields, fields_sealed) = if fields_sealed.is_some() || legacy_fields {
                        let plain =
                            open_or_clear(vault, fields_sealed.as_deref(), &clear, &context)?;
                        ("{}".to_owned(), Some(vault.seal(&plain, &context)))
                    } else {
                        (clear, None)
                    };
                    let hash = if legacy_hash {
                        vault.content_key(&hash)
                    } else {
                        hash
                    };
                    let mut sql = Sql::new::<E>("UPDATE ");
                    sql.push(table)
                        .push(" SET subject_code = ")
                        .bind(stored.lookup);
                    sql.push(", subject_sealed = ").bind(stored.sealed);
                    sql.push(", fields = ").bind_json(fields);
                    sql.push(", fields_sealed = ").bind(fields_sealed);
                    sql.push(", listing = ").bind_json(listing);
                    sql.push(", listing_sealed = ").bind(listing_sealed);
                    sql.push(", content_hash = ").bind(hash);
                    sql.push(" WHERE id = ").bind(id);
                    sql.push(" AND version = ").bind(row.int("version")?);
                    E::execute(&mut tx, sql).await?;
                    done += 1;
                }
                tx.commit().await?;
            }
        }
        Ok(done)
    }

    /// Checks: the subject and, for persons, the result.
    async fn reseal_checks(&self, limit: i64) -> Result<u64, StoreError> {
        let vault = &self.vault;
        let mut done = 0;
        let mut after = String::new();
        loop {
            let mut sql = Sql::new::<E>(
                "SELECT id, subject_code, subject_sealed, result, result_sealed FROM checks \
                 WHERE id > ",
            );
            sql.bind(&after).push(" ORDER BY id LIMIT ").bind(limit);
            let rows = self.fetch_all(sql).await?;
            let Some(last) = rows.last() else { break };
            after = last.text("id")?;
            let mut tx = self.begin_write().await?;
            for row in &rows {
                let id = row.text("id")?;
                let sealed = row.opt_text("subject_sealed")?;
                let result_sealed = row.opt_text("result_sealed")?;
                let plain = vault.open_code(row.text("subject_code")?, sealed.as_deref())?;
                let stored = vault.store_code(&plain);
                let legacy = sealed.is_none() && stored.sealed.is_some();
                if !(legacy || stale(vault, &sealed) || stale(vault, &result_sealed)) {
                    continue;
                }
                let context = format!("check:{id}");
                let clear = row.json("result")?.to_string();
                let result_sealed = match &stored.sealed {
                    None => None,
                    Some(_) => {
                        let plain =
                            open_or_clear(vault, result_sealed.as_deref(), &clear, &context)?;
                        Some(vault.seal(&plain, &context))
                    }
                };
                let result = if result_sealed.is_some() {
                    "{}".to_owned()
                } else {
                    clear
                };
                let mut sql = Sql::new::<E>("UPDATE checks SET subject_code = ");
                sql.bind(stored.lookup);
                sql.push(", subject_sealed = ").bind(stored.sealed);
                sql.push(", result = ").bind_json(result);
                sql.push(", result_sealed = ").bind(result_sealed);
                sql.push(" WHERE id = ").bind(id);
                E::execute(&mut tx, sql).await?;
                done += 1;
            }
            tx.commit().await?;
        }
        Ok(done)
    }

    /// Rights cases (objections, repairs, reports, attachments): the subject and the free text
    /// or file, always sealed, of
    /// `column` under the context `{kind}:{id}:{part}`.
    async fn reseal_cases(
        &self,
        (table, column, kind, part): (&str, &str, &str, &str),
        limit: i64,
    ) -> Result<u64, StoreError> {
        let vault = &self.vault;
        let mut done = 0;
        let mut after = String::new();
        loop {
            let mut sql = Sql::new::<E>("SELECT id, subject_code, subject_sealed, ");
            sql.push(column).push(" AS text_sealed FROM ").push(table);
            sql.push(" WHERE id > ").bind(&after);
            sql.push(" ORDER BY id LIMIT ").bind(limit);
            let rows = self.fetch_all(sql).await?;
            let Some(last) = rows.last() else { break };
            after = last.text("id")?;
            let mut tx = self.begin_write().await?;
            for row in &rows {
                let id = row.text("id")?;
                let sealed = row.opt_text("subject_sealed")?;
                // A column that may be empty (an anonymous report's contact) keeps its NULL.
                let reason = row.opt_text("text_sealed")?;
                if !(stale(vault, &sealed) || stale(vault, &reason)) {
                    continue;
                }
                let plain = vault.open_code(row.text("subject_code")?, sealed.as_deref())?;
                let stored = vault.store_code(&plain);
                let context = format!("{kind}:{id}:{part}");
                let resealed = match reason.as_deref() {
                    None => None,
                    // Bytes, not text: an attachment's content is any file.
                    Some(sealed) => {
                        Some(vault.seal_bytes(&vault.open_bytes(sealed, &context)?, &context))
                    }
                };
                let mut sql = Sql::new::<E>("UPDATE ");
                sql.push(table).push(" SET subject_code = ");
                sql.bind(stored.lookup);
                sql.push(", subject_sealed = ").bind(stored.sealed);
                sql.push(", ").push(column).push(" = ");
                sql.bind(resealed);
                sql.push(" WHERE id = ").bind(id);
                E::execute(&mut tx, sql).await?;
                done += 1;
            }
            tx.commit().await?;
        }
        Ok(done)
    }

    /// Subjects, tokens and special applications: the subject code only.
    async fn reseal_codes(&self, limit: i64) -> Result<u64, StoreError> {
        let vault = &self.vault;
        let mut done = 0;
        for (table, column, sealed_column) in CODE_TABLES {
            let mut after = String::new();
            loop {
                let mut sql = Sql::new::<E>("SELECT id, ");
                sql.push(column).push(" AS code, ").push(sealed_column);
                sql.push(" AS sealed FROM ").push(table).push(" WHERE ");
                sql.push(column).push(" IS NOT NULL AND id > ").bind(&after);
                sql.push(" ORDER BY id LIMIT ").bind(limit);
                let rows = self.fetch_all(sql).await?;
                let Some(last) = rows.last() else { break };
                after = last.text("id")?;
                let mut tx = self.begin_write().await?;
                for row in &rows {
                    let sealed = row.opt_text("sealed")?;
                    let plain = vault.open_code(row.text("code")?, sealed.as_deref())?;
                    let stored = vault.store_code(&plain);
                    let legacy = sealed.is_none() && stored.sealed.is_some();
                    if !(legacy || stale(vault, &sealed)) {
                        continue;
                    }
                    let mut sql = Sql::new::<E>("UPDATE ");
                    sql.push(table).push(" SET ").push(column).push(" = ");
                    sql.bind(stored.lookup);
                    sql.push(", ")
                        .push(sealed_column)
                        .push(" = ")
                        .bind(stored.sealed);
                    sql.push(" WHERE id = ").bind(row.text("id")?);
                    E::execute(&mut tx, sql).await?;
                    done += 1;
                }
                tx.commit().await?;
            }
        }
        Ok(done)
    }
}

impl<E: Engine> SqlStore<E> {
    /// Refuses keys the database was not sealed with, before anything is written (issue #11,
    /// item 4). The database records the fingerprint of its key set at its first open; a
    /// database from before fingerprints is checked by opening a sealed identity number, then
    /// gets the fingerprint. Keys held in memory only (tests) are neither checked nor recorded.
    pub(crate) async fn check_keys(&self) -> Result<(), StoreError> {
        if self.vault.is_ephemeral() {
            return Ok(());
        }
        let ours = self.vault.fingerprint();
        let wrong = |expected: String| StoreError::WrongKeys {
            expected,
            found: ours.clone(),
            origin: self.vault.origin(),
        };
        let row = self
            .fetch_optional(Sql::new::<E>(
                "SELECT key_fingerprint FROM vault_state WHERE id = 1",
            ))
            .await?;
        match row
            .map(|r| r.opt_text("key_fingerprint"))
            .transpose()?
            .flatten()
        {
            Some(recorded) if recorded == ours => return Ok(()),
            Some(recorded) => return Err(wrong(recorded)),
            None => {}
        }
        let probe = self
            .fetch_optional(Sql::new::<E>(
                "SELECT code, code_sealed FROM subjects WHERE code_sealed IS NOT NULL \
                 ORDER BY id LIMIT 1",
            ))
            .await?;
        if let Some(row) = probe {
            let stored = row.text("code")?;
            let sealed = row.opt_text("code_sealed")?;
            let opens = self
                .vault
                .open_code(stored.clone(), sealed.as_deref())
                .is_ok_and(|code| self.vault.lookup_code(&code) == stored);
            if !opens {
                return Err(wrong(
                    "(not recorded: the database predates fingerprints, and its sealed values do not open with these keys)"
                        .into(),
                ));
            }
        }
        let mut sql = Sql::new::<E>("UPDATE vault_state SET key_fingerprint = ");
        sql.bind(ours).push(" WHERE id = 1");
        self.execute(sql).await?;
        Ok(())
    }
}

#[async_trait]
impl<E: Engine> VaultStore for SqlStore<E> {
    fn pseudonym(&self, code: &str) -> String {
        self.vault.pseudonym(code)
    }

    async fn reseal(&self, restricted: &[String], batch: u32) -> Result<u64, StoreError> {
        let limit = i64::from(batch.max(1));
        let mut done = self.reseal_records(restricted, limit).await?;
        done += self.reseal_checks(limit).await?;
        for (table, column, kind, part, most) in CASE_TABLES {
            let limit = most.map_or(limit, |most| limit.min(most));
            done += self
                .reseal_cases((table, column, kind, part), limit)
                .await?;
        }
        done += self.reseal_codes(limit).await?;
        // Every table walked: nothing written before encryption at rest is left in clear.
        self.execute(Sql::new::<E>(
            "UPDATE vault_state SET clear_values = 0 WHERE id = 1",
        ))
        .await?;
        Ok(done)
    }

    async fn has_clear_values(&self) -> Result<bool, StoreError> {
        let sql = Sql::new::<E>(
            "SELECT CAST(clear_values AS BIGINT) AS clear_values FROM vault_state WHERE id = 1",
        );
        let flag = match self.fetch_optional(sql).await? {
            Some(row) => row.int("clear_values")?,
            None => 0,
        };
        Ok(flag != 0)
    }

    async fn compact(&self) -> Result<(), StoreError> {
        for statement in E::COMPACT {
            self.execute(Sql::new::<E>(statement)).await?;
        }
        Ok(())
    }

    async fn count_sealed_with(&self, key_id: u32) -> Result<u64, StoreError> {
        let pattern = Vault::sealed_with_pattern(key_id);
        let mut total = 0u64;
        for (table, column) in SEALED_COLUMNS {
            let mut sql = Sql::new::<E>("SELECT COUNT(*) AS n FROM ");
            sql.push(table).push(" WHERE ").push(column).push(" LIKE ");
            sql.bind(pattern.clone());
            total += u64::try_from(self.fetch_one(sql).await?.int("n")?).unwrap_or(0);
        }
        Ok(total)
    }
}
