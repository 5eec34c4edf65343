//! Operator accounts (issue #5): people who run the platform sign in with a name and a
//! password and get a short-lived operator token (a *session*, stored by `tokens.rs`). The
//! store keeps the Argon2id hash only (hashing and verification are the caller's:
//! `xinyong-web/src/auth.rs`). Every change (account created, disabled, sessions revoked) is
//! appended to the audit log in its own transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;
use crate::audit_log::append;
use crate::engine::{DbRow, Engine, Sql, SqlStore};
use crate::events::{Event, LedgerEvent};
pub use crate::model::OperatorAccount;
use crate::tokens::{TOKEN_COLUMNS, decode_token};

/// Operator accounts.
#[async_trait]
pub trait OperatorStore: Send + Sync {
    /// Registers an operator account; `false` if the name is taken (nothing changes then).
    async fn put_operator(&self, account: &OperatorAccount) -> Result<bool, StoreError>;
    /// An operator account by its sign-in name, enabled or not.
    async fn operator(&self, name: &str) -> Result<Option<OperatorAccount>, StoreError>;
    /// Every operator account, oldest first (hashes included: callers must not print them).
    async fn operators(&self) -> Result<Vec<OperatorAccount>, StoreError>;
    /// Disables an account and revokes every open session it opened, in one transaction.
    /// The number of sessions revoked, or `None` if there is no such enabled account.
    async fn disable_operator(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
}

/// The select that [`decode_operator`] reads.
const OPERATOR_SELECT: &str =
    "SELECT id, name, password_hash, created_at, disabled_at, last_session_at FROM operators";

fn decode_operator(row: &impl DbRow) -> Result<OperatorAccount, StoreError> {
    Ok(OperatorAccount {
        id: row.text("id")?,
        name: row.text("name")?,
        password_hash: row.text("password_hash")?,
        created_at: row.time("created_at")?,
        disabled_at: row.opt_time("disabled_at")?,
        last_session_at: row.opt_time("last_session_at")?,
    })
}

/// The account named `name`.
fn by_name<E: Engine>(name: &str) -> Sql {
    let mut sql = Sql::new::<E>(OPERATOR_SELECT);
    sql.push(" WHERE name = ").bind(name.to_owned());
    sql
}

#[async_trait]
impl<E: Engine> OperatorStore for SqlStore<E> {
    async fn put_operator(&self, o: &OperatorAccount) -> Result<bool, StoreError> {
        let mut sql = Sql::new::<E>(
            "INSERT INTO operators \
             (id, name, password_hash, created_at, disabled_at, last_session_at) ",
        );
        sql.values([o], |t, o| {
            t.bind(&o.id)
                .bind(&o.name)
                .bind(&o.password_hash)
                .bind(o.created_at)
                .bind(o.disabled_at)
                .bind(o.last_session_at);
        });
        sql.push(" ON CONFLICT (name) DO NOTHING");
        let mut tx = self.begin_write().await?;
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(false);
        }
        let entry = LedgerEvent::new(Event::OperatorCreated(o), "cli");
        append::<E>(&mut tx, &self.vault, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn operator(&self, name: &str) -> Result<Option<OperatorAccount>, StoreError> {
        let row = self.fetch_optional(by_name::<E>(name)).await?;
        row.as_ref().map(decode_operator).transpose()
    }

    async fn operators(&self) -> Result<Vec<OperatorAccount>, StoreError> {
        let mut sql = Sql::new::<E>(OPERATOR_SELECT);
        sql.push(" ORDER BY created_at, id");
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(decode_operator).collect()
    }

    async fn disable_operator(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.begin_write().await?;
        // The update comes first: it takes the row's lock, so that a session being opened at
        // the same time either commits before (and is revoked below) or finds the account
        // disabled.
        let mut sql = Sql::new::<E>("UPDATE operators SET disabled_at = ");
        sql.bind(at)
            .push(" WHERE name = ")
            .bind(name.to_owned())
            .push(" AND disabled_at IS NULL");
        if E::execute(&mut tx, sql).await? != 1 {
            return Ok(None);
        }
        let account = decode_operator(&E::fetch_one(&mut tx, by_name::<E>(name)).await?)?;
        let mut entries = vec![LedgerEvent::new(Event::OperatorDisabled(&account), "cli")];
        // Its open sessions end with it, each logged like any token revocation.
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(TOKEN_COLUMNS).push(
            " FROM tokens t JOIN operator_sessions s ON s.token_id = t.id \
             WHERE s.operator_id = ",
        );
        sql.bind(&account.id)
            .push(" AND t.revoked_at IS NULL ORDER BY t.id");
        let open = E::fetch_all(&mut tx, sql).await?;
        let pseudonym = |c: &str| self.vault.pseudonym(c);
        for row in &open {
            let mut token = decode_token(row, &self.vault)?;
            token.revoked_at = Some(at);
            let mut sql = Sql::new::<E>("UPDATE tokens SET revoked_at = ");
            sql.bind(at).push(" WHERE id = ").bind(&token.id);
            sql.push(" AND revoked_at IS NULL");
            E::execute(&mut tx, sql).await?;
            entries.push(LedgerEvent::new(
                Event::TokenRevoked(&token, &pseudonym),
                "cli",
            ));
        }
        append::<E>(&mut tx, &self.vault, &entries).await?;
        tx.commit().await?;
        Ok(Some(open.len() as u64))
    }
}
