-- Foundation schema (SQLite). Keys are application-generated ULIDs, never sequences, so that the
-- same schema can later be distributed by subject code (see ARCHITECTURE.md).

CREATE TABLE departments (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The catalogue categories a department may submit.
CREATE TABLE department_categories (
    department  TEXT NOT NULL REFERENCES departments(code),
    category    TEXT NOT NULL,
    PRIMARY KEY (department, category)
);

-- API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    department  TEXT REFERENCES departments(code),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
);

CREATE TABLE subjects (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The current version of every record, keyed by an application-generated id; identity is
-- (department, document_no, category). Reads of a subject's file touch this table only.
CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    department       TEXT NOT NULL REFERENCES departments(code),
    category         TEXT NOT NULL,
    document_no      TEXT NOT NULL,
    version          INTEGER NOT NULL,
    status           TEXT NOT NULL,
    subject_code     TEXT NOT NULL,
    subject_name     TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    tier             TEXT,
    publicity_until  TEXT NOT NULL,
    fields           TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    UNIQUE (department, document_no, category)
);
CREATE INDEX records_by_subject ON records (subject_code);

-- Every superseded version, copied here before its current row changes. Rows are only ever
-- inserted (SPEC: nothing is silently lost or overwritten).
CREATE TABLE record_history (
    id               TEXT NOT NULL,
    department       TEXT NOT NULL,
    category         TEXT NOT NULL,
    document_no      TEXT NOT NULL,
    version          INTEGER NOT NULL,
    status           TEXT NOT NULL,
    subject_code     TEXT NOT NULL,
    subject_name     TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    tier             TEXT,
    publicity_until  TEXT NOT NULL,
    fields           TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
