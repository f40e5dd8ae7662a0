-- bingfa schema version 2: stage history (append-only), per-opportunity
-- checklist state, and a covering index for the funnel report.

CREATE TABLE stage_changes (
    id               TEXT PRIMARY KEY,
    opportunity_id   TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    playbook         TEXT NOT NULL,
    from_stage       TEXT,
    to_stage         TEXT NOT NULL,
    from_probability INTEGER,
    to_probability   INTEGER NOT NULL,
    changed_at       TEXT NOT NULL,
    changed_by       TEXT NOT NULL,
    reason           TEXT,
    checklist        TEXT
);
CREATE INDEX stage_changes_opportunity ON stage_changes(opportunity_id, changed_at);

-- History is append-only: rows are never changed, and removed only together
-- with their opportunity.
CREATE TRIGGER stage_changes_no_update BEFORE UPDATE ON stage_changes
BEGIN
    SELECT RAISE(ABORT, 'stage history is append-only');
END;
CREATE TRIGGER stage_changes_no_delete BEFORE DELETE ON stage_changes
WHEN EXISTS (SELECT 1 FROM opportunities WHERE id = OLD.opportunity_id)
BEGIN
    SELECT RAISE(ABORT, 'stage history is append-only');
END;

CREATE TABLE checklist_items (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    stage          TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    done           INTEGER NOT NULL DEFAULT 0,
    evidence       TEXT,
    updated_by     TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, stage, item_id)
) WITHOUT ROWID;

-- The funnel groups open deals of one playbook and currency by stage; this
-- index answers it without touching the table.
CREATE INDEX opportunities_funnel
    ON opportunities(playbook, status, currency, stage, owner, amount, probability);
