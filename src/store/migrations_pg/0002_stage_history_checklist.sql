-- bingfa schema version 2 (PostgreSQL): stage history (append-only),
-- per-opportunity checklist state, and a covering index for the funnel
-- report. As src/store/migrations/0002_stage_history_checklist.sql.

CREATE TABLE stage_changes (
    id               TEXT PRIMARY KEY,
    opportunity_id   TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    playbook         TEXT NOT NULL,
    from_stage       TEXT,
    to_stage         TEXT NOT NULL,
    from_probability BIGINT,
    to_probability   BIGINT NOT NULL,
    changed_at       TEXT NOT NULL,
    changed_by       TEXT NOT NULL,
    reason           TEXT,
    checklist        TEXT
);
CREATE INDEX stage_changes_opportunity ON stage_changes(opportunity_id, changed_at);

-- History is append-only: rows are never changed, and removed only together
-- with their opportunity.
CREATE FUNCTION stage_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR EXISTS (SELECT 1 FROM opportunities WHERE id = OLD.opportunity_id) THEN
        RAISE EXCEPTION 'stage history is append-only';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER stage_changes_no_update BEFORE UPDATE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION stage_changes_append_only();
CREATE TRIGGER stage_changes_no_delete BEFORE DELETE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION stage_changes_append_only();

CREATE TABLE checklist_items (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    stage          TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    done           BIGINT NOT NULL DEFAULT 0,
    evidence       TEXT,
    updated_by     TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, stage, item_id)
);

-- The funnel groups open deals of one playbook and currency by stage; this
-- index answers it without touching the table.
CREATE INDEX opportunities_funnel
    ON opportunities(playbook, status, currency, stage, owner, amount, probability);
