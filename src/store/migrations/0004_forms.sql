-- bingfa schema version 4: the forms of the sales tools, one JSON document
-- per owner and form (an opportunity's evaluation, MANT, 5W+2P, compelling
-- event, selection scoring and tender; an account's profile), and settings
-- such as the evaluation indicators and the profile rules.

CREATE TABLE forms (
    owner_kind TEXT NOT NULL,     -- 'opportunity' or 'account'
    owner_id   TEXT NOT NULL,
    form       TEXT NOT NULL,
    data       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (owner_kind, owner_id, form)
) WITHOUT ROWID;

-- Forms go with their owner.
CREATE TRIGGER opportunities_forms_cleanup AFTER DELETE ON opportunities
BEGIN
    DELETE FROM forms WHERE owner_kind = 'opportunity' AND owner_id = OLD.id;
END;
CREATE TRIGGER accounts_forms_cleanup AFTER DELETE ON accounts
BEGIN
    DELETE FROM forms WHERE owner_kind = 'account' AND owner_id = OLD.id;
END;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- Whether an opportunity's MANT is complete, as computed from its MANT form
-- and its account's buying centre whenever either changes; the funnel shows
-- deals without complete MANT apart (pre-funnel).
ALTER TABLE opportunities ADD COLUMN mant_complete INTEGER NOT NULL DEFAULT 0;
