-- Issue #12: objections. A subject contests one record; while the case is open the record is
-- `under_objection` (a new record version), and only the record's source department decides.
-- The subject is stored as everywhere (lookup code + sealed number); the subject's reasons are
-- free text that may name persons, so they are stored sealed only.
CREATE TABLE objections (
    id               TEXT PRIMARY KEY,
    record_id        TEXT NOT NULL REFERENCES records(id),
    subject_code     TEXT NOT NULL,
    subject_sealed   TEXT,
    department       TEXT NOT NULL,
    ground           TEXT NOT NULL,
    reason_sealed    TEXT NOT NULL,
    status_before    TEXT NOT NULL,
    filed_at         TEXT NOT NULL,
    deadlines        TEXT NOT NULL,
    status           TEXT NOT NULL,
    outcome          TEXT,
    decision_reason  TEXT,
    decided_at       TEXT
);
CREATE INDEX objections_by_subject ON objections (subject_code);
CREATE INDEX objections_by_department ON objections (department, status);
-- One open case per record: a second objection waits for the first decision.
CREATE UNIQUE INDEX objections_one_open ON objections (record_id) WHERE status = 'open';
