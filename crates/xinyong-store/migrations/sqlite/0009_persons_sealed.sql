-- Issue #11, item 2: persons bound to a list entry were stored in clear in records.listing, and
-- identity numbers in personal fields in clear in records.fields. A listing that binds persons
-- is now sealed whole in listing_sealed (listing keeps the list type and ground, without the
-- persons), and fields holding an identity number are sealed like a restricted record's.
ALTER TABLE records ADD COLUMN listing_sealed TEXT;
ALTER TABLE record_history ADD COLUMN listing_sealed TEXT;
-- Rows written before may hold such values in clear: the first command that opens the
-- database re-seals them (and compacts the file), as after migration 0006.
UPDATE vault_state SET clear_values = 1 WHERE EXISTS (SELECT 1 FROM records);
