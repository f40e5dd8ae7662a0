-- bingfa schema version 26: the summaries of migration 25 per team and tree.
--
-- A manager sees the deals of their team and of every team below it (the
-- scope 's:<team>' of migration 10), a salesperson of a team that shares
-- its deals those of the team (the scope 't:<team>'). Beside each owner's
-- rows and everyone's ('*'), each summary now keeps the rows of every such
-- scope added up (owner_id 's:<team>' or 't:<team>'), so that such a
-- viewer's report reads one scope's rows instead of each of their people's:
-- an owner's rows go to '*' and to the scopes of the owner's team; a user
-- who changes team takes their rows out of the scopes they leave and into
-- those they join; a team that is made, moved or deleted (team_scopes gains
-- or loses rows) takes its users' rows along. The rows are made before the
-- triggers that keep them.

DROP TRIGGER forecast_cube_all ON forecast_cube;
DROP TRIGGER outcome_cube_all ON outcome_cube;
DROP TRIGGER stage_flow_all ON stage_flow;
DROP TRIGGER stage_outcomes_all ON stage_outcomes;

INSERT INTO forecast_cube
    SELECT ts.scope, c.currency, c.month, c.playbook, c.category, SUM(c.deals), SUM(c.amount),
        SUM(c.weighted)
    FROM forecast_cube c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.currency, c.month, c.playbook, c.category;
INSERT INTO outcome_cube
    SELECT ts.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
        c.reason, c.won_by, SUM(c.deals), SUM(c.amount), SUM(c.total_days)
    FROM outcome_cube c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
        c.reason, c.won_by;
INSERT INTO stage_flow
    SELECT ts.scope, c.playbook, c.stage, c.month, c.event, c.days, SUM(c.n), SUM(c.total_days)
    FROM stage_flow c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.playbook, c.stage, c.month, c.event, c.days;
INSERT INTO stage_outcomes
    SELECT ts.scope, c.playbook, c.stage, c.month, c.won, SUM(c.n)
    FROM stage_outcomes c JOIN users u ON u.id = c.owner_id
    JOIN team_scopes ts ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
    GROUP BY ts.scope, c.playbook, c.stage, c.month, c.won;

