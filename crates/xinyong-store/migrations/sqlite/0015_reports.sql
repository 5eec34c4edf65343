-- Issue #12: reports of trust-breaking. Anyone reports; the report is routed to the
-- competent department, which alone reads its content and the reporter's contact (both
-- sealed); the reporter follows it with a tracking number, stored only as its SHA-256.
CREATE TABLE reports (
    id               TEXT PRIMARY KEY,
    tracking_hash    TEXT NOT NULL UNIQUE,
    category         TEXT NOT NULL,
    subject_code     TEXT NOT NULL,
    subject_sealed   TEXT,
    content_sealed   TEXT NOT NULL,
    contact_sealed   TEXT,
    department       TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_note      TEXT,
    filed_at         TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX reports_by_department ON reports (department, filed_at);
