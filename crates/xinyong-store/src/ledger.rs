//! The audit log's storage: entries, tree nodes and signed heads in the same database as the
//! data they vouch for, appended in the same transaction as each change (see
//! `impl_ledger!`), and [`verify`], which recomputes everything from the stored rows.
//!
//! Invariant: `ledger_state.size` equals the number of `ledger_entries` rows, which are
//! numbered `0..size` without gaps; `ledger_nodes` holds exactly the perfect subtrees at the
//! stored levels ([`is_stored_level`]) that those leaves complete. Only the append path writes these tables.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use xinyong_domain::code::SubjectCode;
use xinyong_ledger::{Entry, FirstBad, Hash, LogVerifier};

use crate::{Store, StoreError};

/// An event to append that no record write covers: a non-public read, a token change, a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEvent {
    /// What happened: `read.shared`, `token.created`, `check`...
    pub kind: String,
    /// The subject code the event concerns; natural persons are pseudonymised by the store.
    pub subject: Option<String>,
    /// Who did it: a department code, a token id, `cli`.
    pub actor: String,
    /// SHA-256 of the canonical content of what was written or read.
    pub payload_hash: Hash,
    /// What stored row the event vouches for (`token:ID`, `check:ID`), if any.
    pub ref_id: Option<String>,
}

/// A stored entry with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub index: u64,
    pub entry: Entry,
    /// The stored level-0 node: must equal `entry.leaf_hash()`.
    pub leaf_hash: Hash,
    pub ref_id: Option<String>,
}

impl LedgerEvent {
    /// An event about `subject` (a raw code: the store pseudonymises natural persons).
    pub fn new(
        kind: &str,
        subject: Option<&str>,
        actor: &str,
        payload_hash: Hash,
        ref_id: Option<String>,
    ) -> LedgerEvent {
        LedgerEvent {
            kind: kind.to_owned(),
            subject: subject.map(str::to_owned),
            actor: actor.to_owned(),
            payload_hash,
            ref_id,
        }
    }
}

/// How a subject is named in the log: an organisation by its code (public anyway), a natural
/// person by `p:` and a keyed hash of the identity number, so that the public log never shows
/// the number and nobody without the key can test guesses against it.
pub fn subject_label(key: &[u8], code: &str) -> String {
    match SubjectCode::parse(code) {
        Ok(SubjectCode::Unified(_)) => code.to_owned(),
        // Citizens, and anything unparsable (never stored, but never printed either).
        _ => {
            // HMAC accepts keys of any length; the error case cannot happen.
            let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
                Ok(m) => m,
                Err(_) => return "p:".to_owned(),
            };
            mac.update(code.as_bytes());
            format!("p:{}", hex::encode(mac.finalize().into_bytes()))
        }
    }
}

/// Every how many levels of the tree a node is stored (tiles of 16 leaves, as in tiled
/// transparency logs): levels 4, 8, 12... Storing every level cost one node row per entry;
/// this stores one per 15, and any other node is computed from at most 8 stored ones below it.
pub const NODE_STRIDE: u8 = 4;

/// Whether nodes of `level` are stored in `ledger_nodes` (level 0 lives in the entries).
pub fn is_stored_level(level: u8) -> bool {
    level > 0 && level.is_multiple_of(NODE_STRIDE)
}

/// The stored nodes (or leaves) that node `id` is computed from, left to right.
pub(crate) fn stored_base(
    (level, index): xinyong_ledger::NodeId,
) -> impl Iterator<Item = xinyong_ledger::NodeId> {
    let base = level - level % NODE_STRIDE;
    let span = 1u64 << (level - base);
    (0..span).map(move |j| (base, index * span + j))
}

/// Hashes a power-of-two run of sibling subtrees up into their parent (RFC 6962 interior nodes).
pub(crate) fn fold(mut hashes: Vec<Hash>) -> Hash {
    while hashes.len() > 1 {
        hashes = hashes
            .chunks(2)
            .map(|p| xinyong_ledger::node_hash(&p[0], p.get(1).unwrap_or(&p[0])))
            .collect();
    }
    hashes.first().copied().unwrap_or([0; 32])
}

/// Milliseconds since the epoch, as the log records time.
pub(crate) fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// SHA-256 of a canonical JSON value (`serde_json` sorts object keys).
pub fn json_digest(value: &serde_json::Value) -> Hash {
    Sha256::digest(value.to_string().as_bytes()).into()
}

/// The digest the log keeps for a token row: everything but nothing secret (the stored hash of
/// the secret is included: editing it would let another secret in).
pub fn token_digest(t: &crate::Token, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        t.id,
        t.hash,
        t.role.as_str(),
        t.department,
        t.subject.as_deref().map(pseudonym),
        t.label,
        t.created_at.timestamp_millis(),
        t.expires_at.map(|e| e.timestamp_millis()),
        t.revoked_at.map(|e| e.timestamp_millis()),
    ]))
}

