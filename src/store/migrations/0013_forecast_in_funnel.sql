-- bingfa schema version 13: the forecast counts what the funnel counts.
--
-- A deal is in the funnel proper when its stage is inside the funnel and,
-- where its playbook qualifies with MANT, its MANT is complete (Ruijie:
-- MANT齐全才能进入漏斗). The funnel always left the other deals out, by stage
-- and mant_complete; the forecast added up every open deal. Now the API
-- keeps in_funnel with every write of a deal (opportunity_set_in_funnel, and
-- with mant_complete), and the forecast's totals hold only the open deals
-- in the funnel proper.
ALTER TABLE opportunities ADD COLUMN in_funnel INTEGER NOT NULL DEFAULT 1;

-- The deals stored before: of the built-in playbooks only ruijie-6 has a
-- stage outside the funnel (problem) and qualifies with MANT; a playbook
-- imported into the database says so in its stored document.
UPDATE opportunities SET in_funnel = 0
WHERE (playbook = 'ruijie-6' AND (stage = 'problem' OR mant_complete = 0)
       AND NOT EXISTS (SELECT 1 FROM playbooks p WHERE p.id = opportunities.playbook
                       AND p.version = opportunities.playbook_version))
   OR EXISTS (SELECT 1 FROM playbooks p, json_each(p.doc, '$.stages') s
              WHERE p.id = opportunities.playbook AND p.version = opportunities.playbook_version
                AND json_extract(s.value, '$.id') = opportunities.stage
                AND json_extract(s.value, '$.in_funnel') = 0)
   OR (mant_complete = 0
       AND EXISTS (SELECT 1 FROM playbooks p, json_each(p.doc, '$.qualification') q
                   WHERE p.id = opportunities.playbook
                     AND p.version = opportunities.playbook_version AND q.value = 'MANT'));

-- The triggers of versions 7 and 10 that move a changed deal's figures,
-- again, with the forecast's part only for a deal in the funnel proper and
-- in_funnel among the columns they watch.
DROP TRIGGER opportunities_totals_delete;
DROP TRIGGER opportunities_totals_update_old;
DROP TRIGGER opportunities_totals_update_new;
DROP TRIGGER deal_scopes_totals_insert;
DROP TRIGGER deal_scopes_totals_delete;
DROP TRIGGER opportunities_aside_update_old;
DROP TRIGGER opportunities_aside_update_new;

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
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND OLD.in_funnel = 1;
    DELETE FROM forecast_totals
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

CREATE TRIGGER opportunities_totals_update_old AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close, in_funnel
    ON opportunities
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
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND OLD.in_funnel = 1;
    DELETE FROM forecast_totals
    WHERE currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

