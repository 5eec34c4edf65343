-- Roles and permissions (issue #5).

-- A subject token acts for one data subject (its Unified Social Credit Code or citizen identity
-- number); other roles leave it empty.
ALTER TABLE tokens ADD COLUMN subject TEXT;

-- Special applications: a department's one-off request to read one subject's restricted
-- information, decided by an operator. An approval is valid until valid_until. Rows are
-- decided once and never deleted.
CREATE TABLE special_applications (
    id             TEXT PRIMARY KEY,
    department     TEXT NOT NULL REFERENCES departments(code),
    subject_code   TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    decided_at     TIMESTAMPTZ,
    decided_by     TEXT,
    decision_note  TEXT,
    valid_until    TIMESTAMPTZ
);
CREATE INDEX special_applications_by_status ON special_applications (status, created_at);
