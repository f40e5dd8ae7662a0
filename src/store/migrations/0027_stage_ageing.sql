-- bingfa schema version 27: how long open deals have stood in their stage,
-- per owner (ageing and stalled by owner, docs/reports.md).
--
-- Each open deal is counted by the day (China time, UTC+8) it entered its
-- current stage, in age_days, and by that day's month, in age_months: a
-- report reads an owner's days of the last few months and the months before
-- them, a few rows per owner, and buckets them by their age today (days that
-- pass change no row). Kept by the triggers below as deals are made, move,
-- close, reopen, change owner or are deleted.

CREATE TABLE age_days (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    day      TEXT NOT NULL,          -- YYYY-MM-DD the deal entered its stage (UTC+8)
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (owner_id, day, currency)
) WITHOUT ROWID;

CREATE TABLE age_months (
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of that day
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    PRIMARY KEY (owner_id, month, currency)
) WITHOUT ROWID;

CREATE VIEW deal_age_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           date(COALESCE(stage_changed_at, created_at), '+8 hours') AS day,
           substr(date(COALESCE(stage_changed_at, created_at), '+8 hours'), 1, 7) AS month,
           COALESCE(amount, 0) AS amount
    FROM opportunities WHERE status = 'open';

INSERT INTO age_days
    SELECT owner_id, currency, day, COUNT(*), SUM(amount) FROM deal_age_rows GROUP BY 1, 2, 3;
INSERT INTO age_months
    SELECT owner_id, currency, month, COUNT(*), SUM(amount) FROM deal_age_rows GROUP BY 1, 2, 3;

CREATE TRIGGER opportunities_age_insert AFTER INSERT ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO age_days VALUES (COALESCE(NEW.owner_id, ''), NEW.currency,
        date(COALESCE(NEW.stage_changed_at, NEW.created_at), '+8 hours'), 1,
        COALESCE(NEW.amount, 0))
    ON CONFLICT DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
    INSERT INTO age_months VALUES (COALESCE(NEW.owner_id, ''), NEW.currency,
        substr(date(COALESCE(NEW.stage_changed_at, NEW.created_at), '+8 hours'), 1, 7), 1,
        COALESCE(NEW.amount, 0))
    ON CONFLICT DO UPDATE SET deals = deals + 1, amount = amount + excluded.amount;
END;

-- A deal changes: its old rows leave, its new ones join.
CREATE TRIGGER opportunities_age_update AFTER UPDATE OF status, owner_id, currency, amount,
    stage_changed_at, created_at ON opportunities
WHEN OLD.status IS NOT NEW.status OR OLD.owner_id IS NOT NEW.owner_id
     OR OLD.currency IS NOT NEW.currency OR OLD.amount IS NOT NEW.amount
     OR OLD.stage_changed_at IS NOT NEW.stage_changed_at OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT INTO age_days
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               date(COALESCE(OLD.stage_changed_at, OLD.created_at), '+8 hours'), -1,
               -COALESCE(OLD.amount, 0)
        WHERE OLD.status = 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount;
    INSERT INTO age_months
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               substr(date(COALESCE(OLD.stage_changed_at, OLD.created_at), '+8 hours'), 1, 7),
               -1, -COALESCE(OLD.amount, 0)
        WHERE OLD.status = 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount;
    INSERT INTO age_days
        SELECT COALESCE(NEW.owner_id, ''), NEW.currency,
               date(COALESCE(NEW.stage_changed_at, NEW.created_at), '+8 hours'), 1,
               COALESCE(NEW.amount, 0)
        WHERE NEW.status = 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount;
    INSERT INTO age_months
        SELECT COALESCE(NEW.owner_id, ''), NEW.currency,
               substr(date(COALESCE(NEW.stage_changed_at, NEW.created_at), '+8 hours'), 1, 7),
               1, COALESCE(NEW.amount, 0)
        WHERE NEW.status = 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount;
END;

CREATE TRIGGER opportunities_age_delete AFTER DELETE ON opportunities
WHEN OLD.status = 'open'
BEGIN
    UPDATE age_days SET deals = deals - 1, amount = amount - COALESCE(OLD.amount, 0)
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND currency = OLD.currency
      AND day = date(COALESCE(OLD.stage_changed_at, OLD.created_at), '+8 hours');
    UPDATE age_months SET deals = deals - 1, amount = amount - COALESCE(OLD.amount, 0)
    WHERE owner_id = COALESCE(OLD.owner_id, '') AND currency = OLD.currency
      AND month = substr(date(COALESCE(OLD.stage_changed_at, OLD.created_at), '+8 hours'), 1, 7);
END;
