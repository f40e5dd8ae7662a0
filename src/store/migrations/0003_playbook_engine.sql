-- bingfa schema version 3: the full playbook engine. Opportunities remember
-- the playbook version they run on, their turnaround flag, who won a lost
-- deal and since when their sales mode's visit plan runs; checklist evidence
-- may link an activity or a document; activities may come from a visit plan;
-- imported playbooks are kept, every version.

ALTER TABLE opportunities ADD COLUMN playbook_version INTEGER;
ALTER TABLE opportunities ADD COLUMN turnaround INTEGER NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN won_by TEXT;
ALTER TABLE opportunities ADD COLUMN sales_mode_since TEXT;

ALTER TABLE checklist_items ADD COLUMN activity_id TEXT;
ALTER TABLE checklist_items ADD COLUMN document TEXT;

ALTER TABLE activities ADD COLUMN plan_ref TEXT;
CREATE INDEX activities_plan ON activities(opportunity_id, plan_ref);

CREATE TABLE playbooks (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
