-- Issue #14: PostgreSQL stores its search vector and bounds its index's pending list in its
-- 0018; SQLite's FTS5 table already holds its terms once and has no pending list. Kept so
-- that both engines' migrations keep the same numbers.
SELECT 1;
