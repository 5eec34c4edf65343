-- Encryption at rest (#5). A natural person's identity number is stored as a lookup code in the
-- column rows are found by (division code, '~', keyed hash) and sealed (XChaCha20-Poly1305,
-- keys outside the database) in the *_sealed column beside it; NULL for organisations, whose
-- codes are public. A restricted record's fields are sealed in fields_sealed, and a check about
-- a person keeps its result sealed. See crates/xinyong-store/src/vault.rs.
ALTER TABLE subjects ADD COLUMN code_sealed TEXT;
ALTER TABLE records ADD COLUMN subject_sealed TEXT;
ALTER TABLE records ADD COLUMN fields_sealed TEXT;
ALTER TABLE record_history ADD COLUMN subject_sealed TEXT;
ALTER TABLE record_history ADD COLUMN fields_sealed TEXT;
ALTER TABLE checks ADD COLUMN subject_sealed TEXT;
ALTER TABLE checks ADD COLUMN result_sealed TEXT;
ALTER TABLE tokens ADD COLUMN subject_sealed TEXT;
ALTER TABLE special_applications ADD COLUMN subject_sealed TEXT;
-- ledger_state.subject_key (the audit log's pseudonymisation key until now) moves into the key
-- file at the first open with keys, and is then cleared.

-- Whether rows written before this migration may still hold identity numbers or restricted
-- fields in clear: set when the database already had data, cleared by the first complete
-- re-seal (which every command runs when it is set).
CREATE TABLE vault_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    clear_values  INTEGER NOT NULL
);
INSERT INTO vault_state (id, clear_values)
    SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM subjects) OR EXISTS (SELECT 1 FROM checks)
        OR EXISTS (SELECT 1 FROM tokens) OR EXISTS (SELECT 1 FROM special_applications)
        THEN 1 ELSE 0 END;
