-- Name search (issue #3). Names are segmented in Rust (xinyong_domain::search::index_terms:
-- jieba words, then adjacent-character pairs) into `search_terms`, which an FTS5 table with the
-- `unicode61` tokenizer indexes. The FTS table reads its content from `subjects` (external
-- content) and is kept in step by the triggers below; its rowid is the subject's rowid, so the
-- platform never runs VACUUM on this database without `INSERT INTO subjects_fts(subjects_fts)
-- VALUES ('rebuild')` afterwards.
--
-- Rows stored before this migration have an empty `search_terms`; the store segments them when
-- it opens the database (`subjects_unsegmented` finds them).

ALTER TABLE subjects ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
CREATE INDEX subjects_unsegmented ON subjects (id) WHERE search_terms = '';

CREATE VIRTUAL TABLE subjects_fts USING fts5(
    search_terms,
    content = 'subjects',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER subjects_fts_insert AFTER INSERT ON subjects BEGIN
    INSERT INTO subjects_fts (rowid, search_terms) VALUES (new.rowid, new.search_terms);
END;

CREATE TRIGGER subjects_fts_delete AFTER DELETE ON subjects BEGIN
    INSERT INTO subjects_fts (subjects_fts, rowid, search_terms)
        VALUES ('delete', old.rowid, old.search_terms);
END;

CREATE TRIGGER subjects_fts_update AFTER UPDATE OF search_terms ON subjects
WHEN old.search_terms IS NOT new.search_terms BEGIN
    INSERT INTO subjects_fts (subjects_fts, rowid, search_terms)
        VALUES ('delete', old.rowid, old.search_terms);
    INSERT INTO subjects_fts (rowid, search_terms) VALUES (new.rowid, new.search_terms);
END;
