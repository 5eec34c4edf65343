-- Issue #12: a subject's authorisation of a credit service body to read its non-public file
-- for one purpose until a date. Revocation takes effect at once: reads look grants up in this
-- table every time, never in a cache.
CREATE TABLE subject_grants (
    id               TEXT PRIMARY KEY,
    subject_code     TEXT NOT NULL,
    subject_sealed   TEXT,
    service          TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    granted_at       TIMESTAMPTZ NOT NULL,
    valid_until      TIMESTAMPTZ NOT NULL,
    revoked_at       TIMESTAMPTZ
);
CREATE INDEX subject_grants_by_subject ON subject_grants (subject_code, service);
