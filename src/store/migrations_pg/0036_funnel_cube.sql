-- bingfa schema version 36 (PostgreSQL): the funnel of a window of close
-- dates, as src/store/migrations/0036_funnel_cube.sql: funnel_cube keeps
-- the funnel's figures per owner and month of the expected close ('' without
-- one), aside_funnel_cube those of the deals seen aside per scope (through
-- aside_redo, migration 28, whose functions are made again here with this
-- summary among theirs). A new open deal's row is written by the store; a
-- changed, closed, reopened, transferred or deleted deal's rows are moved
-- by the trigger below.

CREATE TABLE funnel_cube (
    owner_id      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    month         TEXT NOT NULL,     -- YYYY-MM of expected_close; '' without one
    playbook      TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete BIGINT NOT NULL,
    deals         BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    weighted      BIGINT NOT NULL,   -- sum of amount x probability
    PRIMARY KEY (owner_id, currency, month, playbook, stage, mant_complete)
);

CREATE TABLE aside_funnel_cube (
    scope         TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    month         TEXT NOT NULL,
    playbook      TEXT NOT NULL,
    stage         TEXT NOT NULL,
    mant_complete BIGINT NOT NULL,
    deals         BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    weighted      BIGINT NOT NULL,
    PRIMARY KEY (scope, owner_id, currency, month, playbook, stage, mant_complete)
);

-- The row of each open deal, as the store writes it and the trigger moves it.
CREATE VIEW deal_funnel_rows AS
    SELECT id AS opportunity_id, COALESCE(owner_id, '') AS owner_id, currency,
           COALESCE(substr(expected_close, 1, 7), '') AS month, playbook, stage, mant_complete,
           amount, amount * probability AS weighted
    FROM opportunities WHERE status = 'open';

INSERT INTO funnel_cube (owner_id, currency, month, playbook, stage, mant_complete, deals, amount,
                         weighted)
    SELECT owner_id, currency, month, playbook, stage, mant_complete, COUNT(*), SUM(amount),
           SUM(weighted)
    FROM deal_funnel_rows GROUP BY 1, 2, 3, 4, 5, 6;

-- A deal changes or goes: its old row leaves, its new one joins, and the
-- rows left at zero go.
CREATE FUNCTION opportunities_funnel_cube() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'open' THEN
        INSERT INTO funnel_cube AS t (owner_id, currency, month, playbook, stage, mant_complete,
                                      deals, amount, weighted)
        VALUES (COALESCE(OLD.owner_id, ''), OLD.currency,
                COALESCE(substr(OLD.expected_close, 1, 7), ''), OLD.playbook, OLD.stage,
                OLD.mant_complete, -1, -OLD.amount, -OLD.amount * OLD.probability)
        ON CONFLICT (owner_id, currency, month, playbook, stage, mant_complete) DO UPDATE SET
            deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO funnel_cube AS t (owner_id, currency, month, playbook, stage, mant_complete,
                                      deals, amount, weighted)
            SELECT owner_id, currency, month, playbook, stage, mant_complete, 1, amount, weighted
            FROM deal_funnel_rows WHERE opportunity_id = NEW.id
        ON CONFLICT (owner_id, currency, month, playbook, stage, mant_complete) DO UPDATE SET
            deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
            weighted = t.weighted + excluded.weighted;
        DELETE FROM funnel_cube WHERE deals = 0 AND owner_id IN (COALESCE(OLD.owner_id, ''),
            COALESCE(NEW.owner_id, '')) AND currency IN (OLD.currency, NEW.currency);
    ELSE
        DELETE FROM funnel_cube WHERE deals = 0 AND owner_id = COALESCE(OLD.owner_id, '')
            AND currency = OLD.currency;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER opportunities_funnel_cube AFTER DELETE OR UPDATE OF status, currency, owner_id,
    playbook, stage, mant_complete, amount, probability, expected_close ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_funnel_cube();

