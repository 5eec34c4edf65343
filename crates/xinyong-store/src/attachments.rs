//! Evidence attachments (issue #12): the files a subject submits with its objections and
//! repair applications. The content and the name are sealed; the SHA-256 of the content is
//! kept beside them and in the `attachment.stored` entry written in the same transaction, so
//! `ledger verify` can check that what is stored is what was submitted.

use async_trait::async_trait;
use xinyong_domain::attachment::{Attachment, MediaType, content_digest};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt, fits};
use crate::events::{Event, LedgerEvent};
use crate::record_rows::{SUBJECT, row_subject};
use crate::vault::Vault;

/// Evidence files.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores `attachment` with its `content` (whose size and digest it describes), unless
    /// its subject already holds `quota` attachments: `Ok(false)`, nothing written.
    async fn store_attachment(
        &self,
        attachment: &Attachment,
        content: &[u8],
        quota: u64,
    ) -> Result<bool, StoreError>;
    /// An attachment's description, by id.
    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError>;
    /// An attachment's content, by id, checked against its recorded digest.
    async fn attachment_content(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every attachment a subject stored, newest first.
    async fn attachments_of_subject(&self, code: &str) -> Result<Vec<Attachment>, StoreError>;
    /// Attachments by id after `after`, at most `limit`: for `ledger verify`.
    async fn attachments_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Attachment>, StoreError>;
}

const COLUMNS: &str =
    "id, subject_code, subject_sealed, media_type, name_sealed, size, sha256, stored_at";

/// The context the content of attachment `id` is sealed under (`attachment:ID:content`).
pub(crate) fn content_context(id: &str) -> String {
    format!("attachment:{id}:content")
}

fn name_context(id: &str) -> String {
    format!("attachment:{id}:name")
}

fn decode(row: &impl DbRow, vault: &Vault) -> Result<Attachment, StoreError> {
    let id = row.text("id")?;
    let media_type = row.text("media_type")?;
    Ok(Attachment {
        subject_code: row_subject(row, vault, SUBJECT, ("subject of attachment", &id))?,
        media_type: MediaType::parse(&media_type)
            .ok_or_else(|| corrupt("attachment type", &media_type))?,
        name: match row.opt_text("name_sealed")? {
            Some(sealed) => Some(vault.open(&sealed, &name_context(&id))?),
            None => None,
        },
        size: fits("attachment size", row.int("size")?)?,
        sha256: row.text("sha256")?,
        stored_at: row.time("stored_at")?,
        id,
    })
}

impl<E: Engine> SqlStore<E> {
    async fn fetch_attachments(&self, sql: Sql) -> Result<Vec<Attachment>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode(r, &self.vault)).collect()
    }
}

#[async_trait]
impl<E: Engine> AttachmentStore for SqlStore<E> {
    async fn store_attachment(
        &self,
        a: &Attachment,
        content: &[u8],
        quota: u64,
    ) -> Result<bool, StoreError> {
        let subject = self.vault.store_code(a.subject_code.as_str());
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("SELECT COUNT(*) AS n FROM attachments WHERE subject_code = ");
        sql.bind(subject.lookup.clone());
        let held: u64 = fits(
            "attachment count",
            E::fetch_one(&mut tx, sql).await?.int("n")?,
        )?;
        if held >= quota {
            return Ok(false);
        }
        let mut sql = Sql::new::<E>("INSERT INTO attachments (");
        sql.push(COLUMNS).push(", content_sealed) ");
        sql.values([a], |t, a| {
            t.bind(a.id.clone())
                .bind(subject.lookup.clone())
                .bind(subject.sealed.clone())
                .bind(a.media_type.as_str())
                .bind(
                    a.name
                        .as_deref()
                        .map(|n| self.vault.seal(n, &name_context(&a.id))),
                )
                .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
                .bind(a.sha256.clone())
                .bind(a.stored_at)
                .bind(self.vault.seal_bytes(content, &content_context(&a.id)));
        });
        E::execute(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        let actor = self.vault.pseudonym(a.subject_code.as_str());
        let entry = LedgerEvent::new(Event::AttachmentStored(a, &pseudonym), &actor);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn attachment(&self, id: &str) -> Result<Option<Attachment>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM attachments WHERE id = ");
        sql.bind(id.to_owned());
        Ok(self.fetch_attachments(sql).await?.into_iter().next())
    }

    async fn attachment_content(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT sha256, content_sealed FROM attachments WHERE id = ");
        sql.bind(id.to_owned());
        let Some(row) = self.fetch_optional(sql).await? else {
            return Ok(None);
        };
        let content = self
            .vault
            .open_bytes(&row.text("content_sealed")?, &content_context(id))?;
        if content_digest(&content) != row.text("sha256")? {
            return Err(corrupt("content of attachment", id));
        }
        Ok(Some(content))
    }

    async fn attachments_of_subject(&self, code: &str) -> Result<Vec<Attachment>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS)
            .push(" FROM attachments WHERE subject_code = ");
        sql.bind(self.vault.lookup_code(code))
            .push(" ORDER BY stored_at DESC, id DESC");
        self.fetch_attachments(sql).await
    }

    async fn attachments_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<Attachment>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(COLUMNS).push(" FROM attachments WHERE id > ");
        sql.bind(after.to_owned())
            .push(" ORDER BY id LIMIT ")
            .bind(i64::from(limit));
        self.fetch_attachments(sql).await
    }
}
