//! The audit log's storage: entries, tree nodes and signed heads in the same database as the
//! data they vouch for, appended ([`append`]) in the same transaction as each change.
//!
//! Invariant: `ledger_state.size` equals the number of `ledger_entries` rows, which are
//! numbered `0..size` without gaps; `ledger_nodes` holds exactly the perfect subtrees at the
//! stored levels ([`is_stored_level`]) that those leaves complete. Only [`append`] writes these
//! tables.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use xinyong_ledger::{Entry, Frontier, Hash, Node, NodeId, SignedTreeHead};

use crate::StoreError;
use crate::engine::{DbRow, Engine, Sql, SqlStore, fits, stored_int};
use crate::events::{LedgerEvent, subject_label};
use crate::vault::Vault;

/// The audit log: appending events that no write covers, and reading entries, nodes and heads.
/// Every write of the other capabilities appends its own entries in its own transaction.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Appends events (non-public reads, and writes that no other method covers) in one
    /// transaction; returns the index of the first.
    async fn append_events(&self, events: &[LedgerEvent]) -> Result<u64, StoreError>;
    /// Number of entries in the log.
    async fn ledger_size(&self) -> Result<u64, StoreError>;
    /// Entries `start..start + limit` (fewer at the end), in index order.
    async fn ledger_rows(&self, start: u64, limit: u32) -> Result<Vec<LedgerRow>, StoreError>;
    /// Brings the log's subject index up to the log's size (one sorted batch; appends do not
    /// maintain it, see migration 0008); returns how many entries it covered.
    async fn index_ledger_subjects(&self) -> Result<u64, StoreError>;
    /// The entries that concern a subject (by code), newest first: a subject's own view.
    async fn ledger_rows_of_subject(
        &self,
        code: &str,
        limit: u32,
    ) -> Result<Vec<LedgerRow>, StoreError>;
    /// The entries that concern a subject from index `from` on, oldest first, at most `limit`:
    /// where the subject's notifications are read from.
    async fn ledger_rows_of_subject_from(
        &self,
        code: &str,
        from: u64,
        limit: u32,
    ) -> Result<Vec<LedgerRow>, StoreError>;
    /// The stored tree nodes at these addresses (level 0: leaf hashes); missing ones are absent.
    async fn ledger_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError>;
    /// Every stored node above level 0 (for verification).
    async fn ledger_nodes_all(&self) -> Result<Vec<Node>, StoreError>;
    /// Stores a signed tree head (idempotent per size).
    async fn put_tree_head(&self, head: &SignedTreeHead) -> Result<(), StoreError>;
    /// Every stored signed tree head, smallest first.
    async fn tree_heads(&self) -> Result<Vec<SignedTreeHead>, StoreError>;
    /// The largest stored signed tree head, if any.
    async fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, StoreError>;
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

impl LedgerRow {
    /// Decodes a row selected with [`ENTRY_COLUMNS`].
    fn decode(row: &impl DbRow) -> Result<LedgerRow, StoreError> {
        Ok(LedgerRow {
            index: fits("ledger index", row.int("leaf_index")?)?,
            entry: Entry {
                kind: row.text("kind")?,
                subject: row.opt_text("subject")?,
                actor: row.text("actor")?,
                at_ms: fits("ledger time", row.int("at_ms")?)?,
                payload_hash: hash_from_hex("ledger payload", &row.text("payload_hash")?)?,
            },
            leaf_hash: hash_from_hex("ledger leaf", &row.text("leaf_hash")?)?,
            ref_id: row.opt_text("ref_id")?,
        })
    }
}

/// The columns of `ledger_entries` that [`LedgerRow::decode`] reads.
const ENTRY_COLUMNS: &str =
    "e.leaf_index, e.kind, e.subject, e.actor, e.at_ms, e.payload_hash, e.leaf_hash, e.ref_id";

/// A row of `ledger_heads`.
fn decode_tree_head(row: &impl DbRow) -> Result<SignedTreeHead, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("tree head {what}"));
    let mut signature = [0u8; 64];
    hex::decode_to_slice(row.text("signature")?, &mut signature)
        .map_err(|_| corrupt("signature"))?;
    Ok(SignedTreeHead {
        size: u64::try_from(row.int("tree_size")?).map_err(|_| corrupt("size"))?,
        root: hash_from_hex("tree head root", &row.text("root_hash")?)?,
        timestamp_ms: u64::try_from(row.int("timestamp_ms")?).map_err(|_| corrupt("time"))?,
        signature,
    })
}