/// The digest the log keeps for a credit check.
pub fn check_digest(c: &crate::CheckRow, pseudonym: impl Fn(&str) -> String) -> Hash {
    json_digest(&serde_json::json!([
        c.id,
        c.department,
        pseudonym(&c.subject_code),
        c.context,
        c.result,
        c.created_at.timestamp_millis(),
    ]))
}

pub(crate) fn hash_from_hex(what: &str, s: &str) -> Result<Hash, StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out)
        .map_err(|_| StoreError::Corrupt(format!("{what}: {s:?} is not a SHA-256 hash")))?;
    Ok(out)
}

/// What `xinyong ledger verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub size: u64,
    pub root: Hash,
    pub heads_checked: u64,
    pub record_versions_checked: u64,
    pub tokens_checked: u64,
    pub checks_checked: u64,
}

/// Why verification failed: always names the first bad entry or row.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("ledger entry {index}: {reason}")]
    Entry { index: u64, reason: String },
    #[error("signed tree head of size {size}: {reason}")]
    Head { size: u64, reason: String },
    #[error("ledger node (level {level}, index {index}): {reason}")]
    Node {
        level: u8,
        index: u64,
        reason: String,
    },
    #[error("{table} row {id}: {reason}")]
    Row {
        table: &'static str,
        id: String,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn first_bad(bad: FirstBad) -> VerifyError {
    match bad {
        FirstBad::RootMismatch { size, .. } => VerifyError::Head {
            size,
            reason: format!(
                "the entries before it do not hash to its root: an entry below index {size} \
                 was edited, deleted, inserted or reordered ({bad})"
            ),
        },
        FirstBad::Truncated { expected, found } => VerifyError::Head {
            size: expected,
            reason: format!("the log has only {found} entries: entries were deleted"),
        },
        other => VerifyError::Entry {
            index: other.first_bad_index(),
            reason: other.to_string(),
        },
    }
}

/// Rows fetched per query while verifying.
const PAGE: u32 = 20_000;

/// Recomputes the whole log from the stored entries and checks it against the stored nodes
/// and every signed tree head (signatures under `key`), then checks that every stored record
/// version, token, credit check and operator account is vouched for by the latest log entry
/// that names it.
/// `progress` is called with the number of entries read so far.
pub async fn verify(
    store: &dyn Store,
    key: Option<&xinyong_ledger::VerifyingKey>,
    mut progress: impl FnMut(u64),
) -> Result<VerifyReport, VerifyError> {
    let size = store.ledger_size().await?;
    let heads = store.tree_heads().await?;
    for h in &heads {
        if let Some(key) = key {
            h.verify(key).map_err(|e| VerifyError::Head {
                size: h.size,
                reason: e.to_string(),
            })?;
        }
    }
    let mut verifier = LogVerifier::new(heads.iter().map(|h| (h.size, h.root)));
    let mut stored_nodes: HashMap<(u8, u64), Hash> = store
        .ledger_nodes_all()
        .await?
        .into_iter()
        .map(|n| ((n.level, n.index), n.hash))
        .collect();
    // The latest payload per ref, to check the stored rows against.
    let mut latest: HashMap<String, (u64, Hash)> = HashMap::new();
    let mut index = 0u64;
    while index < size {
        let rows = store.ledger_rows(index, PAGE).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            verifier
                .push(row.index, &row.entry, Some(&row.leaf_hash))
                .map_err(first_bad)?;
            for n in verifier
                .completed()
                .iter()
                .filter(|n| is_stored_level(n.level))
            {
                match stored_nodes.remove(&(n.level, n.index)) {
                    Some(stored) if stored == n.hash => {}
                    Some(_) => {
                        return Err(VerifyError::Node {
                            level: n.level,
                            index: n.index,
                            reason: format!(
                                "stored hash differs from the one recomputed from entries \
                                 {}..{}: the node or one of those entries was edited",
                                n.index << n.level,
                                (n.index + 1) << n.level
                            ),
                        });
                    }
                    None => {
                        return Err(VerifyError::Node {
                            level: n.level,
                            index: n.index,
                            reason: "missing".into(),
                        });
                    }
                }
            }
            if let Some(r) = &row.ref_id {
                latest.insert(r.clone(), (row.index, row.entry.payload_hash));
            }
        }
        index = rows.last().map_or(size, |r| r.index + 1);
        progress(index);
    }
    if let Some(&(level, index)) = stored_nodes.keys().min() {
        return Err(VerifyError::Node {
            level,
            index,
            reason: "stored but no entry completes it".into(),
        });
    }
    let recomputed = verifier.finish().map_err(first_bad)?;
    if recomputed.size() != size {
        return Err(VerifyError::Entry {
            index: recomputed.size(),
            reason: format!("missing: the log's head says {size} entries"),
        });
    }
    let vouched = |table: &'static str, id: String, digest: Hash| match latest.get(&id) {
        Some((_, h)) if *h == digest => Ok(()),
        Some((i, _)) => Err(VerifyError::Row {
            table,
            id,
            reason: format!("differs from what ledger entry {i} recorded: it was edited"),
        }),
        None => Err(VerifyError::Row {
            table,
            id,
            reason: "no ledger entry records it: it was written outside the platform".into(),
        }),
    };
    let mut record_versions_checked = 0;
    for history in [false, true] {
        let mut after: Option<(String, u32)> = None;
        loop {
            let page = store
                .record_versions_after(history, after.as_ref(), PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.id.clone(), last.version));
            for r in &page {
                vouched(
                    if history { "record_history" } else { "records" },
                    format!("{}@{}", r.id, r.version),
                    r.version_digest(&store.pseudonym(&r.subject_code)),
                )?;
                record_versions_checked += 1;
            }
        }
    }
    let tokens = store.tokens().await?;
    for t in &tokens {
        vouched(
            "token",
            format!("token:{}", t.id),
            token_digest(t, |c| store.pseudonym(c)),
        )?;
    }
    let checks = store.check_summaries().await?;
    for (c, _) in &checks {
        vouched(
            "check",
            format!("check:{}", c.id),
            check_digest(c, |s| store.pseudonym(s)),
        )?;
    }
    for o in &store.operators().await? {
        let digest = crate::operators::operator_digest(o);
        vouched("operator", format!("operator:{}", o.id), digest)?;
    }
    Ok(VerifyReport {
        size,
        root: recomputed.root(),
        heads_checked: heads.len() as u64,
        record_versions_checked,
        tokens_checked: tokens.len() as u64,
        checks_checked: checks.len() as u64,
    })
}

