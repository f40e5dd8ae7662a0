-- bingfa schema version 7 (PostgreSQL): reads that do not grow with the
-- data, as src/store/migrations/0007_scale.sql: an index on the very
-- expression of every sort a list offers, owner-led ones for deals, the
-- last stage change kept on the deal, the funnel and the forecast kept as
-- totals per owner, and a table of the ids an activity's contacts name. The
-- triggers are PL/pgSQL functions doing what the SQLite triggers do.
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
DROP INDEX opportunities_owner_id;
DROP INDEX opportunities_funnel;
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

-- When a deal's stage last changed, kept by the history itself.
ALTER TABLE opportunities ADD COLUMN stage_changed_at TEXT;
UPDATE opportunities SET stage_changed_at =
    (SELECT MAX(changed_at) FROM stage_changes WHERE opportunity_id = opportunities.id);
CREATE INDEX opportunities_stalled ON opportunities(status, stage_changed_at, id);
CREATE INDEX opportunities_owner_stalled
    ON opportunities(owner_id, status, stage_changed_at, id);
CREATE FUNCTION stage_changes_latest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE opportunities SET stage_changed_at = NEW.changed_at
        WHERE id = NEW.opportunity_id
          AND (stage_changed_at IS NULL OR stage_changed_at < NEW.changed_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER stage_changes_latest AFTER INSERT ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION stage_changes_latest();

-- The funnel and the forecast, kept per owner by the transaction that writes
-- a deal. owner_id and owner are '' for a deal without them.
CREATE TABLE funnel_totals (
    playbook      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    owner         TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete BIGINT NOT NULL,
    deals         BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    weighted      BIGINT NOT NULL,  -- sum of amount x probability
    PRIMARY KEY (playbook, currency, owner_id, owner, stage, mant_complete)
);

CREATE TABLE forecast_totals (
    currency TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    month    TEXT NOT NULL,          -- YYYY-MM of expected_close, '' without one
    deals    BIGINT NOT NULL,
    amount   BIGINT NOT NULL,
    weighted BIGINT NOT NULL,
    PRIMARY KEY (currency, owner_id, month)
);

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

-- An open deal written is added to its totals; one changed or removed is
-- taken out of them first (a total that reaches no deal goes).
CREATE FUNCTION opportunities_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
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
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' THEN
        INSERT INTO funnel_totals AS t VALUES (NEW.playbook, NEW.currency,
            COALESCE(NEW.owner_id, ''), COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1,
            NEW.amount, NEW.amount * NEW.probability)
        ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
            deals = t.deals + 1, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
        INSERT INTO forecast_totals AS t VALUES (NEW.currency, COALESCE(NEW.owner_id, ''),
            COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
            NEW.amount * NEW.probability)
        ON CONFLICT (currency, owner_id, month) DO UPDATE SET
            deals = t.deals + 1, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_totals AFTER INSERT OR DELETE OR UPDATE OF status, playbook,
    currency, owner_id, owner, stage, mant_complete, amount, probability, expected_close
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_totals();

-- The ids an activity's contacts (a JSON list) name: deleting a contact asks
-- this table whether a list names it, with one seek.
CREATE TABLE activities_contacts (
    listed_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (listed_id, record_id)
);
INSERT INTO activities_contacts
    SELECT DISTINCT j.value, a.id FROM activities a,
        json_array_elements_text(a.contacts::json) AS j(value)
    WHERE a.contacts IS NOT NULL;

CREATE FUNCTION activities_contacts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM activities_contacts WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.contacts IS NOT NULL THEN
        INSERT INTO activities_contacts
            SELECT DISTINCT j.value, NEW.id FROM json_array_elements_text(NEW.contacts::json)
                AS j(value);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_contacts_keep AFTER INSERT OR DELETE OR UPDATE OF contacts
    ON activities FOR EACH ROW EXECUTE FUNCTION activities_contacts_keep();
