-- Issue #12: a subject's webhook. Notifications are audit-log entries about the subject
-- (found through ledger_subjects by the pseudonym), delivered in index order; delivered_size
-- is how far. The signing secret is derived from the vault's lookup key and the id, never
-- stored. One webhook per subject: registering again replaces it.
CREATE TABLE webhooks (
    id                 TEXT PRIMARY KEY,
    subject_code       TEXT NOT NULL UNIQUE,
    subject_sealed     TEXT,
    subject_pseudonym  TEXT NOT NULL,
    url                TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    delivered_size     BIGINT NOT NULL,
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at    TEXT NOT NULL,
    last_error         TEXT
);
CREATE INDEX webhooks_due ON webhooks (next_attempt_at);
