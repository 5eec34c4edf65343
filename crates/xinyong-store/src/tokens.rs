//! API tokens (only the SHA-256 of each secret is stored) and operator sessions, which are
//! operator tokens listed in `operator_sessions` so that disabling the account that opened
//! them revokes them (`operators.rs`). Every token written or revoked is in the audit log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore, corrupt};
use crate::events::{Event, LedgerEvent};
use crate::model::{Role, Token};
use crate::vault::Vault;

/// Tokens and operator sessions.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a new token.
    async fn put_token(&self, token: &Token) -> Result<(), StoreError>;
    /// The token whose secret has this SHA-256.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError>;
    /// Every token, oldest first (hashes included: callers must not print them).
    async fn tokens(&self) -> Result<Vec<Token>, StoreError>;
    /// Marks a token revoked; `false` if there is no such token or it was already revoked.
    async fn revoke_token(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Stores `token` (an operator token) as a session of the account with id `operator`;
    /// `false`, storing nothing, if that account is disabled or gone.
    async fn open_operator_session(
        &self,
        operator: &str,
        token: &Token,
    ) -> Result<bool, StoreError>;
}

/// The columns [`decode_token`] reads (of `tokens`, aliased `t`).
pub(crate) const TOKEN_COLUMNS: &str = "t.id, t.hash, t.role, t.department, t.label, \
     t.created_at, t.expires_at, t.revoked_at, t.subject, t.subject_sealed";

/// Decodes a row with [`TOKEN_COLUMNS`], opening a sealed subject code.
pub(crate) fn decode_token(row: &impl DbRow, vault: &Vault) -> Result<Token, StoreError> {
    let role = row.text("role")?;
    let sealed = row.opt_text("subject_sealed")?;
    let subject = match row.opt_text("subject")? {
        Some(s) => Some(vault.open_code(s, sealed.as_deref())?),
        None => None,
    };
    Ok(Token {
        id: row.text("id")?,
        hash: row.text("hash")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        department: row.opt_text("department")?,
        label: row.text("label")?,
        created_at: row.time("created_at")?,
        expires_at: row.opt_time("expires_at")?,
        revoked_at: row.opt_time("revoked_at")?,
        subject,
    })
}

/// The statement that stores a token row.
fn insert_token<E: Engine>(vault: &Vault, t: &Token) -> Sql {
    let mut sql = Sql::new::<E>(
        "INSERT INTO tokens (id, hash, role, department, label, created_at, expires_at, \
         revoked_at, subject, subject_sealed) ",
    );
    let subject = t.subject.as_deref().map(|c| vault.store_code(c));
    sql.values([t], |row, t| {
        row.bind(&t.id)
            .bind(&t.hash)
            .bind(t.role.as_str())
            .bind(t.department.clone())
            .bind(&t.label)
            .bind(t.created_at)
            .bind(t.expires_at)
            .bind(t.revoked_at)
            .bind(subject.as_ref().map(|s| s.lookup.clone()))
            .bind(subject.as_ref().and_then(|s| s.sealed.clone()));
    });
    sql
}

impl<E: Engine> SqlStore<E> {
    /// Tokens selected with [`TOKEN_COLUMNS`] `FROM tokens t` and what `rest` adds.
    async fn fetch_tokens(&self, rest: impl FnOnce(&mut Sql)) -> Result<Vec<Token>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(TOKEN_COLUMNS).push(" FROM tokens t");
        rest(&mut sql);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(|r| decode_token(r, &self.vault)).collect()
    }

    fn pseudonym_of(&self) -> impl Fn(&str) -> String + Sync + '_ {
        |code| self.vault.pseudonym(code)
    }
}

#[async_trait]
impl<E: Engine> TokenStore for SqlStore<E> {
    async fn put_token(&self, t: &Token) -> Result<(), StoreError> {
        let sql = insert_token::<E>(&self.vault, t);
        let mut tx = self.begin_write().await?;
        E::execute(&mut tx, sql).await?;
        let actor = t.department.as_deref().unwrap_or("operator");
        let entry = LedgerEvent::new(Event::TokenCreated(t, &self.pseudonym_of()), actor);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>, StoreError> {
        let found = self
            .fetch_tokens(|sql| {
                sql.push(" WHERE t.hash = ").bind(hash.to_owned());
            })
            .await?;
        Ok(found.into_iter().next())
    }

    async fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        self.fetch_tokens(|sql| {
            sql.push(" ORDER BY t.created_at, t.id");
        })
        .await
    }

    async fn revoke_token(&self, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let found = self
            .fetch_tokens(|sql| {
                sql.push(" WHERE t.id = ").bind(id.to_owned());
            })
            .await?;
        let Some(mut token) = found.into_iter().next() else {
            return Ok(false);
        };
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::new::<E>("UPDATE tokens SET revoked_at = ");
        sql.bind(at).push(" WHERE id = ").bind(id.to_owned());
        sql.push(" AND revoked_at IS NULL");
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(false);
        }
        token.revoked_at = Some(at);
        let entry = LedgerEvent::new(
            Event::TokenRevoked(&token, &self.pseudonym_of()),
            "operator",
        );
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn open_operator_session(&self, operator: &str, t: &Token) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        // First, under the row's lock: the account must still be enabled.
        let mut sql = Sql::new::<E>("UPDATE operators SET last_session_at = ");
        sql.bind(t.created_at)
            .push(" WHERE id = ")
            .bind(operator.to_owned())
            .push(" AND disabled_at IS NULL");
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(false);
        }
        E::execute(&mut tx, insert_token::<E>(&self.vault, t)).await?;
        let mut sql = Sql::new::<E>("INSERT INTO operator_sessions (token_id, operator_id) ");
        sql.values([t], |row, t| {
            row.bind(&t.id).bind(operator.to_owned());
        });
        E::execute(&mut tx, sql).await?;
        let entry = LedgerEvent::new(Event::SessionOpened(t, &self.pseudonym_of()), operator);
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }
}
