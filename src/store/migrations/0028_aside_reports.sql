-- bingfa schema version 28: the reports' summaries of the deals seen aside.
--
-- Beside their people's deals, a salesperson, consultant or manager sees
-- the deals on whose deal team one of their people is (migration 10: the
-- deal is in their scope, deal_scopes). Those deals' rows of the reports'
-- summaries (migration 25) are kept here per scope, so that a report reads
-- a few rows instead of computing every such deal's from its history. A
-- scope holds only the deals whose owner is not one of its own people (those
-- are in the owners' summaries already): "aside" as a report counts it.
-- The forecast and the outcomes keep the owner, for the reports by owner.
--
-- aside_redo is where the work is done: a row (scope, deal, +1 or -1) put
-- in it adds or takes away that deal's rows of the views of migration 25 in
-- that scope, and is not kept. The triggers below put them: a deal joins or
-- leaves a scope; before a deal or its stage history changes its rows
-- leave every scope it is aside in, after, they join again; and a user who
-- changes team, or a team with users that joins or leaves a tree, has the
-- scopes concerned made again.

CREATE TABLE aside_forecast_cube (
    scope TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month TEXT NOT NULL,
    playbook TEXT NOT NULL,
    category TEXT NOT NULL,
    deals INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    weighted INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id, currency, month, playbook, category)
) WITHOUT ROWID;
CREATE TABLE aside_outcome_cube (
    scope TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    month TEXT NOT NULL,
    playbook TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    sales_mode TEXT NOT NULL,
    band INTEGER NOT NULL,
    reason TEXT NOT NULL,
    won_by TEXT NOT NULL,
    deals INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    total_days INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id, currency, month, playbook, status, stage, sales_mode, band,
        reason, won_by)
) WITHOUT ROWID;
CREATE TABLE aside_stage_flow (
    scope TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage TEXT NOT NULL,
    month TEXT NOT NULL,
    event TEXT NOT NULL,
    days INTEGER NOT NULL,
    n INTEGER NOT NULL,
    total_days INTEGER NOT NULL,
    PRIMARY KEY (scope, playbook, stage, month, event, days)
) WITHOUT ROWID;
CREATE TABLE aside_stage_outcomes (
    scope TEXT NOT NULL,
    playbook TEXT NOT NULL,
    stage TEXT NOT NULL,
    month TEXT NOT NULL,
    won INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (scope, playbook, stage, month, won)
) WITHOUT ROWID;
CREATE TABLE aside_redo (
    scope TEXT NOT NULL,
    opportunity_id TEXT NOT NULL,
    sign INTEGER NOT NULL
);

-- A deal's rows of each summary join (+1) or leave (-1) a scope.
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
    SELECT RAISE(IGNORE);
END;

-- A deal joins or leaves a scope (one of its people joins or leaves the deal
-- team; before a deal is deleted, migration 10 takes it out of its scopes).
CREATE TRIGGER deal_scopes_aside_insert AFTER INSERT ON deal_scopes
BEGIN
    INSERT INTO aside_redo
        SELECT NEW.scope, o.id, 1 FROM opportunities o
        WHERE o.id = NEW.opportunity_id AND NOT (NEW.scope = 'u:' || COALESCE(o.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(o.owner_id, '') AND its.scope = NEW.scope));
END;
CREATE TRIGGER deal_scopes_aside_delete AFTER DELETE ON deal_scopes
BEGIN
    INSERT INTO aside_redo
        SELECT OLD.scope, o.id, -1 FROM opportunities o
        WHERE o.id = OLD.opportunity_id AND NOT (OLD.scope = 'u:' || COALESCE(o.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(o.owner_id, '') AND its.scope = OLD.scope));
END;

-- A deal in a scope changes, or its stage history grows: its rows leave
-- before, and join after.
CREATE TRIGGER opportunities_aside_rows_old BEFORE UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at ON opportunities
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = OLD.id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, -1 FROM deal_scopes ds
        WHERE ds.opportunity_id = OLD.id AND NOT (ds.scope = 'u:' || COALESCE(OLD.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(OLD.owner_id, '') AND its.scope = ds.scope));
END;
CREATE TRIGGER opportunities_aside_rows_new AFTER UPDATE OF status, currency, owner_id, playbook,
    amount, probability, expected_close, closed_at, in_funnel, forecast_category, stage, sales_mode,
    close_reason, won_by, created_at, stage_changed_at ON opportunities
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = NEW.id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1 FROM deal_scopes ds
        WHERE ds.opportunity_id = NEW.id AND NOT (ds.scope = 'u:' || COALESCE(NEW.owner_id, '') OR
            EXISTS (SELECT 1 FROM users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE
            iu.id = COALESCE(NEW.owner_id, '') AND its.scope = ds.scope));
END;
CREATE TRIGGER stage_changes_aside_old BEFORE INSERT ON stage_changes
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = NEW.opportunity_id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, -1 FROM deal_scopes ds
        WHERE ds.opportunity_id = NEW.opportunity_id AND NOT (ds.scope = 'u:' || COALESCE((SELECT
            owner_id FROM opportunities WHERE id = NEW.opportunity_id), '') OR EXISTS (SELECT 1 FROM
            users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE((SELECT
            owner_id FROM opportunities WHERE id = NEW.opportunity_id), '') AND its.scope =
            ds.scope));
END;
CREATE TRIGGER stage_changes_aside_new AFTER INSERT ON stage_changes
WHEN EXISTS (SELECT 1 FROM deal_scopes WHERE opportunity_id = NEW.opportunity_id)
BEGIN
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1 FROM deal_scopes ds
        WHERE ds.opportunity_id = NEW.opportunity_id AND NOT (ds.scope = 'u:' || COALESCE((SELECT
            owner_id FROM opportunities WHERE id = NEW.opportunity_id), '') OR EXISTS (SELECT 1 FROM
            users iu JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE((SELECT
            owner_id FROM opportunities WHERE id = NEW.opportunity_id), '') AND its.scope =
            ds.scope));
END;

-- Whose people an owner is changes: the scopes concerned are made again.
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
CREATE TRIGGER team_scopes_aside_insert AFTER INSERT ON team_scopes
WHEN EXISTS (SELECT 1 FROM users WHERE team_id = NEW.team_id)
BEGIN
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT NEW.scope);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT NEW.scope);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT NEW.scope)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
END;
CREATE TRIGGER team_scopes_aside_delete AFTER DELETE ON team_scopes
WHEN EXISTS (SELECT 1 FROM users WHERE team_id = OLD.team_id)
BEGIN
    DELETE FROM aside_forecast_cube WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_outcome_cube WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_stage_flow WHERE scope IN (SELECT OLD.scope);
    DELETE FROM aside_stage_outcomes WHERE scope IN (SELECT OLD.scope);
    INSERT INTO aside_redo
        SELECT ds.scope, ds.opportunity_id, 1
        FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
        WHERE ds.scope IN (SELECT OLD.scope)
          AND NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu
              JOIN team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id,
              '') AND its.scope = ds.scope));
END;

-- The deals seen aside today.
INSERT INTO aside_redo
    SELECT ds.scope, ds.opportunity_id, 1
    FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id
    WHERE NOT (ds.scope = 'u:' || COALESCE(o.owner_id, '') OR EXISTS (SELECT 1 FROM users iu JOIN
        team_scopes its ON its.team_id = iu.team_id WHERE iu.id = COALESCE(o.owner_id, '') AND
        its.scope = ds.scope));
