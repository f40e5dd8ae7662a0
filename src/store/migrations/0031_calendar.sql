-- bingfa schema version 31: calendar feeds (日历订阅, docs/calendar.md).
--
-- A user subscribes to their calendar — their planned activities and the
-- tender key dates of the deals they see — through a secret address. Only
-- the BLAKE2b hash of its secret is kept, as for sessions and API tokens;
-- making a new one revokes the one before, and revoking keeps the row
-- (revoked_at) so that the audit log's entries still name it.
CREATE TABLE calendar_feeds (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id, revoked_at);

-- The key dates of each deal's tender (its form 'tender', dates.*), a row a
-- date, kept when the form is saved: read by day for a calendar, through
-- the deal's owner (owner_id follows the deal's, below) or the day.
CREATE TABLE tender_dates (
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL, -- documents, qa, submission, opening, award_notice
    day            TEXT NOT NULL, -- YYYY-MM-DD, China time
    owner_id       TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, kind)
) WITHOUT ROWID;
CREATE INDEX tender_dates_owner ON tender_dates(owner_id, day);
CREATE INDEX tender_dates_day ON tender_dates(day, opportunity_id);

INSERT INTO tender_dates (opportunity_id, kind, day, owner_id, updated_at)
    SELECT f.owner_id, k.kind, json_extract(f.data, '$.dates.' || k.kind), o.owner_id,
           f.updated_at
    FROM forms f JOIN opportunities o ON o.id = f.owner_id,
         (SELECT 'documents' AS kind UNION ALL SELECT 'qa' UNION ALL SELECT 'submission'
          UNION ALL SELECT 'opening' UNION ALL SELECT 'award_notice') k
    WHERE f.owner_kind = 'opportunity' AND f.form = 'tender'
      AND json_extract(f.data, '$.dates.' || k.kind) IS NOT NULL;

CREATE TRIGGER opportunities_tender_dates_owner AFTER UPDATE OF owner_id ON opportunities
    WHEN NEW.owner_id IS NOT OLD.owner_id
BEGIN
    UPDATE tender_dates SET owner_id = NEW.owner_id WHERE opportunity_id = NEW.id;
END;

-- A user's planned activities by time.
CREATE INDEX activities_owner_planned ON activities(owner_id, planned_at);
