-- Issue #12: credit repair applications. A subject applies to repair one negative record with
-- a credit commitment; the department that made the finding grants (the record becomes
-- `repaired`, a new version, and the commitment is published as a credit_commitment record)
-- or refuses. The commitment and the evidence are free text: stored sealed only.
CREATE TABLE repairs (
    id               TEXT PRIMARY KEY,
    record_id        TEXT NOT NULL REFERENCES records(id),
    subject_code     TEXT NOT NULL,
    subject_sealed   TEXT,
    department       TEXT NOT NULL,
    details_sealed   TEXT NOT NULL,
    filed_at         TEXT NOT NULL,
    deadlines        TEXT NOT NULL,
    status           TEXT NOT NULL,
    decision_reason  TEXT,
    decided_at       TEXT
);
CREATE INDEX repairs_by_subject ON repairs (subject_code);
CREATE INDEX repairs_by_department ON repairs (department, status);
-- One pending application per record.
CREATE UNIQUE INDEX repairs_one_pending ON repairs (record_id) WHERE status = 'pending';
