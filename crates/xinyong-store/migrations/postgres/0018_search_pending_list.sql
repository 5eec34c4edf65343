-- Issue #14: after a bulk import, every name search scanned the GIN index's whole pending list
-- (up to the 4 MB default, ~500 pages: 12 ms of a 1,000,000-subject search, measured with
-- EXPLAIN (ANALYZE, BUFFERS)) until autovacuum merged it. A 512 kB limit keeps that scan
-- under 64 pages; inserts flush to the index proper more often instead.
ALTER INDEX subjects_search SET (gin_pending_list_limit = 512);
