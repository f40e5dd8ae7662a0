-- bingfa schema version 17: an activity may name the key activity of its
-- deal's playbook it carries out (关键活动): the tools, steps and checks of
-- that key activity join the activity's checklist (src/api/activity_checklist.c).
ALTER TABLE activities ADD COLUMN key_activity TEXT;
