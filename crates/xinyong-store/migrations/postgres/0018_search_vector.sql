-- Issue #14: name search at 1,000,000 subjects, p95 33.6 ms (`xinyong bench search`). Two
-- causes, each measured with EXPLAIN (ANALYZE, BUFFERS) on that database:
-- * the index was over the expression to_tsvector('simple', search_terms), so every row a
--   query touched (a recheck, or a sequential scan for a very common bigram with LIMIT) parsed
--   its terms again: a stored column holds the vector once (300 two-character queries: p95
--   30.1 ms on the expression, 9.4 ms on the column);
-- * right after a bulk import every search scanned the GIN pending list (up to the 4 MB default,
--   394 pages, 12.6 ms) until autovacuum merged it: a 512 kB limit keeps that under 64 pages.
ALTER TABLE subjects ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_terms)) STORED;
CREATE INDEX subjects_search_vector ON subjects USING GIN (search_vector)
    WITH (gin_pending_list_limit = 512);
DROP INDEX subjects_search;
