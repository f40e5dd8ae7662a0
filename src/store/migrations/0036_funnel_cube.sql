-- bingfa schema version 36: the funnel of a window of close dates.
--
-- The dashboard asks for the funnel of a quarter — the open deals expected
-- to close in it — of a team or of one owner. funnel_totals (migration 7)
-- has no month: funnel_cube keeps the same figures per owner and month of
-- the expected close ('' without one), and aside_funnel_cube those of the
-- deals seen aside, per scope, as migration 28 keeps the other summaries'
-- (only the deals whose owner is not one of the scope's people). A report
-- adds up a few rows per person instead of reading the deals.
--
-- A new open deal's row is written by the store (store_record_insert, as
-- funnel_totals'); a changed, closed, reopened, transferred or deleted
-- deal's rows are moved by the triggers below, and the deals seen aside by
-- aside_redo (migration 28), whose triggers are made again here with this
-- summary among theirs.

CREATE TABLE funnel_cube (
    owner_id      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    month         TEXT NOT NULL,     -- YYYY-MM of expected_close; '' without one
    playbook      TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete INTEGER NOT NULL,
    deals         INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    weighted      INTEGER NOT NULL,  -- sum of amount x probability
    PRIMARY KEY (owner_id, currency, month, playbook, stage, mant_complete)
) WITHOUT ROWID;

CREATE TABLE aside_funnel_cube (
    scope         TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    month         TEXT NOT NULL,
    playbook      TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete INTEGER NOT NULL,
    deals         INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    weighted      INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id, currency, month, playbook, stage, mant_complete)
) WITHOUT ROWID;

-- The row of each open deal, as the store writes it and the triggers move it.
CREATE VIEW deal_funnel_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           COALESCE(substr(expected_close, 1, 7), '') AS month, playbook, stage, mant_complete,
           amount, amount * probability AS weighted
    FROM opportunities WHERE status = 'open';

INSERT INTO funnel_cube
    SELECT owner_id, currency, month, playbook, stage, mant_complete, COUNT(*), SUM(amount),
           SUM(weighted)
    FROM deal_funnel_rows GROUP BY 1, 2, 3, 4, 5, 6;

-- A deal changes: its old row leaves, its new one joins (upserts both
-- ways), and the rows left at zero go.
CREATE TRIGGER opportunities_funnel_cube AFTER UPDATE OF status, currency, owner_id, playbook,
    stage, mant_complete, amount, probability, expected_close ON opportunities
BEGIN
    INSERT INTO funnel_cube
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               COALESCE(substr(OLD.expected_close, 1, 7), ''), OLD.playbook, OLD.stage,
               OLD.mant_complete, -1, -OLD.amount, -OLD.amount * OLD.probability
        WHERE OLD.status = 'open'
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    INSERT INTO funnel_cube
        SELECT owner_id, currency, month, playbook, stage, mant_complete, 1, amount, weighted
        FROM deal_funnel_rows WHERE opportunity_id = NEW.id
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    DELETE FROM funnel_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
        COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
END;

CREATE TRIGGER opportunities_funnel_cube_delete AFTER DELETE ON opportunities
WHEN OLD.status = 'open'
BEGIN
    INSERT INTO funnel_cube
        SELECT COALESCE(OLD.owner_id, ''), OLD.currency,
               COALESCE(substr(OLD.expected_close, 1, 7), ''), OLD.playbook, OLD.stage,
               OLD.mant_complete, -1, -OLD.amount, -OLD.amount * OLD.probability
        WHERE 1 = 1
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    DELETE FROM funnel_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '')
        AND currency = OLD.currency;
END;

