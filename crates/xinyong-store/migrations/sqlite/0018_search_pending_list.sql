-- Issue #14: PostgreSQL bounds its search index's pending list in its 0018; SQLite's FTS5
-- index has no such list. Kept so that both engines' migrations keep the same numbers.
SELECT 1;