CREATE TRIGGER opportunities_totals_update_new AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close, in_funnel
    ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO funnel_totals VALUES (NEW.playbook, NEW.currency, COALESCE(NEW.owner_id, ''),
        COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1, NEW.amount,
        NEW.amount * NEW.probability)
    ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO forecast_totals
        SELECT NEW.currency, COALESCE(NEW.owner_id, ''),
               COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
               NEW.amount * NEW.probability
        WHERE NEW.in_funnel = 1
    ON CONFLICT (currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER deal_scopes_totals_insert AFTER INSERT ON deal_scopes
BEGIN
    INSERT INTO aside_funnel_totals
        SELECT NEW.scope, o.playbook, o.currency, COALESCE(o.owner_id, ''),
               COALESCE(o.owner, ''), o.stage, o.mant_complete, 1, o.amount,
               o.amount * o.probability
        FROM opportunities o WHERE o.id = NEW.opportunity_id AND o.status = 'open'
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_forecast_totals
        SELECT NEW.scope, o.currency, COALESCE(o.owner_id, ''),
               COALESCE(substr(o.expected_close, 1, 7), ''), 1, o.amount,
               o.amount * o.probability
        FROM opportunities o
        WHERE o.id = NEW.opportunity_id AND o.status = 'open' AND o.in_funnel = 1
    ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_counts
        SELECT NEW.scope, COALESCE(o.owner_id, ''), 1
        FROM opportunities o WHERE o.id = NEW.opportunity_id
    ON CONFLICT (scope, owner_id) DO UPDATE SET deals = deals + 1;
END;

CREATE TRIGGER deal_scopes_totals_delete AFTER DELETE ON deal_scopes
BEGIN
    UPDATE aside_funnel_totals SET deals = deals - 1,
        amount = amount - (SELECT amount FROM opportunities WHERE id = OLD.opportunity_id),
        weighted = weighted - (SELECT amount * probability FROM opportunities
                               WHERE id = OLD.opportunity_id)
    WHERE scope = OLD.scope
      AND (playbook, currency, owner_id, owner, stage, mant_complete) IN (
        SELECT playbook, currency, COALESCE(owner_id, ''), COALESCE(owner, ''), stage,
               mant_complete
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    DELETE FROM aside_funnel_totals
    WHERE scope = OLD.scope AND deals = 0
      AND (playbook, currency, owner_id, owner, stage, mant_complete) IN (
        SELECT playbook, currency, COALESCE(owner_id, ''), COALESCE(owner, ''), stage,
               mant_complete
        FROM opportunities WHERE id = OLD.opportunity_id AND status = 'open');
    UPDATE aside_forecast_totals SET deals = deals - 1,
        amount = amount - (SELECT amount FROM opportunities WHERE id = OLD.opportunity_id),
        weighted = weighted - (SELECT amount * probability FROM opportunities
                               WHERE id = OLD.opportunity_id)
    WHERE scope = OLD.scope
      AND (currency, owner_id, month) IN (
        SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), '')
        FROM opportunities
        WHERE id = OLD.opportunity_id AND status = 'open' AND in_funnel = 1);
    DELETE FROM aside_forecast_totals
    WHERE scope = OLD.scope AND deals = 0
      AND (currency, owner_id, month) IN (
        SELECT currency, COALESCE(owner_id, ''), COALESCE(substr(expected_close, 1, 7), '')
        FROM opportunities
        WHERE id = OLD.opportunity_id AND status = 'open' AND in_funnel = 1);
    UPDATE aside_counts SET deals = deals - 1
    WHERE scope = OLD.scope AND owner_id = (SELECT COALESCE(owner_id, '') FROM opportunities
                                            WHERE id = OLD.opportunity_id);
    DELETE FROM aside_counts
    WHERE scope = OLD.scope AND owner_id = (SELECT COALESCE(owner_id, '') FROM opportunities
                                            WHERE id = OLD.opportunity_id) AND deals = 0;
END;

CREATE TRIGGER opportunities_aside_update_old AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close, in_funnel
    ON opportunities
WHEN OLD.status = 'open'
BEGIN
    UPDATE aside_funnel_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete;
    DELETE FROM aside_funnel_totals
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND playbook = OLD.playbook AND currency = OLD.currency
      AND owner_id = COALESCE(OLD.owner_id, '') AND owner = COALESCE(OLD.owner, '')
      AND stage = OLD.stage AND mant_complete = OLD.mant_complete AND deals = 0;
    UPDATE aside_forecast_totals SET deals = deals - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.amount * OLD.probability
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND OLD.in_funnel = 1;
    DELETE FROM aside_forecast_totals
    WHERE scope IN (SELECT scope FROM deal_scopes WHERE opportunity_id = OLD.id)
      AND currency = OLD.currency AND owner_id = COALESCE(OLD.owner_id, '')
      AND month = COALESCE(substr(OLD.expected_close, 1, 7), '') AND deals = 0;
END;

CREATE TRIGGER opportunities_aside_update_new AFTER UPDATE OF status, playbook, currency,
    owner_id, owner, stage, mant_complete, amount, probability, expected_close, in_funnel
    ON opportunities
WHEN NEW.status = 'open'
BEGIN
    INSERT INTO aside_funnel_totals
        SELECT ds.scope, NEW.playbook, NEW.currency, COALESCE(NEW.owner_id, ''),
               COALESCE(NEW.owner, ''), NEW.stage, NEW.mant_complete, 1, NEW.amount,
               NEW.amount * NEW.probability
        FROM deal_scopes ds WHERE ds.opportunity_id = NEW.id
    ON CONFLICT (scope, playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_forecast_totals
        SELECT ds.scope, NEW.currency, COALESCE(NEW.owner_id, ''),
               COALESCE(substr(NEW.expected_close, 1, 7), ''), 1, NEW.amount,
               NEW.amount * NEW.probability
        FROM deal_scopes ds WHERE ds.opportunity_id = NEW.id AND NEW.in_funnel = 1
    ON CONFLICT (scope, currency, owner_id, month) DO UPDATE SET
        deals = deals + 1, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
END;

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