/// Appends `events` to the log inside `$tx`, after every other write of that transaction:
/// reserves the indices by bumping `ledger_state.size` (which also takes the write lock, so
/// concurrent transactions append one after the other), rebuilds the frontier from the
/// stored nodes, and inserts the entries and the nodes they complete.
macro_rules! impl_ledger {
    ($store:ident, $db:ty, $row:ty) => {
        impl $store {
            /// Moves the key that pseudonymised natural persons in the log out of the database
            /// (where it lived before key files) into the key file, then clears it.
            pub(crate) async fn adopt_ledger_subject_key(&self) -> Result<(), $crate::StoreError> {
                let (key, size): (Option<String>, i64) =
                    sqlx::query_as("SELECT subject_key, size FROM ledger_state WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                let Some(key) = key else { return Ok(()) };
                if size > 0 && key != hex::encode(self.vault.lookup_key()) {
                    self.vault.adopt_lookup_hex(&key)?;
                }
                sqlx::query("UPDATE ledger_state SET subject_key = NULL WHERE id = 1")
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            pub(crate) async fn ledger_append(
                tx: &mut sqlx::Transaction<'static, $db>,
                vault: &$crate::vault::Vault,
                events: &[$crate::ledger::LedgerEvent],
            ) -> Result<u64, $crate::StoreError> {
                use sqlx::{QueryBuilder, Row};
                if events.is_empty() {
                    return Ok(0);
                }
                let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
                // Reserving the indices takes the write lock first: appends queue here.
                let mut qb = QueryBuilder::<$db>::new("UPDATE ledger_state SET size = size + ");
                qb.push_bind(n).push(" WHERE id = 1 RETURNING size, frontier");
                let row = qb.build().fetch_one(&mut **tx).await?;
                let end: i64 = row.try_get(0)?;
                let cached: String = row.try_get(1)?;
                let key = vault.lookup_key();
                let start = u64::try_from(end - n)
                    .map_err(|_| $crate::StoreError::Corrupt("ledger size".into()))?;
                let hashes = cached
                    .as_bytes()
                    .chunks(64)
                    .map(|h| $crate::ledger::hash_from_hex("ledger frontier", std::str::from_utf8(h).unwrap_or("")))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut frontier = xinyong_ledger::Frontier::from_parts(start, hashes)
                    .map_err(|e| $crate::StoreError::Corrupt(format!("ledger: {e}")))?;
                let at_ms = $crate::ledger::now_ms();
                let entries: Vec<xinyong_ledger::Entry> = events
                    .iter()
                    .map(|e| xinyong_ledger::Entry {
                        kind: e.kind.clone(),
                        subject: e.subject.as_deref().map(|s| $crate::ledger::subject_label(&key, s)),
                        actor: e.actor.clone(),
                        at_ms,
                        payload_hash: e.payload_hash,
                    })
                    .collect();
                let mut nodes = Vec::with_capacity(entries.len() * 2);
                let mut leaves = Vec::with_capacity(entries.len());
                for entry in &entries {
                    let leaf = entry.leaf_hash();
                    frontier
                        .append_into(leaf, &mut nodes)
                        .map_err(|e| $crate::StoreError::Corrupt(format!("ledger: {e}")))?;
                    leaves.push(leaf);
                }
                // 8 binds per entry: stay below SQLite's 32,766 parameters per statement.
                let rows: Vec<(u64, (&xinyong_ledger::Entry, &$crate::ledger::LedgerEvent), &xinyong_ledger::Hash)> =
                    (start..).zip(entries.iter().zip(events)).zip(&leaves).map(|((i, p), l)| (i, p, l)).collect();
                for chunk in rows.chunks(2000) {
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO ledger_entries (leaf_index, kind, subject, actor, at_ms, payload_hash, leaf_hash, ref_id) ",
                    );
                    qb.push_values(chunk, |mut b, (i, (entry, event), leaf)| {
                        b.push_bind(i64::try_from(*i).unwrap_or(i64::MAX))
                            .push_bind(entry.kind.clone())
                            .push_bind(entry.subject.clone())
                            .push_bind(entry.actor.clone())
                            .push_bind(i64::try_from(entry.at_ms).unwrap_or(i64::MAX))
                            .push_bind(hex::encode(entry.payload_hash))
                            .push_bind(hex::encode(leaf))
                            .push_bind(event.ref_id.clone());
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                let upper: Vec<&xinyong_ledger::Node> =
                    nodes.iter().filter(|n| $crate::ledger::is_stored_level(n.level)).collect();
                for chunk in upper.chunks(5000) {
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO ledger_nodes (level, idx, hash) ");
                    qb.push_values(chunk, |mut b, n| {
                        b.push_bind(i64::from(n.level))
                            .push_bind(i64::try_from(n.index).unwrap_or(i64::MAX))
                            .push_bind(hex::encode(n.hash));
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                let cached: String = frontier.hashes().iter().map(hex::encode).collect();
                let mut qb = QueryBuilder::<$db>::new("UPDATE ledger_state SET frontier = ");
                qb.push_bind(cached).push(" WHERE id = 1");
                qb.build().execute(&mut **tx).await?;
                Ok(start)
            }

            pub(crate) fn decode_tree_head(row: &$row) -> Result<xinyong_ledger::SignedTreeHead, $crate::StoreError> {
                use sqlx::Row;
                let corrupt = |what: &str| $crate::StoreError::Corrupt(format!("tree head {what}"));
                let size: i64 = row.try_get(0)?;
                let ts: i64 = row.try_get(1)?;
                let root: String = row.try_get(2)?;
                let sig: String = row.try_get(3)?;
                let mut signature = [0u8; 64];
                hex::decode_to_slice(&sig, &mut signature).map_err(|_| corrupt("signature"))?;
                Ok(xinyong_ledger::SignedTreeHead {
                    size: u64::try_from(size).map_err(|_| corrupt("size"))?,
                    root: $crate::ledger::hash_from_hex("tree head root", &root)?,
                    timestamp_ms: u64::try_from(ts).map_err(|_| corrupt("time"))?,
                    signature,
                })
            }

            pub(crate) fn decode_ledger_row(row: &$row) -> Result<$crate::ledger::LedgerRow, $crate::StoreError> {
                use sqlx::Row;
                let index: i64 = row.try_get(0)?;
                let at_ms: i64 = row.try_get(4)?;
                let payload: String = row.try_get(5)?;
                let leaf: String = row.try_get(6)?;
                Ok($crate::ledger::LedgerRow {
                    index: u64::try_from(index).map_err(|_| $crate::StoreError::Corrupt("ledger index".into()))?,
                    entry: xinyong_ledger::Entry {
                        kind: row.try_get(1)?,
                        subject: row.try_get(2)?,
                        actor: row.try_get(3)?,
                        at_ms: u64::try_from(at_ms).map_err(|_| $crate::StoreError::Corrupt("ledger time".into()))?,
                        payload_hash: $crate::ledger::hash_from_hex("ledger payload", &payload)?,
                    },
                    leaf_hash: $crate::ledger::hash_from_hex("ledger leaf", &leaf)?,
                    ref_id: row.try_get(7)?,
                })
            }
        }
    };
}

pub(crate) use impl_ledger;
