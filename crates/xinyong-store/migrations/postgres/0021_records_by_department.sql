-- Issue #16 (console): a department browses its own records, newest first; ids are ULIDs, so
-- (department, id) orders them by creation without a sort.
CREATE INDEX records_by_department ON records (department, id);
