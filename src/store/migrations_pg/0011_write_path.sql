-- bingfa schema version 11 (PostgreSQL): a new deal and a new stage change no
-- longer fire triggers; the store does in the same transaction, as statements
-- of their own, what these did (see the SQLite migration of the same version):
--
-- * a new open deal is added to funnel_totals and forecast_totals right after
--   it is written (store_record_insert); a changed or deleted deal is still
--   moved by the trigger of version 7, which no longer fires on insert;
-- * a new deal's stage_changed_at is written with it (its creation), and a
--   stage change appended later moves it on (store_stage_change_append).
DROP TRIGGER opportunities_totals ON opportunities;
CREATE TRIGGER opportunities_totals AFTER DELETE OR UPDATE OF status, playbook,
    currency, owner_id, owner, stage, mant_complete, amount, probability, expected_close
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_totals();
DROP TRIGGER stage_changes_latest ON stage_changes;
DROP FUNCTION stage_changes_latest();
-- A new deal is counted for its owner by the store too (owner_counts, version 10).
DROP TRIGGER opportunities_owner_counts ON opportunities;
CREATE TRIGGER opportunities_owner_counts AFTER DELETE OR UPDATE OF owner_id
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_owner_counts();

-- audit_log_action, which SQLite's version 11 drops, stays: a custom plan of
-- the audit list can use it when an action is asked for.
