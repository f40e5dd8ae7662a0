-- bingfa schema version 11: a new deal and a new stage change no longer fire
-- triggers. A trigger makes SQLite keep a statement journal for the statement
-- that fires it: a copy of every page the statement changes (some thirty for a
-- deal, one per index), made and dropped again for each row. The store now does
-- in the same transaction, as statements of their own, what these did:
--
-- * a new open deal is added to funnel_totals and forecast_totals right after
--   it is written (store_record_insert); a changed or deleted deal is still
--   moved by the triggers of version 7;
-- * a new deal's stage_changed_at is written with it (its creation), and a
--   stage change appended later moves it on (store_stage_change_append).
DROP TRIGGER opportunities_totals_insert;
DROP TRIGGER stage_changes_latest;
-- and a new deal is counted for its owner by the store too (owner_counts,
-- version 10).
DROP TRIGGER opportunities_owner_counts_insert;

-- Every write appends to the audit log, and each of its indexes is written
-- with it. No statement can use this one: the audit list asks for
-- "action = ?2 OR ?2 IS NULL", which no index serves, and the login reads
-- have indexes of their own (version 9).
DROP INDEX audit_log_action;
