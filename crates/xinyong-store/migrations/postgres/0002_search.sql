-- Name search (issue #3). Names are segmented in Rust (xinyong_domain::search::index_terms:
-- jieba words, then adjacent-character pairs) into `search_terms`; the `simple` text search
-- configuration splits it into exactly the tokens SQLite's FTS5 `unicode61` sees, and a GIN
-- index over it answers the same queries.
--
-- Rows stored before this migration have an empty `search_terms`; the store segments them when
-- it opens the database (`subjects_unsegmented` finds them).

ALTER TABLE subjects ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
CREATE INDEX subjects_unsegmented ON subjects (id) WHERE search_terms = '';
CREATE INDEX subjects_search ON subjects USING GIN (to_tsvector('simple', search_terms));
