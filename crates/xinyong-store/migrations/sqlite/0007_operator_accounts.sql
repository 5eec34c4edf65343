-- Operator accounts (issue #5): a name and an Argon2id password hash (a PHC string, salt and
-- parameters included). Signing in opens a session, which is an ordinary operator token
-- (tokens.role = 'operator', short-lived) listed in operator_sessions, so that disabling the
-- account revokes every session it opened. Accounts are disabled, never deleted.
CREATE TABLE operators (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    disabled_at     TEXT,
    last_session_at TEXT
);

CREATE TABLE operator_sessions (
    token_id    TEXT PRIMARY KEY REFERENCES tokens(id),
    operator_id TEXT NOT NULL REFERENCES operators(id)
);
CREATE INDEX operator_sessions_by_operator ON operator_sessions (operator_id);
