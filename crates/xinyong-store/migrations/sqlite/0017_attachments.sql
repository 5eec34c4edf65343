-- Issue #12: evidence files a subject attaches to its objections and repair applications.
-- Never public. The content and the name are sealed (they may show identity numbers); the
-- SHA-256 of the content is kept in clear and in the audit log, so that the subject can
-- prove which file it submitted and `ledger verify` can check the stored content.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    subject_code    TEXT NOT NULL,
    subject_sealed  TEXT,
    media_type      TEXT NOT NULL,
    name_sealed     TEXT,
    size            BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    content_sealed  TEXT NOT NULL,
    stored_at       TEXT NOT NULL
);
CREATE INDEX attachments_by_subject ON attachments (subject_code, stored_at);

-- The attachments an objection names (ids; a repair keeps them in its sealed details), and
-- when an overdue objection was escalated.
ALTER TABLE objections ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE objections ADD COLUMN escalated_at TEXT;
