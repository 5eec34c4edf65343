-- Issue #11, item 5: any department could rename and reclassify any subject, because the latest
-- record's subject name and kind overwrote the subject. A subject's name and kind now come from
-- its registrar (the department that first submitted about it); other departments' records keep
-- the name as submitted, and a mismatch shows in their data-quality report. Every rename by the
-- registrar keeps the name it replaced, keyed by the subject's opaque id (a lookup key may change at reseal).
ALTER TABLE subjects ADD COLUMN registrar TEXT;
UPDATE subjects SET registrar = (
    SELECT r.department FROM records r WHERE r.subject_code = subjects.code
    ORDER BY r.recorded_at, r.id LIMIT 1
);

CREATE TABLE subject_names (
    subject_id    TEXT NOT NULL REFERENCES subjects(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    department    TEXT,
    replaced_at   TEXT NOT NULL
);
CREATE INDEX subject_names_by_subject ON subject_names (subject_id, replaced_at);
