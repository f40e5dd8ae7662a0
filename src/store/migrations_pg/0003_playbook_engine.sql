-- bingfa schema version 3 (PostgreSQL): the full playbook engine, as
-- src/store/migrations/0003_playbook_engine.sql.

ALTER TABLE opportunities ADD COLUMN playbook_version BIGINT;
ALTER TABLE opportunities ADD COLUMN turnaround BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN won_by TEXT;
ALTER TABLE opportunities ADD COLUMN sales_mode_since TEXT;

ALTER TABLE checklist_items ADD COLUMN activity_id TEXT;
ALTER TABLE checklist_items ADD COLUMN document TEXT;

ALTER TABLE activities ADD COLUMN plan_ref TEXT;
CREATE INDEX activities_plan ON activities(opportunity_id, plan_ref);

CREATE TABLE playbooks (
    id          TEXT NOT NULL,
    version     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT,
    PRIMARY KEY (id, version)
);