/// A row of `level, idx, hash` (a stored node, or a leaf as level 0).
fn decode_node(row: &impl DbRow) -> Result<Node, StoreError> {
    Ok(Node {
        level: fits("ledger node level", row.int("level")?)?,
        index: fits("ledger node index", row.int("idx")?)?,
        hash: hash_from_hex("ledger node", &row.text("hash")?)?,
    })
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
fn stored_base((level, index): NodeId) -> impl Iterator<Item = NodeId> {
    let base = level - level % NODE_STRIDE;
    let span = 1u64 << (level - base);
    (0..span).map(move |j| (base, index * span + j))
}

/// Hashes a power-of-two run of sibling subtrees up into their parent (RFC 6962 interior nodes).
fn fold(mut hashes: Vec<Hash>) -> Hash {
    while hashes.len() > 1 {
        hashes = hashes
            .chunks(2)
            .map(|p| xinyong_ledger::node_hash(&p[0], p.get(1).unwrap_or(&p[0])))
            .collect();
    }
    hashes.first().copied().unwrap_or([0; 32])
}

/// Milliseconds since the epoch, as the log records time.
fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

pub(crate) fn hash_from_hex(what: &str, s: &str) -> Result<Hash, StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out)
        .map_err(|_| StoreError::Corrupt(format!("{what}: {s:?} is not a SHA-256 hash")))?;
    Ok(out)
}

/// Entries per `INSERT`: 8 values each, below SQLite's 32,766 parameters per statement.
const ENTRY_CHUNK: usize = 2000;
/// Nodes per `INSERT` (3 values each).
const NODE_CHUNK: usize = 5000;

/// Appends `events` to the log inside the transaction on `conn`, after every other write of
/// that transaction: reserves the indices by bumping `ledger_state.size` (which also takes the
/// write lock, so concurrent transactions append one after the other), rebuilds the frontier
/// from its cached form, and inserts the entries and the nodes they complete. Returns the
/// index of the first.
pub(crate) async fn append<E: Engine>(
    conn: &mut E::Connection,
    vault: &Vault,
    events: &[LedgerEvent],
) -> Result<u64, StoreError> {
    if events.is_empty() {
        return Ok(0);
    }
    let n = stored_int(events.len() as u64);
    // Reserving the indices takes the write lock first: appends queue here.
    let mut sql = Sql::new::<E>("UPDATE ledger_state SET size = size + ");
    sql.bind(n).push(" WHERE id = 1 RETURNING size, frontier");
    let row = E::fetch_one(conn, sql).await?;
    let end = row.int("size")?;
    let cached = row.text("frontier")?;
    let start: u64 = fits("ledger size", end - n)?;
    let hashes = cached
        .as_bytes()
        .chunks(64)
        .map(|h| hash_from_hex("ledger frontier", std::str::from_utf8(h).unwrap_or("")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut frontier = Frontier::from_parts(start, hashes)
        .map_err(|e| StoreError::Corrupt(format!("ledger: {e}")))?;
    let key = vault.lookup_key();
    let at_ms = now_ms();
    let entries: Vec<Entry> = events
        .iter()
        .map(|e| Entry {
            kind: e.kind().as_str().to_owned(),
            subject: e.subject().map(|s| subject_label(&key, s)),
            actor: e.actor().to_owned(),
            at_ms,
            payload_hash: *e.payload_hash(),
        })
        .collect();
    let mut nodes = Vec::with_capacity(entries.len() * 2);
    let mut leaves = Vec::with_capacity(entries.len());
    for entry in &entries {
        let leaf = entry.leaf_hash();
        frontier
            .append_into(leaf, &mut nodes)
            .map_err(|e| StoreError::Corrupt(format!("ledger: {e}")))?;
        leaves.push(leaf);
    }
    let rows: Vec<(u64, &Entry, &LedgerEvent, &Hash)> = (start..)
        .zip(&entries)
        .zip(events)
        .zip(&leaves)
        .map(|(((i, entry), event), leaf)| (i, entry, event, leaf))
        .collect();
    for chunk in rows.chunks(ENTRY_CHUNK) {
        let mut sql = Sql::new::<E>(
            "INSERT INTO ledger_entries \
             (leaf_index, kind, subject, actor, at_ms, payload_hash, leaf_hash, ref_id) ",
        );
        sql.values(chunk, |t, (i, entry, event, leaf)| {
            t.bind(stored_int(*i))
                .bind(event.kind().as_str())
                .bind(entry.subject.clone())
                .bind(&entry.actor)
                .bind(stored_int(entry.at_ms))
                .bind(hex::encode(entry.payload_hash))
                .bind(hex::encode(leaf))
                .bind(event.ref_id().map(str::to_owned));
        });
        E::execute(conn, sql).await?;
    }
    let upper: Vec<&Node> = nodes.iter().filter(|n| is_stored_level(n.level)).collect();
    for chunk in upper.chunks(NODE_CHUNK) {
        let mut sql = Sql::new::<E>("INSERT INTO ledger_nodes (level, idx, hash) ");
        sql.values(chunk, |t, n| {
            t.bind(i64::from(n.level))
                .bind(stored_int(n.index))
                .bind(hex::encode(n.hash));
        });
        E::execute(conn, sql).await?;
    }
    let cached: String = frontier.hashes().iter().map(hex::encode).collect();
    let mut sql = Sql::new::<E>("UPDATE ledger_state SET frontier = ");
    sql.bind(cached).push(" WHERE id = 1");
    E::execute(conn, sql).await?;
    Ok(start)
}

impl<E: Engine> SqlStore<E> {
    /// Moves the key that pseudonymised natural persons in the log out of the database
    /// (where it lived before key files) into the key file, then clears it.
    pub(crate) async fn adopt_ledger_subject_key(&self) -> Result<(), StoreError> {
        let row = self
            .fetch_one(Sql::new::<E>(
                "SELECT subject_key, size FROM ledger_state WHERE id = 1",
            ))
            .await?;
        let Some(key) = row.opt_text("subject_key")? else {
            return Ok(());
        };
        if row.int("size")? > 0 && key != hex::encode(self.vault.lookup_key()) {
            self.vault.adopt_lookup_hex(&key)?;
        }
        self.execute(Sql::new::<E>(
            "UPDATE ledger_state SET subject_key = NULL WHERE id = 1",
        ))
        .await?;
        Ok(())
    }

    /// The stored nodes at these addresses (level 0: leaf hashes from the entries).
    async fn stored_ledger_nodes(
        &self,
        ids: &[NodeId],
    ) -> Result<HashMap<NodeId, Hash>, StoreError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new::<E>(
                "SELECT CAST(0 AS BIGINT) AS level, leaf_index AS idx, leaf_hash AS hash \
                 FROM ledger_entries WHERE leaf_index IN (",
            );
            // -1 keeps the list non-empty; no entry has it.
            let leaves = chunk.iter().filter(|(l, _)| *l == 0);
            sql.bind_list(std::iter::once(-1i64).chain(leaves.map(|(_, i)| stored_int(*i))));
            sql.push(")");
            // One indexed IN list per level (an OR per node defeats SQLite's planner).
            let mut by_level: BTreeMap<u8, Vec<u64>> = BTreeMap::new();
            for (level, index) in chunk.iter().filter(|(l, _)| *l > 0) {
                by_level.entry(*level).or_default().push(*index);
            }
            for (level, indices) in by_level {
                sql.push(
                    " UNION ALL SELECT CAST(level AS BIGINT), idx, hash FROM ledger_nodes \
                     WHERE level = ",
                );
                sql.bind(i64::from(level)).push(" AND idx IN (");
                sql.bind_list(indices.into_iter().map(stored_int)).push(")");
            }
            for row in self.fetch_all(sql).await? {
                let node = decode_node(&row)?;
                out.insert((node.level, node.index), node.hash);
            }
        }
        Ok(out)
    }
}

