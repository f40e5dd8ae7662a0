-- bingfa schema version 7: reads that do not grow with the data.
--
-- Every sort a list offers is served by an index on the very expression the
-- list orders by (COALESCE(column, stand-in): a missing value sorts lowest),
-- with id as the tie-breaker the keyset cursor continues from. A viewer who
-- is not an admin reads deals owner by owner (a page of each owner the
-- viewer sees), so every sort of deals has an index led by the owner too.
CREATE INDEX opportunities_sort_name ON opportunities(COALESCE(name, ''), id);
CREATE INDEX opportunities_sort_amount ON opportunities(COALESCE(amount, -1), id);
CREATE INDEX opportunities_sort_close ON opportunities(COALESCE(expected_close, ''), id);
CREATE INDEX opportunities_sort_stage ON opportunities(COALESCE(stage, ''), id);
CREATE INDEX opportunities_sort_probability ON opportunities(COALESCE(probability, -1), id);
CREATE INDEX opportunities_sort_owner ON opportunities(COALESCE(owner, ''), id);
CREATE INDEX opportunities_owner_created ON opportunities(owner_id, created_at, id);
CREATE INDEX opportunities_owner_name ON opportunities(owner_id, COALESCE(name, ''), id);
CREATE INDEX opportunities_owner_amount ON opportunities(owner_id, COALESCE(amount, -1), id);
CREATE INDEX opportunities_owner_close ON opportunities(owner_id, COALESCE(expected_close, ''), id);
CREATE INDEX opportunities_owner_stage ON opportunities(owner_id, COALESCE(stage, ''), id);
CREATE INDEX opportunities_owner_probability
    ON opportunities(owner_id, COALESCE(probability, -1), id);
CREATE INDEX opportunities_owner_owner ON opportunities(owner_id, COALESCE(owner, ''), id);
-- Replaced by the owner-led indexes above.
DROP INDEX opportunities_owner_id;
-- The funnel reads kept totals (below), not this index of every deal.
DROP INDEX opportunities_funnel;
-- Does an account have a deal of these owners? One seek per owner.
DROP INDEX opportunities_account;
CREATE INDEX opportunities_account ON opportunities(account_id, owner_id);

DROP INDEX accounts_name;
CREATE INDEX accounts_sort_name ON accounts(COALESCE(name, ''), id);
CREATE INDEX accounts_sort_industry ON accounts(COALESCE(industry, ''), id);
CREATE INDEX accounts_sort_region ON accounts(COALESCE(region, ''), id);
CREATE INDEX accounts_sort_employees ON accounts(COALESCE(employees, -1), id);
CREATE INDEX accounts_sort_revenue ON accounts(COALESCE(annual_revenue, -1), id);
CREATE INDEX accounts_sort_owner ON accounts(COALESCE(owner, ''), id);

CREATE INDEX contacts_sort_name ON contacts(COALESCE(name, ''), id);
CREATE INDEX contacts_sort_influence ON contacts(COALESCE(influence, -1), id);

CREATE INDEX activities_sort_planned ON activities(COALESCE(planned_at, ''), id);
CREATE INDEX activities_sort_done ON activities(COALESCE(done_at, ''), id);
CREATE INDEX activities_sort_owner ON activities(COALESCE(owner, ''), id);

-- When a deal's stage last changed (the latest of its stage history), kept by
-- the history itself: the stalled-deals report walks open deals in this order.
ALTER TABLE opportunities ADD COLUMN stage_changed_at TEXT;
UPDATE opportunities SET stage_changed_at =
    (SELECT MAX(changed_at) FROM stage_changes WHERE opportunity_id = opportunities.id);
CREATE INDEX opportunities_stalled ON opportunities(status, stage_changed_at, id);
CREATE INDEX opportunities_owner_stalled
    ON opportunities(owner_id, status, stage_changed_at, id);
CREATE TRIGGER stage_changes_latest AFTER INSERT ON stage_changes
BEGIN
    UPDATE opportunities SET stage_changed_at = NEW.changed_at
        WHERE id = NEW.opportunity_id
          AND (stage_changed_at IS NULL OR stage_changed_at < NEW.changed_at);
END;

