-- bingfa schema version 16 (PostgreSQL): an activity's checklist is kept as
-- its form "checklist" (owner_kind 'activity'), and goes with the activity
-- (see src/store/migrations/0016_activity_checklists.sql).
CREATE TRIGGER activities_forms_cleanup AFTER DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION forms_cleanup('activity');