-- The deals seen aside: aside_redo (migration 28) adds or takes away a
-- deal's rows in a scope, now this summary's too; the scopes made again
-- lose theirs first.
DROP TRIGGER aside_redo_rows;
CREATE TRIGGER aside_redo_rows BEFORE INSERT ON aside_redo
BEGIN
    INSERT INTO aside_forecast_cube
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.category, NEW.sign *
            COUNT(*), NEW.sign * SUM(v.amount), NEW.sign * SUM(v.weighted)
        FROM deal_forecast_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.category
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    INSERT INTO aside_outcome_cube
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.status, v.stage,
            v.sales_mode, v.band, v.reason, v.won_by, NEW.sign * COUNT(*), NEW.sign * SUM(v.amount),
            NEW.sign * SUM(v.cycle_days)
        FROM deal_outcome_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.status, v.stage, v.sales_mode,
            v.band, v.reason, v.won_by
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        total_days = total_days + excluded.total_days;
    INSERT INTO aside_stage_flow
        SELECT NEW.scope, v.playbook, v.stage, v.month, v.event, v.days, NEW.sign * COUNT(*),
            NEW.sign * SUM(v.exact_days)
        FROM deal_flow_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.playbook, v.stage, v.month, v.event, v.days
    ON CONFLICT DO UPDATE SET n = n + excluded.n, total_days = total_days + excluded.total_days;
    INSERT INTO aside_stage_outcomes
        SELECT NEW.scope, v.playbook, v.stage, v.month, v.won, NEW.sign * COUNT(DISTINCT
            v.opportunity_id)
        FROM deal_stage_outcome_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.playbook, v.stage, v.month, v.won
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
    INSERT INTO aside_funnel_cube
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete,
            NEW.sign * COUNT(*), NEW.sign * SUM(v.amount), NEW.sign * SUM(v.weighted)
        FROM deal_funnel_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete
    ON CONFLICT DO UPDATE SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        weighted = weighted + excluded.weighted;
    SELECT RAISE(IGNORE);
END;

-- A deal in a scope changes: as migration 28, with mant_complete among the
-- columns watched (the funnel's pre-funnel deals).
DROP TRIGGER opportunities_aside_rows_old;
CREATE TRIGGER opportunities_aside_rows_old BEFORE UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at, mant_complete ON opportunities
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = OLD.id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, -1 FROM deal_scopes ds
        WHERE ds.opportunity_id = OLD.id AND NOT (ds.scope = 'u:' || COALESCE(OLD.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(OLD.owner_id, '') AND its.scope = ds.scope));
END;
DROP TRIGGER opportunities_aside_rows_new;
CREATE TRIGGER opportunities_aside_rows_new AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at, mant_complete ON opportunities
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = NEW.id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1 FROM deal_scopes ds
        WHERE ds.opportunity_id = NEW.id AND NOT (ds.scope = 'u:' || COALESCE(NEW.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(NEW.owner_id, '') AND its.scope = ds.scope));
END;

DROP TRIGGER users_aside_move;
CREATE TRIGGER users_aside_move AFTER UPDATE OF team_id ON users
WHEN OLD.team_id IS NOT NEW.team_id
BEGIN
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT scope FROM (SELECT scope FROM team_scopes
        WHERE team_id = OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT scope FROM (SELECT scope FROM team_scopes
        WHERE team_id = OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT scope FROM (SELECT scope FROM team_scopes
        WHERE team_id = OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT scope FROM (SELECT scope FROM
        team_scopes WHERE team_id = OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j);
    DELETE FROM aside_funnel_cube WHERE scope IN (SELECT scope FROM (SELECT scope FROM team_scopes
        WHERE team_id = OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id =
            OLD.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = NEW.team_id) AS l
            UNION SELECT scope FROM (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id
            EXCEPT SELECT scope FROM team_scopes WHERE team_id = OLD.team_id) AS j)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
END;

DROP TRIGGER team_scopes_aside_insert;
CREATE TRIGGER team_scopes_aside_insert AFTER INSERT ON team_scopes
WHEN EXISTS (SELECT 1 FROM users WHERE team_id = NEW.team_id)
BEGIN
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_funnel_cube WHERE scope IN (SELECT NEW.scope);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT NEW.scope)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
END;

DROP TRIGGER team_scopes_aside_delete;
CREATE TRIGGER team_scopes_aside_delete AFTER DELETE ON team_scopes
WHEN EXISTS (SELECT 1 FROM users WHERE team_id = OLD.team_id)
BEGIN
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_funnel_cube WHERE scope IN (SELECT OLD.scope);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT OLD.scope)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
END;

-- The deals seen aside today.
INSERT INTO aside_funnel_cube
    SELECT ds.scope, v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete,
           COUNT(*), SUM(v.amount), SUM(v.weighted)
    FROM deal_scopes ds JOIN deal_funnel_rows v ON v.opportunity_id = ds.opportunity_id
    WHERE NOT (ds.scope = 'u:' || v.owner_id OR EXISTS (SELECT 1 FROM users iu JOIN team_scopes its
        ON its.team_id = iu.team_id WHERE iu.id = v.owner_id AND its.scope = ds.scope))
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