-- The deals seen aside: aside_redo (migration 28) adds or takes away a
-- deal's rows in a scope, now this summary's too; the scopes made again
-- lose theirs first.
CREATE OR REPLACE FUNCTION aside_redo_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO aside_forecast_cube AS t
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.category, NEW.sign *
            COUNT(*), NEW.sign * SUM(v.amount), NEW.sign * SUM(v.weighted)
        FROM deal_forecast_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.category
    ON CONFLICT (scope, owner_id, currency, month, playbook, category) DO UPDATE SET deals = t.deals
        + excluded.deals, amount = t.amount + excluded.amount, weighted = t.weighted +
        excluded.weighted;
    INSERT INTO aside_outcome_cube AS t
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.status, v.stage,
            v.sales_mode, v.band, v.reason, v.won_by, NEW.sign * COUNT(*), NEW.sign * SUM(v.amount),
            NEW.sign * SUM(v.cycle_days)
        FROM deal_outcome_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.status, v.stage, v.sales_mode,
            v.band, v.reason, v.won_by
    ON CONFLICT (scope, owner_id, currency, month, playbook, status, stage, sales_mode, band,
        reason, won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount +
        excluded.amount, total_days = t.total_days + excluded.total_days;
    INSERT INTO aside_stage_flow AS t
        SELECT NEW.scope, v.playbook, v.stage, v.month, v.event, v.days, NEW.sign * COUNT(*),
            NEW.sign * SUM(v.exact_days)
        FROM deal_flow_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.playbook, v.stage, v.month, v.event, v.days
    ON CONFLICT (scope, playbook, stage, month, event, days) DO UPDATE SET n = t.n + excluded.n,
        total_days = t.total_days + excluded.total_days;
    INSERT INTO aside_stage_outcomes AS t
        SELECT NEW.scope, v.playbook, v.stage, v.month, v.won, NEW.sign * COUNT(DISTINCT
            v.opportunity_id)
        FROM deal_stage_outcome_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.playbook, v.stage, v.month, v.won
    ON CONFLICT (scope, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO aside_funnel_cube AS t
        SELECT NEW.scope, v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete,
            NEW.sign * COUNT(*), NEW.sign * SUM(v.amount), NEW.sign * SUM(v.weighted)
        FROM deal_funnel_rows v WHERE v.opportunity_id = NEW.opportunity_id
        GROUP BY v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete
    ON CONFLICT (scope, owner_id, currency, month, playbook, stage, mant_complete) DO UPDATE SET
        deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        weighted = t.weighted + excluded.weighted;
    RETURN NULL;
END
$$;

-- A deal in a scope changes: as migration 28, with mant_complete among the
-- columns watched (the funnel's pre-funnel deals).
DROP TRIGGER opportunities_aside_rows_old ON opportunities;
CREATE TRIGGER opportunities_aside_rows_old BEFORE UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at, mant_complete ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_aside_rows();
DROP TRIGGER opportunities_aside_rows_new ON opportunities;
CREATE TRIGGER opportunities_aside_rows_new AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at, mant_complete ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunities_aside_rows();

CREATE OR REPLACE FUNCTION users_aside_move() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION team_scopes_aside() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r team_scopes;
BEGIN
    IF TG_OP = 'INSERT' THEN r := NEW; ELSE r := OLD; END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE team_id = r.team_id) THEN
        RETURN NULL;
    END IF;
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT r.scope);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT r.scope);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT r.scope);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT r.scope);
    DELETE FROM aside_funnel_cube WHERE scope IN (SELECT r.scope);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT r.scope)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
    RETURN NULL;
END
$$;

-- The deals seen aside today.
INSERT INTO aside_funnel_cube (scope, owner_id, currency, month, playbook, stage, mant_complete,
                               deals, amount, weighted)
    SELECT ds.scope, v.owner_id, v.currency, v.month, v.playbook, v.stage, v.mant_complete,
           COUNT(*), SUM(v.amount), SUM(v.weighted)
    FROM deal_scopes ds JOIN deal_funnel_rows v ON v.opportunity_id = ds.opportunity_id
    WHERE NOT (ds.scope = 'u:' || v.owner_id OR EXISTS (SELECT 1 FROM users iu JOIN team_scopes its
        ON its.team_id = iu.team_id WHERE iu.id = v.owner_id AND its.scope = ds.scope))
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
