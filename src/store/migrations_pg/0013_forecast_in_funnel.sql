-- bingfa schema version 13 (PostgreSQL): the forecast counts what the funnel
-- counts, as src/store/migrations/0013_forecast_in_funnel.sql: in_funnel
-- (the stage inside the funnel and, where the playbook qualifies with MANT,
-- MANT complete), kept by the API with every write of a deal; the forecast's
-- totals hold only the open deals in the funnel proper.
ALTER TABLE opportunities ADD COLUMN in_funnel BIGINT NOT NULL DEFAULT 1;

-- The deals stored before: of the built-in playbooks only ruijie-6 has a
-- stage outside the funnel (problem) and qualifies with MANT; a playbook
-- imported into the database says so in its stored document.
UPDATE opportunities o SET in_funnel = 0
WHERE (o.playbook = 'ruijie-6' AND (o.stage = 'problem' OR o.mant_complete = 0)
       AND NOT EXISTS (SELECT 1 FROM playbooks p WHERE p.id = o.playbook
                       AND p.version = o.playbook_version))
   OR EXISTS (SELECT 1 FROM playbooks p, jsonb_array_elements(p.doc::jsonb -> 'stages') s
              WHERE p.id = o.playbook AND p.version = o.playbook_version
                AND s ->> 'id' = o.stage AND s -> 'in_funnel' = 'false'::jsonb)
   OR (o.mant_complete = 0
       AND EXISTS (SELECT 1 FROM playbooks p,
                          jsonb_array_elements_text(p.doc::jsonb -> 'qualification') q
                   WHERE p.id = o.playbook AND p.version = o.playbook_version AND q = 'MANT'));

-- The figures of a changed or deleted deal: the forecast's part only for a
-- deal in the funnel proper (a new deal's are added by the store).
CREATE OR REPLACE FUNCTION opportunities_totals() RETURNS trigger LANGUAGE plpgsql AS $$
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
        IF OLD.in_funnel = 1 THEN
            UPDATE forecast_totals SET deals = deals - 1, amount = amount - OLD.amount,
                weighted = weighted - OLD.amount * OLD.probability
            WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
              AND month = COALESCE(substr(OLD.expected_close, 1, 7), '');
            DELETE FROM forecast_totals
            WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
              AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' THEN
        INSERT INTO funnel_totals AS t VALUES (NEW.playbook, NEW.currency,
            COALESCE(NEW.owner_id, ''), COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1,
            NEW.amount, NEW.amount * NEW.probability)
        ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
            deals = t.deals + 1, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
        IF NEW.in_funnel = 1 THEN
            INSERT INTO forecast_totals AS t VALUES (NEW.currency, COALESCE(NEW.owner_id, ''),
                COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
                NEW.amount * NEW.probability)
            ON CONFLICT (currency, owner_id, month) DO UPDATE SET
                deals = t.deals + 1, amount = t.amount + excluded.amount,
                weighted = t.weighted + excluded.weighted;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER opportunities_totals ON opportunities;
CREATE TRIGGER opportunities_totals AFTER DELETE OR UPDATE OF status, playbook,
    currency, owner_id, owner, stage, mant_complete, amount, probability, expected_close,
    in_funnel ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_totals();

-- A deal's figures join (sign 1) or leave (sign -1) the totals of a scope
-- (an open deal only; the forecast's, a deal in the funnel proper only).
CREATE OR REPLACE FUNCTION aside_totals_add(p_scope TEXT, o opportunities, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF o.status IS DISTINCT FROM 'open' THEN
        RETURN;
    END IF;
    INSERT INTO aside_funnel_totals AS t VALUES (p_scope, o.playbook, o.currency,
        COALESCE(o.owner_id, ''), COALESCE(o.owner, ''), o.stage, o.mant_complete, p_sign,
        p_sign * o.amount, p_sign * o.amount * o.probability)
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    IF o.in_funnel = 1 THEN
        INSERT INTO aside_forecast_totals AS t VALUES (p_scope, o.currency,
            COALESCE(o.owner_id, ''), COALESCE(substr(o.expected_close, 1, 7), ''), p_sign,
            p_sign * o.amount, p_sign * o.amount * o.probability)
        ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
            deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
    END IF;
    IF p_sign < 0 THEN
        DELETE FROM aside_funnel_totals
        WHERE scope = p_scope AND playbook = o.playbook AND currency = o.currency
          AND owner_id = COALESCE(o.owner_id, '') AND owner = COALESCE(o.owner, '')
          AND stage = o.stage AND mant_complete = o.mant_complete AND deals = 0;
        DELETE FROM aside_forecast_totals
        WHERE scope = p_scope AND currency = o.currency AND owner_id = COALESCE(o.owner_id, '')
          AND month = COALESCE(substr(o.expected_close, 1, 7), '') AND deals = 0;
    END IF;
END
$$;
DROP TRIGGER opportunities_aside_update ON opportunities;
CREATE TRIGGER opportunities_aside_update AFTER UPDATE OF status, playbook, currency, owner_id,
    owner, stage, mant_complete, amount, probability, expected_close, in_funnel
    ON opportunities FOR EACH ROW EXECUTE FUNCTION opportunities_aside_update();

-- The forecast's totals again, of the open deals in the funnel proper.
DELETE FROM forecast_totals;
INSERT INTO forecast_totals
    SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), ''),
           COUNT(*), SUM(amount), SUM(amount * probability)
    FROM opportunities WHERE status = 'open' AND in_funnel = 1
    GROUP BY 1, 2, 3;
DELETE FROM aside_forecast_totals;
INSERT INTO aside_forecast_totals
    SELECT ds.scope, o.currency, COALESCE(o.owner_id, ''),
           COALESCE(substr(o.expected_close, 1, 7), ''), COUNT(*), SUM(o.amount),
           SUM(o.amount * o.probability)
    FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
    WHERE o.status = 'open' AND o.in_funnel = 1
    GROUP BY 1, 2, 3, 4;
