-- Issue #13 (SPEC row 14): people in regulated roles. A department registers the people in
-- the professions it is given (department_professions); each role links a natural person
-- (lookup code and sealed number, as every table that names a person) to an organisation
-- with a profession and a licence number. A licence is held by one open role at a time (a
-- move to another organisation ends the old role first); the store checks it in the write.
CREATE TABLE department_professions (
    department  TEXT NOT NULL REFERENCES departments(code),
    profession  TEXT NOT NULL,
    PRIMARY KEY (department, profession)
);

CREATE TABLE persons_in_role (
    id              TEXT PRIMARY KEY,
    subject_code    TEXT NOT NULL,
    subject_sealed  TEXT,
    name            TEXT NOT NULL,
    organisation    TEXT NOT NULL,
    profession      TEXT NOT NULL,
    licence_no      TEXT NOT NULL,
    since           TEXT NOT NULL,
    until           TEXT,
    department      TEXT NOT NULL REFERENCES departments(code),
    registered_at   TEXT NOT NULL
);
CREATE INDEX persons_in_role_by_licence ON persons_in_role (profession, licence_no);
CREATE INDEX persons_in_role_by_subject ON persons_in_role (subject_code);
CREATE INDEX persons_in_role_by_organisation ON persons_in_role (organisation, profession);
