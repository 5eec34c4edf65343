-- The audit log (issue #5): an append-only RFC 6962 Merkle tree over every write and every
-- non-public read, appended in the same transaction as the change it records.

-- One row per leaf. `ref_id` names what the entry is about (a record version `ID@VERSION`,
-- a token, a check) so that verification can find the entry of each stored row; it is not
-- hashed, the payload is: re-pointing a ref makes verification fail.
CREATE TABLE ledger_entries (
    leaf_index    INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT,
    actor         TEXT NOT NULL,
    at_ms         INTEGER NOT NULL,
    payload_hash  TEXT NOT NULL,
    leaf_hash     TEXT NOT NULL,
    ref_id        TEXT
);
CREATE INDEX ledger_by_subject ON ledger_entries (subject, leaf_index);
CREATE INDEX ledger_by_ref ON ledger_entries (ref_id, leaf_index);

-- Hashes of the perfect subtrees above the leaves (level >= 1); written once, never changed.
CREATE TABLE ledger_nodes (
    level  INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Signed tree heads (Ed25519 over the RFC 6962 TreeHeadSignature bytes).
CREATE TABLE ledger_heads (
    tree_size     INTEGER PRIMARY KEY,
    timestamp_ms  INTEGER NOT NULL,
    root_hash     TEXT NOT NULL,
    signature     TEXT NOT NULL
);

-- The one-row head of the log: its size; its frontier (the hashes of the perfect subtrees on
-- its right edge, largest first, hex-concatenated), so an append needs no node lookups; and
-- the key that pseudonymises natural persons in the `subject` column (a keyed hash, so the
-- public log never shows an identity number). The frontier is a cache of `ledger_nodes`:
-- `ledger verify` recomputes it.
CREATE TABLE ledger_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    size         INTEGER NOT NULL,
    frontier     TEXT NOT NULL,
    subject_key  TEXT
);
INSERT INTO ledger_state (id, size, frontier) VALUES (1, 0, '');