-- An owner's row added or changed: the difference goes to everyone's and to
-- each team and tree the owner is in.
CREATE OR REPLACE FUNCTION forecast_cube_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d0 BIGINT := NEW.deals; d1 BIGINT := NEW.amount; d2 BIGINT := NEW.weighted;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d0 := d0 - OLD.deals; d1 := d1 - OLD.amount; d2 := d2 - OLD.weighted;
    END IF;
    INSERT INTO forecast_cube AS t
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.category, d0, d1, d2
        FROM (SELECT '*'::text AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
    ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET deals = t.deals +
        excluded.deals, amount = t.amount + excluded.amount, weighted = t.weighted +
        excluded.weighted;
    RETURN NULL;
END
$$;
CREATE TRIGGER forecast_cube_all AFTER INSERT OR UPDATE ON forecast_cube
    FOR EACH ROW WHEN (NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:'))
    EXECUTE FUNCTION forecast_cube_all();
CREATE OR REPLACE FUNCTION outcome_cube_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d0 BIGINT := NEW.deals; d1 BIGINT := NEW.amount; d2 BIGINT := NEW.total_days;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d0 := d0 - OLD.deals; d1 := d1 - OLD.amount; d2 := d2 - OLD.total_days;
    END IF;
    INSERT INTO outcome_cube AS t
        SELECT k.id, NEW.currency, NEW.month, NEW.playbook, NEW.status, NEW.stage, NEW.sales_mode,
            NEW.band, NEW.reason, NEW.won_by, d0, d1, d2
        FROM (SELECT '*'::text AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
    ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
        won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        total_days = t.total_days + excluded.total_days;
    RETURN NULL;
END
$$;
CREATE TRIGGER outcome_cube_all AFTER INSERT OR UPDATE ON outcome_cube
    FOR EACH ROW WHEN (NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:'))
    EXECUTE FUNCTION outcome_cube_all();
CREATE OR REPLACE FUNCTION stage_flow_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d0 BIGINT := NEW.n; d1 BIGINT := NEW.total_days;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d0 := d0 - OLD.n; d1 := d1 - OLD.total_days;
    END IF;
    INSERT INTO stage_flow AS t
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.event, NEW.days, d0, d1
        FROM (SELECT '*'::text AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
    ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n + excluded.n,
        total_days = t.total_days + excluded.total_days;
    RETURN NULL;
END
$$;
CREATE TRIGGER stage_flow_all AFTER INSERT OR UPDATE ON stage_flow
    FOR EACH ROW WHEN (NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:'))
    EXECUTE FUNCTION stage_flow_all();
CREATE OR REPLACE FUNCTION stage_outcomes_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d0 BIGINT := NEW.n;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        d0 := d0 - OLD.n;
    END IF;
    INSERT INTO stage_outcomes AS t
        SELECT k.id, NEW.playbook, NEW.stage, NEW.month, NEW.won, d0
        FROM (SELECT '*'::text AS id UNION ALL SELECT ts.scope FROM users u JOIN team_scopes ts
              ON ts.team_id = u.team_id AND substr(ts.scope, 1, 2) IN ('s:', 't:')
              WHERE u.id = NEW.owner_id) AS k
    ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER stage_outcomes_all AFTER INSERT OR UPDATE ON stage_outcomes
    FOR EACH ROW WHEN (NEW.owner_id <> '*' AND substr(NEW.owner_id, 1, 2) NOT IN ('s:', 't:'))
    EXECUTE FUNCTION stage_outcomes_all();

-- A user changes team: their rows leave the trees they are no longer in and
-- join the new ones.
CREATE FUNCTION users_rollups_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forecast_cube AS t
        SELECT g.scope, c.currency, c.month, c.playbook, c.category, g.k * c.deals, g.k * c.amount,
            g.k * c.weighted
        FROM forecast_cube c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET deals = t.deals +
        excluded.deals, amount = t.amount + excluded.amount, weighted = t.weighted +
        excluded.weighted;
    INSERT INTO outcome_cube AS t
        SELECT g.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
            c.reason, c.won_by, g.k * c.deals, g.k * c.amount, g.k * c.total_days
        FROM outcome_cube c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
        won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount + excluded.amount,
        total_days = t.total_days + excluded.total_days;
    INSERT INTO stage_flow AS t
        SELECT g.scope, c.playbook, c.stage, c.month, c.event, c.days, g.k * c.n, g.k * c.total_days
        FROM stage_flow c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n + excluded.n,
        total_days = t.total_days + excluded.total_days;
    INSERT INTO stage_outcomes AS t
        SELECT g.scope, c.playbook, c.stage, c.month, c.won, g.k * c.n
        FROM stage_outcomes c, (SELECT scope, -1 AS k FROM team_scopes WHERE team_id = OLD.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = NEW.team_id)
              UNION ALL
              SELECT scope, 1 FROM team_scopes WHERE team_id = NEW.team_id
              AND substr(scope, 1, 2) IN ('s:', 't:') AND scope NOT IN
              (SELECT scope FROM team_scopes WHERE team_id = OLD.team_id)) AS g
        WHERE c.owner_id = NEW.id
    ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_rollups_move AFTER UPDATE OF team_id ON users
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id)
    EXECUTE FUNCTION users_rollups_move();

-- A team joins or leaves a tree (or is made or deleted): its users' rows
-- join or leave the tree's.
CREATE FUNCTION team_scopes_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO forecast_cube AS t
            SELECT NEW.scope, c.currency, c.month, c.playbook, c.category, SUM(c.deals),
                SUM(c.amount), SUM(c.weighted)
            FROM users u JOIN forecast_cube c ON c.owner_id = u.id
            WHERE u.team_id = NEW.team_id
            GROUP BY c.currency, c.month, c.playbook, c.category
        ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET deals = t.deals +
            excluded.deals, amount = t.amount + excluded.amount, weighted = t.weighted +
            excluded.weighted;
        INSERT INTO outcome_cube AS t
            SELECT NEW.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode,
                c.band, c.reason, c.won_by, SUM(c.deals), SUM(c.amount), SUM(c.total_days)
            FROM users u JOIN outcome_cube c ON c.owner_id = u.id
            WHERE u.team_id = NEW.team_id
            GROUP BY c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
                c.reason, c.won_by
        ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
            won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount +
            excluded.amount, total_days = t.total_days + excluded.total_days;
        INSERT INTO stage_flow AS t
            SELECT NEW.scope, c.playbook, c.stage, c.month, c.event, c.days, SUM(c.n),
                SUM(c.total_days)
            FROM users u JOIN stage_flow c ON c.owner_id = u.id
            WHERE u.team_id = NEW.team_id
            GROUP BY c.playbook, c.stage, c.month, c.event, c.days
        ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n +
            excluded.n, total_days = t.total_days + excluded.total_days;
        INSERT INTO stage_outcomes AS t
            SELECT NEW.scope, c.playbook, c.stage, c.month, c.won, SUM(c.n)
            FROM users u JOIN stage_outcomes c ON c.owner_id = u.id
            WHERE u.team_id = NEW.team_id
            GROUP BY c.playbook, c.stage, c.month, c.won
        ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    ELSE
        INSERT INTO forecast_cube AS t
            SELECT OLD.scope, c.currency, c.month, c.playbook, c.category, -SUM(c.deals),
                -SUM(c.amount), -SUM(c.weighted)
            FROM users u JOIN forecast_cube c ON c.owner_id = u.id
            WHERE u.team_id = OLD.team_id
            GROUP BY c.currency, c.month, c.playbook, c.category
        ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET deals = t.deals +
            excluded.deals, amount = t.amount + excluded.amount, weighted = t.weighted +
            excluded.weighted;
        INSERT INTO outcome_cube AS t
            SELECT OLD.scope, c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode,
                c.band, c.reason, c.won_by, -SUM(c.deals), -SUM(c.amount), -SUM(c.total_days)
            FROM users u JOIN outcome_cube c ON c.owner_id = u.id
            WHERE u.team_id = OLD.team_id
            GROUP BY c.currency, c.month, c.playbook, c.status, c.stage, c.sales_mode, c.band,
                c.reason, c.won_by
        ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason,
            won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount +
            excluded.amount, total_days = t.total_days + excluded.total_days;
        INSERT INTO stage_flow AS t
            SELECT OLD.scope, c.playbook, c.stage, c.month, c.event, c.days, -SUM(c.n),
                -SUM(c.total_days)
            FROM users u JOIN stage_flow c ON c.owner_id = u.id
            WHERE u.team_id = OLD.team_id
            GROUP BY c.playbook, c.stage, c.month, c.event, c.days
        ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n +
            excluded.n, total_days = t.total_days + excluded.total_days;
        INSERT INTO stage_outcomes AS t
            SELECT OLD.scope, c.playbook, c.stage, c.month, c.won, -SUM(c.n)
            FROM users u JOIN stage_outcomes c ON c.owner_id = u.id
            WHERE u.team_id = OLD.team_id
            GROUP BY c.playbook, c.stage, c.month, c.won
        ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER team_scopes_rollups_insert AFTER INSERT ON team_scopes
    FOR EACH ROW WHEN (substr(NEW.scope, 1, 2) IN ('s:', 't:')) EXECUTE FUNCTION
        team_scopes_rollups();
CREATE TRIGGER team_scopes_rollups_delete AFTER DELETE ON team_scopes
    FOR EACH ROW WHEN (substr(OLD.scope, 1, 2) IN ('s:', 't:')) EXECUTE FUNCTION
        team_scopes_rollups();