impl<E: Engine> SqlStore<E> {
    /// The entries about a subject, to be ordered and limited by the caller. The subject
    /// index trails the log, so it is brought up to date first.
    async fn select_subject_entries(&self, code: &str) -> Result<Sql, StoreError> {
        self.index_ledger_subjects().await?;
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(ENTRY_COLUMNS).push(
            " FROM ledger_subjects s JOIN ledger_entries e ON e.leaf_index = s.leaf_index \
             WHERE s.subject = ",
        );
        sql.bind(self.vault.pseudonym(code));
        Ok(sql)
    }
}

#[async_trait]
impl<E: Engine> LedgerStore for SqlStore<E> {
    async fn append_events(&self, events: &[LedgerEvent]) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let first = append::<E>(&mut tx, &self.vault, events).await?;
        tx.commit().await?;
        Ok(first)
    }

    async fn ledger_size(&self) -> Result<u64, StoreError> {
        let sql = Sql::new::<E>("SELECT size FROM ledger_state WHERE id = 1");
        fits("ledger size", self.fetch_one(sql).await?.int("size")?)
    }

    async fn ledger_rows(&self, start: u64, limit: u32) -> Result<Vec<LedgerRow>, StoreError> {
        let mut sql = Sql::new::<E>("SELECT ");
        sql.push(ENTRY_COLUMNS)
            .push(" FROM ledger_entries e WHERE e.leaf_index >= ");
        sql.bind(stored_int(start))
            .push(" ORDER BY e.leaf_index LIMIT ")
            .bind(limit);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(LedgerRow::decode).collect()
    }

    async fn ledger_rows_of_subject(
        &self,
        code: &str,
        limit: u32,
    ) -> Result<Vec<LedgerRow>, StoreError> {
        let mut sql = self.select_subject_entries(code).await?;
        sql.push(" ORDER BY s.leaf_index DESC LIMIT ").bind(limit);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(LedgerRow::decode).collect()
    }

    async fn ledger_rows_of_subject_from(
        &self,
        code: &str,
        from: u64,
        limit: u32,
    ) -> Result<Vec<LedgerRow>, StoreError> {
        let mut sql = self.select_subject_entries(code).await?;
        sql.push(" AND s.leaf_index >= ")
            .bind(stored_int(from))
            .push(" ORDER BY s.leaf_index LIMIT ")
            .bind(limit);
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(LedgerRow::decode).collect()
    }

    async fn index_ledger_subjects(&self) -> Result<u64, StoreError> {
        const STATE: &str = "SELECT subjects_indexed, size FROM ledger_state WHERE id = 1";
        // A plain read first: a subject's view of a current index takes no write lock.
        let row = self.fetch_one(Sql::new::<E>(STATE)).await?;
        if row.int("subjects_indexed")? >= row.int("size")? {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let row = E::fetch_one(&mut tx, Sql::new::<E>(STATE)).await?;
        let (indexed, size) = (row.int("subjects_indexed")?, row.int("size")?);
        if indexed >= size {
            return Ok(0);
        }
        // One sorted batch: each index page is written once, not once per append.
        let mut sql = Sql::new::<E>(
            "INSERT INTO ledger_subjects (subject, leaf_index) SELECT subject, leaf_index \
             FROM ledger_entries WHERE subject IS NOT NULL AND leaf_index >= ",
        );
        sql.bind(indexed).push(" AND leaf_index < ").bind(size);
        sql.push(" ORDER BY subject, leaf_index ON CONFLICT DO NOTHING");
        E::execute(&mut tx, sql).await?;
        let mut sql = Sql::new::<E>("UPDATE ledger_state SET subjects_indexed = ");
        sql.bind(size)
            .push(" WHERE id = 1 AND subjects_indexed < ")
            .bind(size);
        E::execute(&mut tx, sql).await?;
        tx.commit().await?;
        Ok(u64::try_from(size - indexed).unwrap_or(0))
    }

    async fn ledger_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        // Only every NODE_STRIDE-th level is stored: compute the others from the stored
        // level below them (at most 2^(NODE_STRIDE - 1) hashes each).
        let mut base: Vec<NodeId> = ids.iter().flat_map(|&id| stored_base(id)).collect();
        base.sort_unstable();
        base.dedup();
        let stored = self.stored_ledger_nodes(&base).await?;
        let mut out = HashMap::with_capacity(ids.len());
        for &id in ids {
            let parts: Option<Vec<Hash>> =
                stored_base(id).map(|b| stored.get(&b).copied()).collect();
            if let Some(parts) = parts {
                out.insert(id, fold(parts));
            }
        }
        Ok(out)
    }

    async fn ledger_nodes_all(&self) -> Result<Vec<Node>, StoreError> {
        let sql =
            Sql::new::<E>("SELECT CAST(level AS BIGINT) AS level, idx, hash FROM ledger_nodes");
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(decode_node).collect()
    }

    async fn put_tree_head(&self, head: &SignedTreeHead) -> Result<(), StoreError> {
        let mut sql = Sql::new::<E>(
            "INSERT INTO ledger_heads (tree_size, timestamp_ms, root_hash, signature) ",
        );
        sql.values([head], |t, h| {
            t.bind(stored_int(h.size))
                .bind(stored_int(h.timestamp_ms))
                .bind(hex::encode(h.root))
                .bind(hex::encode(h.signature));
        });
        sql.push(" ON CONFLICT (tree_size) DO NOTHING");
        self.execute(sql).await?;
        Ok(())
    }

    async fn tree_heads(&self) -> Result<Vec<SignedTreeHead>, StoreError> {
        let sql = Sql::new::<E>(
            "SELECT tree_size, timestamp_ms, root_hash, signature FROM ledger_heads \
             ORDER BY tree_size",
        );
        let rows = self.fetch_all(sql).await?;
        rows.iter().map(decode_tree_head).collect()
    }

    async fn latest_tree_head(&self) -> Result<Option<SignedTreeHead>, StoreError> {
        let sql = Sql::new::<E>(
            "SELECT tree_size, timestamp_ms, root_hash, signature FROM ledger_heads \
             ORDER BY tree_size DESC LIMIT 1",
        );
        let row = self.fetch_optional(sql).await?;
        row.as_ref().map(decode_tree_head).transpose()
    }
}
