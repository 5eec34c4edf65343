-- Lists and credit checks (issue #4).

-- A record that is a list entry made through the list API carries its list type, ground and
-- bound persons; a status change (removal) carries its reason. Both are versioned like the rest.
ALTER TABLE records ADD COLUMN listing TEXT;
ALTER TABLE records ADD COLUMN status_note TEXT;
ALTER TABLE record_history ADD COLUMN listing TEXT;
ALTER TABLE record_history ADD COLUMN status_note TEXT;
CREATE INDEX records_by_category ON records (category, publicity_until);

-- The list types a department may manage.
CREATE TABLE department_lists (
    department  TEXT NOT NULL REFERENCES departments(code),
    list_type   TEXT NOT NULL,
    PRIMARY KEY (department, list_type)
);

-- Every credit check: who asked, about whom, for what decision, and what was returned.
CREATE TABLE checks (
    id            TEXT PRIMARY KEY,
    department    TEXT NOT NULL,
    subject_code  TEXT NOT NULL,
    context       TEXT NOT NULL,
    result        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX checks_by_subject ON checks (subject_code);

-- What the deciding department applied (initiate -> respond -> feedback). One per check.
CREATE TABLE check_feedback (
    check_id      TEXT PRIMARY KEY REFERENCES checks(id),
    department    TEXT NOT NULL,
    applied       TEXT NOT NULL,
    not_applied   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Change counters bumped in the same transaction as the writes they count, so that another
-- process can tell cheaply whether its in-memory indexes are stale.
CREATE TABLE generations (
    topic       TEXT PRIMARY KEY,
    generation  INTEGER NOT NULL
);
