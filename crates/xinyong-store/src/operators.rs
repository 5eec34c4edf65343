//! Operator accounts (issue #5): people who run the platform sign in with a name and a
//! password and get a short-lived operator token (a *session*). The store keeps the Argon2id
//! hash only (hashing and verification are the caller's: `xinyong-web/src/auth.rs`). Every
//! change (account created, disabled, session opened, sessions revoked) is appended to the
//! audit log in its own transaction. Stamped out for both backends as `impl_operators!` and
//! called from the `Store` implementation, like `access.rs`.

use chrono::{DateTime, Utc};
use xinyong_ledger::Hash;

/// An operator account. Its password is stored only as a PHC string (`$argon2id$v=19$...`).
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorAccount {
    pub id: String,
    /// The sign-in name (unique).
    pub name: String,
    /// The Argon2id hash of the password, as a PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// When the account was disabled; it opens no sessions from then on.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When the account last opened a session.
    pub last_session_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for OperatorAccount {
    // The hash stays out of every log and panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorAccount")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// The digest the audit log keeps for an operator account: everything but when it last signed
/// in (the stored hash is included: replacing it would let another password in).
pub fn operator_digest(o: &OperatorAccount) -> Hash {
    crate::ledger::json_digest(&serde_json::json!([
        o.id,
        o.name,
        o.password_hash,
        o.created_at.timestamp_millis(),
        o.disabled_at.map(|d| d.timestamp_millis()),
    ]))
}

macro_rules! impl_operators {
    ($store:ident, $db:ty, $row:ty) => {
        impl $store {
            const OPERATOR_SELECT: &'static str =
                "SELECT id, name, password_hash, created_at, disabled_at, last_session_at FROM operators";

            fn decode_operator(row: &$row) -> Result<$crate::OperatorAccount, $crate::StoreError> {
                use sqlx::Row;
                Ok($crate::OperatorAccount {
                    id: row.try_get(0)?,
                    name: row.try_get(1)?,
                    password_hash: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                    disabled_at: row.try_get(4)?,
                    last_session_at: row.try_get(5)?,
                })
            }

            async fn put_operator_impl(
                &self,
                o: &$crate::OperatorAccount,
            ) -> Result<bool, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO operators (id, name, password_hash, created_at, disabled_at, last_session_at) ",
                );
                qb.push_values([o], |mut b, o| {
                    b.push_bind(o.id.clone())
                        .push_bind(o.name.clone())
                        .push_bind(o.password_hash.clone())
                        .push_bind(o.created_at)
                        .push_bind(o.disabled_at)
                        .push_bind(o.last_session_at);
                });
                qb.push(" ON CONFLICT (name) DO NOTHING");
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(false);
                }
                let entry = $crate::ledger::LedgerEvent::new(
                    "operator.created",
                    None,
                    "cli",
                    $crate::operators::operator_digest(o),
                    Some(format!("operator:{}", o.id)),
                );
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn operator_impl(
                &self,
                name: &str,
            ) -> Result<Option<$crate::OperatorAccount>, $crate::StoreError> {
                let sql = format!("{} WHERE name = {}", Self::OPERATOR_SELECT, Self::P1);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(name.to_owned())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::decode_operator).transpose()
            }

            async fn operators_impl(
                &self,
            ) -> Result<Vec<$crate::OperatorAccount>, $crate::StoreError> {
                let sql = format!("{} ORDER BY created_at, id", Self::OPERATOR_SELECT);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.iter().map(Self::decode_operator).collect()
            }

            async fn disable_operator_impl(
                &self,
                name: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<u64>, $crate::StoreError> {
                use sqlx::{QueryBuilder, Row};
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                // The update comes first: it takes the row's lock, so that a session being
                // opened at the same time either commits before (and is revoked below) or
                // finds the account disabled.
                let mut qb = QueryBuilder::<$db>::new("UPDATE operators SET disabled_at = ");
                qb.push_bind(at)
                    .push(" WHERE name = ")
                    .push_bind(name.to_owned())
                    .push(" AND disabled_at IS NULL");
                if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(None);
                }
                let sql = format!("{} WHERE name = {}", Self::OPERATOR_SELECT, Self::P1);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(name.to_owned())
                    .fetch_one(&mut *tx)
                    .await?;
                let account = Self::decode_operator(&row)?;
                let mut entries = vec![$crate::ledger::LedgerEvent::new(
                    "operator.disabled",
                    None,
                    "cli",
                    $crate::operators::operator_digest(&account),
                    Some(format!("operator:{}", account.id)),
                )];
                // Its open sessions end with it, each logged like any token revocation.
                // Sessions are operator tokens: they name no subject.
                let sql = format!(
                    "SELECT t.id, t.hash, t.role, t.department, t.label, t.created_at, t.expires_at \
                     FROM tokens t JOIN operator_sessions s ON s.token_id = t.id \
                     WHERE s.operator_id = {} AND t.revoked_at IS NULL ORDER BY t.id",
                    Self::P1
                );
                let open = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(account.id.clone())
                    .fetch_all(&mut *tx)
                    .await?;
                for row in &open {
                    let role: String = row.try_get(2)?;
                    let token = $crate::Token {
                        id: row.try_get(0)?,
                        hash: row.try_get(1)?,
                        role: $crate::Role::parse(&role)
                            .ok_or_else(|| $crate::backend::corrupt("token role", &role))?,
                        department: row.try_get(3)?,
                        label: row.try_get(4)?,
                        created_at: row.try_get(5)?,
                        expires_at: row.try_get(6)?,
                        revoked_at: Some(at),
                        subject: None,
                    };
                    let mut qb = QueryBuilder::<$db>::new("UPDATE tokens SET revoked_at = ");
                    qb.push_bind(at)
                        .push(" WHERE id = ")
                        .push_bind(token.id.clone())
                        .push(" AND revoked_at IS NULL");
                    qb.build().execute(&mut *tx).await?;
                    entries.push($crate::ledger::LedgerEvent::new(
                        "token.revoked",
                        None,
                        "cli",
                        $crate::ledger::token_digest(&token, |c| self.vault.pseudonym(c)),
                        Some(format!("token:{}", token.id)),
                    ));
                }
                Self::ledger_append(&mut tx, &self.vault, &entries).await?;
                tx.commit().await?;
                Ok(Some(open.len() as u64))
            }

            async fn open_operator_session_impl(
                &self,
                operator: &str,
                t: &$crate::Token,
            ) -> Result<bool, $crate::StoreError> {
                use sqlx::QueryBuilder;
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                // First, under the row's lock: the account must still be enabled.
                let mut qb = QueryBuilder::<$db>::new("UPDATE operators SET last_session_at = ");
                qb.push_bind(t.created_at)
                    .push(" WHERE id = ")
                    .push_bind(operator.to_owned())
                    .push(" AND disabled_at IS NULL");
                if qb.build().execute(&mut *tx).await?.rows_affected() != 1 {
                    return Ok(false);
                }
                // As `put_token` stores it.
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO tokens (id, hash, role, department, label, created_at, expires_at, revoked_at, subject, subject_sealed) ",
                );
                let subject = t.subject.as_deref().map(|c| self.vault.store_code(c));
                qb.push_values([t], |mut b, t| {
                    b.push_bind(t.id.clone())
                        .push_bind(t.hash.clone())
                        .push_bind(t.role.as_str())
                        .push_bind(t.department.clone())
                        .push_bind(t.label.clone())
                        .push_bind(t.created_at)
                        .push_bind(t.expires_at)
                        .push_bind(t.revoked_at)
                        .push_bind(subject.as_ref().map(|s| s.lookup.clone()))
                        .push_bind(subject.as_ref().and_then(|s| s.sealed.clone()));
                });
                qb.build().execute(&mut *tx).await?;
                let mut qb = QueryBuilder::<$db>::new(
                    "INSERT INTO operator_sessions (token_id, operator_id) ",
                );
                qb.push_values([t], |mut b, t| {
                    b.push_bind(t.id.clone()).push_bind(operator.to_owned());
                });
                qb.build().execute(&mut *tx).await?;
                let entry = $crate::ledger::LedgerEvent::new(
                    "session.opened",
                    None,
                    operator,
                    $crate::ledger::token_digest(t, |c| self.vault.pseudonym(c)),
                    Some(format!("token:{}", t.id)),
                );
                Self::ledger_append(&mut tx, &self.vault, &[entry]).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

pub(crate) use impl_operators;
