-- bingfa schema version 31 (PostgreSQL): calendar feeds (日历订阅), as
-- src/store/migrations/0031_calendar.sql (which explains the tables).
CREATE TABLE calendar_feeds (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id, revoked_at);

CREATE TABLE tender_dates (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    day            TEXT NOT NULL,
    owner_id       TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, kind)
);
CREATE INDEX tender_dates_owner ON tender_dates(owner_id, day);
CREATE INDEX tender_dates_day ON tender_dates(day, opportunity_id);

INSERT INTO tender_dates (opportunity_id, kind, day, owner_id, updated_at)
    SELECT f.owner_id, k.kind, f.data::jsonb -> 'dates' ->> k.kind, o.owner_id, f.updated_at
    FROM forms f JOIN opportunities o ON o.id = f.owner_id,
         (VALUES ('documents'), ('qa'), ('submission'), ('opening'), ('award_notice')) AS k(kind)
    WHERE f.owner_kind = 'opportunity' AND f.form = 'tender'
      AND f.data::jsonb -> 'dates' ->> k.kind IS NOT NULL;

CREATE FUNCTION opportunities_tender_dates_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tender_dates SET owner_id = NEW.owner_id WHERE opportunity_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER opportunities_tender_dates_owner AFTER UPDATE OF owner_id ON opportunities
    FOR EACH ROW WHEN (NEW.owner_id IS DISTINCT FROM OLD.owner_id)
    EXECUTE FUNCTION opportunities_tender_dates_owner();

CREATE INDEX activities_owner_planned ON activities(owner_id, planned_at);
