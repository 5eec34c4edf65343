-- Issue #11, item 4: a command run without the database's key file made a fresh one and sealed
-- with it into the existing database. The database now records which key set it is sealed with
-- (a keyed fingerprint of the lookup key, never a key), and every open with another key set is
-- refused before anything is written.
ALTER TABLE vault_state ADD COLUMN key_fingerprint TEXT;
