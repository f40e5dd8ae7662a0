-- bingfa schema version 16: an activity's checklist (what to do before,
-- during and after it, src/api/activity_checklist.c) is kept as its form
-- "checklist" (owner_kind 'activity'), and goes with the activity as an
-- opportunity's and an account's forms go with them.
CREATE TRIGGER activities_forms_cleanup AFTER DELETE ON activities
BEGIN
    DELETE FROM forms WHERE owner_kind = 'activity' AND owner_id = OLD.id;
END;
