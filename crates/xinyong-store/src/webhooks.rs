//! Subjects' webhooks (issue #12). A subject's notifications are the audit-log entries about
//! it, so a webhook only keeps how far it has been delivered: nothing is queued, nothing can be
//! lost between a write and its notification, and every notification carries the index that
//! proves it. Registering and removing are audit-logged in the same transaction; delivery
//! progress is operational state and is not.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, fits, stored_int};
use crate::events::{Event, LedgerEvent};
use crate::model::{Delivery, Webhook};
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Subjects' webhooks and their delivery state.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Registers `hook` for its subject, replacing the subject's earlier one (whose secret
    /// then stops signing). `hook.delivered_size` is ignored: delivery starts at the log's
    /// size now. Returns the webhook as stored.
    async fn put_webhook(&self, hook: &Webhook) -> Result<Webhook, StoreError>;
    /// The subject's webhook, if it registered one.
    async fn webhook_of_subject(&self, code: &str) -> Result<Option<Webhook>, StoreError>;
    /// Removes the subject's webhook; `None` if it had none.
    async fn remove_webhook(&self, code: &str) -> Result<Option<Webhook>, StoreError>;
    /// Up to `limit` webhooks due at `now` with audit-log entries about their subject that
    /// they have not been delivered yet.
    async fn due_webhooks(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError>;
    /// Records what an attempt came to. A success resets the attempts; a failure counts one.
    /// Progress never goes back, and an attempt on a webhook since replaced changes nothing.
    async fn webhook_attempted(&self, id: &str, outcome: &Delivery) -> Result<(), StoreError>;
    /// The secret that signs deliveries to webhook `id` (HMAC-SHA256 key).
    fn webhook_secret(&self, id: &str) -> [u8; 32];
    /// Webhooks by id after `after`, at most `limit`: for `ledger verify`.
    async fn webhooks_after(&self, after: &str, limit: u32) -> Result<Vec<Webhook>, StoreError>;
}

const COLUMNS: &str = "id, subject_code, subject_sealed, url, created_at, delivered_size, \
                       attempts, next_attempt_at, last_error";

fn decode(row: &impl DbRow, vault: &Vault) -> Result<Webhook, StoreError> {
    let id = row.text("id")?;
    Ok(Webhook {
        subject_code: row_subject(row, vault, SUBJECT, ("subject of webhook", &id))?,
        url: row.text("url")?,
        created_at: row.time("created_at")?,
        delivered_size: fits("webhook progress", row.int("delivered_size")?)?,
        attempts: fits("webhook attempts", row.int("attempts")?)?,
        next_attempt_at: row.time("next_attempt_at")?,
        last_error: row.opt_text("last_error")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    fn select_webhook(&self, code: &str) -> Sql {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS)
            .push(" FROM webhooks WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code));
        sql
    }
}

#[async_trait]
impl<E: Engine> WebhookStore for SqlStore<E> {
    async fn webhooks_after(&self, after: &str, limit: u32) -> Result<Vec<Webhook>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM webhooks WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode(r, &self.vault)).collect()
    }

    async fn put_webhook(&self, hook: &Webhook) -> Result<Webhook, StoreError> {
        let code = hook.subject_code.as_str();
        let mut tx = self.begin_write().await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(code);
        let mut entries = Vec::new();
        let old = E::fetch_optional(&mut tx, self.select_webhook(code)).await?;
        if let Some(old) = old {
            let old = decode(&old, &self.vault)?;
            let mut sql = Sql::new::<E>("DELETE FROM webhooks WHERE id = ");
            sql.bind(old.id.clone());
            E::execute(&mut tx, sql).await?;
            entries.push(LedgerEvent::new(
                Event::WebhookRemoved(&old, &pseudonym),
                &actor,
            ));
        }
        let size = E::fetch_one(
            &mut tx,
            Sql::new::<E>("SELECT size FROM ledger_state WHERE id = 1"),
        )
        .await?
        .int("size")?;
        let stored = Webhook {
            delivered_size: fits("ledger size", size)?,
            attempts: 0,
            next_attempt_at: hook.created_at,
            last_error: None,
            ..hook.clone()
        };
        let subject = self.vault.store_code(code);
        let mut sql = Sql::new::<E>("INSERT INTO webhooks (");
        sql.push(COLUMNS).push(", subject_pseudonym) ");
        sql.values([&stored], |t, w| {
            t.bind(w.id.clone())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(w.url.clone())
                .bind(w.created_at)
                .bind(stored_int(w.delivered_size))
                .bind(w.attempts)
                .bind(w.next_attempt_at)
                .bind(w.last_error.clone())
                .bind(actor.clone());
        });
        E::execute(&mut tx, sql).await?;
        entries.push(LedgerEvent::new(
            Event::WebhookPut(&stored, &pseudonym),
            &actor,
        ));
        append::<E>(&mut tx, &self.vault, &entries).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn webhook_of_subject(&self, code: &str) -> Result<Option<Webhook>, StoreError> {
        self.fetch_optional(self.select_webhook(code))
            .await?
            .map(|r| decode(&r, &self.vault))
            .transpose()
    }

    async fn remove_webhook(&self, code: &str) -> Result<Option<Webhook>, StoreError> {
        let mut tx = self.begin_write().await?;
        let Some(row) = E::fetch_optional(&mut tx, self.select_webhook(code)).await? else {
            return Ok(None);
        };
        let old = decode(&row, &self.vault)?;
        let mut sql = Sql::new::<E>("DELETE FROM webhooks WHERE id = ");
        sql.bind(old.id.clone());
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(code);
        let entry = LedgerEvent::new(Event::WebhookRemoved(&old, &pseudonym), &actor);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(Some(old))
    }

    async fn due_webhooks(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Webhook>, StoreError> {
        use crate::audit_log::LedgerStore;
        // The subject index trails the log; bring it up to date first.
        self.index_ledger_subjects().await?;
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS)
            .push(" FROM webhooks w WHERE next_attempt_at <= ");
        sql.bind(now).push(
            " AND EXISTS (SELECT 1 FROM ledger_subjects s WHERE s.subject = w.subject_pseudonym \
             AND s.leaf_index >= w.delivered_size) ORDER BY next_attempt_at, id LIMIT ",
        );
        sql.bind(limit);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode(r, &self.vault)).collect()
    }

    async fn webhook_attempted(&self, id: &str, outcome: &Delivery) -> Result<(), StoreError> {
        let mut sql = Sql::new::<E>("UPDATE webhooks SET ");
        match outcome {
            Delivery::Delivered { size } => {
                sql.push("attempts = 0, last_error = NULL, delivered_size = CASE WHEN ")
                    .bind(stored_int(*size))
                    .push(" > delivered_size THEN ")
                    .bind(stored_int(*size))
                    .push(" ELSE delivered_size END");
            }
            Delivery::Failed { error, retry_at } => {
                sql.push("attempts = attempts + 1, last_error = ")
                    .bind(error.clone())
                    .push(", next_attempt_at = ")
                    .bind(*retry_at);
            }
        }
        sql.push(" WHERE id = ").bind(id.to_owned());
        self.execute(sql).await?;
        Ok(())
    }

    fn webhook_secret(&self, id: &str) -> [u8; 32] {
        self.vault.webhook_secret(id)
    }
}