-- The funnel and the forecast are sums over open deals. They are kept, per
-- owner, by the same transaction that writes a deal (the triggers below), so
-- a report adds up a few rows per owner the viewer sees instead of reading
-- every open deal. owner_id and owner are '' for a deal without them.
CREATE TABLE funnel_totals (
    playbook      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    owner         TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete INTEGER NOT NULL,
    deals         INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    weighted      INTEGER NOT NULL,  -- sum of amount x probability
    PRIMARY KEY (playbook, currency, owner_id, owner, stage, mant_complete)
) WITHOUT ROWID;

CREATE TABLE forecast_totals (
    currency TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of expected_close, '' without one
    deals    INTEGER NOT NULL,
    amount   INTEGER NOT NULL,
    weighted INTEGER NOT NULL,
    PRIMARY KEY (currency, owner_id, month)
) WITHOUT ROWID;

INSERT INTO funnel_totals
    SELECT playbook, currency, COALESCE(owner_id, ''), COALESCE(owner, ''), stage, mant_complete,
           COUNT(*), SUM(amount), SUM(amount * probability)
    FROM opportunities WHERE status = 'open'
    GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO forecast_totals
    SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), ''),
           COUNT(*), SUM(amount), SUM(amount * probability)
    FROM opportunities WHERE status = 'open'
    GROUP BY 1, 2, 3;

CREATE TRIGGER opportunities_totals_insert AFTER INSERT ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO funnel_totals VALUES (NEW.playbook, NEW.currency, COALESCE(NEW.owner_id, ''),
        COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1, NEW.amount,
        NEW.amount * NEW.probability)
    ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO forecast_totals VALUES (NEW.currency, COALESCE(NEW.owner_id, ''),
        COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
        NEW.amount * NEW.probability)
    ON CONFLICT (currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER opportunities_totals_delete AFTER DELETE ON opportunities
WHEN OLD.status = 'open'
BEGIN
    UPDATE funnel_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete;
    DELETE FROM funnel_totals
    WHERE playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete AND deals = 0;
    UPDATE forecast_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '');
    DELETE FROM forecast_totals
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

-- An update is the old deal taken out and the new one put in.
CREATE TRIGGER opportunities_totals_update_old AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close ON opportunities
WHEN OLD.status = 'open'
BEGIN
    UPDATE funnel_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete;
    DELETE FROM funnel_totals
    WHERE playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete AND deals = 0;
    UPDATE forecast_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '');
    DELETE FROM forecast_totals
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

CREATE TRIGGER opportunities_totals_update_new AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO funnel_totals VALUES (NEW.playbook, NEW.currency, COALESCE(NEW.owner_id, ''),
        COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1, NEW.amount,
        NEW.amount * NEW.probability)
    ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO forecast_totals VALUES (NEW.currency, COALESCE(NEW.owner_id, ''),
        COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
        NEW.amount * NEW.probability)
    ON CONFLICT (currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;

-- An id list (an activity's contacts) holds no foreign key, so deleting a
-- contact asks whether a list names it. This table answers with one seek: a
-- row per id a list names, kept by the triggers below. Its name is the
-- list's table and field; the store composes it from the resource table.
CREATE TABLE activities_contacts (
    listed_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (listed_id, record_id)
) WITHOUT ROWID;
INSERT INTO activities_contacts
    SELECT DISTINCT j.value, a.id FROM activities a, json_each(a.contacts) j
    WHERE a.contacts IS NOT NULL;

CREATE TRIGGER activities_contacts_insert AFTER INSERT ON activities
WHEN NEW.contacts IS NOT NULL
BEGIN
    INSERT INTO activities_contacts SELECT DISTINCT value, NEW.id FROM json_each(NEW.contacts);
END;

CREATE TRIGGER activities_contacts_update AFTER UPDATE OF contacts ON activities
BEGIN
    DELETE FROM activities_contacts WHERE record_id = OLD.id
        AND listed_id IN (SELECT value FROM json_each(COALESCE(OLD.contacts, '[]')));
    INSERT INTO activities_contacts
        SELECT DISTINCT value, NEW.id FROM json_each(COALESCE(NEW.contacts, '[]'));
END;

CREATE TRIGGER activities_contacts_delete AFTER DELETE ON activities
BEGIN
    DELETE FROM activities_contacts WHERE record_id = OLD.id
        AND listed_id IN (SELECT value FROM json_each(COALESCE(OLD.contacts, '[]')));
END;
